"""Registries and searches: the catalogue, the nearest resources, material cover plans, rescue
teams, warehouses and their stock, stock alerts."""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.core.exceptions import ValidationError
from ninja import Query, Schema
from ninja.responses import Status as HttpStatus
from pydantic import Field

from benan.core import clock
from benan.core.api import HistoryOut, history_rows
from benan.core.errors import choices_hint
from benan.core.pagination import paginate

from .. import catalogue, queries, services
from ..models import (
    Batch,
    Capability,
    RescueTeam,
    Stock,
    Warehouse,
)
from .common import LAT, LON, NoteIn, Strict, actions_of, page_args, patch_data, router

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
        "actions": actions_of(t, user),
    }


def warehouse_out(w: Warehouse, user=None) -> dict:
    return {
        **_located(w),
        "level": w.level,
        "level_label": w.get_level_display(),
        "capacity_m2": w.capacity_m2,
        "is_pool": w.is_pool,
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
    services.require_government(request.auth)
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
    services.require_government(request.auth)
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
    services.require_government(request.auth)
    qs = queries.teams(
        request.auth, region=region, kind=kind, capability=capability, readiness=readiness, q=q
    )
    return paginate(qs, **page_args(page, page_size)).as_dict(lambda t: team_out(t, request.auth))


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
        actor=request.auth, team=services.get(RescueTeam, request.auth, team_id), **patch_data(payload)
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
    services.require_government(request.auth)
    qs = queries.warehouses(request.auth, region=region, level=level, item=item, pool=pool, q=q)
    return paginate(qs, **page_args(page, page_size)).as_dict(warehouse_out)


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
        actor=request.auth,
        warehouse=services.get(Warehouse, request.auth, warehouse_id),
        **patch_data(payload),
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
    services.require_government(request.auth)
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
