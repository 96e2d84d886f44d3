"""Every write of enforcement: open a case and move it through its steps, suspension orders,
criminal referrals, the credit blacklist, and the daily sweep.

State changes go through core.loop.transition (table, role, scope, row lock, audit in one
transaction); creation and the non-state edits (officers, evidence) lock and audit here.
Input is checked before anything is written, so a refused request saves nothing.
Imports from core, enterprises, hazards and this app.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse

from benan.core import audit, clock, fields, loop, notifications
from benan.core.attachments import usable
from benan.core.errors import InvalidTransition, PermissionDenied
from benan.core.models import Role, User
from benan.core.scope import get_in_scope, scope
from benan.enterprises import services as enterprise_services
from benan.enterprises.models import Enterprise
from benan.hazards.models import Hazard, Inspection

from . import guards, rules
from .models import (
    EDITABLE_STATES,
    HEADS,
    HEARING_KINDS,
    MONEY_KINDS,
    OFFICERS,
    PENALISED_STATES,
    PERSON_KINDS,
    REFERRABLE_STATES,
    SUSPENDABLE_STATES,
    BlacklistEntry,
    BlacklistReason,
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


def _url(case: EnforcementCase) -> str:
    return reverse("enforcement:detail", args=[case.pk])


def _require_role(actor, roles: frozenset, what: str) -> None:
    if actor is None or not (actor.role in roles or actor.is_admin):
        raise PermissionDenied(f"您的角色无权{what}")


def _choice(value: Any, choices, field: str, label: str) -> str:
    if value not in choices.values:
        hint = "、".join(f"{c.label}({c.value})" for c in choices)
        raise ValidationError({field: [f"{label}“{value}”不是可选值，可选：{hint}"]})
    return value


def _lock(model, actor, pk: int):
    return get_in_scope(model.objects.select_for_update(of=("self",)), actor, pk=pk)


# -- opening a case ----------------------------------------------------------------------------


def _officers(actor, region_code: str, officer_ids) -> list[User]:
    ids = sorted({int(i) for i in officer_ids})
    found = {
        u.pk: u
        for u in User.objects.filter(
            pk__in=ids, is_active=True, role__in=[Role.INSPECTOR, Role.SAFETY_OFFICE]
        ).select_related("region")
    }
    errors = []
    for pk in ids:
        user = found.get(pk)
        if user is None:
            errors.append(f"用户 {pk} 不存在或不是执法人员")
        elif user.region is None or not user.region.contains(region_code):
            errors.append(f"{user.get_full_name()}（{pk}）不管辖案件所在区县")
    if errors:
        raise ValidationError({"officer_ids": errors})
    return [found[pk] for pk in ids]


def open_case(
    *,
    actor,
    enterprise: Enterprise,
    cause: str,
    facts: str,
    origin: str,
    officer_ids=(),
    inspection_id: int | None = None,
    hazard_ids=(),
    origin_ref: str = "",
    opened_on: date | None = None,
) -> EnforcementCase:
    """立案: a case against `enterprise`, from an inspection, hazards, a power alert or directly."""
    _require_role(actor, OFFICERS, "立案")
    cause = fields.text(cause, "cause", "案由", max_length=200)
    facts = fields.text(facts, "facts", "违法事实", max_length=5000)
    origin = _choice(origin, Origin, "origin", "案件来源")
    origin_ref = fields.text(origin_ref, "origin_ref", "来源编号", max_length=64, required=False)
    opened_on = opened_on or clock.today()
    if opened_on > clock.today():
        raise ValidationError({"opened_on": ["立案日期不能晚于今天"]})
    hazard_ids = sorted({int(h) for h in hazard_ids})
    with transaction.atomic():
        enterprise = get_in_scope(Enterprise.objects.all(), actor, pk=enterprise.pk)
        inspection = None
        if inspection_id is not None:
            # Through the scope: an unannounced inspection still embargoed is not the actor's to cite.
            inspection = (
                scope(Inspection.objects.all(), actor).filter(pk=inspection_id, enterprise=enterprise).first()
            )
            if inspection is None:
                raise ValidationError({"inspection_id": [f"检查 {inspection_id} 不存在或不是对该企业的检查"]})
        hazards = list(scope(Hazard.objects.all(), actor).filter(pk__in=hazard_ids, enterprise=enterprise))
        if len(hazards) != len(hazard_ids):
            missing = sorted(set(hazard_ids) - {h.pk for h in hazards})
            raise ValidationError(
                {"hazard_ids": [f"隐患不存在或不属于该企业：{'、'.join(map(str, missing))}"]}
            )
        if origin == Origin.INSPECTION and inspection is None:
            raise ValidationError({"inspection_id": ["来源为检查发现时，必须指明来源检查"]})
        if origin == Origin.HAZARDS and not hazards:
            raise ValidationError({"hazard_ids": ["来源为隐患查处时，至少关联一条隐患"]})
        if origin == Origin.POWER_ALERT and not origin_ref:
            raise ValidationError({"origin_ref": ["来源为电力数据预警时，必须填写预警编号"]})
        officers = _officers(actor, enterprise.region_id, officer_ids)
        case = EnforcementCase.objects.create(
            number=f"tmp-{uuid.uuid4().hex}",  # replaced below, once the id is known
            enterprise=enterprise,
            region_id=enterprise.region_id,
            origin=origin,
            inspection=inspection,
            origin_ref=origin_ref,
            cause=cause,
            facts=facts,
            opened_on=opened_on,
            decision_due=opened_on + timedelta(days=rules.current().decision_days),
            created_by=actor,
        )
        # The number shows the county and year; the row id keeps it unique without a counter.
        case.number = f"{enterprise.region_id}-{opened_on.year}-{case.pk:06d}"
        case.save(update_fields=["number"])
        if officers:
            case.officers.set(officers)
        if hazards:
            case.hazards.set(hazards)
        audit.record(
            actor,
            "enforcement.enforcementcase.opened",
            case,
            number=case.number,
            enterprise=enterprise.pk,
            origin=origin,
            cause=cause,
            inspection=inspection.pk if inspection else None,
            hazards=hazard_ids,
            origin_ref=origin_ref,
            officers=[o.pk for o in officers],
            opened_on=opened_on,
        )
        notifications.notify(
            officers, title=f"您被指派办理案件 {case.number}", body=cause, url=_url(case), obj=case
        )
    return case


def assign_officers(*, actor, case: EnforcementCase, officer_ids) -> EnforcementCase:
    """Replace the officers on a case that is not yet decided."""
    _require_role(actor, OFFICERS, "指派执法人员")
    with transaction.atomic():
        locked = _lock(EnforcementCase, actor, case.pk)
        if locked.state not in EDITABLE_STATES:
            raise InvalidTransition(f"案件已{locked.get_state_display()}，不能再变更执法人员")
        officers = _officers(actor, locked.region_id, officer_ids)
        if len(officers) < rules.current().min_officers and locked.state != CaseState.OPENED:
            raise ValidationError(
                {"officer_ids": [f"调查取证开始后执法人员不得少于{rules.current().min_officers}人"]}
            )
        before = sorted(locked.officers.values_list("pk", flat=True))
        locked.officers.set(officers)
        locked.save(update_fields=["updated_at"])
        audit.record(
            actor,
            "enforcement.enforcementcase.officers_assigned",
            locked,
            officers=[[*before], [o.pk for o in officers]],
        )
        added = [o for o in officers if o.pk not in before]
        notifications.notify(
            added, title=f"您被指派办理案件 {locked.number}", body=locked.cause, url=_url(locked), obj=locked
        )
    case.refresh_from_db()
    return locked


def add_evidence(*, actor, case: EnforcementCase, attachment_ids) -> EnforcementCase:
    _require_role(actor, OFFICERS, "上传证据")
    ids = [int(i) for i in attachment_ids]
    if not ids:
        raise ValidationError({"attachments": ["请选择要添加的证据材料"]})
    with transaction.atomic():
        locked = _lock(EnforcementCase, actor, case.pk)
        if locked.state not in EDITABLE_STATES:
            raise InvalidTransition(f"案件已{locked.get_state_display()}，证据材料不能再变更")
        attachments = usable(actor, ids)
        locked.evidence.add(*attachments)
        locked.save(update_fields=["updated_at"])
        audit.record(
            actor,
            "enforcement.enforcementcase.evidence_added",
            locked,
            attachments=[a.pk for a in attachments],
            names=[a.name for a in attachments],
        )
    return locked


# -- the case loop -----------------------------------------------------------------------------


def investigate(*, actor, case: EnforcementCase) -> EnforcementCase:
    return loop.transition(case, "investigate", actor)


def hearing_right_for(kinds, fine_cny: Decimal | None) -> bool:
    """Whether the proposed penalties carry the right to a hearing."""
    if any(k in HEARING_KINDS for k in kinds):
        return True
    return fine_cny is not None and fine_cny >= rules.current().hearing_fine_threshold_cny


def _money(value: Any, field: str, label: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: [f"{label}必须是金额（元）"]}) from exc
    if not amount.is_finite():
        raise ValidationError({field: [f"{label}必须是金额（元）"]})
    if amount >= Decimal("1e12"):
        raise ValidationError({field: [f"{label}超出范围"]})
    return amount


def notify(
    *,
    actor,
    case: EnforcementCase,
    proposal: str,
    notified_on: date | None = None,
    proposed_kinds=(),
    proposed_fine_cny: Any = None,
) -> EnforcementCase:
    """告知: the proposed penalty and the party's rights (statement, and a hearing where due)."""
    proposal = fields.text(proposal, "proposal", "拟处罚内容", max_length=2000)
    kinds = [_choice(k, PenaltyKind, "proposed_kinds", "拟处罚种类") for k in proposed_kinds]
    fine = _money(proposed_fine_cny, "proposed_fine_cny", "拟罚款金额")
    if fine is not None and fine <= 0:
        raise ValidationError({"proposed_fine_cny": ["拟罚款金额必须大于 0"]})
    with transaction.atomic():
        case = loop.transition(
            case,
            "notify",
            actor,
            proposal=proposal,
            notified_on=notified_on or clock.today(),
            proposed_kinds=kinds,
            proposed_fine_cny=str(fine) if fine is not None else None,
            hearing_right=hearing_right_for(kinds, fine),
        )
        notifications.notify(
            enterprise_users(case.enterprise_id),
            title=f"行政处罚告知：案件 {case.number}",
            body=f"{proposal[:150]}。陈述申辩期限至 {case.statement_due:%Y-%m-%d}"
            + (f"，可于 {case.hearing_due:%Y-%m-%d} 前申请听证" if case.hearing_right else ""),
            url=_url(case),
            obj=case,
        )
    return case


