"""Project-level pages that gather several apps: the home page with counts for the user's scope.

May import any app's `queries`; no app imports this module.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from benan.core.models import GOVERNMENT_ROLES, Role
from benan.enterprises import queries as enterprise_queries
from benan.enterprises.models import Sector, Status

# Bootstrap colours of the status cards, the same as the status badges of the enterprise pages.
STATUS_COLOURS = {
    Status.NORMAL: "success",
    Status.SUSPENDED: "danger",
    Status.UNDER_CONSTRUCTION: "warning",
    Status.CLOSED: "secondary",
}


def scope_label(user) -> str:
    """What the user's data scope is, in words: "成都市武侯区", "本企业（…）", "全部"."""
    if user.is_admin:
        return "全部（系统管理员）"
    if user.role == Role.ENTERPRISE:
        return f"本企业（{user.enterprise.name}）" if user.enterprise_id else "本企业"
    if user.role in GOVERNMENT_ROLES and user.region_id:
        return user.region.full_name
    return "无"


@login_required
def home(request):
    counts = enterprise_queries.counts(request.user)
    sector_values = {label: value for value, label in Sector.choices}
    return render(request, "home.html", {
        "counts": counts,
        "status_cards": [
            {"status": s, "count": counts.get(s.value, 0), "colour": STATUS_COLOURS[s]} for s in Status
        ],
        "sectors": [
            {"label": label, "value": sector_values.get(label, ""), "count": n}
            for label, n in enterprise_queries.counts_by_sector(request.user)
        ],
        "scope_label": scope_label(request.user),
    })
