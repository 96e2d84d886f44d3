"""Dispatch: a dispatch from an accident, a drill or a map point, and its orders, one endpoint
per loop action."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.db import transaction
from django.utils.timezone import localtime
from ninja import Query, Schema
from ninja.responses import Status as HttpStatus
from pydantic import Field

from benan.core.api import HistoryOut, history_rows
from benan.core.errors import NotFound
from benan.core.pagination import paginate

from .. import queries, services
from ..models import (
    Dispatch,
    DispatchOrder,
)
from .common import ReasonIn, Strict, actions_of, display_name, local, page_args, router

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
        "sent_by": display_name(o.sent_by),
        "sent_at": localtime(o.sent_at),
        "acknowledged_at": local(o.acknowledged_at),
        "departed_at": local(o.departed_at),
        "arrived_at": local(o.arrived_at),
        "returned_at": local(o.returned_at),
        "cancelled_at": local(o.cancelled_at),
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
            for ln in o.lines.all()
        ],
        "actions": actions_of(o, user),
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
        "created_by": display_name(d.created_by),
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
    services.require_government(request.auth)
    qs = queries.dispatches(request.auth, region=region, origin=origin, active=active, q=q)
    return paginate(qs, **page_args(page, page_size)).as_dict(dispatch_summary)


@router.post("/dispatches", response={201: DispatchOut}, summary="发起调度（可同时下达指令）")
def start_dispatch(request, payload: DispatchIn):
    data = payload.model_dump()
    orders = data.pop("orders")
    with transaction.atomic():
        dispatch = services.start_dispatch(actor=request.auth, **data)
        if orders:
            services.send_orders(actor=request.auth, dispatch=dispatch, orders=orders)
    return HttpStatus(201, dispatch_out(services.get(Dispatch, request.auth, dispatch.pk), request.auth))


@router.get(
    "/dispatches/{int:dispatch_id}",
    response=DispatchOut,
    summary="调度详情和指令（接到指令的单位只看到本辖区的指令）",
)
def get_dispatch(request, dispatch_id: int):
    dispatch = queries.dispatch_seen_by(request.auth, dispatch_id)
    if dispatch is None:
        raise NotFound()
    return dispatch_out(dispatch, request.auth)


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
    services.require_government(request.auth)
    qs = queries.orders(request.auth, state=state, kind=kind, region=region).order_by("-sent_at", "-id")
    return paginate(qs, **page_args(page, page_size)).as_dict(lambda o: order_out(o, request.auth))


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
