"""The investigation: lead and deadlines from the grade, one extension, report and reply, and
closure only under the four-nos rule with every measure verified; accountability and statistics."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from benan.accidents import services
from benan.accidents.models import Investigation
from benan.core import clock


@pytest.fixture
def office(api, cd_office):
    return api(cd_office)


def opened(office, accident_id, team="市应急管理局牵头，公安、人社、总工会参加") -> dict:
    response = office.post(f"/api/v1/accidents/{accident_id}/investigate", {"team": team})
    assert response.status_code == 201, response.content
    return response.json()["investigation"]


@pytest.mark.parametrize(
    ("deaths", "lead", "who"),
    [
        (0, "成都市武侯区人民政府", "wuhou_office"),
        (3, "成都市人民政府", "cd_office"),
        (10, "四川省人民政府", "sc_office"),
        (30, "国务院或者国务院授权有关部门组织事故调查组", "sc_office"),
    ],
)
def test_the_lead_follows_the_grade(api, make_user, accident, wuhou_ent, request, deaths, lead, who):
    users = {"wuhou_office": lambda: make_user("wuhou-office", "safety_office", region="510107")}
    user = users[who]() if who in users else request.getfixturevalue(who)
    a = accident(wuhou_ent, deaths=deaths)
    investigation = opened(api(user), a.pk)
    assert investigation["lead"] == lead
    occurred = timezone.localdate(a.occurred_at)
    assert investigation["due_date"] == (occurred + timedelta(days=60)).isoformat()
    assert [i["item"] for i in investigation["four_nos"]] == ["cause", "responsible", "measures", "education"]


def test_a_lower_office_cannot_lead_a_higher_grade(api, make_user, accident, wuhou_ent):
    county_office = make_user("wuhou-office", "safety_office", region="510107")
    a = accident(wuhou_ent, deaths=3)
    response = api(county_office).post(f"/api/v1/accidents/{a.pk}/investigate", {"team": "x"})
    assert response.status_code == 403 and "成都市人民政府" in response.json()["detail"]
    assert not Investigation.objects.exists()


def test_one_extension_of_at_most_sixty_days(office, accident, wuhou_ent):
    inv = opened(office, accident(wuhou_ent).pk)
    url = f"/api/v1/investigations/{inv['id']}/extend"
    assert office.post(url, {"days": 61, "reason": "技术鉴定"}).status_code == 422
    assert office.post(url, {"days": 30, "reason": ""}).status_code == 422
    response = office.post(url, {"days": 60, "reason": "经市人民政府批准延长"})
    assert response.status_code == 200
    assert (
        response.json()["deadline"]
        == (
            timezone.localdate(Investigation.objects.get().accident.occurred_at) + timedelta(days=120)
        ).isoformat()
    )
    response = office.post(url, {"days": 1, "reason": "再延"})
    assert response.status_code == 409 and "已延长过一次" in response.json()["detail"]


def test_overdue_investigation_and_reply(api, cd_office, office, accident, wuhou_ent, pdf):
    a = accident(wuhou_ent)
    inv = opened(office, a.pk)
    deadline = timezone.localdate(a.occurred_at) + timedelta(days=60)
    with time_machine.travel(deadline + timedelta(days=1)):
        client = api(cd_office)
        assert client.get(f"/api/v1/investigations/{inv['id']}").json()["overdue"] is True
        response = client.post(
            f"/api/v1/investigations/{inv['id']}/submit",
            {"report": pdf(cd_office).pk, "summary": "违章作业，设备联锁失效"},
        )
        assert response.status_code == 200
        assert response.json()["reply_due"] == (clock.today() + timedelta(days=15)).isoformat()
    with time_machine.travel(deadline + timedelta(days=17)):
        assert api(cd_office).get(f"/api/v1/investigations/{inv['id']}").json()["reply_overdue"] is True


def test_no_report_no_submission(office, accident, wuhou_ent):
    inv = opened(office, accident(wuhou_ent).pk)
    response = office.post(f"/api/v1/investigations/{inv['id']}/submit", {"summary": "结论"})
    assert response.status_code == 422 and "report" in response.json()["detail"]


def walk_to_replied(office, user, inv_id, pdf):
    assert (
        office.post(
            f"/api/v1/investigations/{inv_id}/submit", {"report": pdf(user).pk, "summary": "违章作业"}
        ).status_code
        == 200
    )
    assert office.post(f"/api/v1/investigations/{inv_id}/reply", {"reply": "同意调查报告"}).status_code == 200


def test_closing_waits_for_the_four_nos_and_every_measure(
    api, office, cd_office, ent_wuhou, accident, wuhou_ent, pdf, photo, wuhou_inspector
):
    a = accident(wuhou_ent, deaths=3)
    inv = opened(office, a.pk)["id"]
    walk_to_replied(office, cd_office, inv, pdf)
    response = office.post(f"/api/v1/investigations/{inv}/close")
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "事故原因未查清不放过" in detail and "整改措施尚未登记" in detail
    evidence = photo(cd_office).pk
    for item in ("cause", "responsible", "measures"):
        response = office.post(
            f"/api/v1/investigations/{inv}/four-nos/{item}", {"note": "已落实", "attachments": [evidence]}
        )
        assert response.status_code == 200, response.content
    assert (
        office.post(f"/api/v1/investigations/{inv}/four-nos/education", {"note": "已培训"}).status_code == 422
    )
    office.post(
        f"/api/v1/investigations/{inv}/four-nos/education",
        {"note": "全员警示教育", "attachments": [evidence]},
    )
    due = (clock.today() + timedelta(days=30)).isoformat()
    measure = office.post(
        f"/api/v1/investigations/{inv}/measures",
        {
            "description": "冲压设备加装双手操纵和光电保护装置",
            "due_date": due,
            "assignee_enterprise_id": wuhou_ent.pk,
        },
    ).json()
    response = office.post(f"/api/v1/investigations/{inv}/close")
    assert response.status_code == 409 and "1 项整改措施未验收销号" in response.json()["detail"]
    enterprise = api(ent_wuhou)
    assert (
        enterprise.post(f"/api/v1/measures/{measure['id']}/submit", {"result": "已加装"}).status_code == 422
    )
    response = enterprise.post(
        f"/api/v1/measures/{measure['id']}/submit", {"result": "已加装", "attachments": [photo(ent_wuhou).pk]}
    )
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    assert office.post(f"/api/v1/measures/{measure['id']}/reject", {"comment": ""}).status_code == 422
    response = api(wuhou_inspector).post(f"/api/v1/measures/{measure['id']}/verify", {"comment": "验收合格"})
    assert response.status_code == 200 and response.json()["state"] == "closed"
    response = office.post(f"/api/v1/investigations/{inv}/close")
    assert response.status_code == 200 and response.json()["state"] == "closed"
    assert office.post(f"/api/v1/investigations/{inv}/four-nos/cause", {"done": False}).status_code == 409


def test_the_submitter_does_not_verify(api, office, cd_office, accident, wuhou_ent, photo):
    inv = opened(office, accident(wuhou_ent).pk)["id"]
    due = (clock.today() + timedelta(days=30)).isoformat()
    measure = office.post(
        f"/api/v1/investigations/{inv}/measures",
        {
            "description": "修订操作规程",
            "due_date": due,
            "assignee_region": "510107",
            "department": "区应急管理局",
        },
    ).json()
    office.post(
        f"/api/v1/measures/{measure['id']}/submit", {"result": "已修订", "attachments": [photo(cd_office).pk]}
    )
    response = office.post(f"/api/v1/measures/{measure['id']}/verify")
    assert response.status_code == 403 and "提交人本人" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"description": "x", "due_date": "2000-01-01", "assignee_region": "510107", "department": "局"},
            "due_date",
        ),
        ({"description": "x", "due_date": "2099-01-01"}, "assignee"),
        ({"description": "x", "due_date": "2099-01-01", "assignee_region": "510107"}, "department"),
        (
            {"description": "", "due_date": "2099-01-01", "assignee_region": "510107", "department": "局"},
            "description",
        ),
    ],
)
def test_a_measure_needs_its_owner_and_deadline(office, accident, wuhou_ent, body, field):
    inv = opened(office, accident(wuhou_ent).pk)["id"]
    response = office.post(f"/api/v1/investigations/{inv}/measures", body)
    assert response.status_code == 422 and field in response.json()["detail"], response.json()


def test_publication_is_public(api, office, cd_office, accident, wuhou_ent, pdf):
    a = accident(wuhou_ent, deaths=3)
    inv = opened(office, a.pk)["id"]
    assert office.post(f"/api/v1/investigations/{inv}/publish").status_code == 409  # not replied yet
    walk_to_replied(office, cd_office, inv, pdf)
    assert api(None).get("/api/v1/investigation-reports").json()["count"] == 0
    assert office.post(f"/api/v1/investigations/{inv}/publish").status_code == 200
    items = api(None).get("/api/v1/investigation-reports").json()["items"]
    assert [i["accident_number"] for i in items] == [a.number]
    assert items[0]["grade_label"] == "较大事故" and items[0]["lead"] == "成都市人民政府"
    assert office.post(f"/api/v1/investigations/{inv}/publish").status_code == 409


# Mid-year: the accidents happen "two hours ago" and are counted in this year's statistics.
@time_machine.travel(datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
def test_accountability_and_statistics(
    api, office, sc_office, accident, wuhou_ent, jinjiang_ent, mianyang_ent
):
    a = accident(wuhou_ent, deaths=3)
    accident(jinjiang_ent, serious_injuries=12)
    accident(mianyang_ent, direct_loss_cny="60000000")
    for kind, name in (("discipline", "王某"), ("criminal", "李某"), ("criminal", "赵某")):
        response = office.post(
            f"/api/v1/accidents/{a.pk}/accountability",
            {
                "person_name": name,
                "position": "车间主任",
                "unit": wuhou_ent.name,
                "kind": kind,
                "decided_by": "成都市纪委监委",
                "decided_on": clock.today().isoformat(),
            },
        )
        assert response.status_code == 201, response.content
    response = office.post(
        f"/api/v1/accidents/{a.pk}/accountability",
        {
            "person_name": "",
            "position": "x",
            "unit": "x",
            "kind": "fired",
            "decided_by": "x",
            "decided_on": "2099-01-01",
        },
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"person_name", "kind", "decided_on"}
    province = api(sc_office)
    stats = province.get("/api/v1/accidents/stats", {"year": clock.today().year}).json()
    assert stats["accidents"] == 3 and stats["deaths"] == 5  # 3 + 1 + 1
    assert stats["by_grade"] == {"especially_major": 0, "major": 1, "relatively_major": 2, "general": 0}
    assert stats["accountability"] == 3
    assert stats["accountability_by_kind"]["criminal"] == 2
    assert stats["accountability_by_kind"]["discipline"] == 1
    city = office.get("/api/v1/accidents/stats").json()
    assert city["accidents"] == 2 and city["by_grade"]["major"] == 0
    for params in ({}, {"region": "510100"}, {"grade": "relatively_major"}):
        count = province.get("/api/v1/accidents", params).json()["count"]
        if "grade" in params:
            assert count == stats["by_grade"]["relatively_major"]
        else:
            assert count == province.get("/api/v1/accidents/stats", params).json()["accidents"]
    assert province.get("/api/v1/accountability", {"kind": "criminal"}).json()["count"] == 2
    assert province.get("/api/v1/accidents/stats", {"year": 1800}).status_code == 422


def test_the_enterprise_sees_its_accident_not_the_people_held_accountable(
    api, ent_wuhou, office, accident, wuhou_ent
):
    a = accident(wuhou_ent)
    services.record_accountability(
        actor=office.user if hasattr(office, "user") else a.reported_by,
        accident=a,
        person_name="王某",
        position="车间主任",
        unit=wuhou_ent.name,
        kind="organisational",
        decided_by="区应急管理局",
        decided_on=clock.today(),
    )
    detail = api(ent_wuhou).get(f"/api/v1/accidents/{a.pk}").json()
    assert detail["accountability"] == []
    assert api(ent_wuhou).get("/api/v1/accountability").json()["count"] == 0


def test_the_report_is_a_pdf(office, cd_office, accident, wuhou_ent, photo):
    inv = opened(office, accident(wuhou_ent).pk)["id"]
    response = office.post(
        f"/api/v1/investigations/{inv}/submit", {"report": photo(cd_office).pk, "summary": "结论"}
    )
    assert response.status_code == 422 and "PDF" in response.json()["detail"]


def test_a_higher_grade_tells_the_government_it_names(api, make_user, cd_office, accident, wuhou_ent):
    county = make_user("wuhou-office", "safety_office", region="510107")
    a = accident(wuhou_ent, deaths=1)
    opened(api(county), a.pk)
    services.follow_up(actor=county, accident=a, figures={"deaths": 3}, note="两名伤员抢救无效死亡")
    note = cd_office.notifications.get(title__startswith="事故升级为较大事故")
    assert "应由成都市人民政府负责调查" in note.title
    assert (
        Investigation.objects.get(accident=a).lead == "成都市武侯区人民政府"
    )  # the city decides whether to take it
