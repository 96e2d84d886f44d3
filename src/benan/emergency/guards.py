"""The rules of the emergency loops: guards refuse a move, effects record what it changes.

Called by core.loop.transition on the locked row, with `data` typed by services.py. Guards raise
ValidationError (422, naming the field) for bad input and a DomainError (403/409) when the move is
not allowed now. An order's effects move the team or the equipment it carries through their own
loops, inside the same transaction. Models are imported late (they import this module).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from benan.core import clock, fields
from benan.core.errors import PermissionDenied


def reason(obj, actor, data) -> None:
    fields.text(data.get("reason"), "reason", "原因", max_length=200)


def readiness_note(team, actor, data) -> None:
    fields.text(data.get("note"), "note", "休整原因", max_length=200)


def apply_readiness_note(team, actor, data):
    team.readiness_note = str(data.get("note") or "").strip()[:200]
    return ["readiness_note"]


def stamp(field: str):
    """An effect that stamps `field` with the current time."""

    def effect(obj, actor, data):
        setattr(obj, field, clock.now())
        return [field]

    return effect


# -- the equipment pool ------------------------------------------------------------------------


def _expected_return(data) -> None:
    day = data.get("expected_return")
    if day is None:
        raise ValidationError({"expected_return": ["必须填写预计归还日期"]})
    if day < clock.today():
        raise ValidationError({"expected_return": [f"预计归还日期 {day.isoformat()} 早于今天"]})


def reserve(equipment, actor, data) -> None:
    data["borrower"] = fields.text(data.get("borrower"), "borrower", "借用单位", max_length=100)
    data["purpose"] = fields.text(data.get("purpose"), "purpose", "用途", max_length=200, required=False)
    _expected_return(data)


def apply_reserve(equipment, actor, data):
    from .models import Loan, LoanState

    Loan.objects.create(
        equipment=equipment,
        state=LoanState.RESERVED,
        borrower=data["borrower"],
        purpose=data["purpose"],
        expected_return=data["expected_return"],
        reserved_by=actor,
        reserved_at=clock.now(),
        order=data.get("order"),
    )
    return []


def apply_cancel_reservation(equipment, actor, data):
    from .models import LoanState

    equipment.loans.filter(state=LoanState.RESERVED).update(state=LoanState.CANCELLED)
    return []


def lend(equipment, actor, data) -> None:
    from .models import EquipmentStatus

    if equipment.status == EquipmentStatus.RESERVED:
        # Lent to whom it was reserved for; the return date may be moved.
        if data.get("expected_return") is not None:
            _expected_return(data)
        return
    reserve(equipment, actor, data)


def apply_lend(equipment, actor, data):
    from .models import EquipmentStatus, LoanState

    if equipment.status == EquipmentStatus.AVAILABLE:
        apply_reserve(equipment, actor, data)
    loan = equipment.loans.select_for_update().get(state=LoanState.RESERVED)
    loan.state, loan.lent_at = LoanState.LENT, clock.now()
    if data.get("expected_return") is not None:
        loan.expected_return = data["expected_return"]
    loan.save(update_fields=["state", "lent_at", "expected_return"])
    return []


def give_back(equipment, actor, data) -> None:
    data["note"] = fields.text(data.get("note"), "note", "归还说明", max_length=200, required=False)


def apply_return(equipment, actor, data):
    from .models import Condition, LoanState

    loan = equipment.loans.select_for_update().get(state=LoanState.LENT)
    loan.state, loan.returned_at = LoanState.RETURNED, clock.now()
    loan.condition = data.get("condition") or Condition.GOOD
    loan.return_note = data["note"]
    loan.save(update_fields=["state", "returned_at", "condition", "return_note"])
    return []


def finish_maintenance(equipment, actor, data) -> None:
    day = data.get("next_maintenance")
    if day is None:
        raise ValidationError({"next_maintenance": ["必须填写下次保养日期"]})
    if day <= clock.today():
        raise ValidationError({"next_maintenance": [f"下次保养日期 {day.isoformat()} 必须晚于今天"]})


def apply_finish_maintenance(equipment, actor, data):
    equipment.next_maintenance = data["next_maintenance"]
    return ["next_maintenance"]


# -- dispatch orders ---------------------------------------------------------------------------


def apply_depart(order, actor, data):
    from benan.core.loop import transition

    order.departed_at = clock.now()
    if order.equipment_id:
        transition(order.equipment, "lend", actor)
    return ["departed_at"]


def order_return(order, actor, data) -> None:
    from .models import Condition, OrderKind

    data["note"] = fields.text(data.get("note"), "note", "返回说明", max_length=500, required=False)
    if order.kind == OrderKind.EQUIPMENT:
        condition = data.get("condition") or Condition.GOOD
        if condition not in Condition.values:
            raise ValidationError({"condition": ["归还状况必须是 good（完好）或 damaged（损坏待修）"]})
        data["condition"] = condition
    if order.kind != OrderKind.MATERIAL:
        return
    returned = data.get("returned") or {}
    lines = {line.pk: line for line in order.lines.all()}
    unknown = sorted(set(returned) - set(lines))
    if unknown:
        raise ValidationError({"returned": [f"调出物资明细 {unknown} 不属于本指令"]})
    for pk, quantity in returned.items():
        line = lines[pk]
        if not 0 <= quantity <= line.quantity:
            raise ValidationError(
                {
                    "returned": [
                        f"{line.stock.item_name}退回 {quantity}{line.stock.unit}，"
                        f"超出调出数量 {line.quantity}{line.stock.unit}"
                    ]
                }
            )


def apply_order_return(order, actor, data):
    from benan.core.loop import transition

    from .models import Condition, OrderKind

    order.returned_at = clock.now()
    order.return_note = data["note"]
    if order.kind == OrderKind.TEAM:
        transition(order.team, "release", actor, order=order.pk)
    elif order.kind == OrderKind.EQUIPMENT:
        action = "return" if data["condition"] == Condition.GOOD else "return_damaged"
        transition(
            order.equipment, action, actor, condition=data["condition"], note=data["note"], order=order.pk
        )
    else:
        returned = data.get("returned") or {}
        for line in order.lines.all():
            _restore(line, returned.get(line.pk, 0))
    return ["returned_at", "return_note"]


def apply_order_cancel(order, actor, data):
    from benan.core.loop import transition

    from .models import EquipmentStatus, OrderKind

    order.cancelled_at = clock.now()
    order.return_note = str(data.get("reason") or "").strip()[:500]
    if order.kind == OrderKind.TEAM:
        transition(order.team, "release", actor, order=order.pk)
    elif order.kind == OrderKind.EQUIPMENT:
        if order.equipment.status == EquipmentStatus.RESERVED:
            transition(order.equipment, "cancel_reservation", actor, order=order.pk)
    else:
        for line in order.lines.all():
            _restore(line, line.quantity)
    return ["cancelled_at", "return_note"]


def _restore(line, quantity: int) -> None:
    """Put `quantity` of a line back into the batches it came from, in the order it was taken."""
    from django.db.models import F

    from .models import Batch, Stock

    line.returned = quantity
    line.save(update_fields=["returned"])
    Stock.objects.select_for_update().filter(pk=line.stock_id).first()  # the stock's lock
    left = quantity
    for taken in line.batches.order_by("id"):
        back = min(left, taken.quantity)
        if back:
            Batch.objects.filter(pk=taken.batch_id).update(quantity=F("quantity") + back)
            left -= back


# -- drills ------------------------------------------------------------------------------------


def hold(drill, actor, data) -> None:
    from .models import Rating

    fields.past_day(data, "held_on", "实施日期")
    count = data.get("participant_count")
    if count is None or count < 1:
        raise ValidationError({"participant_count": ["参加人数必须是正整数"]})
    data["evaluation"] = fields.text(data.get("evaluation"), "evaluation", "评估意见", max_length=5000)
    if data.get("rating") not in Rating.values:
        raise ValidationError(
            {"rating": ["评估等级必须是 excellent、good、pass 或 fail（优秀、良好、合格、不合格）"]}
        )


def apply_hold(drill, actor, data):
    drill.held_on = data["held_on"]
    drill.participant_count = data["participant_count"]
    drill.evaluation = data["evaluation"]
    drill.rating = data["rating"]
    return ["held_on", "participant_count", "evaluation", "rating"]


def apply_drill_cancel(drill, actor, data):
    drill.cancel_reason = str(data.get("reason") or "").strip()[:200]
    return ["cancel_reason"]


def submit_follow_up(item, actor, data) -> None:
    if actor is not None and not actor.is_admin and actor.pk != item.assignee_id:
        raise PermissionDenied("只有责任人可以提交整改情况")
    data["result"] = fields.text(data.get("result"), "result", "整改情况", max_length=5000)


def apply_submit_follow_up(item, actor, data):
    item.result = data["result"]
    item.submitted_by = actor
    item.submitted_at = clock.now()
    return ["result", "submitted_by", "submitted_at"]


def verify_follow_up(item, actor, data) -> None:
    if actor is not None and actor.pk == item.submitted_by_id:
        raise PermissionDenied("验收人不能是整改情况的提交人")
    data["comment"] = fields.text(data.get("comment"), "comment", "验收意见", max_length=500, required=False)


def apply_accept_follow_up(item, actor, data):
    item.closed_by = actor
    item.closed_at = clock.now()
    item.comment = data["comment"]
    return ["closed_by", "closed_at", "comment"]


def reject_follow_up(item, actor, data) -> None:
    if actor is not None and actor.pk == item.submitted_by_id:
        raise PermissionDenied("验收人不能是整改情况的提交人")
    data["comment"] = fields.text(data.get("comment"), "comment", "退回理由", max_length=500)


def apply_reject_follow_up(item, actor, data):
    item.comment = data["comment"]
    return ["comment"]
