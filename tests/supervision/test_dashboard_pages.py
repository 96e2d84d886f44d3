"""The dashboard page (监管驾驶舱): every user lands on it; each number links to the list behind it
and that list counts the same (followed link by link on the demo province); the region breadcrumb
and the sub-regions; the year; the comparison with the same days of last year; the map's data
(cities coloured, or a city's counties as bars); enterprise users see their own enterprise; bad
parameters are messages, never a 500. And the power queue's year filter the dashboard links with."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from benan.core import clock
from benan.core.models import User
from tests.accidents.conftest import accident  # noqa: F401
from tests.conftest import CHENGDU, JINJIANG, SICHUAN, WUHOU
from tests.hazards.matrix import hazard_of
from tests.power.conftest import power_alert  # noqa: F401

pytestmark = pytest.mark.django_db


class Figures(HTMLParser):
    """The linked numbers of a dashboard: {data-figure: (href, data-value)}."""

    def __init__(self):
        super().__init__()
        self.found: dict[str, tuple[str, str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "data-figure" in attrs:
            self.found[attrs["data-figure"]] = (attrs["href"], attrs["data-value"])


def figures_of(response) -> dict[str, tuple[str, str]]:
    parser = Figures()
    parser.feed(response.content.decode())
    return parser.found


def text_of(response) -> str:
    return response.content.decode()


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


# -- landing -----------------------------------------------------------------------------------


def test_the_home_page_sends_every_user_to_their_dashboard(client, wuhou_inspector, ent_wuhou):
    for user in (wuhou_inspector, ent_wuhou):
        client.force_login(user)
        response = client.get(reverse("home"))
        assert response.status_code == 302 and response.url == reverse("supervision:dashboard")
    client.logout()
    assert client.get(reverse("supervision:dashboard")).url.startswith(reverse("login"))


def test_a_county_inspector_opens_on_their_county(client, wuhou_inspector, wuhou_ent, jinjiang_ent):
    hazard_of(wuhou_ent)
    hazard_of(jinjiang_ent)
    client.force_login(wuhou_inspector)
    response = client.get(reverse("supervision:dashboard"))
    assert response.status_code == 200
    text = text_of(response)
    assert "成都市武侯区 · 监管驾驶舱" in text
    found = figures_of(response)
    assert found["hazards_found"] == (f"/hazards/?region={WUHOU}", "1")
    assert found["major_open"] == (f"/hazards/?region={WUHOU}&grade=major&open=1", "1")
    year = clock.today().year
    assert found["cases"][0] == f"/enforcement/cases/?region={WUHOU}&year={year}"
    assert found["alerts_confirmed"][0] == f"/power/?region={WUHOU}&year={year}&mine=0&state=confirmed"
    assert 'id="dashboard-map"' in text and 'data-level="county"' in text
    assert "vendor/echarts/echarts.min.js" in text and 'id="dashboard-trend"' in text


def test_every_card_links_to_its_filtered_list(client, cd_office):
    client.force_login(cd_office)
    found = figures_of(client.get(reverse("supervision:dashboard"), {"year": "2025"}))
    expected = {
        "hazards_found": "/hazards/?region=510100",
        "hazards_closed": "/hazards/?region=510100&state=closed",
        "rectification_rate": "/hazards/stats/?region=510100",
        "hazards_overdue": "/hazards/?region=510100&overdue=1",
        "major_open": "/hazards/?region=510100&grade=major&open=1",
        "listed": "/hazards/?region=510100&listed=1",
        "cases": "/enforcement/cases/?region=510100&year=2025",
        "dual_penalty": "/enforcement/cases/?region=510100&year=2025&dual_penalty=1",
        "suspensions": "/enforcement/suspensions/?region=510100&year=2025",
        "referrals": "/enforcement/referrals/?region=510100&year=2025",
        "fines": "/enforcement/stats/?region=510100&year=2025",
        "accidents": "/accidents/?region=510100&year=2025",
        "deaths": "/accidents/stats/?region=510100&year=2025",
        "grade_major": "/accidents/?region=510100&year=2025&grade=major",
        # A past year is compared with the whole year before it.
        "accidents_last_year": "/accidents/?region=510100&year=2024",
        "deaths_last_year": "/accidents/?region=510100&year=2024",
        "alerts_open": "/power/?region=510100&year=2025&mine=0",
        "alerts_unassigned": "/power/?region=510100&year=2025&mine=0&state=open",
        "alerts_assigned": "/power/?region=510100&year=2025&mine=0&state=assigned",
        "alerts_confirmed": "/power/?region=510100&year=2025&mine=0&state=confirmed",
        "enterprises": "/enterprises/?region=510100",
        "status_suspended": "/enterprises/?region=510100&status=suspended",
    }
    for key, url in expected.items():
        assert found[key][0] == url, key


# -- every link on demo data ---------------------------------------------------------------------

LIST_TOTALS = {"hazards:list", "enforcement:list", "enforcement:suspensions", "enforcement:referrals",
               "accidents:list", "enterprises:list", "power:queue"}
NOT_COUNTS = {"rectification_rate", "fines", "deaths", "deaths_last_year"}


def _list_total(client, key: str, url: str, value: str):
    """The number the page behind `url` shows for the figure `key`, and the number on the card."""
    response = client.get(url)
    assert response.status_code == 200, (key, url, response.status_code)
    name = response.resolver_match.view_name
    context = response.context
    if key == "alerts_open":  # the queue's own 待处理 (open + assigned) under the same filters
        return context["summary"]["open"], int(value)
    if name in LIST_TOTALS:
        if key in NOT_COUNTS:  # an enterprise's rate, fines and deaths open the list they come from
            return None, None
        return context["page"].count, int(value)
    cards = {card["key"]: card["value"] for card in context["cards"]}
    if name == "hazards:stats":
        return cards["rectification_rate"], f"{float(value) * 100:.1f}%"
    if name == "enforcement:stats":
        return cards["fines_total_cny"], Decimal(value)
    if name == "accidents:stats":
        return cards["deaths"], int(value)
    raise AssertionError(f"{key}: no rule for {name} ({url})")


def _follow_every_link(client, params: dict, *, enterprise: bool = False) -> set[str]:
    response = client.get(reverse("supervision:dashboard"), params)
    assert response.status_code == 200
    found = figures_of(response)
    assert found, "no linked figures"
    checked = set()
    for key, (url, value) in found.items():
        shown, expected = _list_total(client, key, url, value)
        assert shown == expected, (params, key, url, shown, expected)
        if not enterprise:
            assert query(url).get("region") == response.context["region"].code, (key, url)
        checked.add(key)
    return checked


@pytest.mark.slow
def test_every_number_equals_the_total_of_the_list_it_links_to(client, regions, tmp_path, monkeypatch):
    from benan.demo import generator
    from benan.standards.loader import load_standards

    load_standards()
    monkeypatch.setenv("BENAN_POWER_LAKE", str(tmp_path / "lake"))
    generator.install(enterprises=500, seed=11)
    users = {name: User.objects.get(username=name) for name in
             ("sc-office", "cd-office", "wuhou-inspector", "ent-wuhou")}
    year = clock.today().year

    client.force_login(users["sc-office"])
    checked = _follow_every_link(client, {})
    assert {"hazards_found", "hazards_closed", "rectification_rate", "hazards_overdue", "listed", "cases",
            "dual_penalty", "suspensions", "referrals", "fines", "accidents", "deaths", "grade_general",
            "accidents_last_year", "deaths_last_year",
            "alerts_open", "alerts_unassigned", "alerts_assigned", "alerts_confirmed", "alerts_total",
            "enterprises", "status_normal", "status_suspended"} <= checked
    # The demo has something behind the links that matter, so the comparison means something (in
    # January: last year's figures, as this year may be minutes old).
    shown = year if clock.today().month > 1 else year - 1
    found = figures_of(client.get(reverse("supervision:dashboard"), {"year": shown}))
    for key in ("hazards_found", "hazards_closed", "hazards_overdue", "cases", "accidents", "alerts_total"):
        assert int(found[key][1]) > 0, key
    _follow_every_link(client, {"region": CHENGDU})
    _follow_every_link(client, {"region": "510107", "year": str(year - 1)})

    client.force_login(users["cd-office"])
    _follow_every_link(client, {})
    client.force_login(users["wuhou-inspector"])
    _follow_every_link(client, {})
    client.force_login(users["ent-wuhou"])
    checked = _follow_every_link(client, {}, enterprise=True)
    assert not {key for key in checked if key.startswith("alerts")}  # no power card for enterprises


# -- the region breadcrumb and the year ------------------------------------------------------------


def test_the_breadcrumb_links_only_what_the_user_may_read(client, cd_office):
    client.force_login(cd_office)
    response = client.get(reverse("supervision:dashboard"), {"region": WUHOU})
    assert response.status_code == 200
    crumbs = response.context["nav"]["crumbs"]
    assert [(c["name"], bool(c["url"]), c["current"]) for c in crumbs] == [
        ("四川省", False, False), ("成都市", True, False), ("武侯区", True, True),
    ]
    text = text_of(response)
    year = clock.today().year
    assert f'href="/supervision/?region={CHENGDU}&amp;year={year}" data-region="{CHENGDU}"' in text
    # Down from the city: its counties.
    children = client.get(reverse("supervision:dashboard")).context["nav"]["children"]
    assert WUHOU in {c["code"] for c in children} and JINJIANG in {c["code"] for c in children}
    assert all(c["code"].startswith("5101") for c in children)


def test_the_province_sees_every_city_and_goes_down(client, sc_office):
    client.force_login(sc_office)
    response = client.get(reverse("supervision:dashboard"))
    assert response.context["region"].code == SICHUAN
    assert len(response.context["nav"]["children"]) == 21
    assert 'data-level="province"' in text_of(response)
    city = client.get(reverse("supervision:dashboard"), {"region": CHENGDU})
    assert city.status_code == 200 and "成都市 · 监管驾驶舱" in text_of(city)
    assert 'data-level="city"' in text_of(city) and 'id="subregion-bars"' in text_of(city)


def test_a_region_outside_the_scope_is_404_and_bad_input_a_message(client, wuhou_inspector):
    client.force_login(wuhou_inspector)
    url = reverse("supervision:dashboard")
    assert client.get(url, {"region": JINJIANG}).status_code == 404
    assert client.get(url, {"region": SICHUAN}).status_code == 404
    for params, message in (
        ({"region": "519999"}, "行政区划代码“519999”不存在"),
        ({"region": "abc"}, "行政区划代码“abc”不存在"),
        ({"year": "二〇二六"}, "年份“二〇二六”不是整数"),
        ({"year": "1800"}, "年份必须在 1990 到 2100 之间"),
        ({"indicator": "nonsense"}, "“nonsense”不是可选指标"),
    ):
        response = client.get(url, params)
        assert response.status_code == 400, params
        assert message in text_of(response), params
        assert 'id="param-errors"' in text_of(response)


def test_the_year_selector_moves_every_figure_to_that_year(client, wuhou_inspector, wuhou_ent, accident):  # noqa: F811
    then = timezone.localtime(clock.now() - timedelta(days=400))
    accident(wuhou_ent, occurred_at=then.isoformat(), deaths=2)
    client.force_login(wuhou_inspector)
    this_year = figures_of(client.get(reverse("supervision:dashboard")))
    assert this_year["accidents"][1] == "0"
    last = then.year
    response = client.get(reverse("supervision:dashboard"), {"year": str(last)})
    earlier = figures_of(response)
    assert earlier["accidents"] == (f"/accidents/?region={WUHOU}&year={last}", "1")
    assert earlier["deaths"][1] == "2"
    assert f'<option value="{last}" selected>' in text_of(response)


def test_accidents_are_compared_with_the_same_days_of_last_year(client, wuhou_inspector, wuhou_ent, accident):  # noqa: F811
    today = clock.today()
    if (today.month, today.day) < (1, 3):
        pytest.skip("needs two days of this year behind today")
    now = clock.now()
    accident(wuhou_ent, deaths=1)
    accident(wuhou_ent, deaths=2)
    # 366 days back lies between 1 January of last year and today's date a year ago.
    a_year_ago = timezone.localtime(now) - timedelta(days=366)
    accident(wuhou_ent, occurred_at=a_year_ago.isoformat(), deaths=5)
    client.force_login(wuhou_inspector)
    response = client.get(reverse("supervision:dashboard"))
    compare = next(s for s in response.context["sections"] if s["key"] == "accidents")["compare"]
    assert compare["accidents"]["before"] == 1 and compare["accidents"]["difference"] == 1
    assert compare["deaths"]["before"] == 5 and compare["deaths"]["difference"] == -2
    text = text_of(response)
    assert "↑ 增加 1 起" in text and "↓ 减少 2 人" in text
    # Last year's number opens the accident list of the same days: 1 January to today's date.
    url, value = figures_of(response)["accidents_last_year"]
    day = 28 if (today.month, today.day) == (2, 29) else today.day  # 29 February: 28 February
    assert query(url) == {"region": WUHOU, "date_from": f"{today.year - 1}-01-01",
                          "date_to": today.replace(year=today.year - 1, day=day).isoformat()}
    listed = client.get(url)
    assert listed.context["page"].count == int(value) == 1


@pytest.mark.parametrize(("moment", "expected"), [
    ("2026-01-31T12:00+08:00", {"date_from": "2025-01-01", "date_to": "2025-01-31"}),  # a whole month
    ("2026-03-01T00:10+08:00", {"date_from": "2025-01-01", "date_to": "2025-03-01"}),
])
def test_last_years_link_names_the_days_on_any_day(client, wuhou_inspector, moment, expected):
    from datetime import datetime

    import time_machine

    with time_machine.travel(datetime.fromisoformat(moment)):
        client.force_login(wuhou_inspector)
        url, _ = figures_of(client.get(reverse("supervision:dashboard")))["accidents_last_year"]
    assert query(url) == {"region": WUHOU, **expected}
    # A past year is compared with the whole year before it.
    client.force_login(wuhou_inspector)  # the travelled session has expired by now
    url, _ = figures_of(client.get(reverse("supervision:dashboard"), {"year": "2025"}))["accidents_last_year"]
    assert query(url) == {"region": WUHOU, "year": "2024"}


# -- enterprise users ------------------------------------------------------------------------------


def test_an_enterprise_user_sees_its_own_enterprise_without_map_or_regions(
    client, ent_wuhou, wuhou_ent, jinjiang_ent
):
    hazard_of(wuhou_ent)
    hazard_of(jinjiang_ent)
    client.force_login(ent_wuhou)
    response = client.get(reverse("supervision:dashboard"))
    assert response.status_code == 200
    text = text_of(response)
    assert "武侯机械制造有限公司 · 监管驾驶舱" in text
    found = figures_of(response)
    assert found["hazards_found"] == ("/hazards/", "1")
    assert found["cases"][0] == f"/enforcement/cases/?year={clock.today().year}"
    assert not any(key.startswith("alerts") for key in found) and "referrals" not in found
    for absent in ('id="dashboard-map"', 'id="region-nav"', 'id="figures-nav"', "/supervision/ranking/"):
        assert absent not in text, absent
    assert 'id="trend-hazards"' in text
    assert client.get(reverse("supervision:dashboard"), {"region": WUHOU}).status_code == 404
    assert client.get(reverse("supervision:map_data")).status_code == 403


# -- the map's data ------------------------------------------------------------------------------


def test_the_map_colours_the_cities_by_the_chosen_indicator(client, sc_office, wuhou_ent, mianyang_ent):
    hazard_of(wuhou_ent)
    hazard_of(wuhou_ent)
    hazard_of(mianyang_ent)
    client.force_login(sc_office)
    data = client.get(reverse("supervision:map_data"), {"indicator": "major_open"}).json()
    assert data["mode"] == "map" and data["highlight"] is None and len(data["rows"]) == 21
    values = {row["code"]: row["value"] for row in data["rows"]}
    assert values["510100"] == 2 and values["510700"] == 1 and sum(values.values()) == 3
    chengdu = next(row for row in data["rows"] if row["code"] == "510100")
    assert chengdu["worst"] is True
    assert chengdu["url"] == f"/supervision/?region=510100&year={clock.today().year}"
    rate = client.get(reverse("supervision:map_data"), {"indicator": "rectification_rate"}).json()
    assert rate["indicator"]["percent"] is True and rate["indicator"]["higher_is_worse"] is False
    assert {row["display"] for row in rate["rows"]} == {"0.0%", "100.0%"}


def test_a_city_gets_its_counties_as_bars_and_a_county_none(client, cd_office, wuhou_inspector, wuhou_ent):
    hazard_of(wuhou_ent)
    client.force_login(cd_office)
    data = client.get(reverse("supervision:map_data"), {"indicator": "hazards_found"}).json()
    assert data["mode"] == "bars" and data["highlight"] == "5101"
    assert {row["code"][:4] for row in data["rows"]} == {"5101"}
    assert next(row["value"] for row in data["rows"] if row["code"] == WUHOU) == 1
    client.force_login(wuhou_inspector)
    county = client.get(reverse("supervision:map_data")).json()
    assert county["mode"] == "bars" and county["highlight"] == "5101" and county["rows"] == []


def test_the_map_data_refuses_bad_input_in_chinese(client, wuhou_inspector):
    client.force_login(wuhou_inspector)
    url = reverse("supervision:map_data")
    bad = client.get(url, {"indicator": "nonsense"})
    assert bad.status_code == 400 and "不是可选指标" in bad.json()["detail"]
    assert client.get(url, {"year": "x"}).status_code == 400
    assert client.get(url, {"region": "519999"}).status_code == 400
    assert client.get(url, {"region": JINJIANG}).status_code == 404


# -- the navigation ------------------------------------------------------------------------------


def test_the_navbar_has_the_supervision_menu_for_the_authorities(client, cd_office, ent_wuhou):
    client.force_login(cd_office)
    text = text_of(client.get(reverse("supervision:dashboard")))
    assert 'id="nav-supervision"' in text
    for name in ("dashboard", "ranking", "weekly", "circular", "assignments"):
        assert f'href="{reverse(f"supervision:{name}")}"' in text, name
    client.force_login(ent_wuhou)
    assert 'id="nav-supervision"' not in text_of(client.get(reverse("supervision:dashboard")))


# -- the power queue's year ------------------------------------------------------------------------


def test_the_power_queue_filters_by_the_year_detected(
    client, cd_office, wuhou_ent, jinjiang_ent, power_alert  # noqa: F811
):
    recent = power_alert(wuhou_ent, days_ago=10)
    with clock.as_of(clock.now() - timedelta(days=800)):  # the scan of two years ago
        old = power_alert(jinjiang_ent, days_ago=10)
    client.force_login(cd_office)
    url = reverse("power:queue")
    everything = client.get(url, {"mine": "0"})
    assert everything.context["page"].count == 2
    year = timezone.localtime(recent.detected_at).year
    response = client.get(url, {"year": str(year), "mine": "0"})
    assert response.status_code == 200
    assert [a.pk for a in response.context["page"].items] == [recent.pk]
    assert response.context["summary"]["open"] == 1
    assert all(f"year={year}" in tab["url"] for tab in response.context["tabs"])
    assert f'<option value="{year}" selected>' in text_of(response)
    older = client.get(url, {"year": str(timezone.localtime(old.detected_at).year), "mine": "0"})
    assert [a.pk for a in older.context["page"].items] == [old.pk]
    bad = client.get(url, {"year": "abc"})
    assert bad.status_code == 400 and "年份“abc”不是整数" in text_of(bad)
    assert client.get(url, {"year": "1800"}).status_code == 400
