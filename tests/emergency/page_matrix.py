"""Authorization probes for the emergency pages, merged into PAGE_MATRIX in
tests/test_authorization.py.

Each probe makes what it needs at each of the three counties of matrix.py (武侯, 锦江, 涪城) through
the services, as an admin would, and asserts for the role (VISIBLE and MOVERS of matrix.py):
- lists, boards, the map and its data: enterprises 403; nothing from outside the scope shown;
- an object's page: 200 inside the scope, 404 outside (and for enterprises, every object);
- a post on an object: outside the scope 404 and nothing changed; inside, MOVERS 302 and the others
  403 with nothing changed;
- a post that names no object in its URL (register a resource, plan a drill, the map's one-click
  调派): who may not move resources 403 and nothing made; a mover naming a county or a resource
  outside the scope 422 (a county) or 404 (a resource) and nothing made; inside, 302.
"""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import count

from django.urls import reverse

from benan.core import audit, clock
from benan.core.models import Role, User
from benan.emergency import services
from benan.emergency.models import Dispatch, Drill, RescueTeam, Stock, Warehouse
from tests.conftest import JINJIANG, WUHOU

from .conftest import PLACES
from .matrix import MOVERS, REGION_OF, VISIBLE

_serial = count(1)


def _admin() -> User:
    return User.objects.get(username="admin")


def _place(key: str) -> tuple[float, float]:
    return PLACES[REGION_OF[key]]


# -- builders: everything through the services, as an admin ------------------------------------


def team_at(key: str, **data) -> RescueTeam:
    lat, lon = _place(key)
    body = {
        "name": f"{key}救援队{next(_serial)}",
        "region_code": REGION_OF[key],
        "lat": lat,
        "lon": lon,
        "kind": "hazchem",
        "members": 20,
        "capabilities": ["hazchem"],
        **data,
    }
    return services.create_team(actor=_admin(), **body)


def warehouse_at(key: str, **data) -> Warehouse:
    lat, lon = _place(key)
    body = {
        "name": f"{key}物资库{next(_serial)}",
        "region_code": REGION_OF[key],
        "lat": lat,
        "lon": lon,
        "level": "county",
        "is_pool": True,
        **data,
    }
    return services.create_warehouse(actor=_admin(), **body)


def batch_at(key: str, quantity: int = 100, **kwargs):
    return services.receive(
        actor=_admin(),
        warehouse=warehouse_at(key),
        item="M01",
        quantity=quantity,
        received_on=clock.today() - timedelta(days=30),
        **kwargs,
    )


def stock_at(key: str) -> Stock:
    return batch_at(key).stock


def equipment_at(key: str, *, lent_days_ago: int | None = None):
    admin = _admin()
    equipment = services.register_equipment(
        actor=admin, warehouse=warehouse_at(key), item="E07", serial=f"PM-{next(_serial):06d}"
    )
    if lent_days_ago is not None:
        with clock.as_of(clock.now() - timedelta(days=lent_days_ago)):
            services.equipment_action(
                actor=admin,
                equipment=equipment,
                action="lend",
                borrower="邻县应急局",
                expected_return=clock.today() + timedelta(days=1),
            )
    return equipment


def dispatch_at(key: str) -> Dispatch:
    """A dispatch at the county's point with one team order (sent)."""
    admin = _admin()
    lat, lon = _place(key)
    dispatch = services.start_dispatch(
        actor=admin, title=f"{key}应急调度", origin="point", lat=lat, lon=lon, region_code=REGION_OF[key]
    )
    services.send_orders(actor=admin, dispatch=dispatch, orders=[{"kind": "team", "id": team_at(key).pk}])
    return dispatch


def order_at(key: str):
    return dispatch_at(key).orders.get()


def drill_at(key: str, *, held: bool = False) -> Drill:
    admin = _admin()
    lat, lon = _place(key)
    drill = services.plan_drill(
        actor=admin,
        title=f"{key}危化品泄漏演练",
        kind="drill",
        region_code=REGION_OF[key],
        organiser="区应急管理局",
        scenario="储罐泄漏，疏散和堵漏",
        planned_on=clock.today(),
        lat=lat,
        lon=lon,
    )
    if held:
        services.drill_action(
            actor=admin,
            drill=drill,
            action="hold",
            held_on=clock.today(),
            participant_count=30,
            evaluation="响应及时",
            rating="good",
        )
    return drill


def county_user(key: str) -> User:
    """An inspector of the county, who is handed the drill's follow-up items."""
    username = f"emergency-{REGION_OF[key]}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username, password="demo-2026", role=Role.INSPECTOR, region_id=REGION_OF[key]
        )
    return user


def submitted_follow_up_at(key: str):
    """A follow-up item of a held drill, submitted by its assignee: waiting to be checked."""
    drill = drill_at(key, held=True)
    assignee = county_user(key)
    item = services.add_follow_up(
        actor=_admin(),
        drill=drill,
        description="通信联络不畅",
        assignee_id=assignee.pk,
        due_date=clock.today() + timedelta(days=30),
    )
    return services.follow_up_action(actor=assignee, item=item, action="submit", result="已配发对讲机")


