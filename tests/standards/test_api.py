"""The checklist API: shapes, filters, paging, ids with ':' and '.', bad parameters, anonymous callers."""

from __future__ import annotations

import pytest

LIST = "/api/v1/criteria"


@pytest.fixture
def client(api, wuhou_inspector, standards):
    return api(wuhou_inspector)


def ids(client, **params) -> list[str]:
    body = client.get(LIST, {"page_size": 100, **params}).json()
    return [item["id"] for item in body["items"]]


def test_the_list_has_the_documented_shape(client):
    body = client.get(LIST, {"standard": "gongmao-2023", "page_size": 2}).json()
    assert (body["count"], body["page"], body["page_size"]) == (64, 1, 2)
    assert body["items"][0] == {
        "id": "gongmao-2023:art3.1", "standard": "gongmao-2023",
        "standard_name": "工贸企业重大事故隐患判定标准",
        "article": "第三条", "item_no": "（一）", "section": "通用（管理类）",
        "lead": "工贸企业有下列情形之一的，应当判定为重大事故隐患：",
        "text": "未对承包单位、承租单位的安全生产工作统一协调、管理，或者未定期进行安全检查的",
        "sectors": ["metallurgy", "nonferrous", "building_materials", "machinery", "light_industry",
                    "textile", "tobacco", "commerce"],
        "verified": True, "kind": "item", "note": "",
    }


def test_without_filters_every_current_criterion_is_listed_in_order(client):
    all_ids = ids(client) + ids(client, page=2)
    assert len(all_ids) == 107
    assert all_ids[0] == "gongmao-2023:art3.1" and all_ids[64] == "chemical-2017:item1"


def test_sector_filter_gives_the_sectors_checklist(client):
    assert ids(client, sector="hazardous_chemicals") == [f"chemical-2017:item{i}" for i in range(1, 21)]
    commerce = ids(client, sector="commerce")
    assert len(commerce) == 17
    assert {i.split(".")[0] for i in commerce} == {
        "gongmao-2023:art3", "gongmao-2023:art11", "gongmao-2023:art12", "gongmao-2023:art13"
    }
    assert ids(client, sector="fireworks") == []


def test_filters_combine(client):
    assert ids(client, standard="chemical-2017", verified="false") == [
        f"chemical-2017:item{i}" for i in range(16, 21)
    ]
    assert ids(client, sector="machinery", verified="false") == [
        "gongmao-2023:art7.3", "gongmao-2023:art7.4", "gongmao-2023:art7.5", "gongmao-2023:art7.6",
        "gongmao-2023:art7.7", "gongmao-2023:art11.9", "gongmao-2023:art11.10", "gongmao-2023:art13.2",
    ]
    assert ids(client, q="粉尘清理") == ["gongmao-2023:art11.10"]
    assert ids(client, q="art12") == ["gongmao-2023:art12.1", "gongmao-2023:art12.2"]
    assert ids(client, standard="coal-mines-2020", q="瓦斯") == [
        "coal-mines-2020:art3.2", "coal-mines-2020:art3.3", "coal-mines-2020:art3.4"
    ]


def test_the_standards_have_their_counts(client):
    body = client.get("/api/v1/standards").json()
    counts = {s["id"]: (s["count"], s["unverified"], s["headings"]) for s in body}
    assert counts == {
        "gongmao-2023": (64, 24, 0), "chemical-2017": (20, 5, 0), "metal-mines-2022": (8, 8, 8),
        "coal-mines-2020": (15, 0, 15),
    }
    gongmao = body[0]
    assert gongmao["doc_no"] == "应急管理部令第10号" and gongmao["effective"] == "2023-05-15"
    assert gongmao["sources"][0]["url"].startswith("https://www.gov.cn/gongbao/2023/")
    assert body[1]["effective"] is None  # the reference records no date: left empty, not guessed


@pytest.mark.parametrize(
    "criterion_id", ["gongmao-2023:art11.10", "chemical-2017:item5", "coal-mines-2020:art3.15"]
)
def test_one_criterion_is_read_by_its_id(client, criterion_id):
    response = client.get(f"{LIST}/{criterion_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == criterion_id and body["retired"] is False and body["citation"]


def test_an_unverified_criterion_says_so(client):
    body = client.get(f"{LIST}/gongmao-2023:art11.10").json()
    assert body["verified"] is False and "尚未与官方文本逐字核对" in body["note"]


def test_an_unknown_criterion_is_404(client):
    response = client.get(f"{LIST}/gongmao-2023:art99.1")
    assert response.status_code == 404
    assert response.json()["detail"] == "判定标准条款“gongmao-2023:art99.1”不存在"


@pytest.mark.parametrize(("params", "field"), [
    ({"standard": "gongmao-2017"}, "standard"),
    ({"sector": "steel"}, "sector"),
    ({"verified": "maybe"}, "verified"),
    ({"page_size": 500}, "page_size"),
    ({"page": 0}, "page"),
])
def test_a_bad_parameter_is_422_naming_it(client, params, field):
    response = client.get(LIST, params)
    assert response.status_code == 422
    body = response.json()
    assert [e["field"] for e in body["errors"]] == [field]
    assert body["detail"].startswith(f"输入有误：{field}：")


def test_an_unknown_standard_lists_the_known_ones(client):
    detail = client.get(LIST, {"standard": "gongmao-2017"}).json()["detail"]
    assert "判定标准“gongmao-2017”不存在" in detail and "gongmao-2023" in detail


@pytest.mark.parametrize("path", [LIST, f"{LIST}/gongmao-2023:art3.1", "/api/v1/standards"])
def test_anonymous_callers_are_refused(api, standards, path):
    assert api(None).get(path).status_code == 401


def test_a_retired_criterion_stays_readable_but_leaves_the_list(client):
    from benan.standards.models import Criterion

    Criterion.objects.filter(pk="gongmao-2023:art3.3").update(retired=True)
    assert "gongmao-2023:art3.3" not in ids(client, standard="gongmao-2023")
    assert client.get(f"{LIST}/gongmao-2023:art3.3").json()["retired"] is True


def test_the_list_costs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get(LIST, {"sector": "machinery", "page_size": 100})
