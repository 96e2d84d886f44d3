"""Enforcement pages: the case list (htmx filters), opening a case, the case detail with one form
per action, the decision with its penalty lines, the .docx documents, suspension orders, criminal
referrals, the published blacklist (no login) and its management, and the statistics.

Thin views: reads through `queries` (and `get_in_scope`), writes through `services`; a missing or
out-of-scope object is 404, a refused role 403, a refused move (InvalidTransition) an alert with
status 409, bad input the form's errors (422). Imports from core, enterprises, hazards and this app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from benan.core import attachments
from benan.core import errors as domain
from benan.core.models import GOVERNMENT_ROLES, Region, RegionLevel, Role
from benan.core.pages import http_errors, is_partial, messages_of, page_number
from benan.core.pagination import paginate
from benan.core.scope import get_in_scope, region_in_scope
from benan.enterprises import queries as enterprise_queries
from benan.enterprises.forms import grouped_regions, scope_regions
from benan.hazards import queries as hazard_queries
from benan.hazards.models import Source

from . import documents, forms, queries, rules, services
from .models import (
    HEADS,
    OFFICERS,
    UNVERIFIED_REASONS,
    BlacklistEntry,
    BlacklistState,
    CaseState,
    CriminalReferral,
    EnforcementCase,
    Origin,
    Party,
    PenaltyKind,
    ReferralCategory,
    ReferralState,
    SuspensionOrder,
    SuspensionState,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HISTORY_LIMIT = 200
PICK_LIMIT = 200
# Choices offered when opening a case: the enterprise's latest inspections and open hazards.
ORIGIN_CHOICES_LIMIT = 50

# The steps of a case in order, for the timeline.
STEPS = [
    (CaseState.OPENED, "立案"),
    (CaseState.INVESTIGATING, "调查取证"),
    (CaseState.NOTIFIED, "告知"),
    (CaseState.DECIDED, "决定"),
    (CaseState.EXECUTED, "执行"),
    (CaseState.CLOSED, "结案"),
]
STEP_INDEX = {state: n for n, (state, _) in enumerate(STEPS)}


# -- helpers -----------------------------------------------------------------------------------


def _may(user, roles: frozenset) -> bool:
    return user.is_admin or user.role in roles


def _is_government(user) -> bool:
    return user.is_admin or user.role in GOVERNMENT_ROLES


def _flag(raw: str, field: str, label: str) -> bool | None:
    if raw == "":
        return None
    if raw in ("1", "true", "yes"):
        return True
    if raw in ("0", "false", "no"):
        return False
    raise ValidationError({field: [f"{label}“{raw}”不是可选值，可选：是(1)、否(0)"]})


def _year(raw: str) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationError({"year": [f"年份“{raw}”不是整数"]}) from None


def _int(raw: str, field: str, label: str) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationError({field: [f"{label}“{raw}”不是整数"]}) from None


def _region(raw: str) -> str | None:
    if raw and len(raw) != 6:
        raise ValidationError({"region": [f"行政区划代码“{raw}”不存在"]})
    return raw or None


def _years() -> list[int]:
    this = timezone.localdate().year
    return list(range(this, this - 6, -1))


def _region_groups(user):
    return grouped_regions(scope_regions(user), counties_only=False)


def _list_page(request, queryset):
    """Page `?page=` of `queryset`; a page past the end shows the last one."""
    page = paginate(queryset, page=page_number(request.GET.get("page")))
    if not page.items and page.number > page.pages:
        page = paginate(queryset, page=page.pages)
    return page


def _case_or_404(user, pk: int) -> EnforcementCase:
    with http_errors():
        return queries.case_detail(user, pk)


def _docx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _verification_inspections(user, order: SuspensionOrder) -> list:
    """Department inspections of the order's enterprise since it started: the possible 复查."""
    return list(
        hazard_queries.inspections(user, enterprise=order.enterprise_id)
        .exclude(source=Source.SELF)
        .filter(date__gte=order.start_date)[:ORIGIN_CHOICES_LIMIT]
    )


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


