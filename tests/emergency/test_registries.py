"""Registering teams, warehouses, stock and equipment: every bad field is named, nothing is written."""

from __future__ import annotations

from datetime import timedelta

import pytest

from benan.core import audit, clock
from benan.emergency.models import Batch, Equipment, RescueTeam, Stock, Warehouse

pytestmark = pytest.mark.django_db

TEAM = {
    "name": "武侯区危化品救援队",
    "region_code": "510107",
    "lat": 30.64,
    "lon": 104.04,
    "kind": "hazchem",
    "members": 28,
    "capabilities": ["hazchem", "fire"],
}


def test_a_commander_registers_a_team_and_it_is_audited(api, commander):
    response = api(commander).post("/api/v1/resources/teams", TEAM)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["capability_labels"] == ["火灾扑救", "危化品处置"]
    assert body["readiness"] == "ready" and body["available"] is True
    team = RescueTeam.objects.get(pk=body["id"])
    assert [e.action for e in audit.history(team)] == ["emergency.rescueteam.create"]


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"lat": 95}, "lat", "超出有效范围"),
        ({"lon": 200}, "lon", "超出有效范围"),
        ({"lat": 39.9, "lon": 116.4}, "lat", "不在四川省范围内"),
        ({"region_code": "510100"}, "region_code", "不是县级区划"),
        ({"region_code": "999999"}, "region_code", "不存在"),
        ({"kind": "navy"}, "kind", "不是可选值"),
        ({"members": 0}, "members", "队员人数"),
        ({"capabilities": ["teleport"]}, "capabilities", "不是可选值"),
        ({"name": "  "}, "name", "必须填写名称"),
    ],
)
def test_bad_team_fields_are_named_and_nothing_is_written(api, commander, change, field, words):
    response = api(commander).post("/api/v1/resources/teams", {**TEAM, **change})
    assert response.status_code == 422, response.content
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert field in errors and words in errors[field], errors
    assert not RescueTeam.objects.exists()


def test_a_county_commander_registers_only_in_their_county(api, make_user):
    from benan.core.models import Role

    county = make_user("wuhou-commander", Role.COMMANDER, region="510107")
    client = api(county)
    assert client.post("/api/v1/resources/teams", TEAM).status_code == 201
    elsewhere = client.post("/api/v1/resources/teams", {**TEAM, "region_code": "510104"})
    assert elsewhere.status_code == 422 and "不在您的管辖范围内" in elsewhere.json()["detail"]


def test_editing_a_team_records_what_changed(api, commander, team):
    t = team()
    response = api(commander).patch(f"/api/v1/resources/teams/{t.pk}", {"members": 45})
    assert response.status_code == 200 and response.json()["members"] == 45
    entry = audit.history(t).last()
    assert entry.action == "emergency.rescueteam.update" and entry.data["changes"] == {"members": [30, 45]}
    half = api(commander).patch(f"/api/v1/resources/teams/{t.pk}", {"lat": 30.7})
    assert half.status_code == 422


def test_readiness_stand_down_needs_a_reason_and_stand_by_restores(api, commander, team):
    t = team()
    client = api(commander)
    assert client.post(f"/api/v1/resources/teams/{t.pk}/stand-down", {}).status_code == 422
    resting = client.post(f"/api/v1/resources/teams/{t.pk}/stand-down", {"note": "队员轮训"}).json()
    assert resting["readiness_label"] == "休整" and resting["readiness_note"] == "队员轮训"
    again = client.post(f"/api/v1/resources/teams/{t.pk}/stand-down", {"note": "再次"})
    assert again.status_code == 409
    assert client.post(f"/api/v1/resources/teams/{t.pk}/stand-by", {}).json()["readiness"] == "ready"


def test_receiving_stock_in_batches_and_the_stock_view(api, commander, warehouse):
    w = warehouse()
    client = api(commander)
    today = clock.today()
    first = client.post(
        f"/api/v1/resources/warehouses/{w.pk}/receive",
        {
            "item": "m10",
            "quantity": 200,
            "expiry_date": (today + timedelta(days=300)).isoformat(),
            "minimum": 150,
        },
    )
    assert first.status_code == 201, first.content
    second = client.post(f"/api/v1/resources/warehouses/{w.pk}/receive", {"item": "M10", "quantity": 40})
    stock = second.json()
    assert stock["item_name"] == "瓶装饮用水" and stock["unit"] == "箱"
    assert stock["usable"] == stock["total"] == 240 and stock["minimum"] == 150
    assert [b["quantity"] for b in stock["batches"]] == [200, 40]  # first expiring first; no expiry last
    assert Stock.objects.count() == 1 and Batch.objects.count() == 2


