"""Who sees and moves emergency resources, written out (not computed by scope()); the API matrix
(tests/test_authorization.py) and the page matrix (page_matrix.py) both use these.

Resources are made at the three fixture counties: 武侯 (510107), 锦江 (510104), 涪城 (510703).
Government users see their region's subtree; enterprises see nothing (403 on lists, 404 on an
object). Commanders and safety offices move what they see; inspectors and experts only read.
"""

from __future__ import annotations

from ..conftest import JINJIANG, WUHOU

REGION_OF = {"wuhou": WUHOU, "jinjiang": JINJIANG, "mianyang": "510703"}
VISIBLE = {
    "admin": {"wuhou", "jinjiang", "mianyang"},
    "sc_office": {"wuhou", "jinjiang", "mianyang"},
    "expert": {"wuhou", "jinjiang", "mianyang"},
    "commander": {"wuhou", "jinjiang", "mianyang"},
    "cd_office": {"wuhou", "jinjiang"},
    "wuhou_inspector": {"wuhou"},
    "jinjiang_inspector": {"jinjiang"},
    "ent_wuhou": set(),
}
MOVERS = {"admin", "sc_office", "cd_office", "commander"}


# -- the API probes, merged into API_MATRIX in tests/test_authorization.py ----------------------

from datetime import timedelta  # noqa: E402

from benan.core import audit, clock  # noqa: E402
from benan.core.models import Role, User  # noqa: E402
from benan.emergency import services  # noqa: E402
from benan.emergency.models import (  # noqa: E402
    Batch,
    Dispatch,
    DispatchOrder,
    Drill,
    Equipment,
    FollowUp,
    RescueTeam,
    Stock,
    Warehouse,
)

from .conftest import PLACES  # noqa: E402


def _admin() -> User:
    return User.objects.get(username="admin")


def _place(key: str) -> dict:
    lat, lon = PLACES[REGION_OF[key]]
    return {"region_code": REGION_OF[key], "lat": lat, "lon": lon}


def make_team(key: str) -> RescueTeam:
    return services.create_team(
        actor=_admin(), name=f"{key}救援队", kind="fire", members=20, capabilities=["fire"], **_place(key)
    )


def make_warehouse(key: str) -> Warehouse:
    return services.create_warehouse(
        actor=_admin(), name=f"{key}物资库", level="county", is_pool=True, **_place(key)
    )


def make_batch(key: str) -> Batch:
    return services.receive(
        actor=_admin(),
        warehouse=make_warehouse(key),
        item="M01",
        quantity=50,
        minimum=80,
        expiry_date=clock.today() + timedelta(days=10),
    )


def make_stock(key: str) -> Stock:
    return make_batch(key).stock


def equipment_in(status: str = "available"):
    def make(key: str) -> Equipment:
        piece = services.register_equipment(
            actor=_admin(),
            warehouse=make_warehouse(key),
            item="E07",
            serial=f"SN-{key}-{Equipment.objects.count()}",
        )
        steps = (
            {"reserved": ["reserve"], "deployed": ["lend"], "maintenance": ["maintain"]}[status]
            if status != "available"
            else []
        )
        for action in steps:
            services.equipment_action(
                actor=_admin(),
                equipment=piece,
                action=action,
                borrower="某救援队",
                expected_return=clock.today() + timedelta(days=3),
                reason="保养",
            )
        piece.refresh_from_db()
        return piece

    return make


def make_dispatch(key: str) -> Dispatch:
    return services.start_dispatch(actor=_admin(), title=f"{key}险情", origin="point", **_place(key))


def order_in(state: str = "sent"):
    path = {
        "sent": [],
        "acknowledged": ["acknowledge"],
        "en_route": ["acknowledge", "depart"],
        "on_scene": ["acknowledge", "depart", "arrive"],
    }[state]

    def make(key: str) -> DispatchOrder:
        dispatch = make_dispatch(key)
        (order,) = services.send_orders(
            actor=_admin(), dispatch=dispatch, orders=[{"kind": "team", "id": make_team(key).pk}]
        )
        for action in path:
            services.order_action(actor=_admin(), order=order, action=action)
        order.refresh_from_db()
        return order

    return make


