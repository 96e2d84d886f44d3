"""Registering and editing enterprises through the pages, and the inline field check."""

from datetime import date

import pytest
from django.urls import reverse

from benan.enterprises.models import Enterprise, StatusPeriod
from tests.conftest import JINJIANG, WUHOU, make_uscc

CREATE = reverse("enterprises:create")
VALIDATE = reverse("enterprises:validate")


def edit(enterprise) -> str:
    return reverse("enterprises:edit", args=[enterprise.pk])


def valid_data(**changes) -> dict:
    data = {
        "uscc": make_uscc(WUHOU), "name": "武侯新登记有限公司", "region_code": WUHOU, "sector": "machinery",
        "address": "四川省成都市武侯区新登记路1号", "lat": "30.64", "lon": "104.04", "scale": "small",
        "legal_representative": "李四", "safety_contact": "王五", "safety_contact_phone": "13800000000",
        "status": "under_construction", "status_since": "2025-01-15",
    }
    return {**data, **changes}


def test_the_create_form_offers_the_counties_in_scope(client, cd_office):
    client.force_login(cd_office)
    response = client.get(CREATE)
    assert response.status_code == 200
    text = response.content.decode()
    assert "登记企业" in text and "统一社会信用代码" in text
    assert f'value="{WUHOU}"' in text and f'value="{JINJIANG}"' in text
    assert 'value="510703"' not in text  # 绵阳市涪城区 is outside Chengdu
    assert f'hx-post="{VALIDATE}?field=uscc"' in text


def test_a_valid_create_redirects_to_the_new_enterprise(client, wuhou_inspector):
    client.force_login(wuhou_inspector)
    data = valid_data()
    response = client.post(CREATE, data)
    enterprise = Enterprise.objects.get(uscc=data["uscc"])
    assert response.status_code == 302
    assert response.url == reverse("enterprises:detail", args=[enterprise.pk])
    assert enterprise.name == "武侯新登记有限公司" and enterprise.region_id == WUHOU
    period = StatusPeriod.objects.get(enterprise=enterprise)
    assert (period.status, period.start_date, period.end_date) == (
        "under_construction", date(2025, 1, 15), None
    )
    assert "已登记企业“武侯新登记有限公司”" in client.get(response.url).content.decode()


def test_an_invalid_uscc_shows_the_chinese_error_and_saves_nothing(client, wuhou_inspector):
    client.force_login(wuhou_inspector)
    good = make_uscc(WUHOU)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = client.post(CREATE, valid_data(uscc=bad))
    assert response.status_code == 200
    text = response.content.decode()
    assert "校验位错误" in text and "提交的信息有误" in text
    assert 'class="form-control is-invalid"' in text
    assert not Enterprise.objects.exists()


def test_every_bad_field_is_reported_at_once(client, wuhou_inspector):
    client.force_login(wuhou_inspector)
    data = valid_data(name="", lat="north", sector="bogus", status_since="15/01/2025")
    response = client.post(CREATE, data)
    errors = response.context["form"].errors
    assert set(errors) >= {"name", "lat", "sector", "status_since"}
    assert errors["name"] == ["必填"] and "不是数字" in errors["lat"][0]
    assert not Enterprise.objects.exists()


def test_a_county_outside_the_scope_is_refused(client, wuhou_inspector):
    client.force_login(wuhou_inspector)
    response = client.post(CREATE, valid_data(region_code=JINJIANG, uscc=make_uscc(JINJIANG)))
    assert response.context["form"].errors["region_code"] == ["该区县不在您的管辖范围内"]
    assert not Enterprise.objects.exists()


def test_a_duplicate_uscc_is_refused(client, wuhou_inspector, wuhou_ent):
    client.force_login(wuhou_inspector)
    response = client.post(CREATE, valid_data(uscc=wuhou_ent.uscc))
    assert "已登记，不能重复登记" in response.content.decode()
    assert Enterprise.objects.count() == 1


