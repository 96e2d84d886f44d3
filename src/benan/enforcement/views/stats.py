"""The statistics page: a region's (and year's) totals and cases by state, each linking to the filtered
list, with links up to the parent region and down to the children in scope.

Imports from core, this app and `views.common`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from benan.core.models import Region, RegionLevel
from benan.core.pages import messages_of
from benan.core.scope import region_in_scope

from .. import queries
from ..models import CaseState
from .common import _is_government, _year, _years


@login_required
def case_stats(request):
    user = request.user
    if not _is_government(user):
        raise PermissionDenied("执法统计仅供监管部门查看")
    code = request.GET.get("region", "").strip() or user.region_id or "510000"
    region = Region.objects.select_related("parent").filter(code=code).first()
    if region is None or not region_in_scope(user, code):
        raise Http404("行政区划不存在或不在您的管辖范围内")
    raw_year = request.GET.get("year", "").strip()
    try:
        year = _year(raw_year)
        totals = queries.stats(user, region=code, year=year)
        by_state = dict(
            queries.cases(user, queries.CaseFilter(region=code, year=year))
            .order_by()
            .values_list("state")
            .annotate(n=Count("pk"))
        )
        errors = []
    except ValidationError as exc:
        year, totals, by_state, errors = None, None, {}, messages_of(exc)
    base = {"region": code}
    if year:
        base["year"] = year

    def link(name: str, **extra) -> str:
        return f"{reverse(name)}?{urlencode({**base, **extra})}"

    cards = []
    if totals is not None:
        cards = [
            {"key": "cases", "label": "立案数", "value": totals["cases"], "url": link("enforcement:list")},
            {
                "key": "dual_penalty",
                "label": "一案双罚",
                "value": totals["dual_penalty"],
                "url": link("enforcement:list", dual_penalty="true"),
            },
            {
                "key": "fines_total_cny",
                "label": "罚没金额（元）",
                "value": totals["fines_total_cny"],
                "money": True,
                "url": link("enforcement:list"),
            },
            {
                "key": "suspensions",
                "label": "责令停产停业整顿",
                "value": totals["suspensions"],
                "url": link("enforcement:suspensions"),
            },
            {
                "key": "referrals",
                "label": "涉嫌犯罪移送",
                "value": totals["referrals"],
                "url": link("enforcement:referrals"),
            },
            {
                "key": "blacklisted",
                "label": "列入严重失信主体名单",
                "value": totals.get("blacklisted", 0),
                "url": link("enforcement:blacklist"),
            },
        ]
    states = [
        {
            "state": value,
            "label": label,
            "value": by_state.get(value, 0),
            "url": link("enforcement:list", state=value),
        }
        for value, label in CaseState.choices
    ]
    overdue = None
    if totals is not None:
        overdue = queries.cases(user, queries.CaseFilter(region=code, year=year, overdue=True)).count()
    up = region.parent if region.parent_id and region_in_scope(user, region.parent_id) else None
    children = []
    if region.level != RegionLevel.COUNTY:
        children = [
            child
            for child in Region.objects.filter(parent=region).order_by("code")
            if region_in_scope(user, child.code)
        ]
    return render(
        request,
        "enforcement/stats.html",
        {
            "region": region,
            "up": up,
            "children": children,
            "year": year,
            "raw_year": raw_year,
            "years": _years(),
            "cards": cards,
            "states": states,
            "overdue": overdue,
            "overdue_url": link("enforcement:list", overdue="true"),
            "errors": errors,
        },
        status=400 if errors else 200,
    )
