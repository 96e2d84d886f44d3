"""Power-alert endpoints: the queue, one alert with its load chart and history, statistics, and one
endpoint per loop action (assign, confirm, dismiss, open a case). Enterprises see none of it."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.timezone import localtime
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from benan.core.api import HistoryOut, StatsPeriod, history_rows
from benan.core.errors import PermissionDenied
from benan.core.models import GOVERNMENT_ROLES
from benan.core.pagination import paginate

from . import queries, services
from .models import PowerAlert

router = Router(tags=["电力助应急"])


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class AlertOut(Schema):
    id: int
    number: str
    enterprise_id: int
    enterprise: str
    uscc: str
    region: str
    region_name: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    start_date: date
    end_date: date
    days: int
    score: float
    evidence: str
    energy: float
    reference: float | None
    detected_at: datetime
    inspector_id: int | None
    inspector: str | None
    checked_on: date | None
    check_lat: float | None
    check_lon: float | None
    finding: str
    case_id: int | None
    case_number: str | None
    actions: list[str]


class AlertPage(Schema):
    items: list[AlertOut]
    count: int
    page: int
    page_size: int


class AssignIn(Strict):
    inspector_id: int


class CheckIn(Strict):
    photo_ids: list[int] = Field(description="现场照片（附件编号），至少一张")
    lat: float = Field(description="核查位置纬度（GPS）")
    lon: float = Field(description="核查位置经度（GPS）")
    finding: str = Field(max_length=2000, description="现场核查情况")
    checked_on: date | None = Field(None, description="核查日期，默认今天")


class CaseIn(Strict):
    cause: str = Field("", max_length=200, description="案由（默认按预警类型）")
    facts: str = Field("", max_length=5000, description="违法事实（默认取用电证据和核查情况）")
    officer_ids: list[int] = Field(default_factory=list, description="执法人员（至少两名方可调查）")


def _government(request) -> None:
    if request.auth.role not in GOVERNMENT_ROLES and not request.auth.is_admin:
        raise PermissionDenied("电力数据预警仅供监管部门使用")


def _out(a: PowerAlert, user) -> dict:
    return {
        "id": a.pk,
        "number": a.number,
        "enterprise_id": a.enterprise_id,
        "enterprise": a.enterprise.name,
        "uscc": a.enterprise.uscc,
        "region": a.region_id,
        "region_name": a.region.name,
        "kind": a.kind,
        "kind_label": a.get_kind_display(),
        "state": a.state,
        "state_label": a.get_state_display(),
        "start_date": a.start_date,
        "end_date": a.end_date,
        "days": a.days,
        "score": a.score,
        "evidence": a.evidence,
        "energy": a.energy,
        "reference": a.reference,
        "detected_at": localtime(a.detected_at),
        "inspector_id": a.inspector_id,
        "inspector": (a.inspector.get_full_name() or a.inspector.username) if a.inspector else None,
        "checked_on": a.checked_on,
        "check_lat": a.check_lat,
        "check_lon": a.check_lon,
        "finding": a.finding,
        "case_id": a.case_id,
        "case_number": a.case.number if a.case else None,
        "actions": [t.action for t in PowerAlert.LOOP.available(a, user) if t.action != "extend"],
    }


@router.get("/power/alerts", response=AlertPage, summary="电力数据预警列表")
def list_alerts(
    request,
    state: str | None = None,
    kind: str | None = None,
    region: str | None = Query(None, max_length=6),
    mine: bool = False,
    year: int | None = None,
    q: str | None = Query(None, max_length=100),
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
):
    _government(request)
    qs = queries.alerts(request.auth, state=state, kind=kind, region=region, mine=mine, year=year, q=q)
    return paginate(qs, page=page, size=page_size).as_dict(lambda a: _out(a, request.auth))


@router.get("/power/stats", summary="电力数据预警统计（含查实率）")
def alert_stats(request, period: Query[StatsPeriod], region: str | None = Query(None, max_length=6)):
    _government(request)
    return queries.stats(request.auth, region=region, period=period.resolve())


@router.get("/power/alerts/{int:alert_id}", response=AlertOut, summary="预警详情")
def get_alert(request, alert_id: int):
    return _out(services.get_alert(request.auth, alert_id), request.auth)


@router.get("/power/alerts/{int:alert_id}/load", summary="预警企业的日用电和夜间用电曲线")
def alert_load(request, alert_id: int):
    return queries.load_chart(services.get_alert(request.auth, alert_id))


@router.get("/power/alerts/{int:alert_id}/history", response=list[HistoryOut], summary="预警处理记录")
def alert_history(request, alert_id: int):
    alert = services.get_alert(request.auth, alert_id)
    return history_rows(queries.history(alert))


@router.post("/power/alerts/{int:alert_id}/assign", response=AlertOut, summary="分派核查")
def assign(request, alert_id: int, payload: AssignIn):
    alert = services.assign(
        actor=request.auth,
        alert=services.get_alert(request.auth, alert_id),
        inspector_id=payload.inspector_id,
    )
    return _out(services.get_alert(request.auth, alert.pk), request.auth)


@router.post("/power/alerts/{int:alert_id}/confirm", response=AlertOut, summary="现场核查属实")
def confirm(request, alert_id: int, payload: CheckIn):
    alert = services.confirm(
        actor=request.auth, alert=services.get_alert(request.auth, alert_id), **payload.model_dump()
    )
    return _out(services.get_alert(request.auth, alert.pk), request.auth)


@router.post("/power/alerts/{int:alert_id}/dismiss", response=AlertOut, summary="现场核查为误报")
def dismiss(request, alert_id: int, payload: CheckIn):
    alert = services.dismiss(
        actor=request.auth, alert=services.get_alert(request.auth, alert_id), **payload.model_dump()
    )
    return _out(services.get_alert(request.auth, alert.pk), request.auth)


@router.post("/power/alerts/{int:alert_id}/case", response=AlertOut, summary="一键立案")
def open_case(request, alert_id: int, payload: CaseIn):
    alert = services.open_case(
        actor=request.auth, alert=services.get_alert(request.auth, alert_id), **payload.model_dump()
    )
    return _out(services.get_alert(request.auth, alert.pk), request.auth)