@pytest.mark.parametrize("actor", ["expert", "commander", "ent_wuhou"])
def test_readers_get_403_on_create_and_edit(client, request, actor, wuhou_ent):
    client.force_login(request.getfixturevalue(actor))
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, valid_data()).status_code == 403
    assert client.get(edit(wuhou_ent)).status_code == 403
    assert client.post(edit(wuhou_ent), valid_data()).status_code == 403
    assert client.post(f"{VALIDATE}?field=uscc", {"uscc": "x"}).status_code == 403
    assert Enterprise.objects.count() == 1


def test_the_edit_form_is_filled_in(client, wuhou_inspector, wuhou_ent):
    client.force_login(wuhou_inspector)
    response = client.get(edit(wuhou_ent))
    assert response.status_code == 200
    text = response.content.decode()
    assert f'value="{wuhou_ent.uscc}"' in text and f'value="{wuhou_ent.name}"' in text
    assert f'hx-post="{VALIDATE}?enterprise={wuhou_ent.pk}&amp;field=name"' in text
    assert 'name="status_since"' not in text  # the timeline changes on the detail page


def test_editing_saves_through_the_service(client, wuhou_inspector, wuhou_ent):
    client.force_login(wuhou_inspector)
    data = {**valid_data(uscc=wuhou_ent.uscc, name="武侯机械（更名）有限公司")}
    response = client.post(edit(wuhou_ent), data)
    assert response.status_code == 302
    wuhou_ent.refresh_from_db()
    assert wuhou_ent.name == "武侯机械（更名）有限公司" and wuhou_ent.safety_contact == "王五"


def test_emptying_a_required_field_on_edit_is_refused(client, wuhou_inspector, wuhou_ent):
    client.force_login(wuhou_inspector)
    response = client.post(edit(wuhou_ent), valid_data(uscc=wuhou_ent.uscc, lat=""))
    assert response.context["form"].errors["lat"] == ["不能为空"]
    wuhou_ent.refresh_from_db()
    assert wuhou_ent.name == "武侯机械制造有限公司"


def test_editing_out_of_scope_is_a_404(client, jinjiang_inspector, wuhou_ent):
    client.force_login(jinjiang_inspector)
    assert client.get(edit(wuhou_ent)).status_code == 404
    assert client.post(edit(wuhou_ent), valid_data()).status_code == 404


def test_the_inline_check_reports_a_bad_uscc(client, wuhou_inspector):
    client.force_login(wuhou_inspector)
    response = client.post(f"{VALIDATE}?field=uscc", {"uscc": "91510107ABC"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    text = response.content.decode()
    assert text.lstrip().startswith('<div class="mb-3" id="field-uscc">')
    assert "长度应为18位，实际为11位" in text and "is-invalid" in text
    assert "<html" not in text


def test_the_inline_check_marks_a_good_value_valid(client, wuhou_inspector):
    client.force_login(wuhou_inspector)
    text = client.post(f"{VALIDATE}?field=uscc", {"uscc": make_uscc(WUHOU)}).content.decode()
    assert "is-valid" in text and "通过校验" in text


def test_the_inline_check_knows_taken_codes_but_not_the_edited_one(client, wuhou_inspector, make_enterprise):
    first, second = make_enterprise(), make_enterprise()
    client.force_login(wuhou_inspector)
    taken = client.post(f"{VALIDATE}?field=uscc&enterprise={second.pk}", {"uscc": first.uscc})
    assert "已登记，不能重复登记" in taken.content.decode()
    own = client.post(f"{VALIDATE}?field=uscc&enterprise={second.pk}", {"uscc": second.uscc})
    assert "is-valid" in own.content.decode()


def test_the_inline_check_refuses_a_county_out_of_scope(client, wuhou_inspector):
    client.force_login(wuhou_inspector)
    text = client.post(f"{VALIDATE}?field=region_code", {"region_code": JINJIANG}).content.decode()
    assert "该区县不在您的管辖范围内" in text


def test_the_inline_check_refuses_unknown_fields(client, wuhou_inspector):
    client.force_login(wuhou_inspector)
    assert client.post(f"{VALIDATE}?field=password", {"password": "x"}).status_code == 400