def _snapshot(obj):
    """Every stored field of the row and its audit entries: what a refused post must not change."""
    obj = type(obj).objects.get(pk=obj.pk)
    values = tuple(getattr(obj, f.attname) for f in obj._meta.concrete_fields)
    extra = ()
    if isinstance(obj, Dispatch):
        extra = tuple(obj.orders.values_list("pk", "state"))
    if isinstance(obj, Stock):
        extra = tuple(obj.batches.values_list("pk", "quantity"))
    return values, extra, audit.history(obj).count()


# -- probes ------------------------------------------------------------------------------------


def _ids(text: str, attr: str) -> set[int]:
    return {int(pk) for pk in re.findall(rf'data-{attr}="(\d+)"', text)}


def page_list(make, attr: str, params=({}, {"region": "510000"}, {"region": JINJIANG})):
    """A list or board: enterprises 403; rows only from inside the scope, all of them unfiltered."""

    def probe(client, role, enterprises, name):
        made = {key: make(key) for key in REGION_OF}
        for query in params:
            response = client.get(reverse(name), query)
            if role == "ent_wuhou":
                assert response.status_code == 403, (role, name)
                continue
            assert response.status_code == 200, (role, name, query)
            shown = _ids(response.content.decode(), attr)
            for key, obj in made.items():
                if key not in VISIBLE[role]:
                    assert obj.pk not in shown, (role, key, name, query)
                elif not query:
                    assert obj.pk in shown, (role, key, name)

    return probe


def page_map(client, role, enterprises, name):
    response = client.get(reverse(name))
    assert response.status_code == (403 if role == "ent_wuhou" else 200), (role, name)


def page_map_data(client, role, enterprises, name):
    teams = {key: team_at(key) for key in REGION_OF}
    depots = {key: warehouse_at(key, is_pool=key == "wuhou") for key in REGION_OF}
    response = client.get(reverse(name))
    if role == "ent_wuhou":
        assert response.status_code == 403
        return
    layers = {layer["key"]: {p[2] for p in layer["points"]} for layer in response.json()["layers"]}
    visible = VISIBLE[role]
    assert layers["teams"] == {teams[k].pk for k in visible}, role
    assert layers["warehouses"] | layers["pools"] == {depots[k].pk for k in visible}, role


def page_nearest(client, role, enterprises, name):
    teams = {key: team_at(key) for key in REGION_OF}
    lat, lon = PLACES[WUHOU]
    response = client.get(reverse(name), {"lat": lat, "lon": lon, "kind": "rescue_team"})
    if role == "ent_wuhou":
        assert response.status_code == 403
        return
    shown = {int(x) for x in re.findall(r'data-resource="team-(\d+)"', response.content.decode())}
    assert shown == {teams[k].pk for k in VISIBLE[role]}, role


def page_read(make):
    def probe(client, role, enterprises, name):
        for key in REGION_OF:
            response = client.get(reverse(name, args=[make(key).pk]))
            assert response.status_code == (200 if key in VISIBLE[role] else 404), (role, key, name)

    return probe


def page_act(make, body, *, action: str | None = None, allowed=MOVERS, changed=None):
    """A post on an object: 404 outside, 302 for `allowed` inside, else 403; refused, nothing changed."""

    def probe(client, role, enterprises, name):
        for key in REGION_OF:
            obj = make(key)
            before = _snapshot(obj)
            args = [obj.pk] if action is None else [obj.pk, action]
            response = client.post(reverse(name, args=args), body(key) if callable(body) else body)
            expected = (302 if role in allowed else 403) if key in VISIBLE[role] else 404
            assert response.status_code == expected, (role, key, name, response.status_code)
            if expected != 302:
                assert _snapshot(obj) == before, (role, key, name)
            elif changed is not None:
                assert changed(obj), (role, key, name)

    return probe


def page_edit(make, body):
    """The edit form: its page and its post, 404 outside; inside, movers 200 / 302, others 403."""
    post = page_act(make, body)

    def probe(client, role, enterprises, name):
        for key in REGION_OF:
            response = client.get(reverse(name, args=[make(key).pk]))
            expected = (200 if role in MOVERS else 403) if key in VISIBLE[role] else 404
            assert response.status_code == expected, (role, key, name)
        post(client, role, enterprises, name)

    return probe


def page_create(model, body, *, outside: int = 422):
    """A post that makes something in a county: non-movers 403, outside `outside`, inside 302."""

    def probe(client, role, enterprises, name):
        response = client.get(reverse(name))
        assert response.status_code == (200 if role in MOVERS else 403), (role, name)
        for key in REGION_OF:
            data = body(key)
            before = model.objects.count()
            response = client.post(reverse(name), data)
            expected = 403 if role not in MOVERS else 302 if key in VISIBLE[role] else outside
            assert response.status_code == expected, (role, key, name, response.status_code)
            assert model.objects.count() == before + (expected == 302), (role, key, name)

    return probe


