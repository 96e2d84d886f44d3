"""The initial report (事故快报) with every item 第十二条 requires, and the grade calculator, which is
also the htmx partial that shows the report form's grade while the figures are typed. The grade
is never typed: it is computed by the Decree 493 engine from the figures.

Imports from core, enterprises, standards, this app and `views.common`.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from benan.core.models import Role
from benan.core.pages import http_errors, is_partial, messages_of
from benan.enterprises import queries as enterprise_queries
from benan.standards import accident_grades

from .. import forms, services
from .common import GRADE_BADGES, REPORTERS, flat_choices, may, region_groups

PICK_LIMIT = 200
TEXT_FIELDS = ("kind", "place", "unit_overview", "scene", "summary", "measures", "other")
FIELD_ORDER = [
    "enterprise",
    "unit_name",
    "region_code",
    "kind",
    "occurred_at",
    "known_at",
    "place",
    "lat",
    "lon",
    "unit_overview",
    "scene",
    "summary",
    *forms.FIGURE_FIELDS,
    "measures",
    "other",
]


# -- grading -----------------------------------------------------------------------------------


def chain_offsets(code: str) -> list[dict]:
    """The levels a grade must tell and each one's limit in hours after the unit's head knew."""
    start = datetime(2000, 1, 1)
    return [
        {
            "level": level,
            "label": accident_grades.LEVEL_LABELS[level],
            "hours": int((due - start).total_seconds() // 3600),
        }
        for level, due in accident_grades.reporting_deadlines(code, start).items()
    ]


def grading_of(values) -> tuple[dict | None, dict[str, list[str]]]:
    """The grade of the figures in `values` (a QueryDict or dict) with what it means, or the errors
    per field. Every bad figure is named, not only the first."""
    raw = {f: (values.get(f) or "").strip() for f in ("deaths", "serious_injuries", "direct_loss_cny")}
    try:
        figures = services.clean_figures(raw)
    except ValidationError as exc:
        return None, exc.message_dict
    result = accident_grades.grade(figures.deaths, figures.serious_injuries, figures.direct_loss_cny)
    labels = accident_grades.rules().criteria_labels
    rule = accident_grades.rules().rule(result.grade)
    return {
        **result.as_dict(),
        "badge": GRADE_BADGES.get(result.grade, "text-bg-secondary"),
        "decided_by_labels": [labels.get(c, c) for c in result.decided_by],
        "text": rule.text,
        "chain": chain_offsets(result.grade),
        "figures": figures,
    }, {}


def _grade_context(values) -> dict:
    result, errors = grading_of(values)
    rules = accident_grades.rules()
    return {
        "result": result,
        "grade_errors": [m for ms in errors.values() for m in ms],
        "boundary_rule": rules.boundary_rule,
        "unit_to_county_hours": rules.unit_to_county_hours,
        "per_level_hours": rules.per_level_hours,
    }


@login_required
@require_http_methods(["GET", "HEAD"])
def grade_calculator(request):
    """Decree 493 as a calculator: the figures in the query string → the grade and its rules."""
    asked = any(request.GET.get(f, "").strip() for f in ("deaths", "serious_injuries", "direct_loss_cny"))
    context = _grade_context(request.GET) if asked else _grade_context({})
    status = 400 if context["grade_errors"] else 200
    if is_partial(request):
        response = render(request, "accidents/partials/grade_result.html", context, status=status)
    else:
        rules = accident_grades.rules()
        form = forms.GradeForm(request.GET if asked else None, auto_id="calc-%s")
        context.update(
            form=form,
            asked=asked,
            grades=[
                {
                    "rule": g,
                    "badge": GRADE_BADGES.get(g.code, "text-bg-secondary"),
                    "chain": chain_offsets(g.code),
                }
                for g in rules.grades
            ],
            report_days=rules.report_days,
            max_extension_days=rules.max_extension_days,
            supplementary_days=rules.supplementary_days,
            supplementary_days_by_kind=rules.supplementary_days_by_kind,
        )
        response = render(request, "accidents/grade.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


# -- the initial report ------------------------------------------------------------------------


def _pick(user, q: str) -> tuple[list, bool, list[str]]:
    """Enterprises in scope matching `q`, for the unit's select."""
    try:
        rows = list(
            enterprise_queries.enterprises(
                user, enterprise_queries.EnterpriseFilter(q=q or None)
            ).select_related("region__parent")[: PICK_LIMIT + 1]
        )
    except ValidationError as exc:
        return [], False, messages_of(exc)
    return rows[:PICK_LIMIT], len(rows) > PICK_LIMIT, []


