"""The hazard loop through the API, as the demo roles use it."""

from datetime import timedelta

import pytest
import time_machine

from benan.core import audit, clock
from benan.core.models import Notification
from benan.hazards.models import Hazard

from .conftest import CRITERION, PLAN, due

H = "/api/v1/hazards"


def test_the_whole_loop_with_listed_supervision(
    api, walk, ent_wuhou, wuhou_inspector, cd_office, evidence, wuhou_ent
):
    ent, inspector, office = api(ent_wuhou), api(wuhou_inspector), api(cd_office)
    created = ent.post(
        H,
        {
            "enterprise_id": wuhou_ent.pk,
            "description": "煤气区域未设一氧化碳报警",
            "location": "煤气站",
            "source": "self",
        },
    )
    assert created.status_code == 201
    assert created.json()["state"] == "reported"
    pk = created.json()["id"]

    confirmed = inspector.post(
        f"{H}/{pk}/confirm", {"grade": "major", "criterion": CRITERION, "due_date": due(), "plan": PLAN}
    )
    assert confirmed.json()["state"] == "rectifying" and confirmed.json()["grade"] == "major"

    listed = office.post(f"{H}/{pk}/list", {"due_date": due(60), "comment": "市安委办挂牌督办"})
    assert listed.status_code == 201
    assert listed.json()["listing"]["office_region_code"] == "510100"
    assert ent.get(H, {"listed": "true"}).json()["count"] == 1

    assert office.post(f"{H}/{pk}/delist", {}).status_code == 409  # not closed yet

    photo = evidence()
    submitted = ent.post(f"{H}/{pk}/submit", {"description": "已安装报警仪", "attachments": [photo.pk]})
    assert submitted.json()["state"] == "submitted"
    rejected = inspector.post(f"{H}/{pk}/reject", {"comment": "报警仪未联网"})
    assert rejected.json()["state"] == "rectifying"
    ent.post(f"{H}/{pk}/submit", {"description": "已联网", "attachments": [evidence().pk]})
    verified = inspector.post(f"{H}/{pk}/verify", {"comment": "合格"})
    assert verified.json()["state"] == "closed"
    assert [r["outcome"] for r in verified.json()["rectifications"]] == ["accepted", "rejected"]

    delisted = office.post(f"{H}/{pk}/delist", {"comment": "已销号，摘牌"})
    assert delisted.status_code == 200 and delisted.json()["listing"] is None

    actions = [e["action"] for e in inspector.get(f"{H}/{pk}/history").json()]
    assert actions == [
        "hazards.hazard.reported",
        "hazards.hazard.confirm",
        "hazards.hazard.listed",
        "hazards.hazard.submit",
        "hazards.hazard.reject",
        "hazards.hazard.submit",
        "hazards.hazard.verify",
        "hazards.listing.delist",  # recorded on the listing, shown with the hazard
    ]
    assert audit.verify().ok
    # the evidence is readable by the inspector who must judge it, not by the other county
    assert inspector.get(f"/api/v1/attachments/{photo.pk}").status_code == 200


@pytest.mark.parametrize(
    "state,action,body,status",
    [
        ("reported", "verify", {}, 409),
        ("reported", "submit", {"description": "x", "attachments": []}, 409),
        ("rectifying", "confirm", {"grade": "general", "due_date": "2099-01-01"}, 409),
        ("closed", "reject", {"comment": "x"}, 409),
        ("closed", "verify", {}, 409),
        ("reported", "dismiss", {"reason": ""}, 422),
    ],
)
def test_wrong_moves_change_nothing(api, walk, wuhou_inspector, ent_wuhou, state, action, body, status):
    pk = walk(state)
    before = Hazard.objects.get(pk=pk).state
    entries = audit.history(Hazard.objects.get(pk=pk)).count()
    client = api(ent_wuhou if action == "submit" else wuhou_inspector)
    response = client.post(f"{H}/{pk}/{action}", body)
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert Hazard.objects.get(pk=pk).state == before
    assert audit.history(Hazard.objects.get(pk=pk)).count() == entries


def test_submitting_without_evidence_is_refused(api, walk, ent_wuhou):
    pk = walk("rectifying")
    response = api(ent_wuhou).post(f"{H}/{pk}/submit", {"description": "已整改", "attachments": []})
    assert response.status_code == 422
    assert "证据" in response.json()["detail"]
    assert Hazard.objects.get(pk=pk).state == "rectifying"


def test_a_major_hazard_needs_a_criterion_and_the_five_elements(api, walk, wuhou_inspector):
    pk = walk("reported")
    client = api(wuhou_inspector)
    no_criterion = client.post(f"{H}/{pk}/confirm", {"grade": "major", "due_date": due(), "plan": PLAN})
    assert no_criterion.status_code == 422 and "criterion" in no_criterion.json()["detail"]
    partial = {k: v for k, v in PLAN.items() if k != "funding"}
    no_funding = client.post(
        f"{H}/{pk}/confirm", {"grade": "major", "criterion": CRITERION, "due_date": due(), "plan": partial}
    )
    assert no_funding.status_code == 422 and "治理资金" in no_funding.json()["detail"]
    unknown = client.post(
        f"{H}/{pk}/confirm",
        {"grade": "major", "criterion": "gongmao-2023:art99.1", "due_date": due(), "plan": PLAN},
    )
    assert unknown.status_code == 422
    assert Hazard.objects.get(pk=pk).state == "reported"