def _ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


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


@dataclass(frozen=True)
class Action:
    label: str
    form: type
    run: Callable  # (request, case, form) -> None; a service call
    done: str
    roles: frozenset = OFFICERS
    button: str = "btn-primary"
    hint: str = ""


def _run_officers(request, case, form):
    services.assign_officers(actor=request.user, case=case, officer_ids=_ids(form.cleaned_data["officers"]))


def _run_evidence(request, case, form):
    ids = []
    for upload in form.cleaned_data["files"]:
        try:
            ids.append(attachments.store(actor=request.user, upload=upload).pk)
        except ValidationError as exc:
            raise ValidationError({"files": [f"{upload.name}：{m}" for m in messages_of(exc)]}) from exc
    services.add_evidence(actor=request.user, case=case, attachment_ids=ids)


def _run_notify(request, case, form):
    data = form.cleaned_data
    services.notify(
        actor=request.user,
        case=case,
        proposal=data["proposal"],
        notified_on=data["notified_on"],
        proposed_kinds=data["proposed_kinds"],
        proposed_fine_cny=data["proposed_fine"] or None,
    )


def _run_statement(request, case, form):
    data = form.cleaned_data
    services.record_statement(
        actor=request.user,
        case=case,
        statement=data["statement"],
        waived=data["waived"],
        hearing_requested=data["hearing_requested"],
        statement_on=data["statement_on"],
    )


def _run_execute(request, case, form):
    data = form.cleaned_data
    services.execute(
        actor=request.user,
        case=case,
        execution=data["execution"],
        paid_cny=data["paid_cny"] or None,
        executed_on=data["executed_on"],
    )


def _run_suspend(request, case, form):
    data = form.cleaned_data
    services.order_suspension(
        actor=request.user,
        case=case,
        start_date=data["start_date"],
        scope=data["scope"],
        lifting_conditions=data["lifting_conditions"],
    )


def _service(function, **fields):
    """A run step calling `function(actor=..., case=..., <argument>=<cleaned field>, ...)`."""

    def run(request, case, form):
        function(actor=request.user, case=case, **{arg: form.cleaned_data[f] for arg, f in fields.items()})

    return run


CASE_ACTIONS: dict[str, Action] = {
    "investigate": Action(
        "开始调查取证",
        forms.InvestigateForm,
        _service(services.investigate),
        "已开始调查取证",
        hint="执法人员不得少于规定人数。",
    ),
    "officers": Action(
        "指派执法人员", forms.OfficersForm, _run_officers, "已更新执法人员", button="btn-outline-primary"
    ),
    "evidence": Action(
        "上传证据材料", forms.EvidenceForm, _run_evidence, "已添加证据材料", button="btn-outline-primary"
    ),
    "notify": Action(
        "告知",
        forms.NotifyForm,
        _run_notify,
        "已告知当事人拟处罚内容及其权利",
        hint="告知后当事人有陈述申辩的权利；责令停产停业、吊销许可证、关闭或较大数额罚款的，还有申请听证的权利。",
    ),
    # The party may state its case itself, online (the loop lets the enterprise user do it).
    "statement": Action(
        "记录陈述申辩",
        forms.StatementForm,
        _run_statement,
        "已记录当事人的陈述申辩",
        roles=OFFICERS | {Role.ENTERPRISE},
        button="btn-outline-primary",
    ),
    "hearing": Action(
        "记录听证",
        forms.HearingForm,
        _service(services.record_hearing, record="record", held_on="held_on"),
        "已记录听证情况",
        button="btn-outline-primary",
    ),
    "execute": Action("执行", forms.ExecuteForm, _run_execute, "已记录执行情况"),
    "close": Action(
        "结案", forms.CloseForm, _service(services.close, report="report"), "已结案", button="btn-success"
    ),
    "suspend": Action(
        "责令停产停业整顿", forms.SuspendForm, _run_suspend, "已下达责令停产停业整顿指令", button="btn-danger"
    ),
    "refer": Action(
        "涉嫌犯罪案件移送",
        forms.ReferForm,
        _service(services.refer, category="category", report="report"),
        "已提出移送，等待负责人审批",
        button="btn-outline-danger",
    ),
    "blacklist": Action(
        "列入严重失信主体名单",
        forms.BlacklistForm,
        _service(services.blacklist, reason_kind="reason_kind", reason="reason", entry_date="entry_date"),
        "已列入严重失信主体名单",
        roles=HEADS,
        button="btn-outline-danger",
    ),
    "withdraw": Action(
        "撤销案件",
        forms.WithdrawForm,
        _service(services.withdraw, reason="reason"),
        "案件已撤销",
        roles=HEADS,
        button="btn-outline-danger",
    ),
}
# The order of the panels on the page; "decide" is its own page.
PANEL_ORDER = [
    "investigate",
    "officers",
    "evidence",
    "notify",
    "statement",
    "hearing",
    "decide",
    "execute",
    "close",
    "suspend",
    "refer",
    "blacklist",
    "withdraw",
]


