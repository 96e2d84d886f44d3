"""Helpers shared by the accident pages: role checks, parsing list filters, paging, the region
choices of a user's scope, the grade badge colours, and running a service step for a form.

Imports from core, enterprises and this app; nothing from the other view modules.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from benan.core.models import GOVERNMENT_ROLES, Role
from benan.enterprises.forms import grouped_regions, scope_regions

from ..models import GOVERNMENT, OFFICES

# Who may report an accident and follow it up (everyone but experts), as services.REPORTERS.
REPORTERS = GOVERNMENT | {Role.ENTERPRISE}
MEASURE_REVIEWERS = OFFICES | {Role.INSPECTOR}
# Bootstrap colours of the four grades, most severe darkest.
GRADE_BADGES = {
    "especially_major": "text-bg-dark",
    "major": "text-bg-danger",
    "relatively_major": "text-bg-warning",
    "general": "text-bg-info",
}


def may(user, roles) -> bool:
    return user.is_admin or user.role in roles


def is_government(user) -> bool:
    return user.is_admin or user.role in GOVERNMENT_ROLES


def year_param(raw: str) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationError({"year": [f"年份“{raw}”不是整数"]}) from None


def region_param(raw: str) -> str | None:
    if raw and len(raw) != 6:
        raise ValidationError({"region": [f"行政区划代码“{raw}”不存在"]})
    return raw or None


def years() -> list[int]:
    this = timezone.localdate().year
    return list(range(this, this - 6, -1))


def region_groups(user, *, counties_only: bool = False):
    """The cities and counties of the user's scope for an <optgroup> select."""
    return grouped_regions(scope_regions(user), counties_only=counties_only)


def flat_choices(groups) -> list:
    """Grouped region options as Django choices: [(city, [(code, label), ...]), ...]."""
    return [(city, list(options)) for city, options in groups]


def span(seconds: float) -> str:
    """A duration in words: "26 小时 5 分"; under a minute is "不到 1 分"."""
    minutes = int(abs(seconds) // 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} 小时 {minutes} 分"
    return f"{minutes} 分" if minutes else "不到 1 分"


def countdown(due_at: datetime, now: datetime, overdue: bool) -> str:
    """What the board says of a deadline: time left, or how long it has been overdue."""
    if overdue:
        return f"已超时 {span((now - due_at).total_seconds())}"
    return f"剩余 {span((due_at - now).total_seconds())}"
