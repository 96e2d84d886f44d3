"""The accident list (scope, filters, columns, empty state, pagination), the accountability list
with its counts by kind, and the statistics whose numbers link to the lists behind them."""

from __future__ import annotations

import re
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


def held(admin, accident, name: str, kind: str, on: date = date(2026, 5, 11)):
    return services.record_accountability(
        actor=admin,
        accident=accident,
        person_name=name,
        position="厂长",
        unit=accident.unit_name,
        kind=kind,
        decided_by="区纪委监委",
        decided_on=on,
    )


def test_the_list_shows_the_accidents_of_the_scope_with_their_columns(
    client, accident, wuhou_ent, jinjiang_ent, mianyang_ent, cd_office, jinjiang_inspector
):
    wuhou = accident(wuhou_ent, deaths=3, serious_injuries=1, missing=2)
    jinjiang = accident(jinjiang_ent)
    mianyang = accident(mianyang_ent)
    client.force_login(cd_office)
    text = client.get(reverse("accidents:list")).content.decode()
    assert wuhou.number in text and jinjiang.number in text and mianyang.number not in text
    for column in (
        "编号",
        "事故发生单位",
        "发生时间",
        "地点",
        "等级",
        "死亡/重伤/下落不明",
        "直接经济损失",
        "调查状态",
    ):
        assert column in text
    assert 'data-grade="relatively_major">较大事故</span>' in text and "text-bg-warning" in text
    assert "3</span> / 1 / 2" in text and "未成立调查组" in text
    assert 'id="report-accident"' in text

    client.force_login(jinjiang_inspector)
    text = client.get(reverse("accidents:list")).content.decode()
    assert jinjiang.number in text and wuhou.number not in text and wuhou_ent.name not in text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"grade": "relatively_major"}, {"wuhou"}),
        ({"kind": "fire"}, {"jinjiang"}),
        ({"region": "510104"}, {"jinjiang"}),
        ({"region": "510100"}, {"wuhou", "jinjiang"}),
        ({"year": "2026"}, {"wuhou", "jinjiang", "mianyang"}),
        ({"year": "2025"}, set()),
        ({"q": "锦江"}, {"jinjiang"}),
    ],
)
def test_the_filters(client, accident, wuhou_ent, jinjiang_ent, mianyang_ent, sc_office, params, expected):
    made = {
        "wuhou": accident(wuhou_ent, deaths=3),
        "jinjiang": accident(jinjiang_ent, kind="fire"),
        "mianyang": accident(mianyang_ent),
    }
    client.force_login(sc_office)
    response = client.get(reverse("accidents:list"), params, headers={"HX-Request": "true"})
    text = response.content.decode()
    assert response.status_code == 200 and "<html" not in text
    assert {key for key, a in made.items() if a.number in text} == expected
    if not expected:
        assert "没有符合条件的生产安全事故" in text and "清除筛选条件" in text


@pytest.fixture
def on_the_days(accident, wuhou_ent):
    """Accidents at the edges of 1 May (Beijing time), for the date filter."""
    return {
        name: accident(wuhou_ent, occurred_at=at)
        for name, at in (
            ("apr30", "2026-04-30T23:59:00+08:00"),
            ("may1", "2026-05-01T00:00:00+08:00"),
            ("may10", "2026-05-10T23:59:00+08:00"),
        )
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"date_from": "2026-05-01"}, {"may1", "may10"}),
        ({"date_to": "2026-04-30"}, {"apr30"}),
        ({"date_from": "2026-05-01", "date_to": "2026-05-01"}, {"may1"}),
        ({"date_from": "2026-04-30", "date_to": "2026-05-10"}, {"apr30", "may1", "may10"}),
        ({"date_from": "2026-05-11"}, set()),
        ({"year": "2026", "date_to": "2026-04-30"}, {"apr30"}),
        ({"year": "2025", "date_from": "2026-04-30"}, set()),
    ],
)
def test_the_days_filter_counts_whole_beijing_days(client, on_the_days, sc_office, params, expected):
    client.force_login(sc_office)
    text = client.get(reverse("accidents:list"), params, headers={"HX-Request": "true"}).content.decode()
    assert {key for key, a in on_the_days.items() if a.number in text} == expected


def test_the_days_filter_keeps_its_values_and_names_bad_ones(client, sc_office):
    client.force_login(sc_office)
    text = client.get(reverse("accidents:list"), {"date_from": "2026-05-01"}).content.decode()
    assert 'name="date_from" id="filter-date-from" value="2026-05-01"' in text
    for params, message in (
        ({"date_from": "2026/05/01"}, "“2026/05/01”不是有效的日期，格式为 YYYY-MM-DD"),
        ({"date_to": "20260501"}, "“20260501”不是有效的日期"),
        ({"date_from": "2026-02-30"}, "“2026-02-30”不是有效的日期"),
        ({"date_from": "2026-05-10", "date_to": "2026-05-01"}, "结束日期不能早于开始日期"),
        ({"date_from": "1900-01-01"}, "年份必须在 1990 到 2100 之间"),
    ):
        response = client.get(reverse("accidents:list"), params)
        assert response.status_code == 400 and message in response.content.decode(), params


