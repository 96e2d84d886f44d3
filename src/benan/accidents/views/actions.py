"""The actions offered on the accident detail: for each its label, form, service call, message and
the roles that may take it. Three families, each posting to its own URL: on the accident
(`ACCIDENT_ACTIONS`: follow-up, investigation team, accountability), on the investigation
(`INVESTIGATION_ACTIONS` and `four_nos:<item>`), and on a measure (`MEASURE_ACTIONS`).

Imports from core, enterprises, this app and `views.common`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from benan.core import attachments
from benan.core.models import Role
from benan.core.pages import messages_of
from benan.enterprises import queries as enterprise_queries

from .. import forms, services
from ..models import GOVERNMENT, OFFICES, FourNos, FourNosItem, Grade
from .common import MEASURE_REVIEWERS, REPORTERS, flat_choices, region_groups

GRADES = dict(Grade.choices)
FOUR_NOS = dict(FourNos.choices)
ASSIGNEE_LIMIT = 100


@dataclass(frozen=True)
class Action:
    label: str
    form: type
    # (request, obj, form) -> the message when done, or None for `done`; a service call.
    run: Callable
    done: str
    roles: frozenset
    button: str = "btn-primary"
    hint: str = ""


def _store(request, uploads, field: str, *, pdf_only: bool = False) -> list[int]:
    """Keep uploaded files; a refused one is named on `field` (the transaction rolls back the rest)."""
    ids = []
    for upload in uploads:
        try:
            stored = attachments.store(actor=request.user, upload=upload)
        except ValidationError as exc:
            raise ValidationError({field: [f"{upload.name}：{m}" for m in messages_of(exc)]}) from exc
        if pdf_only and stored.content_type != "application/pdf":
            raise ValidationError({field: [f"{upload.name}：事故调查报告须为 PDF 文件"]})
        ids.append(stored.pk)
    return ids


# -- on the accident ---------------------------------------------------------------------------


def _run_follow_up(request, accident, form):
    data = form.cleaned_data
    report = services.follow_up(
        actor=request.user,
        accident=accident,
        figures={f: data[f] for f in forms.FIGURE_FIELDS},
        note=data["note"],
    )
    message = f"已{report.get_kind_display()}"
    if report.grade_before:
        message += (
            f"；事故等级由{GRADES.get(report.grade_before)}变为{GRADES.get(report.grade)}，"
            "报告链已按新等级延伸"
        )
    if report.late:
        message += "（已超过补报期限，记为逾期补报）"
    return message


def _run_investigate(request, accident, form):
    investigation = services.open_investigation(
        actor=request.user,
        accident=accident,
        team=form.cleaned_data["team"],
        started_on=form.cleaned_data["started_on"],
    )
    return f"已成立事故调查组，由{investigation.lead}牵头，调查报告期限 {investigation.due_date:%Y-%m-%d}"


def _run_accountability(request, accident, form):
    services.record_accountability(actor=request.user, accident=accident, **form.cleaned_data)


ACCIDENT_ACTIONS: dict[str, Action] = {
    "follow_up": Action(
        "续报 / 补报",
        forms.FollowUpForm,
        _run_follow_up,
        "已续报",
        REPORTERS,
        hint="填写最新的全部数字；伤亡人数变化的为补报，等级随之重新计算。",
    ),
    "investigate": Action(
        "成立事故调查组",
        forms.InvestigateForm,
        _run_investigate,
        "已成立事故调查组",
        OFFICES,
        hint="牵头调查的人民政府按事故等级确定（第十九条）；调查报告自事故发生之日起60日内提交。",
    ),
    "accountability": Action(
        "登记责任追究",
        forms.AccountabilityForm,
        _run_accountability,
        "已登记责任追究",
        OFFICES,
        button="btn-outline-primary",
    ),
}


# -- on the investigation ----------------------------------------------------------------------


def _run_extend(request, investigation, form):
    services.extend_investigation(
        actor=request.user,
        investigation=investigation,
        days=form.cleaned_data["days"],
        reason=form.cleaned_data["reason"],
    )


def _run_submit(request, investigation, form):
    upload = form.cleaned_data["report"]
    ids = _store(request, [upload], "report", pdf_only=True) if upload else []
    services.submit_report(
        actor=request.user,
        investigation=investigation,
        attachment_id=ids[0] if ids else None,
        summary=form.cleaned_data["summary"],
        submitted_on=form.cleaned_data["submitted_on"],
    )


def _run_reply(request, investigation, form):
    services.reply(
        actor=request.user,
        investigation=investigation,
        reply=form.cleaned_data["reply"],
        replied_on=form.cleaned_data["replied_on"],
    )


def _run_publish(request, investigation, form):
    services.publish(actor=request.user, investigation=investigation)


def _run_close(request, investigation, form):
    services.close(actor=request.user, investigation=investigation)


def _run_measure(request, investigation, form):
    data = form.cleaned_data
    services.add_measure(
        actor=request.user,
        investigation=investigation,
        description=data["description"],
        due_date=data["due_date"],
        assignee_enterprise_id=data["assignee_enterprise"],
        assignee_region=data["assignee_region"] or None,
        department=data["department"],
    )


def _run_four_nos(item: str):
    def run(request, investigation, form):
        data = form.cleaned_data
        row = FourNosItem.objects.filter(investigation=investigation, item=item).first()
        kept = list(row.evidence.values_list("pk", flat=True)) if row else []
        ids = kept + _store(request, data["files"], "files")
        services.mark_four_nos(
            actor=request.user,
            investigation=investigation,
            item=item,
            note=data["note"],
            attachment_ids=ids,
            done=data["done"],
        )
        return f"“{FOUR_NOS[item]}”已{'确认落实' if data['done'] else '重新打开'}"

    return run


INVESTIGATION_ACTIONS: dict[str, Action] = {
    "extend": Action(
        "延长调查期限",
        forms.ExtendForm,
        _run_extend,
        "已延长调查期限",
        OFFICES,
        button="btn-outline-primary",
        hint="特殊情况下经负责事故调查的人民政府批准可以延长，最长不超过60日，只能延长一次。",
    ),
    "submit": Action("提交调查报告", forms.SubmitReportForm, _run_submit, "已提交事故调查报告", OFFICES),
    "reply": Action("批复", forms.ReplyForm, _run_reply, "已记录批复", OFFICES),
    "publish": Action(
        "公布调查报告",
        forms.ConfirmForm,
        _run_publish,
        "已公布事故调查报告",
        OFFICES,
        button="btn-outline-success",
        hint="公布后，调查报告在“事故调查报告”公开页面供社会查阅（无需登录）。",
    ),
    "close": Action(
        "结案",
        forms.ConfirmForm,
        _run_close,
        "已结案",
        OFFICES,
        button="btn-success",
        hint="四不放过：原因查清、责任人员处理、整改措施落实（全部验收销号）、有关人员受到教育，"
        "逐项确认并附证据后才能结案。",
    ),
    "measure": Action(
        "登记整改措施",
        forms.MeasureForm,
        _run_measure,
        "已登记整改措施",
        OFFICES,
        button="btn-outline-primary",
    ),
}
FOUR_NOS_ACTIONS: dict[str, Action] = {
    f"four_nos:{item}": Action(label, forms.FourNosForm, _run_four_nos(item), "已更新", OFFICES)
    for item, label in FourNos.choices
}


def investigation_action_spec(action: str) -> Action | None:
    return INVESTIGATION_ACTIONS.get(action) or FOUR_NOS_ACTIONS.get(action)


# -- on a measure ------------------------------------------------------------------------------


def _run_measure_submit(request, measure, form):
    ids = _store(request, form.cleaned_data["files"], "files")
    services.submit_measure(
        actor=request.user, measure=measure, result=form.cleaned_data["result"], attachment_ids=ids
    )


def _run_measure_verify(request, measure, form):
    services.verify_measure(actor=request.user, measure=measure, comment=form.cleaned_data["comment"])


def _run_measure_reject(request, measure, form):
    services.reject_measure(actor=request.user, measure=measure, comment=form.cleaned_data["comment"])


MEASURE_ACTIONS: dict[str, Action] = {
    "submit": Action(
        "提交落实情况",
        forms.MeasureSubmitForm,
        _run_measure_submit,
        "已提交整改落实情况，等待验收",
        GOVERNMENT | {Role.ENTERPRISE},
    ),
    "verify": Action(
        "验收销号",
        forms.CommentForm,
        _run_measure_verify,
        "整改措施已验收销号",
        MEASURE_REVIEWERS,
        button="btn-success",
    ),
    "reject": Action(
        "退回",
        forms.CommentForm,
        _run_measure_reject,
        "已退回整改",
        MEASURE_REVIEWERS,
        button="btn-outline-danger",
    ),
}


# -- building the forms ------------------------------------------------------------------------


def _measure_choices(request, accident) -> dict:
    enterprises = list(
        enterprise_queries.enterprises(
            request.user, enterprise_queries.EnterpriseFilter(region=accident.region_id)
        )[:ASSIGNEE_LIMIT]
    )
    if accident.enterprise_id and all(e.pk != accident.enterprise_id for e in enterprises):
        own = enterprise_queries.enterprises(request.user).filter(pk=accident.enterprise_id).first()
        if own is not None:
            enterprises.insert(0, own)
    else:
        enterprises.sort(key=lambda e: e.pk != accident.enterprise_id)
    return {"enterprises": enterprises, "regions": flat_choices(region_groups(request.user))}


def make_form(spec: Action, request, *, accident, dom: str, data=None, files=None, initial=None):
    """The form of `spec` for the detail page; `dom` prefixes its element ids (several share a page)."""
    kwargs = {"auto_id": f"{dom}-%s", "initial": initial}
    if spec.form is forms.MeasureForm:
        kwargs.update(_measure_choices(request, accident))
    if spec.form is forms.CommentForm:
        kwargs["label"] = "退回意见" if spec.label == "退回" else "验收意见（可不填）"
    return spec.form(data, files, **kwargs)