def _picked(user, raw: str | None):
    """The enterprise named by `raw` if it is in the user's scope, else None (the form says so)."""
    if not raw or not str(raw).isdigit():
        return None
    return enterprise_queries.enterprises(user).select_related("region__parent").filter(pk=int(raw)).first()


def _service_data(form, fixed) -> dict:
    data = {field: form.cleaned_data[field] for field in (*TEXT_FIELDS, *forms.FIGURE_FIELDS)}
    data["occurred_at"] = form.cleaned_data["occurred_at"]
    data["known_at"] = form.cleaned_data["known_at"]
    data.update(form.coordinates())
    if fixed is None:
        data["enterprise_id"] = form.cleaned_data["enterprise"]
        data["unit_name"] = form.cleaned_data["unit_name"]
        data["region_code"] = form.cleaned_data["region_code"] or None
    return data


@login_required
@require_http_methods(["GET", "POST"])
def accident_report(request):
    user = request.user
    if not may(user, REPORTERS):
        raise PermissionDenied("您的角色无权报告事故")
    fixed = None
    if user.role == Role.ENTERPRISE:
        fixed = user.enterprise
        if fixed is None:
            raise PermissionDenied("您的账号没有绑定企业")
    q = request.GET.get("q", "").strip()[:100]
    enterprises, more, pick_errors = ([], False, []) if fixed else _pick(user, q)
    picked, raw = None, request.POST.get("enterprise") or request.GET.get("enterprise")
    if raw and fixed is not None and str(raw) != str(fixed.pk):
        raise Http404("企业不存在")  # an enterprise reports its own accidents only
    if raw and fixed is None:
        # Outside the scope is missing, as everywhere (404), not a choice to correct.
        picked = _picked(user, raw)
        if picked is None:
            raise Http404("企业不存在或不在您的管辖范围内")
        if all(e.pk != picked.pk for e in enterprises):
            enterprises.insert(0, picked)
    regions = [] if fixed else flat_choices(region_groups(user, counties_only=True))
    choices = {"enterprises": enterprises, "regions": regions, "fixed": fixed}
    if request.method == "GET" and request.GET.get("pick") and is_partial(request):
        # The unit search: only the select is swapped.
        form = forms.ReportForm(initial={"enterprise": request.GET.get("enterprise")}, **choices)
        return render(
            request,
            "accidents/partials/enterprise_select.html",
            {"form": form, "more": more, "pick_errors": pick_errors, "pick_limit": PICK_LIMIT, "q": q},
        )
    status = 200
    if request.method == "POST":
        form = forms.ReportForm(request.POST, **choices)
        form.order_fields(FIELD_ORDER)
        if form.is_valid():
            data = _service_data(form, fixed)
            if not form.errors:
                try:
                    with http_errors():
                        accident = services.report_accident(actor=user, data=data)
                except ValidationError as exc:
                    form.add_service_errors(exc)
                else:
                    messages.success(
                        request,
                        f"已报告事故，编号 {accident.number}；按国务院令第493号定为"
                        f"{accident.get_grade_display()}，报告链已生成",
                    )
                    return redirect("accidents:detail", pk=accident.pk)
        status = 422
        grading = _grade_context(request.POST)
    else:
        initial = {"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}
        if picked is not None:
            initial["enterprise"] = picked.pk
        form = forms.ReportForm(initial=initial, **choices)
        form.order_fields(FIELD_ORDER)
        grading = _grade_context({})
    form.mark_fields()
    return render(
        request,
        "accidents/report.html",
        {
            "form": form,
            "fixed": fixed,
            "q": q,
            "more": more,
            "pick_errors": pick_errors,
            "pick_limit": PICK_LIMIT,
            **grading,
        },
        status=status,
    )
