"""Criminal referrals from the pages: reported on the case, approved by the head, transferred and
answered, with the deadlines and their overdue marks."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from benan.enforcement import services
from benan.enforcement.models import CriminalReferral

START = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def fixed_day():
    with time_machine.travel(START, tick=False):
        yield


def action(referral, name: str) -> str:
    return reverse("enforcement:referral_action", args=[referral.pk, name])


def test_a_referral_walks_from_the_case_page(client, case_in, wuhou_ent, wuhou_inspector, cd_office):
    case = case_in("investigating", wuhou_ent)
    detail = reverse("enforcement:detail", args=[case.pk])
    client.force_login(wuhou_inspector)
    refer = reverse("enforcement:action", args=[case.pk, "refer"])
    response = client.post(refer, {"category": "", "report": "违章指挥"})
    assert response.status_code == 422 and "涉嫌犯罪类别“”不是可选值" in response.content.decode()
    assert (
        client.post(refer, {"category": "major_liability", "report": "违章指挥致一人重伤"}).status_code == 302
    )
    referral = CriminalReferral.objects.get()
    page = client.get(detail).content.decode()
    assert "重大责任事故" in page and "审批期限" in page and "2026-03-05" in page
    assert f'id="referral-{referral.pk}-approve"' not in page  # the head approves
    assert client.post(action(referral, "approve")).status_code == 403

    client.force_login(cd_office)
    page = client.get(detail).content.decode()
    assert f'id="referral-{referral.pk}-approve"' in page and f'id="referral-{referral.pk}-refuse"' in page
    assert client.post(action(referral, "approve")).status_code == 302
    assert "移送期限" in client.get(detail).content.decode()

    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        client.force_login(wuhou_inspector)
        response = client.post(action(referral, "transfer"), {"receiving_organ": ""})
        assert response.status_code == 422 and "必须填写接收的公安机关" in response.content.decode()
        assert (
            client.post(
                action(referral, "transfer"), {"receiving_organ": "成都市公安局武侯区分局"}
            ).status_code
            == 302
        )
        page = client.get(detail).content.decode()
        assert "移送超时" in page  # one hour after the 24 hours

    with time_machine.travel(date(2026, 3, 10), tick=False):
        client.force_login(wuhou_inspector)
        response = client.post(action(referral, "result"), {"result": "已立案侦查"})
        assert response.status_code == 422 and "请选择公安机关的决定" in response.content.decode()
        response = client.post(
            action(referral, "result"), {"accepted": "1", "result": "已立案侦查", "feedback_on": "2026-03-09"}
        )
        assert response.status_code == 302
        referral.refresh_from_db()
        assert referral.state == "accepted" and referral.result == "已立案侦查"
        listing = client.get(reverse("enforcement:referrals"), {"state": "accepted"}).content.decode()
        assert case.number in listing and "公安已立案" in listing


def test_a_late_decision_is_red_in_the_list(client, case_in, wuhou_ent, cd_office, jinjiang_inspector):
    case = case_in("investigating", wuhou_ent)
    referral = services.refer(actor=cd_office, case=case, category="fire", report="失火")
    with time_machine.travel(date(2026, 3, 6), tick=False):
        client.force_login(cd_office)
        text = client.get(reverse("enforcement:referrals")).content.decode()
        assert case.number in text and "table-danger" in text and "超期" in text
        client.force_login(jinjiang_inspector)
        assert case.number not in client.get(reverse("enforcement:referrals")).content.decode()
        assert client.post(action(referral, "transfer"), {"receiving_organ": "x"}).status_code == 404
    assert client.post(action(referral, "fly")).status_code == 404


def test_a_refusal_needs_a_reason(client, case_in, wuhou_ent, cd_office):
    case = case_in("investigating", wuhou_ent)
    referral = services.refer(actor=cd_office, case=case, category="other", report="非法储存爆炸物")
    client.force_login(cd_office)
    response = client.post(action(referral, "refuse"), {"reason": ""})
    assert response.status_code == 422 and "必须填写不予移送的理由" in response.content.decode()
    assert "border-danger" in response.content.decode()
    assert client.post(action(referral, "refuse"), {"reason": "未达到刑事立案标准"}).status_code == 302
    referral.refresh_from_db()
    assert referral.state == "not_approved"
    # A refused referral is final: transferring it is a 409 with the reason.
    response = client.post(action(referral, "transfer"), {"receiving_organ": "公安"})
    assert response.status_code == 409 and "不能执行“移送公安机关”" in response.content.decode()
