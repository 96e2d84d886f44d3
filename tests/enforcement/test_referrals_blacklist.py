"""Criminal referrals (行刑衔接) with their deadlines, and the credit blacklist with its public list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from benan.core import clock
from benan.enforcement import services
from benan.enforcement.models import BlacklistEntry, CriminalReferral

START = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def fixed_day():
    with time_machine.travel(START, tick=False):
        yield


def test_a_referral_is_decided_transferred_and_answered(api, wuhou_inspector, cd_office, case_in, wuhou_ent):
    case = case_in("investigating", wuhou_ent)
    inspector, office = api(wuhou_inspector), api(cd_office)
    response = inspector.post(
        f"/api/v1/cases/{case.pk}/refer",
        {
            "category": "major_liability",
            "report": "违章指挥导致一人重伤，涉嫌重大责任事故罪",
        },
    )
    assert response.status_code == 201, response.content
    referral = response.json()
    assert referral["state"] == "reported"
    assert referral["decision_due"] == "2026-03-05"  # 3 days to decide
    assert (
        inspector.post(f"/api/v1/referrals/{referral['id']}/approve").status_code == 403
    )  # the head decides
    response = office.post(f"/api/v1/referrals/{referral['id']}/approve")
    assert response.status_code == 200, response.content
    approved = response.json()
    assert approved["state"] == "approved"
    assert approved["transfer_due"].startswith("2026-03-03T08:00")  # 24 hours from approval
    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        response = api(wuhou_inspector).post(
            f"/api/v1/referrals/{referral['id']}/transfer", {"receiving_organ": "成都市公安局武侯区分局"}
        )
        assert response.status_code == 200
        assert response.json()["transfer_overdue"] is True  # one hour late, and it shows
        assert response.json()["feedback_due"] == "2026-03-06"
    with time_machine.travel(date(2026, 3, 10), tick=False):
        client = api(wuhou_inspector)
        response = client.post(
            f"/api/v1/referrals/{referral['id']}/result",
            {"accepted": True, "result": "已立案侦查", "feedback_on": "2026-03-09"},
        )
        assert response.status_code == 200, response.content
        assert response.json()["state"] == "accepted"
        assert client.get("/api/v1/referrals", {"state": "accepted"}).json()["count"] == 1


def test_the_enterprise_does_not_see_a_referral_about_itself(api, ent_wuhou, cd_office, case_in, wuhou_ent):
    case = case_in("investigating", wuhou_ent)
    referral = services.refer(actor=cd_office, case=case, category="fire", report="涉嫌失火罪，证据见卷宗")
    client = api(ent_wuhou)
    assert client.get(f"/api/v1/referrals/{referral.pk}").status_code == 404
    assert client.get("/api/v1/referrals").json()["count"] == 0
    assert client.get(f"/api/v1/cases/{case.pk}").json()["referrals"] == []
    history = client.get(f"/api/v1/cases/{case.pk}/history").json()
    assert not any("criminalreferral" in e["action"] for e in history)
    assert len(api(cd_office).get(f"/api/v1/cases/{case.pk}").json()["referrals"]) == 1


def test_a_refusal_needs_its_reason(api, cd_office, case_in, wuhou_ent):
    case = case_in("investigating", wuhou_ent)
    referral = services.refer(actor=cd_office, case=case, category="other", report="非法储存爆炸物")
    office = api(cd_office)
    assert office.post(f"/api/v1/referrals/{referral.pk}/refuse", {"reason": ""}).status_code == 422
    response = office.post(f"/api/v1/referrals/{referral.pk}/refuse", {"reason": "未达到刑事立案标准"})
    assert response.status_code == 200 and response.json()["state"] == "not_approved"
    # A refused referral does not block a new one once more facts are found.
    services.refer(actor=cd_office, case=case, category="other", report="补充证据")
    assert CriminalReferral.objects.filter(case=case).count() == 2


def test_a_late_decision_is_flagged(api, cd_office, case_in, wuhou_ent):
    case = case_in("investigating", wuhou_ent)
    referral = services.refer(actor=cd_office, case=case, category="fire", report="失火")
    with time_machine.travel(date(2026, 3, 5), tick=False):
        assert api(cd_office).get(f"/api/v1/referrals/{referral.pk}").json()["decision_overdue"] is False
    with time_machine.travel(date(2026, 3, 6), tick=False):
        assert api(cd_office).get(f"/api/v1/referrals/{referral.pk}").json()["decision_overdue"] is True


def test_no_referral_from_an_opened_or_withdrawn_case(cd_office, case_in, wuhou_ent):
    from benan.core.errors import InvalidTransition

    for state in ("opened", "withdrawn"):
        with pytest.raises(InvalidTransition):
            services.refer(actor=cd_office, case=case_in(state, wuhou_ent), category="fire", report="x")


def test_an_unknown_category_names_the_choices(api, cd_office, case_in, wuhou_ent):
    case = case_in("investigating", wuhou_ent)
    response = api(cd_office).post(f"/api/v1/cases/{case.pk}/refer", {"category": "murder", "report": "x"})
    assert response.status_code == 422
    assert "重大责任事故(major_liability)" in response.json()["detail"]


# -- the blacklist -----------------------------------------------------------------------------


def listed(api, office_user, case_in, enterprise, **body):
    case = case_in("decided", enterprise)
    response = api(office_user).post(
        f"/api/v1/cases/{case.pk}/blacklist",
        {
            "reason_kind": "concealed_accident",
            "reason": "瞒报一起较大生产安全事故",
            **body,
        },
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_listing_publishes_for_three_years(api, cd_office, case_in, wuhou_ent):
    entry = listed(api, cd_office, case_in, wuhou_ent)
    assert entry["entry_date"] == "2026-03-02"
    assert entry["planned_exit_date"] == "2029-03-02"
    public = api(None).get("/api/v1/blacklist").json()
    assert public["count"] == 1
    item = public["items"][0]
    assert item == {
        "enterprise_name": wuhou_ent.name,
        "uscc": wuhou_ent.uscc,
        "reason_kind_label": "瞒报、谎报生产安全事故",
        "reason": "瞒报一起较大生产安全事故",
        "entry_date": "2026-03-02",
        "planned_exit_date": "2029-03-02",
    }
    assert api(None).get("/api/v1/blacklist", {"q": wuhou_ent.uscc}).json()["count"] == 1
    assert api(None).get("/api/v1/blacklist", {"q": "不存在的企业"}).json()["count"] == 0
    with time_machine.travel(date(2029, 3, 2), tick=False):  # the term is over: off the public list
        assert api(None).get("/api/v1/blacklist").json()["count"] == 0
        assert services.sweep()["blacklist_expired"] == 1
        assert BlacklistEntry.objects.get().state == "exited"
        assert services.sweep()["blacklist_expired"] == 0


def test_the_leap_day_term_ends_on_the_last_of_february(cd_office, case_in, wuhou_ent):
    with time_machine.travel(date(2028, 2, 29), tick=False):
        case = case_in("decided", wuhou_ent)
        entry = services.blacklist(
            actor=cd_office, case=case, reason_kind="major_accident", reason="重大事故"
        )
        assert entry.planned_exit_date == date(2031, 2, 28)


def test_listing_needs_a_penalty_decision(api, cd_office, case_in, wuhou_ent):
    case = case_in("notified", wuhou_ent)
    response = api(cd_office).post(
        f"/api/v1/cases/{case.pk}/blacklist", {"reason_kind": "major_accident", "reason": "重大事故"}
    )
    assert response.status_code == 409 and "行政处罚决定" in response.json()["detail"]
    assert not BlacklistEntry.objects.exists()


def test_an_inspector_does_not_list(api, wuhou_inspector, case_in, wuhou_ent):
    case = case_in("decided", wuhou_ent)
    response = api(wuhou_inspector).post(
        f"/api/v1/cases/{case.pk}/blacklist", {"reason_kind": "major_accident", "reason": "重大事故"}
    )
    assert response.status_code == 403


def test_one_active_entry_per_enterprise(api, cd_office, case_in, wuhou_ent):
    listed(api, cd_office, case_in, wuhou_ent)
    case = case_in("decided", wuhou_ent)
    response = api(cd_office).post(
        f"/api/v1/cases/{case.pk}/blacklist", {"reason_kind": "major_accident", "reason": "重大事故"}
    )
    assert response.status_code == 409 and "已在严重失信主体名单中" in response.json()["detail"]


def test_early_exit_after_twelve_months(api, cd_office, ent_wuhou, case_in, wuhou_ent):
    entry = listed(api, cd_office, case_in, wuhou_ent)
    url = f"/api/v1/blacklist/entries/{entry['id']}"
    response = api(ent_wuhou).post(f"{url}/apply_exit", {"application": "已完成整改和信用修复"})
    assert response.status_code == 409
    assert "2027-03-02 起" in response.json()["detail"]
    with time_machine.travel(date(2027, 3, 2), tick=False):
        enterprise, office = api(ent_wuhou), api(cd_office)
        response = enterprise.post(f"{url}/apply_exit", {"application": "已完成整改和信用修复"})
        assert response.status_code == 200, response.content
        assert response.json()["state"] == "exit_applied"
        assert api(None).get("/api/v1/blacklist").json()["count"] == 1  # still public until decided
        assert enterprise.post(f"{url}/approve_exit", {}).status_code == 403
        assert office.post(f"{url}/reject_exit", {"comment": ""}).status_code == 422
        response = office.post(f"{url}/approve_exit", {"comment": "同意"})
        assert response.status_code == 200 and response.json()["state"] == "exited"
        assert response.json()["exited_on"] == "2027-03-02"
        assert api(None).get("/api/v1/blacklist").json()["count"] == 0


def test_a_rejected_application_returns_to_the_list(api, cd_office, case_in, wuhou_ent):
    entry = listed(api, cd_office, case_in, wuhou_ent)
    url = f"/api/v1/blacklist/entries/{entry['id']}"
    with time_machine.travel(date(2027, 6, 1), tick=False):
        office = api(cd_office)
        office.post(f"{url}/apply_exit", {"application": "申请"})
        response = office.post(f"{url}/reject_exit", {"comment": "信用修复材料不全"})
        assert response.status_code == 200 and response.json()["state"] == "listed"


def test_the_managed_list_keeps_to_the_scope(api, cd_office, jinjiang_inspector, case_in, wuhou_ent):
    listed(api, cd_office, case_in, wuhou_ent)
    assert api(cd_office).get("/api/v1/blacklist/entries").json()["count"] == 1
    assert api(jinjiang_inspector).get("/api/v1/blacklist/entries").json()["count"] == 0
    assert api(cd_office).get("/api/v1/blacklist/entries", {"year": clock.today().year}).json()["count"] == 1


def test_stats_agree_with_the_lists(
    api, sc_office, cd_office, case_in, wuhou_ent, jinjiang_ent, mianyang_ent
):
    listed(api, cd_office, case_in, wuhou_ent)
    case_in("closed", jinjiang_ent)
    case_in("opened", mianyang_ent)
    withdrawn = case_in("withdrawn", mianyang_ent)
    services.refer(
        actor=sc_office, case=case_in("investigating", jinjiang_ent), category="fire", report="失火"
    )
    services.order_suspension(
        actor=sc_office,
        case=case_in("decided", mianyang_ent),
        start_date=clock.today(),
        scope="全厂",
        lifting_conditions="整改",
    )
    office = api(sc_office)
    for params in ({}, {"year": 2026}, {"region": "510100"}, {"region": "510703", "year": 2026}):
        stats = office.get("/api/v1/cases/stats", params).json()
        cases = office.get("/api/v1/cases", {**params, "page_size": 100}).json()
        assert stats["cases"] == cases["count"]
        assert (
            stats["dual_penalty"]
            == office.get("/api/v1/cases", {**params, "dual_penalty": True}).json()["count"]
        )
        assert float(stats["fines_total_cny"]) == sum(float(c["fines_total"]) for c in cases["items"])
        assert stats["suspensions"] == office.get("/api/v1/suspensions", params).json()["count"]
        assert stats["referrals"] == office.get("/api/v1/referrals", params).json()["count"]
        assert stats["blacklisted"] == office.get("/api/v1/blacklist/entries", params).json()["count"]
    assert office.get("/api/v1/cases/stats").json() == {
        "cases": 6,
        "dual_penalty": 3,
        "suspensions": 1,
        "referrals": 1,
        "fines_total_cny": "540000.00",
        "blacklisted": 1,
    }
    assert withdrawn.state == "withdrawn"
    assert office.get("/api/v1/cases/stats", {"year": 2025}).json()["cases"] == 0
    assert office.get("/api/v1/cases/stats", {"year": 1800}).status_code == 422


def test_the_sweep_escalates_late_cases_and_referrals_once(case_in, cd_office, wuhou_inspector, wuhou_ent):
    from django.core.management import call_command

    case = case_in("investigating", wuhou_ent)
    referral = services.refer(actor=cd_office, case=case, category="fire", report="失火")
    assert services.sweep() == {"blacklist_expired": 0, "cases_escalated": 0, "referrals_escalated": 0}
    with time_machine.travel(referral.decision_due + timedelta(days=1), tick=False):
        assert services.sweep()["referrals_escalated"] == 1
        assert services.sweep()["referrals_escalated"] == 0
        assert cd_office.notifications.filter(title__startswith="涉嫌犯罪案件审批逾期").count() == 1
    case.refresh_from_db()
    late = case.decision_due + timedelta(days=1)
    call_command("enforcement", "sweep", "--today", late.isoformat())
    assert wuhou_inspector.notifications.filter(title__startswith="案件超过办案期限 1 天").count() == 1
    call_command("enforcement", "sweep", "--today", late.isoformat())
    assert wuhou_inspector.notifications.filter(title__startswith="案件超过办案期限").count() == 1