def enterprise_users(enterprise_id: int):
    return User.objects.filter(role=Role.ENTERPRISE, enterprise_id=enterprise_id, is_active=True)


def record_statement(
    *,
    actor,
    case: EnforcementCase,
    statement: str = "",
    waived: bool = False,
    hearing_requested: bool = False,
    statement_on: date | None = None,
) -> EnforcementCase:
    statement = fields.text(statement, "statement", "陈述申辩意见", max_length=5000, required=False)
    return loop.transition(
        case,
        "statement",
        actor,
        statement=statement,
        waived=bool(waived),
        hearing_requested=bool(hearing_requested),
        statement_on=statement_on or clock.today(),
    )


def record_hearing(
    *, actor, case: EnforcementCase, record: str, held_on: date | None = None
) -> EnforcementCase:
    record = fields.text(record, "record", "听证情况", max_length=5000)
    return loop.transition(case, "hearing", actor, record=record, held_on=held_on or clock.today())


@dataclass(frozen=True)
class PenaltyIn:
    party: str
    kind: str
    basis: str
    amount: Any = None
    person_name: str = ""
    person_position: str = ""


def clean_penalties(lines: list[PenaltyIn]) -> list[dict[str, Any]]:
    """Check every line; the error names the line and the field (penalties[2].amount)."""
    r = rules.current()
    errors: dict[str, list[str]] = {}
    cleaned = []
    if not lines:
        raise ValidationError({"penalties": ["处罚决定至少要有一项处罚内容"]})
    for n, line in enumerate(lines, start=1):
        at = f"penalties[{n}]"

        def err(field: str, message: str, at=at) -> None:
            errors.setdefault(f"{at}.{field}", []).append(message)

        if not line.party:
            err("party", "必须选择处罚对象：unit（单位）或 person（个人）")
        elif line.party not in Party.values:
            err("party", f"处罚对象必须是 unit（单位）或 person（个人），收到“{line.party}”")
        if not line.kind:
            err("kind", "必须选择处罚种类")
        elif line.kind not in PenaltyKind.values:
            err("kind", f"处罚种类“{line.kind}”不是可选值，可选：{'、'.join(PenaltyKind.values)}")
        basis = r.basis(str(line.basis or "").strip())
        if not str(line.basis or "").strip():
            err("basis", "必须注明法律依据")
        elif basis is None:
            err("basis", f"法律依据“{line.basis}”不在可选清单中")
        name = str(line.person_name or "").strip()
        position = str(line.person_position or "").strip()
        if line.party == Party.PERSON:
            if not name:
                err("person_name", "对个人的处罚必须写明姓名")
            elif len(name) > 50:
                err("person_name", "姓名不能超过50个字符")
            if len(position) > 50:
                err("person_position", "职务不能超过50个字符")
            if line.kind in PenaltyKind.values and line.kind not in PERSON_KINDS:
                err("kind", f"“{PenaltyKind(line.kind).label}”只能对单位作出")
        elif line.party == Party.UNIT and (name or position):
            err("person_name", "对单位的处罚不填个人姓名和职务")
        try:
            amount = _money(line.amount, f"{at}.amount", "金额")
        except ValidationError as exc:
            errors.update(exc.message_dict)
            amount = None
        if line.kind in MONEY_KINDS:
            if amount is None:
                err("amount", f"{PenaltyKind(line.kind).label}必须填写金额")
            elif amount <= 0:
                err("amount", "金额必须大于 0")
            elif basis is not None:
                ceiling = basis.person_max_cny if line.party == Party.PERSON else basis.unit_max_cny
                if line.kind == PenaltyKind.FINE and ceiling is not None and amount > ceiling:
                    err(
                        "amount",
                        f"{basis.title}对{Party(line.party).label if line.party in Party.values else ''}"
                        f"的罚款最高 {ceiling:,.0f} 元",
                    )
        elif amount is not None and line.kind in PenaltyKind.values:
            err("amount", f"{PenaltyKind(line.kind).label}不填写金额")
        if basis is not None and line.party in Party.values and line.kind in PenaltyKind.values:
            cleaned.append(
                {
                    "party": line.party,
                    "kind": line.kind,
                    "person_name": name if line.party == Party.PERSON else "",
                    "person_position": position if line.party == Party.PERSON else "",
                    "basis_code": basis.code,
                    "basis_law": basis.law,
                    "basis_article": basis.article,
                    "basis_verified": basis.verified,
                    "amount": amount if line.kind in MONEY_KINDS else None,
                }
            )
    if errors:
        raise ValidationError(errors)
    return cleaned


