"""Checklist pages: the standards with their counts, and one standard's checklist grouped by article
with an htmx filter (sector, 原文待核, text).

Thin views over `queries`; reference data, so every logged-in user sees the same pages. Imports from
core, enterprises (Sector codes, the htmx partial rule) and this app.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from benan.core.errors import NotFound
from benan.core.pages import is_partial
from benan.enterprises.models import GONGMAO_SECTORS, Sector

from . import queries

VERIFIED_CHOICES = [("", "全部"), ("1", "原文已核对"), ("0", "原文待核")]


def sector_labels(codes: list[str]) -> list[str]:
    # Eight badges on every management item say less than one.
    if len(codes) > 1 and set(codes) == GONGMAO_SECTORS:
        return ["全部工贸行业"]
    return queries.sector_labels(codes)


@login_required
def standard_list(request):
    standards = list(queries.standards())
    for standard in standards:
        standard.sector_labels = sector_labels(standard.sectors)
    return render(request, "standards/list.html", {"standards": standards})


def _verified(raw: str) -> bool | None:
    if raw == "":
        return None
    if raw not in ("0", "1"):
        raise ValidationError({"verified": f"核对状态“{raw}”无效，只能是 1（已核对）或 0（原文待核）"})
    return raw == "1"


def _groups(criteria) -> list[dict]:
    """Consecutive criteria of one article form a group headed by the article and its lead."""
    groups: list[dict] = []
    for criterion in criteria:
        criterion.sector_labels = sector_labels(criterion.sectors)
        key = (criterion.article, criterion.section, criterion.lead)
        if not groups or groups[-1]["key"] != key:
            groups.append({"key": key, "heading": criterion.heading, "lead": criterion.lead, "criteria": []})
        groups[-1]["criteria"].append(criterion)
    return groups


@login_required
def standard_detail(request, pk: str):
    try:
        standard = queries.get_standard(pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    params = {key: request.GET.get(key, "").strip() for key in ("sector", "verified", "q")}
    context = {
        "standard": standard,
        "params": params,
        "filtered": any(params.values()),
        "groups": [],
        "shown": 0,
        "errors": [],
    }
    status = 200
    try:
        criteria = list(queries.criteria(queries.CriteriaFilter(
            standard=standard.pk, sector=params["sector"] or None, q=params["q"] or None,
            verified=_verified(params["verified"]),
        )))
        context["groups"] = _groups(criteria)
        context["shown"] = len(criteria)
    except ValidationError as exc:
        context["errors"] = [m for messages in exc.message_dict.values() for m in messages]
        status = 400

    if is_partial(request):
        response = render(request, "standards/partials/checklist.html", context, status=status)
    else:
        labels = dict(Sector.choices)
        context.update(
            sectors=[(code, labels[code]) for code in standard.sectors],
            sector_labels=sector_labels(standard.sectors),
            verified_choices=VERIFIED_CHOICES,
        )
        response = render(request, "standards/detail.html", context, status=status)
    # One URL, two bodies (full page or the htmx partial): caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response
