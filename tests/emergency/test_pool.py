"""The equipment pool: reserve → lend → return through the loop, with the loan record kept."""

from __future__ import annotations

from datetime import timedelta

import pytest

from benan.core import audit, clock
from benan.emergency.models import Equipment, Loan

pytestmark = pytest.mark.django_db


def soon(days: int = 5) -> str:
    return (clock.today() + timedelta(days=days)).isoformat()


def state(piece: Equipment):
    piece.refresh_from_db()
    return piece.status, list(piece.loans.values_list("state", flat=True)), audit.history(piece).count()


def test_reserve_lend_and_return_in_good_condition(api, commander, equipment):
    piece = equipment()
    client = api(commander)
    base = f"/api/v1/resources/equipment/{piece.pk}"
    reserved = client.post(f"{base}/reserve", {"borrower": "攀枝花矿山救护队", "expected_return": soon()})
    assert reserved.status_code == 200, reserved.content
    assert reserved.json()["status"] == "reserved" and reserved.json()["loan"]["state"] == "reserved"
    lent = client.post(f"{base}/lend", {}).json()
    assert lent["status_label"] == "已借出" and lent["loan"]["borrower"] == "攀枝花矿山救护队"
    assert lent["loan"]["lent_at"] is not None
    back = client.post(f"{base}/return", {"condition": "good", "note": "完好"}).json()
    assert back["status"] == "available" and back["loan"] is None
    loan = Loan.objects.get(equipment=piece)
    assert loan.state == "returned" and loan.condition == "good" and loan.returned_at is not None
    actions = [e.action for e in audit.history(piece)]
    assert actions == [
        "emergency.equipment.create",
        "emergency.equipment.reserve",
        "emergency.equipment.lend",
        "emergency.equipment.return",
    ]


def test_a_damaged_return_goes_to_maintenance_until_serviced(api, commander, equipment):
    piece = equipment()
    client = api(commander)
    base = f"/api/v1/resources/equipment/{piece.pk}"
    client.post(f"{base}/lend", {"borrower": "某消防站", "expected_return": soon()})
    damaged = client.post(f"{base}/return", {"condition": "damaged", "note": "泵体漏油"}).json()
    assert damaged["status"] == "maintenance"
    assert client.post(f"{base}/lend", {"borrower": "某单位", "expected_return": soon()}).status_code == 409
    past = client.post(f"{base}/finish-maintenance", {"next_maintenance": clock.today().isoformat()})
    assert past.status_code == 422 and past.json()["errors"][0]["field"] == "next_maintenance"
    done = client.post(f"{base}/finish-maintenance", {"next_maintenance": soon(180)}).json()
    assert done["status"] == "available" and done["next_maintenance"] == soon(180)


@pytest.mark.parametrize(
    "setup, action, body, status",
    [
        ([], "return", {"condition": "good"}, 409),  # returning what was never lent
        ([], "cancel-reservation", {}, 409),
        ([("lend", {"borrower": "甲", "expected_return": None})], "lend", {"borrower": "乙"}, 409),
        ([("maintain", {"reason": "保养"})], "reserve", {"borrower": "乙", "expected_return": None}, 409),
        ([], "lend", {"borrower": "甲"}, 422),  # no return date
        ([], "lend", {"expected_return": None}, 422),  # no borrower
        ([], "reserve", {"borrower": "甲", "expected_return": "2001-01-01"}, 422),
        ([], "maintain", {}, 422),
        ([("retire", {"reason": "报废"})], "lend", {"borrower": "甲", "expected_return": None}, 409),
    ],
)
def test_wrong_moves_are_refused_and_change_nothing(api, commander, equipment, setup, action, body, status):
    piece = equipment()
    client = api(commander)
    base = f"/api/v1/resources/equipment/{piece.pk}"
    for step, step_body in setup:
        step_body = {k: (soon() if k == "expected_return" else v) for k, v in step_body.items()}
        assert client.post(f"{base}/{step}", step_body).status_code == 200
    body = {k: (soon() if k == "expected_return" and v is None else v) for k, v in body.items()}
    before = state(piece)
    response = client.post(f"{base}/{action}", body)
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert state(piece) == before


def test_cancelling_a_reservation_frees_the_piece(api, commander, equipment):
    piece = equipment()
    client = api(commander)
    base = f"/api/v1/resources/equipment/{piece.pk}"
    client.post(f"{base}/reserve", {"borrower": "甲", "expected_return": soon()})
    assert client.post(f"{base}/cancel-reservation", {}).json()["status"] == "available"
    assert Loan.objects.get(equipment=piece).state == "cancelled"
    again = client.post(f"{base}/reserve", {"borrower": "乙", "expected_return": soon()})
    assert again.status_code == 200


def test_the_pool_board_shows_loans_overdue_and_maintenance_due(api, commander, equipment):
    client = api(commander)
    late, current, due = (
        equipment(),
        equipment(),
        equipment(next_maintenance=clock.today() + timedelta(days=10)),
    )
    equipment(next_maintenance=clock.today() + timedelta(days=60))
    for piece in (late, current):
        client.post(
            f"/api/v1/resources/equipment/{piece.pk}/lend", {"borrower": "甲", "expected_return": soon()}
        )
    Loan.objects.filter(equipment=late).update(expected_return=clock.today() - timedelta(days=4))
    board = client.get("/api/v1/resources/pool").json()
    counts = {s["status"]: s["count"] for s in board["status"]}
    assert counts["deployed"] == 2 and counts["available"] == 2
    assert [x["equipment_id"] for x in board["overdue"]] == [late.pk]
    assert board["overdue"][0]["overdue"] is True
    assert [x["id"] for x in board["maintenance_due"]] == [due.pk]
