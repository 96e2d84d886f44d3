"""Supervised assignments (督办交办) through the API: a safety office hands a task to regions below it,
each region reports progress and submits its completion, the issuing side accepts or returns it;
the issuer may cancel while nothing is accepted; overdue targets are escalated once per deadline.
Every region sees only its own part, enterprises see nothing."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from benan.core import attachments, audit, clock
from benan.core.models import Notification, Role
from benan.supervision import assignment_queries as queries
from benan.supervision import assignments as services
from benan.supervision.models import Assignment, AssignmentTarget, ProgressReport
from tests.conftest import CHENGDU, FUCHENG, JINJIANG, WUHOU

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def wuhou_office(make_user):
    return make_user("wuhou-office", Role.SAFETY_OFFICE, region=WUHOU)


@pytest.fixture
def fucheng_inspector(make_user):
    return make_user("fucheng-inspector", Role.INSPECTOR, region=FUCHENG)


def soon(days: int = 10) -> str:
    return (clock.today() + timedelta(days=days)).isoformat()


def body(regions, **extra) -> dict:
    return {
        "title": "开展汛期安全生产隐患排查整治",
        "requirements": "对辖区内尾矿库、危化品企业开展全覆盖检查，按周报送进展",
        "due_date": soon(),
        "regions": regions,
        **extra,
    }


def assign(client, regions, **extra) -> dict:
    response = client.post("/api/v1/assignments", body(regions, **extra))
    assert response.status_code == 201, response.content
    return response.json()


def target_of(assignment: dict, region: str) -> int:
    return next(t["id"] for t in assignment["targets"] if t["region"] == region)


def png(user):
    return attachments.store(actor=user, upload=SimpleUploadedFile("现场.png", PNG, "image/png"))


# -- the loop ----------------------------------------------------------------------------------


def test_each_region_closes_its_own_loop_and_the_last_acceptance_completes_the_assignment(
    api, cd_office, wuhou_inspector, jinjiang_inspector, wuhou_office
):
    city = api(cd_office)
    made = assign(city, [WUHOU, JINJIANG], attachments=[png(cd_office).pk])
    assert (
        made["state"] == "active"
        and made["issuer_region"] == CHENGDU
        and made["issuer_name"] == "成都市安委办"
    )
    assert {t["state"] for t in made["targets"]} == {"assigned"} and len(made["attachments"]) == 1
    assert made["actions"] == ["cancel"]
    assert Notification.objects.filter(recipient=wuhou_office, title__contains="督办交办").exists()
    wuhou = target_of(made, WUHOU)
    county = api(wuhou_inspector)
    first = county.post(f"/api/v1/assignments/targets/{wuhou}/reports", {"text": "已完成 30% 企业检查"})
    assert first.status_code == 201 and first.json()["state"] == "in_progress"
    assert first.json()["actions"] == ["report", "submit"]
    evidence = png(wuhou_inspector)
    again = county.post(
        f"/api/v1/assignments/targets/{wuhou}/reports", {"text": "已完成 70%", "attachments": [evidence.pk]}
    )
    assert again.status_code == 201 and [r["kind"] for r in again.json()["reports"]] == ["progress"] * 2
    assert again.json()["reports"][1]["attachments"][0]["id"] == evidence.pk
    submitted = county.post(
        f"/api/v1/assignments/targets/{wuhou}/submit", {"text": "检查企业 120 家，整改隐患 45 处"}
    )
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    assert Notification.objects.filter(recipient=cd_office, title__contains="报送办结").exists()
    # The receiver does not check its own work; the issuer must give a reason to return it.
    assert county.post(f"/api/v1/assignments/targets/{wuhou}/accept", {}).status_code == 403
    assert city.post(f"/api/v1/assignments/targets/{wuhou}/return", {"reason": " "}).status_code == 422
    returned = city.post(f"/api/v1/assignments/targets/{wuhou}/return", {"reason": "缺少整改台账"})
    assert returned.json()["state"] == "in_progress" and returned.json()["comment"] == "缺少整改台账"
    assert returned.json()["returned_count"] == 1
    county.post(f"/api/v1/assignments/targets/{wuhou}/submit", {"text": "已补充整改台账"})
    accepted = city.post(f"/api/v1/assignments/targets/{wuhou}/accept", {"comment": "合格"})
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert city.get(f"/api/v1/assignments/{made['id']}").json()["state"] == "active"
    # Straight from assigned to submitted: a progress report is not required.
    jinjiang = target_of(made, JINJIANG)
    direct = api(jinjiang_inspector).post(
        f"/api/v1/assignments/targets/{jinjiang}/submit", {"text": "已完成"}
    )
    assert direct.json()["state"] == "submitted"
    city.post(f"/api/v1/assignments/targets/{jinjiang}/accept", {})
    done = city.get(f"/api/v1/assignments/{made['id']}").json()
    assert done["state"] == "completed" and done["target_counts"] == {"accepted": 2, "total": 2, "overdue": 0}
    assert done["actions"] == []
    # Done is done: a second acceptance is a clear 409.
    assert city.post(f"/api/v1/assignments/targets/{jinjiang}/accept", {}).status_code == 409
    actions = [h["action"] for h in city.get(f"/api/v1/assignments/{made['id']}/history").json()]
    assert actions[0] == "supervision.assignment.create" and actions[-1] == "supervision.assignment.complete"
    assert actions.count("supervision.assignmenttarget.report") == 2
    assert ProgressReport.objects.filter(target_id=wuhou, kind="completion").count() == 2
    assert audit.verify().ok


def test_only_the_receiving_regions_own_users_report_and_submit(
    api, sc_office, cd_office, wuhou_inspector, jinjiang_inspector
):
    made = assign(api(sc_office), [WUHOU])
    wuhou = target_of(made, WUHOU)
    # The city office above Wuhou sees the target but does not report for it; nor does the issuer.
    for user in (cd_office, sc_office):
        response = api(user).post(f"/api/v1/assignments/targets/{wuhou}/submit", {"text": "代为报送"})
        assert response.status_code == 403, user
        assert "武侯区" in response.json()["detail"]
    assert (
        api(jinjiang_inspector).post(f"/api/v1/assignments/targets/{wuhou}/submit", {"text": "x"}).status_code
        == 404
    )
    assert AssignmentTarget.objects.get(pk=wuhou).state == "assigned"
    ok = api(wuhou_inspector).post(f"/api/v1/assignments/targets/{wuhou}/submit", {"text": "已完成"})
    assert ok.status_code == 200
    # Offices between the issuer and the receiver read it but do not check it.
    assert api(cd_office).post(f"/api/v1/assignments/targets/{wuhou}/accept", {}).status_code == 403
    assert api(sc_office).post(f"/api/v1/assignments/targets/{wuhou}/accept", {}).status_code == 200


def test_a_city_that_received_a_task_submits_and_the_province_accepts(api, sc_office, cd_office):
    made = assign(api(sc_office), [CHENGDU, FUCHENG])
    chengdu = target_of(made, CHENGDU)
    city = api(cd_office)
    view = city.get(f"/api/v1/assignments/{made['id']}").json()
    assert [t["region"] for t in view["targets"]] == [CHENGDU] and view["actions"] == []
    assert view["targets"][0]["actions"] == ["report", "submit"]
    assert (
        city.post(f"/api/v1/assignments/targets/{chengdu}/submit", {"text": "全市已完成"}).status_code == 200
    )
    assert city.post(f"/api/v1/assignments/targets/{chengdu}/accept", {}).status_code == 403
    assert city.post(f"/api/v1/assignments/{made['id']}/cancel", {"reason": "不办了"}).status_code == 403
    assert (
        api(sc_office).post(f"/api/v1/assignments/targets/{chengdu}/accept", {}).json()["state"] == "accepted"
    )


def test_the_issuer_cancels_while_nothing_is_accepted(
    api, cd_office, wuhou_inspector, jinjiang_inspector, wuhou_office
):
    city = api(cd_office)
    made = assign(city, [WUHOU, JINJIANG])
    wuhou, jinjiang = target_of(made, WUHOU), target_of(made, JINJIANG)
    api(wuhou_inspector).post(f"/api/v1/assignments/targets/{wuhou}/submit", {"text": "已完成"})
    assert (
        api(wuhou_inspector).post(f"/api/v1/assignments/{made['id']}/cancel", {"reason": "x"}).status_code
        == 403
    )
    assert city.post(f"/api/v1/assignments/{made['id']}/cancel", {"reason": ""}).status_code == 422
    cancelled = city.post(f"/api/v1/assignments/{made['id']}/cancel", {"reason": "任务已并入专项整治"})
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert {t["state"] for t in cancelled.json()["targets"]} == {"cancelled"}
    assert Notification.objects.filter(recipient=wuhou_office, title__contains="已撤销").exists()
    late = api(jinjiang_inspector).post(f"/api/v1/assignments/targets/{jinjiang}/submit", {"text": "已完成"})
    assert late.status_code == 409
    # Once a region is accepted the assignment can no longer be withdrawn.
    other = assign(city, [WUHOU, JINJIANG])
    first = target_of(other, WUHOU)
    api(wuhou_inspector).post(f"/api/v1/assignments/targets/{first}/submit", {"text": "已完成"})
    city.post(f"/api/v1/assignments/targets/{first}/accept", {})
    refused = city.post(f"/api/v1/assignments/{other['id']}/cancel", {"reason": "撤销"})
    assert refused.status_code == 409 and "武侯区已验收通过" in refused.json()["detail"]
    assert Assignment.objects.get(pk=other["id"]).state == "active"


# -- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"title": "  "}, "title", "必须填写标题"),
        ({"title": "长" * 201}, "title", "不能超过200个字符"),
        ({"requirements": ""}, "requirements", "必须填写工作要求"),
        ({"due_date": "2020-01-01"}, "due_date", "办理期限 2020-01-01 早于今天"),
        ({"regions": []}, "regions", "至少选择一个接收区划"),
        ({"regions": ["519999"]}, "regions", "行政区划代码“519999”不存在"),
        ({"regions": [FUCHENG]}, "regions", "510703 不在本单位辖区内，只能交办给下级区划"),
        ({"regions": [CHENGDU]}, "regions", "510100 是本单位所在区划，只能交办给下级区划"),
        ({"regions": [WUHOU, WUHOU]}, "regions", "区划 510107 重复"),
        ({"attachments": [999999]}, "attachments", "附件不存在：999999"),
    ],
)
def test_bad_input_is_named_by_field_and_nothing_is_made(api, cd_office, change, field, message):
    response = api(cd_office).post("/api/v1/assignments", {**body([WUHOU]), **change})
    assert response.status_code == 422, response.content
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert message in errors[field], errors
    assert not Assignment.objects.exists() and not AssignmentTarget.objects.exists()


def test_a_city_office_cannot_assign_to_a_mianyang_county(api, cd_office):
    response = api(cd_office).post("/api/v1/assignments", body([WUHOU, FUCHENG]))
    assert response.status_code == 422
    assert "510703 不在本单位辖区内，只能交办给下级区划" in response.json()["detail"]
    assert not Assignment.objects.exists()


def test_the_province_assigns_to_cities_and_counties_and_an_admin_issues_as_the_province(
    api, sc_office, admin
):
    made = assign(api(sc_office), [CHENGDU, FUCHENG, "510700"])
    assert sorted(t["region"] for t in made["targets"]) == [CHENGDU, "510700", FUCHENG]
    by_admin = assign(api(admin), [JINJIANG])
    assert by_admin["issuer_region"] == "510000"


def test_only_safety_offices_assign(api, wuhou_inspector, expert, commander, ent_wuhou):
    for user in (wuhou_inspector, expert, commander, ent_wuhou):
        assert api(user).post("/api/v1/assignments", body([WUHOU])).status_code == 403, user
    assert not Assignment.objects.exists()


def test_a_county_office_has_nobody_below_it(api, wuhou_office):
    response = api(wuhou_office).post("/api/v1/assignments", body([WUHOU]))
    assert response.status_code == 422 and "510107 是本单位所在区划" in response.json()["detail"]


# -- scope -------------------------------------------------------------------------------------


def test_a_county_sees_only_its_own_target(
    api, sc_office, cd_office, wuhou_inspector, jinjiang_inspector, fucheng_inspector, make_user
):
    made = assign(api(sc_office), [WUHOU, JINJIANG, FUCHENG])
    pk = made["id"]
    seen = {
        user.username: {t["region"] for t in api(user).get(f"/api/v1/assignments/{pk}").json()["targets"]}
        for user in (sc_office, cd_office, wuhou_inspector, fucheng_inspector)
    }
    assert seen == {
        "sc-office": {WUHOU, JINJIANG, FUCHENG},
        "cd-office": {WUHOU, JINJIANG},
        "wuhou-inspector": {WUHOU},
        "fucheng-inspector": {FUCHENG},
    }
    listed = api(wuhou_inspector).get("/api/v1/assignments").json()
    assert [i["id"] for i in listed["items"]] == [pk] and listed["items"][0]["target_counts"]["total"] == 1
    # Another region's target is missing for Wuhou, not forbidden.
    jinjiang = target_of(made, JINJIANG)
    response = api(wuhou_inspector).post(f"/api/v1/assignments/targets/{jinjiang}/reports", {"text": "x"})
    assert response.status_code == 404
    history = api(wuhou_inspector).get(f"/api/v1/assignments/{pk}/history").json()
    assert {h["action"] for h in history} >= {"supervision.assignment.create"}
    assert all(h["data"].get("region") in (None, WUHOU) for h in history if "target" in h["action"])
    # A region with no target and outside the issuer sees nothing at all.
    deyang = make_user("deyang-office", Role.SAFETY_OFFICE, region="510600")
    assert api(deyang).get(f"/api/v1/assignments/{pk}").status_code == 404
    assert api(deyang).get("/api/v1/assignments").json()["count"] == 0


def test_the_issuing_side_sees_every_target_of_its_assignments(api, cd_office, wuhou_inspector, make_user):
    made = assign(api(cd_office), [WUHOU, JINJIANG])
    chengdu_expert = make_user("cd-expert", Role.EXPERT, region=CHENGDU)
    assert len(api(chengdu_expert).get(f"/api/v1/assignments/{made['id']}").json()["targets"]) == 2
    assert api(wuhou_inspector).get(f"/api/v1/assignments/{made['id']}").json()["actions"] == []


def test_enterprises_get_403_on_lists_and_404_on_objects(api, cd_office, ent_wuhou):
    made = assign(api(cd_office), [WUHOU])
    client = api(ent_wuhou)
    assert client.get("/api/v1/assignments").status_code == 403
    assert client.get("/api/v1/assignments/board").status_code == 403
    assert client.get(f"/api/v1/assignments/{made['id']}").status_code == 404
    assert client.get(f"/api/v1/assignments/{made['id']}/history").status_code == 404
    target = target_of(made, WUHOU)
    assert client.post(f"/api/v1/assignments/targets/{target}/submit", {"text": "x"}).status_code == 404


def test_the_receivers_read_the_issuers_files_and_outsiders_do_not(
    api, cd_office, wuhou_inspector, fucheng_inspector
):
    file = png(cd_office)
    made = assign(api(cd_office), [WUHOU], attachments=[file.pk])
    assert api(wuhou_inspector).get(f"/api/v1/attachments/{file.pk}").status_code == 200
    assert api(fucheng_inspector).get(f"/api/v1/attachments/{file.pk}").status_code == 404
    evidence = png(wuhou_inspector)
    wuhou = target_of(made, WUHOU)
    api(wuhou_inspector).post(
        f"/api/v1/assignments/targets/{wuhou}/submit", {"text": "已完成", "attachments": [evidence.pk]}
    )
    assert api(cd_office).get(f"/api/v1/attachments/{evidence.pk}").status_code == 200
    # Someone else's upload cannot be attached by a region that may not read it.
    other = png(fucheng_inspector)
    refused = api(wuhou_inspector).post(
        f"/api/v1/assignments/targets/{wuhou}/reports", {"text": "x", "attachments": [other.pk]}
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "attachments"


# -- lists, board, deadlines -------------------------------------------------------------------


def test_the_list_filters_by_target_state_region_and_overdue_and_pages(api, sc_office, wuhou_inspector):
    client = api(sc_office)
    chengdu = assign(client, [WUHOU, JINJIANG], title="成都任务")
    mianyang = assign(client, [FUCHENG], title="绵阳任务")
    api(wuhou_inspector).post(
        f"/api/v1/assignments/targets/{target_of(chengdu, WUHOU)}/submit", {"text": "已完成"}
    )

    def ids(**params):
        response = client.get("/api/v1/assignments", params)
        assert response.status_code == 200, response.content
        return [i["id"] for i in response.json()["items"]]

    assert ids() == [mianyang["id"], chengdu["id"]]
    assert ids(state="submitted") == [chengdu["id"]]
    assert ids(state="assigned") == [mianyang["id"], chengdu["id"]]
    assert ids(region="510700") == [mianyang["id"]]
    assert ids(q="绵阳") == [mianyang["id"]]
    assert ids(overdue="true") == []
    assert ids(page_size=1, page=2) == [chengdu["id"]]
    assert client.get("/api/v1/assignments", {"state": "done"}).status_code == 422
    bad = client.get("/api/v1/assignments", {"region": "519999"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "region"
    with time_machine.travel(clock.today() + timedelta(days=11)):
        client = api(sc_office)  # tokens last 12 hours
        assert ids(overdue="true") == [mianyang["id"], chengdu["id"]]
        listed = client.get("/api/v1/assignments").json()["items"]
        assert [i["target_counts"]["overdue"] for i in listed] == [1, 2] and listed[0]["overdue"] is True


def test_the_board_counts_targets_by_state_in_one_pass(api, sc_office, cd_office, wuhou_inspector):
    made = assign(api(sc_office), [WUHOU, JINJIANG, FUCHENG])
    api(wuhou_inspector).post(
        f"/api/v1/assignments/targets/{target_of(made, WUHOU)}/reports", {"text": "进行中"}
    )
    board = api(sc_office).get("/api/v1/assignments/board").json()
    counts = {s["state"]: s["count"] for s in board["status"]}
    assert counts == {"assigned": 2, "in_progress": 1, "submitted": 0, "accepted": 0, "cancelled": 0}
    assert board["total"] == 3 and board["overdue"] == 0
    assert api(cd_office).get("/api/v1/assignments/board").json()["total"] == 2
    assert api(sc_office).get("/api/v1/assignments/board", {"region": "510700"}).json()["total"] == 1


def test_due_between_and_overdue_list_open_targets_only(sc_office, wuhou_inspector, cd_office):
    today = clock.today()
    near = services.assign(
        actor=sc_office,
        title="近期",
        requirements="要求",
        due_date=today + timedelta(days=3),
        regions=[WUHOU, JINJIANG],
    )
    services.assign(
        actor=sc_office,
        title="远期",
        requirements="要求",
        due_date=today + timedelta(days=30),
        regions=[WUHOU],
    )
    wuhou = near.targets.get(region_id=WUHOU)
    services.submit(actor=wuhou_inspector, target=wuhou, text="已完成")
    services.accept(actor=sc_office, target=wuhou)
    week = queries.due_between(sc_office, today, today + timedelta(days=7))
    assert [(t.assignment.title, t.region_id) for t in week] == [("近期", JINJIANG)]
    assert list(queries.due_between(cd_office, today, today + timedelta(days=60), region=WUHOU)) == list(
        AssignmentTarget.objects.filter(assignment__title="远期")
    )
    assert not queries.overdue(sc_office).exists()
    with time_machine.travel(today + timedelta(days=5)):
        assert [t.region_id for t in queries.overdue(sc_office)] == [JINJIANG]
        assert not queries.overdue(wuhou_inspector).exists()


def test_overdue_targets_are_escalated_once_per_deadline(
    sc_office, cd_office, wuhou_office, wuhou_inspector, jinjiang_inspector
):
    today = clock.today()
    made = services.assign(
        actor=cd_office,
        title="燃气安全专项检查",
        requirements="要求",
        due_date=today,
        regions=[WUHOU, JINJIANG],
    )
    jinjiang = made.targets.get(region_id=JINJIANG)
    services.submit(actor=jinjiang_inspector, target=jinjiang, text="已完成")
    services.accept(actor=cd_office, target=jinjiang)
    assert services.sweep(today=today) == {"targets": 0}
    assert services.sweep(today=today + timedelta(days=3)) == {"targets": 1}
    assert services.sweep(today=today + timedelta(days=4)) == {"targets": 0}
    wuhou = made.targets.get(region_id=WUHOU)
    assert wuhou.escalated_due_date == today
    assert audit.history(wuhou).last().action == "supervision.assignmenttarget.escalated"
    for user in (wuhou_office, cd_office):
        assert Notification.objects.filter(recipient=user, title__contains="督办事项逾期 3 天").count() == 1
    assert not Notification.objects.filter(recipient=sc_office, title__contains="逾期").exists()
    # A target that was submitted (still not accepted) counts as open.
    services.submit(actor=wuhou_inspector, target=wuhou, text="补报")
    Assignment.objects.filter(pk=made.pk).update(due_date=today + timedelta(days=1))
    assert services.sweep(today=today + timedelta(days=5)) == {"targets": 1}


def test_the_sweep_command_reports_and_refuses_a_bad_date(cd_office):
    services.assign(
        actor=cd_office, title="检查", requirements="要求", due_date=clock.today(), regions=[WUHOU]
    )
    out = StringIO()
    call_command(
        "supervision", "sweep", "--today", (clock.today() + timedelta(days=1)).isoformat(), stdout=out
    )
    assert "督办事项逾期提醒 1 条" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("supervision", "sweep", "--today", "2026-13-01")


def test_the_list_makes_as_many_queries_for_many_rows_as_for_one(api, sc_office):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(sc_office)

    def queries_of() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/assignments").status_code == 200
        return len(captured)

    assign(client, [WUHOU])
    queries_of()  # warm the per-process caches (the region tree's root)
    one = queries_of()
    for _ in range(5):
        assign(client, [WUHOU, FUCHENG])
    assert queries_of() == one