def make_drill(key: str, *, held: bool = False) -> Drill:
    drill = services.plan_drill(
        actor=_admin(),
        title=f"{key}危化品泄漏演练",
        kind="drill",
        organiser="应急管理局",
        scenario="储罐泄漏处置",
        planned_on=clock.today(),
        region_code=REGION_OF[key],
    )
    if held:
        services.drill_action(
            actor=_admin(),
            drill=drill,
            action="hold",
            held_on=clock.today(),
            participant_count=40,
            evaluation="处置及时",
            rating="good",
        )
    return drill


def held_drill(key: str) -> Drill:
    return make_drill(key, held=True)


def county_commander(key: str) -> User:
    username = f"assignee-{REGION_OF[key]}"
    user = User.objects.filter(username=username).first()
    return user or User.objects.create_user(
        username, password="demo-2026", role=Role.COMMANDER, region_id=REGION_OF[key]
    )


def follow_up_in(state: str = "open"):
    def make(key: str) -> FollowUp:
        item = services.add_follow_up(
            actor=_admin(),
            drill=held_drill(key),
            description="通信联络不畅",
            assignee_id=county_commander(key).pk,
            due_date=clock.today(),
        )
        if state == "submitted":
            services.follow_up_action(
                actor=county_commander(key), item=item, action="submit", result="已配备对讲机"
            )
        item.refresh_from_db()
        return item

    return make


def _snapshot(obj):
    row = type(obj).objects.filter(pk=obj.pk).values().first()
    row.pop("updated_at", None)
    return row, audit.history(obj).count()


def read(make, name: str):
    def probe(client, role, enterprises, path):
        for key in REGION_OF:
            obj = make(key)
            response = client.get(path.format(**{name: obj.pk}))
            assert response.status_code == (200 if key in VISIBLE[role] else 404), (role, key, path)

    return probe


def act(make, name: str, body=None, allowed=frozenset(MOVERS), ok: int = 200, method: str = "post"):
    def probe(client, role, enterprises, path, *_):
        for key in REGION_OF:
            obj = make(key)
            before = _snapshot(obj)
            payload = body(key) if callable(body) else (body or {})
            response = getattr(client, method)(path.format(**{name: obj.pk}), payload)
            expected = (ok if role in allowed else 403) if key in VISIBLE[role] else 404
            assert response.status_code == expected, (role, key, path, response.content)
            if expected >= 400:
                assert _snapshot(obj) == before, (role, key, path)

    return probe


def listing(make, *, params=None, ids=lambda r: {i["id"] for i in r["items"]}):
    """A list in scope: exactly the visible objects; enterprises 403."""

    def probe(client, role, enterprises, path):
        made = {key: make(key) for key in REGION_OF}
        response = client.get(path, params(made) if callable(params) else (params or {}))
        if role == "ent_wuhou":
            assert response.status_code == 403, role
            return
        assert response.status_code == 200, (role, response.content)
        assert ids(response.json()) == {made[k].pk for k in VISIBLE[role]}, role

    return probe


def create(body):
    """A registration at each county: movers in scope 201, movers elsewhere 422, others 403."""

    def probe(client, role, enterprises, path, *_):
        for key in REGION_OF:
            response = client.post(path, body(key))
            expected = 403 if role not in MOVERS else 201 if key in VISIBLE[role] else 422
            assert response.status_code == expected, (role, key, path, response.content)

    return probe


def _team_body(key):
    return {
        "name": f"新{key}救援队",
        "kind": "medical",
        "members": 12,
        "capabilities": ["medical"],
        **_place(key),
    }


def _warehouse_body(key):
    return {"name": f"新{key}物资库", "level": "county", **_place(key)}


def _near(key_point="wuhou"):
    lat, lon = PLACES[REGION_OF[key_point]]
    return {"lat": lat, "lon": lon}


def _nearest_ids(response):
    return {i["id"] for i in response}


def _plan_ids(response):
    return {s["warehouse"]["id"] for s in response["sources"]}


def _alert_ids(response):
    return {s["stock_id"] for s in response["below_minimum"]}


def _pool_ids(response):
    return {x["equipment_id"] for x in response["loans"]}


def _follow_up_ids(response):
    return {x["id"] for x in response}


def _equipment_body(key):
    return {
        "warehouse_id": make_warehouse(key).pk,
        "item": "E05",
        "serial": f"NEW-{key}-{Equipment.objects.count()}",
    }


