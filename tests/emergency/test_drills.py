"""Drills and training: planned, held with an evaluation, and the problems they exposed followed up
as loop tasks (assigned, submitted by the assignee, closed by someone else)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from benan.core import clock
from benan.core.models import Role
from benan.emergency.models import FollowUp

pytestmark = pytest.mark.django_db


def plan(client, **extra):
    body = {
        "title": "成都市危险化学品泄漏综合应急演练",
        "kind": "drill",
        "region_code": "510100",
        "organiser": "成都市应急管理局",
        "scenario": "某化工企业储罐区苯泄漏并引发火灾，启动二级响应",
        "planned_on": clock.today().isoformat(),
        "lat": 30.66,
        "lon": 104.07,
        **extra,
    }
    response = client.post("/api/v1/drills", body)
    assert response.status_code == 201, response.content
    return response.json()


HOLD = {"participant_count": 120, "evaluation": "响应迅速，通信联络存在短板", "rating": "good"}


def test_a_drill_is_planned_held_and_its_follow_ups_close_the_loop(
    api, commander, cd_office, make_user, team
):
    t = team()
    client = api(commander)
    drill = plan(client, team_ids=[t.pk])
    assert drill["team_ids"] == [t.pk] and drill["state"] == "planned"
    early = client.post(
        f"/api/v1/drills/{drill['id']}/follow-ups",
        {"description": "修订预案", "assignee_id": cd_office.pk, "due_date": clock.today().isoformat()},
    )
    assert early.status_code == 409  # not held yet
    held = client.post(f"/api/v1/drills/{drill['id']}/hold", {**HOLD, "held_on": clock.today().isoformat()})
    assert held.status_code == 200 and held.json()["rating_label"] == "良好"
    county = make_user("wuhou-commander", Role.COMMANDER, region="510107")
    item = client.post(
        f"/api/v1/drills/{drill['id']}/follow-ups",
        {
            "description": "为各救援队配备卫星电话",
            "assignee_id": county.pk,
            "due_date": (clock.today() + timedelta(days=30)).isoformat(),
        },
    ).json()
    assert item["state"] == "open" and item["assignee"]
    # Only the assignee submits; the verifier must be someone else.
    assert (
        client.post(f"/api/v1/drill-follow-ups/{item['id']}/submit", {"result": "已配备"}).status_code == 403
    )
    submitted = api(county).post(
        f"/api/v1/drill-follow-ups/{item['id']}/submit", {"result": "已配备 12 部卫星电话"}
    )
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    own = api(county).post(f"/api/v1/drill-follow-ups/{item['id']}/accept", {})
    assert own.status_code == 403
    returned = client.post(f"/api/v1/drill-follow-ups/{item['id']}/reject", {"comment": "缺少配发清单"})
    assert returned.json()["state"] == "open" and returned.json()["comment"] == "缺少配发清单"
    api(county).post(f"/api/v1/drill-follow-ups/{item['id']}/submit", {"result": "已补充配发清单"})
    closed = client.post(f"/api/v1/drill-follow-ups/{item['id']}/accept", {"comment": "合格"}).json()
    assert closed["state"] == "closed" and closed["closed_at"]
    mine = api(county).get("/api/v1/drill-follow-ups", {"mine": "true"}).json()
    assert [m["id"] for m in mine] == [item["id"]]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"held_on": "2099-01-01"}, "held_on"),
        ({"participant_count": 0}, "participant_count"),
        ({"evaluation": " "}, "evaluation"),
        ({"rating": "perfect"}, "rating"),
    ],
)
def test_holding_needs_a_real_date_head_count_and_evaluation(api, commander, change, field):
    client = api(commander)
    drill = plan(client)
    response = client.post(
        f"/api/v1/drills/{drill['id']}/hold", {**HOLD, "held_on": clock.today().isoformat(), **change}
    )
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert client.get(f"/api/v1/drills/{drill['id']}").json()["state"] == "planned"


def test_follow_up_assignee_must_belong_to_the_drills_region_tree(api, commander, make_user):
    client = api(commander)
    drill = plan(client, region_code="510107")
    client.post(f"/api/v1/drills/{drill['id']}/hold", {**HOLD, "held_on": clock.today().isoformat()})
    stranger = make_user("mianyang-commander", Role.COMMANDER, region="510703")
    response = client.post(
        f"/api/v1/drills/{drill['id']}/follow-ups",
        {"description": "整改", "assignee_id": stranger.pk, "due_date": clock.today().isoformat()},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "assignee_id"
    assert not FollowUp.objects.exists()


def test_a_cancelled_drill_cannot_be_held(api, commander):
    client = api(commander)
    drill = plan(client)
    assert (
        client.post(f"/api/v1/drills/{drill['id']}/cancel", {"reason": "汛期推迟"}).json()["state"]
        == "cancelled"
    )
    late = client.post(f"/api/v1/drills/{drill['id']}/hold", {**HOLD, "held_on": clock.today().isoformat()})
    assert late.status_code == 409


def test_a_dispatch_can_start_from_a_drill(api, commander, team):
    client = api(commander)
    drill = plan(client, region_code="510107", lat=30.6, lon=104.0)
    t = team(lat=30.7, lon=104.0)
    response = client.post(
        "/api/v1/dispatches",
        {
            "title": "演练调度",
            "origin": "drill",
            "drill_id": drill["id"],
            "orders": [{"kind": "team", "id": t.pk}],
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["drill_id"] == drill["id"] and response.json()["region"] == "510107"
