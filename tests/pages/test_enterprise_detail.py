"""The enterprise detail page: fields, status timeline, history, scope, and status changes."""

from datetime import date

import pytest
from django.urls import reverse

from benan.core.models import AuditEntry
from benan.enterprises import services
from benan.enterprises.models import StatusPeriod


def detail(enterprise) -> str:
    return reverse("enterprises:detail", args=[enterprise.pk])


def change(enterprise) -> str:
    return reverse("enterprises:change_status", args=[enterprise.pk])


def test_it_shows_the_fields_the_timeline_and_the_history(client, wuhou_inspector, make_enterprise, admin):
    enterprise = make_enterprise(
        name="武侯精细化工有限公司", sector="hazardous_chemicals", scale="small",
        safety_contact="张三", safety_contact_phone="028-85550000", status_since=date(2019, 6, 1),
    )
    services.change_status(
        actor=admin, enterprise=enterprise, status="suspended", start_date=date(2024, 3, 1), reason="重大隐患"
    )
    client.force_login(wuhou_inspector)
    response = client.get(detail(enterprise))
    assert response.status_code == 200
    text = response.content.decode()
    for expected in (
        "武侯精细化工有限公司", enterprise.uscc, "成都市武侯区", "危险化学品", "小型", "张三", "028-85550000",
        "状态时间线", "2019-06-01", "2024-02-29", "2024-03-01", "至今", "重大隐患",
        "变更记录", "登记企业", "变更状态", "admin",
    ):
        assert expected in text, expected
    assert 'data-status="suspended">停产整顿' in text


@pytest.mark.parametrize("actor", ["wuhou_inspector", "ent_wuhou", "jinjiang_inspector"])
def test_an_enterprise_out_of_scope_is_a_404(client, request, actor, wuhou_ent, jinjiang_ent, mianyang_ent):
    user = request.getfixturevalue(actor)
    client.force_login(user)
    hidden = mianyang_ent if actor == "jinjiang_inspector" else jinjiang_ent
    assert client.get(detail(hidden)).status_code == 404
    assert client.get(reverse("enterprises:detail", args=[999999])).status_code == 404


def test_the_enterprise_user_reads_its_own_page_without_the_status_form(client, ent_wuhou, wuhou_ent):
    client.force_login(ent_wuhou)
    response = client.get(detail(wuhou_ent))
    assert response.status_code == 200
    text = response.content.decode()
    assert wuhou_ent.name in text
    assert change(wuhou_ent) not in text and reverse("enterprises:edit", args=[wuhou_ent.pk]) not in text


def test_a_writer_sees_the_status_form(client, wuhou_inspector, wuhou_ent):
    client.force_login(wuhou_inspector)
    text = client.get(detail(wuhou_ent)).content.decode()
    assert f'action="{change(wuhou_ent)}"' in text


def test_changing_the_status_starts_a_new_timeline_period(client, wuhou_inspector, wuhou_ent):
    client.force_login(wuhou_inspector)
    response = client.post(
        change(wuhou_ent), {"status": "suspended", "start_date": "2025-04-01", "reason": "责令停产整顿"}
    )
    assert response.status_code == 302 and response.url == detail(wuhou_ent)
    periods = list(StatusPeriod.objects.filter(enterprise=wuhou_ent).order_by("start_date"))
    assert [(p.status, p.start_date, p.end_date) for p in periods] == [
        ("normal", date(2020, 1, 1), date(2025, 3, 31)),
        ("suspended", date(2025, 4, 1), None),
    ]
    page = client.get(response.url).content.decode()
    assert "状态已变更为“停产整顿”，自 2025-04-01 起" in page
    assert "责令停产整顿" in page
    assert AuditEntry.objects.filter(
        action="enterprises.enterprise.status_changed", object_id=str(wuhou_ent.pk)
    ).exists()


def test_a_status_change_the_service_refuses_shows_its_error(client, wuhou_inspector, wuhou_ent):
    client.force_login(wuhou_inspector)
    response = client.post(change(wuhou_ent), {"status": "suspended", "start_date": "2019-01-01"})
    assert response.status_code == 200
    assert "不能早于当前状态的开始日期 2020-01-01" in response.content.decode()
    assert StatusPeriod.objects.filter(enterprise=wuhou_ent).count() == 1


def test_a_bad_status_form_shows_chinese_errors(client, wuhou_inspector, wuhou_ent):
    client.force_login(wuhou_inspector)
    response = client.post(change(wuhou_ent), {"status": "bogus", "start_date": "2025/04/01"})
    text = response.content.decode()
    assert "请选择可选的状态" in text and "日期格式应为 YYYY-MM-DD" in text
    assert 'is-invalid' in text


@pytest.mark.parametrize("actor", ["expert", "commander", "ent_wuhou"])
def test_readers_cannot_change_the_status(client, request, actor, wuhou_ent):
    client.force_login(request.getfixturevalue(actor))
    response = client.post(change(wuhou_ent), {"status": "closed", "start_date": "2025-04-01"})
    assert response.status_code == 403
    assert StatusPeriod.objects.filter(enterprise=wuhou_ent).count() == 1


def test_a_writer_cannot_change_the_status_out_of_scope(client, jinjiang_inspector, wuhou_ent):
    client.force_login(jinjiang_inspector)
    response = client.post(change(wuhou_ent), {"status": "closed", "start_date": "2025-04-01"})
    assert response.status_code == 404


def test_the_status_change_needs_a_post(client, wuhou_inspector, wuhou_ent):
    client.force_login(wuhou_inspector)
    assert client.get(change(wuhou_ent)).status_code == 405


def test_the_history_shows_edits_in_chinese(client, wuhou_inspector, wuhou_ent, admin):
    services.update_enterprise(actor=admin, enterprise=wuhou_ent, data={"sector": "textile"})
    client.force_login(wuhou_inspector)
    text = client.get(detail(wuhou_ent)).content.decode()
    assert "修改信息" in text and "行业：机械 → 纺织" in text
