"""`benan report monthly`: the circular is read back with python-docx and every figure in it is
checked against the statistics endpoints for the same region and month; a month without data
gives zeros and says so; bad input is a clear error and writes nothing.
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from benan.core import clock
from benan.core.models import User
from benan.core.period import Period

SECTIONS = ["一、总体情况", "二、隐患排查治理情况", "三、行政执法情况", "四、生产安全事故情况",
            "五、各市（州）主要指标排名", "六、存在的问题", "七、工作要求"]


def report(tmp_path: Path, region: str, month: str, name: str = "circular.docx", **options) -> Document:
    out = tmp_path / name
    call_command("report", "monthly", region=region, month=month, out=str(out), stdout=StringIO(), **options)
    return Document(str(out))


def text_of(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def table(document, caption_start: str) -> list[list[str]]:
    """The rows of the table whose caption paragraph starts with `caption_start` (表1…)."""
    captions = [p.text for p in document.paragraphs if re.match(r"^表\d", p.text)]
    index = next(i for i, c in enumerate(captions) if c.startswith(caption_start))
    return [[cell.text for cell in row.cells] for row in document.tables[index].rows]


def number(text: str, pattern: str) -> int:
    match = re.search(pattern, text)
    assert match, pattern
    return int(match.group(1))


def last_month() -> Period:
    today = clock.today()
    return Period.month(today.year, today.month).previous_month()


def stats(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.slow
def test_the_province_circular_states_the_statistics_of_the_month(api, demo, tmp_path):
    month = last_month()
    document = report(tmp_path, "510000", month.key)
    text = text_of(document)
    client = api(User.objects.get(username="sc-office"))
    hazards = stats(client, "/api/v1/hazards/stats", region="510000", month=month.key)
    cases = stats(client, "/api/v1/cases/stats", region="510000", month=month.key)
    accidents = stats(client, "/api/v1/accidents/stats", region="510000", month=month.key)
    before = month.same_period_last_year()
    accidents_before = stats(client, "/api/v1/accidents/stats", region="510000", month=before.key)

    assert "四川省安全生产委员会办公室" in text and f"{month.start.year}年第{month.start.month}期" in text
    assert f"关于{month.label}全省安全生产情况的通报" in text
    positions = [text.index(title) for title in SECTIONS]
    assert positions == sorted(positions)  # numbered sections, in order

    # 一、总体情况: the sentences carry the endpoints' numbers.
    assert number(text, r"共排查发现事故隐患(\d+)项") == hazards["found"]
    assert number(text, r"其中重大事故隐患(\d+)项") == hazards["major"]
    assert number(text, r"已整改销号(\d+)项") == hazards["closed"]
    assert f"整改率{hazards['rectification_rate'] * 100:.1f}%" in text
    assert number(text, r"逾期未整改隐患(\d+)项") == hazards["overdue"]
    assert number(text, r"重大事故隐患未销号(\d+)项") == hazards["major_open"]
    assert number(text, r"挂牌督办(\d+)项") == hazards["listed"]
    assert number(text, r"违法案件(\d+)起") == cases["cases"]
    assert number(text, r"“一案双罚”(\d+)起") == cases["dual_penalty"]
    assert number(text, r"停产停业整顿(\d+)家") == cases["suspensions"]
    assert f"罚款{float(cases['fines_total_cny']) / 10000:.2f}万元" in text
    assert number(text, r"发生生产安全事故(\d+)起") == accidents["accidents"]
    assert number(text, r"起、死亡(\d+)人") == accidents["deaths"]
    assert f"与去年同期（{accidents_before['accidents']}起、死亡{accidents_before['deaths']}人）" in text

    # 表1: one row per city and a total equal to the province's statistics.
    rows = table(document, "表1")
    assert rows[0][:3] == ["市（州）", "发现隐患", "重大隐患"]
    assert len(rows) == 1 + 21 + 1
    total = rows[-1]
    assert total[0] == "合计"
    assert [int(v) for v in total[1:4]] == [hazards["found"], hazards["major"], hazards["closed"]]
    assert [int(v) for v in total[5:]] == [hazards["overdue"], hazards["major_open"], hazards["listed"]]
    chengdu = next(r for r in rows if r[0] == "成都市")
    city = stats(client, "/api/v1/hazards/stats", region="510100", month=month.key)
    assert [int(chengdu[i]) for i in (1, 2, 3, 5, 6, 7)] == [
        city["found"], city["major"], city["closed"], city["overdue"], city["major_open"], city["listed"]]
    assert sum(int(r[1]) for r in rows[1:-1]) == hazards["found"]

    # 表2: enforcement per city.
    rows = table(document, "表2")
    assert [int(v) for v in rows[-1][1:]] == [cases["cases"], cases["dual_penalty"], cases["suspensions"]]

    # 表3: accidents by grade, this month and the same month last year.
    rows = table(document, "表3")
    by_label = {r[0]: r for r in rows[1:]}
    for grade, label in (("especially_major", "特别重大事故"), ("major", "重大事故"),
                         ("relatively_major", "较大事故"), ("general", "一般事故")):
        assert int(by_label[label][1]) == accidents["by_grade"][grade]
        assert int(by_label[label][3]) == accidents_before["by_grade"][grade]
    assert int(by_label["合计"][2]) == accidents["deaths"]

    # 表4: the ranking endpoint's rows, in its order.
    ranking = stats(client, "/api/v1/ranking", region="510000", month=month.key)["rows"]
    rows = table(document, "表4")
    assert [r[1] for r in rows[1:]] == [r["region_name"] for r in ranking]
    for cells, row in zip(rows[1:], ranking, strict=True):
        assert int(cells[4]) == row["hazards_overdue"] and int(cells[5]) == row["major_open"]
        assert int(cells[7]) == row["cases"] and int(cells[9]) == row["deaths"]

    # Two charts, drawn (the CJK font is installed by the Makefile).
    assert len(document.inline_shapes) == 2

    # Generated again later, a past month says the same.
    again = report(tmp_path, "510000", month.key, name="again.docx")
    assert [[c.text for c in row.cells] for t in again.tables for row in t.rows] == [
        [c.text for c in row.cells] for t in document.tables for row in t.rows]


@pytest.mark.slow
def test_a_city_circular_ranks_its_counties(api, demo, tmp_path):
    month = last_month()
    document = report(tmp_path, "510100", month.key)
    text = text_of(document)
    assert "成都市安全生产委员会办公室" in text and "各县（市、区）安委会" in text
    rows = table(document, "表1")
    assert rows[0][0] == "县（市、区）" and len(rows) == 1 + 20 + 1  # Chengdu's 20 districts and counties
    client = api(User.objects.get(username="cd-office"))
    city = stats(client, "/api/v1/hazards/stats", region="510100", month=month.key)
    assert int(rows[-1][1]) == city["found"]


def test_a_month_without_data_gives_zeros_and_says_so(regions, tmp_path):
    document = report(tmp_path, "510000", "2020-01")
    text = text_of(document)
    assert ("2020年1月，全省未录入隐患排查、行政执法、生产安全事故和电力数据预警数据，"
            "本通报各项指标均为零。") in text
    assert "本月未发现需要通报的突出问题。" in text
    total = table(document, "表1")[-1]
    assert total == ["合计", "0", "0", "0", "100.0%", "0", "0", "0"]
    assert table(document, "表3")[-1] == ["合计", "0", "0", "0"]


def test_a_county_circular_has_no_ranking(regions, tmp_path):
    text = text_of(report(tmp_path, "510107", "2026-10"))
    assert "武侯区安全生产委员会办公室" in text and "本区划无下级区划，不作排名。" in text


@pytest.mark.parametrize("options, message", [
    ({"region": "519999", "month": "2026-10"}, "--region：行政区划代码“519999”不存在"),
    ({"region": "510000", "month": "2026-13"}, "--month：“2026-13”不是有效的月份"),
    ({"region": "510000", "month": "10/2026"}, "--month：“10/2026”不是有效的月份，格式为 YYYY-MM"),
    ({"region": "510000", "month": "2099-01"}, "--month：2099年1月尚未开始"),
    ({"region": "510000", "month": "2026-10", "out": "x.pdf"}, "--out：输出文件须以 .docx 结尾"),
    ({"region": "510000", "month": "2026-10", "user": "nobody"}, "--user：用户“nobody”不存在"),
])
def test_bad_input_is_a_clear_error_and_writes_nothing(regions, tmp_path, options, message):
    out = tmp_path / options.pop("out", "c.docx")
    with pytest.raises(CommandError) as error:
        call_command("report", "monthly", out=str(out), stdout=StringIO(), **options)
    assert message in str(error.value)
    assert not out.exists()


def test_a_user_outside_the_region_may_not_report_on_it(regions, tmp_path, wuhou_inspector):
    out = tmp_path / "c.docx"
    with pytest.raises(CommandError, match="无权查看区划 510100"):
        call_command("report", "monthly", region="510100", month="2026-10", out=str(out),
                     user="wuhou-inspector", stdout=StringIO())
    assert not out.exists()


def test_a_city_circular_leaves_out_the_provinces_unpublished_unannounced_findings(
    regions, admin, cd_office, wuhou_ent, tmp_path
):
    """Without --user the circular is the region's office's view: the province's unannounced
    inspection of a Chengdu enterprise counts in Chengdu's circular only once published."""
    from benan.hazards import services as hazard_services
    from tests.hazards.matrix import embargoed_inspection

    inspection = embargoed_inspection(wuhou_ent, by="province")
    key = f"{clock.today():%Y-%m}"

    def found(region: str, name: str) -> str:
        return table(report(tmp_path, region, key, name=name), "表1")[-1][1]

    assert found("510100", "city.docx") == "0"
    assert found("510000", "province.docx") == "1"
    hazard_services.publish_inspection(actor=admin, inspection=inspection)
    assert found("510100", "city-published.docx") == "1"
