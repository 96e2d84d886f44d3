"""The engine: which checklist applies to which sector, and the rules every data file must keep."""

from __future__ import annotations

import re

import pytest

from benan.enterprises.models import GONGMAO_SECTORS, Sector
from benan.standards import engine


def ids(sector: str) -> list[str]:
    return [c.id for c in engine.applicable_criteria(sector)]


def articles(sector: str) -> set[str]:
    return {c.id.split(".")[0] for c in engine.applicable_criteria(sector)}


MANAGEMENT_AND_SPECIAL = {
    "gongmao-2023:art3", "gongmao-2023:art11", "gongmao-2023:art12", "gongmao-2023:art13"
}


def test_commerce_gets_the_management_and_special_area_articles_only():
    assert articles("commerce") == MANAGEMENT_AND_SPECIAL
    assert len(ids("commerce")) == 3 + 10 + 2 + 2


def test_machinery_gets_management_its_own_article_and_the_special_areas():
    assert articles("machinery") == MANAGEMENT_AND_SPECIAL | {"gongmao-2023:art7"}
    assert len(ids("machinery")) == 3 + 7 + 14
    assert ids("machinery")[:4] == [
        "gongmao-2023:art3.1", "gongmao-2023:art3.2", "gongmao-2023:art3.3", "gongmao-2023:art7.1"
    ]


@pytest.mark.parametrize(("sector", "article", "count"), [
    ("metallurgy", "art4", 8), ("nonferrous", "art5", 13), ("building_materials", "art6", 8),
    ("machinery", "art7", 7), ("light_industry", "art8", 7), ("textile", "art9", 2), ("tobacco", "art10", 2),
])
def test_each_gongmao_industry_gets_its_own_article(sector, article, count):
    assert articles(sector) == MANAGEMENT_AND_SPECIAL | {f"gongmao-2023:{article}"}
    assert len(ids(sector)) == 3 + count + 14


def test_hazardous_chemicals_get_the_twenty_chemical_items():
    assert ids("hazardous_chemicals") == [f"chemical-2017:item{i}" for i in range(1, 21)]


def test_mines_get_their_headings():
    assert ids("coal_mining") == [f"coal-mines-2020:art3.{i}" for i in range(1, 16)]
    assert all(c.kind == "heading" for c in engine.applicable_criteria("non_coal_mining"))
    assert len(ids("non_coal_mining")) == 8


@pytest.mark.parametrize("sector", ["fireworks", "other"])
def test_a_sector_without_a_checklist_gets_nothing(sector):
    assert engine.applicable_criteria(sector) == []
    assert engine.applicable_standards(sector) == []


def test_no_gongmao_criterion_reaches_another_sector_group():
    for sector in set(Sector.values) - GONGMAO_SECTORS:
        assert not any(c.standard_id == "gongmao-2023" for c in engine.applicable_criteria(sector))


def test_an_unknown_sector_is_refused():
    with pytest.raises(ValueError, match="未知行业代码"):
        engine.applicable_criteria("steel")


def test_a_criterion_is_found_by_its_id():
    c = engine.criterion("chemical-2017:item5")
    assert c.standard_id == "chemical-2017" and c.item_no == "（五）"
    with pytest.raises(KeyError):
        engine.criterion("chemical-2017:item21")


# -- rules of the data files ---------------------------------------------------------------------

GOOD = """\
format: 1
id: test-2024
name: 测试标准
doc_no: 测试〔2024〕1号
issuer: 测试机关
effective: 2024-01-01
order: 9
sectors: [machinery]
citation: 测试
sources: [{title: 测试, url: "https://example.org/"}]
count: 2
articles:
  - article: 第三条
    section: 测试
    lead: 有下列情形之一的：
    sectors: [machinery]
    count: 2
    criteria:
      - {id: "test-2024:art3.1", item_no: （一）, text: 甲, verified: true, confidence: two_sources}
      - {id: "test-2024:art3.2", item_no: （二）, text: 乙, verified: false, confidence: single_source,
         note: 待核}
"""


def parse(text: str) -> engine.StandardData:
    return engine.parse_standard(text, filename="test.yaml")


def test_a_good_file_parses():
    standard = parse(GOOD)
    assert [c.id for c in standard.criteria] == ["test-2024:art3.1", "test-2024:art3.2"]
    assert [c.order for c in standard.criteria] == [1, 2]
    assert standard.criteria[1].sectors == ("machinery",)


@pytest.mark.parametrize(("old", "new", "message"), [
    ('id: "test-2024:art3.2"', 'id: "test-2024:art3.1"', "重复"),
    ('id: "test-2024:art3.2"', 'id: "other-2024:art3.2"', "前缀必须是本标准的 id"),
    ('id: "test-2024:art3.2"', 'id: "test-2024 art3.2"', "格式"),
    ("    sectors: [machinery]", "    sectors: [steel]", "未知行业代码 steel"),
    ("    sectors: [machinery]", "    sectors: [commerce]", "不在本标准的适用行业内"),
    ("    count: 2", "    count: 3", "声明 3 项，实有 2 项"),
    ("count: 2\narticles", "count: 64\narticles", "声明 64 项"),
    ("text: 乙", "text: ''", "不能为空"),
    ("verified: false", "verified: true", "two_sources"),
    (",\n         note: 待核", "", "必须说明原因"),
    ("item_no: （一）", "no: （一）", "未知字段 False"),
    ("doc_no: 测试〔2024〕1号\n", "", "缺少字段 doc_no"),
    ("effective: 2024-01-01", "effective: 明年", "必须是日期"),
    ('url: "https://example.org/"', 'url: "ftp://example.org/"', "http(s)"),
    ("format: 1", "format: 2", "只支持格式 1"),
])
def test_a_broken_file_is_refused_with_the_place_and_the_rule(old, new, message):
    assert old in GOOD
    with pytest.raises(engine.DataFileError, match=re.escape(message)) as info:
        parse(GOOD.replace(old, new, 1))
    assert str(info.value).startswith("test.yaml：")


def test_two_files_for_one_standard_are_refused():
    with pytest.raises(engine.DataFileError, match="重复"):
        engine.parse_all([("a.yaml", GOOD), ("b.yaml", GOOD)])
