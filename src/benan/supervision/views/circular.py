"""The monthly circular page (月度通报): a form (the user's region or one below it, a month, last
month by default) that previews the circular's figures (`circular.gather`: the overall sentences, the
ranking of sub-regions, the problems found) and downloads the Word document (`circular.build`).

Government users only (403 for enterprises). A bad month or a region outside the user's is a form
error in Chinese (400), on the preview and on the download alike. Imports from core and this app's
`circular`, `figures`, `access` and `views.common`.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render

from benan.core import clock
from benan.core.models import Region, RegionLevel
from benan.core.pages import http_errors, messages_of
from benan.core.period import Period

from .. import access, circular, figures

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def region_choices(home: Region) -> list:
    """The user's region, then the regions below it (a city's counties grouped under it)."""
    low, high = home.code_range()
    below = Region.objects.filter(code__gte=low, code__lte=high).exclude(code=home.code).order_by("code")
    choices: list = [(home.code, f"{home.name}（{circular.scope_word(home)}）")]
    groups: dict[str, list] = {}
    for region in below:
        if region.level == RegionLevel.CITY:
            groups[region.code] = [(region.code, f"{region.name}（全市）")]
            choices.append((region.name, groups[region.code]))
        elif region.parent_id in groups:
            groups[region.parent_id].append((region.code, region.name))
        else:
            choices.append((region.code, region.name))
    return choices


def last_month(today=None) -> Period:
    today = today or clock.today()
    return Period.month(today.year, today.month).previous_month()


class CircularForm(forms.Form):
    region = forms.ChoiceField(
        label="通报区划",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={
            "required": "请选择通报区划",
            "invalid_choice": "区划“%(value)s”不存在或不在您的管辖范围内",
        },
    )
    month = forms.CharField(
        label="通报月份",
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "class": "form-control", "placeholder": "YYYY-MM"}),
        error_messages={"required": "请填写通报月份", "max_length": "月份格式为 YYYY-MM（如 2026-10）"},
    )

    def __init__(self, data, *, home: Region, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["region"].choices = region_choices(home)

    def clean_month(self) -> Period:
        try:
            return circular.month_of(self.cleaned_data["month"])
        except ValidationError as exc:
            raise ValidationError(messages_of(exc)) from None


def _form(request) -> tuple[CircularForm, Region]:
    user = request.user
    with http_errors():
        access.require_government(user)
        home = access.readable_region(user, None)
    # Unasked, the user's own region and last month; a month sent empty is an error to show.
    month = request.GET.get("month")
    data = {
        "region": request.GET.get("region", "").strip()[:20] or home.code,
        "month": last_month().key if month is None else month.strip()[:20],
    }
    return CircularForm(data, home=home, auto_id="circular-%s"), home


def _region(request, form: CircularForm) -> Region:
    with http_errors():
        return access.readable_region(request.user, form.cleaned_data["region"])


def preview(data: dict) -> dict:
    """What the page shows of the circular: its title, the overall sentences, the ranking table
    (the circular's columns, the worst of each in red) and the problems found."""
    region, month, rows = data["region"], data["month"], data["rows"]
    keys = [key for key, _ in circular.RANKING_COLUMNS]
    worst = {key: figures.worst(rows, key) for key in keys}
    return {
        "office": circular.office_name(region),
        "title": f"关于{month.label}{circular.scope_word(region)}安全生产情况的通报",
        "overall": circular.overall(data),
        "sub_word": circular.sub_word(region),
        "columns": [label for _, label in circular.RANKING_COLUMNS],
        "rows": [
            {
                "name": row["region_name"],
                "cells": [
                    {"display": figures.format_value(k, row[k]), "worst": row["region_code"] in worst[k]}
                    for k in keys
                ],
            }
            for row in rows
        ],
        "problems": circular.problems(data),
        "empty": data["empty"],
    }


def _page(request, form: CircularForm, *, status: int = 200, data: dict | None = None):
    context = {
        "form": form,
        "errors": [str(e) for errors in form.errors.values() for e in errors],
        "preview": preview(data) if data else None,
        "month": data["month"] if data else None,
        "region": data["region"] if data else None,
    }
    return render(request, "supervision/circular.html", context, status=status)


@login_required
def circular_page(request):
    form, _ = _form(request)
    if not form.is_valid():
        return _page(request, form, status=400)
    region = _region(request, form)
    data = circular.gather(request.user, region, form.cleaned_data["month"], today=clock.today())
    return _page(request, form, data=data)


@login_required
def circular_download(request):
    form, _ = _form(request)
    if not form.is_valid():
        return _page(request, form, status=400)
    region, month = _region(request, form), form.cleaned_data["month"]
    content = circular.build(request.user, region, month, today=clock.today())
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="circular-{region.code}-{month.key}.docx"'
    return response
