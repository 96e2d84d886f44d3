"""Demo emergency resources: the pure layout (deterministic, every city covered, every point in its
county), and `benan demo` registering it through the services and replaying its history: every city
with a team and a stocked warehouse, the provincial reserve, pool equipment in several cities, stock
alerts, loans reserved and lent (one overdue), maintenance, the live dispatch to a demo accident with
orders in every state, a fully returned dispatch, drills and their follow-ups in every state,
武侯区's commander with resources and orders of its own, and the audit chain.

A demo here takes a few seconds (200 enterprises with their accidents, the smallest emergency demo
plus a few teams), so the tests that need one check several things at once."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from benan.core import audit, clock, geo
from benan.core.models import AuditEntry, RegionLevel, Role, User
from benan.demo import emergency as demo_emergency
from benan.demo import generator
from benan.emergency import queries
from benan.emergency.models import (
    Dispatch,
    DispatchOrder,
    Drill,
    DrillState,
    Equipment,
    EquipmentStatus,
    FollowUp,
    FollowUpState,
    Loan,
    LoanState,
    OrderKind,
    OrderState,
    Origin,
    Readiness,
    RescueTeam,
    Stock,
    Warehouse,
    WarehouseLevel,
)

N, SEED = 200, 11  # 200 enterprises: twelve demo accidents, the first two hours old in 武侯区
TEAMS = demo_emergency.MIN_TEAMS + 6
TODAY = date(2026, 11, 29)


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def regions_file():
    return generator.regions_from_file()


@pytest.fixture(scope="module")
def layout(regions_file):
    return demo_emergency.plan(regions_file, TEAMS, SEED, today=TODAY)


def cities(regions) -> set[str]:
    return {r.code for r in regions.values() if r.level == RegionLevel.CITY}


# -- the layout, without a database ----------------------------------------------------------------


def test_the_default_count():
    assert demo_emergency.default_count(300) == 0  # the other demo tests run without it
    assert demo_emergency.default_count(500) == demo_emergency.MIN_DEFAULT == 60
    assert demo_emergency.default_count(2000) == 80  # make run
    assert demo_emergency.default_count(100_000) == demo_emergency.MAX_DEFAULT == 300
    with pytest.raises(ValueError, match="at least"):
        demo_emergency.check_count(demo_emergency.MIN_TEAMS - 1)
    with pytest.raises(ValueError, match="negative"):
        demo_emergency.check_count(-1)
    demo_emergency.check_count(0)


def test_the_same_seed_gives_the_same_layout_and_another_seed_another(layout, regions_file):
    assert demo_emergency.plan(regions_file, TEAMS, SEED, today=TODAY) == layout
    other = demo_emergency.plan(regions_file, TEAMS, SEED + 1, today=TODAY)
    assert other.teams[:3] != layout.teams[:3]  # same flagships, other places and contacts
    assert [t.name for t in other.teams[: demo_emergency.MIN_TEAMS]] == [
        t.name for t in layout.teams[: demo_emergency.MIN_TEAMS]
    ]


def test_every_city_has_a_team_and_a_stocked_warehouse_in_the_plan(layout, regions_file):
    assert len(layout.teams) == TEAMS
    city_of = {code: r.parent_id for code, r in regions_file.items()}
    assert {city_of[t.county] for t in layout.teams} == cities(regions_file)
    stocked = {city_of[w.county] for w in layout.warehouses if any(s.batches for s in w.stock)}
    assert stocked == cities(regions_file)
    names = [t.name for t in layout.teams] + [w.name for w in layout.warehouses]
    assert len(names) == len(set(names))


def test_every_resource_lies_in_sichuan_near_its_county_seat(layout, regions_file):
    for item in (*layout.teams, *layout.warehouses):
        county = regions_file[item.county]
        assert county.level == RegionLevel.COUNTY
        assert geo.in_sichuan(item.lat, item.lon), item.name
        assert geo.distance_km(item.lat, item.lon, county.lat, county.lon) <= 6.01, item.name
        assert item.address.startswith(f"四川省{regions_file[county.parent_id].name}{county.name}")


def test_batches_are_dated_like_real_deliveries(layout):
    for house in layout.warehouses:
        for line in house.stock:
            assert line.batches and line.minimum >= 0
            for batch in line.batches:
                assert batch.quantity > 0 and batch.received_on <= TODAY
                assert batch.expiry_date is None or batch.expiry_date > batch.received_on


# -- benan demo --------------------------------------------------------------------------------------


@pytest.fixture
def demo(regions):
    return run("demo", enterprises=N, hazards=0, cases=0, power=0, emergency=TEAMS, seed=SEED)


@pytest.fixture
def commander(demo):
    return User.objects.get(username="commander")


def test_every_city_has_teams_and_stocked_warehouses_and_the_province_its_reserve(demo, regions_file):
    assert RescueTeam.objects.count() == TEAMS
    team_cities = set(RescueTeam.objects.values_list("region__parent_id", flat=True))
    stocked = Stock.objects.filter(batches__quantity__gt=0)
    stock_cities = set(stocked.values_list("warehouse__region__parent_id", flat=True))
    assert team_cities == stock_cities == cities(regions_file)
    assert Warehouse.objects.filter(
        level=WarehouseLevel.PROVINCE, name="四川省应急物资储备库（新都）"
    ).exists()
    pools = Warehouse.objects.filter(is_pool=True, equipment__isnull=False)
    assert len(set(pools.values_list("region__parent_id", flat=True))) >= 5
    assert RescueTeam.objects.filter(readiness=Readiness.RESTING).exclude(readiness_note="").exists()
    assert "演示应急资源：救援队伍" in demo and "覆盖 21 个市州" in demo


def test_stock_alerts_loans_and_maintenance(commander):
    today = clock.today()
    alerts = queries.stock_alerts(commander)
    assert alerts["below_minimum"].count() >= 3
    expiring = list(alerts["expiring"])
    assert len(expiring) >= 4
    assert any(b.expiry_date < today for b in expiring)  # expired, still on the shelf
    assert any(today <= b.expiry_date <= today + timedelta(days=30) for b in expiring)
    loans = Counter(Loan.objects.values_list("state", flat=True))
    assert loans[LoanState.RESERVED] >= 2 and loans[LoanState.LENT] >= 3 and loans[LoanState.RETURNED] >= 2
    overdue = list(queries.loans(commander, overdue=True))
    assert len(overdue) == 1 and overdue[0].expected_return < today
    assert AuditEntry.objects.filter(action="emergency.loan.escalated", object_id=str(overdue[0].pk)).exists()
    board = queries.pool_board(commander)
    assert board["maintenance_due"].filter(next_maintenance__lte=today).exists()
    assert Equipment.objects.filter(status=EquipmentStatus.MAINTENANCE).exists()
    assert Equipment.objects.filter(status=EquipmentStatus.RETIRED).exists()


def test_the_accident_dispatch_has_orders_in_every_state(commander):
    dispatch = Dispatch.objects.get(origin=Origin.ACCIDENT)
    assert dispatch.accident.region_id == generator.WUHOU  # the 一般 accident two hours ago
    assert (dispatch.lat, dispatch.lon) == (dispatch.accident.lat, dispatch.accident.lon)
    orders = list(dispatch.orders.all())
    teams = Counter(o.state for o in orders if o.kind == OrderKind.TEAM)
    for state in (
        OrderState.ON_SCENE,
        OrderState.EN_ROUTE,
        OrderState.ACKNOWLEDGED,
        OrderState.SENT,
        OrderState.CANCELLED,
    ):
        assert teams[state] >= 1, state
    assert len({o.state for o in orders}) >= 4
    material = next(o for o in orders if o.kind == OrderKind.MATERIAL)
    assert material.state == OrderState.RETURNED
    lines = list(material.lines.all())
    assert any(line.returned < line.quantity for line in lines)  # part of it was used up
    equipment = next(o for o in orders if o.kind == OrderKind.EQUIPMENT)
    assert equipment.state == OrderState.ON_SCENE and equipment.equipment.status == EquipmentStatus.DEPLOYED
    for order in orders:  # deployed teams are the active orders' teams
        if order.kind == OrderKind.TEAM:
            deployed = order.state in (
                OrderState.SENT,
                OrderState.ACKNOWLEDGED,
                OrderState.EN_ROUTE,
                OrderState.ON_SCENE,
            )
            assert (order.team.readiness == Readiness.DEPLOYED) == deployed
        assert order.sent_at <= clock.now()
    point = Dispatch.objects.get(origin=Origin.POINT)
    assert set(point.orders.values_list("state", flat=True)) == {OrderState.RETURNED}
    assert Dispatch.objects.filter(origin=Origin.DRILL).exists()


def test_drills_and_follow_ups_in_every_state(commander):
    drills = Counter(Drill.objects.values_list("state", flat=True))
    assert (
        drills[DrillState.PLANNED] >= 3 and drills[DrillState.HELD] >= 3 and drills[DrillState.CANCELLED] >= 1
    )
    held = Drill.objects.filter(state=DrillState.HELD)
    assert all(d.rating and d.evaluation and d.held_on <= clock.today() for d in held)
    assert len(set(Drill.objects.values_list("region__code", flat=True))) >= 8
    items = Counter(FollowUp.objects.values_list("state", flat=True))
    assert (
        items[FollowUpState.OPEN] >= 2
        and items[FollowUpState.SUBMITTED] >= 1
        and items[FollowUpState.CLOSED] >= 1
    )
    overdue = queries.follow_ups(commander, overdue=True)
    assert overdue.count() == 1
    assert AuditEntry.objects.filter(action="emergency.followup.reject").exists()  # sent back once


def test_wuhou_commander_has_resources_and_orders_of_its_own_and_sees_only_its_county(commander):
    county = User.objects.get(username="wuhou-commander")
    assert (county.role, county.region_id, county.check_password("demo-2026")) == (
        Role.COMMANDER,
        generator.WUHOU,
        True,
    )
    teams = queries.teams(county)
    assert teams.count() >= 2 and set(teams.values_list("region_id", flat=True)) == {generator.WUHOU}
    assert queries.warehouses(county).filter(stocks__isnull=False).exists()
    orders = queries.orders(county)
    assert orders.exists() and set(orders.values_list("region_id", flat=True)) == {generator.WUHOU}
    assert queries.teams(commander).count() == TEAMS
    # It registered its own and moved its own orders.
    assert AuditEntry.objects.filter(
        actor_name="wuhou-commander", action="emergency.rescueteam.create"
    ).exists()
    assert AuditEntry.objects.filter(
        actor_name="wuhou-commander", action="emergency.dispatchorder.arrive"
    ).exists()


def test_everything_is_audited_and_the_chain_holds(commander):
    assert audit.verify().ok
    assert AuditEntry.objects.filter(action="emergency.rescueteam.create").count() == TEAMS
    assert AuditEntry.objects.filter(action="emergency.warehouse.create").count() == Warehouse.objects.count()
    actors = set(
        AuditEntry.objects.filter(action__startswith="emergency.dispatchorder.").values_list(
            "actor_name", flat=True
        )
    )
    assert actors <= {"commander", "wuhou-commander"}
    assert (
        DispatchOrder.objects.count()
        == AuditEntry.objects.filter(action="emergency.dispatchorder.send").count()
    )


def test_it_can_be_turned_off_and_refuses_a_size_below_the_flagships(regions):
    out = run("demo", enterprises=50, hazards=0, cases=0, accidents=0, emergency=0)
    assert "演示应急资源" not in out
    assert not RescueTeam.objects.exists()
    with pytest.raises(CommandError, match="--emergency"):
        run("demo", enterprises=50, emergency=demo_emergency.MIN_TEAMS - 1)
