"""Hazard endpoints: one per action of the loop, lists, statistics, history, the ledger;
inspections; listed supervision."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpResponse
from django.utils.timezone import localtime
from ninja import Query, Router, Schema
from ninja.responses import Status as HttpStatus
from pydantic import ConfigDict, Field

from benan.core import clock
from benan.core.api import HistoryOut, StatsPeriod, history_rows
from benan.core.pagination import paginate
from benan.enterprises import queries as enterprise_queries

from . import guards, ledger, queries, services
from .models import Hazard, Inspection

router = Router(tags=["隐患排查治理"])


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class ListingOut(Schema):
    id: int
    office_region_code: str
    office_region_name: str
    due_date: date
    comment: str
    state: str
    listed_at: datetime


class HazardOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    region_code: str
    source: str
    description: str
    location: str
    state: str
    state_label: str
    grade: str | None
    criterion: str | None
    due_date: date | None
    overdue: bool
    listed: bool
    created_at: datetime


class RectificationOut(Schema):
    id: int
    description: str
    attachments: list[int]
    submitted_by: str
    submitted_at: datetime
    outcome: str
    reviewed_by: str | None
    comment: str


class HazardDetail(HazardOut):
    criterion_text: str | None
    criterion_verified: bool | None
    plan: dict
    inspection_id: int | None
    reported_by: str
    confirmed_by: str | None
    verified_by: str | None
    closed_at: datetime | None
    dismissed_reason: str
    embargoed: bool = Field(description="来自尚未公开的暗访检查：公开前不能确认")
    listing: ListingOut | None
    rectifications: list[RectificationOut]
    actions: list[str]


class HazardPage(Schema):
    items: list[HazardOut]
    count: int
    page: int
    page_size: int


class HazardQuery(Schema):
    state: str | None = None
    grade: str | None = None
    region: str | None = Field(None, max_length=6)
    overdue: bool | None = None
    listed: bool | None = None
    enterprise: int | None = None
    source: str | None = None
    open: bool | None = Field(None, description="true：已确认未销号（整改中、待验收）")
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=100)


class ReportIn(Strict):
    enterprise_id: int
    description: str = Field(max_length=2000)
    location: str = Field("", max_length=200)
    source: str = Field(max_length=20)


class PlanIn(Strict):
    measures: str | None = Field(None, max_length=1000, description="治理措施")
    responsibility: str | None = Field(None, max_length=200, description="责任人")
    funding: str | None = Field(None, max_length=200, description="治理资金")
    deadline: str | None = Field(None, max_length=200, description="治理时限")
    contingency: str | None = Field(None, max_length=1000, description="应急预案")


class ConfirmIn(Strict):
    grade: str = Field(max_length=10, description="general | major")
    criterion: str | None = Field(None, max_length=64, description="判定标准条款 id，如 gongmao-2023:art3.1")
    due_date: date | None = None
    plan: PlanIn | None = None


class SubmitIn(Strict):
    description: str = Field(max_length=2000)
    attachments: list[int] = Field(default_factory=list, max_length=50)


class CommentIn(Strict):
    comment: str = Field("", max_length=500)


class DismissIn(Strict):
    reason: str = Field(max_length=500)


class ListIn(Strict):
    due_date: date | None = None
    comment: str = Field("", max_length=500)


class StatsOut(Schema):
    found: int
    major: int
    closed: int
    rectification_rate: float
    overdue: int
    listed: int
    major_open: int


class SubregionStatsOut(StatsOut):
    region_code: str
    region_name: str


def _listing_out(listing) -> dict | None:
    if listing is None:
        return None
    return {
        "id": listing.pk,
        "office_region_code": listing.office_region_id,
        "office_region_name": listing.office_region.name,
        "due_date": listing.due_date,
        "comment": listing.comment,
        "state": listing.state,
        "listed_at": localtime(listing.listed_at),
    }


def _out(h: Hazard, listed: bool, today: date | None = None) -> dict:
    return {
        "id": h.pk,
        "enterprise_id": h.enterprise_id,
        "enterprise_name": h.enterprise.name,
        "region_code": h.region_id,
        "source": h.source,
        "description": h.description,
        "location": h.location,
        "state": h.state,
        "state_label": h.get_state_display(),
        "grade": h.grade or None,
        "criterion": h.criterion_id,
        "due_date": h.due_date,
        "overdue": queries.is_overdue(h, today),
        "listed": listed,
        "created_at": localtime(h.created_at),
    }


def _name(user) -> str | None:
    return str(user) if user is not None else None


def _detail(request, pk: int) -> dict:
    h = queries.get_hazard(request.auth, pk)
    listing = queries.listing_of(h)
    return {
        **_out(h, listing is not None),
        "criterion_text": h.criterion.text if h.criterion_id else None,
        "criterion_verified": h.criterion.verified if h.criterion_id else None,
        "plan": h.plan,
        "inspection_id": h.inspection_id,
        "reported_by": str(h.reported_by),
        "confirmed_by": _name(h.confirmed_by),
        "verified_by": _name(h.verified_by),
        "closed_at": localtime(h.closed_at) if h.closed_at else None,
        "dismissed_reason": h.dismissed_reason,
        "embargoed": guards.awaits_publication(h),
        "listing": _listing_out(listing),
        "rectifications": [
            {
                "id": r.pk,
                "description": r.description,
                "attachments": [a.pk for a in r.attachments.all()],
                "submitted_by": str(r.submitted_by),
                "submitted_at": localtime(r.submitted_at),
                "outcome": r.outcome,
                "reviewed_by": _name(r.reviewed_by),
                "comment": r.comment,
            }
            for r in queries.rectifications(h)
        ],
        "actions": [
            t.action for t in Hazard.LOOP.available(h, request.auth)
            if not (t.action == "confirm" and guards.awaits_publication(h))
        ],
    }


@router.get("/hazards", response=HazardPage, summary="隐患列表")
def list_hazards(request, filters: Query[HazardQuery]):
    queryset = queries.hazards(
        request.auth,
        queries.HazardFilter(
            state=filters.state,
            grade=filters.grade,
            region=filters.region,
            overdue=filters.overdue,
            listed=filters.listed,
            enterprise=filters.enterprise,
            source=filters.source,
            open=filters.open,
        ),
    ).select_related("enterprise")
    page = paginate(queryset, page=filters.page, size=filters.page_size)
    listed = queries.listings_of([h.pk for h in page.items])
    return {
        "items": [_out(h, h.pk in listed) for h in page.items],
        "count": page.count,
        "page": page.number,
        "page_size": page.size,
    }


@router.post("/hazards", response={201: HazardDetail}, summary="上报隐患")
def report(request, payload: ReportIn):
    enterprise = enterprise_queries.get_enterprise(request.auth, payload.enterprise_id)
    hazard = services.report_hazard(
        actor=request.auth,
        enterprise=enterprise,
        description=payload.description,
        location=payload.location,
        source=payload.source,
    )
    return HttpStatus(201, _detail(request, hazard.pk))


@router.get("/hazards/stats", response=StatsOut, summary="隐患统计")
def hazard_stats(request, period: Query[StatsPeriod], region: str | None = None):
    """Without a period, the ledger as it stands; with one (year, month or days), the figures as
    they stood at the period's end (see the field descriptions of the statistics)."""
    return queries.stats(request.auth, region=region or request.auth.region_id, period=period.resolve())


