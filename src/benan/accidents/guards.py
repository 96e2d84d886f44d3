"""The rules of the accident loops: guards refuse a move, effects record what it fixes.

Called by core.loop.transition on the locked row, with `data` typed by services.py. Guards raise
ValidationError (422, naming the field) for bad input and a DomainError (403/409) when the move is
not allowed now. Imports from core and standards; models are imported late (they import this).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError

from benan.core import clock, fields
from benan.core.errors import InvalidTransition, PermissionDenied
from benan.standards import accident_grades

# -- the reporting chain -----------------------------------------------------------------------


def acknowledge(step, actor, data) -> None:
    """Each level acknowledges for itself; the State Council level is recorded by the province."""
    if actor.is_admin:
        return
    from benan.core.models import RegionLevel

    if step.office_region_id is None:
        if actor.region is None or actor.region.level != RegionLevel.PROVINCE:
            raise PermissionDenied("向国务院应急管理部门上报由省级部门登记")
    elif actor.region_id != step.office_region_id:
        raise PermissionDenied(f"只有{step.office_region.name}的部门可以确认本级接报")


def apply_acknowledge(step, actor, data):
    step.acknowledged_at = clock.now()
    step.acknowledged_by = actor
    step.note = str(data.get("note") or "").strip()
    return ["acknowledged_at", "acknowledged_by", "note"]


# -- the investigation -------------------------------------------------------------------------


def extend(investigation, actor, data) -> None:
    days = data.get("days")
    most = accident_grades.rules().max_extension_days
    if investigation.extended_days:
        raise InvalidTransition(f"调查期限已延长过一次（{investigation.extended_days} 日），不能再次延长")
    if not isinstance(days, int) or not 1 <= days <= most:
        raise ValidationError({"days": [f"延长天数必须是 1 到 {most} 之间的整数"]})
    fields.required(data, "reason", "延长理由（经负责事故调查的人民政府批准）")


def apply_extend(investigation, actor, data):
    investigation.extended_days = data["days"]
    investigation.extension_reason = data["reason"].strip()
    return ["extended_days", "extension_reason"]


def submit_report(investigation, actor, data) -> None:
    if data.get("report") is None:
        raise ValidationError({"report": ["必须上传事故调查报告"]})
    if data["report"].content_type != "application/pdf":
        raise ValidationError({"report": ["事故调查报告须为 PDF 文件"]})
    fields.required(data, "summary", "调查结论（原因、性质、责任认定和处理建议）")
    fields.past_day(
        data,
        "submitted_on",
        "提交日期",
        not_before=investigation.started_on,
        not_before_label="调查组成立日期",
    )


def apply_submit_report(investigation, actor, data):
    rule = accident_grades.rules().rule(investigation.accident.grade)
    investigation.report = data["report"]
    investigation.report_summary = data["summary"].strip()
    investigation.submitted_on = data["submitted_on"]
    investigation.reply_due = investigation.submitted_on + timedelta(days=rule.reply_days)
    return ["report", "report_summary", "submitted_on", "reply_due"]


def reply(investigation, actor, data) -> None:
    fields.required(data, "reply", "批复意见")
    fields.past_day(
        data, "replied_on", "批复日期", not_before=investigation.submitted_on, not_before_label="报告提交日期"
    )


def apply_reply(investigation, actor, data):
    investigation.reply = data["reply"].strip()
    investigation.replied_on = data["replied_on"]
    return ["reply", "replied_on"]


def publish(investigation, actor, data) -> None:
    if investigation.published_on is not None:
        raise InvalidTransition(f"调查报告已于 {investigation.published_on.isoformat()} 公布")


def apply_publish(investigation, actor, data):
    investigation.published_on = clock.today()
    return ["published_on"]


def close(investigation, actor, data) -> None:
    """四不放过: no investigation closes until all four are done with evidence and every
    rectification measure from the report is verified and closed."""
    from .models import FourNos, MeasureState

    done = {i.item: i for i in investigation.four_nos.prefetch_related("evidence")}
    missing = [
        label
        for code, label in FourNos.choices
        if code not in done or not done[code].done or not done[code].evidence.exists()
    ]
    problems = []
    if missing:
        problems.append(f"“四不放过”尚未落实（须逐项确认并附证据）：{'、'.join(missing)}")
    measures = investigation.measures.all()
    if not measures.exists():
        problems.append("调查报告提出的整改措施尚未登记")
    open_count = measures.exclude(state=MeasureState.CLOSED).count()
    if open_count:
        problems.append(f"还有 {open_count} 项整改措施未验收销号")
    if problems:
        raise InvalidTransition("不能结案：" + "；".join(problems))


def apply_close(investigation, actor, data):
    investigation.closed_on = clock.today()
    return ["closed_on"]


# -- measures ----------------------------------------------------------------------------------


def submit_measure(measure, actor, data) -> None:
    from benan.core.models import Role

    if actor.role == Role.ENTERPRISE and actor.enterprise_id != measure.assignee_enterprise_id:
        raise PermissionDenied("只有责任企业可以提交落实情况")
    fields.required(data, "result", "落实情况")
    if not data.get("evidence"):
        raise ValidationError({"evidence": ["必须附落实情况的证据材料"]})


def apply_submit_measure(measure, actor, data):
    measure.result = data["result"].strip()
    measure.evidence.set(data["evidence"])
    measure.submitted_by = actor
    measure.submitted_at = clock.now()
    return ["result", "submitted_by", "submitted_at"]


def _reviewer(measure, actor) -> None:
    if measure.submitted_by_id == actor.pk:
        raise PermissionDenied("验收人不能是提交人本人")


def verify_measure(measure, actor, data) -> None:
    _reviewer(measure, actor)


def apply_verify_measure(measure, actor, data):
    measure.verified_by = actor
    measure.closed_at = clock.now()
    measure.comment = str(data.get("comment") or "").strip()
    return ["verified_by", "closed_at", "comment"]


def reject_measure(measure, actor, data) -> None:
    _reviewer(measure, actor)
    fields.required(data, "comment", "退回意见")


def apply_reject_measure(measure, actor, data):
    measure.comment = data["comment"].strip()
    return ["comment"]