def test_the_api_filters_by_the_days_too(api, on_the_days, sc_office):
    client = api(sc_office)
    body = client.get("/api/v1/accidents", {"date_from": "2026-05-01", "date_to": "2026-05-09"}).json()
    assert [item["number"] for item in body["items"]] == [on_the_days["may1"].number]
    response = client.get("/api/v1/accidents", {"date_from": "2026-05-10", "date_to": "2026-05-01"})
    assert response.status_code == 422
    assert {"field": "date_to", "message": "结束日期不能早于开始日期"} in response.json()["errors"]


def test_bad_filters_are_named(client, sc_office):
    client.force_login(sc_office)
    response = client.get(reverse("accidents:list"), {"grade": "huge", "year": "今年"})
    text = response.content.decode()
    assert response.status_code == 400 and "年份“今年”不是整数" in text
    response = client.get(reverse("accidents:list"), {"grade": "huge"})
    assert response.status_code == 400 and "“huge”不是可选等级" in response.content.decode()


def test_an_empty_list_and_pagination(client, accident, wuhou_ent, wuhou_inspector):
    client.force_login(wuhou_inspector)
    assert "还没有生产安全事故" in client.get(reverse("accidents:list")).content.decode()
    made = [accident(wuhou_ent) for _ in range(21)]
    first = client.get(reverse("accidents:list")).content.decode()
    assert '共 <strong id="result-count">21</strong> 起事故' in first and "下一页" in first
    second = client.get(reverse("accidents:list"), {"page": "2"}).content.decode()
    assert sum(a.number in second for a in made) == 1


def test_the_accountability_list_counts_by_kind(
    client, accident, wuhou_ent, jinjiang_ent, admin, cd_office, jinjiang_inspector, ent_wuhou
):
    wuhou, jinjiang = accident(wuhou_ent), accident(jinjiang_ent)
    held(admin, wuhou, "张三", "discipline")
    held(admin, wuhou, "李四", "criminal")
    held(admin, jinjiang, "王五", "discipline")
    client.force_login(cd_office)
    text = client.get(reverse("accidents:accountability")).content.decode()
    assert all(name in text for name in ("张三", "李四", "王五"))
    assert 'id="count-total">3<' in text
    assert re.search(r'data-kind="discipline"[^>]*>2<', text) and re.search(
        r'data-kind="criminal"[^>]*>1<', text
    )
    only = client.get(reverse("accidents:accountability"), {"kind": "criminal"}).content.decode()
    assert "李四" in only and "张三" not in only
    client.force_login(jinjiang_inspector)
    text = client.get(reverse("accidents:accountability")).content.decode()
    assert "王五" in text and "张三" not in text
    assert (
        "没有符合条件的责任追究记录"
        in client.get(reverse("accidents:accountability"), {"year": "2025"}).content.decode()
    )
    client.force_login(ent_wuhou)
    assert client.get(reverse("accidents:accountability")).status_code == 403


def test_the_statistics_link_each_number_to_its_list(
    client, accident, wuhou_ent, jinjiang_ent, mianyang_ent, admin, cd_office, ent_wuhou
):
    wuhou = accident(wuhou_ent, deaths=3, serious_injuries=2)
    accident(jinjiang_ent, deaths=1)
    accident(mianyang_ent, deaths=12)
    held(admin, wuhou, "张三", "discipline")
    client.force_login(cd_office)
    response = client.get(reverse("accidents:stats"), {"year": "2026"})
    text = response.content.decode()
    assert response.status_code == 200 and "成都市" in text
    assert re.search(r'id="stat-accidents">.*?fs-3 fw-semibold">2<', text, re.S)
    assert re.search(r'id="stat-deaths">.*?fs-3 fw-semibold">4<', text, re.S)
    link = reverse("accidents:list") + "?region=510100&amp;year=2026&amp;grade=relatively_major"
    assert f'href="{link}" data-grade="relatively_major" class="fw-semibold">1<' in text
    assert 'data-grade="major" class="fw-semibold">0<' in text  # the Mianyang one is outside Chengdu
    kind_link = reverse("accidents:accountability") + "?region=510100&amp;year=2026&amp;kind=discipline"
    assert f'href="{kind_link}" data-kind="discipline" class="fw-semibold">1<' in text
    # The number behind the link is the list's count.
    listed = client.get(
        reverse("accidents:list"), {"region": "510100", "year": "2026", "grade": "relatively_major"}
    )
    assert wuhou.number in listed.content.decode()
    assert client.get(reverse("accidents:stats"), {"region": "510700"}).status_code == 404
    client.force_login(ent_wuhou)
    assert client.get(reverse("accidents:stats")).status_code == 403