def decide(
    *,
    actor,
    case: EnforcementCase,
    penalties: list[PenaltyIn],
    decision_number: str = "",
    decided_on: date | None = None,
) -> EnforcementCase:
    """决定: the penalty decision with its lines; dual penalty and the fines total follow from them."""
    lines = clean_penalties(penalties)
    decision_number = fields.text(
        decision_number, "decision_number", "决定书文号", max_length=60, required=False
    )
    with transaction.atomic():
        if not decision_number:
            region = EnforcementCase.objects.select_related("region").get(pk=case.pk).region
            decision_number = f"{region.name}应急罚〔{clock.today().year}〕{case.pk}号"
        case = loop.transition(
            case,
            "decide",
            actor,
            penalties=lines,
            decision_number=decision_number,
            decided_on=decided_on or clock.today(),
        )
        notifications.notify(
            enterprise_users(case.enterprise_id),
            title=f"行政处罚决定：{case.decision_number}",
            body=f"罚没金额 {case.fines_total} 元"
            + (f"，请于 {case.payment_due:%Y-%m-%d} 前缴纳" if case.payment_due else ""),
            url=_url(case),
            obj=case,
        )
    return case


def execute(
    *, actor, case: EnforcementCase, execution: str, paid_cny: Any = None, executed_on: date | None = None
) -> EnforcementCase:
    execution = fields.text(execution, "execution", "执行情况", max_length=2000)
    paid = _money(paid_cny, "paid_cny", "已缴金额")
    return loop.transition(
        case, "execute", actor, execution=execution, paid_cny=paid, executed_on=executed_on or clock.today()
    )


