"""The actions offered on the case detail: for each case action its label, form, service call and
message (`CASE_ACTIONS`), the order of the panels, and the criminal-referral actions.

Imports from core, this app and `views.common`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from benan.core import attachments
from benan.core.models import Role
from benan.core.pages import messages_of

from .. import forms, queries, services
from ..models import HEADS, OFFICERS, CriminalReferral
from .common import _ids


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
