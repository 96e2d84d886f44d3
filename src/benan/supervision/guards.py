"""The rules of the assignment loops: guards refuse a move, effects record what it changes.

Called by core.loop.transition on the locked row, with `data` typed by assignments.py (attachments
already resolved to rows the actor may use). Guards raise ValidationError (422, naming the field)
for bad input and a DomainError (403/409) when the move is not the actor's or not allowed now.
Models are imported late (they import this module). Imports from core only.
"""

from __future__ import annotations

from benan.core import clock, fields
from benan.core.errors import InvalidTransition, PermissionDenied


def stamp(field: str):
    """An effect that stamps `field` with the current time."""

    def effect(obj, actor, data):
        setattr(obj, field, clock.now())
        return [field]

    return effect


def is_receiver(target, actor) -> bool:
    """The receiving region's own users (an admin stands in for anyone)."""
    return actor is not None and (actor.is_admin or actor.region_id == target.region_id)


def is_issuer_side(assignment, actor) -> bool:
    """Users of the issuing region or of a region above it (their scope holds the issuing region)."""
    if actor is None:
        return False
    if actor.is_admin:
        return True
    return actor.region_id is not None and actor.region.contains(assignment.issuer_region_id)


def _receiver(target, actor) -> None:
    if not is_receiver(target, actor):
        raise PermissionDenied(f"只有{target.region.name}的安委办或执法检查人员可以报送本区划的办理情况")


def issuer_side(target, actor, data) -> None:
    if not is_issuer_side(target.assignment, actor):
        raise PermissionDenied(f"只有交办单位（{target.assignment.issuer_name}）或其上级可以验收、退回或撤销")


def _not_the_submitter(target, actor) -> None:
    if actor is not None and actor.pk == target.submitted_by_id:
        raise PermissionDenied("验收人不能是办结情况的报送人")


# -- the receiving region ----------------------------------------------------------------------


def report(target, actor, data) -> None:
    _receiver(target, actor)
    data["text"] = fields.text(data.get("text"), "text", "进展情况", max_length=5000)


def _add_report(target, actor, data, kind) -> None:
    from .models import ProgressReport

    report_ = ProgressReport.objects.create(
        target=target, kind=kind, text=data["text"], reported_by=actor, reported_at=clock.now()
    )
    attachments = data.get("attachments") or []
    if attachments:
        report_.attachments.set(attachments)
    data["report"] = report_.pk


def apply_report(target, actor, data):
    from .models import ReportKind

    _add_report(target, actor, data, ReportKind.PROGRESS)
    return []


def submit(target, actor, data) -> None:
    _receiver(target, actor)
    data["text"] = fields.text(data.get("text"), "text", "办结情况", max_length=5000)


def apply_submit(target, actor, data):
    from .models import ReportKind

    _add_report(target, actor, data, ReportKind.COMPLETION)
    target.submitted_by = actor
    target.submitted_at = clock.now()
    return ["submitted_by", "submitted_at"]


# -- the issuing side --------------------------------------------------------------------------


def accept(target, actor, data) -> None:
    issuer_side(target, actor, data)
    _not_the_submitter(target, actor)
    data["comment"] = fields.text(data.get("comment"), "comment", "验收意见", max_length=500, required=False)


def apply_accept(target, actor, data):
    target.accepted_by = actor
    target.accepted_at = clock.now()
    target.comment = data["comment"]
    return ["accepted_by", "accepted_at", "comment"]


def send_back(target, actor, data) -> None:
    issuer_side(target, actor, data)
    _not_the_submitter(target, actor)
    data["reason"] = fields.text(data.get("reason"), "reason", "退回理由", max_length=500)


def apply_send_back(target, actor, data):
    target.comment = data["reason"]
    target.returned_count += 1
    return ["comment", "returned_count"]


def complete(assignment, actor, data) -> None:
    from .models import TargetState

    if assignment.targets.exclude(state=TargetState.ACCEPTED).exists():
        raise InvalidTransition("还有承办区划未验收通过，不能办结")


def cancel_assignment(assignment, actor, data) -> None:
    from .models import TargetState

    if not is_issuer_side(assignment, actor):
        raise PermissionDenied(f"只有交办单位（{assignment.issuer_name}）或其上级可以撤销")
    data["reason"] = fields.text(data.get("reason"), "reason", "撤销原因", max_length=500)
    accepted = assignment.targets.filter(state=TargetState.ACCEPTED).select_related("region")
    names = [t.region.name for t in accepted[:5]]
    if names:
        raise InvalidTransition(f"{'、'.join(names)}已验收通过，不能撤销")


def apply_cancel_assignment(assignment, actor, data):
    """Each open target is cancelled through its own loop, in the same transaction."""
    from benan.core.loop import transition

    from .models import TARGET_OPEN

    for target in assignment.targets.filter(state__in=TARGET_OPEN).order_by("pk"):
        transition(target, "cancel", actor, reason=data["reason"])
    assignment.cancel_reason = data["reason"]
    assignment.cancelled_at = clock.now()
    return ["cancel_reason", "cancelled_at"]
