"""The alert queue (电力数据预警): filters by state, kind, region, year detected (the dashboard links
here with it), 只看分派给我的 and name/USCC, the counts per state as tabs, the table, and the summary
with the hit rate (查实率). htmx swaps the results; enterprises get 403 (a check is unannounced).

Imports from core, this app and `views.common`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode

from benan.core.models import Role
from benan.core.pages import is_partial, list_page, messages_of

from .. import queries
from ..models import AlertKind, AlertState
from .common import STATE_BADGES, region_groups, region_param, require_government

FILTER_KEYS = ("state", "kind", "region", "year", "q")


def _mine(request) -> bool:
    """Whether to show only the user's own alerts. An inspector with alerts waiting for their
    check lands on those; `mine=0` (the toggle's hidden default) shows the whole scope."""
    raw = request.GET.get("mine")
    if raw is not None:
        return raw == "1"
    user = request.user
    return user.role == Role.INSPECTOR and queries.alerts(user, state=AlertState.ASSIGNED, mine=True).exists()


def _year(raw: str) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationError({"year": [f"年份“{raw}”不是整数"]}) from None


def _years(chosen: str) -> list[int]:
    """The last six years, and the one asked for (a link may name an older year)."""
    this = timezone.localdate().year
    years = set(range(this, this - 6, -1))
    if chosen.isdigit():
        years.add(int(chosen))
    return sorted(years, reverse=True)


def _summary(user, region, year) -> dict:
    """Totals over both kinds, and the hit rate of finished checks."""
    stats = queries.stats(user, region=region, year=year)
    rows = stats["by_kind"]
    total = {s: sum(r[s] for r in rows) for s in AlertState.values}
    checked = total[AlertState.CONFIRMED] + total[AlertState.FALSE_ALARM]
    return {
        "open": total[AlertState.OPEN] + total[AlertState.ASSIGNED],
        "unassigned": total[AlertState.OPEN],
        "confirmed": total[AlertState.CONFIRMED],
        "false_alarm": total[AlertState.FALSE_ALARM],
        "hit_rate": total[AlertState.CONFIRMED] / checked if checked else None,
        "with_case": stats["with_case"],
        "by_kind": rows,
    }


def _tabs(user, params, mine, region, year) -> list[dict]:
    """One tab per state with its count under the other filters."""
    rows = (
        queries.alerts(
            user, kind=params["kind"] or None, region=region, mine=mine, q=params["q"] or None, year=year
        )
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    counts = dict(rows)
    base = {k: v for k, v in params.items() if v and k != "state"}
    if user.role == Role.INSPECTOR:
        base["mine"] = "1" if mine else "0"
    tabs = [{"value": "", "label": "全部", "count": sum(counts.values()), "url": "?" + urlencode(base)}]
    for value, label in AlertState.choices:
        tabs.append(
            {
                "value": value,
                "label": label,
                "count": counts.get(value, 0),
                "url": "?" + urlencode({**base, "state": value}),
                "badge": STATE_BADGES[value],
            }
        )
    for tab in tabs:
        tab["current"] = tab["value"] == params["state"]
    return tabs


@login_required
def alert_queue(request):
    user = request.user
    require_government(user)
    params = {key: request.GET.get(key, "").strip()[:100] for key in FILTER_KEYS}
    mine = _mine(request)
    context = {
        "params": params,
        "mine": mine,
        "filtered": any(params.values()) or mine,
        "page": None,
        "errors": [],
        "tabs": [],
        "summary": None,
    }
    status = 200
    try:
        region = region_param(params["region"])
        year = _year(params["year"])
        queryset = queries.alerts(
            user,
            state=params["state"] or None,
            kind=params["kind"] or None,
            region=region,
            mine=mine,
            q=params["q"] or None,
            year=year,
        )
        context["page"] = list_page(request, queryset.select_related("region__parent"))
        context["tabs"] = _tabs(user, params, mine, region, year)
        context["summary"] = _summary(user, region, year)
    except ValidationError as exc:
        context["errors"] = messages_of(exc)
        status = 400
    if is_partial(request):
        response = render(request, "power/partials/alert_table.html", context, status=status)
    else:
        context.update(
            kinds=AlertKind.choices,
            states=AlertState.choices,
            region_groups=region_groups(user),
            years=_years(params["year"]),
            is_inspector=user.role == Role.INSPECTOR,
        )
        response = render(request, "power/queue.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
