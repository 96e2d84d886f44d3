"""The live reporting board: the pending steps of the reporting chain in the user's scope, soonest
deadline first, with the time left or how long overdue (derived, never stored), refreshed by htmx
every 60 seconds; and the acknowledgement (确认接报) its buttons post to.

Imports from core, this app and `views.common`, `views.detail`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from benan.core import clock
from benan.core.pages import attempt, http_errors, is_partial, list_page, messages_of
from benan.core.scope import get_in_scope

from .. import forms, queries, services
from ..models import GOVERNMENT, ReportingStep
from .common import GRADE_BADGES, may, region_groups, region_param
from .detail import render_detail, step_row

REFRESH_SECONDS = 60


def _board_context(request, alert: str = "", failed: int | None = None) -> tuple[dict, int]:
    user = request.user
    params = {key: request.GET.get(key, "").strip() for key in ("region", "overdue")}
    overdue_only = params["overdue"] in ("1", "true", "on")
    context = {
        "params": params,
        "overdue_only": overdue_only,
        "filtered": any(params.values()),
        "rows": [],
        "page": None,
        "errors": [],
        "alert": alert,
        "failed": failed,
        "refresh_seconds": REFRESH_SECONDS,
        "now": clock.now(),
    }
    try:
        queryset = queries.board(
            user, region=region_param(params["region"]), overdue=True if overdue_only else None
        ).select_related("accident__region__parent", "office_region__parent")
        page = list_page(request, queryset)
    except ValidationError as exc:
        context["errors"] = messages_of(exc)
        return context, 400
    context["page"] = page
    context["rows"] = [
        {**step_row(s, user, context["now"]), "badge": GRADE_BADGES.get(s.accident.grade, "")}
        for s in page.items
    ]
    context["overdue_count"] = queries.board(user, overdue=True).count() if not overdue_only else page.count
    return context, 200


@login_required
def reporting_board(request):
    context, status = _board_context(request)
    if is_partial(request):
        response = render(request, "accidents/partials/board_table.html", context, status=status)
    else:
        context["region_groups"] = region_groups(request.user)
        response = render(request, "accidents/board.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def acknowledge_step(request, pk: int):
    user = request.user
    if not may(user, GOVERNMENT):
        raise PermissionDenied("您的角色无权确认接报")
    with http_errors():
        step = get_in_scope(ReportingStep.objects.select_related("accident", "office_region"), user, pk=pk)
    form = forms.AcknowledgeForm(request.POST, auto_id=f"ack{step.pk}-%s")
    status, alert = attempt(
        form, lambda: services.acknowledge(actor=user, step=step, note=form.cleaned_data["note"])
    )
    back = request.POST.get("next", "board")
    if not status:
        messages.success(request, f"已确认{step.get_level_display()}接报：{step.accident.number}")
        if back == "detail":
            return redirect(reverse("accidents:detail", args=[step.accident_id]) + "#chain")
        return redirect("accidents:board")
    if not alert:
        alert = "；".join(m for ms in form.errors.values() for m in ms)
    if back == "detail":
        accident = queries.get_accident(user, step.accident_id)
        return render_detail(request, accident, alert=alert, failed=f"step:{step.pk}", status=status)
    context, _ = _board_context(request, alert=alert, failed=step.pk)
    context["region_groups"] = region_groups(user)
    return render(request, "accidents/board.html", context, status=status)
