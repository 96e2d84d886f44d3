"""Who may read which region's figures.

Every government user reads the figures of their own region and of any region below it; a
region outside that subtree answers 404, as an object outside the scope does everywhere. An
enterprise user has a dashboard of their own enterprise (no region to choose) and no ranking,
weekly sheet or circular (403). Admins read every region.
"""

from __future__ import annotations

from benan.core.errors import NotFound, PermissionDenied
from benan.core.models import GOVERNMENT_ROLES, Region, Role
from benan.core.scope import region_in_scope

from .figures import home_region, region_or_error


def is_government(user) -> bool:
    return user.is_admin or user.role in GOVERNMENT_ROLES


def require_government(user) -> None:
    if not is_government(user):
        raise PermissionDenied("仅政府部门用户可查看区域汇总")


def dashboard_region(user, code: str | None) -> Region | None:
    """The region of a dashboard request: the user's own when none is asked for; None for an
    enterprise user (their enterprise's figures)."""
    if user.role == Role.ENTERPRISE:
        if code:
            raise NotFound()
        return None
    require_government(user)
    return readable_region(user, code)


def readable_region(user, code: str | None) -> Region:
    """A region a government user may read (422 for an unknown code, 404 outside their scope)."""
    require_government(user)
    region = region_or_error(code) if code else home_region(user)
    if region is None:
        raise NotFound()
    if not region_in_scope(user, region.code):
        raise NotFound()
    return region
