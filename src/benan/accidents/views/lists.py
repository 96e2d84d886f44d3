"""The accident list (filters by grade, kind, region, year, days and text; htmx swaps the results) and
the accountability list (government users only) with its counts by kind.

Imports from core, this app and `views.common`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode

from benan.core.pages import is_partial, list_page, messages_of
from benan.core.period import date_range, parse_day

from .. import queries
from ..models import AccountabilityKind, Grade, Investigation, InvestigationState, Kind
from .common import (
    GRADE_BADGES,
    REPORTERS,
    is_government,
    may,
    region_groups,
    region_param,
    year_param,
    years,
)

FILTER_KEYS = ("grade", "kind", "region", "year", "date_from", "date_to", "q", "enterprise")
STATE_LABELS = dict(InvestigationState.choices)


def _enterprise_param(raw: str) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationError({"enterprise": [f"企业编号“{raw}”不是整数"]}) from None


@login_required
def accident_list(request):
    user = request.user
    params = {key: request.GET.get(key, "").strip() for key in FILTER_KEYS}
    context = {"params": params, "filtered": any(params.values()), "rows": [], "page": None, "errors": []}
    status = 200
    try:
        filters = queries.AccidentFilter(
            grade=params["grade"] or None,
            kind=params["kind"] or None,
            region=region_param(params["region"]),
            year=year_param(params["year"]),
            period=date_range(
                parse_day(params["date_from"], "date_from"), parse_day(params["date_to"], "date_to")
            ),
            enterprise=_enterprise_param(params["enterprise"]),
            q=params["q"][:100] or None,
        )
        page = list_page(request, queries.accidents(user, filters).select_related("region__parent"))
    except ValidationError as exc:
        context["errors"] = messages_of(exc)
        status = 400
    else:
        states = dict(
            Investigation.objects.filter(accident__in=[a.pk for a in page.items]).values_list(
                "accident_id", "state"
            )
        )
        context["page"] = page
        context["rows"] = [
            {
                "accident": a,
                "badge": GRADE_BADGES.get(a.grade, "text-bg-secondary"),
                "state": states.get(a.pk),
                "state_label": STATE_LABELS.get(states.get(a.pk), "未成立调查组"),
            }
            for a in page.items
        ]
    if is_partial(request):
        response = render(request, "accidents/partials/accident_table.html", context, status=status)
    else:
        context.update(
            grades=Grade.choices,
            kinds=Kind.choices,
            region_groups=region_groups(user),
            years=years(),
            can_report=may(user, REPORTERS),
        )
        response = render(request, "accidents/list.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def accountability_list(request):
    user = request.user
    if not is_government(user):
        raise PermissionDenied("责任追究记录仅供监管部门查看")
    params = {key: request.GET.get(key, "").strip() for key in ("region", "year", "kind")}
    context = {
        "params": params,
        "filtered": any(params.values()),
        "page": None,
        "errors": [],
        "kinds": AccountabilityKind.choices,
        "region_groups": region_groups(user),
        "years": years(),
        "counts": [],
    }
    status = 200
    try:
        region, year = region_param(params["region"]), year_param(params["year"])
        queryset = queries.accountability(user, region=region, year=year, kind=params["kind"] or None)
        context["page"] = list_page(request, queryset.select_related("accident", "region__parent"))
        by_kind = dict(
            queries.accountability(user, region=region, year=year)
            .order_by()
            .values_list("kind")
            .annotate(n=Count("pk"))
        )
    except ValidationError as exc:
        context["errors"] = messages_of(exc)
        status = 400
    else:
        base = {k: v for k, v in (("region", region), ("year", year)) if v}
        context["counts"] = [
            {
                "kind": value,
                "label": label,
                "value": by_kind.get(value, 0),
                "url": "?" + urlencode({**base, "kind": value}),
                "current": value == params["kind"],
            }
            for value, label in AccountabilityKind.choices
        ]
        context["total"] = sum(by_kind.values())
        context["total_url"] = "?" + urlencode(base)
    return render(request, "accidents/accountability.html", context, status=status)
