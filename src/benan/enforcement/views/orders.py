"""What follows from a case: the .docx documents (penalty decision, suspension order), the suspension
orders (list, lifting) and the criminal referrals (list, actions). A refused action re-renders the case
detail.

Imports from core, this app and `views.common`, `views.actions`, `views.cases`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from benan.core import errors as domain
from benan.core.pages import attempt, http_errors, messages_of
from benan.core.pages import list_page as _list_page
from benan.core.scope import get_in_scope

from .. import documents, forms, queries, services
from ..models import HEADS, CriminalReferral, ReferralState, SuspensionOrder, SuspensionState
from .actions import REFERRAL_ACTIONS, REFERRAL_DONE
from .cases import _render_detail
from .common import (
    _case_or_404,
    _docx,
    _may,
    _region,
    _region_groups,
    _verification_inspections,
    _year,
    _years,
)

# -- documents ---------------------------------------------------------------------------------


@login_required
def decision_document(request, pk: int):
    case = _case_or_404(request.user, pk)
    try:
        content = documents.penalty_decision(case)
    except domain.InvalidTransition as exc:
        return render(
            request,
            "enforcement/message.html",
            {"title": "行政处罚决定书", "message": exc.message, "case": case},
            status=409,
        )
    return _docx(content, f"penalty-decision-{case.number}.docx")


def _order_or_404(user, pk: int) -> SuspensionOrder:
    with http_errors():
        return get_in_scope(
            SuspensionOrder.objects.select_related("enterprise", "case", "region__parent"), user, pk=pk
        )


@login_required
def suspension_document(request, pk: int):
    order = _order_or_404(request.user, pk)
    return _docx(documents.suspension_order(order), f"suspension-order-{order.pk}.docx")


# -- suspension orders -------------------------------------------------------------------------


@login_required
def suspension_list(request):
    keys = ("state", "region", "year")
    params = {key: request.GET.get(key, "").strip() for key in keys}
    page, errors, status = None, [], 200
    try:
        page = _list_page(
            request,
            queries.suspensions(
                request.user,
                region=_region(params["region"]),
                year=_year(params["year"]),
                state=params["state"] or None,
            ).select_related("region__parent"),
        )
    except ValidationError as exc:
        errors, status = messages_of(exc), 400
    return render(
        request,
        "enforcement/suspension_list.html",
        {
            "page": page,
            "errors": errors,
            "params": params,
            "filtered": any(params.values()),
            "states": SuspensionState.choices,
            "region_groups": _region_groups(request.user),
            "years": _years(),
            "can_lift": _may(request.user, HEADS),
        },
        status=status,
    )


@login_required
@require_POST
def suspension_lift(request, pk: int):
    if not _may(request.user, HEADS):
        raise PermissionDenied("您的角色无权解除停产整顿")
    order = _order_or_404(request.user, pk)
    form = forms.LiftForm(
        request.POST,
        case=order.case,
        user=request.user,
        inspections=_verification_inspections(request.user, order),
        auto_id=f"lift{order.pk}-%s",
    )

    def run():
        data = form.cleaned_data
        services.lift_suspension(
            actor=request.user,
            order=order,
            inspection_id=int(data["inspection"]) if data["inspection"] else None,
            lifted_on=data["lifted_on"],
            comment=data["comment"],
        )

    status, alert = attempt(form, run)
    if not status:
        messages.success(request, f"已解除停产整顿（{order.number}）")
        return redirect("enforcement:detail", pk=order.case_id)
    form.mark_fields()
    key = f"lift:{order.pk}"
    case = _case_or_404(request.user, order.case_id)
    return _render_detail(request, case, bound={key: form}, alert=alert, failed=key, status=status)


# -- criminal referrals ------------------------------------------------------------------------


@login_required
def referral_list(request):
    keys = ("state", "region", "year")
    params = {key: request.GET.get(key, "").strip() for key in keys}
    today, now = timezone.localdate(), timezone.now()
    page, rows, errors, status = None, [], [], 200
    try:
        page = _list_page(
            request,
            queries.referrals(
                request.user,
                region=_region(params["region"]),
                year=_year(params["year"]),
                state=params["state"] or None,
            ),
        )
        rows = [
            {
                "referral": r,
                "decision_overdue": queries.referral_decision_overdue(r, today),
                "transfer_overdue": queries.referral_transfer_overdue(r, now),
                "feedback_overdue": r.state == ReferralState.TRANSFERRED
                and r.feedback_due is not None
                and today > r.feedback_due,
            }
            for r in page.items
        ]
    except ValidationError as exc:
        errors, status = messages_of(exc), 400
    return render(
        request,
        "enforcement/referral_list.html",
        {
            "page": page,
            "rows": rows,
            "errors": errors,
            "params": params,
            "filtered": any(params.values()),
            "states": ReferralState.choices,
            "region_groups": _region_groups(request.user),
            "years": _years(),
        },
        status=status,
    )


@login_required
@require_POST
def referral_action(request, pk: int, action: str):
    if action not in REFERRAL_ACTIONS:
        raise Http404("没有这个操作")
    label, form_class, roles, _ = REFERRAL_ACTIONS[action]
    if not _may(request.user, roles):
        raise PermissionDenied(f"您的角色无权执行“{label}”")
    with http_errors():
        referral = get_in_scope(CriminalReferral.objects.select_related("case"), request.user, pk=pk)
    form = form_class(
        request.POST, case=referral.case, user=request.user, auto_id=f"referral{referral.pk}-{action}-%s"
    )

    def run():
        data, actor = form.cleaned_data, request.user
        if action == "approve":
            services.approve_referral(actor=actor, referral=referral)
        elif action == "refuse":
            services.refuse_referral(actor=actor, referral=referral, reason=data["reason"])
        elif action == "transfer":
            services.transfer_referral(
                actor=actor, referral=referral, receiving_organ=data["receiving_organ"]
            )
        else:
            if data["accepted"] == "":
                raise ValidationError({"accepted": ["请选择公安机关的决定：立案或不予立案"]})
            services.record_referral_result(
                actor=actor,
                referral=referral,
                accepted=data["accepted"] == "1",
                result=data["result"],
                feedback_on=data["feedback_on"],
            )

    status, alert = attempt(form, run)
    if not status:
        messages.success(request, REFERRAL_DONE[action])
        return redirect(reverse("enforcement:detail", args=[referral.case_id]) + f"#referral-{referral.pk}")
    form.mark_fields()
    key = f"referral:{referral.pk}:{action}"
    case = _case_or_404(request.user, referral.case_id)
    return _render_detail(request, case, bound={key: form}, alert=alert, failed=key, status=status)