def _make_case_form(action: str, request, case, data=None, files=None):
    form_class = CASE_ACTIONS[action].form
    # Several forms share the page: each gets its own element ids.
    kwargs = {"case": case, "user": request.user, "auto_id": f"{action}-%s"}
    if form_class is forms.OfficersForm:
        kwargs["candidates"] = queries.officer_candidates(case.region_id)
    return form_class(data, files, **kwargs)


# Referral actions as the page names them; "result" is the loop's accepted / declined.
REFERRAL_ACTIONS = {
    "approve": ("批准移送", forms.ApproveReferralForm, HEADS, "btn-success"),
    "refuse": ("不予移送", forms.RefuseReferralForm, HEADS, "btn-outline-danger"),
    "transfer": ("移送公安机关", forms.TransferReferralForm, OFFICERS, "btn-primary"),
    "result": ("登记公安机关处理结果", forms.ReferralResultForm, OFFICERS, "btn-primary"),
}
REFERRAL_DONE = {
    "approve": "已批准移送，须在规定时限内移送公安机关",
    "refuse": "已决定不予移送",
    "transfer": "已移送公安机关",
    "result": "已登记公安机关的处理结果",
}


def _referral_page_actions(referral: CriminalReferral, user) -> list[str]:
    loop_actions = {t.action for t in CriminalReferral.LOOP.available(referral, user)}
    page = [a for a in ("approve", "refuse", "transfer") if a in loop_actions]
    if loop_actions & {"accepted", "declined"}:
        page.append("result")
    return page


BLACKLIST_ACTIONS = {
    "apply_exit": ("申请提前移出", forms.ApplyExitForm, OFFICERS | {Role.ENTERPRISE}, "btn-outline-primary"),
    "approve_exit": ("同意提前移出", forms.ExitCommentForm, HEADS, "btn-success"),
    "reject_exit": ("驳回移出申请", forms.ExitCommentForm, HEADS, "btn-outline-danger"),
}
BLACKLIST_DONE = {
    "apply_exit": "已提交提前移出申请",
    "approve_exit": "已同意提前移出",
    "reject_exit": "已驳回提前移出申请",
}


def _blacklist_page_actions(entry: BlacklistEntry, user) -> list[str]:
    return [t.action for t in BlacklistEntry.LOOP.available(entry, user) if t.action in BLACKLIST_ACTIONS]


# -- history -----------------------------------------------------------------------------------