@router.get("/hazards/stats/subregions", response=list[SubregionStatsOut], summary="下级区划隐患统计（晾晒）")
def hazard_stats_by_subregion(request, period: Query[StatsPeriod], region: str | None = None):
    return queries.stats_by_subregion(
        request.auth, region=region or request.auth.region_id or "510000", period=period.resolve()
    )


@router.get("/hazards/ledger", summary="隐患台账（XLSX）", response={200: None})
def hazard_ledger(request, filters: Query[HazardQuery]):
    queryset = queries.hazards(
        request.auth,
        queries.HazardFilter(
            state=filters.state,
            grade=filters.grade,
            region=filters.region,
            overdue=filters.overdue,
            listed=filters.listed,
            enterprise=filters.enterprise,
            source=filters.source,
            open=filters.open,
        ),
    )
    content = ledger.build(queryset)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="hazard-ledger-{clock.today():%Y%m%d}.xlsx"'
    return response


@router.get("/hazards/{int:hazard_id}", response=HazardDetail, summary="隐患详情")
def get_hazard(request, hazard_id: int):
    return _detail(request, hazard_id)


@router.get("/hazards/{int:hazard_id}/history", response=list[HistoryOut], summary="隐患处理记录")
def history(request, hazard_id: int):
    hazard = queries.get_hazard(request.auth, hazard_id)
    return history_rows(queries.history(hazard))


