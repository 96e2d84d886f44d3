"""The equipment pool: registering equipment, one endpoint per loop action, the pool board."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Query, Schema
from ninja.responses import Status as HttpStatus
from pydantic import Field

from benan.core import clock
from benan.core.api import HistoryOut, history_rows
from benan.core.pagination import paginate

from .. import queries, services
from ..models import (
    Equipment,
    Loan,
    Warehouse,
)
from .common import ReasonIn, Strict, actions_of, local, page_args, router


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
        "reserved_at": local(loan.reserved_at),
        "lent_at": local(loan.lent_at),
        "returned_at": local(loan.returned_at),
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
        "actions": actions_of(e, user),
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
    services.require_government(request.auth)
    qs = queries.equipment(request.auth, region=region, status=status, item=item, warehouse=warehouse, q=q)
    return paginate(qs, **page_args(page, page_size)).as_dict(lambda e: equipment_out(e, request.auth))


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
    services.require_government(request.auth)
    board = queries.pool_board(request.auth)
    return {
        "status": board["status"],
        "loans": [loan_out(x) for x in board["loans"][:limit]],
        "overdue": [loan_out(x) for x in board["overdue"][:limit]],
        "maintenance_due": [equipment_out(e, request.auth) for e in board["maintenance_due"][:limit]],
    }