HISTORY_LABELS = {
    "enforcement.enforcementcase.opened": "立案",
    "enforcement.enforcementcase.officers_assigned": "指派执法人员",
    "enforcement.enforcementcase.evidence_added": "添加证据材料",
    "enforcement.enforcementcase.investigate": "开始调查取证",
    "enforcement.enforcementcase.notify": "告知",
    "enforcement.enforcementcase.statement": "记录陈述申辩",
    "enforcement.enforcementcase.hearing": "记录听证",
    "enforcement.enforcementcase.decide": "作出处罚决定",
    "enforcement.enforcementcase.execute": "执行",
    "enforcement.enforcementcase.close": "结案",
    "enforcement.enforcementcase.withdraw": "撤销案件",
    "enforcement.suspensionorder.ordered": "责令停产停业整顿",
    "enforcement.suspensionorder.lift": "解除停产整顿",
    "enforcement.criminalreferral.reported": "提出涉嫌犯罪案件移送",
    "enforcement.criminalreferral.approve": "批准移送",
    "enforcement.criminalreferral.refuse": "不予移送",
    "enforcement.criminalreferral.transfer": "移送公安机关",
    "enforcement.criminalreferral.accepted": "公安已立案",
    "enforcement.criminalreferral.declined": "公安不予立案",
    "enforcement.blacklistentry.listed": "列入严重失信主体名单",
    "enforcement.blacklistentry.apply_exit": "申请提前移出",
    "enforcement.blacklistentry.approve_exit": "同意提前移出",
    "enforcement.blacklistentry.reject_exit": "驳回移出申请",
    "enforcement.blacklistentry.expire": "期满移出",
}
KIND_LABELS = dict(PenaltyKind.choices)
PARTY_LABELS = dict(Party.choices)
CATEGORY_LABELS = dict(ReferralCategory.choices)
ORIGIN_LABELS = dict(Origin.choices)


def _summary(entry) -> str:
    """A one-line Chinese summary of an enforcement audit entry's data."""
    data = entry.data or {}
    action = entry.action.rsplit(".", 1)[-1]
    model = entry.action.split(".")[1] if entry.action.count(".") >= 2 else ""
    if action == "opened":
        origin = ORIGIN_LABELS.get(data.get("origin"), data.get("origin", ""))
        return f"案号 {data.get('number', '')}；来源：{origin}；案由：{data.get('cause', '')}"
    if action == "officers_assigned":
        officers = data.get("officers") or [[], []]
        return f"执法人员 {len(officers[-1])} 名"
    if action == "evidence_added":
        return "、".join(data.get("names") or [])
    if action == "notify":
        text = f"告知日期 {data.get('notified_on', '')}；{data.get('proposal', '')}"
        return text + ("；享有听证权利" if data.get("hearing_right") else "")
    if action == "statement":
        text = "当事人放弃陈述申辩" if data.get("waived") else f"陈述申辩：{data.get('statement', '')}"
        return text + ("；申请听证" if data.get("hearing_requested") else "")
    if action == "hearing":
        return f"{data.get('held_on', '')} {data.get('record', '')}"
    if action == "decide":
        lines = data.get("penalties") or []
        parts = [
            f"{line.get('person_name') or PARTY_LABELS.get(line.get('party'), '')}"
            f"{KIND_LABELS.get(line.get('kind'), line.get('kind', ''))}"
            + (f" {line['amount']} 元" if line.get("amount") else "")
            for line in lines
        ]
        return f"{data.get('decision_number', '')}：" + "；".join(parts)
    if action == "execute":
        paid = data.get("paid_cny")
        return data.get("execution", "") + (f"（已缴 {paid} 元）" if paid is not None else "")
    if action == "close":
        return data.get("report", "")
    if action in ("withdraw", "refuse"):
        return f"理由：{data.get('reason', '')}"
    if model == "suspensionorder" and action == "ordered":
        return f"{data.get('number', '')}，自 {data.get('start_date', '')} 起；范围：{data.get('scope', '')}"
    if action == "lift":
        return f"恢复生产日期 {data.get('lifted_on', '')}；{data.get('comment', '')}"
    if action == "reported":
        return CATEGORY_LABELS.get(data.get("category"), data.get("category", ""))
    if action == "transfer":
        return f"接收机关：{data.get('receiving_organ', '')}"
    if action in ("accepted", "declined"):
        return data.get("result", "")
    if action == "listed":
        return (
            f"{data.get('reason', '')}（{data.get('entry_date', '')} 至 {data.get('planned_exit_date', '')}）"
        )
    if action == "apply_exit":
        return data.get("application", "")
    if action in ("approve_exit", "reject_exit"):
        return data.get("comment", "")
    return ""


