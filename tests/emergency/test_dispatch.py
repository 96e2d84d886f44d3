"""Dispatch: orders to teams, warehouses and equipment, each sent → acknowledged → en_route →
on_scene → returned; material leaves the shelf when sent and what comes back is restocked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from benan.core import audit, clock
from benan.emergency.models import Batch, Dispatch, DispatchOrder, Equipment, RescueTeam

pytestmark = pytest.mark.django_db

POINT = {"lat": 30.60, "lon": 104.05, "region_code": "510107"}


def start(client, **extra):
    body = {"title": "武侯区某化工仓库泄漏", "origin": "point", **POINT, **extra}
    response = client.post("/api/v1/dispatches", body)
    assert response.status_code == 201, response.content
    return response.json()


def usable(stock_batch) -> int:
    return sum(Batch.objects.filter(stock=stock_batch.stock).values_list("quantity", flat=True))


def test_a_team_order_walks_the_loop_with_timestamps(api, commander, team):
    t = team(lat=30.70, lon=104.05)
    client = api(commander)
    dispatch = start(client, orders=[{"kind": "team", "id": t.pk, "note": "携带堵漏器材"}])
    (order,) = dispatch["orders"]
    assert order["state"] == "sent" and order["distance_km"] == 11.1 and order["resource"] == t.name
    t.refresh_from_db()
    assert t.readiness == "deployed"
    for action, state, stamp in [
        ("acknowledge", "acknowledged", "acknowledged_at"),
        ("depart", "en_route", "departed_at"),
        ("arrive", "on_scene", "arrived_at"),
        ("return", "returned", "returned_at"),
    ]:
        moved = client.post(f"/api/v1/dispatch-orders/{order['id']}/{action}", {})
        assert moved.status_code == 200, moved.content
        assert moved.json()["state"] == state and moved.json()[stamp] is not None
    t.refresh_from_db()
    assert t.readiness == "ready"
    history = [e["action"] for e in client.get(f"/api/v1/dispatch-orders/{order['id']}/history").json()]
    assert history == [
        "emergency.dispatchorder.send",
        "emergency.dispatchorder.acknowledge",
        "emergency.dispatchorder.depart",
        "emergency.dispatchorder.arrive",
        "emergency.dispatchorder.return",
    ]
    skipped = client.post(f"/api/v1/dispatch-orders/{order['id']}/arrive", {})
    assert skipped.status_code == 409


def test_a_deployed_or_resting_team_cannot_be_sent_again(api, commander, team):
    t = team()
    client = api(commander)
    start(client, orders=[{"kind": "team", "id": t.pk}])
    response = client.post(
        "/api/v1/dispatches",
        {"title": "第二起", "origin": "point", **POINT, "orders": [{"kind": "team", "id": t.pk}]},
    )
    assert response.status_code == 409 and "出动中" in response.json()["detail"]
    assert Dispatch.objects.count() == 1  # the dispatch and its orders are one step


def test_material_is_issued_first_expiring_first_and_restocked_on_return(api, commander, warehouse, stock):
    w = warehouse()
    late = stock(w, "M01", 300, expires_in=700)
    early = stock(w, "M01", 100, expires_in=200)
    endless = stock(w, "M01", 1000)
    client = api(commander)
    dispatch = start(
        client, orders=[{"kind": "material", "id": w.pk, "lines": [{"item": "M01", "quantity": 350}]}]
    )
    (order,) = dispatch["orders"]
    assert order["lines"][0]["quantity"] == 350
    quantities = {b.pk: b.quantity for b in Batch.objects.all()}
    assert quantities == {early.pk: 0, late.pk: 50, endless.pk: 1000}
    for action in ("acknowledge", "depart", "arrive"):
        client.post(f"/api/v1/dispatch-orders/{order['id']}/{action}", {})
    line = order["lines"][0]["id"]
    too_many = client.post(
        f"/api/v1/dispatch-orders/{order['id']}/return", {"lines": [{"line_id": line, "returned": 351}]}
    )
    assert too_many.status_code == 422
    back = client.post(
        f"/api/v1/dispatch-orders/{order['id']}/return", {"lines": [{"line_id": line, "returned": 120}]}
    )
    assert back.status_code == 200 and back.json()["lines"][0]["returned"] == 120
    quantities = {b.pk: b.quantity for b in Batch.objects.all()}
    assert quantities == {early.pk: 100, late.pk: 70, endless.pk: 1000}  # 230 consumed


def test_issuing_more_than_the_usable_stock_is_refused_and_nothing_moves(api, commander, warehouse, stock):
    w = warehouse()
    ok = stock(w, "M07", 20)
    expired = stock(w, "M07", 50, expires_in=100)
    Batch.objects.filter(pk=expired.pk).update(expiry_date=clock.today() - timedelta(days=1))
    client = api(commander)
    dispatch = start(client)
    response = client.post(
        f"/api/v1/dispatches/{dispatch['id']}/orders",
        {
            "orders": [
                {"kind": "material", "id": w.pk, "lines": [{"item": "M07", "quantity": 21}]},
            ]
        },
    )
    assert response.status_code == 409
    assert "可用库存 20顶" in response.json()["detail"] and "不足调出 21顶" in response.json()["detail"]
    assert usable(ok) == 70 and not DispatchOrder.objects.exists()


def test_orders_are_all_or_nothing(api, commander, warehouse, stock, team):
    w = warehouse()
    batch = stock(w, "M02", 10)
    t = team()
    client = api(commander)
    dispatch = start(client)
    response = client.post(
        f"/api/v1/dispatches/{dispatch['id']}/orders",
        {
            "orders": [
                {"kind": "team", "id": t.pk},
                {"kind": "material", "id": w.pk, "lines": [{"item": "M02", "quantity": 11}]},
            ]
        },
    )
    assert response.status_code == 409
    t.refresh_from_db()
    assert t.readiness == "ready" and usable(batch) == 10 and not DispatchOrder.objects.exists()


def test_cancelling_restores_material_team_and_equipment(api, commander, warehouse, stock, team, equipment):
    w = warehouse()
    batch = stock(w, "M02", 10)
    t, piece = team(), equipment(w)
    client = api(commander)
    dispatch = start(
        client,
        orders=[
            {"kind": "team", "id": t.pk},
            {"kind": "material", "id": w.pk, "lines": [{"item": "M02", "quantity": 10}]},
            {"kind": "equipment", "id": piece.pk},
        ],
    )
    piece.refresh_from_db()
    assert piece.status == "reserved" and usable(batch) == 0
    for order in dispatch["orders"]:
        assert client.post(f"/api/v1/dispatch-orders/{order['id']}/cancel", {}).status_code == 422  # a reason
        moved = client.post(f"/api/v1/dispatch-orders/{order['id']}/cancel", {"reason": "险情已排除"})
        assert moved.json()["state"] == "cancelled"
    t.refresh_from_db()
    piece.refresh_from_db()
    assert t.readiness == "ready" and piece.status == "available" and usable(batch) == 10


def test_equipment_moves_with_its_order_not_by_hand(api, commander, equipment):
    piece = equipment()
    client = api(commander)
    (order,) = start(client, orders=[{"kind": "equipment", "id": piece.pk, "days": 3}])["orders"]
    by_hand = client.post(f"/api/v1/resources/equipment/{piece.pk}/cancel-reservation", {})
    assert by_hand.status_code == 409 and "调度指令" in by_hand.json()["detail"]
    for action in ("acknowledge", "depart", "arrive"):
        client.post(f"/api/v1/dispatch-orders/{order['id']}/{action}", {})
    piece.refresh_from_db()
    assert piece.status == "deployed"
    assert piece.loans.get().expected_return == clock.today() + timedelta(days=3)
    client.post(f"/api/v1/dispatch-orders/{order['id']}/return", {"condition": "damaged", "note": "履带损坏"})
    piece.refresh_from_db()
    assert piece.status == "maintenance" and piece.loans.get().condition == "damaged"


def test_a_dispatch_from_an_accident_takes_its_place_and_region(api, commander, team, wuhou_ent, admin):
    from benan.accidents import services as accident_services

    from ..accidents.conftest import as_service_data, body

    located = accident_services.report_accident(
        actor=admin, data=as_service_data(body(wuhou_ent, lat=30.63, lon=104.02))
    )
    unlocated = accident_services.report_accident(actor=admin, data=as_service_data(body(wuhou_ent)))
    t = team(lat=30.73, lon=104.02)
    client = api(commander)
    dispatch = start(
        client,
        origin="accident",
        accident_id=located.pk,
        lat=None,
        lon=None,
        region_code=None,
        orders=[{"kind": "team", "id": t.pk}],
    )
    assert (dispatch["lat"], dispatch["lon"], dispatch["region"]) == (30.63, 104.02, "510107")
    assert dispatch["accident_id"] == located.pk and dispatch["orders"][0]["distance_km"] == 11.1
    missing = client.post(
        "/api/v1/dispatches", {"title": "无位置", "origin": "accident", "accident_id": unlocated.pk}
    )
    assert missing.status_code == 422 and "未登记位置" in missing.json()["detail"]
    given = start(client, title="补充位置", origin="accident", accident_id=unlocated.pk, region_code=None)
    assert given["region"] == wuhou_ent.region_id


@pytest.mark.parametrize(
    "body, field",
    [
        ({"origin": "point", "lat": 30.6, "lon": 190, "region_code": "510107"}, "lon"),
        ({"origin": "point", "lat": 45.0, "lon": 104, "region_code": "510107"}, "lat"),
        ({"origin": "point", "lat": 30.6, "lon": 104.0}, "region_code"),
        ({"origin": "accident"}, "accident_id"),
        ({"origin": "drill"}, "drill_id"),
    ],
)
def test_bad_dispatches_name_the_field(api, commander, body, field):
    response = api(commander).post("/api/v1/dispatches", {"title": "险情", **body})
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Dispatch.objects.exists()


def test_a_county_commander_cannot_send_another_countys_team(api, make_user, team):
    from benan.core.models import Role

    other = team("510104")
    county = make_user("wuhou-commander", Role.COMMANDER, region="510107")
    client = api(county)
    dispatch = start(client)
    response = client.post(
        f"/api/v1/dispatches/{dispatch['id']}/orders", {"orders": [{"kind": "team", "id": other.pk}]}
    )
    assert response.status_code == 404
    assert RescueTeam.objects.get(pk=other.pk).readiness == "ready"
    assert audit.history(other).count() == 1 and not Equipment.objects.exists()


def test_a_county_that_received_an_order_sees_the_dispatch_with_only_its_own_orders(
    api, commander, make_user, team
):
    from benan.core.models import Role

    own, other = team("510107"), team("510104")
    dispatch = start(
        api(commander),
        region_code="510104",
        lat=30.65,
        lon=104.08,
        orders=[{"kind": "team", "id": own.pk}, {"kind": "team", "id": other.pk}],
    )
    wuhou = api(make_user("wuhou-commander", Role.COMMANDER, region="510107"))
    seen = wuhou.get(f"/api/v1/dispatches/{dispatch['id']}")
    assert seen.status_code == 200
    assert [o["resource_id"] for o in seen.json()["orders"]] == [own.pk]
    stranger = api(make_user("my-commander", Role.COMMANDER, region="510703"))
    assert stranger.get(f"/api/v1/dispatches/{dispatch['id']}").status_code == 404
