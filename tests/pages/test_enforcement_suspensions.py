"""Suspension orders from the pages: ordered on the case, shown on the enterprise page and in the
list, lifted by the office after a verification inspection."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from benan.enforcement.models import SuspensionOrder
from benan.hazards import services as hazard_services

START = date(2026, 5, 11)


@pytest.fixture(autouse=True)
def fixed_day():
    with time_machine.travel(START, tick=False):
        yield


def order_page(client, case, **body):
    return client.post(
        reverse("enforcement:action", args=[case.pk, "suspend"]),
        {
            "start_date": "2026-05-12",
            "scope": "全厂停产",
            "lifting_conditions": "完成应急预案修订并组织演练",
            **body,
        },
    )


def test_a_suspension_is_ordered_and_lifted_from_the_pages(
    client, case_in, wuhou_ent, wuhou_inspector, cd_office, admin
):
    case = case_in("decided", wuhou_ent)
    client.force_login(wuhou_inspector)
    response = order_page(client, case, scope="")
    assert response.status_code == 422 and "必须填写停产整顿范围" in response.content.decode()
    assert order_page(client, case).status_code == 302
    order = SuspensionOrder.objects.get()
    assert order.state == "in_force" and order.start_date == date(2026, 5, 12)
    # A second order is refused while one is in force.
    response = order_page(client, case)
    assert response.status_code == 409 and "不能重复下达" in response.content.decode()

    # The enterprise page shows the order; from its start the status is 停产整顿.
    with time_machine.travel(date(2026, 5, 20), tick=False):
        client.force_login(wuhou_inspector)
        page = client.get(reverse("enterprises:detail", args=[wuhou_ent.pk])).content.decode()
        assert 'id="suspension-in-force"' in page and order.number in page
        assert 'data-status="suspended"' in page
        assert case.number in page
        # The inspector sees the order but the lifting form belongs to the office.
        detail = client.get(reverse("enforcement:detail", args=[case.pk])).content.decode()
        assert reverse("enforcement:suspension_docx", args=[order.pk]) in detail
        assert f'id="lift-{order.pk}"' not in detail
        assert client.post(reverse("enforcement:lift", args=[order.pk]), {}).status_code == 403
        listing = client.get(reverse("enforcement:suspensions"), {"state": "in_force"}).content.decode()
        assert order.number in listing

        inspection = hazard_services.record_inspection(
            actor=admin, enterprise=wuhou_ent, source="department", day=date(2026, 5, 19)
        )
        client.force_login(cd_office)
        detail = client.get(reverse("enforcement:detail", args=[case.pk])).content.decode()
        assert f'id="lift-{order.pk}"' in detail and f"#{inspection.pk} 2026-05-19" in detail
        lift = reverse("enforcement:lift", args=[order.pk])
        response = client.post(lift, {"lifted_on": "2026-05-20"})
        assert response.status_code == 422 and "解除停产整顿须先经复查" in response.content.decode()
        response = client.post(
            lift, {"inspection": inspection.pk, "lifted_on": "2026-05-20", "comment": "复查合格"}
        )
        assert response.status_code == 302
        order.refresh_from_db()
        assert order.state == "lifted" and order.verification == inspection
        page = client.get(reverse("enterprises:detail", args=[wuhou_ent.pk])).content.decode()
        assert 'id="suspension-in-force"' not in page and 'data-status="normal"' in page
        assert ">解除停产整顿<" in client.get(reverse("enforcement:detail", args=[case.pk])).content.decode()


def test_the_list_keeps_to_the_scope(client, case_in, wuhou_ent, jinjiang_ent, cd_office, jinjiang_inspector):
    from benan.enforcement import services

    case = case_in("decided", wuhou_ent)
    order = services.order_suspension(
        actor=cd_office, case=case, start_date=START, scope="全厂", lifting_conditions="整改到位"
    )
    client.force_login(jinjiang_inspector)
    text = client.get(reverse("enforcement:suspensions")).content.decode()
    assert order.number not in text and "还没有停产整顿指令" in text
    assert client.post(reverse("enforcement:lift", args=[order.pk]), {}).status_code == 403  # not a head
    client.force_login(cd_office)
    assert order.number in client.get(reverse("enforcement:suspensions")).content.decode()
    assert client.get(reverse("enforcement:suspensions"), {"year": "x"}).status_code == 400


def test_the_enterprise_page_lists_its_latest_cases(
    client, case_in, wuhou_ent, wuhou_inspector, jinjiang_ent
):
    cases = [case_in("opened", wuhou_ent) for _ in range(11)]
    other = case_in("opened", jinjiang_ent)
    client.force_login(wuhou_inspector)
    page = client.get(reverse("enterprises:detail", args=[wuhou_ent.pk])).content.decode()
    assert 'id="enterprise-cases"' in page
    assert cases[-1].number in page and cases[0].number not in page  # the latest 10
    assert "共 11 件" in page and other.number not in page
    assert f"{reverse('enforcement:list')}?enterprise={wuhou_ent.pk}" in page
    listing = client.get(reverse("enforcement:list"), {"enterprise": wuhou_ent.pk}).content.decode()
    assert cases[0].number in listing and wuhou_ent.name in listing