def _history(case: EnforcementCase, user) -> list[dict]:
    entries = list(queries.history(case, user))
    return [
        {"entry": e, "label": HISTORY_LABELS.get(e.action, e.action), "summary": _summary(e)}
        for e in reversed(entries[-HISTORY_LIMIT:])
    ]


def _timeline(case: EnforcementCase, history: list[dict]) -> list[dict]:
    """The steps with done / current flags; a withdrawn case shows how far it had come."""
    if case.state == CaseState.WITHDRAWN:
        withdrawn_from = next(
            (
                row["entry"].data.get("from_state")
                for row in history
                if row["entry"].action == "enforcement.enforcementcase.withdraw"
            ),
            CaseState.OPENED,
        )
        reached = STEP_INDEX.get(withdrawn_from, 0)
        steps = [
            {"label": label, "done": n <= reached, "current": False} for n, (_, label) in enumerate(STEPS)
        ][: reached + 1]
        return [*steps, {"label": "已撤销", "done": True, "current": True, "withdrawn": True}]
    at = STEP_INDEX[case.state]
    return [
        {"label": label, "done": n < at or case.state == CaseState.CLOSED, "current": n == at}
        for n, (_, label) in enumerate(STEPS)
    ]


def _deadlines(case: EnforcementCase, today: date) -> list[dict]:
    rows = [
        {
            "label": "办案期限",
            "due": case.decision_due,
            "overdue": queries.case_overdue(case, today),
            "note": "立案之日起作出处罚决定的期限",
        }
    ]
    answered = case.statement_on is not None
    if case.statement_due:
        rows.append(
            {
                "label": "陈述申辩期限",
                "due": case.statement_due,
                "overdue": False,
                "passed": not answered and today > case.statement_due,
                "note": "已记录当事人意见" if answered else "",
            }
        )
    if case.hearing_due:
        rows.append(
            {
                "label": "听证申请期限",
                "due": case.hearing_due,
                "overdue": False,
                "passed": today > case.hearing_due,
                "note": "当事人已申请听证" if case.hearing_requested else "",
            }
        )
    if case.payment_due:
        rows.append(
            {
                "label": "缴款期限",
                "due": case.payment_due,
                "overdue": case.state == CaseState.DECIDED and today > case.payment_due,
                "note": "",
            }
        )
    return rows


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


def _attempt(form, run) -> tuple[int, str]:
    """Run a service step for a valid form: (0, "") when done, else the status and the alert.
    One transaction: files stored for a move that is then refused are rolled back with it."""
    if not form.is_valid():
        return 422, ""
    try:
        with http_errors(), transaction.atomic():
            run()
    except ValidationError as exc:
        form.add_service_errors(exc)
        return 422, ""
    except domain.InvalidTransition as exc:
        return 409, exc.message
    return 0, ""


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
    status, alert = _attempt(form, lambda: spec.run(request, case, form))
    if not status:
        messages.success(request, spec.done)
        return redirect("enforcement:detail", pk=case.pk)
    form.mark_fields()
    key = f"case:{action}"
    return _render_detail(request, case, bound={key: form}, alert=alert, failed=key, status=status)


# -- the decision ------------------------------------------------------------------------------

INITIAL_LINES = [
    {"party": Party.UNIT, "kind": PenaltyKind.FINE},
    {"party": Party.PERSON, "kind": PenaltyKind.FINE},
]


def _kept_lines(formset) -> list:
    """The lines to decide: those filled in and not marked for removal, in page order."""
    kept = []
    for form in formset.forms:
        if not form.has_changed() or not hasattr(form, "cleaned_data"):
            continue
        if form.cleaned_data.get("DELETE"):
            continue
        kept.append(form)
    return kept


def _is_dual(lines: list[dict]) -> bool:
    fined = {line.get("party") for line in lines if line.get("kind") == PenaltyKind.FINE}
    return {Party.UNIT, Party.PERSON} <= fined