def test_a_due_date_in_the_past_is_refused(api, walk, wuhou_inspector):
    pk = walk("reported")
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    response = api(wuhou_inspector).post(f"{H}/{pk}/confirm", {"grade": "general", "due_date": yesterday})
    assert response.status_code == 422 and "due_date" in response.json()["detail"]


def test_an_enterprise_confirms_only_its_own_self_found_general_hazards(api, walk, ent_wuhou):
    pk = walk("reported")
    client = api(ent_wuhou)
    major = client.post(
        f"{H}/{pk}/confirm", {"grade": "major", "criterion": CRITERION, "due_date": due(), "plan": PLAN}
    )
    assert major.status_code == 403
    general = client.post(f"{H}/{pk}/confirm", {"grade": "general", "due_date": due()})
    assert general.status_code == 200 and general.json()["state"] == "rectifying"


def test_only_a_city_or_province_office_lists_and_only_the_lister_delists(
    api, walk, wuhou_inspector, cd_office, sc_office
):
    pk = walk("rectifying")
    assert api(wuhou_inspector).post(f"{H}/{pk}/list", {"due_date": due()}).status_code == 403
    assert api(cd_office).post(f"{H}/{pk}/list", {"due_date": due()}).status_code == 201
    assert api(sc_office).post(f"{H}/{pk}/list", {"due_date": due()}).status_code == 409  # already listed
    general = walk("rectifying", grade="general")
    assert api(cd_office).post(f"{H}/{general}/list", {"due_date": due()}).status_code == 409


def test_overdue_is_derived_and_the_sweep_escalates_once(api, walk, wuhou_inspector, ent_wuhou, cd_office):
    from django.core.management import call_command

    pk = walk("rectifying")
    hazard = Hazard.objects.get(pk=pk)
    after = hazard.due_date + timedelta(days=3)
    client = api(wuhou_inspector)
    assert client.get(H, {"overdue": "true"}).json()["count"] == 0
    with time_machine.travel(after.isoformat() + " 09:00 +0800"):
        client = api(wuhou_inspector)  # tokens expire; log in again on the later day
        assert client.get(H, {"overdue": "true"}).json()["count"] == 1
        assert client.get(f"{H}/{pk}").json()["overdue"] is True
        call_command("hazards", "sweep")
        call_command("hazards", "sweep")
    notified = Notification.objects.filter(title__startswith="隐患整改逾期")
    assert {n.recipient.username for n in notified} == {"ent-wuhou", "wuhou-inspector", "cd-office"}
    assert audit.history(hazard).filter(action="hazards.hazard.escalated").count() == 1


def test_stats_count_the_subtree(api, walk, sc_office, cd_office):
    walk("closed")
    walk("rectifying")
    walk("reported")
    stats = api(sc_office).get(f"{H}/stats", {"region": "510100"}).json()
    assert stats == {
        "found": 3,
        "major": 2,
        "closed": 1,
        "rectification_rate": 0.5,
        "overdue": 0,
        "listed": 0,
        "major_open": 1,
    }
    assert api(sc_office).get(f"{H}/stats", {"region": "510700"}).json()["found"] == 0
    by_city = {r["region_code"]: r["found"] for r in api(sc_office).get(f"{H}/stats/subregions").json()}
    assert by_city["510100"] == 3 and len(by_city) == 21
    by_county = {r["region_code"]: r["found"] for r in api(cd_office).get(f"{H}/stats/subregions").json()}
    assert by_county["510107"] == 3 and by_county["510104"] == 0


def test_the_ledger_is_an_xlsx_of_the_scope(api, walk, wuhou_inspector):
    from io import BytesIO

    from openpyxl import load_workbook

    walk("closed")
    response = api(wuhou_inspector).get(f"{H}/ledger")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "企业名称", "统一社会信用代码")
    assert len(rows) == 2 and rows[1][13] == "已销号"


def test_an_inspection_turns_violations_into_major_hazards(api, criteria, wuhou_inspector, wuhou_ent):
    response = api(wuhou_inspector).post(
        "/api/v1/inspections",
        {
            "enterprise_id": wuhou_ent.pk,
            "source": "department",
            "date": clock.today().isoformat(),
            "inspectors": "张三、李四",
            "standard": "gongmao-2023",
            "answers": [
                {"criterion": "gongmao-2023:art3.1", "answer": "complies"},
                {"criterion": CRITERION, "answer": "violates", "note": "电焊工无证上岗"},
                {"criterion": "gongmao-2023:art3.3", "answer": "not_applicable"},
            ],
            "findings": [{"description": "灭火器过期", "location": "仓库"}],
        },
    )
    assert response.status_code == 201, response.content
    hazards = Hazard.objects.filter(pk__in=response.json()["hazard_ids"]).order_by("id")
    assert [(h.grade, h.criterion_id, h.state) for h in hazards] == [
        ("major", CRITERION, "reported"),
        ("", None, "reported"),
    ]


def test_the_daily_huey_task_runs_the_same_sweep(walk):
    from benan.hazards import tasks

    pk = walk("rectifying")
    hazard = Hazard.objects.get(pk=pk)
    with time_machine.travel((hazard.due_date + timedelta(days=1)).isoformat() + " 06:00 +0800"):
        assert tasks.sweep_overdue_hazards.call_local() == 1
        assert tasks.sweep_overdue_hazards.call_local() == 0