@router.post("/hazards/{int:hazard_id}/confirm", response=HazardDetail, summary="确认隐患")
def confirm(request, hazard_id: int, payload: ConfirmIn):
    hazard = queries.get_hazard(request.auth, hazard_id)
    services.confirm_hazard(
        actor=request.auth,
        hazard=hazard,
        grade=payload.grade,
        due_date=payload.due_date,
        criterion_id=payload.criterion,
        plan=payload.plan.model_dump() if payload.plan else None,
    )
    return _detail(request, hazard_id)


@router.post("/hazards/{int:hazard_id}/dismiss", response=HazardDetail, summary="不予确认")
def dismiss(request, hazard_id: int, payload: DismissIn):
    hazard = queries.get_hazard(request.auth, hazard_id)
    services.dismiss_hazard(actor=request.auth, hazard=hazard, reason=payload.reason)
    return _detail(request, hazard_id)


@router.post("/hazards/{int:hazard_id}/submit", response=HazardDetail, summary="提交整改")
def submit(request, hazard_id: int, payload: SubmitIn):
    hazard = queries.get_hazard(request.auth, hazard_id)
    services.submit_rectification(
        actor=request.auth, hazard=hazard, description=payload.description, attachment_ids=payload.attachments
    )
    return _detail(request, hazard_id)


@router.post("/hazards/{int:hazard_id}/verify", response=HazardDetail, summary="验收销号")
def verify(request, hazard_id: int, payload: CommentIn):
    hazard = queries.get_hazard(request.auth, hazard_id)
    services.verify_hazard(actor=request.auth, hazard=hazard, comment=payload.comment)
    return _detail(request, hazard_id)


@router.post("/hazards/{int:hazard_id}/reject", response=HazardDetail, summary="退回整改")
def reject(request, hazard_id: int, payload: CommentIn):
    hazard = queries.get_hazard(request.auth, hazard_id)
    services.reject_rectification(actor=request.auth, hazard=hazard, comment=payload.comment)
    return _detail(request, hazard_id)


@router.post("/hazards/{int:hazard_id}/list", response={201: HazardDetail}, summary="挂牌督办")
def list_(request, hazard_id: int, payload: ListIn):
    hazard = queries.get_hazard(request.auth, hazard_id)
    services.list_hazard(
        actor=request.auth, hazard=hazard, due_date=payload.due_date, comment=payload.comment
    )
    return HttpStatus(201, _detail(request, hazard_id))


@router.post("/hazards/{int:hazard_id}/delist", response=HazardDetail, summary="摘牌")
def delist(request, hazard_id: int, payload: CommentIn):
    hazard = queries.get_hazard(request.auth, hazard_id)
    services.delist_hazard(actor=request.auth, hazard=hazard, comment=payload.comment)
    return _detail(request, hazard_id)


# -- inspections -------------------------------------------------------------------------------


class AnswerSchema(Strict):
    criterion: str = Field(max_length=64)
    answer: str = Field(max_length=20, description="complies | violates | not_applicable")
    note: str = Field("", max_length=500)
    photos: list[int] = Field(default_factory=list, max_length=20)


class FindingSchema(Strict):
    description: str = Field(max_length=2000)
    location: str = Field("", max_length=200)


