"""Reads of the emergency app, always through the data scope: registries with filters, the nearest
resources to a point, which warehouses can cover a material need, stock alerts and the pool board.

Nearest search: a box around the point that surely holds every site within r km (Matuschek's
bounding coordinates) is read from the (lat, lon) index; exact great-circle distances are computed
for the rows in it, and r grows until `limit` sites lie inside the circle; when three boxes hold
fewer (a county's scope, a rare item) the fourth round reads the whole scope once. So the answer is
the exact k nearest by haversine, reading a few dozen rows instead of every row in the province.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from benan.core import audit, clock, geo
from benan.core.scope import check_region_year, in_region, scope

from . import catalogue
from .models import (
    ORDER_ACTIVE,
    Batch,
    Dispatch,
    DispatchOrder,
    Drill,
    Equipment,
    EquipmentStatus,
    FollowUp,
    Loan,
    LoanState,
    OrderLine,
    Readiness,
    RescueTeam,
    Stock,
    Warehouse,
)

EARTH_KM = 6371.0088
KINDS = ("rescue_team", "warehouse", "equipment")
FIRST_RADIUS_KM = 30.0
MAX_ROUNDS = 4  # boxes tried, the last one being the whole scope
EXPIRY_WARNING_DAYS = 30


def _check_region(region: str | None) -> None:
    errors: dict[str, list[str]] = {}
    check_region_year(region, None, errors)
    if errors:
        raise ValidationError(errors)


def _search(qs: QuerySet, q: str | None, *fields: str) -> QuerySet:
    if not q:
        return qs
    condition = Q()
    for f in fields:
        condition |= Q(**{f"{f}__icontains": q.strip()})
    return qs.filter(condition)


# -- registries --------------------------------------------------------------------------------


def teams(user, *, region=None, kind=None, capability=None, readiness=None, q=None) -> QuerySet:
    _check_region(region)
    qs = in_region(scope(RescueTeam.objects.select_related("region"), user), region)
    if kind:
        qs = qs.filter(kind=kind)
    if capability:
        qs = qs.filter(capability_tags__contains=f",{capability},")
    if readiness:
        qs = qs.filter(readiness=readiness)
    return _search(qs, q, "name", "address", "contact")


def usable_total(today: date):
    """Per stock row: the quantity in batches that have not expired (0 when none)."""
    batches = (
        Batch.objects.filter(stock=OuterRef("pk"))
        .filter(Q(expiry_date__isnull=True) | Q(expiry_date__gte=today))
        .values("stock")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return Coalesce(Subquery(batches, output_field=IntegerField()), Value(0))


def warehouses(user, *, region=None, level=None, item=None, pool=None, q=None) -> QuerySet:
    _check_region(region)
    qs = in_region(scope(Warehouse.objects.select_related("region"), user), region)
    if level:
        qs = qs.filter(level=level)
    if item:
        qs = qs.filter(
            pk__in=Stock.objects.filter(item=item)
            .annotate(usable=usable_total(clock.today()))
            .filter(usable__gt=0)
            .values("warehouse")
        )
    if pool is not None:
        qs = qs.filter(is_pool=pool)
    return _search(qs, q, "name", "address", "contact")


def stock_of(warehouse: Warehouse) -> QuerySet:
    today = clock.today()
    return (
        warehouse.stocks.annotate(usable=usable_total(today), total=Coalesce(Sum("batches__quantity"), 0))
        .prefetch_related("batches")
        .order_by("item")
    )


def equipment(user, *, region=None, status=None, item=None, warehouse=None, q=None) -> QuerySet:
    _check_region(region)
    qs = in_region(
        scope(Equipment.objects.select_related("warehouse__region"), user), region, "warehouse__region"
    )
    if status:
        qs = qs.filter(status=status)
    if item:
        qs = qs.filter(item=item)
    if warehouse:
        qs = qs.filter(warehouse_id=warehouse)
    return _search(qs, q, "serial", "model", "warehouse__name")


def loans(user, *, state=None, overdue=False) -> QuerySet:
    qs = scope(Loan.objects.select_related("equipment__warehouse__region", "order"), user)
    if state:
        qs = qs.filter(state=state)
    if overdue:
        qs = qs.filter(state=LoanState.LENT, expected_return__lt=clock.today())
    return qs


def pool_board(user) -> dict:
    """The equipment pool at a glance: pieces by status, loans in progress, overdue returns,
    maintenance due within 30 days."""
    today = clock.today()
    pieces = scope(Equipment.objects.all(), user)
    by_status = dict(pieces.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    active = loans(user).filter(state__in=(LoanState.RESERVED, LoanState.LENT))
    return {
        "status": [
            {"status": s.value, "label": s.label, "count": by_status.get(s.value, 0)} for s in EquipmentStatus
        ],
        "loans": active.order_by("expected_return", "id"),
        "overdue": active.filter(state=LoanState.LENT, expected_return__lt=today).order_by("expected_return"),
        "maintenance_due": pieces.exclude(status=EquipmentStatus.RETIRED)
        .filter(next_maintenance__lte=today + timedelta(days=30))
        .select_related("warehouse__region")
        .order_by("next_maintenance", "id"),
    }


def stock_alerts(user, *, region=None, days: int = EXPIRY_WARNING_DAYS) -> dict:
    """Stock below its minimum (counting only unexpired units) and batches expiring within `days`
    days or already expired but still on the shelf."""
    _check_region(region)
    today = clock.today()
    stocks = in_region(
        scope(Stock.objects.select_related("warehouse__region"), user), region, "warehouse__region"
    )
    low = (
        stocks.annotate(usable=usable_total(today))
        .filter(minimum__gt=0)
        .filter(usable__lt=F("minimum"))
        .order_by("warehouse__region_id", "warehouse_id", "item")
    )
    batches = in_region(
        scope(Batch.objects.select_related("stock__warehouse__region"), user),
        region,
        "stock__warehouse__region",
    )
    expiring = batches.filter(
        quantity__gt=0, expiry_date__isnull=False, expiry_date__lte=today + timedelta(days=days)
    ).order_by("expiry_date", "id")
    return {"below_minimum": low, "expiring": expiring, "today": today, "days": days}


# -- nearest -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    distance_km: float
    obj: object


def bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float] | None:
    """(lat_min, lat_max, lon_min, lon_max) holding every point within `km` of (lat, lon), or None
    when the circle reaches a pole or half-way round the Earth (then every row must be read)."""
    angle = km / EARTH_KM
    if angle >= math.pi / 2:
        return None
    phi, lam = math.radians(lat), math.radians(lon)
    low, high = phi - angle, phi + angle
    if low <= -math.pi / 2 or high >= math.pi / 2:
        return None
    dlam = math.asin(math.sin(angle) / math.cos(phi))
    west, east = lam - dlam, lam + dlam
    if west < -math.pi or east > math.pi:  # crosses the antimeridian: no longitude bound
        return math.degrees(low), math.degrees(high), -180.0, 180.0
    return math.degrees(low), math.degrees(high), math.degrees(west), math.degrees(east)


def _base(
    user, kind: str, *, capability=None, item=None, available=None, region=None, per_row=False
) -> tuple[QuerySet, str]:
    """The scoped, filtered rows of `kind` and the lookup prefix of their coordinates. `per_row`
    tests a warehouse's stock row by row, the better plan when a box holds few of them."""
    if kind == "rescue_team":
        qs = teams(user, region=region, capability=capability)
        if available is not None:
            qs = qs.filter(readiness=Readiness.READY) if available else qs.exclude(readiness=Readiness.READY)
        return qs, ""
    if kind == "warehouse":
        if item and per_row:
            # Checked per warehouse in the box rather than over every stock line of the item first.
            held = Stock.objects.filter(warehouse=OuterRef("pk"), item=item)
            held = held.annotate(usable=usable_total(clock.today())).filter(usable__gt=0)
            qs = warehouses(user, region=region).filter(Exists(held))
        else:
            qs = warehouses(user, region=region, item=item)
        # A warehouse is always open for issuing; "unavailable" warehouses are none.
        return (qs.none() if available is False else qs), ""
    qs = equipment(user, region=region, item=item).exclude(status=EquipmentStatus.RETIRED)
    if available is not None:
        qs = (
            qs.filter(status=EquipmentStatus.AVAILABLE)
            if available
            else qs.exclude(status=EquipmentStatus.AVAILABLE)
        )
    return qs, "warehouse__"


