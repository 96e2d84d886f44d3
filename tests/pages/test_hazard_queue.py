"""The hazard queue, the XLSX ledger, the listed-supervision board, the zero-backlog ranking and
the notification bell, through the pages."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from benan.core import clock
from benan.core.models import Notification
from benan.hazards import services
from benan.hazards.models import Hazard
from tests.conftest import JINJIANG, WUHOU

QUEUE = reverse("hazards:list")
pytestmark = pytest.mark.usefixtures("criteria")


def ids(response) -> list[int]:
    return [row["hazard"].pk for row in response.context["rows"]]


def test_the_queue_keeps_to_the_scope(client, walk, wuhou_inspector, jinjiang_inspector, cd_office):
    pk = walk("rectifying")
    client.force_login(wuhou_inspector)
    assert ids(client.get(QUEUE)) == [pk]
    client.force_login(cd_office)
    assert ids(client.get(QUEUE)) == [pk]
    client.force_login(jinjiang_inspector)
    response = client.get(QUEUE)
    assert ids(response) == [] and "还没有隐患记录" in response.content.decode()


def test_the_queue_filters_by_state_grade_region_overdue_and_listed(client, walk, cd_office):
    reported, major, general = walk("reported"), walk("rectifying"), walk("rectifying", grade="general")
    client.force_login(cd_office)
    assert ids(client.get(QUEUE, {"state": "reported"})) == [reported]
    assert ids(client.get(QUEUE, {"grade": "major"})) == [major]
    assert ids(client.get(QUEUE, {"grade": "general"})) == [general]
    assert len(ids(client.get(QUEUE, {"region": WUHOU}))) == 3
    assert ids(client.get(QUEUE, {"region": JINJIANG})) == []
    later = (clock.today() + timedelta(60)).isoformat()
    client.post(reverse("hazards:list_hazard", args=[major]), {"due_date": later})
    assert ids(client.get(QUEUE, {"listed": "1"})) == [major]
    assert major not in ids(client.get(QUEUE, {"listed": "0"}))
    assert ids(client.get(QUEUE, {"overdue": "1"})) == []
    with time_machine.travel(clock.today() + timedelta(days=45)):
        client.force_login(cd_office)  # the session of 45 days ago has expired
        response = client.get(QUEUE, {"overdue": "1"})
        assert sorted(ids(response)) == sorted([major, general])
        text = response.content.decode()
        assert "逾期 15 天" in text and "table-danger" in text
        assert "成都市挂牌督办" in text


def test_the_region_filter_offers_only_regions_in_scope(client, cd_office):
    client.force_login(cd_office)
    text = client.get(QUEUE).content.decode()
    assert f'value="{WUHOU}"' in text and 'value="510703"' not in text


def test_an_htmx_request_gets_the_table_only(client, walk, wuhou_inspector):
    walk("reported")
    client.force_login(wuhou_inspector)
    response = client.get(QUEUE, {"state": "reported"}, headers={"HX-Request": "true"})
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="hazard-results">')
    assert "<html" not in text and 'id="filter-form"' not in text
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"state": "bogus"}, "不是可选状态"),
        ({"grade": "bogus"}, "不是可选等级"),
        ({"region": "999999"}, "不存在"),
        ({"overdue": "maybe"}, "不是可选值"),
        ({"page": "abc"}, "不是整数"),
    ],
)
def test_bad_filters_show_a_chinese_error(client, wuhou_inspector, params, message):
    client.force_login(wuhou_inspector)
    response = client.get(QUEUE, params)
    assert response.status_code == 400 and message in response.content.decode()


def test_the_queue_pages_and_counts_its_queries(
    client, wuhou_inspector, ent_wuhou, wuhou_ent, django_assert_max_num_queries
):
    for n in range(25):
        services.report_hazard(
            actor=ent_wuhou, enterprise=wuhou_ent, description=f"隐患{n}", location="车间", source="self"
        )
    client.force_login(wuhou_inspector)
    # Session, user, scope, count, page, listings, region filter, bell, navbar: none per row.
    with django_assert_max_num_queries(10):
        first = client.get(QUEUE)
    assert len(first.context["rows"]) == 20 and "1 / 2" in first.content.decode()
    with django_assert_max_num_queries(10):
        second = client.get(QUEUE, {"page": 2})
    assert len(second.context["rows"]) == 5


def test_the_ledger_is_an_xlsx_of_the_filtered_queue(client, walk, wuhou_inspector):
    walk("reported")
    major = walk("rectifying")
    client.force_login(wuhou_inspector)
    queue = client.get(QUEUE, {"grade": "major"}).content.decode()
    assert f'{reverse("hazards:ledger")}?grade=major' in queue
    response = client.get(reverse("hazards:ledger"), {"grade": "major"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="hazard-ledger-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "企业名称", "统一社会信用代码")
    assert len(rows) == 2 and rows[1][8] == "重大事故隐患"
    assert Hazard.objects.get(pk=major).criterion_id in rows[1]
    assert client.get(reverse("hazards:ledger"), {"state": "bogus"}).status_code == 400


def test_the_board_shows_listings_by_level_and_status(client, walk, cd_office, sc_office, jinjiang_inspector):
    city, province = walk("rectifying"), walk("rectifying")
    later = (clock.today() + timedelta(days=10)).isoformat()
    client.force_login(cd_office)
    client.post(reverse("hazards:list_hazard", args=[city]), {"due_date": later})
    client.force_login(sc_office)
    client.post(reverse("hazards:list_hazard", args=[province]), {"due_date": later})
    response = client.get(reverse("hazards:listings"))
    board = {(g["level"], st): n for g in response.context["board"] for st, _, n in g["cells"]}
    assert board[("province", "listed")] == 1 and board[("city", "listed")] == 1
    assert board[("city", "delisted")] == 0
    assert len(response.context["rows"]) == 2
    by_city = client.get(reverse("hazards:listings"), {"level": "city"}).context["rows"]
    assert [r["listing"].hazard_id for r in by_city] == [city]
    with time_machine.travel(clock.today() + timedelta(days=12)):
        client.force_login(sc_office)
        text = client.get(reverse("hazards:listings")).content.decode()
        assert "超期 2 天" in text
    assert client.get(reverse("hazards:listings"), {"state": "delisted"}).context["rows"] == []
    assert client.get(reverse("hazards:listings"), {"state": "bogus"}).status_code == 400
    client.force_login(jinjiang_inspector)
    assert client.get(reverse("hazards:listings")).context["rows"] == []


def test_the_stats_page_ranks_the_21_cities_for_the_province(client, walk, sc_office):
    walk("rectifying")
    walk("closed")
    client.force_login(sc_office)
    response = client.get(reverse("hazards:stats"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 21
    # Sorted by open major hazards, worst first, and that row is highlighted.
    assert rows[0]["region_code"] == "510100" and rows[0]["major_open"] == 1
    text = response.content.decode()
    assert 'data-region="510100" class="table-danger worst"' in text
    assert text.count('class="table-danger worst"') == 1
    totals = {c["key"]: c["value"] for c in response.context["cards"]}
    assert totals["found"] == 2 and totals["major_open"] == 1 and totals["rectification_rate"] == "50.0%"
    by_name = client.get(reverse("hazards:stats"), {"sort": "region_code", "order": "asc"}).context["rows"]
    assert [r["region_code"] for r in by_name] == sorted(r["region_code"] for r in rows)


def test_the_stats_page_of_a_city_lists_its_counties_and_a_county_its_totals(
    client, walk, cd_office, wuhou_inspector, ent_wuhou
):
    walk("rectifying")
    client.force_login(cd_office)
    rows = client.get(reverse("hazards:stats")).context["rows"]
    assert WUHOU in {r["region_code"] for r in rows}
    assert all(r["region_code"].startswith("5101") for r in rows)
    assert client.get(reverse("hazards:stats"), {"region": "510700"}).status_code == 404
    client.force_login(wuhou_inspector)
    response = client.get(reverse("hazards:stats"))
    assert response.context["rows"] == [] and "为县级区划" in response.content.decode()
    client.force_login(ent_wuhou)
    assert client.get(reverse("hazards:stats")).status_code == 403


def test_notifications_page_and_bell(client, walk, wuhou_inspector):
    pk = walk("reported")  # ent-wuhou's report notifies the county's inspectors
    client.force_login(wuhou_inspector)
    home = client.get(reverse("home"), follow=True).content.decode()
    assert 'id="unread-count">1<' in home
    page = client.get(reverse("notifications"))
    text = page.content.decode()
    assert "新隐患待确认" in text and f'href="{reverse("hazards:detail", args=[pk])}"' in text
    assert "全部标为已读" in text
    response = client.post(reverse("notifications_read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=wuhou_inspector, read_at__isnull=True).exists()
    assert 'id="unread-count"' not in client.get(reverse("home"), follow=True).content.decode()


def test_the_navbar_links_by_role(client, wuhou_inspector, ent_wuhou):
    client.force_login(wuhou_inspector)
    text = client.get(reverse("home"), follow=True).content.decode()
    for link in ("nav-hazards", "nav-inspections", "nav-listings", "nav-stats"):
        assert f'id="{link}"' in text
    assert 'id="nav-self-inspection"' not in text
    client.force_login(ent_wuhou)
    text = client.get(reverse("home"), follow=True).content.decode()
    assert 'id="nav-self-inspection"' in text and 'id="nav-my-hazards"' in text
    assert 'id="nav-stats"' not in text