def close(*, actor, case: EnforcementCase, report: str, closed_on: date | None = None) -> EnforcementCase:
    report = fields.text(report, "report", "结案报告", max_length=5000)
    return loop.transition(case, "close", actor, report=report, closed_on=closed_on or clock.today())


def withdraw(*, actor, case: EnforcementCase, reason: str) -> EnforcementCase:
    reason = fields.text(reason, "reason", "撤销理由", max_length=500)
    return loop.transition(case, "withdraw", actor, reason=reason)


# -- suspension orders -------------------------------------------------------------------------


def order_suspension(
    *, actor, case: EnforcementCase, start_date: date, scope: str, lifting_conditions: str
) -> SuspensionOrder:
    """责令停产停业整顿 from `start_date`: the enterprise's timeline says suspended from that day."""
    _require_role(actor, OFFICERS, "责令停产停业整顿")
    scope = fields.text(scope, "scope", "停产整顿范围", max_length=300)
    lifting_conditions = fields.text(
        lifting_conditions, "lifting_conditions", "恢复生产条件", max_length=2000
    )
    if start_date is None:
        raise ValidationError({"start_date": ["必须填写停产整顿起始日期"]})
    with transaction.atomic():
        locked = _lock(EnforcementCase, actor, case.pk)
        if locked.state not in SUSPENDABLE_STATES:
            raise InvalidTransition(f"案件当前“{locked.get_state_display()}”，不能责令停产停业整顿")
        if start_date < locked.opened_on:
            raise ValidationError(
                {"start_date": [f"起始日期不能早于立案日期 {locked.opened_on.isoformat()}"]}
            )
        # Orders for one enterprise queue on its row, so a second one sees the first (never
        # two in force, even when two offices order at the same moment).
        Enterprise.objects.select_for_update(of=("self",)).get(pk=locked.enterprise_id)
        existing = (
            SuspensionOrder.objects.select_for_update()
            .filter(enterprise_id=locked.enterprise_id, state=SuspensionState.IN_FORCE)
            .first()
        )
        if existing is not None:
            raise InvalidTransition(
                f"该企业已有生效的停产整顿令 {existing.number}（自 {existing.start_date.isoformat()} 起），"
                "不能重复下达；请先解除原令"
            )
        suspension = enterprise_services.begin_suspension(
            actor=actor,
            enterprise=locked.enterprise,
            start_date=start_date,
            reason=f"责令停产停业整顿（案件 {locked.number}）",
        )
        order = SuspensionOrder.objects.create(
            case=locked,
            enterprise_id=locked.enterprise_id,
            region_id=locked.region_id,
            number=f"tmp-{uuid.uuid4().hex}",
            start_date=start_date,
            scope=scope,
            lifting_conditions=lifting_conditions,
            period=suspension.period,
            resume_status=suspension.resume_status,
            ordered_by=actor,
        )
        order.number = f"{locked.region.name}应急责停〔{start_date.year}〕{order.pk}号"
        order.save(update_fields=["number"])
        audit.record(
            actor,
            "enforcement.suspensionorder.ordered",
            order,
            case=locked.pk,
            number=order.number,
            enterprise=locked.enterprise_id,
            start_date=start_date,
            scope=scope,
            lifting_conditions=lifting_conditions,
            period=suspension.period.pk,
            adopted_registry_period=suspension.adopted,
        )
        notifications.notify(
            enterprise_users(locked.enterprise_id),
            title=f"责令停产停业整顿：自 {start_date:%Y-%m-%d} 起",
            body=f"{order.number}；范围：{scope}",
            url=_url(locked),
            obj=locked,
        )
    return order


