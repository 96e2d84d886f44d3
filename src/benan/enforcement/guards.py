"""The rules of the enforcement loops: guards refuse a move, effects record what it fixes.

Called by core.loop.transition on the locked row, with `data` already typed and checked for
shape by services.py. Guards raise ValidationError (422, naming the field) for bad input and
a DomainError (403/409) when the move is not allowed now. Imports from core, enterprises and
this app's rules; models are imported late (they import this module).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from benan.core import clock, fields
from benan.core.errors import InvalidTransition, PermissionDenied
from benan.core.models import Role

from . import rules

# -- cases -------------------------------------------------------------------------------------


def investigate(case, actor, data) -> None:
    needed = rules.current().min_officers
    have = case.officers.count()
    if have < needed:
        raise InvalidTransition(f"执法人员不得少于{needed}人，本案现有{have}人，请先指派执法人员")


def notify(case, actor, data) -> None:
    fields.required(data, "proposal", "拟处罚内容")
    fields.past_day(data, "notified_on", "告知日期", not_before=case.opened_on, not_before_label="立案日期")
    if not case.evidence.exists():
        raise InvalidTransition("尚无证据材料：调查取证后须上传证据才能告知")


def apply_notify(case, actor, data):
    r = rules.current()
    case.notified_on = data["notified_on"]
    case.proposal = data["proposal"].strip()
    case.hearing_right = bool(data["hearing_right"])
    case.statement_due = case.notified_on + timedelta(days=r.statement_days)
    case.hearing_due = (
        case.notified_on + timedelta(days=r.hearing_request_days) if case.hearing_right else None
    )
    return ["notified_on", "proposal", "hearing_right", "statement_due", "hearing_due"]


def statement(case, actor, data) -> None:
    # The party may state its case itself, online; scope already limits it to its own cases.
    fields.past_day(
        data, "statement_on", "陈述申辩日期", not_before=case.notified_on, not_before_label="告知日期"
    )
    if not data.get("waived"):
        fields.required(data, "statement", "陈述申辩意见（或选择放弃陈述申辩）")
    if data.get("hearing_requested"):
        if not case.hearing_right:
            raise ValidationError({"hearing_requested": ["本案拟处罚内容不适用听证程序"]})
        if data["statement_on"] > case.hearing_due:
            raise ValidationError(
                {"hearing_requested": [f"听证申请期限为 {case.hearing_due.isoformat()}，已过期"]}
            )


def apply_statement(case, actor, data):
    case.statement = str(data.get("statement") or "").strip()
    case.statement_on = data["statement_on"]
    case.statement_waived = bool(data.get("waived"))
    case.hearing_requested = bool(data.get("hearing_requested"))
    return ["statement", "statement_on", "statement_waived", "hearing_requested"]


def hearing(case, actor, data) -> None:
    if not case.hearing_requested:
        raise InvalidTransition("当事人未申请听证")
    fields.past_day(data, "held_on", "听证日期", not_before=case.notified_on, not_before_label="告知日期")
    fields.required(data, "record", "听证情况")


def apply_hearing(case, actor, data):
    case.hearing_held_on = data["held_on"]
    case.hearing_record = data["record"].strip()
    return ["hearing_held_on", "hearing_record"]


def _on_case(case, actor) -> bool:
    return case.officers.filter(pk=actor.pk).exists()


def decide(case, actor, data) -> None:
    if actor.role == Role.INSPECTOR and not _on_case(case, actor):
        raise PermissionDenied("只有本案的执法人员可以作出处罚决定")
    if case.hearing_requested and case.hearing_held_on is None:
        raise InvalidTransition("当事人已申请听证，须先组织听证并记录听证情况")
    # A paper case entered afterwards carries its real decision date; the periods count from it.
    decided_on = fields.past_day(
        data, "decided_on", "决定日期", not_before=case.notified_on, not_before_label="告知日期"
    )
    if case.hearing_held_on and decided_on < case.hearing_held_on:
        raise ValidationError({"decided_on": [f"决定日期早于听证日期 {case.hearing_held_on.isoformat()}"]})
    answered = case.statement_on is not None
    if answered and decided_on < case.statement_on:
        raise ValidationError({"decided_on": [f"决定日期早于陈述申辩日期 {case.statement_on.isoformat()}"]})
    if not answered:
        from .queries import decision_waits_until

        until = decision_waits_until(case)
        if decided_on <= until:
            raise InvalidTransition(
                f"当事人陈述申辩{'和申请听证' if case.hearing_right else ''}的期限至 {until.isoformat()}，"
                "期满或记录当事人意见后才能作出决定"
            )
    if not data.get("penalties"):
        raise ValidationError({"penalties": ["处罚决定至少要有一项处罚内容"]})


def apply_decide(case, actor, data):
    from .models import MONEY_KINDS, Party, Penalty, PenaltyKind

    r = rules.current()
    lines = data["penalties"]
    Penalty.objects.bulk_create(Penalty(case=case, order=n, **line) for n, line in enumerate(lines, start=1))
    fined = {line["party"] for line in lines if line["kind"] == PenaltyKind.FINE}
    case.dual_penalty = {Party.UNIT, Party.PERSON} <= fined
    case.fines_total = sum((line["amount"] for line in lines if line["kind"] in MONEY_KINDS), start=0)
    case.decided_on = data["decided_on"]
    case.decided_by = actor
    case.decision_number = data["decision_number"]
    case.payment_due = case.decided_on + timedelta(days=r.payment_days) if case.fines_total else None
    return ["dual_penalty", "fines_total", "decided_on", "decided_by", "decision_number", "payment_due"]


def execute(case, actor, data) -> None:
    fields.required(data, "execution", "执行情况")
    fields.past_day(data, "executed_on", "执行日期", not_before=case.decided_on, not_before_label="决定日期")
    paid = data.get("paid_cny")
    if paid is not None and (paid < 0 or paid > case.fines_total):
        raise ValidationError({"paid_cny": [f"已缴金额必须在 0 到罚没金额 {case.fines_total} 元之间"]})
    if case.fines_total and paid is None:
        raise ValidationError(
            {"paid_cny": ["本案有罚没款，必须填写已缴金额（未缴纳填 0 并说明强制执行情况）"]}
        )


def apply_execute(case, actor, data):
    case.execution = data["execution"].strip()
    case.executed_on = data["executed_on"]
    case.paid_cny = data.get("paid_cny")
    return ["execution", "executed_on", "paid_cny"]


def close(case, actor, data) -> None:
    fields.required(data, "report", "结案报告")
    fields.past_day(data, "closed_on", "结案日期", not_before=case.executed_on, not_before_label="执行日期")


def apply_close(case, actor, data):
    case.closing_report = data["report"].strip()
    case.closed_on = data["closed_on"]
    return ["closing_report", "closed_on"]


def withdraw(case, actor, data) -> None:
    fields.required(data, "reason", "撤销理由")
    if case.suspensions.filter(state="in_force").exists():
        raise InvalidTransition("本案有生效的停产整顿令，须先经复查解除后才能撤销案件")


def apply_withdraw(case, actor, data):
    case.withdrawn_reason = data["reason"].strip()
    return ["withdrawn_reason"]


# -- suspension orders -------------------------------------------------------------------------


def lift(order, actor, data) -> None:
    from benan.hazards.models import Source

    inspection = data.get("inspection")
    if inspection is None:
        raise ValidationError({"inspection_id": ["解除停产整顿须先经复查：请选择复查检查记录"]})
    if inspection.enterprise_id != order.enterprise_id:
        raise ValidationError({"inspection_id": ["复查检查不是对本企业的检查"]})
    if inspection.source == Source.SELF:
        raise ValidationError({"inspection_id": ["企业自查不能作为复查，须由监管部门复查"]})
    if inspection.date < order.start_date:
        raise ValidationError(
            {
                "inspection_id": [
                    f"复查日期 {inspection.date.isoformat()} 早于"
                    f"停产整顿起始日期 {order.start_date.isoformat()}"
                ]
            }
        )
    lifted_on = fields.past_day(
        data, "lifted_on", "恢复生产日期", not_before=inspection.date, not_before_label="复查日期"
    )
    if lifted_on <= order.start_date:
        raise ValidationError(
            {"lifted_on": [f"恢复生产日期必须晚于停产整顿起始日期 {order.start_date.isoformat()}"]}
        )


def apply_lift(order, actor, data):
    from benan.enterprises import services as enterprise_services

    enterprise_services.end_suspension(
        actor=actor,
        enterprise=order.enterprise,
        period=order.period,
        on=data["lifted_on"],
        resume_status=order.resume_status,
        reason=f"停产整顿令 {order.number} 解除",
    )
    order.verification = data["inspection"]
    order.lifted_on = data["lifted_on"]
    order.lifted_by = actor
    order.lift_comment = str(data.get("comment") or "").strip()
    return ["verification", "lifted_on", "lifted_by", "lift_comment"]


# -- criminal referrals ------------------------------------------------------------------------


def approve_referral(referral, actor, data) -> None:
    pass


def apply_approve_referral(referral, actor, data):
    referral.decided_on = clock.today()
    referral.decided_by = actor
    referral.approved_at = clock.now()
    referral.transfer_due = referral.approved_at + timedelta(hours=rules.current().referral_transfer_hours)
    return ["decided_on", "decided_by", "approved_at", "transfer_due"]


def refuse_referral(referral, actor, data) -> None:
    fields.required(data, "reason", "不予移送的理由")


def apply_refuse_referral(referral, actor, data):
    referral.decided_on = clock.today()
    referral.decided_by = actor
    referral.decision_reason = data["reason"].strip()
    return ["decided_on", "decided_by", "decision_reason"]


def transfer_referral(referral, actor, data) -> None:
    fields.required(data, "receiving_organ", "接收的公安机关")


def apply_transfer_referral(referral, actor, data):
    referral.receiving_organ = data["receiving_organ"].strip()
    referral.transferred_at = clock.now()
    referral.feedback_due = clock.today() + timedelta(days=rules.current().referral_feedback_days)
    return ["receiving_organ", "transferred_at", "feedback_due"]


def referral_feedback(referral, actor, data) -> None:
    fields.required(data, "result", "公安机关的处理结果")
    transferred = timezone.localdate(referral.transferred_at)
    fields.past_day(data, "feedback_on", "反馈日期", not_before=transferred, not_before_label="移送日期")


def apply_referral_feedback(referral, actor, data):
    referral.result = data["result"].strip()
    referral.feedback_on = data["feedback_on"]
    return ["result", "feedback_on"]


# -- the credit blacklist ----------------------------------------------------------------------


def add_months(day, months: int):
    """The same day `months` later; the 29th–31st fall back to the month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def apply_exit(entry, actor, data) -> None:
    if actor.role == Role.ENTERPRISE and actor.enterprise_id != entry.enterprise_id:
        raise PermissionDenied("只能为本企业申请")
    fields.required(data, "application", "申请理由和信用修复情况")
    months = rules.current().blacklist_early_exit_months
    earliest = add_months(entry.entry_date, months)
    if clock.today() < earliest:
        raise InvalidTransition(f"列入满{months}个月后（{earliest.isoformat()} 起）才能申请提前移出")


def apply_apply_exit(entry, actor, data):
    entry.exit_application = data["application"].strip()
    entry.exit_applied_on = clock.today()
    return ["exit_application", "exit_applied_on"]


def decide_exit(entry, actor, data) -> None:
    if data.get("comment_required"):
        fields.required(data, "comment", "驳回理由")


def apply_approve_exit(entry, actor, data):
    entry.exited_on = clock.today()
    entry.exit_comment = str(data.get("comment") or "").strip() or "同意提前移出"
    return ["exited_on", "exit_comment"]


def apply_reject_exit(entry, actor, data):
    entry.exit_comment = data["comment"].strip()
    return ["exit_comment"]


def expire(entry, actor, data) -> None:
    if clock.today() < entry.planned_exit_date:
        raise InvalidTransition(f"管理期限至 {entry.planned_exit_date.isoformat()}，未到期")


def apply_expire(entry, actor, data):
    entry.exited_on = entry.planned_exit_date
    entry.exit_comment = "管理期满移出"
    return ["exited_on", "exit_comment"]
