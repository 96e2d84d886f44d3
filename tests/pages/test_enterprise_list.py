"""The enterprise list: scope, search, filters, pagination, empty state, htmx partial, queries."""

from datetime import date

import pytest
from django.urls import reverse

from benan.enterprises import services
from tests.conftest import CHENGDU, JINJIANG, WUHOU

LIST = reverse("enterprises:list")


def names(response) -> list[str]:
    return [e.name for e, _status in response.context["rows"]]


def test_an_inspector_sees_only_enterprises_of_the_county(client, wuhou_inspector, wuhou_ent, jinjiang_ent):
    client.force_login(wuhou_inspector)
    response = client.get(LIST)
    assert response.status_code == 200
    text = response.content.decode()
    assert wuhou_ent.name in text and wuhou_ent.uscc in text and "成都市武侯区" in text
    assert jinjiang_ent.name not in text


def test_the_city_office_sees_both_counties(client, cd_office, wuhou_ent, jinjiang_ent, mianyang_ent):
    client.force_login(cd_office)
    assert sorted(names(client.get(LIST))) == sorted([wuhou_ent.name, jinjiang_ent.name])


def test_an_enterprise_user_sees_exactly_its_own_enterprise(client, ent_wuhou, wuhou_ent, jinjiang_ent):
    client.force_login(ent_wuhou)
    response = client.get(LIST)
    assert names(response) == [wuhou_ent.name]
    # Nothing to choose from: the region filter is not shown to an enterprise.
    assert 'name="region"' not in response.content.decode()


def test_rows_show_sector_and_current_status_badge(client, wuhou_inspector, wuhou_ent, admin):
    services.change_status(actor=admin, enterprise=wuhou_ent, status="suspended", start_date=date(2024, 5, 1))
    client.force_login(wuhou_inspector)
    text = client.get(LIST).content.decode()
    assert "机械" in text
    assert 'text-bg-danger" data-status="suspended">停产整顿' in text


def test_it_searches_by_name_and_by_uscc(client, cd_office, wuhou_ent, jinjiang_ent):
    client.force_login(cd_office)
    assert names(client.get(LIST, {"q": "锦江商贸"})) == [jinjiang_ent.name]
    assert names(client.get(LIST, {"q": wuhou_ent.uscc[:12].lower()})) == [wuhou_ent.name]


def test_it_filters_by_region_sector_and_status(client, cd_office, wuhou_ent, jinjiang_ent, admin):
    services.change_status(actor=admin, enterprise=jinjiang_ent, status="closed", start_date=date(2024, 1, 1))
    client.force_login(cd_office)
    assert names(client.get(LIST, {"region": JINJIANG})) == [jinjiang_ent.name]
    assert sorted(names(client.get(LIST, {"region": CHENGDU}))) == sorted([wuhou_ent.name, jinjiang_ent.name])
    assert names(client.get(LIST, {"sector": "commerce"})) == [jinjiang_ent.name]
    assert names(client.get(LIST, {"status": "closed"})) == [jinjiang_ent.name]
    assert names(client.get(LIST, {"status": "normal", "region": WUHOU})) == [wuhou_ent.name]


def test_the_region_filter_offers_only_regions_in_scope(client, cd_office, db):
    client.force_login(cd_office)
    text = client.get(LIST).content.decode()
    assert f'value="{CHENGDU}"' in text and f'value="{WUHOU}"' in text
    assert 'value="510703"' not in text  # 绵阳市涪城区


def test_it_pages_twenty_at_a_time(client, wuhou_inspector, make_enterprise):
    for i in range(25):
        make_enterprise(WUHOU, name=f"分页测试企业{i:02d}")
    client.force_login(wuhou_inspector)
    first = client.get(LIST)
    assert len(first.context["rows"]) == 20
    assert first.context["page"].pages == 2
    assert "1 / 2" in first.content.decode() and "下一页" in first.content.decode()
    second = client.get(LIST, {"page": 2})
    assert len(second.context["rows"]) == 5
    assert set(names(first)).isdisjoint(names(second))


def test_page_links_keep_the_filters(client, wuhou_inspector, make_enterprise):
    for i in range(21):
        make_enterprise(WUHOU, name=f"保留筛选企业{i:02d}", sector="textile")
    client.force_login(wuhou_inspector)
    text = client.get(LIST, {"sector": "textile"}).content.decode()
    assert "?sector=textile&amp;page=2" in text


def test_a_page_past_the_end_shows_the_last_page(client, wuhou_inspector, wuhou_ent):
    client.force_login(wuhou_inspector)
    response = client.get(LIST, {"page": 9})
    assert names(response) == [wuhou_ent.name]


def test_no_match_shows_the_empty_state_with_a_clear_link(client, wuhou_inspector, wuhou_ent):
    client.force_login(wuhou_inspector)
    response = client.get(LIST, {"q": "不存在的企业"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "没有符合条件的企业" in text
    assert f'href="{LIST}">清除筛选条件' in text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"status": "bogus"}, "不是可选状态"),
        ({"sector": "bogus"}, "不是可选行业"),
        ({"region": "999999"}, "不存在"),
        ({"q": "x" * 101}, "不能超过100个字符"),
        ({"page": "abc"}, "不是整数"),
        ({"page": "-1"}, "页码必须是大于等于 1 的整数"),
    ],
)
def test_bad_filter_values_show_a_chinese_error_not_a_500(client, wuhou_inspector, params, message):
    client.force_login(wuhou_inspector)
    response = client.get(LIST, params)
    assert response.status_code == 400
    text = response.content.decode()
    assert "筛选条件有误" in text and message in text


def test_an_htmx_request_gets_only_the_results_partial(client, wuhou_inspector, wuhou_ent):
    client.force_login(wuhou_inspector)
    response = client.get(LIST, {"q": "武侯"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "enterprises/partials/table.html"
    text = response.content.decode()
    assert '<div id="enterprise-results">' in text and wuhou_ent.name in text
    assert "<html" not in text and "filter-form" not in text


def test_partial_and_full_page_are_cached_apart(client, wuhou_inspector):
    client.force_login(wuhou_inspector)
    assert "HX-Request" in client.get(LIST, headers={"HX-Request": "true"})["Vary"]
    assert "HX-Request" in client.get(LIST)["Vary"]


def test_htmx_history_restore_gets_the_full_page(client, wuhou_inspector):
    client.force_login(wuhou_inspector)
    response = client.get(LIST, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()


def test_the_full_page_includes_the_same_partial(client, wuhou_inspector, wuhou_ent):
    client.force_login(wuhou_inspector)
    response = client.get(LIST)
    assert "enterprises/partials/table.html" in [t.name for t in response.templates]
    text = response.content.decode()
    assert 'hx-get="/enterprises/"' in text and 'hx-target="#enterprise-results"' in text
    assert 'hx-push-url="true"' in text


def test_the_list_makes_a_fixed_number_of_queries(
    client, cd_office, make_enterprise, django_assert_max_num_queries
):
    for i in range(12):
        make_enterprise(WUHOU if i % 2 else JINJIANG, name=f"查询次数企业{i:02d}")
    client.force_login(cd_office)
    # session, user, user's region (+ its parents for the navbar), count, page, statuses,
    # region choices: the same number for 1 row or 20.
    with django_assert_max_num_queries(10):
        response = client.get(LIST)
    assert len(response.context["rows"]) == 12
