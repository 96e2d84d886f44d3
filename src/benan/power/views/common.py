"""Helpers shared by the power pages: who may see alerts, list filters, paging, the region choices
of a user's scope, badge colours, and running a service step for a form.

Imports from core, enterprises and this app; nothing from the other view modules.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from benan.core import errors as domain
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


def attempt(form, run) -> tuple[int, str]:
    """Run a service step for a valid form: (0, "") when done, else the status and the message.

    One transaction: photos stored for a check that is then refused are rolled back with it. A
    refused role or a move the state does not allow is said on the page (403 / 409), not as a bare
    error page: the user can see the alert, only this action is not theirs to take now.
    """
    if not form.is_valid():
        return 422, ""
    try:
        with http_errors(), transaction.atomic():
            run()
    except ValidationError as exc:
        form.add_service_errors(exc)
        return 422, ""
    except PermissionDenied as exc:
        return 403, str(exc)
    except domain.InvalidTransition as exc:
        return 409, exc.message
    return 0, ""