def nearest(
    user,
    *,
    lat: float,
    lon: float,
    kind: str,
    capability: str | None = None,
    item: str | None = None,
    available: bool | None = None,
    limit: int = 10,
    region: str | None = None,
) -> list[Hit]:
    """The `limit` nearest resources of `kind` to (lat, lon) by great-circle distance."""
    qs, prefix = _base(
        user, kind, capability=capability, item=item, available=available, region=region, per_row=True
    )
    lat_f, lon_f = f"{prefix}lat", f"{prefix}lon"
    radius = FIRST_RADIUS_KM
    for round_ in range(1, MAX_ROUNDS + 1):
        # Fewer than `limit` sites within the growing boxes means the scope holds few of them (a
        # county, a rare item): the last round reads them all once instead of growing to a pole.
        box = bounding_box(lat, lon, radius) if round_ < MAX_ROUNDS else None
        rows = (
            qs
            if box is None
            else qs.filter(
                **{
                    f"{lat_f}__gte": box[0],
                    f"{lat_f}__lte": box[1],
                    f"{lon_f}__gte": box[2],
                    f"{lon_f}__lte": box[3],
                }
            )
        )
        found = []
        for pk, y, x in rows.values_list("pk", lat_f, lon_f).order_by():
            d = geo.distance_km(lat, lon, y, x)
            if box is None or d <= radius:
                found.append((d, pk))
        if len(found) >= limit or box is None:
            break
        # Grow to the radius that should hold `limit` sites at the density seen so far.
        grow = math.sqrt(limit / len(found)) if found else 4.0
        radius *= min(max(grow * 1.2, 2.0), 8.0)
    found.sort()
    top = found[:limit]
    objects = qs.model.objects.select_related(*_related(kind)).in_bulk([pk for _, pk in top])
    return [Hit(round(d, 1), objects[pk]) for d, pk in top]


