"""Helpers shared by the power pages: who may see alerts, list filters, paging, the region choices
of a user's scope and badge colours (a service step for a form runs through core.pages.attempt).

Imports from core, enterprises and this app; nothing from the other view modules.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from benan.core.models import GOVERNMENT_ROLES
from benan.core.pages import http_errors
from benan.enterprises.forms import grouped_regions, scope_regions

from .. import services
from ..models import AlertState, PowerAlert

STATE_BADGES = {
    AlertState.OPEN: "text-bg-warning",
    AlertState.ASSIGNED: "text-bg-primary",
    AlertState.CONFIRMED: "text-bg-danger",
    AlertState.FALSE_ALARM: "text-bg-secondary",
}


def require_government(user) -> None:
    """Alerts are for the authorities only: a check is unannounced."""
    if not (user.is_admin or user.role in GOVERNMENT_ROLES):
        raise PermissionDenied("电力数据预警仅供监管部门使用")


def alert_or_404(user, pk: int) -> PowerAlert:
    with http_errors():
        return services.get_alert(user, pk)


def region_param(raw: str) -> str | None:
    if raw and len(raw) != 6:
        raise ValidationError({"region": [f"行政区划代码“{raw}”不存在"]})
    return raw or None


def region_groups(user):
    """The cities and counties of the user's scope for an <optgroup> select."""
    return grouped_regions(scope_regions(user), counties_only=False)