def _put_line_errors(exc: ValidationError, kept: list, formset, decision_form) -> None:
    """Put `penalties[2].amount`-style errors on the second kept line's amount field."""
    general = []
    for key, errors in exc.message_dict.items():
        if key.startswith("penalties[") and "]." in key:
            number, field = key[len("penalties[") :].split("].", 1)
            line = kept[int(number) - 1] if number.isdigit() and 0 < int(number) <= len(kept) else None
            if line is not None:
                for message in errors:
                    line.add_error(field if field in line.fields else None, message)
                continue
        if key in decision_form.fields:
            for message in errors:
                decision_form.add_error(key, message)
        else:
            general.extend(errors)
    formset.line_errors = general


@login_required
@require_http_methods(["GET", "POST"])
def case_decide(request, pk: int):
    user = request.user
    if not _may(user, OFFICERS):
        raise PermissionDenied("您的角色无权作出处罚决定")
    case = _case_or_404(user, pk)
    alert, status = "", 200
    if request.method == "POST":
        data = request.POST.copy()
        adding = "add_line" in data
        checking = adding or "preview" in data  # re-render only: nothing is decided
        if adding:
            total = data.get("penalties-TOTAL_FORMS", "")
            if total.isdigit():  # anything else: the formset reports its broken management data
                data["penalties-TOTAL_FORMS"] = str(min(int(total) + 1, forms.MAX_LINES))
        formset = forms.PenaltyFormSet(data, prefix="penalties", initial=INITIAL_LINES)
        decision_form = forms.DecisionForm(data)
        formset.line_errors = []
        valid = formset.is_valid() and decision_form.is_valid()
        kept = _kept_lines(formset) if valid else []
        if checking:
            pass
        elif valid:
            lines = [
                services.PenaltyIn(
                    party=f.cleaned_data["party"],
                    kind=f.cleaned_data["kind"],
                    basis=f.cleaned_data["basis"],
                    amount=f.cleaned_data["amount"] or None,
                    person_name=f.cleaned_data["person_name"],
                    person_position=f.cleaned_data["person_position"],
                )
                for f in kept
            ]
            try:
                with http_errors():
                    services.decide(
                        actor=user,
                        case=case,
                        penalties=lines,
                        decision_number=decision_form.cleaned_data["decision_number"],
                    )
            except ValidationError as exc:
                _put_line_errors(exc, kept, formset, decision_form)
                status = 422
            except domain.InvalidTransition as exc:
                alert, status = exc.message, 409
            else:
                case.refresh_from_db()
                messages.success(
                    request,
                    f"已作出处罚决定 {case.decision_number}" + ("（一案双罚）" if case.dual_penalty else ""),
                )
                return redirect("enforcement:detail", pk=case.pk)
        else:
            status = 422
        preview = [
            {"party": f.cleaned_data.get("party"), "kind": f.cleaned_data.get("kind")}
            for f in (kept if valid else [])
        ]
    else:
        formset = forms.PenaltyFormSet(prefix="penalties", initial=INITIAL_LINES)
        formset.line_errors = []
        decision_form = forms.DecisionForm()
        preview = []
        if "decide" not in queries.case_actions(case, user):
            alert, status = (
                f"案件当前“{case.get_state_display()}”，不能作出处罚决定；告知当事人后才能作出决定。",
                409,
            )
    for form in formset.forms:
        form.mark_fields()
    decision_form.mark_fields()
    bases = list(rules.current().legal_bases.values())
    return render(
        request,
        "enforcement/decide.html",
        {
            "case": case,
            "formset": formset,
            "decision_form": decision_form,
            "dual": _is_dual(preview),
            "previewed": bool(preview),
            "alert": alert,
            "can_decide": "decide" in queries.case_actions(case, user),
            "bases": bases,
            "has_errors": status == 422,
            "max_lines": forms.MAX_LINES,
        },
        status=status,
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

    status, alert = _attempt(form, run)
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

    status, alert = _attempt(form, run)
    if not status:
        messages.success(request, REFERRAL_DONE[action])
        return redirect(reverse("enforcement:detail", args=[referral.case_id]) + f"#referral-{referral.pk}")
    form.mark_fields()
    key = f"referral:{referral.pk}:{action}"
    case = _case_or_404(request.user, referral.case_id)
    return _render_detail(request, case, bound={key: form}, alert=alert, failed=key, status=status)


# -- the blacklist -----------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def public_blacklist(request):
    """The published list: everyone may read it, logged in or not; only what is public."""
    q = request.GET.get("q", "").strip()[:100]
    r = rules.current()
    page, errors, status = None, [], 200
    try:
        page = _list_page(request, queries.public_blacklist(q=q or None))
    except ValidationError as exc:
        errors, status = messages_of(exc), 400
    return render(
        request,
        "enforcement/public_blacklist.html",
        {
            "page": page,
            "q": q,
            "errors": errors,
            "years": r.blacklist_years,
            "early_exit_months": r.blacklist_early_exit_months,
            "rules_verified": r.blacklist_verified,
            "unverified_reasons": {str(k) for k in UNVERIFIED_REASONS},
        },
        status=status,
    )


def _blacklist_context(request, bound: dict | None = None, alert: str = "", failed: str = "") -> dict:
    keys = ("region", "year", "active")
    params = {key: request.GET.get(key, "").strip() for key in keys}
    today = timezone.localdate()
    bound = bound or {}
    page, rows, errors = None, [], []
    try:
        page = _list_page(
            request,
            queries.blacklist_entries(
                request.user,
                region=_region(params["region"]),
                year=_year(params["year"]),
                active=_flag(params["active"], "active", "是否在名单内"),
                today=today,
            ).select_related("region__parent"),
        )
    except ValidationError as exc:
        errors = messages_of(exc)
    else:
        for entry in page.items:
            entry_forms = []
            names = _blacklist_page_actions(entry, request.user)
            for name, (label, form_class, _, button) in BLACKLIST_ACTIONS.items():
                key = f"blacklist:{entry.pk}:{name}"
                if name not in names and key not in bound:
                    continue
                entry_forms.append(
                    {
                        "action": name,
                        "key": key,
                        "dom": f"entry-{entry.pk}-{name}",
                        "label": label,
                        "button": button,
                        "form": bound.get(key)
                        or form_class(user=request.user, auto_id=f"entry{entry.pk}-{name}-%s"),
                        "url": reverse("enforcement:blacklist_action", args=[entry.pk, name]),
                    }
                )
            rows.append(
                {
                    "entry": entry,
                    "active": queries.blacklist_active(entry, today),
                    "verified": entry.reason_kind not in UNVERIFIED_REASONS,
                    "forms": entry_forms,
                }
            )
    return {
        "page": page,
        "rows": rows,
        "errors": errors,
        "params": params,
        "filtered": any(params.values()),
        "region_groups": _region_groups(request.user),
        "years": _years(),
        "alert": alert,
        "failed": failed,
        "states": BlacklistState.choices,
        "early_exit_months": rules.current().blacklist_early_exit_months,
    }


@login_required
def blacklist_manage(request):
    context = _blacklist_context(request)
    return render(
        request, "enforcement/blacklist_manage.html", context, status=400 if context["errors"] else 200
    )


@login_required
@require_POST
def blacklist_action(request, pk: int, action: str):
    if action not in BLACKLIST_ACTIONS:
        raise Http404("没有这个操作")
    label, form_class, roles, _ = BLACKLIST_ACTIONS[action]
    if not _may(request.user, roles):
        raise PermissionDenied(f"您的角色无权执行“{label}”")
    with http_errors():
        entry = get_in_scope(BlacklistEntry.objects.select_related("enterprise"), request.user, pk=pk)
    form = form_class(request.POST, user=request.user, auto_id=f"entry{entry.pk}-{action}-%s")

    def run():
        data, actor = form.cleaned_data, request.user
        if action == "apply_exit":
            services.apply_exit(actor=actor, entry=entry, application=data["application"])
        elif action == "approve_exit":
            services.approve_exit(actor=actor, entry=entry, comment=data["comment"])
        else:
            services.reject_exit(actor=actor, entry=entry, comment=data["comment"])

    status, alert = _attempt(form, run)
    if not status:
        messages.success(request, BLACKLIST_DONE[action])
        return redirect(reverse("enforcement:blacklist") + f"#entry-{entry.pk}")
    form.mark_fields()
    key = f"blacklist:{entry.pk}:{action}"
    context = _blacklist_context(request, {key: form}, alert, key)
    if not any(row["entry"].pk == entry.pk for row in context["rows"]):
        # The entry is not on the first page of the list: show it above the list with its form.
        context["focus"] = {
            "entry": entry,
            "active": queries.blacklist_active(entry),
            "verified": entry.reason_kind not in UNVERIFIED_REASONS,
            "forms": [
                {
                    "action": action,
                    "key": key,
                    "dom": f"entry-{entry.pk}-{action}",
                    "label": label,
                    "button": BLACKLIST_ACTIONS[action][3],
                    "form": form,
                    "url": request.path,
                }
            ],
        }
    return render(request, "enforcement/blacklist_manage.html", context, status=status)


# -- statistics --------------------------------------------------------------------------------


@login_required
def case_stats(request):
    user = request.user
    if not _is_government(user):
        raise PermissionDenied("执法统计仅供监管部门查看")
    code = request.GET.get("region", "").strip() or user.region_id or "510000"
    region = Region.objects.select_related("parent").filter(code=code).first()
    if region is None or not region_in_scope(user, code):
        raise Http404("行政区划不存在或不在您的管辖范围内")
    raw_year = request.GET.get("year", "").strip()
    try:
        year = _year(raw_year)
        totals = queries.stats(user, region=code, year=year)
        by_state = dict(
            queries.cases(user, queries.CaseFilter(region=code, year=year))
            .order_by()
            .values_list("state")
            .annotate(n=Count("pk"))
        )
        errors = []
    except ValidationError as exc:
        year, totals, by_state, errors = None, None, {}, messages_of(exc)
    base = {"region": code}
    if year:
        base["year"] = year

    def link(name: str, **extra) -> str:
        return f"{reverse(name)}?{urlencode({**base, **extra})}"

    cards = []
    if totals is not None:
        cards = [
            {"key": "cases", "label": "立案数", "value": totals["cases"], "url": link("enforcement:list")},
            {
                "key": "dual_penalty",
                "label": "一案双罚",
                "value": totals["dual_penalty"],
                "url": link("enforcement:list", dual_penalty="true"),
            },
            {
                "key": "fines_total_cny",
                "label": "罚没金额（元）",
                "value": totals["fines_total_cny"],
                "money": True,
                "url": link("enforcement:list"),
            },
            {
                "key": "suspensions",
                "label": "责令停产停业整顿",
                "value": totals["suspensions"],
                "url": link("enforcement:suspensions"),
            },
            {
                "key": "referrals",
                "label": "涉嫌犯罪移送",
                "value": totals["referrals"],
                "url": link("enforcement:referrals"),
            },
            {
                "key": "blacklisted",
                "label": "列入严重失信主体名单",
                "value": totals.get("blacklisted", 0),
                "url": link("enforcement:blacklist"),
            },
        ]
    states = [
        {
            "state": value,
            "label": label,
            "value": by_state.get(value, 0),
            "url": link("enforcement:list", state=value),
        }
        for value, label in CaseState.choices
    ]
    overdue = None
    if totals is not None:
        overdue = queries.cases(user, queries.CaseFilter(region=code, year=year, overdue=True)).count()
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
        "enforcement/stats.html",
        {
            "region": region,
            "up": up,
            "children": children,
            "year": year,
            "raw_year": raw_year,
            "years": _years(),
            "cards": cards,
            "states": states,
            "overdue": overdue,
            "overdue_url": link("enforcement:list", overdue="true"),
            "errors": errors,
        },
        status=400 if errors else 200,
    )