class InspectionIn(Strict):
    enterprise_id: int
    source: str = Field(max_length=20)
    date: date
    inspectors: str = Field("", max_length=300)
    standard: str | None = Field(None, max_length=50)
    note: str = Field("", max_length=2000)
    answers: list[AnswerSchema] = Field(default_factory=list, max_length=500)
    findings: list[FindingSchema] = Field(default_factory=list, max_length=200)


class InspectionOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    source: str
    date: date
    inspectors: str
    standard: str | None
    visibility: str = Field(description="open 常规 | embargoed 暗访未公开 | published 暗访已公开")
    visibility_label: str
    office_region_code: str | None = Field(description="实施暗访的单位所在区划")
    office_region_name: str | None
    published_at: datetime | None
    answers: list[AnswerSchema]
    hazard_ids: list[int]
    actions: list[str]


class InspectionPage(Schema):
    items: list[InspectionOut]
    count: int
    page: int
    page_size: int


def _inspection_out(inspection, user) -> dict:
    return {
        "id": inspection.pk,
        "enterprise_id": inspection.enterprise_id,
        "enterprise_name": inspection.enterprise.name,
        "source": inspection.source,
        "date": inspection.date,
        "inspectors": inspection.inspectors,
        "standard": inspection.standard_id,
        "visibility": inspection.visibility,
        "visibility_label": inspection.get_visibility_display(),
        "office_region_code": inspection.office_region_id,
        "office_region_name": inspection.office_region.name if inspection.office_region_id else None,
        "published_at": localtime(inspection.published_at) if inspection.published_at else None,
        "answers": [
            {
                "criterion": a.criterion_id,
                "answer": a.answer,
                "note": a.note,
                "photos": [p.pk for p in a.photos.all()],
            }
            for a in inspection.answers.all()
        ],
        "hazard_ids": [h.pk for h in inspection.hazards.all()],
        "actions": [t.action for t in Inspection.LOOP.available(inspection, user)],
    }


@router.post("/inspections", response={201: InspectionOut}, summary="录入检查")
def record_inspection(request, payload: InspectionIn):
    enterprise = enterprise_queries.get_enterprise(request.auth, payload.enterprise_id)
    inspection = services.record_inspection(
        actor=request.auth,
        enterprise=enterprise,
        source=payload.source,
        day=payload.date,
        inspectors=payload.inspectors,
        standard_id=payload.standard,
        note=payload.note,
        answers=[services.AnswerIn(a.criterion, a.answer, a.note, tuple(a.photos)) for a in payload.answers],
        findings=[services.FindingIn(f.description, f.location) for f in payload.findings],
    )
    return HttpStatus(
        201, _inspection_out(queries.get_inspection(request.auth, inspection.pk), request.auth)
    )


class InspectionQuery(Schema):
    enterprise: int | None = None
    source: str | None = Field(
        None, max_length=20, description="self | department | supervision | unannounced"
    )
    visibility: str | None = Field(None, max_length=10, description="open | embargoed | published")
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=100)


@router.get("/inspections", response=InspectionPage, summary="检查列表")
def list_inspections(request, filters: Query[InspectionQuery]):
    queryset = queries.inspections(
        request.auth, enterprise=filters.enterprise, source=filters.source, visibility=filters.visibility
    ).prefetch_related("answers__photos", "hazards")
    result = paginate(queryset, page=filters.page, size=filters.page_size)
    return {
        "items": [_inspection_out(i, request.auth) for i in result.items],
        "count": result.count,
        "page": result.number,
        "page_size": result.size,
    }


@router.get("/inspections/{int:inspection_id}", response=InspectionOut, summary="检查详情")
def get_inspection(request, inspection_id: int):
    return _inspection_out(queries.get_inspection(request.auth, inspection_id), request.auth)


@router.post("/inspections/{int:inspection_id}/publish", response=InspectionOut, summary="公开暗访结果")
def publish_inspection(request, inspection_id: int):
    inspection = queries.get_inspection(request.auth, inspection_id)
    services.publish_inspection(actor=request.auth, inspection=inspection)
    return _inspection_out(queries.get_inspection(request.auth, inspection_id), request.auth)
