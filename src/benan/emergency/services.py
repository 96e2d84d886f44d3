"""Every write of the emergency app: registries, stock, the equipment pool, dispatch, drills, the sweep.

Views and the API call these, never `save()`. Registry writes are checked field by field (a
ValidationError naming the field, in Chinese) and audited; state changes go through core.loop.
Resources are moved only by commanders and safety offices whose region holds them; anything
outside the actor's scope is NotFound.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse

from benan.core import audit, clock, fields, geo, notifications
from benan.core.errors import InvalidTransition, PermissionDenied
from benan.core.loop import transition
from benan.core.models import GOVERNMENT_ROLES, Region, RegionLevel, Role, User
from benan.core.scope import get_in_scope, region_in_scope, scope

from . import catalogue
from .models import (
    MANAGERS,
    Batch,
    Capability,
    Condition,
    Dispatch,
    DispatchOrder,
    Drill,
    DrillKind,
    DrillState,
    Equipment,
    FollowUp,
    FollowUpState,
    LineBatch,
    Loan,
    LoanState,
    OrderKind,
    OrderLine,
    Origin,
    Readiness,
    RescueTeam,
    Stock,
    TeamKind,
    Warehouse,
    WarehouseLevel,
    capability_tags,
)


def can_manage(actor) -> bool:
    return actor is not None and (actor.is_admin or actor.role in MANAGERS)


def _require_manager(actor) -> None:
    if not can_manage(actor):
        raise PermissionDenied("只有应急指挥人员和安委办可以管理应急资源")


def require_government(actor) -> None:
    if actor is None or not (actor.is_admin or actor.role in GOVERNMENT_ROLES):
        raise PermissionDenied("应急资源仅供政府部门使用")


# -- checks of registry fields -----------------------------------------------------------------


def coordinates(lat: Any, lon: Any, *, sichuan: bool = True) -> tuple[float, float]:
    """Finite numbers in range (and inside Sichuan for a resource), or a ValidationError."""
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise ValidationError({"lat": ["必须填写经纬度（数字）"]}) from None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ValidationError({"lat": ["经纬度必须是有限的数字"]})
    if not -90 <= lat <= 90:
        raise ValidationError({"lat": [f"纬度 {lat} 超出有效范围（-90~90）"]})
    if not -180 <= lon <= 180:
        raise ValidationError({"lon": [f"经度 {lon} 超出有效范围（-180~180）"]})
    if sichuan and not geo.in_sichuan(lat, lon):
        raise ValidationError({"lat": [f"位置（{lat:.5f}, {lon:.5f}）不在四川省范围内"]})
    return lat, lon


def county(actor, code: Any, field: str = "region_code") -> Region:
    code = str(code or "").strip()
    if not code:
        raise ValidationError({field: ["必须选择所属区县"]})
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError({field: [f"行政区划代码“{code}”不存在"]})
    if region.level != RegionLevel.COUNTY:
        raise ValidationError({field: [f"“{region.name}”不是县级区划，应急资源必须登记到区县"]})
    if actor is not None and not region_in_scope(actor, code):
        raise ValidationError({field: [f"{region.name}不在您的管辖范围内"]})
    return region


def _choice(value: Any, choices, field: str, label: str) -> str:
    value = str(value or "").strip()
    if value not in choices.values:
        hint = "、".join(f"{c.label}({c.value})" for c in choices)
        raise ValidationError({field: [f"{label}“{value}”不是可选值，可选：{hint}"]})
    return value


LOCATED_TEXT = {
    "name": ("名称", 100, True),
    "address": ("地址", 200, False),
    "contact": ("联系人", 50, False),
    "phone": ("联系电话", 20, False),
}


def _located(actor, data: dict, *, partial: bool) -> dict:
    values: dict[str, Any] = {}
    for key, (label, length, required) in LOCATED_TEXT.items():
        if key in data or not partial:
            values[key] = fields.text(data.get(key), key, label, max_length=length, required=required)
    if "region_code" in data or not partial:
        values["region"] = county(actor, data.get("region_code"))
    if "lat" in data or "lon" in data or not partial:
        values["lat"], values["lon"] = coordinates(data.get("lat"), data.get("lon"))
    return values


def _team_values(actor, data: dict, *, partial: bool) -> dict:
    values = _located(actor, data, partial=partial)
    if "kind" in data or not partial:
        values["kind"] = _choice(data.get("kind"), TeamKind, "kind", "队伍类型")
    if "members" in data or not partial:
        members = data.get("members")
        if not isinstance(members, int) or isinstance(members, bool) or not 1 <= members <= 100_000:
            raise ValidationError({"members": ["队员人数必须是 1 到 100000 之间的整数"]})
        values["members"] = members
    if "capabilities" in data or not partial:
        codes = list(data.get("capabilities") or [])
        bad = [c for c in codes if c not in Capability.values]
        if bad:
            raise ValidationError(
                {
                    "capabilities": [
                        f"救援能力{bad}不是可选值，可选："
                        + "、".join(f"{c.label}({c.value})" for c in Capability)
                    ]
                }
            )
        values["capability_tags"] = capability_tags(codes)
    return values


def _warehouse_values(actor, data: dict, *, partial: bool) -> dict:
    values = _located(actor, data, partial=partial)
    if "level" in data or not partial:
        values["level"] = _choice(data.get("level"), WarehouseLevel, "level", "级别")
    if "capacity_m2" in data or not partial:
        capacity = data.get("capacity_m2")
        if capacity is not None and (not isinstance(capacity, int) or not 1 <= capacity <= 10_000_000):
            raise ValidationError({"capacity_m2": ["库容必须是正整数（平方米）"]})
        values["capacity_m2"] = capacity
    if "is_pool" in data or not partial:
        values["is_pool"] = bool(data.get("is_pool"))
    return values


def _snapshot(obj, values: dict) -> dict:
    return {
        k if k != "region" else "region_code": getattr(obj, k if k != "region" else "region_id")
        for k in values
    }


def _create(actor, model, values: dict):
    with transaction.atomic():
        obj = model.objects.create(**values)
        audit.record(actor, f"{model._meta.label_lower}.create", obj, **_snapshot(obj, values))
    return obj


def _update(actor, obj, values: dict):
    with transaction.atomic():
        locked = type(obj).objects.select_for_update(of=("self",)).get(pk=obj.pk)
        before = _snapshot(locked, values)
        for key, value in values.items():
            setattr(locked, key, value)
        locked.save()
        after = _snapshot(locked, values)
        changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        if changed:
            audit.record(actor, f"{type(obj)._meta.label_lower}.update", locked, changes=changed)
    return locked


# -- registries --------------------------------------------------------------------------------


def create_team(*, actor, **data) -> RescueTeam:
    _require_manager(actor)
    return _create(actor, RescueTeam, _team_values(actor, data, partial=False))


def update_team(*, actor, team: RescueTeam, **data) -> RescueTeam:
    _require_manager(actor)
    return _update(actor, team, _team_values(actor, data, partial=True))


def create_warehouse(*, actor, **data) -> Warehouse:
    _require_manager(actor)
    return _create(actor, Warehouse, _warehouse_values(actor, data, partial=False))


def update_warehouse(*, actor, warehouse: Warehouse, **data) -> Warehouse:
    _require_manager(actor)
    return _update(actor, warehouse, _warehouse_values(actor, data, partial=True))


def _quantity(value: Any, field: str = "quantity", label: str = "数量") -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100_000_000:
        raise ValidationError({field: [f"{label}必须是正整数（按品目计量单位）"]})
    return value


def receive(
    *,
    actor,
    warehouse: Warehouse,
    item: str,
    quantity: int,
    expiry_date: date | None = None,
    received_on: date | None = None,
    minimum: int | None = None,
    note: str = "",
) -> Batch:
    """A delivery into a warehouse: a new batch of `item` (and the stock line if it is new)."""
    _require_manager(actor)
    entry = catalogue.get(item, catalogue.MATERIAL)
    quantity = _quantity(quantity)
    received_on = received_on or clock.today()
    fields.past_day({"received_on": received_on}, "received_on", "入库日期")
    if expiry_date is not None and expiry_date <= received_on:
        raise ValidationError({"expiry_date": [f"有效期至 {expiry_date.isoformat()} 不晚于入库日期"]})
    if minimum is not None and (not isinstance(minimum, int) or minimum < 0):
        raise ValidationError({"minimum": ["最低库存必须是不小于 0 的整数"]})
    note = fields.text(note, "note", "备注", max_length=200, required=False)
    with transaction.atomic():
        stock, _ = Stock.objects.get_or_create(warehouse=warehouse, item=entry.code)
        stock = Stock.objects.select_for_update().get(pk=stock.pk)
        if minimum is not None:
            stock.minimum = minimum
            stock.save(update_fields=["minimum", "updated_at"])
        batch = Batch.objects.create(
            stock=stock,
            quantity=quantity,
            received=quantity,
            received_on=received_on,
            expiry_date=expiry_date,
            note=note,
        )
        audit.record(
            actor,
            "emergency.stock.receive",
            stock,
            item=entry.code,
            quantity=quantity,
            expiry_date=expiry_date,
            batch=batch.pk,
            minimum=stock.minimum,
        )
    return batch


def set_minimum(*, actor, stock: Stock, minimum: int) -> Stock:
    _require_manager(actor)
    if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 0:
        raise ValidationError({"minimum": ["最低库存必须是不小于 0 的整数"]})
    with transaction.atomic():
        locked = Stock.objects.select_for_update().get(pk=stock.pk)
        before, locked.minimum = locked.minimum, minimum
        locked.save(update_fields=["minimum", "updated_at"])
        audit.record(actor, "emergency.stock.minimum", locked, before=before, after=minimum)
    return locked


def write_off(*, actor, batch: Batch, quantity: int, reason: str) -> Batch:
    """Take expired or damaged units out of a batch (报废核销), never below zero."""
    _require_manager(actor)
    quantity = _quantity(quantity)
    reason = fields.text(reason, "reason", "核销原因", max_length=200)
    with transaction.atomic():
        Stock.objects.select_for_update().get(pk=batch.stock_id)
        locked = Batch.objects.get(pk=batch.pk)
        if quantity > locked.quantity:
            raise InvalidTransition(f"该批次现存 {locked.quantity}{locked.stock.unit}，不能核销 {quantity}")
        Batch.objects.filter(pk=locked.pk).update(quantity=F("quantity") - quantity)
        audit.record(
            actor,
            "emergency.stock.write_off",
            locked.stock,
            batch=locked.pk,
            quantity=quantity,
            reason=reason,
        )
    locked.refresh_from_db()
    return locked


def register_equipment(
    *,
    actor,
    warehouse: Warehouse,
    item: str,
    serial: str,
    model: str = "",
    next_maintenance: date | None = None,
    note: str = "",
) -> Equipment:
    _require_manager(actor)
    entry = catalogue.get(item, catalogue.EQUIPMENT)
    serial = fields.text(serial, "serial", "出厂编号", max_length=60)
    if Equipment.objects.filter(serial=serial).exists():
        raise ValidationError({"serial": [f"出厂编号“{serial}”已登记"]})
    values = {
        "warehouse": warehouse,
        "item": entry.code,
        "serial": serial,
        "model": fields.text(model, "model", "型号", max_length=100, required=False),
        "next_maintenance": next_maintenance,
        "note": fields.text(note, "note", "备注", max_length=200, required=False),
    }
    with transaction.atomic():
        equipment = Equipment.objects.create(**values)
        audit.record(
            actor,
            "emergency.equipment.create",
            equipment,
            item=entry.code,
            serial=serial,
            warehouse=warehouse.pk,
            next_maintenance=next_maintenance,
        )
    return equipment


# -- loop actions on teams and equipment -------------------------------------------------------


def team_action(*, actor, team: RescueTeam, action: str, note: str = "") -> RescueTeam:
    if action not in {"stand_down", "stand_by"}:
        raise InvalidTransition(f"未知操作“{action}”")
    return transition(team, action, actor, note=note)


def _active_order(equipment: Equipment, data: dict) -> None:
    """Equipment taken by a dispatch order moves with the order, not by hand."""
    loan = equipment.loans.filter(state__in=(LoanState.RESERVED, LoanState.LENT), order__isnull=False).first()
    if loan is not None and data.get("order") != loan.order_id:
        raise InvalidTransition(f"该装备由调度指令 {loan.order_id} 调用，请在调度指令中操作")


def equipment_action(*, actor, equipment: Equipment, action: str, **data) -> Equipment:
    actions = {"reserve", "cancel_reservation", "lend", "return", "maintain", "finish_maintenance", "retire"}
    if action not in actions:
        raise InvalidTransition(f"未知操作“{action}”")
    if action == "return":
        condition = data.get("condition") or Condition.GOOD
        if condition not in Condition.values:
            raise ValidationError({"condition": ["归还状况必须是 good（完好）或 damaged（损坏待修）"]})
        data["condition"] = condition
        action = "return" if condition == Condition.GOOD else "return_damaged"
    if action in {"cancel_reservation", "lend", "return", "return_damaged"}:
        _active_order(equipment, data)
    return transition(equipment, action, actor, **data)


# -- dispatch ----------------------------------------------------------------------------------


def _url(dispatch: Dispatch) -> str:
    return reverse("emergency:dispatch", args=[dispatch.pk])


def start_dispatch(
    *,
    actor,
    title: str,
    origin: str,
    accident_id: int | None = None,
    drill_id: int | None = None,
    lat: float | None = None,
    lon: float | None = None,
    region_code: str | None = None,
    note: str = "",
) -> Dispatch:
    """An emergency to send resources to: an accident, a drill, or a point picked on the map."""
    _require_manager(actor)
    origin = _choice(origin, Origin, "origin", "调度来源")
    title = fields.text(title, "title", "调度事由", max_length=200)
    note = fields.text(note, "note", "说明", max_length=5000, required=False)
    accident = drill = None
    if origin == Origin.ACCIDENT:
        from benan.accidents.models import Accident

        if accident_id is None:
            raise ValidationError({"accident_id": ["从事故调度时必须选择事故"]})
        accident = get_in_scope(Accident.objects.all(), actor, pk=accident_id)
        region = accident.region
        if lat is None and lon is None:
            lat, lon = accident.lat, accident.lon
        if lat is None or lon is None:
            raise ValidationError({"lat": ["该事故未登记位置，请填写事发地经纬度"]})
    elif origin == Origin.DRILL:
        if drill_id is None:
            raise ValidationError({"drill_id": ["从演练调度时必须选择演练"]})
        drill = get_in_scope(Drill.objects.all(), actor, pk=drill_id)
        region = drill.region
        if lat is None and lon is None:
            lat, lon = drill.lat, drill.lon
        if lat is None or lon is None:
            raise ValidationError({"lat": ["该演练未登记位置，请填写经纬度"]})
    else:
        region = county(actor, region_code)
        if lat is None or lon is None:
            raise ValidationError({"lat": ["必须填写事发地经纬度"]})
    lat, lon = coordinates(lat, lon)
    with transaction.atomic():
        dispatch = Dispatch.objects.create(
            title=title,
            origin=origin,
            accident=accident,
            drill=drill,
            region=region,
            lat=lat,
            lon=lon,
            note=note,
            created_by=actor,
            created_at=clock.now(),
        )
        audit.record(
            actor,
            "emergency.dispatch.create",
            dispatch,
            origin=origin,
            accident=accident_id,
            drill=drill_id,
            lat=lat,
            lon=lon,
            region_code=region.code,
        )
    return dispatch


def send_orders(*, actor, dispatch: Dispatch, orders: list[dict]) -> list[DispatchOrder]:
    """Orders to teams, warehouses (material lines) and equipment: all sent, or none.

    Each resource must be in the actor's scope (else 404) and available: a team on standby,
    equipment in store, enough unexpired stock (409 otherwise, naming what is short). Material is
    issued first-expiring-first from the locked stock, so two commanders can never both take the
    last units.
    """
    _require_manager(actor)
    if not orders:
        raise ValidationError({"orders": ["至少下达一条调度指令"]})
    if len(orders) > 50:
        raise ValidationError({"orders": ["一次最多下达 50 条调度指令"]})
    sent = []
    with transaction.atomic():
        for n, spec in enumerate(orders, start=1):
            sent.append(_send_one(actor, dispatch, spec, n))
    for order in sent:
        _tell_receivers(order)
    return sent


def _send_one(actor, dispatch: Dispatch, spec: dict, n: int) -> DispatchOrder:
    kind = _choice(spec.get("kind"), OrderKind, "kind", f"第{n}条指令的资源类型")
    note = fields.text(spec.get("note"), "note", "指令内容", max_length=500, required=False)
    resource_id = spec.get("id")
    base = {"dispatch": dispatch, "kind": kind, "note": note, "sent_by": actor, "sent_at": clock.now()}
    if kind == OrderKind.TEAM:
        team = get_in_scope(RescueTeam.objects.select_related("region"), actor, pk=resource_id)
        if team.readiness != Readiness.READY:
            raise InvalidTransition(f"{team.name}当前{team.get_readiness_display()}，不能调派")
        # The locked transition settles a race between two commanders: the second sees "deployed".
        transition(team, "deploy", actor, note=f"应急调度：{dispatch.title}"[:200], dispatch=dispatch.pk)
        order = DispatchOrder.objects.create(
            team=team, region=team.region, distance_km=_km(dispatch, team.lat, team.lon), **base
        )
    elif kind == OrderKind.EQUIPMENT:
        equipment = get_in_scope(Equipment.objects.select_related("warehouse"), actor, pk=resource_id)
        if equipment.status != "available":
            state = equipment.get_status_display()
            raise InvalidTransition(f"装备 {equipment.item_name}（{equipment.serial}）当前{state}，不能调用")
        order = DispatchOrder.objects.create(
            equipment=equipment,
            region_id=equipment.warehouse.region_id,
            distance_km=_km(dispatch, equipment.warehouse.lat, equipment.warehouse.lon),
            **base,
        )
        transition(
            equipment,
            "reserve",
            actor,
            borrower=f"应急调度：{dispatch.title}"[:100],
            purpose=note,
            expected_return=clock.today() + timedelta(days=_days(spec.get("days", 7))),
            order=order,
        )
    else:
        warehouse = get_in_scope(Warehouse.objects.select_related("region"), actor, pk=resource_id)
        order = DispatchOrder.objects.create(
            warehouse=warehouse,
            region=warehouse.region,
            distance_km=_km(dispatch, warehouse.lat, warehouse.lon),
            **base,
        )
        _issue(order, warehouse, spec.get("lines") or [], n)
    audit.record(
        actor,
        "emergency.dispatchorder.send",
        order,
        dispatch=dispatch.pk,
        kind=kind,
        resource=resource_id,
        lines=spec.get("lines") or [],
    )
    return order


def _days(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 365:
        raise ValidationError({"days": ["装备预计使用天数必须是 1 到 365 之间的整数"]})
    return value


def _km(dispatch: Dispatch, lat: float, lon: float) -> float:
    return round(geo.distance_km(dispatch.lat, dispatch.lon, lat, lon), 1)


def usable(batches, today: date):
    """The batches that may be issued: not expired on `today`."""
    return batches.filter(Q(expiry_date__isnull=True) | Q(expiry_date__gte=today), quantity__gt=0)


def _issue(order: DispatchOrder, warehouse: Warehouse, lines: list[dict], n: int) -> None:
    if not lines:
        raise ValidationError({"lines": [f"第{n}条指令须列出调出的物资和数量"]})
    wanted: dict[str, int] = {}
    for line in lines:
        entry = catalogue.get(line.get("item"), catalogue.MATERIAL, "lines")
        wanted[entry.code] = wanted.get(entry.code, 0) + _quantity(line.get("quantity"), "lines", "调出数量")
    today = clock.today()
    # Lock the stock rows in a fixed order so two orders never wait on each other in a circle.
    stocks = {
        s.item: s
        for s in Stock.objects.select_for_update().filter(warehouse=warehouse, item__in=wanted).order_by("pk")
    }
    for item, quantity in wanted.items():
        stock = stocks.get(item)
        batches = list(usable(Batch.objects.filter(stock=stock), today)) if stock else []
        have = sum(b.quantity for b in batches)
        if have < quantity:
            raise InvalidTransition(
                f"{warehouse.name}{catalogue.name(item)}可用库存 {have}{catalogue.unit(item)}，"
                f"不足调出 {quantity}{catalogue.unit(item)}"
            )
        line = OrderLine.objects.create(order=order, stock=stock, quantity=quantity)
        left = quantity
        for batch in batches:  # first expiring, first out
            take = min(left, batch.quantity)
            # The condition re-checks the quantity in the database: never below zero.
            if not Batch.objects.filter(pk=batch.pk, quantity__gte=take).update(
                quantity=F("quantity") - take
            ):
                raise InvalidTransition(f"{warehouse.name}{catalogue.name(item)}库存已变化，请重试")
            LineBatch.objects.create(line=line, batch=batch, quantity=take)
            left -= take
            if not left:
                break


def _tell_receivers(order: DispatchOrder) -> None:
    managers = User.objects.filter(
        role__in=[Role.COMMANDER, Role.SAFETY_OFFICE],
        is_active=True,
        region_id__in=[order.region_id, order.region.parent_id],
    )
    notifications.notify(
        managers,
        title=f"应急调度指令：{order.dispatch.title}",
        body=f"{order.get_kind_display()} {order.resource_name}，距事发地 {order.distance_km} 公里",
        url=_url(order.dispatch),
        obj=order,
    )


ORDER_ACTIONS = {"acknowledge", "depart", "arrive", "return", "cancel"}


def order_action(*, actor, order: DispatchOrder, action: str, **data) -> DispatchOrder:
    if action not in ORDER_ACTIONS:
        raise InvalidTransition(f"未知操作“{action}”")
    if action == "return" and "returned" in data:
        data["returned"] = {int(k): v for k, v in (data["returned"] or {}).items()}
    return transition(order, action, actor, **data)


# -- drills ------------------------------------------------------------------------------------


def plan_drill(
    *,
    actor,
    title: str,
    kind: str,
    region_code: str,
    organiser: str,
    scenario: str,
    planned_on: date,
    location: str = "",
    lat: float | None = None,
    lon: float | None = None,
    participants: str = "",
    team_ids: list[int] | None = None,
) -> Drill:
    _require_manager(actor)
    values = {
        "title": fields.text(title, "title", "名称", max_length=200),
        "kind": _choice(kind, DrillKind, "kind", "类型"),
        "region": _drill_region(actor, region_code),
        "organiser": fields.text(organiser, "organiser", "组织单位", max_length=100),
        "scenario": fields.text(scenario, "scenario", "方案与情景", max_length=10_000),
        "location": fields.text(location, "location", "地点", max_length=200, required=False),
        "participants": fields.text(
            participants, "participants", "参加单位和人员", max_length=5000, required=False
        ),
    }
    if planned_on is None:
        raise ValidationError({"planned_on": ["必须填写计划日期"]})
    values["planned_on"] = planned_on
    if lat is not None or lon is not None:
        values["lat"], values["lon"] = coordinates(lat, lon)
    teams = list(scope(RescueTeam.objects.filter(pk__in=team_ids or []), actor))
    missing = sorted(set(team_ids or []) - {t.pk for t in teams})
    if missing:
        raise ValidationError({"team_ids": [f"救援队伍 {missing} 不存在或不在您的管辖范围内"]})
    with transaction.atomic():
        drill = Drill.objects.create(created_by=actor, **values)
        drill.teams.set(teams)
        audit.record(
            actor,
            "emergency.drill.create",
            drill,
            title=values["title"],
            kind=values["kind"],
            region_code=values["region"].code,
            planned_on=planned_on,
            teams=[t.pk for t in teams],
        )
    return drill


def _drill_region(actor, code: Any) -> Region:
    """Drills are organised by a county, a city or the province itself."""
    code = str(code or "").strip()
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError({"region_code": [f"行政区划代码“{code}”不存在"]})
    if not region_in_scope(actor, code):
        raise ValidationError({"region_code": [f"{region.name}不在您的管辖范围内"]})
    return region


def drill_action(*, actor, drill: Drill, action: str, **data) -> Drill:
    if action not in {"hold", "cancel"}:
        raise InvalidTransition(f"未知操作“{action}”")
    return transition(drill, action, actor, **data)


def add_follow_up(*, actor, drill: Drill, description: str, assignee_id: int, due_date: date) -> FollowUp:
    """A problem the drill exposed, handed to a government user of the drill's region tree."""
    _require_manager(actor)
    if drill.state != DrillState.HELD:
        raise InvalidTransition("演练实施并评估后才能登记整改事项")
    description = fields.text(description, "description", "问题和整改要求", max_length=2000)
    assignee = User.objects.filter(pk=assignee_id, is_active=True).select_related("region").first()
    if assignee is None or assignee.role not in GOVERNMENT_ROLES or assignee.region_id is None:
        raise ValidationError({"assignee_id": ["责任人必须是在岗的政府部门用户"]})
    if not (drill.region.contains(assignee.region_id) or assignee.region.contains(drill.region_id)):
        raise ValidationError(
            {
                "assignee_id": [
                    f"{assignee.get_full_name() or assignee.username}不属于{drill.region.name}及其上下级"
                ]
            }
        )
    if due_date is None or due_date < clock.today():
        raise ValidationError({"due_date": ["整改期限不能早于今天"]})
    with transaction.atomic():
        item = FollowUp.objects.create(
            drill=drill,
            description=description,
            assignee=assignee,
            region=assignee.region if drill.region.contains(assignee.region_id) else drill.region,
            due_date=due_date,
        )
        audit.record(
            actor, "emergency.followup.create", item, drill=drill.pk, assignee=assignee.pk, due_date=due_date
        )
    notifications.notify(
        [assignee],
        title=f"演练整改事项：{drill.title}",
        body=description[:200],
        url=reverse("emergency:drill", args=[drill.pk]),
        obj=item,
    )
    return item