def _located_body(key: str, **extra) -> dict:
    lat, lon = _place(key)
    return {
        "name": f"新登记{key}{next(_serial)}",
        "region_code": REGION_OF[key],
        "lat": str(lat),
        "lon": str(lon),
        "contact": "王主任",
        "phone": "13900000000",
        **extra,
    }


def _team_body(key: str) -> dict:
    return _located_body(key, kind="fire", members="25", capabilities=["fire"])


def _warehouse_body(key: str) -> dict:
    return _located_body(key, level="county", is_pool="on")


def _equipment_body(key: str) -> dict:
    return {"warehouse": warehouse_at(key).pk, "item": "E07", "serial": f"NEW-{next(_serial):06d}"}


def _drill_body(key: str) -> dict:
    return {
        "title": f"{key}防汛演练",
        "kind": "drill",
        "region_code": REGION_OF[key],
        "organiser": "应急管理局",
        "scenario": "城区内涝，转移群众",
        "planned_on": (clock.today() + timedelta(days=10)).isoformat(),
    }


def page_map_dispatch(client, role, enterprises, name):
    """The one-click 调派 from the map: a team in each county sent to a point in Wuhou, or for a
    mover who does not hold Wuhou, to a point in their own county."""
    for key in REGION_OF:
        team = team_at(key)
        before = (_snapshot(team), Dispatch.objects.count())
        where = WUHOU if "wuhou" in VISIBLE[role] else JINJIANG
        lat, lon = PLACES[where]
        body = {"lat": lat, "lon": lon, "region_code": where, "kind": "team", "id": team.pk}
        response = client.post(reverse(name), body)
        expected = 403 if role not in MOVERS else 302 if key in VISIBLE[role] else 404
        assert response.status_code == expected, (role, key, name, response.status_code)
        if expected == 302:
            team.refresh_from_db()
            assert team.readiness == "deployed" and Dispatch.objects.count() == before[1] + 1
        else:
            assert (_snapshot(team), Dispatch.objects.count()) == before, (role, key, name)


def _ready_team_body(key: str) -> dict:
    return {"kind": "team", "id": team_at(key).pk}


def _deployed(team_order_dispatch) -> bool:
    return team_order_dispatch.orders.count() == 2


EMERGENCY_PAGES = {
    "emergency:map": page_map,
    "emergency:map_data": page_map_data,
    "emergency:nearest": page_nearest,
    "emergency:map_dispatch": page_map_dispatch,
    "emergency:teams": page_list(team_at, "team"),
    "emergency:team_new": page_create(RescueTeam, _team_body),
    "emergency:team": page_read(team_at),
    "emergency:team_edit": page_edit(team_at, lambda key: _team_body(key)),
    "emergency:team_action": page_act(team_at, {"note": "轮休"}, action="stand_down"),
    "emergency:warehouses": page_list(warehouse_at, "warehouse"),
    "emergency:warehouse_new": page_create(Warehouse, _warehouse_body),
    "emergency:warehouse": page_read(warehouse_at),
    "emergency:warehouse_edit": page_edit(warehouse_at, lambda key: _warehouse_body(key)),
    "emergency:warehouse_receive": page_act(warehouse_at, {"item": "M01", "quantity": "10"}),
    "emergency:stock_minimum": page_act(stock_at, {"minimum": "50"}),
    "emergency:batch_write_off": page_act(batch_at, {"quantity": "1", "reason": "包装破损"}),
    "emergency:stock_alerts": page_list(lambda key: batch_at(key, minimum=500).stock, "stock"),
    "emergency:equipment_list": page_list(equipment_at, "equipment"),
    "emergency:equipment_new": page_create(services.Equipment, _equipment_body, outside=422),
    "emergency:equipment": page_read(equipment_at),
    "emergency:equipment_action": page_act(
        equipment_at,
        lambda key: {
            "borrower": "消防救援支队",
            "expected_return": (clock.today() + timedelta(days=3)).isoformat(),
        },
        action="reserve",
    ),
    "emergency:pool": page_list(lambda key: equipment_at(key, lent_days_ago=5), "equipment", params=({},)),
    "emergency:dispatches": page_list(dispatch_at, "dispatch"),
    "emergency:dispatch": page_read(dispatch_at),
    "emergency:dispatch_orders": page_act(dispatch_at, _ready_team_body, changed=_deployed),
    "emergency:order_action": page_act(order_at, {}, action="acknowledge"),
    "emergency:drills": page_list(drill_at, "drill"),
    "emergency:drill_new": page_create(Drill, _drill_body),
    "emergency:drill": page_read(drill_at),
    "emergency:drill_action": page_act(
        drill_at,
        lambda key: {
            "held_on": clock.today().isoformat(),
            "participant_count": "40",
            "evaluation": "达到预期",
            "rating": "good",
        },
        action="hold",
    ),
    "emergency:follow_up_action": page_act(submitted_follow_up_at, {"comment": "合格"}, action="accept"),
}