def register_equipment(client, role, enterprises, path):
    for key in REGION_OF:
        response = client.post(path, _equipment_body(key))
        expected = (201 if role in MOVERS else 403) if key in VISIBLE[role] else 404
        assert response.status_code == expected, (role, key, response.content)


def _dispatch_body(key):
    return {"title": f"{key}火情", "origin": "point", **_place(key)}


def _orders_body(key):
    return {"orders": [{"kind": "team", "id": make_team(key).pk}]}


def _soon():
    return (clock.today() + timedelta(days=5)).isoformat()


EMERGENCY_API = {
    ("get", "/api/v1/resources/catalogue"): None,  # reference data: tests/emergency/test_registries.py
    ("get", "/api/v1/resources/nearest"): listing(
        make_team, params={**_near(), "kind": "rescue_team", "limit": 50}, ids=_nearest_ids
    ),
    ("get", "/api/v1/resources/materials/plan"): listing(
        make_stock,
        params={**_near(), "item": "M01", "quantity": 1000},
        ids=lambda r: {Stock.objects.get(warehouse_id=w, item="M01").pk for w in _plan_ids(r)},
    ),
    ("get", "/api/v1/resources/teams"): listing(make_team),
    ("post", "/api/v1/resources/teams"): create(_team_body),
    ("get", "/api/v1/resources/teams/{team_id}"): read(make_team, "team_id"),
    ("get", "/api/v1/resources/teams/{team_id}/history"): read(make_team, "team_id"),
    ("patch", "/api/v1/resources/teams/{team_id}"): act(
        make_team, "team_id", {"members": 25}, method="patch"
    ),
    ("post", "/api/v1/resources/teams/{team_id}/stand-down"): act(make_team, "team_id", {"note": "轮休"}),
    ("post", "/api/v1/resources/teams/{team_id}/stand-by"): act(
        lambda key: services.team_action(
            actor=_admin(), team=make_team(key), action="stand_down", note="轮休"
        ),
        "team_id",
    ),
    ("get", "/api/v1/resources/warehouses"): listing(make_warehouse),
    ("post", "/api/v1/resources/warehouses"): create(_warehouse_body),
    ("get", "/api/v1/resources/warehouses/{warehouse_id}"): read(make_warehouse, "warehouse_id"),
    ("patch", "/api/v1/resources/warehouses/{warehouse_id}"): act(
        make_warehouse, "warehouse_id", {"contact": "王库管"}, method="patch"
    ),
    ("get", "/api/v1/resources/warehouses/{warehouse_id}/stock"): read(make_warehouse, "warehouse_id"),
    ("post", "/api/v1/resources/warehouses/{warehouse_id}/receive"): act(
        make_warehouse, "warehouse_id", {"item": "M07", "quantity": 20}, ok=201
    ),
    ("post", "/api/v1/resources/stocks/{stock_id}/minimum"): act(make_stock, "stock_id", {"minimum": 10}),
    ("post", "/api/v1/resources/batches/{batch_id}/write-off"): act(
        make_batch, "batch_id", {"quantity": 5, "reason": "破损"}
    ),
    ("get", "/api/v1/resources/stock-alerts"): listing(make_stock, ids=_alert_ids),
    ("get", "/api/v1/resources/equipment"): listing(equipment_in()),
    ("post", "/api/v1/resources/equipment"): register_equipment,
    ("get", "/api/v1/resources/equipment/{equipment_id}"): read(equipment_in(), "equipment_id"),
    ("get", "/api/v1/resources/equipment/{equipment_id}/history"): read(equipment_in(), "equipment_id"),
    ("post", "/api/v1/resources/equipment/{equipment_id}/reserve"): act(
        equipment_in(), "equipment_id", lambda key: {"borrower": "某救援队", "expected_return": _soon()}
    ),
    ("post", "/api/v1/resources/equipment/{equipment_id}/cancel-reservation"): act(
        equipment_in("reserved"), "equipment_id"
    ),
    ("post", "/api/v1/resources/equipment/{equipment_id}/lend"): act(
        equipment_in(), "equipment_id", lambda key: {"borrower": "某救援队", "expected_return": _soon()}
    ),
    ("post", "/api/v1/resources/equipment/{equipment_id}/return"): act(
        equipment_in("deployed"), "equipment_id", {"condition": "good"}
    ),
    ("post", "/api/v1/resources/equipment/{equipment_id}/maintain"): act(
        equipment_in(), "equipment_id", {"reason": "年度保养"}
    ),
    ("post", "/api/v1/resources/equipment/{equipment_id}/finish-maintenance"): act(
        equipment_in("maintenance"), "equipment_id", lambda key: {"next_maintenance": _soon()}
    ),
    ("post", "/api/v1/resources/equipment/{equipment_id}/retire"): act(
        equipment_in(), "equipment_id", {"reason": "超期服役"}
    ),
    ("get", "/api/v1/resources/pool"): listing(equipment_in("reserved"), ids=_pool_ids),
    ("get", "/api/v1/dispatches"): listing(make_dispatch),
    ("post", "/api/v1/dispatches"): create(_dispatch_body),
    ("get", "/api/v1/dispatches/{dispatch_id}"): read(make_dispatch, "dispatch_id"),
    ("post", "/api/v1/dispatches/{dispatch_id}/orders"): act(
        make_dispatch, "dispatch_id", _orders_body, ok=201
    ),
    ("get", "/api/v1/dispatch-orders"): listing(order_in()),
    ("get", "/api/v1/dispatch-orders/{order_id}"): read(order_in(), "order_id"),
    ("get", "/api/v1/dispatch-orders/{order_id}/history"): read(order_in(), "order_id"),
    ("post", "/api/v1/dispatch-orders/{order_id}/acknowledge"): act(order_in(), "order_id"),
    ("post", "/api/v1/dispatch-orders/{order_id}/depart"): act(order_in("acknowledged"), "order_id"),
    ("post", "/api/v1/dispatch-orders/{order_id}/arrive"): act(order_in("en_route"), "order_id"),
    ("post", "/api/v1/dispatch-orders/{order_id}/return"): act(
        order_in("on_scene"), "order_id", {"note": "归队"}
    ),
    ("post", "/api/v1/dispatch-orders/{order_id}/cancel"): act(
        order_in(), "order_id", {"reason": "险情已控制"}
    ),
    ("get", "/api/v1/drills"): listing(make_drill),
    ("post", "/api/v1/drills"): create(
        lambda key: {
            "title": "培训",
            "kind": "training",
            "region_code": REGION_OF[key],
            "organiser": "应急管理局",
            "scenario": "应急预案培训",
            "planned_on": clock.today().isoformat(),
        }
    ),
    ("get", "/api/v1/drills/{drill_id}"): read(make_drill, "drill_id"),
    ("get", "/api/v1/drills/{drill_id}/history"): read(make_drill, "drill_id"),
    ("post", "/api/v1/drills/{drill_id}/hold"): act(
        make_drill,
        "drill_id",
        lambda key: {
            "held_on": clock.today().isoformat(),
            "participant_count": 30,
            "evaluation": "达到预期",
            "rating": "pass",
        },
    ),
    ("post", "/api/v1/drills/{drill_id}/cancel"): act(make_drill, "drill_id", {"reason": "天气原因"}),
    ("post", "/api/v1/drills/{drill_id}/follow-ups"): act(
        held_drill,
        "drill_id",
        lambda key: {
            "description": "预案需修订",
            "assignee_id": county_commander(key).pk,
            "due_date": _soon(),
        },
        ok=201,
    ),
    ("get", "/api/v1/drill-follow-ups"): listing(follow_up_in(), ids=_follow_up_ids),
    ("get", "/api/v1/drill-follow-ups/{item_id}/history"): read(follow_up_in(), "item_id"),
    # Only the assignee (here a county commander outside the role list) or an admin submits.
    ("post", "/api/v1/drill-follow-ups/{item_id}/submit"): act(
        follow_up_in(), "item_id", {"result": "已整改"}, allowed={"admin"}
    ),
    ("post", "/api/v1/drill-follow-ups/{item_id}/accept"): act(
        follow_up_in("submitted"), "item_id", {"comment": "合格"}
    ),
    ("post", "/api/v1/drill-follow-ups/{item_id}/reject"): act(
        follow_up_in("submitted"), "item_id", {"comment": "未见整改材料"}
    ),
}
# order_id comes with the enforcement matrix's PATH_IDS (one name, one value in the anonymous probe).
PATH_IDS = {
    "team_id": 1,
    "warehouse_id": 1,
    "stock_id": 1,
    "batch_id": 1,
    "equipment_id": 1,
    "dispatch_id": 1,
    "drill_id": 1,
    "item_id": 1,
}