def _related(kind: str) -> tuple[str, ...]:
    return ("warehouse__region",) if kind == "equipment" else ("region",)


def brute_force_nearest(user, *, lat: float, lon: float, kind: str, limit: int = 10, **filters) -> list[Hit]:
    """Every row's distance, then the nearest: the baseline the benchmark compares with."""
    qs, prefix = _base(user, kind, **filters)
    found = sorted(
        (geo.distance_km(lat, lon, y, x), pk)
        for pk, y, x in qs.values_list("pk", f"{prefix}lat", f"{prefix}lon").order_by()
    )[:limit]
    objects = qs.model.objects.select_related(*_related(kind)).in_bulk([pk for _, pk in found])
    return [Hit(round(d, 1), objects[pk]) for d, pk in found]


@dataclass(frozen=True)
class Source:
    warehouse: Warehouse
    distance_km: float
    available: int  # unexpired units on the shelf
    take: int  # what the plan takes from here


def material_plan(
    user, *, lat: float, lon: float, item: str, quantity: int, region: str | None = None
) -> dict:
    """Which warehouses hold `item`, nearest first, and how to split `quantity` across them:
    take all you can from the nearest, then the next, until the need is covered."""
    entry = catalogue.get(item, catalogue.MATERIAL)
    today = clock.today()
    stocks = (
        in_region(scope(Stock.objects.filter(item=entry.code), user), region, "warehouse__region")
        .annotate(usable=usable_total(today))
        .filter(usable__gt=0)
        .values_list("warehouse_id", "usable", "warehouse__lat", "warehouse__lon")
    )
    ranked = sorted((geo.distance_km(lat, lon, y, x), wid, n) for wid, n, y, x in stocks)
    houses = Warehouse.objects.select_related("region").in_bulk([wid for _, wid, _ in ranked])
    left, sources = quantity, []
    for d, wid, n in ranked:
        take = min(left, n)
        left -= take
        sources.append(Source(houses[wid], round(d, 1), n, take))
    return {
        "item": entry,
        "quantity": quantity,
        "covered": left == 0,
        "shortfall": left,
        "sources": sources,
        "total": sum(s.available for s in sources),
    }


