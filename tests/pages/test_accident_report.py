"""The initial report page (事故快报) and the grade calculator: the grade is computed from the figures,
never typed; the chain follows from it; bad input names its field and saves nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from benan.accidents.models import Accident, AccidentReport, ReportingStep

NOW = datetime(2026, 5, 11, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def fixed_time():
    with time_machine.travel(NOW, tick=False):
        yield


def report_data(enterprise=None, **overrides) -> dict:
    data = {
        "kind": "industrial",
        "occurred_at": "2026-05-11T08:00",
        "known_at": "2026-05-11T08:20",
        "place": "一号车间冲压工段",
        "unit_overview": "机械制造，职工120人",
        "scene": "冲压机旁，设备已停机",
        "summary": "操作工清理模具时设备误启动，造成挤压伤亡",
        "deaths": "3",
        "serious_injuries": "1",
        "minor_injuries": "2",
        "missing": "0",
        "direct_loss_cny": "2500000",
        "measures": "立即停机、切断电源，组织救治伤员，保护现场",
        "other": "",
        "lat": "",
        "lon": "",
    }
    if enterprise is not None:
        data["enterprise"] = enterprise.pk
    data.update(overrides)
    return data


def test_reporting_through_the_page_computes_the_grade_and_lays_out_the_chain(client, cd_office, wuhou_ent):
    client.force_login(cd_office)
    response = client.post(reverse("accidents:report"), report_data(wuhou_ent))
    accident = Accident.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("accidents:detail", args=[accident.pk])
    assert accident.grade == "relatively_major" and accident.decided_by == ["deaths"]
    assert accident.enterprise == wuhou_ent and accident.region_id == "510107"
    assert accident.unit_name == wuhou_ent.name and accident.serious_injuries == 1
    # 较大事故: county, city and province must be told, 1 h after the head knew, then 2 h per level.
    steps = {
        s.level: s.due_at.astimezone(NOW.tzinfo) for s in ReportingStep.objects.filter(accident=accident)
    }
    assert steps == {
        "county": datetime(2026, 5, 11, 9, 20, tzinfo=NOW.tzinfo),
        "city": datetime(2026, 5, 11, 11, 20, tzinfo=NOW.tzinfo),
        "province": datetime(2026, 5, 11, 13, 20, tzinfo=NOW.tzinfo),
    }
    page = client.get(response.url).content.decode()
    assert "较大事故" in page and "已报告事故" in page
    assert "定级依据：死亡人数达到较大事故标准" in page
    for level in ("县级", "市级", "省级"):
        assert level in page
    # The county step is already overdue (09:20 < 10:00): red, with how long.
    assert "已超时 40 分" in page and "table-danger" in page


def test_the_grade_is_shown_live_from_the_figures(client, wuhou_inspector):
    client.force_login(wuhou_inspector)
    form = client.get(reverse("accidents:report")).content.decode()
    assert f'hx-get="{reverse("accidents:grade")}"' in form and 'id="grade-result"' in form
    # No grade field to type.
    assert 'name="grade"' not in form
    partial = client.get(
        reverse("accidents:grade"),
        {"deaths": "3", "serious_injuries": "0", "direct_loss_cny": "0"},
        headers={"HX-Request": "true"},
    )
    text = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in text
    assert "较大事故" in text and "事故发生地设区的市级人民政府" in text
    assert "县级：1 小时内" in text and "省级：5 小时内" in text
    bad = client.get(reverse("accidents:grade"), {"deaths": "-1"}, headers={"HX-Request": "true"})
    assert bad.status_code == 400 and "死亡人数不能为负数" in bad.content.decode()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"deaths": "-1"}, "deaths", "死亡人数不能为负数"),
        ({"deaths": "两人"}, "deaths", "死亡人数必须是整数"),
        ({"occurred_at": "2026-05-11T11:00"}, "occurred_at", "事故发生时间不能晚于现在"),
        ({"summary": "  "}, "summary", "必须填写事故简要经过"),
        ({"kind": ""}, "kind", "事故类型"),
        ({"occurred_at": "昨天"}, "occurred_at", "时间格式应为"),
        ({"lat": "北纬30度"}, "lat", "纬度必须是数字"),
        ({"direct_loss_cny": "-5"}, "direct_loss_cny", "直接经济损失不能为负数"),
    ],
)
def test_bad_input_is_named_on_its_field_and_nothing_is_saved(
    client, wuhou_inspector, wuhou_ent, change, field, message
):
    client.force_login(wuhou_inspector)
    response = client.post(reverse("accidents:report"), report_data(wuhou_ent, **change))
    assert response.status_code == 422
    text = response.content.decode()
    assert f'id="id_{field}_error"' in text and message in text, text[:200]
    assert "事故尚未保存" in text
    assert not Accident.objects.exists() and not AccidentReport.objects.exists()
    assert not ReportingStep.objects.exists()
    # What was typed is kept.
    assert "一号车间冲压工段" in text


def test_a_unit_outside_the_registry_and_a_county_of_the_scope(client, cd_office):
    client.force_login(cd_office)
    data = report_data(
        unit_name="个体户张某某（无证经营）", region_code="510104", deaths="0", direct_loss_cny="10"
    )
    response = client.post(reverse("accidents:report"), data)
    assert response.status_code == 302
    accident = Accident.objects.get()
    assert accident.enterprise is None and accident.region_id == "510104" and accident.grade == "general"
    assert set(accident.steps.values_list("level", flat=True)) == {"county", "city"}
    # A county outside Chengdu is not offered, and refused if posted.
    bad = client.post(reverse("accidents:report"), {**data, "region_code": "510703"})
    assert bad.status_code == 422 and "请选择您管辖范围内的区县" in bad.content.decode()
    assert Accident.objects.count() == 1
    # Neither a unit nor a county: both named.
    none = client.post(reverse("accidents:report"), {**data, "unit_name": "", "region_code": ""})
    text = none.content.decode()
    assert none.status_code == 422 and "必须填写事故发生单位" in text and "必须填写事故发生地所在区县" in text


def test_an_enterprise_outside_the_scope_is_missing(client, jinjiang_inspector, wuhou_ent):
    client.force_login(jinjiang_inspector)
    assert client.post(reverse("accidents:report"), report_data(wuhou_ent)).status_code == 404
    assert client.get(reverse("accidents:report"), {"enterprise": wuhou_ent.pk}).status_code == 404
    assert not Accident.objects.exists()


def test_an_enterprise_reports_its_own_accident_only(client, ent_wuhou, wuhou_ent, jinjiang_ent):
    client.force_login(ent_wuhou)
    form = client.get(reverse("accidents:report")).content.decode()
    assert wuhou_ent.name in form and 'name="region_code"' not in form and 'name="enterprise"' not in form
    assert client.post(reverse("accidents:report"), report_data(jinjiang_ent)).status_code == 404
    response = client.post(reverse("accidents:report"), report_data(region_code="510104"))
    assert response.status_code == 302
    accident = Accident.objects.get()
    assert accident.enterprise == wuhou_ent and accident.region_id == wuhou_ent.region_id


def test_the_unit_search_swaps_only_the_select(client, wuhou_inspector, wuhou_ent, jinjiang_ent):
    client.force_login(wuhou_inspector)
    response = client.get(
        reverse("accidents:report"), {"pick": "1", "q": "武侯"}, headers={"HX-Request": "true"}
    )
    text = response.content.decode()
    assert 'id="enterprise-field"' in text and "<html" not in text
    assert wuhou_ent.name in text and jinjiang_ent.name not in text


def test_an_expert_may_not_report(client, expert):
    client.force_login(expert)
    assert client.get(reverse("accidents:report")).status_code == 403
    assert client.post(reverse("accidents:report"), report_data()).status_code == 403
    text = client.get(reverse("accidents:list")).content.decode()
    assert "事故快报" not in text


@pytest.mark.parametrize(
    ("figures", "name", "decided_by"),
    [
        # Below every higher band: each criterion is within 一般事故.
        (
            {"deaths": "2", "serious_injuries": "9", "direct_loss_cny": "9999999.99"},
            "一般事故",
            "死亡人数、重伤人数（包括急性工业中毒）、直接经济损失（元）",
        ),
        ({"deaths": "3"}, "较大事故", "死亡人数"),
        ({"serious_injuries": "10"}, "较大事故", "重伤人数（包括急性工业中毒）"),
        ({"direct_loss_cny": "50000000"}, "重大事故", "直接经济损失（元）"),
        ({"deaths": "10", "serious_injuries": "50"}, "重大事故", "死亡人数、重伤人数（包括急性工业中毒）"),
        ({"deaths": "30"}, "特别重大事故", "死亡人数"),
    ],
)
def test_the_calculator_applies_the_boundaries(client, expert, figures, name, decided_by):
    client.force_login(expert)
    response = client.get(reverse("accidents:grade"), figures)
    text = response.content.decode()
    assert response.status_code == 200
    assert 'data-grade="' in text and f">{name}</span>" in text
    assert f"{decided_by}达到{name}标准" in text
    assert "以上含本数，以下不含本数" in text


def test_the_calculator_page_without_figures_shows_the_rules(client, ent_wuhou):
    client.force_login(ent_wuhou)
    response = client.get(reverse("accidents:grade"))
    text = response.content.decode()
    assert response.status_code == 200 and 'id="grade-empty"' in text
    for grade in ("特别重大事故", "重大事故", "较大事故", "一般事故"):
        assert grade in text
    assert "以上含本数，以下不含本数" in text
    bad = client.get(reverse("accidents:grade"), {"deaths": "1.5", "direct_loss_cny": "-1"})
    assert bad.status_code == 400
    assert "死亡人数必须是整数" in bad.content.decode() and "直接经济损失不能为负数" in bad.content.decode()
