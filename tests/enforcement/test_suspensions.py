"""Suspension orders drive the enterprise's status timeline, the one answer to "may it produce today"."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from benan.enforcement import services
from benan.enforcement.models import SuspensionOrder
from benan.enterprises import services as enterprise_services
from benan.hazards import services as hazard_services

TODAY = date(2026, 11, 29)


@pytest.fixture(autouse=True)
def fixed_day():
    with time_machine.travel(date(2026, 11, 29), tick=False):
        yield


def status_on(client, enterprise, day) -> str | None:
    response = client.get(f"/api/v1/enterprises/{enterprise.pk}/status", {"date": day.isoformat()})
    assert response.status_code == 200, response.content
    return response.json()["status"]


def order(client, case, start, **body):
    return client.post(
        f"/api/v1/cases/{case.pk}/suspend",
        {
            "start_date": start.isoformat(),
            "scope": "全厂停产",
            "lifting_conditions": "完成应急预案修订并组织演练",
            **body,
        },
    )


def inspect(actor, enterprise, day, source="department"):
    return hazard_services.record_inspection(actor=actor, enterprise=enterprise, source=source, day=day)


@pytest.fixture
def office(api, cd_office):
    return api(cd_office)


def test_an_order_suspends_from_its_start_and_lifting_ends_it(api, office, cd_office, case_in, wuhou_ent):
    case = case_in("decided", wuhou_ent)
    start = TODAY + timedelta(days=2)
    response = order(office, case, start)
    assert response.status_code == 201, response.content
    order_id = response.json()["id"]
    assert response.json()["number"].startswith("武侯区应急责停〔2026〕")
    assert status_on(office, wuhou_ent, start - timedelta(days=1)) == "normal"
    assert status_on(office, wuhou_ent, start) == "suspended"
    assert status_on(office, wuhou_ent, start + timedelta(days=400)) == "suspended"

    lift_day = start + timedelta(days=30)
    with time_machine.travel(lift_day, tick=False):
        inspection = inspect(cd_office, wuhou_ent, lift_day - timedelta(days=1))
        client = api(cd_office)
        response = client.post(
            f"/api/v1/suspensions/{order_id}/lift", {"inspection_id": inspection.pk, "comment": "复查合格"}
        )
        assert response.status_code == 200, response.content
        assert response.json()["state"] == "lifted"
        assert status_on(client, wuhou_ent, start - timedelta(days=1)) == "normal"
        assert status_on(client, wuhou_ent, start) == "suspended"
        assert status_on(client, wuhou_ent, lift_day - timedelta(days=1)) == "suspended"
        assert status_on(client, wuhou_ent, lift_day) == "normal"
        assert status_on(client, wuhou_ent, lift_day + timedelta(days=365)) == "normal"


def test_status_on_a_day_before_the_timeline_is_null(office, wuhou_ent):
    assert status_on(office, wuhou_ent, date(2019, 12, 31)) is None
    assert status_on(office, wuhou_ent, date(2020, 1, 1)) == "normal"
    assert office.get(f"/api/v1/enterprises/{wuhou_ent.pk}/status", {"date": "2026-13-01"}).status_code == 422


def test_status_outside_the_scope_is_404(api, jinjiang_inspector, wuhou_ent):
    response = api(jinjiang_inspector).get(f"/api/v1/enterprises/{wuhou_ent.pk}/status")
    assert response.status_code == 404


def test_a_second_order_while_one_is_in_force_is_refused(office, case_in, wuhou_ent):
    first, second = case_in("decided", wuhou_ent), case_in("decided", wuhou_ent)
    assert order(office, first, TODAY).status_code == 201
    response = order(office, second, TODAY + timedelta(days=10))
    assert response.status_code == 409
    assert "已有生效的停产整顿令" in response.json()["detail"]
    assert SuspensionOrder.objects.count() == 1
    assert wuhou_ent.status_periods.filter(status="suspended", end_date__isnull=True).count() == 1


def test_an_order_adopts_a_suspension_the_registry_already_records(office, admin, case_in, wuhou_ent):
    enterprise_services.change_status(
        actor=admin,
        enterprise=wuhou_ent,
        status="suspended",
        start_date=date(2026, 10, 1),
        reason="登记时已停产",
    )
    case = case_in("decided", wuhou_ent)
    response = order(office, case, TODAY)
    assert response.status_code == 201, response.content
    periods = list(wuhou_ent.status_periods.values_list("status", "start_date", "end_date"))
    assert periods == [
        ("normal", date(2020, 1, 1), date(2026, 9, 30)),
        ("suspended", date(2026, 10, 1), None),
    ]
    assert response.json()["resume_status"] == "normal"


def test_an_order_cannot_rewrite_history(office, admin, case_in, wuhou_ent):
    enterprise_services.change_status(
        actor=admin,
        enterprise=wuhou_ent,
        status="under_construction",
        start_date=date(2026, 11, 1),
        reason="改扩建",
    )
    case = case_in("decided", wuhou_ent)
    case.opened_on = date(2026, 10, 1)
    case.save(update_fields=["opened_on"])
    response = order(office, case, date(2026, 10, 15))
    assert response.status_code == 422
    assert "不能早于企业当前状态（在建）的开始日期 2026-11-01" in response.json()["detail"]


def test_a_closed_enterprise_is_not_suspended(office, admin, case_in, wuhou_ent):
    case = case_in("decided", wuhou_ent)
    enterprise_services.change_status(
        actor=admin, enterprise=wuhou_ent, status="closed", start_date=date(2026, 11, 20), reason="关闭"
    )
    response = order(office, case, TODAY)
    assert response.status_code == 422 and "已关闭" in response.json()["detail"]


def test_lifting_resumes_the_status_before_the_order(api, office, admin, cd_office, case_in, wuhou_ent):
    enterprise_services.change_status(
        actor=admin,
        enterprise=wuhou_ent,
        status="under_construction",
        start_date=date(2026, 6, 1),
        reason="新建",
    )
    case = case_in("decided", wuhou_ent)
    order_id = order(office, case, TODAY).json()["id"]
    with time_machine.travel(TODAY + timedelta(days=20), tick=False):
        inspection = inspect(cd_office, wuhou_ent, TODAY + timedelta(days=19))
        client = api(cd_office)
        assert (
            client.post(f"/api/v1/suspensions/{order_id}/lift", {"inspection_id": inspection.pk}).status_code
            == 200
        )
        assert status_on(client, wuhou_ent, TODAY + timedelta(days=20)) == "under_construction"


@pytest.mark.parametrize("problem", ["none", "self", "before", "other", "inspector"])
def test_lifting_needs_a_verification_by_an_authorised_user(
    api, office, cd_office, wuhou_inspector, ent_wuhou, case_in, wuhou_ent, jinjiang_ent, problem
):
    case = case_in("decided", wuhou_ent)
    order_id = order(office, case, TODAY).json()["id"]
    with time_machine.travel(TODAY + timedelta(days=10), tick=False):
        day = TODAY + timedelta(days=5)
        inspection = {
            "none": None,
            "self": lambda: inspect(ent_wuhou, wuhou_ent, day, source="self"),
            "before": lambda: inspect(cd_office, wuhou_ent, TODAY - timedelta(days=1)),
            "other": lambda: inspect(cd_office, jinjiang_ent, day),
            "inspector": lambda: inspect(cd_office, wuhou_ent, day),
        }[problem]
        inspection_id = inspection().pk if inspection else None
        who = wuhou_inspector if problem == "inspector" else cd_office
        response = api(who).post(f"/api/v1/suspensions/{order_id}/lift", {"inspection_id": inspection_id})
        assert response.status_code == (403 if problem == "inspector" else 422), response.content
        assert SuspensionOrder.objects.get(pk=order_id).state == "in_force"
        assert status_on(api(cd_office), wuhou_ent, TODAY + timedelta(days=10)) == "suspended"


def test_lifting_what_is_already_lifted_is_409(api, office, cd_office, case_in, wuhou_ent):
    case = case_in("decided", wuhou_ent)
    order_id = order(office, case, TODAY).json()["id"]
    with time_machine.travel(TODAY + timedelta(days=10), tick=False):
        inspection = inspect(cd_office, wuhou_ent, TODAY + timedelta(days=9))
        client = api(cd_office)
        assert (
            client.post(f"/api/v1/suspensions/{order_id}/lift", {"inspection_id": inspection.pk}).status_code
            == 200
        )
        response = client.post(f"/api/v1/suspensions/{order_id}/lift", {"inspection_id": inspection.pk})
        assert response.status_code == 409


def test_lifting_a_suspension_never_ordered_is_404(office):
    assert office.post("/api/v1/suspensions/999999/lift", {"inspection_id": None}).status_code == 404


def test_no_suspension_from_an_opened_case(office, case_in, wuhou_ent):
    case = case_in("opened", wuhou_ent)
    response = order(office, case, TODAY)
    assert response.status_code == 409
    assert not SuspensionOrder.objects.exists()


def test_an_order_starting_before_the_case_is_refused(office, case_in, wuhou_ent):
    case = case_in("decided", wuhou_ent)
    response = order(office, case, case.opened_on - timedelta(days=1))
    assert response.status_code == 422 and "立案日期" in response.json()["detail"]


def test_the_enterprise_is_told(case_in, wuhou_ent, ent_wuhou, cd_office):
    case = case_in("decided", wuhou_ent)
    services.order_suspension(
        actor=cd_office, case=case, start_date=TODAY, scope="全厂", lifting_conditions="整改"
    )
    assert ent_wuhou.notifications.filter(title__startswith="责令停产停业整顿").exists()
