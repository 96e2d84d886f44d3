"""Enterprise endpoints: list, read, register, edit, status changes, history."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.timezone import localtime
from ninja import Query, Router, Schema
from ninja.responses import Status as HttpStatus
from pydantic import ConfigDict, Field

from benan.core import audit, clock
from benan.core.api import HistoryOut, history_rows
from benan.core.pagination import paginate

from . import queries, services
from .models import Enterprise, Status

router = Router(tags=["企业"])


class EnterpriseOut(Schema):
    id: int
    uscc: str
    name: str
    region_code: str
    sector: str
    status: str | None
    address: str
    lat: float
    lon: float


class PeriodOut(Schema):
    id: int
    status: str
    status_label: str
    start_date: date
    end_date: date | None
    reason: str


class EnterpriseDetail(EnterpriseOut):
    region_name: str
    sector_label: str
    status_label: str | None
    scale: str
    legal_representative: str
    safety_contact: str
    safety_contact_phone: str
    park_id: int | None
    park_name: str | None
    timeline: list[PeriodOut]
    created_at: datetime
    updated_at: datetime


class EnterprisePage(Schema):
    items: list[EnterpriseOut]
    count: int
    page: int
    page_size: int


class ListQuery(Schema):
    region: str | None = Field(None, description="行政区划代码（含下级）", max_length=6)
    sector: str | None = Field(None, description="行业代码")
    status: str | None = Field(None, description="当前状态")
    q: str | None = Field(None, description="企业名称或统一社会信用代码", max_length=100)
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=100)


_TEXT = {"max_length": 300}


class EnterpriseIn(Schema):
    model_config = ConfigDict(extra="forbid")
    uscc: str = Field(max_length=30)
    name: str = Field(**_TEXT)
    region_code: str = Field(max_length=12)
    sector: str = Field(max_length=30)
    address: str = Field(**_TEXT)
    lat: float
    lon: float
    scale: str | None = Field(None, max_length=10)
    legal_representative: str | None = Field(None, **_TEXT)
    safety_contact: str | None = Field(None, **_TEXT)
    safety_contact_phone: str | None = Field(None, max_length=30)
    park_id: int | None = None
    status: str = Field(Status.NORMAL, description="初始状态", max_length=30)
    status_since: date | None = Field(None, description="初始状态开始日期，默认今天")


class EnterprisePatch(Schema):
    model_config = ConfigDict(extra="forbid")
    uscc: str | None = Field(None, max_length=30)
    name: str | None = Field(None, **_TEXT)
    region_code: str | None = Field(None, max_length=12)
    sector: str | None = Field(None, max_length=30)
    address: str | None = Field(None, **_TEXT)
    lat: float | None = None
    lon: float | None = None
    scale: str | None = Field(None, max_length=10)
    legal_representative: str | None = Field(None, **_TEXT)
    safety_contact: str | None = Field(None, **_TEXT)
    safety_contact_phone: str | None = Field(None, max_length=30)
    park_id: int | None = None


class StatusIn(Schema):
    model_config = ConfigDict(extra="forbid")
    status: str = Field(max_length=30)
    start_date: date
    reason: str = Field("", max_length=300)


def _out(e: Enterprise, status: str | None) -> dict:
    return {
        "id": e.pk, "uscc": e.uscc, "name": e.name, "region_code": e.region_id,
        "sector": e.sector, "status": status, "address": e.address, "lat": e.lat, "lon": e.lon,
    }


def _detail(e: Enterprise) -> dict:
    periods = queries.timeline(e)
    status = queries.statuses_on([e.pk]).get(e.pk)
    return {
        **_out(e, status),
        "region_name": e.region.full_name, "sector_label": e.get_sector_display(),
        "status_label": Status(status).label if status else None, "scale": e.scale,
        "legal_representative": e.legal_representative, "safety_contact": e.safety_contact,
        "safety_contact_phone": e.safety_contact_phone, "park_id": e.park_id,
        "park_name": e.park.name if e.park_id else None,
        "timeline": [
            {"id": p.pk, "status": p.status, "status_label": p.get_status_display(),
             "start_date": p.start_date, "end_date": p.end_date, "reason": p.reason}
            for p in periods
        ],
        "created_at": localtime(e.created_at), "updated_at": localtime(e.updated_at),
    }


@router.get("", response=EnterprisePage, summary="企业列表")
def list_enterprises(request, filters: Query[ListQuery]):
    queryset = queries.enterprises(
        request.auth,
        queries.EnterpriseFilter(
            region=filters.region, sector=filters.sector, status=filters.status, q=filters.q
        ),
    )
    page = paginate(queryset, page=filters.page, size=filters.page_size)
    statuses = queries.statuses_on([e.pk for e in page.items])
    return {
        "items": [_out(e, statuses.get(e.pk)) for e in page.items],
        "count": page.count, "page": page.number, "page_size": page.size,
    }


@router.post("", response={201: EnterpriseDetail}, summary="登记企业")
def create_enterprise(request, payload: EnterpriseIn):
    data = payload.model_dump(exclude={"status", "status_since"}, exclude_none=True)
    enterprise = services.create_enterprise(
        actor=request.auth, data=data, status=payload.status, status_since=payload.status_since
    )
    return HttpStatus(201, _detail(queries.get_enterprise(request.auth, enterprise.pk)))


@router.get("/{int:enterprise_id}", response=EnterpriseDetail, summary="企业详情")
def get_enterprise(request, enterprise_id: int):
    return _detail(queries.get_enterprise(request.auth, enterprise_id))


@router.patch("/{int:enterprise_id}", response=EnterpriseDetail, summary="修改企业信息")
def patch_enterprise(request, enterprise_id: int, payload: EnterprisePatch):
    enterprise = queries.get_enterprise(request.auth, enterprise_id)
    services.update_enterprise(
        actor=request.auth, enterprise=enterprise, data=payload.model_dump(exclude_unset=True)
    )
    return _detail(queries.get_enterprise(request.auth, enterprise_id))


@router.post("/{int:enterprise_id}/status", response={201: PeriodOut}, summary="变更企业状态")
def change_status(request, enterprise_id: int, payload: StatusIn):
    enterprise = queries.get_enterprise(request.auth, enterprise_id)
    period = services.change_status(
        actor=request.auth, enterprise=enterprise, status=payload.status,
        start_date=payload.start_date, reason=payload.reason,
    )
    return HttpStatus(201, {
        "id": period.pk, "status": period.status, "status_label": period.get_status_display(),
        "start_date": period.start_date, "end_date": period.end_date, "reason": period.reason,
    })


class StatusOnOut(Schema):
    enterprise_id: int
    date: date
    status: str | None
    status_label: str | None
    period_start: date | None
    period_end: date | None
    reason: str


@router.get("/{int:enterprise_id}/status", response=StatusOnOut, summary="某日的企业状态")
def status_on(request, enterprise_id: int, date: date | None = None):
    """The status in force on `date` (default today) per the status timeline, the single source of
    truth for "may this company produce that day"; null before the enterprise's first period."""
    enterprise = queries.get_enterprise(request.auth, enterprise_id)
    day = date or clock.today()
    period = queries.period_on(enterprise, day)
    return {
        "enterprise_id": enterprise.pk, "date": day,
        "status": period.status if period else None,
        "status_label": period.get_status_display() if period else None,
        "period_start": period.start_date if period else None,
        "period_end": period.end_date if period else None,
        "reason": period.reason if period else "",
    }


@router.get("/{int:enterprise_id}/history", response=list[HistoryOut], summary="企业变更记录")
def history(request, enterprise_id: int):
    enterprise = queries.get_enterprise(request.auth, enterprise_id)
    return history_rows(audit.history(enterprise).order_by("-seq")[:200])
