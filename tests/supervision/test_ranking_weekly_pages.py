"""The ranking (晾晒), the weekly dispatch sheet (周调度表) and the monthly circular (月度通报) pages:
what they show, their sorting and period choices, their downloads (XLSX, .docx), and bad input shown
as a message in Chinese (never a 500); enterprises get 403 and a region outside the scope 404 (on
the circular, a form error)."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from benan.core import clock
from benan.core.period import Period
from benan.supervision import figures
from tests.conftest import CHENGDU, FUCHENG, JINJIANG, SICHUAN, WUHOU
from tests.hazards.matrix import hazard_of

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def text_of(response) -> str:
    return response.content.decode()


def row_order(response) -> list[str]:
    return re.findall(r'<tr data-region="(\d{6})">', text_of(response))


@pytest.fixture
def hazards(wuhou_ent, jinjiang_ent, mianyang_ent):
    """Two open major hazards in 武侯区 (成都), one in 涪城区 (绵阳), all confirmed today."""
    return [hazard_of(wuhou_ent), hazard_of(wuhou_ent), hazard_of(mianyang_ent)]


# -- the ranking ---------------------------------------------------------------------------------


def test_the_ranking_sorts_by_a_column_and_marks_the_worst(client, sc_office, hazards):
    client.force_login(sc_office)
    url = reverse("supervision:ranking")
    response = client.get(url, {"sort": "major_open"})
    assert response.status_code == 200
    order = row_order(response)
    assert len(order) == 21 and order[:2] == [CHENGDU, "510700"]  # worst first: 2, then 1
    text = text_of(response)
    worst = '<td class="text-end table-danger fw-semibold" data-key="major_open" data-worst="1">2</td>'
    assert worst in text
    assert text.count('data-key="major_open" data-worst="1"') == 1
    # The current column's header turns the order; another column starts worst first.
    headers = {h["key"]: h for h in response.context["headers"]}
    year = clock.today().year
    assert headers["major_open"]["current"] and headers["major_open"]["order"] == "desc"
    assert headers["major_open"]["url"] == f"{url}?region={SICHUAN}&sort=major_open&order=asc"
    assert headers["rectification_rate"]["url"].endswith("sort=rectification_rate&order=asc")
    ascending = client.get(headers["major_open"]["url"])
    assert row_order(ascending)[-2:] == ["510700", CHENGDU]
    assert 'aria-sort="ascending"' in text_of(ascending)
    # The year so far: "2026年1月1日至11月29日" (on 31 January "2027年1月", on 31 December "2026年").
    assert figures.year_to_date(year, clock.today()).label in text_of(response)


def test_the_ranking_of_a_month_and_of_a_city(client, cd_office, hazards):
    client.force_login(cd_office)
    url = reverse("supervision:ranking")
    month = clock.today().strftime("%Y-%m")
    response = client.get(url, {"month": month, "sort": "major_open"})
    assert response.status_code == 200
    this_month = Period.month(clock.today().year, clock.today().month)
    assert response.context["table"]["period"] == this_month.clipped(clock.today())
    assert row_order(response)[0] == WUHOU and all(code.startswith("5101") for code in row_order(response))
    assert f'value="{month}"' in text_of(response)
    export = response.context["export_url"]
    assert export == f"/supervision/ranking/export/?region={CHENGDU}&month={month}&sort=major_open"
    last_month = Period.month(clock.today().year, clock.today().month).previous_month()
    earlier = client.get(url, {"month": last_month.key, "sort": "major_open"})
    cells = [c for row in earlier.context["rows"] for c in row["cells"] if c["key"] == "major_open"]
    assert {c["display"] for c in cells} == {"0"}  # confirmed this month: not open at last month's end


def test_the_ranking_export_is_the_same_table_as_a_workbook(client, cd_office, hazards):
    client.force_login(cd_office)
    response = client.get(reverse("supervision:ranking_export"), {"sort": "major_open"})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert f'filename="ranking-{CHENGDU}-' in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet["A1"].value.startswith("成都市各地安全生产主要指标")
    assert sheet.cell(row=3, column=3).value == "武侯区"


def test_the_ranking_shows_bad_input_as_a_message(client, cd_office):
    client.force_login(cd_office)
    url = reverse("supervision:ranking")
    for params, message in (
        ({"sort": "nonsense"}, "“nonsense”不是可选指标"),
        ({"order": "up"}, "“up”不是可选排序"),
        ({"month": "2026-13"}, "月份须在 01 到 12 之间"),
        ({"month": "2026-10", "year": "2026"}, "month 不能与 year"),
        ({"year": "今年"}, "年份“今年”不是整数"),
        ({"region": "519999"}, "行政区划代码“519999”不存在"),
    ):
        response = client.get(url, params)
        assert response.status_code == 400, params
        assert message in text_of(response), params
        export = client.get(reverse("supervision:ranking_export"), params)
        assert export.status_code == 400 and message in text_of(export), params


def test_a_county_has_no_ranking_and_others_are_out_of_reach(client, wuhou_inspector, ent_wuhou):
    client.force_login(wuhou_inspector)
    url = reverse("supervision:ranking")
    response = client.get(url)
    assert response.status_code == 200 and "没有下级区划，不作排名" in text_of(response)
    assert client.get(url, {"region": CHENGDU}).status_code == 404
    assert client.get(reverse("supervision:ranking_export"), {"region": JINJIANG}).status_code == 404
    client.force_login(ent_wuhou)
    assert client.get(url).status_code == 403
    assert client.get(reverse("supervision:ranking_export")).status_code == 403


# -- the weekly sheet ----------------------------------------------------------------------------


def test_the_weekly_sheet_counts_the_week_per_county_with_its_lists(client, cd_office, hazards):
    client.force_login(cd_office)
    response = client.get(reverse("supervision:weekly"))
    assert response.status_code == 200
    week = Period.week_of(clock.today())
    assert response.context["week"] == week
    rows = {row["region_code"]: row for row in response.context["rows"]}
    assert rows[WUHOU]["new_major"] == 2 and rows[JINJIANG]["new_major"] == 0
    assert response.context["totals"][0] == 2
    text = text_of(response)
    assert "武侯机械制造有限公司" in text  # the list of new major hazards
    assert "绵阳建材" not in text
    assert [s["title"] for s in response.context["sections"]] == [
        "新增重大隐患", "逾期重大隐患", "新增挂牌督办", "生产安全事故", "到期督办任务",
    ]
    assert len(response.context["sections"][0]["rows"]) == 2
    assert response.context["sections"][0]["rows"][0][4] == hazards[0].due_date.isoformat()
    previous = (week.start - timedelta(days=7)).isoformat()
    following = (week.start + timedelta(days=7)).isoformat()
    assert f'href="/supervision/weekly/?region={CHENGDU}&amp;week={previous}"' in text
    assert f'href="/supervision/weekly/?region={CHENGDU}&amp;week={following}"' in text
    assert f'href="/supervision/weekly/?region={WUHOU}&amp;week={week.start.isoformat()}"' in text
    before = client.get(reverse("supervision:weekly"), {"week": previous})
    assert before.context["totals"][0] == 0 and "本周无" in text_of(before)


def test_the_weekly_export_has_the_summary_and_one_sheet_per_list(client, cd_office, hazards):
    client.force_login(cd_office)
    week = Period.week_of(clock.today())
    response = client.get(reverse("supervision:weekly_export"), {"week": week.end.isoformat()})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert f'weekly-{CHENGDU}-{week.start:%Y%m%d}.xlsx' in response["Content-Disposition"]
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames[0] == "汇总" and "新增重大隐患" in book.sheetnames
    total = [c.value for c in book["汇总"][book["汇总"].max_row]]
    assert total[1] == "合计" and total[2] == 2


def test_the_weekly_sheet_refuses_bad_input_and_strangers(client, wuhou_inspector, ent_wuhou):
    client.force_login(wuhou_inspector)
    url = reverse("supervision:weekly")
    response = client.get(url, {"week": "2026-02-30"})
    assert response.status_code == 400 and "“2026-02-30”不是有效的日期" in text_of(response)
    assert client.get(url, {"week": "1800-01-01"}).status_code == 400
    assert client.get(reverse("supervision:weekly_export"), {"week": "x"}).status_code == 400
    assert client.get(url, {"region": JINJIANG}).status_code == 404
    own = client.get(url)
    assert own.status_code == 200 and [r["region_code"] for r in own.context["rows"]] == [WUHOU]
    client.force_login(ent_wuhou)
    assert client.get(url).status_code == 403
    assert client.get(reverse("supervision:weekly_export")).status_code == 403


# -- the monthly circular ------------------------------------------------------------------------


def test_the_circular_opens_on_last_month_of_ones_own_region(client, cd_office):
    client.force_login(cd_office)
    response = client.get(reverse("supervision:circular"))
    assert response.status_code == 200
    last = Period.month(clock.today().year, clock.today().month).previous_month()
    text = text_of(response)
    assert 'type="month"' in text and f'value="{last.key}"' in text
    assert f"关于{last.label}全市安全生产情况的通报" in text
    assert "成都市安全生产委员会办公室" in text
    choices = [code for code, _ in _flat(response.context["form"].fields["region"].choices)]
    assert choices[0] == CHENGDU and WUHOU in choices
    assert SICHUAN not in choices and FUCHENG not in choices


def _flat(choices):
    for value, label in choices:
        if isinstance(label, list | tuple):
            yield from label
        else:
            yield value, label


def test_the_preview_shows_the_months_figures_and_ranking(client, cd_office, hazards):
    client.force_login(cd_office)
    month = clock.today().strftime("%Y-%m")
    response = client.get(reverse("supervision:circular"), {"region": CHENGDU, "month": month})
    assert response.status_code == 200
    preview = response.context["preview"]
    assert "共排查发现事故隐患2项，其中重大事故隐患2项" in preview["overall"][0]
    # Ordered as in the circular: most overdue hazards first (none here), ties by code.
    assert [row["name"] for row in preview["rows"]][:4] == ["锦江区", "青羊区", "金牛区", "武侯区"]
    wuhou = next(row for row in preview["rows"] if row["name"] == "武侯区")
    assert [c["display"] for c in wuhou["cells"]][3] == "2"  # 重大隐患未销号
    text = text_of(response)
    assert 'id="circular-ranking"' in text and "重大事故隐患动态清零任务艰巨" in text
    assert 'class="text-end table-danger fw-semibold">2</td>' in text


def test_the_circular_downloads_as_a_word_document(client, sc_office, hazards):
    client.force_login(sc_office)
    month = clock.today().strftime("%Y-%m")
    response = client.get(reverse("supervision:circular_download"), {"region": SICHUAN, "month": month})
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert f'circular-{SICHUAN}-{month}.docx' in response["Content-Disposition"]
    text = "\n".join(p.text for p in Document(BytesIO(response.content)).paragraphs)
    assert "四川省安全生产委员会办公室" in text and "重大事故隐患3项" in text


def test_the_circular_shows_bad_input_as_form_errors(client, cd_office, ent_wuhou):
    client.force_login(cd_office)
    for name in ("supervision:circular", "supervision:circular_download"):
        for params, message in (
            ({"region": CHENGDU, "month": "2026-13"}, "月份须在 01 到 12 之间"),
            ({"region": CHENGDU, "month": "十月"}, "“十月”不是有效的月份"),
            ({"region": CHENGDU, "month": ""}, "请填写通报月份"),
            ({"region": SICHUAN, "month": "2026-10"}, "区划“510000”不存在或不在您的管辖范围内"),
            ({"region": FUCHENG, "month": "2026-10"}, "区划“510703”不存在或不在您的管辖范围内"),
            ({"region": "519999", "month": "2026-10"}, "区划“519999”不存在或不在您的管辖范围内"),
        ):
            response = client.get(reverse(name), params)
            assert response.status_code == 400, (name, params)
            assert response["Content-Type"].startswith("text/html"), (name, params)
            assert message in text_of(response) and 'id="form-errors"' in text_of(response), (name, params)
    client.force_login(ent_wuhou)
    assert client.get(reverse("supervision:circular")).status_code == 403
    assert client.get(reverse("supervision:circular_download"), {"month": "2026-10"}).status_code == 403