def lift_suspension(
    *,
    actor,
    order: SuspensionOrder,
    inspection_id: int | None,
    lifted_on: date | None = None,
    comment: str = "",
) -> SuspensionOrder:
    """Lift after a verification inspection: the suspended period ends the day before `lifted_on`."""
    comment = fields.text(comment, "comment", "复查意见", max_length=500, required=False)
    inspection = None
    if inspection_id is not None:
        # Looked up in the actor's scope: an id elsewhere reads as missing, not as someone else's.
        inspection = scope(Inspection.objects.all(), actor).filter(pk=inspection_id).first()
        if inspection is None:
            raise ValidationError({"inspection_id": [f"检查 {inspection_id} 不存在"]})
    return loop.transition(
        order, "lift", actor, inspection=inspection, lifted_on=lifted_on or clock.today(), comment=comment
    )


# -- criminal referrals ------------------------------------------------------------------------


def refer(
    *, actor, case: EnforcementCase, category: str, report: str, reported_on: date | None = None
) -> CriminalReferral:
    """The case team reports a suspected crime (涉嫌犯罪); the head must decide within the deadline."""
    _require_role(actor, OFFICERS, "提出移送")
    category = _choice(category, ReferralCategory, "category", "涉嫌犯罪类别")
    report = fields.text(report, "report", "移送报告", max_length=5000)
    reported_on = reported_on or clock.today()
    if reported_on > clock.today():
        raise ValidationError({"reported_on": ["报告日期不能晚于今天"]})
    r = rules.current()
    with transaction.atomic():
        locked = _lock(EnforcementCase, actor, case.pk)
        if locked.state not in REFERRABLE_STATES:
            raise InvalidTransition(f"案件当前“{locked.get_state_display()}”，不能提出移送")
        team = locked.officers.count()
        if team < r.referral_min_team:
            raise InvalidTransition(
                f"移送须由{r.referral_min_team}名以上执法人员组成专案组，本案现有{team}人"
            )
        if locked.referrals.exclude(state__in=["not_approved", "declined"]).exists():
            raise InvalidTransition("本案已有在办或已移送的移送记录")
        referral = CriminalReferral.objects.create(
            case=locked,
            region_id=locked.region_id,
            category=category,
            report=report,
            reported_on=reported_on,
            decision_due=reported_on + timedelta(days=r.referral_decide_days),
            created_by=actor,
        )
        audit.record(
            actor,
            "enforcement.criminalreferral.reported",
            referral,
            case=locked.pk,
            category=category,
            reported_on=reported_on,
        )
        heads = User.objects.filter(
            role=Role.SAFETY_OFFICE, region_id__in=[locked.region_id, locked.region.parent_id], is_active=True
        )
        notifications.notify(
            heads,
            title=f"涉嫌犯罪案件移送待审批（{referral.decision_due:%Y-%m-%d} 前）",
            body=f"{locked.number} {ReferralCategory(category).label}",
            url=_url(locked),
            obj=locked,
        )
    return referral


