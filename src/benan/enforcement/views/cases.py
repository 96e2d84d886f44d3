"""Case pages: the case list (htmx filters), opening a case, the case detail with one form per action,
and the dispatcher those forms post to.

Imports from core, enterprises, hazards, this app and `views.common`, `views.actions`, `views.history`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST

from benan.core.models import Role
from benan.core.pages import attempt, http_errors, is_partial, messages_of
from benan.core.pages import list_page as _list_page
from benan.enterprises import queries as enterprise_queries
from benan.hazards import queries as hazard_queries

from .. import forms, queries, rules, services
from ..models import (
    HEADS,
    OFFICERS,
    UNVERIFIED_REASONS,
    CaseState,
    EnforcementCase,
    Origin,
    ReferralState,
    SuspensionState,
)
from .actions import CASE_ACTIONS, PANEL_ORDER, REFERRAL_ACTIONS, _make_case_form, _referral_page_actions
from .common import (
    ORIGIN_CHOICES_LIMIT,
    _case_or_404,
    _flag,
    _ids,
    _int,
    _may,
    _region,
    _region_groups,
    _verification_inspections,
    _year,
    _years,
)
from .history import HISTORY_LIMIT, _deadlines, _history, _timeline

PICK_LIMIT = 200


# -- the case list -----------------------------------------------------------------------------

CASE_FILTER_KEYS = ("state", "region", "year", "origin", "dual_penalty", "overdue", "q", "enterprise")


def _case_filters(request) -> tuple[dict, queries.CaseFilter]:
    params = {key: request.GET.get(key, "").strip() for key in CASE_FILTER_KEYS}
    return params, queries.CaseFilter(
        state=params["state"] or None,
        region=_region(params["region"]),
        enterprise=_int(params["enterprise"], "enterprise", "企业编号"),
        origin=params["origin"] or None,
        year=_year(params["year"]),
        dual_penalty=_flag(params["dual_penalty"], "dual_penalty", "一案双罚"),
        overdue=_flag(params["overdue"], "overdue", "是否超过办案期限"),
        q=params["q"][:100] or None,
    )


@login_required
def case_list(request):
    today = timezone.localdate()
    context = {"params": {}, "filtered": False, "rows": [], "page": None, "errors": [], "enterprise": None}
    status = 200
    try:
        params, filters = _case_filters(request)
        context.update(params=params, filtered=any(params.values()))
        if filters.enterprise:
            context["enterprise"] = (
                enterprise_queries.enterprises(request.user).filter(pk=filters.enterprise).first()
            )
        queryset = queries.cases(request.user, filters, today=today).select_related(
            "enterprise", "region__parent"
        )
        page = _list_page(request, queryset)
        context["page"] = page
        context["rows"] = [{"case": c, "overdue": queries.case_overdue(c, today)} for c in page.items]
    except ValidationError as exc:
        context["errors"] = messages_of(exc)
        context["params"] = {key: request.GET.get(key, "") for key in CASE_FILTER_KEYS}
        status = 400
    if is_partial(request):
        response = render(request, "enforcement/partials/case_table.html", context, status=status)
    else:
        context.update(
            region_groups=_region_groups(request.user),
            states=CaseState.choices,
            origins=Origin.choices,
            years=_years(),
            can_open=_may(request.user, OFFICERS),
        )
        response = render(request, "enforcement/case_list.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


# -- opening a case ----------------------------------------------------------------------------


def _pick(request):
    q = request.GET.get("q", "").strip()[:100]
    try:
        rows = list(
            enterprise_queries.enterprises(
                request.user, enterprise_queries.EnterpriseFilter(q=q or None)
            ).select_related("region__parent")[: PICK_LIMIT + 1]
        )
        errors = []
    except ValidationError as exc:
        rows, errors = [], messages_of(exc)
    return render(
        request,
        "enforcement/case_pick.html",
        {
            "enterprises": rows[:PICK_LIMIT],
            "more": len(rows) > PICK_LIMIT,
            "errors": errors,
            "q": q,
            "pick_limit": PICK_LIMIT,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request):
    user = request.user
    if not _may(user, OFFICERS):
        raise PermissionDenied("您的角色无权立案")
    picked = request.POST.get("enterprise") or request.GET.get("enterprise")
    if not picked:
        return _pick(request)
    try:
        picked = int(picked)
    except ValueError:
        raise Http404("企业不存在") from None
    with http_errors():
        enterprise = enterprise_queries.get_enterprise(user, picked)
    inspections = list(hazard_queries.inspections(user, enterprise=enterprise.pk)[:ORIGIN_CHOICES_LIMIT])
    hazards = list(
        hazard_queries.hazards(user, hazard_queries.HazardFilter(enterprise=enterprise.pk))[
            :ORIGIN_CHOICES_LIMIT
        ]
    )
    candidates = queries.officer_candidates(enterprise.region_id)
    choices = {"inspections": inspections, "hazards": hazards, "officers": candidates}
    status = 200
    if request.method == "POST":
        form = forms.CaseForm(request.POST, user=user, **choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with http_errors():
                    case = services.open_case(
                        actor=user,
                        enterprise=enterprise,
                        cause=data["cause"],
                        facts=data["facts"],
                        origin=data["origin"],
                        officer_ids=_ids(data["officers"]),
                        inspection_id=int(data["inspection"]) if data["inspection"] else None,
                        hazard_ids=_ids(data["hazards"]),
                        origin_ref=data["origin_ref"],
                        opened_on=data["opened_on"],
                    )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, f"已立案，案号 {case.number}")
                return redirect("enforcement:detail", pk=case.pk)
        status = 422
    else:
        initial = {"origin": Origin.DIRECT, "opened_on": timezone.localdate()}
        # Linked from an inspection (?inspection=) or hazards (?hazard=): preselect the origin.
        inspection = request.GET.get("inspection", "")
        hazard_ids = request.GET.getlist("hazard")
        if inspection:
            initial.update(origin=Origin.INSPECTION, inspection=inspection)
        elif hazard_ids:
            initial.update(origin=Origin.HAZARDS, hazards=hazard_ids)
        if user.role in (Role.INSPECTOR, Role.SAFETY_OFFICE) and any(u.pk == user.pk for u in candidates):
            initial["officers"] = [str(user.pk)]
        form = forms.CaseForm(initial=initial, user=user, **choices)
    form.mark_fields()
    return render(
        request,
        "enforcement/case_form.html",
        {
            "form": form,
            "enterprise": enterprise,
            "min_officers": rules.current().min_officers,
            "decision_days": rules.current().decision_days,
        },
        status=status,
    )


# -- the case detail and its actions -----------------------------------------------------------


def _detail_context(
    request, case: EnforcementCase, bound: dict | None = None, alert: str = "", failed: str = ""
) -> dict:
    user = request.user
    today = timezone.localdate()
    now = timezone.now()
    bound = bound or {}
    actions = queries.case_actions(case, user)
    if "hearing" in actions and not (case.hearing_requested and case.hearing_held_on is None):
        # The loop offers it in every 告知 state; a hearing is held only when one was requested.
        actions.remove("hearing")
    panels = []
    for action in PANEL_ORDER:
        key = f"case:{action}"
        if action not in actions and key not in bound:
            continue
        if action == "decide":
            panels.append(
                {
                    "action": "decide",
                    "label": "作出处罚决定",
                    "link": reverse("enforcement:decide", args=[case.pk]),
                }
            )
            continue
        spec = CASE_ACTIONS[action]
        panels.append(
            {
                "action": action,
                "key": key,
                "dom": f"action-{action}",
                "label": spec.label,
                "form": bound.get(key) or _make_case_form(action, request, case),
                "url": reverse("enforcement:action", args=[case.pk, action]),
                "button": spec.button,
                "hint": spec.hint,
            }
        )
    suspensions = []
    for order in case.suspensions.select_related("verification", "lifted_by", "ordered_by"):
        key = f"lift:{order.pk}"
        form = bound.get(key)
        if form is None and order.state == SuspensionState.IN_FORCE and _may(user, HEADS):
            form = forms.LiftForm(
                case=case,
                user=user,
                inspections=_verification_inspections(user, order),
                auto_id=f"lift{order.pk}-%s",
            )
        suspensions.append({"order": order, "form": form, "key": key})
    referrals = []
    for referral in queries.referrals_of(case, user).select_related("decided_by"):
        referral_forms = []
        names = _referral_page_actions(referral, user)
        for name in REFERRAL_ACTIONS:
            key = f"referral:{referral.pk}:{name}"
            if name not in names and key not in bound:
                continue
            label, form_class, _, button = REFERRAL_ACTIONS[name]
            referral_forms.append(
                {
                    "action": name,
                    "key": key,
                    "dom": f"referral-{referral.pk}-{name}",
                    "label": label,
                    "button": button,
                    "form": bound.get(key)
                    or form_class(case=case, user=user, auto_id=f"referral{referral.pk}-{name}-%s"),
                    "url": reverse("enforcement:referral_action", args=[referral.pk, name]),
                }
            )
        referrals.append(
            {
                "referral": referral,
                "decision_overdue": queries.referral_decision_overdue(referral, today),
                "transfer_overdue": queries.referral_transfer_overdue(referral, now),
                "feedback_overdue": referral.state == ReferralState.TRANSFERRED
                and referral.feedback_due is not None
                and today > referral.feedback_due,
                "forms": referral_forms,
            }
        )
    history = _history(case, user)
    penalties = list(case.penalties.all())
    return {
        "case": case,
        "today": today,
        "overdue": queries.case_overdue(case, today),
        "timeline": _timeline(case, history),
        "deadlines": _deadlines(case, today),
        "officers": list(case.officers.select_related("region__parent").order_by("username")),
        "evidence": list(case.evidence.order_by("id")),
        "hazards": list(case.hazards.order_by("id")),
        "penalties": penalties,
        "suspensions": suspensions,
        "referrals": referrals,
        "blacklist_entries": [
            {
                "entry": e,
                "active": queries.blacklist_active(e, today),
                "verified": e.reason_kind not in UNVERIFIED_REASONS,
            }
            for e in case.blacklist_entries.all()
        ],
        "panels": panels,
        "history": history,
        "history_limit": HISTORY_LIMIT,
        "alert": alert,
        "failed": failed,
    }


def _render_detail(request, case, *, bound=None, alert="", failed="", status=200):
    case.refresh_from_db()
    context = _detail_context(request, case, bound, alert, failed)
    return render(request, "enforcement/case_detail.html", context, status=status)


@login_required
def case_detail(request, pk: int):
    case = _case_or_404(request.user, pk)
    return render(request, "enforcement/case_detail.html", _detail_context(request, case))


@login_required
@require_POST
def case_action(request, pk: int, action: str):
    spec = CASE_ACTIONS.get(action)
    if spec is None:
        raise Http404("没有这个操作")
    if not _may(request.user, spec.roles):
        raise PermissionDenied(f"您的角色无权执行“{spec.label}”")
    case = _case_or_404(request.user, pk)
    form = _make_case_form(action, request, case, request.POST, request.FILES)
    status, alert = attempt(form, lambda: spec.run(request, case, form))
    if not status:
        messages.success(request, spec.done)
        return redirect("enforcement:detail", pk=case.pk)
    form.mark_fields()
    key = f"case:{action}"
    return _render_detail(request, case, bound={key: form}, alert=alert, failed=key, status=status)
