"""Enforcement endpoints: cases (one endpoint per action), statistics, documents, suspension
orders, criminal referrals, the blacklist (the public list needs no login) and the legal bases."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils.timezone import localtime
from ninja import Query, Router, Schema
from ninja.responses import Status as HttpStatus
from pydantic import ConfigDict, Field

from benan.core.api import HistoryOut, StatsPeriod, history_rows
from benan.core.pagination import paginate
from benan.core.scope import get_in_scope
from benan.enterprises import queries as enterprise_queries

from . import documents, queries, rules, services
from .models import BlacklistEntry, CriminalReferral, EnforcementCase, SuspensionOrder

router = Router(tags=["行政执法"])

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


# -- shapes ------------------------------------------------------------------------------------


class PenaltyOut(Schema):
    party: str
    person_name: str
    person_position: str
    kind: str
    kind_label: str
    basis: str
    basis_title: str
    basis_verified: bool
    amount: Decimal | None


class SuspensionOut(Schema):
    id: int
    number: str
    case_id: int
    enterprise_id: int
    enterprise_name: str
    region_code: str
    state: str
    state_label: str
    start_date: date
    scope: str
    lifting_conditions: str
    resume_status: str
    verification_inspection_id: int | None
    lifted_on: date | None
    lift_comment: str
    actions: list[str]


class ReferralOut(Schema):
    id: int
    case_id: int
    case_number: str
    enterprise_name: str
    region_code: str
    category: str
    category_label: str
    state: str
    state_label: str
    report: str
    reported_on: date
    decision_due: date
    decision_overdue: bool
    decided_on: date | None
    decision_reason: str
    transfer_due: datetime | None
    transfer_overdue: bool
    receiving_organ: str
    transferred_at: datetime | None
    feedback_due: date | None
    feedback_on: date | None
    result: str
    actions: list[str]


class BlacklistOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    uscc: str
    region_code: str
    case_id: int | None
    reason_kind: str
    reason_kind_label: str
    reason_verified: bool
    reason: str
    state: str
    state_label: str
    entry_date: date
    planned_exit_date: date
    active: bool
    exit_application: str
    exit_applied_on: date | None
    exited_on: date | None
    exit_comment: str
    actions: list[str]


class PublicBlacklistOut(Schema):
    enterprise_name: str
    uscc: str
    reason_kind_label: str
    reason: str
    entry_date: date
    planned_exit_date: date


class CaseOut(Schema):
    id: int
    number: str
    enterprise_id: int
    enterprise_name: str
    region_code: str
    origin: str
    cause: str
    state: str
    state_label: str
    opened_on: date
    decision_due: date
    overdue: bool
    dual_penalty: bool
    fines_total: Decimal


class CaseDetail(CaseOut):
    facts: str
    origin_ref: str
    inspection_id: int | None
    hazard_ids: list[int]
    officers: list[dict]
    evidence: list[int]
    notified_on: date | None
    proposal: str
    hearing_right: bool
    statement_due: date | None
    hearing_due: date | None
    statement: str
    statement_on: date | None
    statement_waived: bool
    hearing_requested: bool
    hearing_held_on: date | None
    hearing_record: str
    decision_number: str
    decided_on: date | None
    decided_by: str | None
    payment_due: date | None
    penalties: list[PenaltyOut]
    executed_on: date | None
    execution: str
    paid_cny: Decimal | None
    closed_on: date | None
    closing_report: str
    withdrawn_reason: str
    suspensions: list[SuspensionOut]
    referrals: list[ReferralOut]
    blacklist_entries: list[BlacklistOut]
    actions: list[str]


class CasePage(Schema):
    items: list[CaseOut]
    count: int
    page: int
    page_size: int


class CaseQuery(Schema):
    state: str | None = None
    region: str | None = Field(None, max_length=6)
    enterprise: int | None = None
    origin: str | None = None
    year: int | None = None
    dual_penalty: bool | None = None
    overdue: bool | None = None
    q: str | None = Field(None, max_length=100)
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=100)


class StatsOut(Schema):
    cases: int
    dual_penalty: int
    suspensions: int
    referrals: int
    fines_total_cny: Decimal
    blacklisted: int


class LegalBasisOut(Schema):
    code: str
    law: str
    article: str
    title: str
    summary: str
    unit_max_cny: Decimal | None
    person_max_cny: Decimal | None
    verified: bool
    note: str


class OpenIn(Strict):
    enterprise_id: int
    cause: str = Field(max_length=200, description="案由")
    facts: str = Field(max_length=5000, description="违法事实")
    origin: str = Field(max_length=20, description="inspection | hazards | power_alert | direct")
    officer_ids: list[int] = Field(default_factory=list, max_length=20, description="执法人员（用户 id）")
    inspection_id: int | None = None
    hazard_ids: list[int] = Field(default_factory=list, max_length=200)
    origin_ref: str = Field("", max_length=64, description="电力预警编号等")
    opened_on: date | None = None


class OfficersIn(Strict):
    officer_ids: list[int] = Field(max_length=20)


class EvidenceIn(Strict):
    attachments: list[int] = Field(max_length=50)


class NotifyIn(Strict):
    proposal: str = Field(max_length=2000, description="拟处罚内容")
    notified_on: date | None = None
    proposed_kinds: list[str] = Field(default_factory=list, max_length=10)
    proposed_fine_cny: Decimal | None = Field(None, description="拟罚款总额（元），决定是否享有听证权利")


class StatementIn(Strict):
    statement: str = Field("", max_length=5000)
    waived: bool = False
    hearing_requested: bool = False
    statement_on: date | None = None


class HearingIn(Strict):
    record: str = Field(max_length=5000)
    held_on: date | None = None


class PenaltyIn(Strict):
    party: str = Field(max_length=10, description="unit | person")
    kind: str = Field(max_length=20)
    basis: str = Field(max_length=40, description="法律依据编号，见 /api/v1/legal-bases")
    amount: Decimal | None = None
    person_name: str = Field("", max_length=50)
    person_position: str = Field("", max_length=50)


class DecideIn(Strict):
    penalties: list[PenaltyIn] = Field(max_length=20)
    decision_number: str = Field("", max_length=60)
    decided_on: date | None = Field(None, description="默认今天；补录纸质案卷时填实际决定日期")


class ExecuteIn(Strict):
    execution: str = Field(max_length=2000)
    paid_cny: Decimal | None = None
    executed_on: date | None = None


class CloseIn(Strict):
    report: str = Field(max_length=5000)
    closed_on: date | None = None


class ReasonIn(Strict):
    reason: str = Field(max_length=500)


class SuspendIn(Strict):
    start_date: date
    scope: str = Field(max_length=300)
    lifting_conditions: str = Field(max_length=2000)


class LiftIn(Strict):
    inspection_id: int | None = None
    lifted_on: date | None = None
    comment: str = Field("", max_length=500)


class ReferIn(Strict):
    category: str = Field(max_length=30)
    report: str = Field(max_length=5000)
    reported_on: date | None = None


class TransferIn(Strict):
    receiving_organ: str = Field(max_length=100)


class ResultIn(Strict):
    accepted: bool
    result: str = Field(max_length=500)
    feedback_on: date | None = None


class BlacklistIn(Strict):
    reason_kind: str = Field(max_length=30)
    reason: str = Field(max_length=500)
    entry_date: date | None = None


class ApplicationIn(Strict):
    application: str = Field(max_length=2000)


class CommentIn(Strict):
    comment: str = Field("", max_length=500)


# -- conversions -------------------------------------------------------------------------------


def _suspension_out(order: SuspensionOrder, user) -> dict:
    return {
        "id": order.pk,
        "number": order.number,
        "case_id": order.case_id,
        "enterprise_id": order.enterprise_id,
        "enterprise_name": order.enterprise.name,
        "region_code": order.region_id,
        "state": order.state,
        "state_label": order.get_state_display(),
        "start_date": order.start_date,
        "scope": order.scope,
        "lifting_conditions": order.lifting_conditions,
        "resume_status": order.resume_status,
        "verification_inspection_id": order.verification_id,
        "lifted_on": order.lifted_on,
        "lift_comment": order.lift_comment,
        "actions": [t.action for t in SuspensionOrder.LOOP.available(order, user)],
    }


def _referral_out(referral: CriminalReferral, user) -> dict:
    now = localtime()
    return {
        "id": referral.pk,
        "case_id": referral.case_id,
        "case_number": referral.case.number,
        "enterprise_name": referral.case.enterprise.name,
        "region_code": referral.region_id,
        "category": referral.category,
        "category_label": referral.get_category_display(),
        "state": referral.state,
        "state_label": referral.get_state_display(),
        "report": referral.report,
        "reported_on": referral.reported_on,
        "decision_due": referral.decision_due,
        "decision_overdue": queries.referral_decision_overdue(referral),
        "decided_on": referral.decided_on,
        "decision_reason": referral.decision_reason,
        "transfer_due": localtime(referral.transfer_due) if referral.transfer_due else None,
        "transfer_overdue": queries.referral_transfer_overdue(referral, now),
        "receiving_organ": referral.receiving_organ,
        "transferred_at": localtime(referral.transferred_at) if referral.transferred_at else None,
        "feedback_due": referral.feedback_due,
        "feedback_on": referral.feedback_on,
        "result": referral.result,
        "actions": [t.action for t in CriminalReferral.LOOP.available(referral, user)],
    }


def _blacklist_out(entry: BlacklistEntry, user) -> dict:
    from .models import UNVERIFIED_REASONS

    return {
        "id": entry.pk,
        "enterprise_id": entry.enterprise_id,
        "enterprise_name": entry.enterprise.name,
        "uscc": entry.enterprise.uscc,
        "region_code": entry.region_id,
        "case_id": entry.case_id,
        "reason_kind": entry.reason_kind,
        "reason_kind_label": entry.get_reason_kind_display(),
        "reason_verified": entry.reason_kind not in UNVERIFIED_REASONS,
        "reason": entry.reason,
        "state": entry.state,
        "state_label": entry.get_state_display(),
        "entry_date": entry.entry_date,
        "planned_exit_date": entry.planned_exit_date,
        "active": queries.blacklist_active(entry),
        "exit_application": entry.exit_application,
        "exit_applied_on": entry.exit_applied_on,
        "exited_on": entry.exited_on,
        "exit_comment": entry.exit_comment,
        "actions": [t.action for t in BlacklistEntry.LOOP.available(entry, user) if t.action != "expire"],
    }


def _case_out(case: EnforcementCase) -> dict:
    return {
        "id": case.pk,
        "number": case.number,
        "enterprise_id": case.enterprise_id,
        "enterprise_name": case.enterprise.name,
        "region_code": case.region_id,
        "origin": case.origin,
        "cause": case.cause,
        "state": case.state,
        "state_label": case.get_state_display(),
        "opened_on": case.opened_on,
        "decision_due": case.decision_due,
        "overdue": queries.case_overdue(case),
        "dual_penalty": case.dual_penalty,
        "fines_total": case.fines_total,
    }


def _case_detail(request, pk: int) -> dict:
    user = request.auth
    case = queries.case_detail(user, pk)
    return {
        **_case_out(case),
        "facts": case.facts,
        "origin_ref": case.origin_ref,
        "inspection_id": case.inspection_id,
        "hazard_ids": sorted(case.hazards.values_list("pk", flat=True)),
        "officers": [{"id": o.pk, "name": o.get_full_name(), "role": o.role} for o in case.officers.all()],
        "evidence": sorted(case.evidence.values_list("pk", flat=True)),
        "notified_on": case.notified_on,
        "proposal": case.proposal,
        "hearing_right": case.hearing_right,
        "statement_due": case.statement_due,
        "hearing_due": case.hearing_due,
        "statement": case.statement,
        "statement_on": case.statement_on,
        "statement_waived": case.statement_waived,
        "hearing_requested": case.hearing_requested,
        "hearing_held_on": case.hearing_held_on,
        "hearing_record": case.hearing_record,
        "decision_number": case.decision_number,
        "decided_on": case.decided_on,
        "decided_by": str(case.decided_by) if case.decided_by_id else None,
        "payment_due": case.payment_due,
        "penalties": [
            {
                "party": p.party,
                "person_name": p.person_name,
                "person_position": p.person_position,
                "kind": p.kind,
                "kind_label": p.get_kind_display(),
                "basis": p.basis_code,
                "basis_title": p.basis_title,
                "basis_verified": p.basis_verified,
                "amount": p.amount,
            }
            for p in case.penalties.all()
        ],
        "executed_on": case.executed_on,
        "execution": case.execution,
        "paid_cny": case.paid_cny,
        "closed_on": case.closed_on,
        "closing_report": case.closing_report,
        "withdrawn_reason": case.withdrawn_reason,
        "suspensions": [_suspension_out(o, user) for o in case.suspensions.select_related("enterprise")],
        "referrals": [_referral_out(r, user) for r in queries.referrals_of(case, user)],
        "blacklist_entries": [
            _blacklist_out(e, user) for e in case.blacklist_entries.select_related("enterprise")
        ],
        "actions": queries.case_actions(case, user),
    }


def _case(request, case_id: int) -> EnforcementCase:
    return queries.case_detail(request.auth, case_id)


# -- cases -------------------------------------------------------------------------------------


@router.get("/legal-bases", response=list[LegalBasisOut], summary="可引用的法律依据")
def legal_bases(request):
    return [{**b.__dict__, "title": b.title} for b in rules.current().legal_bases.values()]


@router.get("/cases", response=CasePage, summary="执法案件列表")
def list_cases(request, filters: Query[CaseQuery]):
    queryset = queries.cases(
        request.auth,
        queries.CaseFilter(
            state=filters.state,
            region=filters.region,
            enterprise=filters.enterprise,
            origin=filters.origin,
            year=filters.year,
            dual_penalty=filters.dual_penalty,
            overdue=filters.overdue,
            q=filters.q,
        ),
    ).select_related("enterprise")
    return paginate(queryset, page=filters.page, size=filters.page_size).as_dict(_case_out)


@router.post("/cases", response={201: CaseDetail}, summary="立案")
def open_case(request, payload: OpenIn):
    enterprise = enterprise_queries.get_enterprise(request.auth, payload.enterprise_id)
    case = services.open_case(
        actor=request.auth,
        enterprise=enterprise,
        cause=payload.cause,
        facts=payload.facts,
        origin=payload.origin,
        officer_ids=payload.officer_ids,
        inspection_id=payload.inspection_id,
        hazard_ids=payload.hazard_ids,
        origin_ref=payload.origin_ref,
        opened_on=payload.opened_on,
    )
    return HttpStatus(201, _case_detail(request, case.pk))


@router.get("/cases/stats", response=StatsOut, summary="执法统计")
def case_stats(request, period: Query[StatsPeriod], region: str | None = Query(None, max_length=6)):
    return queries.stats(request.auth, region=region, period=period.resolve())


@router.get("/cases/{int:case_id}", response=CaseDetail, summary="案件详情")
def get_case(request, case_id: int):
    return _case_detail(request, case_id)


@router.get("/cases/{int:case_id}/history", response=list[HistoryOut], summary="案件办理记录")
def case_history(request, case_id: int):
    case = _case(request, case_id)
    return history_rows(queries.history(case, request.auth))


@router.get("/cases/{int:case_id}/decision.docx", summary="行政处罚决定书（.docx）", response={200: None})
def decision_document(request, case_id: int):
    case = _case(request, case_id)
    return _docx(documents.penalty_decision(case), f"penalty-decision-{case.number}.docx")


@router.post("/cases/{int:case_id}/officers", response=CaseDetail, summary="指派执法人员")
def assign_officers(request, case_id: int, payload: OfficersIn):
    services.assign_officers(
        actor=request.auth, case=_case(request, case_id), officer_ids=payload.officer_ids
    )
    return _case_detail(request, case_id)


@router.post("/cases/{int:case_id}/evidence", response=CaseDetail, summary="添加证据材料")
def add_evidence(request, case_id: int, payload: EvidenceIn):
    services.add_evidence(
        actor=request.auth, case=_case(request, case_id), attachment_ids=payload.attachments
    )
    return _case_detail(request, case_id)


@router.post("/cases/{int:case_id}/investigate", response=CaseDetail, summary="开始调查取证")
def investigate(request, case_id: int):
    services.investigate(actor=request.auth, case=_case(request, case_id))
    return _case_detail(request, case_id)


@router.post("/cases/{int:case_id}/notify", response=CaseDetail, summary="告知（陈述申辩、听证权利）")
def notify(request, case_id: int, payload: NotifyIn):
    services.notify(
        actor=request.auth,
        case=_case(request, case_id),
        proposal=payload.proposal,
        notified_on=payload.notified_on,
        proposed_kinds=payload.proposed_kinds,
        proposed_fine_cny=payload.proposed_fine_cny,
    )
    return _case_detail(request, case_id)


@router.post("/cases/{int:case_id}/statement", response=CaseDetail, summary="记录陈述申辩")
def statement(request, case_id: int, payload: StatementIn):
    services.record_statement(
        actor=request.auth,
        case=_case(request, case_id),
        statement=payload.statement,
        waived=payload.waived,
        hearing_requested=payload.hearing_requested,
        statement_on=payload.statement_on,
    )
    return _case_detail(request, case_id)


@router.post("/cases/{int:case_id}/hearing", response=CaseDetail, summary="记录听证")
def hearing(request, case_id: int, payload: HearingIn):
    services.record_hearing(
        actor=request.auth, case=_case(request, case_id), record=payload.record, held_on=payload.held_on
    )
    return _case_detail(request, case_id)


@router.post("/cases/{int:case_id}/decide", response=CaseDetail, summary="作出处罚决定")
def decide(request, case_id: int, payload: DecideIn):
    services.decide(
        actor=request.auth,
        case=_case(request, case_id),
        penalties=[services.PenaltyIn(**p.model_dump()) for p in payload.penalties],
        decision_number=payload.decision_number,
        decided_on=payload.decided_on,
    )
    return _case_detail(request, case_id)


@router.post("/cases/{int:case_id}/execute", response=CaseDetail, summary="执行")
def execute(request, case_id: int, payload: ExecuteIn):
    services.execute(
        actor=request.auth,
        case=_case(request, case_id),
        execution=payload.execution,
        paid_cny=payload.paid_cny,
        executed_on=payload.executed_on,
    )
    return _case_detail(request, case_id)


@router.post("/cases/{int:case_id}/close", response=CaseDetail, summary="结案")
def close(request, case_id: int, payload: CloseIn):
    services.close(
        actor=request.auth, case=_case(request, case_id), report=payload.report, closed_on=payload.closed_on
    )
    return _case_detail(request, case_id)


@router.post("/cases/{int:case_id}/withdraw", response=CaseDetail, summary="撤销案件")
def withdraw(request, case_id: int, payload: ReasonIn):
    services.withdraw(actor=request.auth, case=_case(request, case_id), reason=payload.reason)
    return _case_detail(request, case_id)


@router.post("/cases/{int:case_id}/suspend", response={201: SuspensionOut}, summary="责令停产停业整顿")
def suspend(request, case_id: int, payload: SuspendIn):
    order = services.order_suspension(
        actor=request.auth,
        case=_case(request, case_id),
        start_date=payload.start_date,
        scope=payload.scope,
        lifting_conditions=payload.lifting_conditions,
    )
    return HttpStatus(201, _suspension_out(order, request.auth))


@router.post("/cases/{int:case_id}/refer", response={201: ReferralOut}, summary="提出涉嫌犯罪案件移送")
def refer(request, case_id: int, payload: ReferIn):
    referral = services.refer(
        actor=request.auth,
        case=_case(request, case_id),
        category=payload.category,
        report=payload.report,
        reported_on=payload.reported_on,
    )
    return HttpStatus(201, _referral_out(referral, request.auth))


@router.post("/cases/{int:case_id}/blacklist", response={201: BlacklistOut}, summary="列入严重失信主体名单")
def add_to_blacklist(request, case_id: int, payload: BlacklistIn):
    entry = services.blacklist(
        actor=request.auth,
        case=_case(request, case_id),
        reason_kind=payload.reason_kind,
        reason=payload.reason,
        entry_date=payload.entry_date,
    )
    return HttpStatus(201, _blacklist_out(entry, request.auth))


# -- suspension orders -------------------------------------------------------------------------


class SuspensionPage(Schema):
    items: list[SuspensionOut]
    count: int
    page: int
    page_size: int


@router.get("/suspensions", response=SuspensionPage, summary="停产整顿令列表")
def list_suspensions(
    request,
    region: str | None = Query(None, max_length=6),
    year: int | None = None,
    state: str | None = None,
    enterprise: int | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
):
    queryset = queries.suspensions(request.auth, region=region, year=year, state=state, enterprise=enterprise)
    return paginate(queryset, page=page, size=page_size).as_dict(lambda o: _suspension_out(o, request.auth))


def _suspension(request, order_id: int) -> SuspensionOrder:
    return get_in_scope(
        SuspensionOrder.objects.select_related("enterprise", "case"), request.auth, pk=order_id
    )


@router.get("/suspensions/{int:order_id}", response=SuspensionOut, summary="停产整顿令")
def get_suspension(request, order_id: int):
    return _suspension_out(_suspension(request, order_id), request.auth)


@router.get(
    "/suspensions/{int:order_id}/order.docx", summary="责令停产停业整顿指令书（.docx）", response={200: None}
)
def suspension_document(request, order_id: int):
    order = _suspension(request, order_id)
    return _docx(documents.suspension_order(order), f"suspension-order-{order.pk}.docx")


@router.post("/suspensions/{int:order_id}/lift", response=SuspensionOut, summary="解除停产整顿（复查后）")
def lift(request, order_id: int, payload: LiftIn):
    services.lift_suspension(
        actor=request.auth,
        order=_suspension(request, order_id),
        inspection_id=payload.inspection_id,
        lifted_on=payload.lifted_on,
        comment=payload.comment,
    )
    return _suspension_out(_suspension(request, order_id), request.auth)


# -- criminal referrals ------------------------------------------------------------------------


class ReferralPage(Schema):
    items: list[ReferralOut]
    count: int
    page: int
    page_size: int


@router.get("/referrals", response=ReferralPage, summary="涉嫌犯罪案件移送列表")
def list_referrals(
    request,
    region: str | None = Query(None, max_length=6),
    year: int | None = None,
    state: str | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
):
    queryset = queries.referrals(request.auth, region=region, year=year, state=state)
    return paginate(queryset, page=page, size=page_size).as_dict(lambda r: _referral_out(r, request.auth))


def _referral(request, referral_id: int) -> CriminalReferral:
    return get_in_scope(
        CriminalReferral.objects.select_related("case", "case__enterprise"), request.auth, pk=referral_id
    )


@router.get("/referrals/{int:referral_id}", response=ReferralOut, summary="移送记录")
def get_referral(request, referral_id: int):
    return _referral_out(_referral(request, referral_id), request.auth)


@router.post("/referrals/{int:referral_id}/approve", response=ReferralOut, summary="批准移送")
def approve_referral(request, referral_id: int):
    services.approve_referral(actor=request.auth, referral=_referral(request, referral_id))
    return _referral_out(_referral(request, referral_id), request.auth)


@router.post("/referrals/{int:referral_id}/refuse", response=ReferralOut, summary="不予移送")
def refuse_referral(request, referral_id: int, payload: ReasonIn):
    services.refuse_referral(
        actor=request.auth, referral=_referral(request, referral_id), reason=payload.reason
    )
    return _referral_out(_referral(request, referral_id), request.auth)


@router.post("/referrals/{int:referral_id}/transfer", response=ReferralOut, summary="移送公安机关")
def transfer_referral(request, referral_id: int, payload: TransferIn):
    services.transfer_referral(
        actor=request.auth, referral=_referral(request, referral_id), receiving_organ=payload.receiving_organ
    )
    return _referral_out(_referral(request, referral_id), request.auth)


@router.post("/referrals/{int:referral_id}/result", response=ReferralOut, summary="登记公安机关处理结果")
def referral_result(request, referral_id: int, payload: ResultIn):
    services.record_referral_result(
        actor=request.auth,
        referral=_referral(request, referral_id),
        accepted=payload.accepted,
        result=payload.result,
        feedback_on=payload.feedback_on,
    )
    return _referral_out(_referral(request, referral_id), request.auth)


# -- the credit blacklist ----------------------------------------------------------------------


class PublicBlacklistPage(Schema):
    items: list[PublicBlacklistOut]
    count: int
    page: int
    page_size: int


class BlacklistPage(Schema):
    items: list[BlacklistOut]
    count: int
    page: int
    page_size: int


@router.get(
    "/blacklist", auth=None, response=PublicBlacklistPage, summary="严重失信主体名单（公示，无需登录）"
)
def public_blacklist(
    request,
    q: str | None = Query(None, max_length=100),
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
):
    def convert(entry: BlacklistEntry) -> dict:
        return {
            "enterprise_name": entry.enterprise.name,
            "uscc": entry.enterprise.uscc,
            "reason_kind_label": entry.get_reason_kind_display(),
            "reason": entry.reason,
            "entry_date": entry.entry_date,
            "planned_exit_date": entry.planned_exit_date,
        }

    return paginate(queries.public_blacklist(q=q), page=page, size=page_size).as_dict(convert)


@router.get("/blacklist/entries", response=BlacklistPage, summary="名单管理（本辖区全部记录）")
def list_blacklist_entries(
    request,
    region: str | None = Query(None, max_length=6),
    year: int | None = None,
    active: bool | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
):
    queryset = queries.blacklist_entries(request.auth, region=region, year=year, active=active)
    return paginate(queryset, page=page, size=page_size).as_dict(lambda e: _blacklist_out(e, request.auth))


def _entry(request, entry_id: int) -> BlacklistEntry:
    return get_in_scope(BlacklistEntry.objects.select_related("enterprise"), request.auth, pk=entry_id)


@router.get("/blacklist/entries/{int:entry_id}", response=BlacklistOut, summary="名单记录")
def get_blacklist_entry(request, entry_id: int):
    return _blacklist_out(_entry(request, entry_id), request.auth)


@router.post("/blacklist/entries/{int:entry_id}/apply_exit", response=BlacklistOut, summary="申请提前移出")
def apply_exit(request, entry_id: int, payload: ApplicationIn):
    services.apply_exit(actor=request.auth, entry=_entry(request, entry_id), application=payload.application)
    return _blacklist_out(_entry(request, entry_id), request.auth)


@router.post("/blacklist/entries/{int:entry_id}/approve_exit", response=BlacklistOut, summary="同意提前移出")
def approve_exit(request, entry_id: int, payload: CommentIn):
    services.approve_exit(actor=request.auth, entry=_entry(request, entry_id), comment=payload.comment)
    return _blacklist_out(_entry(request, entry_id), request.auth)


@router.post(
    "/blacklist/entries/{int:entry_id}/reject_exit", response=BlacklistOut, summary="驳回提前移出申请"
)
def reject_exit(request, entry_id: int, payload: CommentIn):
    services.reject_exit(actor=request.auth, entry=_entry(request, entry_id), comment=payload.comment)
    return _blacklist_out(_entry(request, entry_id), request.auth)


def _docx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