def approve_referral(*, actor, referral: CriminalReferral) -> CriminalReferral:
    return loop.transition(referral, "approve", actor)


def refuse_referral(*, actor, referral: CriminalReferral, reason: str) -> CriminalReferral:
    reason = fields.text(reason, "reason", "不予移送的理由", max_length=500)
    return loop.transition(referral, "refuse", actor, reason=reason)


def transfer_referral(*, actor, referral: CriminalReferral, receiving_organ: str) -> CriminalReferral:
    receiving_organ = fields.text(receiving_organ, "receiving_organ", "接收的公安机关", max_length=100)
    return loop.transition(referral, "transfer", actor, receiving_organ=receiving_organ)


def record_referral_result(
    *, actor, referral: CriminalReferral, accepted: bool, result: str, feedback_on: date | None = None
) -> CriminalReferral:
    result = fields.text(result, "result", "公安机关的处理结果", max_length=500)
    return loop.transition(
        referral,
        "accepted" if accepted else "declined",
        actor,
        result=result,
        feedback_on=feedback_on or clock.today(),
    )


# -- the credit blacklist ----------------------------------------------------------------------


def blacklist(
    *, actor, case: EnforcementCase, reason_kind: str, reason: str, entry_date: date | None = None
) -> BlacklistEntry:
    """列入严重失信主体名单 by the department that decided the penalty (谁处罚、谁决定)."""
    _require_role(actor, HEADS, "列入严重失信主体名单")
    reason_kind = _choice(reason_kind, BlacklistReason, "reason_kind", "列入情形")
    reason = fields.text(reason, "reason", "列入理由", max_length=500)
    entry_date = entry_date or clock.today()
    if entry_date > clock.today():
        raise ValidationError({"entry_date": ["列入日期不能晚于今天"]})
    r = rules.current()
    with transaction.atomic():
        locked = _lock(EnforcementCase, actor, case.pk)
        if locked.state not in PENALISED_STATES:
            raise InvalidTransition("列入严重失信主体名单须以作出行政处罚决定为前提，本案尚未作出决定")
        if entry_date < locked.decided_on:
            raise ValidationError(
                {"entry_date": [f"列入日期不能早于处罚决定日期 {locked.decided_on.isoformat()}"]}
            )
        enterprise = Enterprise.objects.select_for_update(of=("self",)).get(pk=locked.enterprise_id)
        active = BlacklistEntry.objects.filter(
            enterprise=enterprise, state__in=["listed", "exit_applied"]
        ).first()
        if active is not None:
            raise InvalidTransition(
                f"该企业已在严重失信主体名单中（{active.entry_date.isoformat()} 列入，至 "
                f"{active.planned_exit_date.isoformat()}）"
            )
        entry = BlacklistEntry.objects.create(
            enterprise=enterprise,
            region_id=enterprise.region_id,
            case=locked,
            reason_kind=reason_kind,
            reason=reason,
            entry_date=entry_date,
            planned_exit_date=guards.add_months(entry_date, 12 * r.blacklist_years),
            listed_by=actor,
        )
        audit.record(
            actor,
            "enforcement.blacklistentry.listed",
            entry,
            enterprise=enterprise.pk,
            case=locked.pk,
            reason_kind=reason_kind,
            reason=reason,
            entry_date=entry_date,
            planned_exit_date=entry.planned_exit_date,
        )
        notifications.notify(
            enterprise_users(enterprise.pk),
            title="本企业被列入安全生产严重失信主体名单",
            body=reason,
            url=_url(locked),
            obj=locked,
        )
    return entry


