"""Accident endpoints: grading, reports and follow-ups, the reporting board and acknowledgements,
investigations (one endpoint per action), the four-nos checklist, measures, accountability,
statistics, and the published investigation reports (no login)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.utils.timezone import localtime
from ninja import Query, Router, Schema
from ninja.responses import Status as HttpStatus
from pydantic import ConfigDict, Field

from benan.core import clock
from benan.core.api import HistoryOut, StatsPeriod, history_rows
from benan.core.pagination import paginate
from benan.core.period import date_range
from benan.core.scope import get_in_scope
from benan.enterprises import queries as enterprise_queries
from benan.standards import accident_grades

from . import queries, services
from .models import Investigation, Measure, ReportingStep

router = Router(tags=["生产安全事故"])


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


# -- shapes ------------------------------------------------------------------------------------


class GradeIn(Strict):
    deaths: int | str = 0
    serious_injuries: int | str = 0
    direct_loss_cny: Decimal | str = Decimal(0)


class GradeOut(Schema):
    grade: str
    name: str
    decided_by: list[str]
    report_to: str
    investigated_by: str
    report_levels: list[str]


class FiguresIn(Strict):
    deaths: int = Field(0, ge=0, description="死亡人数")
    serious_injuries: int = Field(0, ge=0, description="重伤人数（包括急性工业中毒）")
    minor_injuries: int = Field(0, ge=0)
    missing: int = Field(0, ge=0, description="下落不明人数")
    direct_loss_cny: Decimal = Field(Decimal(0), ge=0, description="（初步估计的）直接经济损失，元")


class ReportIn(FiguresIn):
    enterprise_id: int | None = None
    unit_name: str = Field("", max_length=200, description="事故发生单位（不填则取企业名称）")
    unit_overview: str = Field("", max_length=5000)
    region_code: str | None = Field(
        None, max_length=6, description="事故发生地区县代码（不填则取企业所在区县）"
    )
    kind: str = Field(max_length=30)
    occurred_at: datetime
    known_at: datetime | None = None
    place: str = Field(max_length=300)
    lat: float | None = None
    lon: float | None = None
    scene: str = Field(max_length=5000)
    summary: str = Field(max_length=5000)
    measures: str = Field(max_length=5000)
    other: str = Field("", max_length=5000)


class FollowUpIn(Strict):
    """Only the figures that changed need be sent; the others keep their current values."""

    deaths: int | None = Field(None, ge=0)
    serious_injuries: int | None = Field(None, ge=0)
    minor_injuries: int | None = Field(None, ge=0)
    missing: int | None = Field(None, ge=0)
    direct_loss_cny: Decimal | None = Field(None, ge=0)
    note: str = Field("", max_length=2000)


class StepOut(Schema):
    id: int
    accident_id: int
    accident_number: str
    unit_name: str
    grade: str
    level: str
    level_label: str
    office_region_code: str | None
    office_region_name: str | None
    due_at: datetime
    state: str
    overdue: bool
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    note: str


class ReportOut(Schema):
    kind: str
    kind_label: str
    deaths: int
    serious_injuries: int
    minor_injuries: int
    missing: int
    direct_loss_cny: Decimal
    grade: str
    grade_before: str
    late: bool
    note: str
    reported_by: str
    reported_at: datetime


class FourNosOut(Schema):
    item: str
    label: str
    done: bool
    note: str
    evidence: list[int]


class MeasureOut(Schema):
    id: int
    description: str
    assignee_enterprise_id: int | None
    assignee_region_code: str | None
    assignee_department: str
    due_date: date
    overdue: bool
    state: str
    state_label: str
    result: str
    evidence: list[int]
    comment: str
    actions: list[str]


class InvestigationOut(Schema):
    id: int
    accident_id: int
    state: str
    state_label: str
    lead: str
    team: str
    started_on: date
    due_date: date
    extended_days: int
    deadline: date
    overdue: bool
    extension_reason: str
    report_id: int | None
    report_summary: str
    submitted_on: date | None
    reply_due: date | None
    reply_overdue: bool
    replied_on: date | None
    reply: str
    published_on: date | None
    closed_on: date | None
    four_nos: list[FourNosOut]
    measures: list[MeasureOut]
    actions: list[str]


class AccountabilityOut(Schema):
    id: int
    accident_id: int
    region_code: str
    person_name: str
    position: str
    unit: str
    kind: str
    kind_label: str
    detail: str
    decided_by: str
    decided_on: date


class AccidentOut(Schema):
    id: int
    number: str
    unit_name: str
    enterprise_id: int | None
    region_code: str
    kind: str
    occurred_at: datetime
    place: str
    grade: str
    grade_label: str
    deaths: int
    serious_injuries: int
    missing: int
    direct_loss_cny: Decimal
    investigation_state: str | None


class AccidentDetail(AccidentOut):
    known_at: datetime
    unit_overview: str
    lat: float | None
    lon: float | None
    scene: str
    summary: str
    minor_injuries: int
    measures: str
    other: str
    decided_by: list[str]
    reported_by: str
    reported_at: datetime
    supplementary_until: date
    reports: list[ReportOut]
    steps: list[StepOut]
    investigation: InvestigationOut | None
    accountability: list[AccountabilityOut]


class AccidentPage(Schema):
    items: list[AccidentOut]
    count: int
    page: int
    page_size: int


class StatsOut(Schema):
    accidents: int
    by_grade: dict[str, int]
    deaths: int
    serious_injuries: int
    direct_loss_cny: Decimal
    accountability: int
    accountability_by_kind: dict[str, int]


class NoteIn(Strict):
    note: str = Field("", max_length=300)


class InvestigateIn(Strict):
    team: str = Field(max_length=2000, description="事故调查组组成")
    started_on: date | None = None


class ExtendIn(Strict):
    days: int = Field(description="延长天数，最多 60")
    reason: str = Field(max_length=500)


class SubmitReportIn(Strict):
    report: int | None = Field(None, description="调查报告附件 id（PDF）")
    summary: str = Field(max_length=5000)
    submitted_on: date | None = None


class ReplyIn(Strict):
    reply: str = Field(max_length=5000)
    replied_on: date | None = None


class FourNosIn(Strict):
    done: bool = True
    note: str = Field("", max_length=2000)
    attachments: list[int] = Field(default_factory=list, max_length=20)


class MeasureIn(Strict):
    description: str = Field(max_length=2000)
    due_date: date
    assignee_enterprise_id: int | None = None
    assignee_region: str | None = Field(None, max_length=6)
    department: str = Field("", max_length=100)


class MeasureSubmitIn(Strict):
    result: str = Field(max_length=2000)
    attachments: list[int] = Field(default_factory=list, max_length=20)


class CommentIn(Strict):
    comment: str = Field("", max_length=500)


class AccountabilityIn(Strict):
    person_name: str = Field(max_length=50)
    position: str = Field(max_length=100)
    unit: str = Field(max_length=200)
    kind: str = Field(max_length=30)
    detail: str = Field("", max_length=300)
    decided_by: str = Field(max_length=100)
    decided_on: date


class PublishedOut(Schema):
    accident_number: str
    unit_name: str
    region_name: str
    occurred_at: datetime
    grade_label: str
    lead: str
    summary: str
    reply: str
    published_on: date


class PublishedPage(Schema):
    items: list[PublishedOut]
    count: int
    page: int
    page_size: int


class AccountabilityPage(Schema):
    items: list[AccountabilityOut]
    count: int
    page: int
    page_size: int


class StepPage(Schema):
    items: list[StepOut]
    count: int
    page: int
    page_size: int


# -- conversions -------------------------------------------------------------------------------


def _step_out(step: ReportingStep, now=None) -> dict:
    return {
        "id": step.pk,
        "accident_id": step.accident_id,
        "accident_number": step.accident.number,
        "unit_name": step.accident.unit_name,
        "grade": step.accident.grade,
        "level": step.level,
        "level_label": step.get_level_display(),
        "office_region_code": step.office_region_id,
        "office_region_name": step.office_region.name if step.office_region_id else None,
        "due_at": localtime(step.due_at),
        "state": step.state,
        "overdue": queries.step_overdue(step, now),
        "acknowledged_at": localtime(step.acknowledged_at) if step.acknowledged_at else None,
        "acknowledged_by": str(step.acknowledged_by) if step.acknowledged_by_id else None,
        "note": step.note,
    }


def _measure_out(m: Measure, user, today) -> dict:
    return {
        "id": m.pk,
        "description": m.description,
        "assignee_enterprise_id": m.assignee_enterprise_id,
        "assignee_region_code": m.assignee_region_id,
        "assignee_department": m.assignee_department,
        "due_date": m.due_date,
        "overdue": m.state == "open" and today > m.due_date,
        "state": m.state,
        "state_label": m.get_state_display(),
        "result": m.result,
        "evidence": sorted(m.evidence.values_list("pk", flat=True)),
        "comment": m.comment,
        "actions": [t.action for t in Measure.LOOP.available(m, user)],
    }


def _investigation_out(inv: Investigation, user) -> dict:
    today = clock.today()
    return {
        "id": inv.pk,
        "accident_id": inv.accident_id,
        "state": inv.state,
        "state_label": inv.get_state_display(),
        "lead": inv.lead,
        "team": inv.team,
        "started_on": inv.started_on,
        "due_date": inv.due_date,
        "extended_days": inv.extended_days,
        "deadline": inv.deadline,
        "overdue": queries.investigation_overdue(inv, today),
        "extension_reason": inv.extension_reason,
        "report_id": inv.report_id,
        "report_summary": inv.report_summary,
        "submitted_on": inv.submitted_on,
        "reply_due": inv.reply_due,
        "reply_overdue": queries.reply_overdue(inv, today),
        "replied_on": inv.replied_on,
        "reply": inv.reply,
        "published_on": inv.published_on,
        "closed_on": inv.closed_on,
        "four_nos": [
            {
                "item": i.item,
                "label": i.get_item_display(),
                "done": i.done,
                "note": i.note,
                "evidence": sorted(i.evidence.values_list("pk", flat=True)),
            }
            for i in inv.four_nos.all()
        ],
        "measures": [_measure_out(m, user, today) for m in queries.measures(user).filter(investigation=inv)],
        "actions": sorted({t.action for t in Investigation.LOOP.available(inv, user)}),
    }


def _accountability_out(a) -> dict:
    return {
        "id": a.pk,
        "accident_id": a.accident_id,
        "region_code": a.region_id,
        "person_name": a.person_name,
        "position": a.position,
        "unit": a.unit,
        "kind": a.kind,
        "kind_label": a.get_kind_display(),
        "detail": a.detail,
        "decided_by": a.decided_by,
        "decided_on": a.decided_on,
    }


def _accident_out(a, investigation_state: str | None = None) -> dict:
    return {
        "id": a.pk,
        "number": a.number,
        "unit_name": a.unit_name,
        "enterprise_id": a.enterprise_id,
        "region_code": a.region_id,
        "kind": a.kind,
        "occurred_at": localtime(a.occurred_at),
        "place": a.place,
        "grade": a.grade,
        "grade_label": a.get_grade_display(),
        "deaths": a.deaths,
        "serious_injuries": a.serious_injuries,
        "missing": a.missing,
        "direct_loss_cny": a.direct_loss_cny,
        "investigation_state": investigation_state,
    }


def _detail(request, pk: int) -> dict:
    user = request.auth
    a = queries.get_accident(user, pk)
    inv = Investigation.objects.filter(accident=a).first()
    now = clock.now()
    window = accident_grades.supplementary_days(a.kind)
    from datetime import timedelta

    return {
        **_accident_out(a, inv.state if inv else None),
        "known_at": localtime(a.known_at),
        "unit_overview": a.unit_overview,
        "lat": a.lat,
        "lon": a.lon,
        "scene": a.scene,
        "summary": a.summary,
        "minor_injuries": a.minor_injuries,
        "measures": a.measures,
        "other": a.other,
        "decided_by": a.decided_by,
        "reported_by": str(a.reported_by),
        "reported_at": localtime(a.reported_at),
        "supplementary_until": localtime(a.occurred_at).date() + timedelta(days=window),
        "reports": [
            {
                "kind": r.kind,
                "kind_label": r.get_kind_display(),
                "deaths": r.deaths,
                "serious_injuries": r.serious_injuries,
                "minor_injuries": r.minor_injuries,
                "missing": r.missing,
                "direct_loss_cny": r.direct_loss_cny,
                "grade": r.grade,
                "grade_before": r.grade_before,
                "late": r.late,
                "note": r.note,
                "reported_by": str(r.reported_by),
                "reported_at": localtime(r.reported_at),
            }
            for r in a.reports.select_related("reported_by")
        ],
        "steps": [
            _step_out(s, now) for s in a.steps.select_related("accident", "office_region", "acknowledged_by")
        ],
        "investigation": _investigation_out(inv, user) if inv else None,
        "accountability": [_accountability_out(x) for x in queries.accountability(user).filter(accident=a)],
    }


def _investigation(request, pk: int) -> Investigation:
    return get_in_scope(Investigation.objects.select_related("accident"), request.auth, pk=pk)


def _measure(request, pk: int) -> Measure:
    return get_in_scope(Measure.objects.all(), request.auth, pk=pk)


# -- grading and reports -----------------------------------------------------------------------


@router.post("/accidents/grade", response=GradeOut, summary="事故定级（国务院令第493号）")
def grade(request, payload: GradeIn):
    from django.core.exceptions import ValidationError

    try:
        result = accident_grades.grade(payload.deaths, payload.serious_injuries, payload.direct_loss_cny)
    except accident_grades.GradingError as exc:
        raise ValidationError({exc.field: [str(exc)]}) from exc
    return result.as_dict()


@router.get("/accidents", response=AccidentPage, summary="事故列表")
def list_accidents(
    request,
    grade: str | None = None,
    kind: str | None = None,
    region: str | None = Query(None, max_length=6),
    year: int | None = None,
    date_from: date | None = None,  # the days the accidents happened on, each end inclusive
    date_to: date | None = None,
    enterprise: int | None = None,
    q: str | None = Query(None, max_length=100),
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
):
    filters = queries.AccidentFilter(
        grade=grade, kind=kind, region=region, year=year, period=date_range(date_from, date_to),
        enterprise=enterprise, q=q,
    )
    queryset = queries.accidents(request.auth, filters)
    result = paginate(queryset, page=page, size=page_size)
    states = dict(
        Investigation.objects.filter(accident__in=[a.pk for a in result.items]).values_list(
            "accident_id", "state"
        )
    )
    return result.as_dict(lambda a: _accident_out(a, states.get(a.pk)))


@router.post("/accidents", response={201: AccidentDetail}, summary="事故快报")
def report(request, payload: ReportIn):
    if payload.enterprise_id is not None:
        enterprise_queries.get_enterprise(request.auth, payload.enterprise_id)  # 404 outside the scope
    accident = services.report_accident(actor=request.auth, data=payload.model_dump())
    return HttpStatus(201, _detail(request, accident.pk))


@router.get("/accidents/stats", response=StatsOut, summary="事故统计")
def stats(request, period: Query[StatsPeriod], region: str | None = Query(None, max_length=6)):
    return queries.stats(request.auth, region=region, period=period.resolve())


@router.get("/accidents/board", response=StepPage, summary="事故报告看板（接报时限）")
def reporting_board(
    request,
    region: str | None = Query(None, max_length=6),
    overdue: bool | None = None,
    pending: bool = True,
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=100),
):
    now = clock.now()
    queryset = queries.board(request.auth, region=region, overdue=overdue, pending=pending).select_related(
        "acknowledged_by"
    )
    return paginate(queryset, page=page, size=page_size).as_dict(lambda s: _step_out(s, now))


@router.get("/accidents/{int:accident_id}", response=AccidentDetail, summary="事故详情")
def get_accident(request, accident_id: int):
    return _detail(request, accident_id)


@router.get("/accidents/{int:accident_id}/history", response=list[HistoryOut], summary="事故处理记录")
def history(request, accident_id: int):
    accident = queries.get_accident(request.auth, accident_id)
    return history_rows(queries.history(accident, request.auth))


@router.post("/accidents/{int:accident_id}/follow_up", response=AccidentDetail, summary="续报/补报")
def follow_up(request, accident_id: int, payload: FollowUpIn):
    accident = queries.get_accident(request.auth, accident_id)
    services.follow_up(
        actor=request.auth,
        accident=accident,
        figures=payload.model_dump(exclude={"note"}, exclude_none=True),
        note=payload.note,
    )
    return _detail(request, accident_id)


@router.post(
    "/accidents/{int:accident_id}/investigate", response={201: AccidentDetail}, summary="成立事故调查组"
)
def investigate(request, accident_id: int, payload: InvestigateIn):
    accident = queries.get_accident(request.auth, accident_id)
    services.open_investigation(
        actor=request.auth, accident=accident, team=payload.team, started_on=payload.started_on
    )
    return HttpStatus(201, _detail(request, accident_id))


@router.post(
    "/accidents/{int:accident_id}/accountability", response={201: AccountabilityOut}, summary="登记责任追究"
)
def add_accountability(request, accident_id: int, payload: AccountabilityIn):
    accident = queries.get_accident(request.auth, accident_id)
    row = services.record_accountability(actor=request.auth, accident=accident, **payload.model_dump())
    return HttpStatus(201, _accountability_out(row))


@router.get("/accountability", response=AccountabilityPage, summary="责任追究列表")
def list_accountability(
    request,
    region: str | None = Query(None, max_length=6),
    year: int | None = None,
    kind: str | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
):
    queryset = queries.accountability(request.auth, region=region, year=year, kind=kind)
    return paginate(queryset, page=page, size=page_size).as_dict(_accountability_out)


@router.post("/reporting-steps/{int:step_id}/acknowledge", response=StepOut, summary="确认接报")
def acknowledge(request, step_id: int, payload: NoteIn):
    step = get_in_scope(ReportingStep.objects.all(), request.auth, pk=step_id)
    services.acknowledge(actor=request.auth, step=step, note=payload.note)
    step = ReportingStep.objects.select_related("accident", "office_region", "acknowledged_by").get(
        pk=step_id
    )
    return _step_out(step)


# -- investigations ----------------------------------------------------------------------------


@router.get("/investigations/{int:investigation_id}", response=InvestigationOut, summary="事故调查")
def get_investigation(request, investigation_id: int):
    return _investigation_out(_investigation(request, investigation_id), request.auth)


@router.post(
    "/investigations/{int:investigation_id}/extend", response=InvestigationOut, summary="延长调查期限"
)
def extend(request, investigation_id: int, payload: ExtendIn):
    inv = services.extend_investigation(
        actor=request.auth,
        investigation=_investigation(request, investigation_id),
        days=payload.days,
        reason=payload.reason,
    )
    return _investigation_out(inv, request.auth)


@router.post(
    "/investigations/{int:investigation_id}/submit", response=InvestigationOut, summary="提交调查报告"
)
def submit(request, investigation_id: int, payload: SubmitReportIn):
    inv = services.submit_report(
        actor=request.auth,
        investigation=_investigation(request, investigation_id),
        attachment_id=payload.report,
        summary=payload.summary,
        submitted_on=payload.submitted_on,
    )
    return _investigation_out(inv, request.auth)


@router.post("/investigations/{int:investigation_id}/reply", response=InvestigationOut, summary="批复")
def reply(request, investigation_id: int, payload: ReplyIn):
    inv = services.reply(
        actor=request.auth,
        investigation=_investigation(request, investigation_id),
        reply=payload.reply,
        replied_on=payload.replied_on,
    )
    return _investigation_out(inv, request.auth)


@router.post(
    "/investigations/{int:investigation_id}/publish", response=InvestigationOut, summary="公布调查报告"
)
def publish(request, investigation_id: int):
    inv = services.publish(actor=request.auth, investigation=_investigation(request, investigation_id))
    return _investigation_out(inv, request.auth)


@router.post(
    "/investigations/{int:investigation_id}/close", response=InvestigationOut, summary="结案（四不放过）"
)
def close(request, investigation_id: int):
    inv = services.close(actor=request.auth, investigation=_investigation(request, investigation_id))
    return _investigation_out(inv, request.auth)


@router.post(
    "/investigations/{int:investigation_id}/four-nos/{item}",
    response=InvestigationOut,
    summary="落实“四不放过”一项",
)
def four_nos(request, investigation_id: int, item: str, payload: FourNosIn):
    inv = _investigation(request, investigation_id)
    services.mark_four_nos(
        actor=request.auth,
        investigation=inv,
        item=item,
        note=payload.note,
        attachment_ids=payload.attachments,
        done=payload.done,
    )
    return _investigation_out(_investigation(request, investigation_id), request.auth)


@router.post(
    "/investigations/{int:investigation_id}/measures", response={201: MeasureOut}, summary="登记整改措施"
)
def add_measure(request, investigation_id: int, payload: MeasureIn):
    measure = services.add_measure(
        actor=request.auth, investigation=_investigation(request, investigation_id), **payload.model_dump()
    )
    return HttpStatus(201, _measure_out(measure, request.auth, clock.today()))


@router.post("/measures/{int:measure_id}/submit", response=MeasureOut, summary="提交整改落实情况")
def submit_measure(request, measure_id: int, payload: MeasureSubmitIn):
    m = services.submit_measure(
        actor=request.auth,
        measure=_measure(request, measure_id),
        result=payload.result,
        attachment_ids=payload.attachments,
    )
    return _measure_out(m, request.auth, clock.today())


@router.post("/measures/{int:measure_id}/verify", response=MeasureOut, summary="整改验收销号")
def verify_measure(request, measure_id: int, payload: CommentIn):
    m = services.verify_measure(
        actor=request.auth, measure=_measure(request, measure_id), comment=payload.comment
    )
    return _measure_out(m, request.auth, clock.today())


@router.post("/measures/{int:measure_id}/reject", response=MeasureOut, summary="退回整改")
def reject_measure(request, measure_id: int, payload: CommentIn):
    m = services.reject_measure(
        actor=request.auth, measure=_measure(request, measure_id), comment=payload.comment
    )
    return _measure_out(m, request.auth, clock.today())


@router.get(
    "/investigation-reports", auth=None, response=PublishedPage, summary="已公布的事故调查报告（无需登录）"
)
def published(
    request,
    q: str | None = Query(None, max_length=100),
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
):
    def convert(inv: Investigation) -> dict:
        a = inv.accident
        return {
            "accident_number": a.number,
            "unit_name": a.unit_name,
            "region_name": a.region.full_name,
            "occurred_at": localtime(a.occurred_at),
            "grade_label": a.get_grade_display(),
            "lead": inv.lead,
            "summary": inv.report_summary,
            "reply": inv.reply,
            "published_on": inv.published_on,
        }

    return paginate(queries.published_reports(q=q), page=page, size=page_size).as_dict(convert)