# -- dispatch and drills -----------------------------------------------------------------------


def dispatches(user, *, region=None, origin=None, active=None, q=None) -> QuerySet:
    _check_region(region)
    qs = in_region(scope(Dispatch.objects.select_related("region", "accident", "created_by"), user), region)
    if origin:
        qs = qs.filter(origin=origin)
    if active is not None:
        has_active = DispatchOrder.objects.filter(dispatch=OuterRef("pk"), state__in=ORDER_ACTIVE)
        qs = qs.filter(Exists(has_active)) if active else qs.exclude(Exists(has_active))
    return _search(qs, q, "title", "note")


def orders(user, *, dispatch: Dispatch | None = None, state=None, kind=None, region=None) -> QuerySet:
    _check_region(region)
    qs = in_region(
        scope(
            DispatchOrder.objects.select_related(
                "dispatch", "team", "warehouse", "equipment__warehouse", "region", "sent_by"
            ).prefetch_related(Prefetch("lines", queryset=OrderLine.objects.select_related("stock"))),
            user,
        ),
        region,
    )
    if dispatch is not None:
        qs = qs.filter(dispatch=dispatch)
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def drills(user, *, region=None, kind=None, state=None, year=None, q=None) -> QuerySet:
    errors: dict[str, list[str]] = {}
    check_region_year(region, year, errors)
    if errors:
        raise ValidationError(errors)
    qs = in_region(scope(Drill.objects.select_related("region"), user), region)
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if year:
        qs = qs.filter(planned_on__year=year)
    return _search(qs, q, "title", "organiser", "location")


def follow_ups(user, *, drill: Drill | None = None, state=None, mine=False, overdue=False) -> QuerySet:
    qs = scope(FollowUp.objects.select_related("drill", "region", "assignee"), user)
    if drill is not None:
        qs = qs.filter(drill=drill)
    if state:
        qs = qs.filter(state=state)
    if mine:
        qs = qs.filter(assignee=user)
    if overdue:
        qs = qs.filter(state="open", due_date__lt=clock.today())
    return qs


def history(obj):
    return audit.history(obj)


# -- what the people an order or a follow-up reaches may open ---------------------------------------


def dispatch_seen_by(user, pk: int) -> Dispatch | None:
    """The dispatch if its place is in the user's scope, or if it sent an order to a resource in it:
    whoever received an order sees the incident it was sent to (the order's notification links
    there) and, through `orders`, only the orders of their own resources."""
    related = Dispatch.objects.select_related("region", "accident", "drill", "created_by")
    dispatch = scope(related, user).filter(pk=pk).first()
    if dispatch is None and orders(user).filter(dispatch_id=pk).exists():
        dispatch = related.get(pk=pk)
    return dispatch


def drill_seen_by(user, pk: int) -> tuple[Drill | None, bool]:
    """The drill and whether its region is in the user's scope. A drill is also seen by whoever holds
    one of its follow-up items (a county's assignee of a city's drill: the item's notification links
    there), who then sees only the items in their own scope and takes no action on the drill."""
    drill = scope(Drill.objects.select_related("region"), user).filter(pk=pk).first()
    if drill is not None:
        return drill, True
    if follow_ups(user).filter(drill_id=pk).exists():
        return Drill.objects.select_related("region").get(pk=pk), False
    return None, False


def assignees(drill: Drill, limit: int = 500) -> list:
    """Who a drill's follow-up may be handed to: active government users of the drill's region, of the
    regions above it and of those below it (services.add_follow_up checks the choice again)."""
    from benan.core.models import GOVERNMENT_ROLES, User

    above, region = [], drill.region
    while region.parent_id:
        above.append(region.parent_id)
        region = region.parent
    low, high = drill.region.code_range()
    return list(
        User.objects.filter(is_active=True, role__in=GOVERNMENT_ROLES)
        .filter(Q(region_id__in=above) | Q(region_id__gte=low, region_id__lte=high))
        .select_related("region__parent")
        .order_by("region_id", "role", "username")[:limit]
    )
