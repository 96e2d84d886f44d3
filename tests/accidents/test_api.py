"""Accidents over the API: the report and its grade, the reporting chain and its deadlines,
follow-ups that change the grade, bad input that saves nothing, the CLI."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from benan.accidents.models import Accident, AccidentReport, ReportingStep
from benan.core import clock

from .conftest import body


@pytest.fixture
def inspector(api, wuhou_inspector):
    return api(wuhou_inspector)


def reported(client, **overrides) -> dict:
    response = client.post("/api/v1/accidents", body(**overrides))
    assert response.status_code == 201, response.content
    return response.json()


def test_the_grade_is_computed_and_the_chain_laid_out(inspector, wuhou_ent):
    known = timezone.localtime(clock.now() - timedelta(minutes=50)).replace(microsecond=0)
    detail = reported(inspector, enterprise_id=wuhou_ent.pk, deaths=3, known_at=known.isoformat())
    assert detail["grade"] == "relatively_major" and detail["grade_label"] == "较大事故"
    assert detail["decided_by"] == ["deaths"]
    assert detail["unit_name"] == wuhou_ent.name and detail["region_code"] == "510107"
    assert detail["number"].startswith("510107-")
    steps = {s["level"]: s for s in detail["steps"]}
    assert list(steps) == ["county", "city", "province"]
    assert steps["county"]["office_region_code"] == "510107"
    assert steps["city"]["office_region_code"] == "510100"
    assert steps["province"]["office_region_code"] == "510000"
    due = {level: datetime.fromisoformat(s["due_at"]) for level, s in steps.items()}
    assert due["county"] == known + timedelta(hours=1)
    assert due["city"] == known + timedelta(hours=3)
    assert due["province"] == known + timedelta(hours=5)
    assert [r["kind"] for r in detail["reports"]] == ["initial"]
    assert detail["investigation"] is None


def test_a_grade_cannot_be_typed(inspector, wuhou_ent):
    response = inspector.post("/api/v1/accidents", body(wuhou_ent, grade="general"))
    assert response.status_code == 422
    assert "grade" in {e["field"] for e in response.json()["errors"]}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"deaths": -1}, "deaths"),
        ({"serious_injuries": -3}, "serious_injuries"),
        ({"direct_loss_cny": "很多"}, "direct_loss_cny"),
        ({"direct_loss_cny": "-1"}, "direct_loss_cny"),
        ({"summary": ""}, "summary"),
        ({"scene": " "}, "scene"),
        ({"measures": ""}, "measures"),
        ({"place": ""}, "place"),
        ({"kind": "earthquake"}, "kind"),
        ({"occurred_at": "2099-01-01T08:00:00+08:00"}, "occurred_at"),
        ({"occurred_at": "昨天"}, "occurred_at"),
        ({"region_code": "510100"}, "region_code"),  # a city, not a county
        ({"lat": 95.0}, "lat"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(inspector, wuhou_ent, overrides, field):
    response = inspector.post("/api/v1/accidents", body(wuhou_ent, **overrides))
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}, response.json()
    assert not Accident.objects.exists() and not ReportingStep.objects.exists()


def test_known_before_the_accident_is_refused(inspector, wuhou_ent):
    occurred = timezone.localtime(clock.now() - timedelta(hours=2))
    response = inspector.post(
        "/api/v1/accidents",
        body(
            wuhou_ent,
            occurred_at=occurred.isoformat(),
            known_at=(occurred - timedelta(minutes=5)).isoformat(),
        ),
    )
    assert response.status_code == 422 and "known_at" in response.json()["detail"]


def test_an_unregistered_unit_needs_its_county(inspector):
    response = inspector.post("/api/v1/accidents", body(unit_name="某建筑劳务队"))
    assert response.status_code == 422 and "region_code" in {e["field"] for e in response.json()["errors"]}
    detail = reported(inspector, unit_name="某建筑劳务队", region_code="510107", kind="construction")
    assert detail["enterprise_id"] is None and detail["unit_name"] == "某建筑劳务队"


def test_outside_the_scope(api, jinjiang_inspector, wuhou_ent, inspector):
    client = api(jinjiang_inspector)
    assert (
        client.post("/api/v1/accidents", body(wuhou_ent)).status_code == 404
    )  # the enterprise is not theirs
    assert client.post("/api/v1/accidents", body(unit_name="某单位", region_code="510107")).status_code == 422
    detail = reported(inspector, enterprise_id=wuhou_ent.pk)
    assert client.get(f"/api/v1/accidents/{detail['id']}").status_code == 404


def test_the_enterprise_reports_its_own(api, ent_wuhou, wuhou_ent, expert):
    detail = reported(api(ent_wuhou))
    assert detail["enterprise_id"] == wuhou_ent.pk
    assert api(expert).post("/api/v1/accidents", body(wuhou_ent)).status_code == 403


def test_a_follow_up_that_raises_the_grade_extends_the_chain(inspector, wuhou_ent):
    detail = reported(inspector, enterprise_id=wuhou_ent.pk, deaths=2)
    assert detail["grade"] == "general"
    assert [s["level"] for s in detail["steps"]] == ["county", "city"]
    before = timezone.now()
    response = inspector.post(
        f"/api/v1/accidents/{detail['id']}/follow_up",
        {"deaths": 3, "serious_injuries": 1, "note": "一名重伤员经抢救无效死亡"},
    )
    assert response.status_code == 200, response.content
    detail = response.json()
    assert detail["grade"] == "relatively_major"
    report = detail["reports"][-1]
    assert (
        report["kind"] == "supplementary" and report["grade_before"] == "general" and report["late"] is False
    )
    steps = {s["level"]: s for s in detail["steps"]}
    assert list(steps) == ["county", "city", "province"]
    province_due = datetime.fromisoformat(steps["province"]["due_at"])
    assert timedelta(hours=2) <= province_due - before <= timedelta(hours=2, minutes=1)


def test_a_late_casualty_change_is_flagged(api, wuhou_inspector, inspector, wuhou_ent):
    detail = reported(inspector, enterprise_id=wuhou_ent.pk)
    occurred = datetime.fromisoformat(detail["occurred_at"])
    with time_machine.travel(occurred + timedelta(days=29)):
        response = api(wuhou_inspector).post(
            f"/api/v1/accidents/{detail['id']}/follow_up", {"deaths": 1, "serious_injuries": 1}
        )
        assert response.json()["reports"][-1]["late"] is False
    with time_machine.travel(occurred + timedelta(days=32)):
        response = api(wuhou_inspector).post(
            f"/api/v1/accidents/{detail['id']}/follow_up", {"deaths": 2, "serious_injuries": 1}
        )
        assert response.json()["reports"][-1]["late"] is True
        # New information without a casualty change is a follow-up, never late.
        response = api(wuhou_inspector).post(
            f"/api/v1/accidents/{detail['id']}/follow_up",
            {"deaths": 2, "serious_injuries": 1, "direct_loss_cny": "2000000", "note": "损失核定"},
        )
        assert response.json()["reports"][-1]["kind"] == "follow_up"
        assert response.json()["reports"][-1]["late"] is False


def test_road_traffic_and_fire_have_seven_days(api, wuhou_inspector, inspector, wuhou_ent):
    detail = reported(inspector, enterprise_id=wuhou_ent.pk, kind="fire")
    assert (
        detail["supplementary_until"]
        == (datetime.fromisoformat(detail["occurred_at"]).date() + timedelta(days=7)).isoformat()
    )
    occurred = datetime.fromisoformat(detail["occurred_at"])
    with time_machine.travel(occurred + timedelta(days=8)):
        response = api(wuhou_inspector).post(f"/api/v1/accidents/{detail['id']}/follow_up", {"deaths": 2})
        assert response.json()["reports"][-1]["late"] is True


def test_a_follow_up_without_news_is_refused(inspector, wuhou_ent):
    detail = reported(inspector, enterprise_id=wuhou_ent.pk)
    response = inspector.post(
        f"/api/v1/accidents/{detail['id']}/follow_up",
        {"deaths": 1, "minor_injuries": 2, "direct_loss_cny": "1500000"},
    )
    assert response.status_code == 422 and "note" in response.json()["detail"]
    assert AccidentReport.objects.count() == 1


def test_each_level_acknowledges_its_own_step(
    api, inspector, wuhou_ent, cd_office, sc_office, wuhou_inspector
):
    detail = reported(inspector, enterprise_id=wuhou_ent.pk, deaths=12)  # 重大: up to the State Council
    steps = {s["level"]: s["id"] for s in detail["steps"]}
    assert list(steps) == ["county", "city", "province", "national"]
    assert api(cd_office).post(f"/api/v1/reporting-steps/{steps['county']}/acknowledge").status_code == 403
    response = inspector.post(f"/api/v1/reporting-steps/{steps['county']}/acknowledge", {"note": "已接报"})
    assert response.status_code == 200 and response.json()["state"] == "acknowledged"
    assert inspector.post(f"/api/v1/reporting-steps/{steps['county']}/acknowledge").status_code == 409
    assert api(cd_office).post(f"/api/v1/reporting-steps/{steps['city']}/acknowledge").status_code == 200
    assert api(cd_office).post(f"/api/v1/reporting-steps/{steps['national']}/acknowledge").status_code == 403
    assert api(sc_office).post(f"/api/v1/reporting-steps/{steps['national']}/acknowledge").status_code == 200


def test_the_board_shows_pending_steps_and_overdue_ones(api, inspector, wuhou_ent, cd_office):
    known = timezone.localtime(clock.now() - timedelta(minutes=30)).replace(microsecond=0)
    detail = reported(inspector, enterprise_id=wuhou_ent.pk, known_at=known.isoformat())
    board = api(cd_office).get("/api/v1/accidents/board").json()
    assert [s["level"] for s in board["items"]] == ["county", "city"]
    assert not any(s["overdue"] for s in board["items"])
    with time_machine.travel(known + timedelta(hours=1, minutes=1)):
        board = api(cd_office).get("/api/v1/accidents/board").json()
        assert [(s["level"], s["overdue"]) for s in board["items"]] == [("county", True), ("city", False)]
        assert api(cd_office).get("/api/v1/accidents/board", {"overdue": True}).json()["count"] == 1
        county = detail["steps"][0]["id"]
        assert api(cd_office).get("/api/v1/accidents/board").json()["items"][0]["id"] == county
    inspector.post(f"/api/v1/reporting-steps/{detail['steps'][0]['id']}/acknowledge")
    assert [s["level"] for s in api(cd_office).get("/api/v1/accidents/board").json()["items"]] == ["city"]


def test_the_grade_endpoint(inspector):
    response = inspector.post(
        "/api/v1/accidents/grade", {"deaths": 3, "serious_injuries": 0, "direct_loss_cny": "0"}
    )
    assert response.json() == {
        "grade": "relatively_major",
        "name": "较大事故",
        "decided_by": ["deaths"],
        "report_to": "逐级上报至省级人民政府应急管理部门和负有安全生产监督管理职责的有关部门",
        "investigated_by": "事故发生地设区的市级人民政府",
        "report_levels": ["county", "city", "province"],
    }
    assert inspector.post("/api/v1/accidents/grade", {"direct_loss_cny": "100000000"}).json()["grade"] == (
        "especially_major"
    )
    response = inspector.post("/api/v1/accidents/grade", {"deaths": -1})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "deaths"


@pytest.mark.parametrize(
    ("args", "grade", "name", "decided_by"),
    [
        (["--deaths", "3"], "relatively_major", "较大事故", ["deaths"]),
        (["--deaths", "2"], "general", "一般事故", ["deaths", "serious_injuries", "direct_loss_cny"]),
        (["--serious-injuries", "100"], "especially_major", "特别重大事故", ["serious_injuries"]),
        (["--direct-loss-cny", "50000000"], "major", "重大事故", ["direct_loss_cny"]),
        (["--deaths", "10", "--direct-loss-cny", "10000000"], "major", "重大事故", ["deaths"]),
    ],
)
def test_the_command_line(args, grade, name, decided_by):
    out = StringIO()
    call_command("accident", "grade", *args, stdout=out)
    result = json.loads(out.getvalue())
    assert (result["grade"], result["name"], result["decided_by"]) == (grade, name, decided_by)
    assert result["report_to"] and result["investigated_by"]


def test_the_command_line_refuses_bad_input():
    with pytest.raises(CommandError, match="--deaths") as error:
        call_command("accident", "grade", "--deaths", "-1")
    assert error.value.returncode == 2


def test_the_sweep_escalates_a_late_level_once(inspector, wuhou_ent, cd_office, wuhou_inspector):
    from benan.accidents import services

    known = timezone.localtime(clock.now() - timedelta(minutes=30)).replace(microsecond=0)
    reported(inspector, enterprise_id=wuhou_ent.pk, known_at=known.isoformat())
    assert services.sweep() == {"steps_escalated": 0, "measures_escalated": 0}
    with time_machine.travel(known + timedelta(hours=1, minutes=5)):
        assert services.sweep()["steps_escalated"] == 1
        assert services.sweep()["steps_escalated"] == 0
        out = StringIO()
        call_command("accident", "sweep", stdout=out)
        assert "接报超时提醒 0 条" in out.getvalue()
    assert cd_office.notifications.filter(title__startswith="事故县级接报超时").count() == 1


def test_a_follow_up_sends_only_what_changed(inspector, wuhou_ent):
    detail = reported(inspector, enterprise_id=wuhou_ent.pk)
    response = inspector.post(
        f"/api/v1/accidents/{detail['id']}/follow_up", {"deaths": 2, "note": "一人死亡"}
    )
    after = response.json()
    assert after["deaths"] == 2
    assert after["minor_injuries"] == 2 and after["direct_loss_cny"] == "1500000.00"  # unchanged


def test_the_enterprise_reads_no_accountability_in_the_history(api, ent_wuhou, cd_office, wuhou_ent):
    from benan.accidents import services

    detail = reported(api(ent_wuhou))
    services.record_accountability(
        actor=cd_office,
        accident=Accident.objects.get(pk=detail["id"]),
        person_name="王某",
        position="车间主任",
        unit=wuhou_ent.name,
        kind="organisational",
        decided_by="区应急管理局",
        decided_on=clock.today(),
    )
    actions = [e["action"] for e in api(ent_wuhou).get(f"/api/v1/accidents/{detail['id']}/history").json()]
    assert "accidents.accountability.recorded" not in actions
    actions = [e["action"] for e in api(cd_office).get(f"/api/v1/accidents/{detail['id']}/history").json()]
    assert "accidents.accountability.recorded" in actions