@pytest.mark.parametrize(
    "body, field",
    [
        ({"item": "E07", "quantity": 1}, "item"),  # equipment is not stock
        ({"item": "X99", "quantity": 1}, "item"),
        ({"item": "M01", "quantity": 0}, "quantity"),
        ({"item": "M01", "quantity": -5}, "quantity"),
        ({"item": "M01", "quantity": 1.5}, "quantity"),
        ({"item": "M01", "quantity": 5, "received_on": "2099-01-01"}, "received_on"),
        ({"item": "M01", "quantity": 5, "expiry_date": "2000-01-01"}, "expiry_date"),
        ({"item": "M01", "quantity": 5, "minimum": -1}, "minimum"),
    ],
)
def test_bad_deliveries_are_refused_whole(api, commander, warehouse, body, field):
    w = warehouse()
    response = api(commander).post(f"/api/v1/resources/warehouses/{w.pk}/receive", body)
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Batch.objects.exists()


def test_write_off_never_below_zero(api, commander, warehouse, stock):
    batch = stock(warehouse(), "M26", 10)
    client = api(commander)
    too_many = client.post(
        f"/api/v1/resources/batches/{batch.pk}/write-off", {"quantity": 11, "reason": "过期"}
    )
    assert too_many.status_code == 409
    ok = client.post(f"/api/v1/resources/batches/{batch.pk}/write-off", {"quantity": 10, "reason": "过期"})
    assert ok.status_code == 200 and ok.json()["total"] == 0
    batch.refresh_from_db()
    assert batch.quantity == 0


def test_stock_alerts_list_low_stock_and_expiring_batches(api, commander, warehouse, stock):
    w = warehouse()
    stock(w, "M01", 50, minimum=100)  # below minimum
    stock(w, "M02", 500, minimum=100)  # fine
    stock(w, "M10", 30, expires_in=20)  # expiring within 30 days
    stock(w, "M11", 30, expires_in=45)  # not yet
    expired = stock(w, "M26", 8, expires_in=90)
    Batch.objects.filter(pk=expired.pk).update(expiry_date=clock.today() - timedelta(days=3))
    stock(w, "M26", 2, minimum=5)  # 8 expired + 2 usable: the expired units do not count
    alerts = api(commander).get("/api/v1/resources/stock-alerts").json()
    assert {a["item"] for a in alerts["below_minimum"]} == {"M01", "M26"}
    assert [(b["item"], b["expired"]) for b in alerts["expiring"]] == [("M26", True), ("M10", False)]
    assert alerts["expiring"][1]["days_left"] == 20


def test_registering_equipment(api, commander, warehouse):
    w = warehouse()
    client = api(commander)
    body = {"warehouse_id": w.pk, "item": "E04", "serial": "SMJ-2026-001", "model": "生命探测仪 A1"}
    created = client.post("/api/v1/resources/equipment", body)
    assert created.status_code == 201 and created.json()["item_name"] == "生命探测仪"
    again = client.post("/api/v1/resources/equipment", body)
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "serial"
    material = client.post("/api/v1/resources/equipment", {**body, "serial": "X", "item": "M01"})
    assert material.status_code == 422
    assert Equipment.objects.count() == 1


def test_the_catalogue_is_reference_data(api, ent_wuhou):
    items = api(ent_wuhou).get("/api/v1/resources/catalogue", {"kind": "equipment"}).json()
    assert items and all(i["kind"] == "equipment" for i in items)
    assert {
        "code": "E07",
        "kind": "equipment",
        "category": "工程抢险",
        "name": "大功率排水泵",
        "unit": "台",
    } in items


def test_enterprises_see_no_resources(api, ent_wuhou, warehouse):
    w = warehouse()
    client = api(ent_wuhou)
    assert client.get("/api/v1/resources/warehouses").status_code == 403
    assert client.get(f"/api/v1/resources/warehouses/{w.pk}").status_code == 404
    assert Warehouse.objects.count() == 1


def test_moving_a_team_to_another_county_is_recorded(api, commander, team):
    t = team()
    response = api(commander).patch(
        f"/api/v1/resources/teams/{t.pk}", {"region_code": "510104", "name": "锦江救援队"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["region"] == "510104"
    changes = audit.history(t).last().data["changes"]
    assert changes == {"region_code": ["510107", "510104"], "name": [t.name, "锦江救援队"]}
