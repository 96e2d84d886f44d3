"""The case loop over the API: each legal step in order, its rules, and bad input that saves nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from benan.core import audit, clock
from benan.enforcement.models import EnforcementCase, Penalty

from .conftest import DUAL


@pytest.fixture
def officers(wuhou_inspector, wuhou_inspector2):
    return [wuhou_inspector.pk, wuhou_inspector2.pk]


@pytest.fixture
def inspector(api, wuhou_inspector):
    return api(wuhou_inspector)


@pytest.fixture
def opened(inspector, wuhou_ent, officers):
    """The id of a case against 武侯 opened by the Wuhou inspector, two officers on it."""
    response = inspector.post(
        "/api/v1/cases",
        {
            "enterprise_id": wuhou_ent.pk,
            "cause": "未按规定组织应急演练",
            "origin": "direct",
            "facts": "2026年未组织生产安全事故应急救援预案演练。",
            "officer_ids": officers,
        },
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def notified(inspector, case_id, upload, user, fine="180000", kinds=("fine",)):
    assert inspector.post(f"/api/v1/cases/{case_id}/investigate").status_code == 200
    photo = upload(user)
    assert inspector.post(f"/api/v1/cases/{case_id}/evidence", {"attachments": [photo.pk]}).status_code == 200
    response = inspector.post(
        f"/api/v1/cases/{case_id}/notify",
        {
            "proposal": "拟对单位罚款15万元，对总经理罚款3万元",
            "proposed_kinds": list(kinds),
            "proposed_fine_cny": fine,
        },
    )
    assert response.status_code == 200, response.content
    return response.json()


def snapshot(case_id):
    case = EnforcementCase.objects.get(pk=case_id)
    return (
        case.state,
        case.decided_on,
        case.fines_total,
        Penalty.objects.filter(case=case).count(),
        audit.history(case).count(),
    )


def test_a_case_walks_every_step_to_closed(inspector, opened, upload, wuhou_inspector):
    case = inspector.get(f"/api/v1/cases/{opened}").json()
    assert case["state"] == "opened"
    assert case["number"].startswith("510107-")
    assert case["decision_due"] == (clock.today() + timedelta(days=90)).isoformat()
    assert {"investigate", "withdraw"} - set(case["actions"]) == {"withdraw"}  # withdrawal is the head's

    detail = notified(inspector, opened, upload, wuhou_inspector)
    assert detail["state"] == "notified"
    assert detail["hearing_right"] is True  # 180,000 ≥ the configured 较大数额
    assert detail["statement_due"] == (clock.today() + timedelta(days=3)).isoformat()
    assert detail["hearing_due"] == (clock.today() + timedelta(days=5)).isoformat()

    response = inspector.post(f"/api/v1/cases/{opened}/statement", {"statement": "已组织整改，请从轻处罚"})
    assert response.status_code == 200, response.content
    response = inspector.post(f"/api/v1/cases/{opened}/decide", {"penalties": DUAL})
    assert response.status_code == 200, response.content
    decided = response.json()
    assert decided["state"] == "decided"
    assert decided["dual_penalty"] is True
    assert Decimal(decided["fines_total"]) == Decimal("180000")
    assert [p["party"] for p in decided["penalties"]] == ["unit", "person"]
    assert decided["penalties"][1]["person_name"] == "张建国"
    assert decided["decision_number"].startswith("武侯区应急罚〔")
    assert decided["payment_due"] == (clock.today() + timedelta(days=15)).isoformat()

    response = inspector.post(
        f"/api/v1/cases/{opened}/execute", {"execution": "已缴纳", "paid_cny": "180000"}
    )
    assert response.status_code == 200, response.content
    response = inspector.post(f"/api/v1/cases/{opened}/close", {"report": "执行完毕"})
    assert response.status_code == 200 and response.json()["state"] == "closed"

    actions = [e["action"] for e in inspector.get(f"/api/v1/cases/{opened}/history").json()]
    assert actions == [
        "enforcement.enforcementcase.opened",
        "enforcement.enforcementcase.investigate",
        "enforcement.enforcementcase.evidence_added",
        "enforcement.enforcementcase.notify",
        "enforcement.enforcementcase.statement",
        "enforcement.enforcementcase.decide",
        "enforcement.enforcementcase.execute",
        "enforcement.enforcementcase.close",
    ]


def test_a_unit_fine_alone_is_not_a_dual_penalty(inspector, opened, upload, wuhou_inspector):
    notified(inspector, opened, upload, wuhou_inspector)
    inspector.post(f"/api/v1/cases/{opened}/statement", {"waived": True})
    lines = [DUAL[0], {"party": "person", "kind": "warning", "basis": "aqsc2021-97", "person_name": "李四"}]
    decided = inspector.post(f"/api/v1/cases/{opened}/decide", {"penalties": lines}).json()
    assert decided["dual_penalty"] is False
    assert Decimal(decided["fines_total"]) == Decimal("150000")


def test_one_officer_cannot_investigate(api, wuhou_inspector, wuhou_ent):
    inspector = api(wuhou_inspector)
    response = inspector.post(
        "/api/v1/cases",
        {
            "enterprise_id": wuhou_ent.pk,
            "cause": "x",
            "origin": "direct",
            "facts": "y",
            "officer_ids": [wuhou_inspector.pk],
        },
    )
    case_id = response.json()["id"]
    response = inspector.post(f"/api/v1/cases/{case_id}/investigate")
    assert response.status_code == 409
    assert "执法人员不得少于2人" in response.json()["detail"]
    assert EnforcementCase.objects.get(pk=case_id).state == "opened"


def test_the_minimum_of_officers_is_configurable(tmp_path, settings, api, wuhou_inspector, wuhou_ent):
    from benan.enforcement import rules

    override = tmp_path / "rules.yaml"
    override.write_text("case:\n  min_officers: 1\n", encoding="utf-8")
    settings.BENAN_ENFORCEMENT_RULES = str(override)
    rules.reload()
    try:
        inspector = api(wuhou_inspector)
        case_id = inspector.post(
            "/api/v1/cases",
            {
                "enterprise_id": wuhou_ent.pk,
                "cause": "x",
                "origin": "direct",
                "facts": "y",
                "officer_ids": [wuhou_inspector.pk],
            },
        ).json()["id"]
        assert inspector.post(f"/api/v1/cases/{case_id}/investigate").status_code == 200
    finally:
        settings.BENAN_ENFORCEMENT_RULES = ""
        rules.reload()


def test_officers_must_have_jurisdiction(inspector, wuhou_ent, wuhou_inspector, jinjiang_inspector):
    response = inspector.post(
        "/api/v1/cases",
        {
            "enterprise_id": wuhou_ent.pk,
            "cause": "x",
            "origin": "direct",
            "facts": "y",
            "officer_ids": [wuhou_inspector.pk, jinjiang_inspector.pk],
        },
    )
    assert response.status_code == 422
    assert "不管辖案件所在区县" in response.json()["detail"]
    assert not EnforcementCase.objects.exists()


def test_notify_needs_evidence(inspector, opened):
    inspector.post(f"/api/v1/cases/{opened}/investigate")
    response = inspector.post(f"/api/v1/cases/{opened}/notify", {"proposal": "罚款"})
    assert response.status_code == 409
    assert "证据" in response.json()["detail"]


@pytest.mark.parametrize(
    ("lines", "field", "words"),
    [
        ([{**DUAL[0], "basis": ""}], "penalties[1].basis", "必须注明法律依据"),
        ([{**DUAL[0], "basis": "aqsc2014-99"}], "penalties[1].basis", "不在可选清单中"),
        ([{**DUAL[0], "amount": "0"}], "penalties[1].amount", "金额必须大于 0"),
        ([{**DUAL[0], "amount": "-5"}], "penalties[1].amount", "金额必须大于 0"),
        ([DUAL[0], {**DUAL[1], "person_name": " "}], "penalties[2].person_name", "必须写明姓名"),
        ([{**DUAL[0], "amount": None}], "penalties[1].amount", "必须填写金额"),
        ([{**DUAL[0], "amount": "200000.01"}], "penalties[1].amount", "最高 200,000 元"),
        ([{**DUAL[1], "amount": "50001"}], "penalties[1].amount", "最高 50,000 元"),
        (
            [{"party": "unit", "kind": "warning", "basis": "aqsc2021-97", "amount": "100"}],
            "penalties[1].amount",
            "不填写金额",
        ),
        (
            [{"party": "person", "kind": "licence_revoked", "basis": "aqsc2021-97", "person_name": "王五"}],
            "penalties[1].kind",
            "只能对单位作出",
        ),
        ([], "penalties", "至少要有一项"),
    ],
)
def test_a_bad_decision_names_the_line_and_saves_nothing(
    inspector, opened, upload, wuhou_inspector, lines, field, words
):
    notified(inspector, opened, upload, wuhou_inspector)
    inspector.post(f"/api/v1/cases/{opened}/statement", {"waived": True})
    before = snapshot(opened)
    response = inspector.post(f"/api/v1/cases/{opened}/decide", {"penalties": lines})
    assert response.status_code == 422, response.content
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert field in errors and words in errors[field], errors
    assert snapshot(opened) == before


def test_an_unlimited_basis_accepts_any_positive_fine(inspector, opened, upload, wuhou_inspector):
    notified(inspector, opened, upload, wuhou_inspector)
    inspector.post(f"/api/v1/cases/{opened}/statement", {"waived": True})
    line = {
        "party": "person",
        "kind": "fine",
        "basis": "aqsc2021-95",
        "amount": "480000",
        "person_name": "赵六",
        "person_position": "主要负责人",
    }
    response = inspector.post(f"/api/v1/cases/{opened}/decide", {"penalties": [line]})
    assert response.status_code == 200, response.content
    assert response.json()["penalties"][0]["basis_verified"] is True


def test_executing_before_deciding_is_refused(inspector, opened):
    before = snapshot(opened)
    response = inspector.post(f"/api/v1/cases/{opened}/execute", {"execution": "x", "paid_cny": "0"})
    assert response.status_code == 409
    assert "当前状态为“已立案”" in response.json()["detail"]
    assert snapshot(opened) == before


def test_the_decision_waits_for_the_statement_period(api, inspector, opened, upload, wuhou_inspector):
    notified(inspector, opened, upload, wuhou_inspector, fine="1000")  # no hearing right
    response = inspector.post(f"/api/v1/cases/{opened}/decide", {"penalties": [DUAL[0]]})
    assert response.status_code == 409
    assert "期满或记录当事人意见后" in response.json()["detail"]
    due = EnforcementCase.objects.get(pk=opened).statement_due
    with time_machine.travel(due):  # the last day of the period: still waiting
        response = api(wuhou_inspector).post(f"/api/v1/cases/{opened}/decide", {"penalties": [DUAL[0]]})
        assert response.status_code == 409
    with time_machine.travel(due + timedelta(days=1)):
        response = api(wuhou_inspector).post(f"/api/v1/cases/{opened}/decide", {"penalties": [DUAL[0]]})
    assert response.status_code == 200, response.content


def test_a_requested_hearing_must_be_held_first(inspector, opened, upload, wuhou_inspector):
    notified(inspector, opened, upload, wuhou_inspector)
    response = inspector.post(
        f"/api/v1/cases/{opened}/statement", {"statement": "不服，要求听证", "hearing_requested": True}
    )
    assert response.status_code == 200
    response = inspector.post(f"/api/v1/cases/{opened}/decide", {"penalties": DUAL})
    assert response.status_code == 409 and "听证" in response.json()["detail"]
    assert inspector.post(f"/api/v1/cases/{opened}/hearing", {"record": "当事人到场陈述"}).status_code == 200
    assert inspector.post(f"/api/v1/cases/{opened}/decide", {"penalties": DUAL}).status_code == 200


def test_no_hearing_without_the_right(inspector, opened, upload, wuhou_inspector):
    notified(inspector, opened, upload, wuhou_inspector, fine="1000")
    response = inspector.post(
        f"/api/v1/cases/{opened}/statement", {"statement": "要求听证", "hearing_requested": True}
    )
    assert response.status_code == 422
    assert "不适用听证程序" in response.json()["detail"]


def test_a_suspension_proposal_carries_the_hearing_right(inspector, opened, upload, wuhou_inspector):
    detail = notified(inspector, opened, upload, wuhou_inspector, fine=None, kinds=("suspension",))
    assert detail["hearing_right"] is True


def test_only_an_officer_on_the_case_decides(api, opened, upload, wuhou_inspector, make_user, inspector):
    notified(inspector, opened, upload, wuhou_inspector)
    inspector.post(f"/api/v1/cases/{opened}/statement", {"waived": True})
    other = make_user("wuhou-inspector-3", "inspector", region="510107")
    response = api(other).post(f"/api/v1/cases/{opened}/decide", {"penalties": DUAL})
    assert response.status_code == 403
    assert "本案的执法人员" in response.json()["detail"]


def test_withdrawal_needs_a_reason_and_the_head(api, inspector, opened, cd_office):
    assert inspector.post(f"/api/v1/cases/{opened}/withdraw", {"reason": "x"}).status_code == 403
    office = api(cd_office)
    assert office.post(f"/api/v1/cases/{opened}/withdraw", {"reason": " "}).status_code == 422
    response = office.post(f"/api/v1/cases/{opened}/withdraw", {"reason": "违法事实不成立"})
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"
    assert office.post(f"/api/v1/cases/{opened}/investigate").status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"origin": "inspection"}, "inspection_id"),
        ({"origin": "hazards"}, "hazard_ids"),
        ({"origin": "power_alert"}, "origin_ref"),
        ({"origin": "phone"}, "origin"),
        ({"origin": "direct", "cause": ""}, "cause"),
        ({"origin": "direct", "hazard_ids": [999999]}, "hazard_ids"),
        ({"origin": "direct", "opened_on": "2099-01-01"}, "opened_on"),
    ],
)
def test_opening_checks_the_origin(inspector, wuhou_ent, officers, body, field):
    payload = {
        "enterprise_id": wuhou_ent.pk,
        "cause": "未组织演练",
        "facts": "事实",
        "officer_ids": officers,
        **body,
    }
    response = inspector.post("/api/v1/cases", payload)
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not EnforcementCase.objects.exists()


def test_a_case_from_hazards_links_them(inspector, wuhou_ent, officers, walk):
    hazard = walk("rectifying")
    response = inspector.post(
        "/api/v1/cases",
        {
            "enterprise_id": wuhou_ent.pk,
            "cause": "未消除事故隐患",
            "facts": "逾期未整改",
            "origin": "hazards",
            "hazard_ids": [hazard],
            "officer_ids": officers,
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["hazard_ids"] == [hazard]


def test_a_case_from_a_power_alert(inspector, wuhou_ent, officers):
    response = inspector.post(
        "/api/v1/cases",
        {
            "enterprise_id": wuhou_ent.pk,
            "cause": "明停暗开",
            "facts": "停产期间夜间用电",
            "origin": "power_alert",
            "origin_ref": "PA-2026-000123",
            "officer_ids": officers,
        },
    )
    assert response.status_code == 201
    assert response.json()["origin_ref"] == "PA-2026-000123"


def test_a_case_against_an_enterprise_outside_the_scope_is_404(api, jinjiang_inspector, wuhou_ent):
    response = api(jinjiang_inspector).post(
        "/api/v1/cases",
        {
            "enterprise_id": wuhou_ent.pk,
            "cause": "x",
            "facts": "y",
            "origin": "direct",
        },
    )
    assert response.status_code == 404


def test_the_enterprise_reads_its_case_but_cannot_move_it(api, ent_wuhou, opened):
    client = api(ent_wuhou)
    detail = client.get(f"/api/v1/cases/{opened}").json()
    assert detail["actions"] == []
    assert client.post(f"/api/v1/cases/{opened}/investigate").status_code == 403


def test_the_list_filters_and_counts(api, inspector, opened, cd_office, case_in, jinjiang_ent, wuhou_ent):
    case_in("decided", jinjiang_ent)
    case_in("closed", wuhou_ent, penalties=[DUAL[0]])
    office = api(cd_office)
    assert office.get("/api/v1/cases").json()["count"] == 3
    assert inspector.get("/api/v1/cases").json()["count"] == 2
    assert office.get("/api/v1/cases", {"dual_penalty": "true"}).json()["count"] == 1
    assert office.get("/api/v1/cases", {"state": "closed"}).json()["count"] == 1
    assert office.get("/api/v1/cases", {"region": "510104"}).json()["count"] == 1
    assert office.get("/api/v1/cases", {"q": "武侯"}).json()["count"] == 2
    year = clock.today().year
    assert office.get("/api/v1/cases", {"year": year}).json()["count"] == 3
    assert office.get("/api/v1/cases", {"year": year - 1}).json()["count"] == 0
    response = office.get("/api/v1/cases", {"state": "open"})
    assert response.status_code == 422 and "不是可选状态" in response.json()["detail"]
    assert office.get("/api/v1/cases", {"region": "999999"}).status_code == 422


def test_overdue_is_derived_from_the_case_deadline(api, wuhou_inspector, inspector, opened):
    due = EnforcementCase.objects.get(pk=opened).decision_due
    with time_machine.travel(due):
        assert api(wuhou_inspector).get("/api/v1/cases", {"overdue": "true"}).json()["count"] == 0
    with time_machine.travel(due + timedelta(days=1)):
        inspector = api(wuhou_inspector)
        assert inspector.get("/api/v1/cases", {"overdue": "true"}).json()["count"] == 1
        assert inspector.get(f"/api/v1/cases/{opened}").json()["overdue"] is True
    assert inspector.get("/api/v1/cases", {"overdue": "true"}).json()["count"] == 0


def test_legal_bases_show_what_is_unverified(inspector):
    bases = {b["code"]: b for b in inspector.get("/api/v1/legal-bases").json()}
    assert bases["aqsc2021-97"]["verified"] is True
    assert bases["aqsc2021-102"]["verified"] is False
    assert bases["aqsc2021-97"]["title"] == "《中华人民共和国安全生产法（2021年修正）》第九十七条"
    assert Decimal(bases["aqsc2021-97"]["person_max_cny"]) == Decimal("50000")


def test_the_party_states_its_case_online(api, ent_wuhou, inspector, opened, upload, wuhou_inspector):
    notified(inspector, opened, upload, wuhou_inspector)
    client = api(ent_wuhou)
    assert client.get(f"/api/v1/cases/{opened}").json()["actions"] == ["statement"]
    response = client.post(
        f"/api/v1/cases/{opened}/statement", {"statement": "已整改完毕", "hearing_requested": True}
    )
    assert response.status_code == 200, response.content
    assert response.json()["hearing_requested"] is True
    assert client.post(f"/api/v1/cases/{opened}/decide", {"penalties": DUAL}).status_code == 403


def test_a_case_with_a_suspension_in_force_is_not_withdrawn(api, cd_office, case_in, wuhou_ent):
    from benan.enforcement import services

    case = case_in("investigating", wuhou_ent)
    services.order_suspension(
        actor=cd_office, case=case, start_date=clock.today(), scope="全厂", lifting_conditions="整改"
    )
    response = api(cd_office).post(f"/api/v1/cases/{case.pk}/withdraw", {"reason": "不成立"})
    assert response.status_code == 409 and "停产整顿令" in response.json()["detail"]


def test_a_paper_case_keeps_its_real_dates(api, inspector, wuhou_ent, officers, upload, wuhou_inspector):
    opened_on = clock.today() - timedelta(days=40)
    case_id = inspector.post(
        "/api/v1/cases",
        {
            "enterprise_id": wuhou_ent.pk,
            "cause": "补录案件",
            "facts": "纸质案卷补录",
            "origin": "direct",
            "officer_ids": officers,
            "opened_on": opened_on.isoformat(),
        },
    ).json()["id"]
    inspector.post(f"/api/v1/cases/{case_id}/investigate")
    inspector.post(f"/api/v1/cases/{case_id}/evidence", {"attachments": [upload(wuhou_inspector).pk]})
    notified_on = opened_on + timedelta(days=10)
    inspector.post(
        f"/api/v1/cases/{case_id}/notify", {"proposal": "罚款", "notified_on": notified_on.isoformat()}
    )
    too_early = notified_on + timedelta(days=2)  # inside the statement period, no statement recorded
    response = inspector.post(
        f"/api/v1/cases/{case_id}/decide", {"penalties": DUAL[:1], "decided_on": too_early.isoformat()}
    )
    assert response.status_code == 409
    decided_on = notified_on + timedelta(days=5)
    response = inspector.post(
        f"/api/v1/cases/{case_id}/decide", {"penalties": DUAL[:1], "decided_on": decided_on.isoformat()}
    )
    assert response.status_code == 200, response.content
    assert response.json()["decided_on"] == decided_on.isoformat()
    assert response.json()["payment_due"] == (decided_on + timedelta(days=15)).isoformat()
    inspector.post(
        f"/api/v1/cases/{case_id}/execute",
        {
            "execution": "已缴",
            "paid_cny": "150000",
            "executed_on": (decided_on + timedelta(days=7)).isoformat(),
        },
    )
    response = inspector.post(
        f"/api/v1/cases/{case_id}/close", {"report": "结案", "closed_on": decided_on.isoformat()}
    )
    assert response.status_code == 422 and "早于执行日期" in response.json()["detail"]
    response = inspector.post(f"/api/v1/cases/{case_id}/close", {"report": "结案"})
    assert response.status_code == 200 and response.json()["closed_on"] == clock.today().isoformat()
