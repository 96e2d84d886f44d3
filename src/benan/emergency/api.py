"""Emergency endpoints: registries (teams, warehouses and their stock, equipment), the nearest
resources to a point, material cover plans, stock alerts, the pool board, dispatch orders and
drills, one endpoint per action. Government users only; enterprises get 403 on lists."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.timezone import localtime
from ninja import Query, Router, Schema
from ninja.responses import Status as HttpStatus
from pydantic import ConfigDict, Field

from benan.core import clock
from benan.core.api import HistoryOut, history_rows
from benan.core.errors import choices_hint
from benan.core.pagination import paginate

from . import catalogue, queries, services
from .models import (
    Batch,
    Capability,
    Dispatch,
    DispatchOrder,
    Drill,
    Equipment,
    FollowUp,
    Loan,
    RescueTeam,
    Stock,
    Warehouse,
)

router = Router(tags=["应急资源与调度"])
LAT = Query(..., ge=-90, le=90, description="纬度")
LON = Query(..., ge=-180, le=180, description="经度")


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


def _page_args(page: int, page_size: int):
    return {"page": page, "size": page_size}


def _name(user) -> str | None:
    return (user.get_full_name() or user.username) if user else None


def _actions(obj, user, hidden=("deploy", "release", "return_damaged")) -> list[str]:
    return [t.action for t in type(obj).LOOP.available(obj, user) if t.action not in hidden]


# -- schemas out -------------------------------------------------------------------------------


class LocatedOut(Schema):
    id: int
    name: str
    region: str
    region_name: str
    address: str
    lat: float
    lon: float
    contact: str
    phone: str


class TeamOut(LocatedOut):
    kind: str
    kind_label: str
    members: int
    capabilities: list[str]
    capability_labels: list[str]
    readiness: str
    readiness_label: str
    readiness_note: str
    available: bool
    actions: list[str]


class WarehouseOut(LocatedOut):
    level: str
    level_label: str
    capacity_m2: int | None
    is_pool: bool


class EquipmentOut(Schema):
    id: int
    item: str
    item_name: str
    model: str
    serial: str
    warehouse_id: int
    warehouse: str
    region: str
    region_name: str
    lat: float
    lon: float
    status: str
    status_label: str
    available: bool
    next_maintenance: date | None
    note: str
    loan: LoanOut | None = None
    actions: list[str]


class LoanOut(Schema):
    id: int
    equipment_id: int
    equipment: str
    warehouse: str
    state: str
    state_label: str
    borrower: str
    purpose: str
    expected_return: date
    overdue: bool
    reserved_at: datetime | None
    lent_at: datetime | None
    returned_at: datetime | None
    condition: str
    order_id: int | None


EquipmentOut.model_rebuild()


def _located(o) -> dict:
    return {
        "id": o.pk,
        "name": o.name,
        "region": o.region_id,
        "region_name": o.region.name,
        "address": o.address,
        "lat": o.lat,
        "lon": o.lon,
        "contact": o.contact,
        "phone": o.phone,
    }


def team_out(t: RescueTeam, user) -> dict:
    return {
        **_located(t),
        "kind": t.kind,
        "kind_label": t.get_kind_display(),
        "members": t.members,
        "capabilities": t.capabilities,
        "capability_labels": t.capability_labels,
        "readiness": t.readiness,
        "readiness_label": t.get_readiness_display(),
        "readiness_note": t.readiness_note,
        "available": t.available,
        "actions": _actions(t, user),
    }


def warehouse_out(w: Warehouse, user=None) -> dict:
    return {
        **_located(w),
        "level": w.level,
        "level_label": w.get_level_display(),
        "capacity_m2": w.capacity_m2,
        "is_pool": w.is_pool,
    }


def _local(value):
    return localtime(value) if value else None


def loan_out(loan: Loan) -> dict:
    return {
        "id": loan.pk,
        "equipment_id": loan.equipment_id,
        "equipment": str(loan.equipment),
        "warehouse": loan.equipment.warehouse.name,
        "state": loan.state,
        "state_label": loan.get_state_display(),
        "borrower": loan.borrower,
        "purpose": loan.purpose,
        "expected_return": loan.expected_return,
        "overdue": loan.state == "lent" and loan.expected_return < clock.today(),
        "reserved_at": _local(loan.reserved_at),
        "lent_at": _local(loan.lent_at),
        "returned_at": _local(loan.returned_at),
        "condition": loan.condition,
        "order_id": loan.order_id,
    }


def equipment_out(e: Equipment, user, *, with_loan: bool = False) -> dict:
    loan = e.active_loan if with_loan else None
    return {
        "id": e.pk,
        "item": e.item,
        "item_name": e.item_name,
        "model": e.model,
        "serial": e.serial,
        "warehouse_id": e.warehouse_id,
        "warehouse": e.warehouse.name,
        "region": e.warehouse.region_id,
        "region_name": e.warehouse.region.name,
        "lat": e.warehouse.lat,
        "lon": e.warehouse.lon,
        "status": e.status,
        "status_label": e.get_status_display(),
        "available": e.available,
        "next_maintenance": e.next_maintenance,
        "note": e.note,
        "loan": loan_out(loan) if loan else None,
        "actions": _actions(e, user),
    }


class BatchOut(Schema):
    id: int
    quantity: int
    received: int
    received_on: date
    expiry_date: date | None
    expired: bool
    note: str


class StockOut(Schema):
    id: int
    warehouse_id: int
    warehouse: str
    item: str
    item_name: str
    unit: str
    minimum: int
    usable: int
    total: int
    below_minimum: bool
    batches: list[BatchOut]


def batch_out(b: Batch, today: date) -> dict:
    return {
        "id": b.pk,
        "quantity": b.quantity,
        "received": b.received,
        "received_on": b.received_on,
        "expiry_date": b.expiry_date,
        "expired": b.expiry_date is not None and b.expiry_date < today,
        "note": b.note,
    }


def stock_out(s: Stock) -> dict:
    today = clock.today()
    return {
        "id": s.pk,
        "warehouse_id": s.warehouse_id,
        "warehouse": s.warehouse.name,
        "item": s.item,
        "item_name": s.item_name,
        "unit": s.unit,
        "minimum": s.minimum,
        "usable": s.usable,
        "total": s.total,
        "below_minimum": s.usable < s.minimum,
        "batches": [batch_out(b, today) for b in s.batches.all() if b.quantity > 0],
    }


# -- catalogue and nearest ---------------------------------------------------------------------


class ItemOut(Schema):
    code: str
    kind: str
    category: str
    name: str
    unit: str


@router.get("/resources/catalogue", response=list[ItemOut], summary="物资和装备品目目录")
def item_catalogue(request, kind: Literal["material", "equipment"] | None = None):
    return [vars(i) for i in catalogue.items().values() if kind is None or i.kind == kind]


class NearestOut(Schema):
    kind: str
    id: int
    name: str
    region: str
    region_name: str
    lat: float
    lon: float
    distance_km: float
    available: bool
    status: str
    status_label: str
    detail: str


def nearest_out(kind: str, hit) -> dict:
    o = hit.obj
    if kind == "rescue_team":
        status, label = o.readiness, o.get_readiness_display()
        detail = f"{o.get_kind_display()}，{o.members}人，" + "、".join(o.capability_labels)
        place = o
    elif kind == "warehouse":
        status, label, place = "open", "可调用", o
        detail = f"{o.get_level_display()}物资库" + ("（装备公物仓）" if o.is_pool else "")
    else:
        status, label, place = o.status, o.get_status_display(), o.warehouse
        detail = f"{o.model}，{o.warehouse.name}"
    return {
        "kind": kind,
        "id": o.pk,
        "name": o.name if kind != "equipment" else f"{o.item_name}（{o.serial}）",
        "region": place.region_id,
        "region_name": place.region.name,
        "lat": place.lat,
        "lon": place.lon,
        "distance_km": hit.distance_km,
        "available": o.available,
        "status": status,
        "status_label": label,
        "detail": detail,
    }


@router.get("/resources/nearest", response=list[NearestOut], summary="最近的应急资源（按球面距离）")
def nearest(
    request,
    lat: float = LAT,
    lon: float = LON,
    kind: Literal["rescue_team", "warehouse", "equipment"] = Query(..., description="资源类型"),
    capability: str | None = Query(None, max_length=20, description="救援能力代码（仅队伍）"),
    item: str | None = Query(None, max_length=10, description="品目代码（物资库：有该物资；装备：该品目）"),
    available: bool | None = Query(None, description="只看可用（true）或不可用（false）"),
    region: str | None = Query(None, max_length=6, description="只在该区划内查找"),
    limit: int = Query(10, ge=1, le=100),
):
    services._require_government(request.auth)
    if capability and capability not in Capability.values:
        raise ValidationError(
            {"capability": [f"救援能力“{capability}”不是可选值，可选：{choices_hint(Capability)}"]}
        )
    if capability and kind != "rescue_team":
        raise ValidationError({"capability": ["救援能力只用于查找救援队伍（kind=rescue_team）"]})
    if item:
        catalogue.get(item, catalogue.MATERIAL if kind == "warehouse" else catalogue.EQUIPMENT)
        if kind == "rescue_team":
            raise ValidationError({"item": ["品目只用于查找物资库和装备"]})
        item = item.upper()
    hits = queries.nearest(
        request.auth,
        lat=lat,
        lon=lon,
        kind=kind,
        capability=capability,
        item=item,
        available=available,
        limit=limit,
        region=region,
    )
    return [nearest_out(kind, h) for h in hits]


class SourceOut(Schema):
    warehouse: WarehouseOut
    distance_km: float
    available: int
    take: int
    covers: bool


class PlanOut(Schema):
    item: str
    item_name: str
    unit: str
    quantity: int
    covered: bool
    shortfall: int
    total: int
    sources: list[SourceOut]


@router.get(
    "/resources/materials/plan", response=PlanOut, summary="物资需求：哪些物资库能满足、如何分配（最近优先）"
)
def material_plan(
    request,
    lat: float = LAT,
    lon: float = LON,
    item: str = Query(..., max_length=10, description="物资品目代码"),
    quantity: int = Query(..., ge=1, le=100_000_000, description="需要的数量"),
    region: str | None = Query(None, max_length=6),
):
    services._require_government(request.auth)
    plan = queries.material_plan(request.auth, lat=lat, lon=lon, item=item, quantity=quantity, region=region)
    return {
        "item": plan["item"].code,
        "item_name": plan["item"].name,
        "unit": plan["item"].unit,
        "quantity": quantity,
        "covered": plan["covered"],
        "shortfall": plan["shortfall"],
        "total": plan["total"],
        "sources": [
            {
                "warehouse": warehouse_out(s.warehouse),
                "distance_km": s.distance_km,
                "available": s.available,
                "take": s.take,
                "covers": s.available >= quantity,
            }
            for s in plan["sources"]
        ],
    }


# -- teams -------------------------------------------------------------------------------------


class TeamPage(Schema):
    items: list[TeamOut]
    count: int
    page: int
    page_size: int


class TeamIn(Strict):
    name: str = Field(max_length=100)
    region_code: str = Field(max_length=6, description="所属区县代码")
    address: str = Field("", max_length=200)
    lat: float
    lon: float
    contact: str = Field("", max_length=50)
    phone: str = Field("", max_length=20)
    kind: str = Field(description="队伍类型")
    members: int = Field(description="队员人数")
    capabilities: list[str] = Field(default_factory=list, description="救援能力代码")


class TeamPatch(Strict):
    name: str | None = Field(None, max_length=100)
    region_code: str | None = Field(None, max_length=6)
    address: str | None = Field(None, max_length=200)
    lat: float | None = None
    lon: float | None = None
    contact: str | None = Field(None, max_length=50)
    phone: str | None = Field(None, max_length=20)
    kind: str | None = None
    members: int | None = None
    capabilities: list[str] | None = None


def _patch(payload: Schema) -> dict:
    data = payload.model_dump(exclude_unset=True)
    if ("lat" in data) != ("lon" in data):
        raise ValidationError({"lat": ["修改位置时须同时填写纬度和经度"]})
    return data


class NoteIn(Strict):
    note: str = Field("", max_length=200)


@router.get("/resources/teams", response=TeamPage, summary="应急救援队伍")
def list_teams(
    request,
    region: str | None = Query(None, max_length=6),
    kind: str | None = None,
    capability: str | None = None,
    readiness: str | None = None,
    q: str | None = Query(None, max_length=100),
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
):
    services._require_government(request.auth)
    qs = queries.teams(
        request.auth, region=region, kind=kind, capability=capability, readiness=readiness, q=q
    )
    return paginate(qs, **_page_args(page, page_size)).as_dict(lambda t: team_out(t, request.auth))


@router.post("/resources/teams", response={201: TeamOut}, summary="登记救援队伍")
def create_team(request, payload: TeamIn):
    team = services.create_team(actor=request.auth, **payload.model_dump())
    return HttpStatus(201, team_out(services.get(RescueTeam, request.auth, team.pk), request.auth))


@router.get("/resources/teams/{int:team_id}", response=TeamOut, summary="救援队伍详情")
def get_team(request, team_id: int):
    return team_out(services.get(RescueTeam, request.auth, team_id), request.auth)


@router.patch("/resources/teams/{int:team_id}", response=TeamOut, summary="修改救援队伍")
def update_team(request, team_id: int, payload: TeamPatch):
    team = services.update_team(
        actor=request.auth, team=services.get(RescueTeam, request.auth, team_id), **_patch(payload)
    )
    return team_out(services.get(RescueTeam, request.auth, team.pk), request.auth)


@router.post("/resources/teams/{int:team_id}/stand-down", response=TeamOut, summary="队伍转为休整")
def stand_down(request, team_id: int, payload: NoteIn):
    team = services.team_action(
        actor=request.auth,
        team=services.get(RescueTeam, request.auth, team_id),
        action="stand_down",
        note=payload.note,
    )
    return team_out(team, request.auth)


@router.post("/resources/teams/{int:team_id}/stand-by", response=TeamOut, summary="队伍恢复待命")
def stand_by(request, team_id: int, payload: NoteIn):
    team = services.team_action(
        actor=request.auth,
        team=services.get(RescueTeam, request.auth, team_id),
        action="stand_by",
        note=payload.note,
    )
    return team_out(team, request.auth)


@router.get("/resources/teams/{int:team_id}/history", response=list[HistoryOut], summary="队伍记录")
def team_history(request, team_id: int):
    return history_rows(queries.history(services.get(RescueTeam, request.auth, team_id)))


# -- warehouses and stock ----------------------------------------------------------------------


class WarehousePage(Schema):
    items: list[WarehouseOut]
    count: int
    page: int
    page_size: int


class WarehouseIn(Strict):
    name: str = Field(max_length=100)
    region_code: str = Field(max_length=6)
    address: str = Field("", max_length=200)
    lat: float
    lon: float
    contact: str = Field("", max_length=50)
    phone: str = Field("", max_length=20)
    level: str
    capacity_m2: int | None = None
    is_pool: bool = False


class WarehousePatch(Strict):
    name: str | None = Field(None, max_length=100)
    region_code: str | None = Field(None, max_length=6)
    address: str | None = Field(None, max_length=200)
    lat: float | None = None
    lon: float | None = None
    contact: str | None = Field(None, max_length=50)
    phone: str | None = Field(None, max_length=20)
    level: str | None = None
    capacity_m2: int | None = None
    is_pool: bool | None = None


@router.get("/resources/warehouses", response=WarehousePage, summary="救援物资库")
def list_warehouses(
    request,
    region: str | None = Query(None, max_length=6),
    level: str | None = None,
    item: str | None = Query(None, max_length=10, description="只看有该物资（未过期）的库"),
    pool: bool | None = None,
    q: str | None = Query(None, max_length=100),
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
):
    services._require_government(request.auth)
    qs = queries.warehouses(request.auth, region=region, level=level, item=item, pool=pool, q=q)
    return paginate(qs, **_page_args(page, page_size)).as_dict(warehouse_out)


@router.post("/resources/warehouses", response={201: WarehouseOut}, summary="登记物资库")
def create_warehouse(request, payload: WarehouseIn):
    warehouse = services.create_warehouse(actor=request.auth, **payload.model_dump())
    return HttpStatus(201, warehouse_out(services.get(Warehouse, request.auth, warehouse.pk)))


@router.get("/resources/warehouses/{int:warehouse_id}", response=WarehouseOut, summary="物资库详情")
def get_warehouse(request, warehouse_id: int):
    return warehouse_out(services.get(Warehouse, request.auth, warehouse_id))


@router.patch("/resources/warehouses/{int:warehouse_id}", response=WarehouseOut, summary="修改物资库")
def update_warehouse(request, warehouse_id: int, payload: WarehousePatch):
    warehouse = services.update_warehouse(
        actor=request.auth, warehouse=services.get(Warehouse, request.auth, warehouse_id), **_patch(payload)
    )
    return warehouse_out(services.get(Warehouse, request.auth, warehouse.pk))


@router.get("/resources/warehouses/{int:warehouse_id}/stock", response=list[StockOut], summary="物资库存")
def warehouse_stock(request, warehouse_id: int):
    warehouse = services.get(Warehouse, request.auth, warehouse_id)
    return [stock_out(s) for s in queries.stock_of(warehouse)]


class ReceiveIn(Strict):
    item: str = Field(max_length=10, description="物资品目代码")
    quantity: int = Field(description="入库数量")
    expiry_date: date | None = None
    received_on: date | None = None
    minimum: int | None = Field(None, description="同时设置最低库存")
    note: str = Field("", max_length=200)


@router.post("/resources/warehouses/{int:warehouse_id}/receive", response={201: StockOut}, summary="物资入库")
def receive(request, warehouse_id: int, payload: ReceiveIn):
    warehouse = services.get(Warehouse, request.auth, warehouse_id)
    batch = services.receive(actor=request.auth, warehouse=warehouse, **payload.model_dump())
    return HttpStatus(201, stock_out(queries.stock_of(warehouse).get(pk=batch.stock_id)))


class MinimumIn(Strict):
    minimum: int


@router.post("/resources/stocks/{int:stock_id}/minimum", response=StockOut, summary="设置最低库存")
def set_minimum(request, stock_id: int, payload: MinimumIn):
    stock = services.get(Stock, request.auth, stock_id)
    services.set_minimum(actor=request.auth, stock=stock, minimum=payload.minimum)
    return stock_out(queries.stock_of(stock.warehouse).get(pk=stock.pk))


class WriteOffIn(Strict):
    quantity: int
    reason: str = Field(max_length=200)


@router.post("/resources/batches/{int:batch_id}/write-off", response=StockOut, summary="报废核销")
def write_off(request, batch_id: int, payload: WriteOffIn):
    batch = services.get(Batch, request.auth, batch_id)
    services.write_off(actor=request.auth, batch=batch, **payload.model_dump())
    return stock_out(queries.stock_of(batch.stock.warehouse).get(pk=batch.stock_id))


class AlertStockOut(Schema):
    stock_id: int
    warehouse_id: int
    warehouse: str
    region: str
    region_name: str
    item: str
    item_name: str
    unit: str
    minimum: int
    usable: int


class AlertBatchOut(Schema):
    batch_id: int
    stock_id: int
    warehouse_id: int
    warehouse: str
    region: str
    region_name: str
    item: str
    item_name: str
    unit: str
    quantity: int
    expiry_date: date
    days_left: int
    expired: bool


class StockAlertsOut(Schema):
    below_minimum: list[AlertStockOut]
    expiring: list[AlertBatchOut]
    below_minimum_count: int
    expiring_count: int


@router.get(
    "/resources/stock-alerts", response=StockAlertsOut, summary="库存预警（低于最低库存、30天内到期）"
)
def stock_alerts(
    request, region: str | None = Query(None, max_length=6), limit: int = Query(200, ge=1, le=1000)
):
    services._require_government(request.auth)
    alerts = queries.stock_alerts(request.auth, region=region)
    today = alerts["today"]
    return {
        "below_minimum": [
            {
                "stock_id": s.pk,
                "warehouse_id": s.warehouse_id,
                "warehouse": s.warehouse.name,
                "region": s.warehouse.region_id,
                "region_name": s.warehouse.region.name,
                "item": s.item,
                "item_name": s.item_name,
                "unit": s.unit,
                "minimum": s.minimum,
                "usable": s.usable,
            }
            for s in alerts["below_minimum"][:limit]
        ],
        "expiring": [
            {
                "batch_id": b.pk,
                "stock_id": b.stock_id,
                "warehouse_id": b.stock.warehouse_id,
                "warehouse": b.stock.warehouse.name,
                "region": b.stock.warehouse.region_id,
                "region_name": b.stock.warehouse.region.name,
                "item": b.stock.item,
                "item_name": b.stock.item_name,
                "unit": b.stock.unit,
                "quantity": b.quantity,
                "expiry_date": b.expiry_date,
                "days_left": (b.expiry_date - today).days,
                "expired": b.expiry_date < today,
            }
            for b in alerts["expiring"][:limit]
        ],
        "below_minimum_count": alerts["below_minimum"].count(),
        "expiring_count": alerts["expiring"].count(),
    }


# -- equipment and the pool --------------------------------------------------------------------


class EquipmentPage(Schema):
    items: list[EquipmentOut]
    count: int
    page: int
    page_size: int


class EquipmentIn(Strict):
    warehouse_id: int = Field(description="所属公物仓（物资库编号）")
    item: str = Field(max_length=10, description="装备品目代码")
    serial: str = Field(max_length=60)
    model: str = Field("", max_length=100)
    next_maintenance: date | None = None
    note: str = Field("", max_length=200)


@router.get("/resources/equipment", response=EquipmentPage, summary="应急装备")
def list_equipment(
    request,
    region: str | None = Query(None, max_length=6),
    status: str | None = None,
    item: str | None = Query(None, max_length=10),
    warehouse: int | None = None,
    q: str | None = Query(None, max_length=100),
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
):
    services._require_government(request.auth)
    qs = queries.equipment(request.auth, region=region, status=status, item=item, warehouse=warehouse, q=q)
    return paginate(qs, **_page_args(page, page_size)).as_dict(lambda e: equipment_out(e, request.auth))


@router.post("/resources/equipment", response={201: EquipmentOut}, summary="登记装备")
def register_equipment(request, payload: EquipmentIn):
    data = payload.model_dump()
    warehouse = services.get(Warehouse, request.auth, data.pop("warehouse_id"))
    equipment = services.register_equipment(actor=request.auth, warehouse=warehouse, **data)
    return HttpStatus(201, equipment_out(services.get(Equipment, request.auth, equipment.pk), request.auth))


@router.get("/resources/equipment/{int:equipment_id}", response=EquipmentOut, summary="装备详情")
def get_equipment(request, equipment_id: int):
    return equipment_out(services.get(Equipment, request.auth, equipment_id), request.auth, with_loan=True)


@router.get("/resources/equipment/{int:equipment_id}/history", response=list[HistoryOut], summary="装备记录")
def equipment_history(request, equipment_id: int):
    return history_rows(queries.history(services.get(Equipment, request.auth, equipment_id)))


class ReserveIn(Strict):
    borrower: str = Field(max_length=100, description="借用单位")
    purpose: str = Field("", max_length=200)
    expected_return: date


class LendIn(Strict):
    borrower: str | None = Field(None, max_length=100, description="借用单位（未预约时必填）")
    purpose: str = Field("", max_length=200)
    expected_return: date | None = Field(None, description="预计归还日期（未预约时必填）")


class ReturnIn(Strict):
    condition: Literal["good", "damaged"] = "good"
    note: str = Field("", max_length=200)


class ReasonIn(Strict):
    reason: str = Field(max_length=200)


class MaintenanceDoneIn(Strict):
    next_maintenance: date


def _equipment_action(request, equipment_id: int, action: str, **data) -> dict:
    equipment = services.equipment_action(
        actor=request.auth,
        equipment=services.get(Equipment, request.auth, equipment_id),
        action=action,
        **data,
    )
    return equipment_out(services.get(Equipment, request.auth, equipment.pk), request.auth, with_loan=True)


@router.post("/resources/equipment/{int:equipment_id}/reserve", response=EquipmentOut, summary="预约装备")
def reserve(request, equipment_id: int, payload: ReserveIn):
    return _equipment_action(request, equipment_id, "reserve", **payload.model_dump())


@router.post(
    "/resources/equipment/{int:equipment_id}/cancel-reservation", response=EquipmentOut, summary="取消预约"
)
def cancel_reservation(request, equipment_id: int):
    return _equipment_action(request, equipment_id, "cancel_reservation")


@router.post("/resources/equipment/{int:equipment_id}/lend", response=EquipmentOut, summary="借出装备")
def lend(request, equipment_id: int, payload: LendIn):
    return _equipment_action(request, equipment_id, "lend", **payload.model_dump(exclude_none=True))


@router.post("/resources/equipment/{int:equipment_id}/return", response=EquipmentOut, summary="归还装备")
def give_back(request, equipment_id: int, payload: ReturnIn):
    return _equipment_action(request, equipment_id, "return", **payload.model_dump())


@router.post("/resources/equipment/{int:equipment_id}/maintain", response=EquipmentOut, summary="送修保养")
def maintain(request, equipment_id: int, payload: ReasonIn):
    return _equipment_action(request, equipment_id, "maintain", **payload.model_dump())


@router.post(
    "/resources/equipment/{int:equipment_id}/finish-maintenance", response=EquipmentOut, summary="保养完成"
)
def finish_maintenance(request, equipment_id: int, payload: MaintenanceDoneIn):
    return _equipment_action(request, equipment_id, "finish_maintenance", **payload.model_dump())


@router.post("/resources/equipment/{int:equipment_id}/retire", response=EquipmentOut, summary="报废装备")
def retire(request, equipment_id: int, payload: ReasonIn):
    return _equipment_action(request, equipment_id, "retire", **payload.model_dump())


class StatusCount(Schema):
    status: str
    label: str
    count: int


class PoolBoardOut(Schema):
    status: list[StatusCount]
    loans: list[LoanOut]
    overdue: list[LoanOut]
    maintenance_due: list[EquipmentOut]


@router.get("/resources/pool", response=PoolBoardOut, summary="装备公物仓看板（借出、逾期、待保养）")
def pool_board(request, limit: int = Query(100, ge=1, le=500)):
    services._require_government(request.auth)
    board = queries.pool_board(request.auth)
    return {
        "status": board["status"],
        "loans": [loan_out(x) for x in board["loans"][:limit]],
        "overdue": [loan_out(x) for x in board["overdue"][:limit]],
        "maintenance_due": [equipment_out(e, request.auth) for e in board["maintenance_due"][:limit]],
    }


# -- dispatch ----------------------------------------------------------------------------------


class LineOut(Schema):
    id: int
    item: str
    item_name: str
    unit: str
    quantity: int
    returned: int | None


class OrderOut(Schema):
    id: int
    dispatch_id: int
    dispatch: str
    kind: str
    kind_label: str
    resource_id: int
    resource: str
    region: str
    region_name: str
    state: str
    state_label: str
    distance_km: float
    note: str
    sent_by: str
    sent_at: datetime
    acknowledged_at: datetime | None
    departed_at: datetime | None
    arrived_at: datetime | None
    returned_at: datetime | None
    cancelled_at: datetime | None
    return_note: str
    lines: list[LineOut]
    actions: list[str]


def order_out(o: DispatchOrder, user) -> dict:
    return {
        "id": o.pk,
        "dispatch_id": o.dispatch_id,
        "dispatch": o.dispatch.title,
        "kind": o.kind,
        "kind_label": o.get_kind_display(),
        "resource_id": o.resource.pk,
        "resource": o.resource_name,
        "region": o.region_id,
        "region_name": o.region.name,
        "state": o.state,
        "state_label": o.get_state_display(),
        "distance_km": o.distance_km,
        "note": o.note,
        "sent_by": _name(o.sent_by),
        "sent_at": localtime(o.sent_at),
        "acknowledged_at": _local(o.acknowledged_at),
        "departed_at": _local(o.departed_at),
        "arrived_at": _local(o.arrived_at),
        "returned_at": _local(o.returned_at),
        "cancelled_at": _local(o.cancelled_at),
        "return_note": o.return_note,
        "lines": [
            {
                "id": ln.pk,
                "item": ln.stock.item,
                "item_name": ln.stock.item_name,
                "unit": ln.stock.unit,
                "quantity": ln.quantity,
                "returned": ln.returned,
            }
            for ln in o.lines.select_related("stock")
        ],
        "actions": _actions(o, user),
    }


class DispatchOut(Schema):
    id: int
    number: str
    title: str
    origin: str
    origin_label: str
    accident_id: int | None
    drill_id: int | None
    region: str
    region_name: str
    lat: float
    lon: float
    note: str
    created_by: str
    created_at: datetime
    orders: list[OrderOut]


class DispatchSummary(Schema):
    id: int
    number: str
    title: str
    origin: str
    origin_label: str
    accident_id: int | None
    region: str
    region_name: str
    created_at: datetime


class DispatchPage(Schema):
    items: list[DispatchSummary]
    count: int
    page: int
    page_size: int


def dispatch_summary(d: Dispatch) -> dict:
    return {
        "id": d.pk,
        "number": d.number,
        "title": d.title,
        "origin": d.origin,
        "origin_label": d.get_origin_display(),
        "accident_id": d.accident_id,
        "region": d.region_id,
        "region_name": d.region.name,
        "created_at": localtime(d.created_at),
    }


def dispatch_out(d: Dispatch, user) -> dict:
    return {
        **dispatch_summary(d),
        "drill_id": d.drill_id,
        "lat": d.lat,
        "lon": d.lon,
        "note": d.note,
        "created_by": _name(d.created_by),
        "orders": [order_out(o, user) for o in queries.orders(user, dispatch=d)],
    }


class LineIn(Strict):
    item: str = Field(max_length=10)
    quantity: int


class OrderIn(Strict):
    kind: Literal["team", "material", "equipment"]
    id: int = Field(description="队伍、物资库或装备的编号")
    lines: list[LineIn] = Field(default_factory=list, description="调出的物资（仅物资库）")
    note: str = Field("", max_length=500)
    days: int = Field(7, ge=1, le=365, description="装备预计使用天数")


class DispatchIn(Strict):
    title: str = Field(max_length=200)
    origin: Literal["accident", "drill", "point"]
    accident_id: int | None = None
    drill_id: int | None = None
    lat: float | None = None
    lon: float | None = None
    region_code: str | None = Field(None, max_length=6, description="事发地区县（地图位置时必填）")
    note: str = Field("", max_length=5000)
    orders: list[OrderIn] = Field(default_factory=list, description="同时下达的指令")


class OrdersIn(Strict):
    orders: list[OrderIn]


@router.get("/dispatches", response=DispatchPage, summary="应急调度列表")
def list_dispatches(
    request,
    region: str | None = Query(None, max_length=6),
    origin: str | None = None,
    active: bool | None = None,
    q: str | None = Query(None, max_length=100),
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
):
    services._require_government(request.auth)
    qs = queries.dispatches(request.auth, region=region, origin=origin, active=active, q=q)
    return paginate(qs, **_page_args(page, page_size)).as_dict(dispatch_summary)


@router.post("/dispatches", response={201: DispatchOut}, summary="发起调度（可同时下达指令）")
def start_dispatch(request, payload: DispatchIn):
    data = payload.model_dump()
    orders = data.pop("orders")
    with transaction.atomic():
        dispatch = services.start_dispatch(actor=request.auth, **data)
        if orders:
            services.send_orders(actor=request.auth, dispatch=dispatch, orders=orders)
    return HttpStatus(201, dispatch_out(services.get(Dispatch, request.auth, dispatch.pk), request.auth))


@router.get("/dispatches/{int:dispatch_id}", response=DispatchOut, summary="调度详情和指令")
def get_dispatch(request, dispatch_id: int):
    return dispatch_out(services.get(Dispatch, request.auth, dispatch_id), request.auth)


@router.post("/dispatches/{int:dispatch_id}/orders", response={201: list[OrderOut]}, summary="下达调度指令")
def send_orders(request, dispatch_id: int, payload: OrdersIn):
    dispatch = services.get(Dispatch, request.auth, dispatch_id)
    sent = services.send_orders(actor=request.auth, dispatch=dispatch, orders=payload.model_dump()["orders"])
    return HttpStatus(
        201, [order_out(services.get(DispatchOrder, request.auth, o.pk), request.auth) for o in sent]
    )


class OrderPage(Schema):
    items: list[OrderOut]
    count: int
    page: int
    page_size: int


@router.get("/dispatch-orders", response=OrderPage, summary="调度指令（本辖区资源）")
def list_orders(
    request,
    state: str | None = None,
    kind: str | None = None,
    region: str | None = Query(None, max_length=6),
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
):
    services._require_government(request.auth)
    qs = queries.orders(request.auth, state=state, kind=kind, region=region).order_by("-sent_at", "-id")
    return paginate(qs, **_page_args(page, page_size)).as_dict(lambda o: order_out(o, request.auth))


@router.get("/dispatch-orders/{int:order_id}", response=OrderOut, summary="调度指令详情")
def get_order(request, order_id: int):
    return order_out(services.get(DispatchOrder, request.auth, order_id), request.auth)


@router.get("/dispatch-orders/{int:order_id}/history", response=list[HistoryOut], summary="指令记录")
def order_history(request, order_id: int):
    return history_rows(queries.history(services.get(DispatchOrder, request.auth, order_id)))


class ReturnedLine(Strict):
    line_id: int
    returned: int = Field(ge=0)


class OrderReturnIn(Strict):
    note: str = Field("", max_length=500)
    condition: Literal["good", "damaged"] = Field("good", description="装备归还状况")
    lines: list[ReturnedLine] = Field(default_factory=list, description="物资退回数量（未列出的按全部消耗）")


def _order_action(request, order_id: int, action: str, **data) -> dict:
    order = services.order_action(
        actor=request.auth, order=services.get(DispatchOrder, request.auth, order_id), action=action, **data
    )
    return order_out(services.get(DispatchOrder, request.auth, order.pk), request.auth)


@router.post("/dispatch-orders/{int:order_id}/acknowledge", response=OrderOut, summary="确认接收指令")
def acknowledge(request, order_id: int):
    return _order_action(request, order_id, "acknowledge")


@router.post("/dispatch-orders/{int:order_id}/depart", response=OrderOut, summary="出发")
def depart(request, order_id: int):
    return _order_action(request, order_id, "depart")


@router.post("/dispatch-orders/{int:order_id}/arrive", response=OrderOut, summary="到达现场")
def arrive(request, order_id: int):
    return _order_action(request, order_id, "arrive")


@router.post(
    "/dispatch-orders/{int:order_id}/return", response=OrderOut, summary="返回（物资退库、装备归还）"
)
def order_return(request, order_id: int, payload: OrderReturnIn):
    data = payload.model_dump()
    returned = {line["line_id"]: line["returned"] for line in data.pop("lines")}
    return _order_action(request, order_id, "return", returned=returned, **data)


@router.post("/dispatch-orders/{int:order_id}/cancel", response=OrderOut, summary="取消指令（资源退回）")
def cancel_order(request, order_id: int, payload: ReasonIn):
    return _order_action(request, order_id, "cancel", **payload.model_dump())


# -- drills ------------------------------------------------------------------------------------


class FollowUpOut(Schema):
    id: int
    drill_id: int
    drill: str
    description: str
    assignee_id: int
    assignee: str
    due_date: date
    overdue: bool
    state: str
    state_label: str
    result: str
    comment: str
    submitted_at: datetime | None
    closed_at: datetime | None
    actions: list[str]


def follow_up_out(f: FollowUp, user) -> dict:
    today = clock.today()
    return {
        "id": f.pk,
        "drill_id": f.drill_id,
        "drill": f.drill.title,
        "description": f.description,
        "assignee_id": f.assignee_id,
        "assignee": _name(f.assignee),
        "due_date": f.due_date,
        "overdue": f.state == "open" and f.due_date < today,
        "state": f.state,
        "state_label": f.get_state_display(),
        "result": f.result,
        "comment": f.comment,
        "submitted_at": _local(f.submitted_at),
        "closed_at": _local(f.closed_at),
        "actions": _actions(f, user),
    }


class DrillOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    region: str
    region_name: str
    organiser: str
    scenario: str
    planned_on: date
    location: str
    lat: float | None
    lon: float | None
    participants: str
    team_ids: list[int]
    state: str
    state_label: str
    held_on: date | None
    participant_count: int | None
    evaluation: str
    rating: str
    rating_label: str
    cancel_reason: str
    follow_ups: list[FollowUpOut]
    actions: list[str]


def drill_out(d: Drill, user, *, full: bool = True) -> dict:
    return {
        "id": d.pk,
        "title": d.title,
        "kind": d.kind,
        "kind_label": d.get_kind_display(),
        "region": d.region_id,
        "region_name": d.region.name,
        "organiser": d.organiser,
        "scenario": d.scenario,
        "planned_on": d.planned_on,
        "location": d.location,
        "lat": d.lat,
        "lon": d.lon,
        "participants": d.participants,
        "team_ids": [t.pk for t in d.teams.all()] if full else [],
        "state": d.state,
        "state_label": d.get_state_display(),
        "held_on": d.held_on,
        "participant_count": d.participant_count,
        "evaluation": d.evaluation,
        "rating": d.rating,
        "rating_label": d.get_rating_display() if d.rating else "",
        "cancel_reason": d.cancel_reason,
        "follow_ups": [follow_up_out(f, user) for f in queries.follow_ups(user, drill=d)] if full else [],
        "actions": _actions(d, user),
    }


class DrillPage(Schema):
    items: list[DrillOut]
    count: int
    page: int
    page_size: int


class DrillIn(Strict):
    title: str = Field(max_length=200)
    kind: Literal["drill", "training"]
    region_code: str = Field(max_length=6)
    organiser: str = Field(max_length=100)
    scenario: str = Field(max_length=10_000)
    planned_on: date
    location: str = Field("", max_length=200)
    lat: float | None = None
    lon: float | None = None
    participants: str = Field("", max_length=5000)
    team_ids: list[int] = Field(default_factory=list)


class HoldIn(Strict):
    held_on: date
    participant_count: int
    evaluation: str = Field(max_length=5000)
    rating: Literal["excellent", "good", "pass", "fail"]


class FollowUpIn(Strict):
    description: str = Field(max_length=2000)
    assignee_id: int
    due_date: date


class SubmitIn(Strict):
    result: str = Field(max_length=5000)


class CommentIn(Strict):
    comment: str = Field("", max_length=500)


@router.get("/drills", response=DrillPage, summary="应急演练和培训")
def list_drills(
    request,
    region: str | None = Query(None, max_length=6),
    kind: str | None = None,
    state: str | None = None,
    year: int | None = None,
    q: str | None = Query(None, max_length=100),
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
):
    services._require_government(request.auth)
    qs = queries.drills(request.auth, region=region, kind=kind, state=state, year=year, q=q)
    return paginate(qs, **_page_args(page, page_size)).as_dict(
        lambda d: drill_out(d, request.auth, full=False)
    )


@router.post("/drills", response={201: DrillOut}, summary="登记演练或培训计划")
def plan_drill(request, payload: DrillIn):
    drill = services.plan_drill(actor=request.auth, **payload.model_dump())
    return HttpStatus(201, drill_out(services.get(Drill, request.auth, drill.pk), request.auth))


@router.get("/drills/{int:drill_id}", response=DrillOut, summary="演练详情")
def get_drill(request, drill_id: int):
    return drill_out(services.get(Drill, request.auth, drill_id), request.auth)


@router.get("/drills/{int:drill_id}/history", response=list[HistoryOut], summary="演练记录")
def drill_history(request, drill_id: int):
    return history_rows(queries.history(services.get(Drill, request.auth, drill_id)))


@router.post("/drills/{int:drill_id}/hold", response=DrillOut, summary="登记实施和评估")
def hold_drill(request, drill_id: int, payload: HoldIn):
    drill = services.drill_action(
        actor=request.auth,
        drill=services.get(Drill, request.auth, drill_id),
        action="hold",
        **payload.model_dump(),
    )
    return drill_out(services.get(Drill, request.auth, drill.pk), request.auth)


@router.post("/drills/{int:drill_id}/cancel", response=DrillOut, summary="取消演练")
def cancel_drill(request, drill_id: int, payload: ReasonIn):
    drill = services.drill_action(
        actor=request.auth,
        drill=services.get(Drill, request.auth, drill_id),
        action="cancel",
        **payload.model_dump(),
    )
    return drill_out(services.get(Drill, request.auth, drill.pk), request.auth)


@router.post("/drills/{int:drill_id}/follow-ups", response={201: FollowUpOut}, summary="登记整改事项")
def add_follow_up(request, drill_id: int, payload: FollowUpIn):
    item = services.add_follow_up(
        actor=request.auth, drill=services.get(Drill, request.auth, drill_id), **payload.model_dump()
    )
    return HttpStatus(201, follow_up_out(services.get(FollowUp, request.auth, item.pk), request.auth))


@router.get("/drill-follow-ups", response=list[FollowUpOut], summary="演练整改事项（我的、逾期）")
def list_follow_ups(
    request,
    state: str | None = None,
    mine: bool = False,
    overdue: bool = False,
    limit: int = Query(100, ge=1, le=500),
):
    services._require_government(request.auth)
    qs = queries.follow_ups(request.auth, state=state, mine=mine, overdue=overdue)
    return [follow_up_out(f, request.auth) for f in qs[:limit]]


def _follow_up_action(request, item_id: int, action: str, **data) -> dict:
    item = services.follow_up_action(
        actor=request.auth, item=services.get(FollowUp, request.auth, item_id), action=action, **data
    )
    return follow_up_out(services.get(FollowUp, request.auth, item.pk), request.auth)


@router.post("/drill-follow-ups/{int:item_id}/submit", response=FollowUpOut, summary="提交整改情况")
def submit_follow_up(request, item_id: int, payload: SubmitIn):
    return _follow_up_action(request, item_id, "submit", **payload.model_dump())


@router.post("/drill-follow-ups/{int:item_id}/accept", response=FollowUpOut, summary="验收销号")
def accept_follow_up(request, item_id: int, payload: CommentIn):
    return _follow_up_action(request, item_id, "accept", **payload.model_dump())


@router.post("/drill-follow-ups/{int:item_id}/reject", response=FollowUpOut, summary="退回重改")
def reject_follow_up(request, item_id: int, payload: CommentIn):
    return _follow_up_action(request, item_id, "reject", **payload.model_dump())


@router.get("/drill-follow-ups/{int:item_id}/history", response=list[HistoryOut], summary="整改事项记录")
def follow_up_history(request, item_id: int):
    return history_rows(queries.history(services.get(FollowUp, request.auth, item_id)))
