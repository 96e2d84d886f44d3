"""The accident statistics of a region (and year): accidents by grade, deaths, serious injuries,
direct loss and accountability by kind, each number linking to the list behind it; links up to
the parent region and down to the children in scope. Government users only.

Imports from core, this app and `views.common`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from benan.core.models import Region, RegionLevel
from benan.core.pages import messages_of
from benan.core.scope import region_in_scope

from .. import queries
from ..models import AccountabilityKind, Grade
from .common import GRADE_BADGES, is_government, year_param, years


@login_required
def accident_stats(request):
    user = request.user
    if not is_government(user):
        raise PermissionDenied("事故统计仅供监管部门查看")
    code = request.GET.get("region", "").strip() or user.region_id or "510000"
    region = Region.objects.select_related("parent").filter(code=code).first()
    if region is None or not region_in_scope(user, code):
        raise Http404("行政区划不存在或不在您的管辖范围内")
    raw_year = request.GET.get("year", "").strip()
    try:
        year = year_param(raw_year)
        totals = queries.stats(user, region=code, year=year)
        errors = []
    except ValidationError as exc:
        year, totals, errors = None, None, messages_of(exc)
    base = {"region": code}
    if year:
        base["year"] = year

    def link(name: str, **extra) -> str:
        return f"{reverse(name)}?{urlencode({**base, **extra})}"

    cards, grades, kinds = [], [], []
    if totals is not None:
        accidents_url = link("accidents:list")
        cards = [
            {"key": "accidents", "label": "事故起数", "value": totals["accidents"], "url": accidents_url},
            {"key": "deaths", "label": "死亡人数", "value": totals["deaths"], "url": accidents_url},
            {
                "key": "serious_injuries",
                "label": "重伤人数（含急性工业中毒）",
                "value": totals["serious_injuries"],
                "url": accidents_url,
            },
            {
                "key": "direct_loss_cny",
                "label": "直接经济损失（元）",
                "value": totals["direct_loss_cny"],
                "money": True,
                "url": accidents_url,
            },
            {
                "key": "accountability",
                "label": "责任追究（人次）",
                "value": totals["accountability"],
                "url": link("accidents:accountability"),
            },
        ]
        grades = [
            {
                "grade": value,
                "label": label,
                "badge": GRADE_BADGES.get(value, ""),
                "value": totals["by_grade"].get(value, 0),
                "url": link("accidents:list", grade=value),
            }
            for value, label in Grade.choices
        ]
        kinds = [
            {
                "kind": value,
                "label": label,
                "value": totals["accountability_by_kind"].get(value, 0),
                "url": link("accidents:accountability", kind=value),
            }
            for value, label in AccountabilityKind.choices
        ]
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
        "accidents/stats.html",
        {
            "region": region,
            "up": up,
            "children": children,
            "year": year,
            "raw_year": raw_year,
            "years": years(),
            "cards": cards,
            "grades": grades,
            "kinds": kinds,
            "errors": errors,
        },
        status=400 if errors else 200,
    )
