"""The published investigation reports: no login, only published ones, and the report file of a
published investigation (anything else is missing)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from benan.accidents import services

NOW = datetime(2026, 5, 11, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def fixed_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def investigated(accident, admin, pdf):
    """`investigated(enterprise, publish)` → an investigation submitted and replied (and published)."""

    def make(enterprise, publish: bool, summary: str):
        made = accident(enterprise)
        inv = services.open_investigation(
            actor=admin, accident=made, team="调查组", started_on=date(2026, 5, 11)
        )
        inv = services.submit_report(
            actor=admin, investigation=inv, attachment_id=pdf(admin).pk, summary=summary
        )
        inv = services.reply(actor=admin, investigation=inv, reply="同意调查报告的意见")
        if publish:
            inv = services.publish(actor=admin, investigation=inv)
        return inv

    return make


def test_the_public_page_works_logged_out_and_shows_only_published_reports(
    client, investigated, wuhou_ent, jinjiang_ent, mianyang_ent
):
    public = investigated(wuhou_ent, True, "冲压机联锁失效导致的一般生产安全责任事故")
    hidden = investigated(jinjiang_ent, False, "尚未公布的调查结论")
    response = client.get(reverse("accidents:published"))
    text = response.content.decode()
    assert response.status_code == 200 and "工作人员登录" in text
    assert wuhou_ent.name in text and "冲压机联锁失效导致的一般生产安全责任事故" in text
    assert "成都市武侯区人民政府" in text and "同意调查报告的意见" in text and "2026-05-11" in text
    assert "一般事故" in text and "一号车间冲压工段" in text
    assert jinjiang_ent.name not in text and "尚未公布的调查结论" not in text
    assert reverse("accidents:published_file", args=[public.pk]) in text

    file = client.get(reverse("accidents:published_file", args=[public.pk]))
    assert file.status_code == 200 and file["Content-Type"] == "application/pdf"
    assert b"".join(file.streaming_content).startswith(b"%PDF-")
    assert client.get(reverse("accidents:published_file", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("accidents:published_file", args=[99999])).status_code == 404

    searched = client.get(reverse("accidents:published"), {"q": "绵阳"}).content.decode()
    assert "没有找到“绵阳”" in searched and wuhou_ent.name not in searched
    assert wuhou_ent.name in client.get(reverse("accidents:published"), {"q": "武侯"}).content.decode()


def test_an_empty_public_page(client, db):
    text = client.get(reverse("accidents:published")).content.decode()
    assert "还没有公布的事故调查报告" in text
