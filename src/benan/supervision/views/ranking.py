"""The ranking page (晾晒): every indicator for the sub-regions of a region over a year (to today) or
a month, sorted by a column header (worst first unless the order is turned), the worst value of each
column in red, and the same table as an XLSX download (`ranking.workbook`).

Government users only (403 for enterprises); a region outside the scope is 404; a bad year, month,
sort or order is shown as a message (400). Imports from core and this app's `ranking`, `figures`,
`access` and `views.common`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render

from benan.core import clock
from benan.core.models import Region, RegionLevel
from benan.core.pages import http_errors, messages_of
from benan.core.period import Period, period_from

from .. import access, figures, ranking
from .common import link, readable_region, region_nav, text_param, year_param, years

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KEYS = ("region", "year", "month", "sort", "order")


def _params(request) -> dict[str, str]:
    return {key: text_param(request, key) for key in KEYS}


def _table(user, region: Region, params: dict) -> dict:
    today = clock.today()
    period = period_from(year=year_param(params["year"]), month=params["month"] or None)
    period = (period or Period.year(today.year)).clipped(today)
    return ranking.ranking(user, region, period, sort=params["sort"] or "hazards_overdue",
                           order=params["order"] or None, today=today)


def _period_params(params: dict) -> dict:
    return {"month": params["month"]} if params["month"] else {"year": params["year"]}


def _headers(table: dict, params: dict) -> list[dict]:
    """A link per column that sorts by it: worst first, and the other way when it is sorted already."""
    region = table["region"].code
    headers = []
    for indicator in figures.INDICATORS:
        current = indicator.key == table["sort"]
        default = figures.default_order(indicator.key)
        order = ("asc" if table["order"] == "desc" else "desc") if current else default
        headers.append({
            "key": indicator.key,
            "label": indicator.label,
            "section": indicator.section,
            "current": current,
            "order": table["order"] if current else "",
            "url": link("supervision:ranking", region=region, **_period_params(params), sort=indicator.key,
                        order=order),
            "hint": figures.describe(indicator),
        })
    return headers


def _sections(headers: list[dict]) -> list[tuple[str, int]]:
    """The header's first row: each section and how many columns it spans."""
    spans: list[tuple[str, int]] = []
    for header in headers:
        if spans and spans[-1][0] == header["section"]:
            spans[-1] = (header["section"], spans[-1][1] + 1)
        else:
            spans.append((header["section"], 1))
    return spans


@login_required
def ranking_page(request):
    user = request.user
    with http_errors():
        access.require_government(user)
    params = _params(request)
    context = {"params": params, "errors": [], "table": None}
    try:
        region = readable_region(user, params["region"])
        context["years"] = years(year_param(params["year"]))
        table = _table(user, region, params)
    except ValidationError as exc:
        context["errors"] = messages_of(exc)
        context.setdefault("years", years())
        return render(request, "supervision/ranking.html", context, status=400)
    headers = _headers(table, params)
    worst = {key: set(codes) for key, codes in table["worst"].items()}
    shown_year = params["year"] or ("" if params["month"] else str(table["period"].start.year))
    context.update(
        table=table,
        region=region,
        headers=headers,
        sections=_sections(headers),
        rows=[
            {
                "code": row["region_code"],
                "name": row["region_name"],
                "dashboard": link("supervision:dashboard", region=row["region_code"],
                                  year=table["period"].start.year),
                "ranking": link("supervision:ranking", region=row["region_code"], **_period_params(params),
                                sort=table["sort"], order=params["order"])
                if region.level == RegionLevel.PROVINCE else "",
                "cells": [
                    {"key": i.key, "value": row[i.key], "display": figures.format_value(i.key, row[i.key]),
                     "worst": row["region_code"] in worst[i.key]}
                    for i in figures.INDICATORS
                ],
            }
            for row in table["rows"]
        ],
        shown_year=shown_year,
        nav=region_nav(user, region, "supervision:ranking", **_period_params(params), sort=params["sort"],
                       order=params["order"]),
        export_url=link("supervision:ranking_export", region=region.code, **_period_params(params),
                        sort=table["sort"], order=params["order"]),
    )
    return render(request, "supervision/ranking.html", context)


@login_required
def ranking_export(request):
    """The ranking as XLSX; bad parameters are a 400 with the reason in Chinese."""
    user = request.user
    with http_errors():
        access.require_government(user)
    params = _params(request)
    try:
        region = readable_region(user, params["region"])
        table = _table(user, region, params)
    except ValidationError as exc:
        text = "参数有误：" + "；".join(messages_of(exc))
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    name = f"ranking-{region.code}-{table['period'].key.replace('~', '_')}.xlsx"
    response = HttpResponse(ranking.workbook(table), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
