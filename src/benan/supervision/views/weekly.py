"""The weekly dispatch sheet page (周调度表): for one week (Monday to Sunday) the counts per
sub-region with their total, the five lists behind them (`weekly.detail_sections`, the same as the
workbook's sheets), links to the weeks before and after, and the XLSX download (`weekly.workbook`).

Government users only (403 for enterprises); a region outside the scope is 404; a bad week is shown
as a message (400). Imports from core and this app's `weekly`, `access` and `views.common`.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render

from benan.core import clock
from benan.core.pages import http_errors, messages_of

from .. import access, weekly
from .common import link, readable_region, region_nav, text_param

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _sheet(request) -> dict:
    user = request.user
    region = readable_region(user, text_param(request, "region"))
    return weekly.sheet(user, region, weekly.week_of(text_param(request, "week") or None))


@login_required
def weekly_page(request):
    user = request.user
    with http_errors():
        access.require_government(user)
    params = {"region": text_param(request, "region"), "week": text_param(request, "week")}
    try:
        data = _sheet(request)
    except ValidationError as exc:
        return render(request, "supervision/weekly.html", {"params": params, "errors": messages_of(exc)},
                      status=400)
    region, week = data["region"], data["week"]
    code = region.code

    def week_url(day: date, region_code: str = code) -> str:
        return link("supervision:weekly", region=region_code, week=day.isoformat())

    rows = [
        {
            **row,
            "cells": [row[key] for key, _ in weekly.COLUMNS],
            # A sub-region's own sheet; the region itself when it has none below it.
            "url": week_url(week.start, row["region_code"]) if row["region_code"] != code else "",
        }
        for row in data["rows"]
    ]
    context = {
        "params": params,
        "errors": [],
        "region": region,
        "week": week,
        "columns": weekly.COLUMNS,
        "rows": rows,
        "totals": [data["totals"][key] for key, _ in weekly.COLUMNS],
        "sections": [
            {"title": title, "header": header, "rows": [[_cell(v) for v in values] for values in values_list]}
            for title, header, values_list in weekly.detail_sections(data)
        ],
        "previous_url": week_url(week.start - timedelta(days=7)),
        "next_url": week_url(week.start + timedelta(days=7)),
        "this_week_url": link("supervision:weekly", region=code),
        "is_this_week": week.start <= clock.today() <= week.end,
        "export_url": link("supervision:weekly_export", region=code, week=week.start.isoformat()),
        "nav": region_nav(user, region, "supervision:weekly", week=week.start.isoformat()),
    }
    return render(request, "supervision/weekly.html", context)


@login_required
def weekly_export(request):
    """The sheet as XLSX; bad parameters are a 400 with the reason in Chinese."""
    with http_errors():
        access.require_government(request.user)
    try:
        data = _sheet(request)
    except ValidationError as exc:
        text = "参数有误：" + "；".join(messages_of(exc))
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    name = f"weekly-{data['region'].code}-{data['week'].start:%Y%m%d}.xlsx"
    response = HttpResponse(weekly.workbook(data), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