def follow_up_action(*, actor, item: FollowUp, action: str, **data) -> FollowUp:
    if action not in {"submit", "accept", "reject"}:
        raise InvalidTransition(f"未知操作“{action}”")
    return transition(item, action, actor, **data)


# -- reads used by the API and pages (single objects, scoped) -------------------------------------


def get(model, actor, pk: int):
    """One object in the actor's scope (enterprises have none: 404, as for anything else)."""
    return get_in_scope(model.objects.all(), actor, pk=pk)


# -- the sweep ---------------------------------------------------------------------------------


def _managers_of(region: Region):
    """Commanders and safety offices of a county and of its city."""
    return User.objects.filter(
        role__in=[Role.COMMANDER, Role.SAFETY_OFFICE],
        is_active=True,
        region_id__in=[region.pk, region.parent_id],
    )


def sweep(*, today: date | None = None) -> dict[str, int]:
    """Escalate overdue returns and overdue drill follow-ups once per due date, and remind of due
    maintenance once per date. Safe to run concurrently and repeatedly (compare-and-swap markers)."""
    today = today or clock.today()
    result = {"loans": 0, "maintenance": 0, "follow_ups": 0}
    late = Loan.objects.filter(state=LoanState.LENT, expected_return__lt=today).filter(
        Q(escalated_due__isnull=True) | ~Q(escalated_due=F("expected_return"))
    )
    for loan in late.select_related("equipment__warehouse__region").iterator(chunk_size=500):
        with transaction.atomic():
            if not Loan.objects.filter(
                pk=loan.pk,
                state=LoanState.LENT,
                escalated_due=loan.escalated_due,
                expected_return=loan.expected_return,
            ).update(escalated_due=loan.expected_return):
                continue
            days = (today - loan.expected_return).days
            audit.record(
                None,
                "emergency.loan.escalated",
                loan,
                expected_return=loan.expected_return,
                days_overdue=days,
            )
            warehouse = loan.equipment.warehouse
            notifications.notify(
                _managers_of(warehouse.region),
                title=f"装备逾期未还 {days} 天：{loan.equipment}",
                body=f"借用单位：{loan.borrower}；应还日期 {loan.expected_return.isoformat()}",
                url=reverse("emergency:pool"),
                obj=loan.equipment,
            )
            result["loans"] += 1
    due = (
        Equipment.objects.filter(next_maintenance__lte=today)
        .exclude(status="retired")
        .filter(Q(maintenance_reminded__isnull=True) | ~Q(maintenance_reminded=F("next_maintenance")))
    )
    for equipment in due.select_related("warehouse__region").iterator(chunk_size=500):
        with transaction.atomic():
            if not Equipment.objects.filter(
                pk=equipment.pk,
                next_maintenance=equipment.next_maintenance,
                maintenance_reminded=equipment.maintenance_reminded,
            ).update(maintenance_reminded=equipment.next_maintenance):
                continue
            audit.record(
                None,
                "emergency.equipment.maintenance_due",
                equipment,
                next_maintenance=equipment.next_maintenance,
            )
            notifications.notify(
                _managers_of(equipment.warehouse.region),
                title=f"装备到期保养：{equipment}",
                body=f"{equipment.warehouse.name}；保养日期 {equipment.next_maintenance.isoformat()}",
                url=reverse("emergency:pool"),
                obj=equipment,
            )
            result["maintenance"] += 1
    overdue = FollowUp.objects.filter(state=FollowUpState.OPEN, due_date__lt=today).filter(
        Q(escalated_due__isnull=True) | ~Q(escalated_due=F("due_date"))
    )
    for item in overdue.select_related("drill", "region", "assignee").iterator(chunk_size=500):
        with transaction.atomic():
            if not FollowUp.objects.filter(
                pk=item.pk, state=FollowUpState.OPEN, due_date=item.due_date, escalated_due=item.escalated_due
            ).update(escalated_due=item.due_date):
                continue
            days = (today - item.due_date).days
            audit.record(
                None, "emergency.followup.escalated", item, due_date=item.due_date, days_overdue=days
            )
            notifications.notify(
                [item.assignee, *_managers_of(item.region)],
                title=f"演练整改逾期 {days} 天：{item.drill.title}",
                body=item.description[:200],
                url=reverse("emergency:drill", args=[item.drill_id]),
                obj=item,
            )
            result["follow_ups"] += 1
    return result
