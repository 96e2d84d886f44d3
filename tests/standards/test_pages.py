"""The checklist pages: the list with counts, a standard's checklist grouped by article with its
原文待核 marks and citation, the htmx sector filter."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from benan.standards import engine

DETAIL = "standards:detail"


@pytest.fixture
def reader(client, ent_wuhou, standards):
    # An enterprise user: reference data is the same for every role (the matrix checks them all).
    client.force_login(ent_wuhou)
    return client


def items(html: str) -> dict[str, str]:
    """Criterion id → the HTML of its list item."""
    pattern = r'<li class="list-group-item criterion" data-criterion="([^"]+)"(.*?)</li>'
    return dict(re.findall(pattern, html, re.S))


def test_the_list_shows_every_standard_with_its_counts(reader):
    response = reader.get(reverse("standards:list"))
    assert response.status_code == 200
    html = response.content.decode()
    for standard in engine.standards():
        assert standard.name in html and reverse(DETAIL, args=[standard.id]) in html
    row = re.search(r'<tr data-standard="gongmao-2023">(.*?)</tr>', html, re.S)[1]
    assert "应急管理部令第10号" in row and "2023-05-15" in row and "全部工贸行业" in row
    assert ">64<" in row.replace("\n", "").replace(" ", "")
    assert '<span class="badge text-bg-warning">24</span>' in row
    assert "未记载" in re.search(r'<tr data-standard="chemical-2017">(.*?)</tr>', html, re.S)[1]


def test_the_list_says_when_nothing_is_loaded(client, ent_wuhou):
    client.force_login(ent_wuhou)
    html = client.get(reverse("standards:list")).content.decode()
    assert "尚未载入判定标准" in html and "benan load_standards" in html


def test_the_navbar_links_to_the_standards(reader):
    html = reader.get(reverse("home"), follow=True).content.decode()
    assert f'href="{reverse("standards:list")}"' in html and "判定标准" in html


def test_the_checklist_marks_exactly_the_unverified_items(reader):
    html = reader.get(reverse(DETAIL, args=["gongmao-2023"])).content.decode()
    shown = items(html)
    data = {c.id: c for c in engine.standards()[0].criteria}
    assert set(shown) == set(data)
    for criterion_id, item in shown.items():
        assert data[criterion_id].text in item
        assert criterion_id in item
        assert ("unverified-mark" in item) == (not data[criterion_id].verified), criterion_id
        assert ("原文待核" in item) == (not data[criterion_id].verified), criterion_id
    unverified = shown["gongmao-2023:art11.10"]
    # The mark explains itself on hover (Bootstrap tooltip, title as the fallback).
    assert 'data-bs-toggle="tooltip"' in unverified and "还没有与官方公布的原文逐字核对" in unverified


def test_the_checklist_is_grouped_by_article_with_its_lead(reader):
    html = reader.get(reverse(DETAIL, args=["gongmao-2023"])).content.decode()
    headings = re.findall(r'<h2 class="h6 mb-0">(.*?)</h2>', html)
    assert headings == [
        "第三条 通用（管理类）", "第四条 冶金", "第五条 有色", "第六条 建材", "第七条 机械", "第八条 轻工",
        "第九条 纺织", "第十条 烟草", "第十一条 专项-粉尘涉爆", "第十二条 专项-使用液氨制冷",
        "第十三条 专项-有限空间",
    ]
    assert "存在粉尘爆炸危险的工贸企业有下列情形之一的，应当判定为重大事故隐患：" in html
    # The citation and the catch-all article are on the page.
    assert "国务院公报2023年第19号" in html and "https://www.gov.cn/gongbao/2023/" in html
    assert "失效或者无效均判定为重大事故隐患" in html


def test_the_sector_filter_answers_htmx_with_the_checklist_only(reader):
    url = reverse(DETAIL, args=["gongmao-2023"])
    response = reader.get(url, {"sector": "commerce"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<nav" not in html and 'id="criteria-results"' in html
    assert {i.split(".")[0] for i in items(html)} == {
        "gongmao-2023:art3", "gongmao-2023:art11", "gongmao-2023:art12", "gongmao-2023:art13"
    }
    assert "HX-Request" in response["Vary"]


def test_the_full_page_keeps_the_filter(reader):
    url = reverse(DETAIL, args=["gongmao-2023"])
    html = reader.get(url, {"sector": "tobacco", "verified": "1"}).content.decode()
    assert '<option value="tobacco" selected>' in html
    assert set(items(html)) == {
        "gongmao-2023:art3.1", "gongmao-2023:art3.2", "gongmao-2023:art3.3", "gongmao-2023:art10.1",
        "gongmao-2023:art10.2", "gongmao-2023:art11.1", "gongmao-2023:art11.2", "gongmao-2023:art11.3",
        "gongmao-2023:art11.4", "gongmao-2023:art11.5", "gongmao-2023:art11.6", "gongmao-2023:art11.7",
        "gongmao-2023:art11.8", "gongmao-2023:art12.1", "gongmao-2023:art12.2", "gongmao-2023:art13.1",
    }


def test_a_bad_filter_is_400_with_the_reason(reader):
    response = reader.get(reverse(DETAIL, args=["gongmao-2023"]), {"sector": "steel"})
    assert response.status_code == 400
    assert "行业代码“steel”不存在" in response.content.decode()
    response = reader.get(reverse(DETAIL, args=["gongmao-2023"]), {"verified": "yes"})
    assert response.status_code == 400 and "核对状态“yes”无效" in response.content.decode()


def test_a_sector_outside_the_standard_shows_an_empty_checklist(reader):
    html = reader.get(reverse(DETAIL, args=["gongmao-2023"]), {"sector": "coal_mining"}).content.decode()
    assert "没有符合条件的条款" in html and not items(html)


def test_an_unknown_standard_is_404(reader):
    assert reader.get(reverse(DETAIL, args=["gongmao-2017"])).status_code == 404


def test_the_chemical_checklist_marks_items_16_to_20(reader):
    shown = items(reader.get(reverse(DETAIL, args=["chemical-2017"])).content.decode())
    marked = {i for i, item in shown.items() if "unverified-mark" in item}
    assert marked == {f"chemical-2017:item{i}" for i in range(16, 21)}
    assert len(shown) == 20


def test_mining_headings_are_marked_as_headings(reader):
    shown = items(reader.get(reverse(DETAIL, args=["coal-mines-2020"])).content.decode())
    assert len(shown) == 15
    assert all("heading-mark" in item and "unverified-mark" not in item for item in shown.values())
    shown = items(reader.get(reverse(DETAIL, args=["metal-mines-2022"])).content.decode())
    assert all("heading-mark" in item and "unverified-mark" in item for item in shown.values())


def test_the_checklist_page_costs_a_fixed_number_of_queries(reader, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        reader.get(reverse(DETAIL, args=["gongmao-2023"]), {"sector": "machinery"})
