"""The rules of the hazard loop: guards refuse a move, effects fill in what a move records.

Called by core.loop.transition on the locked row, with `data` already typed by services.py.
Guards raise ValidationError (422: bad input, naming the field) or a DomainError (403/409).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from benan.core import clock
from benan.core.errors import InvalidTransition, PermissionDenied
from benan.core.models import Role

# 重大事故隐患治理方案的五落实：措施、责任、资金、时限、预案
PLAN_ELEMENTS = {
    "measures": "治理措施",
    "responsibility": "责任人",
    "funding": "治理资金",
    "deadline": "治理时限",
    "contingency": "应急预案",
}


def _require_text(data: dict, field: str, label: str) -> None:
    if not str(data.get(field) or "").strip():
        raise ValidationError({field: [f"必须填写{label}"]})


def awaits_publication(hazard) -> bool:
    """An unannounced inspection's hazard stays reported until the inspection is published: the
    enterprise cannot be given a deadline (or be notified) about what it may not see yet."""
    return hazard.embargo_region_id is not None


def confirm(hazard, actor, data) -> None:
    from .models import Grade, Source

    if awaits_publication(hazard):
        raise InvalidTransition("该隐患来自尚未公开的暗访检查，须先公开暗访结果，再确认隐患、下达整改期限")
    grade, criterion, due_date = data.get("grade"), data.get("criterion"), data.get("due_date")
    errors: dict[str, list[str]] = {}
    if grade not in Grade.values:
        errors["grade"] = [f"等级必须是 general（一般事故隐患）或 major（重大事故隐患），收到“{grade}”"]
    if (
        actor is not None
        and actor.role == Role.ENTERPRISE
        and (hazard.source != Source.SELF or grade != Grade.GENERAL)
    ):
        raise PermissionDenied("企业只能确认本企业自查发现的一般事故隐患；重大事故隐患须由监管部门确认")
    if due_date is None:
        errors["due_date"] = ["必须填写整改期限"]
    elif due_date < clock.today():
        errors["due_date"] = [f"整改期限 {due_date.isoformat()} 早于今天"]
    if grade == Grade.MAJOR:
        if criterion is None:
            errors["criterion"] = ["重大事故隐患必须注明判定依据（重大事故隐患判定标准条款）"]
        plan = data.get("plan") or {}
        missing = [label for key, label in PLAN_ELEMENTS.items() if not str(plan.get(key) or "").strip()]
        if missing:
            errors["plan"] = [f"重大事故隐患治理方案须落实五要素，缺少：{'、'.join(missing)}"]
    elif grade == Grade.GENERAL and hazard.criterion_id:
        errors["grade"] = [
            f"该隐患依据判定标准条款 {hazard.criterion_id} 发现，应为重大事故隐患；如判断有误请不予确认"
        ]
    elif grade == Grade.GENERAL and criterion is not None:
        errors["criterion"] = [
            "一般事故隐患不引用重大事故隐患判定标准条款；符合条款情形的应判定为重大事故隐患"
        ]
    if errors:
        raise ValidationError(errors)


def apply_confirm(hazard, actor, data):
    hazard.grade = data["grade"]
    hazard.criterion = data.get("criterion")
    hazard.due_date = data["due_date"]
    hazard.plan = data.get("plan") or {}
    hazard.confirmed_by = actor
    hazard.confirmed_at = clock.now()
    return ["grade", "criterion", "due_date", "plan", "confirmed_by", "confirmed_at"]


def dismiss(hazard, actor, data) -> None:
    _require_text(data, "reason", "不予确认的理由")


def apply_dismiss(hazard, actor, data):
    hazard.dismissed_reason = data["reason"].strip()
    return ["dismissed_reason"]


def submit(hazard, actor, data) -> None:
    _require_text(data, "description", "整改情况说明")
    if not data.get("attachments"):
        raise ValidationError({"attachments": ["至少上传一份整改证据（照片或 PDF）"]})


def apply_submit(hazard, actor, data):
    from .models import Rectification

    rectification = Rectification.objects.create(
        hazard=hazard, description=data["description"].strip(), submitted_by=actor
    )
    rectification.attachments.set(data["attachments"])
    data["rectification"] = rectification.pk  # recorded in the audit entry
    return []


def _pending(hazard):
    from .models import Rectification

    return hazard.rectifications.filter(outcome=Rectification.Outcome.PENDING).order_by("-id").first()


def verify(hazard, actor, data) -> None:
    pending = _pending(hazard)
    if pending is not None and actor is not None and pending.submitted_by_id == actor.pk:
        raise PermissionDenied("验收人不能是整改提交人")


def _review(hazard, actor, data, outcome) -> None:
    pending = _pending(hazard)
    if pending is not None:
        pending.outcome, pending.reviewed_by = outcome, actor
        pending.reviewed_at, pending.comment = clock.now(), (data.get("comment") or "").strip()
        pending.save(update_fields=["outcome", "reviewed_by", "reviewed_at", "comment"])


def apply_verify(hazard, actor, data):
    from .models import Rectification

    _review(hazard, actor, data, Rectification.Outcome.ACCEPTED)
    hazard.verified_by, hazard.closed_at = actor, clock.now()
    return ["verified_by", "closed_at"]


def reject(hazard, actor, data) -> None:
    _require_text(data, "comment", "退回意见")
    verify(hazard, actor, data)


def apply_reject(hazard, actor, data):
    from .models import Rectification

    _review(hazard, actor, data, Rectification.Outcome.REJECTED)
    return []


def delist(listing, actor, data) -> None:
    from .models import HazardState

    if listing.hazard.state != HazardState.CLOSED:
        raise InvalidTransition(f"隐患尚未验收销号（当前“{listing.hazard.get_state_display()}”），不能摘牌")
    if actor is not None and not actor.is_admin and actor.region_id != listing.office_region_id:
        raise PermissionDenied("只有挂牌督办的单位可以摘牌")


def apply_delist(listing, actor, data):
    listing.delisted_by, listing.delisted_at = actor, clock.now()
    listing.delist_comment = (data.get("comment") or "").strip()
    return ["delisted_by", "delisted_at", "delist_comment"]


def publish(inspection, actor, data) -> None:
    # The data scope already hides the inspection from anyone below its office; said here too,
    # because this is the rule: only the office that made the 暗访, or one above it, publishes.
    if actor is None or actor.is_admin:
        return
    if actor.region_id is None or not actor.region.contains(inspection.office_region_id):
        raise PermissionDenied("只有实施暗访的单位或其上级单位可以公开暗访结果")


def apply_publish(inspection, actor, data):
    from .models import Hazard

    # One UPDATE for all its hazards, in the transaction that holds the inspection's lock; the
    # count goes into the audit entry.
    data["hazards"] = Hazard.objects.filter(inspection=inspection).update(
        embargo_region=None, updated_at=clock.now()
    )
    inspection.embargo_region = None
    inspection.published_by, inspection.published_at = actor, clock.now()
    return ["embargo_region", "published_by", "published_at"]