def apply_exit(*, actor, entry: BlacklistEntry, application: str) -> BlacklistEntry:
    application = fields.text(application, "application", "申请理由和信用修复情况", max_length=2000)
    return loop.transition(entry, "apply_exit", actor, application=application)


def approve_exit(*, actor, entry: BlacklistEntry, comment: str = "") -> BlacklistEntry:
    comment = fields.text(comment, "comment", "意见", max_length=500, required=False)
    return loop.transition(entry, "approve_exit", actor, comment=comment)


def reject_exit(*, actor, entry: BlacklistEntry, comment: str) -> BlacklistEntry:
    comment = fields.text(comment, "comment", "驳回理由", max_length=500)
    return loop.transition(entry, "reject_exit", actor, comment=comment, comment_required=True)


# -- the daily sweep ---------------------------------------------------------------------------


def _offices_for(region) -> list[User]:
    """The safety offices of a county and of its city: the level that handles and the level above."""
    return list(
        User.objects.filter(
            role=Role.SAFETY_OFFICE, region_id__in=[region.pk, region.parent_id], is_active=True
        )
    )


def sweep(*, today: date | None = None) -> dict[str, int]:
    """The daily sweep, safe to run concurrently and repeatedly:

    - 期满移出: blacklist entries whose term has ended leave the list;
    - a case still undecided after its deadline (办案期限) is escalated once per deadline to its
      officers and the offices of its county and city;
    - a referral not decided within its days, or approved and not transferred within its hours,
      is escalated once each to the offices.
    """
    from .queries import case_overdue_q

    today = today or clock.today()
    result = {"blacklist_expired": 0, "cases_escalated": 0, "referrals_escalated": 0}
    due = BlacklistEntry.objects.filter(
        state__in=[BlacklistState.LISTED, BlacklistState.EXIT_APPLIED], planned_exit_date__lte=today
    ).values_list("pk", flat=True)
    for pk in list(due):
        try:
            loop.transition(BlacklistEntry.objects.get(pk=pk), "expire", None)
        except InvalidTransition:
            continue  # someone else moved it meanwhile
        result["blacklist_expired"] += 1
    late = EnforcementCase.objects.filter(case_overdue_q(today)).exclude(escalated_due=F("decision_due"))
    for case in late.select_related("region").iterator(chunk_size=500):
        with transaction.atomic():
            # Compare-and-swap: only the sweeper that sets the marker notifies.
            if not EnforcementCase.objects.filter(pk=case.pk, escalated_due=case.escalated_due).update(
                escalated_due=case.decision_due
            ):
                continue
            days = (today - case.decision_due).days
            audit.record(
                None,
                "enforcement.enforcementcase.escalated",
                case,
                decision_due=case.decision_due,
                days_overdue=days,
            )
            notifications.notify(
                [*case.officers.all(), *_offices_for(case.region)],
                title=f"案件超过办案期限 {days} 天：{case.number}",
                body=case.cause,
                url=_url(case),
                obj=case,
            )
            result["cases_escalated"] += 1
    now = clock.now()
    candidates = CriminalReferral.objects.filter(
        Q(state=ReferralState.REPORTED, decision_due__lt=today)
        | Q(state=ReferralState.APPROVED, transfer_due__lt=now)
    ).select_related("region", "case")
    for referral in candidates:
        mark = "decision" if referral.state == ReferralState.REPORTED else "transfer"
        if referral.escalated.endswith(mark):
            continue
        with transaction.atomic():
            if not CriminalReferral.objects.filter(pk=referral.pk, escalated=referral.escalated).update(
                escalated=mark
            ):
                continue
            what = "审批" if mark == "decision" else "移送"
            audit.record(None, "enforcement.criminalreferral.escalated", referral, late=mark)
            notifications.notify(
                _offices_for(referral.region),
                title=f"涉嫌犯罪案件{what}逾期：{referral.case.number}",
                body=referral.get_category_display(),
                url=_url(referral.case),
                obj=referral.case,
            )
            result["referrals_escalated"] += 1
    return result
