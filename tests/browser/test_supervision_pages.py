"""The dashboard in a real browser: the vendored ECharts draws the trends and the map of Sichuan
without a JavaScript error and without the network; choosing an indicator recolours the map; a click
on a city opens its dashboard; a click on a card's number opens the list with that many rows; a city
office gets the province outline with its city and its counties as bars."""

import re

import pytest
from playwright.sync_api import expect

from tests.hazards.matrix import hazard_of

from .test_hazard_pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The map's series, as ECharts holds it (the page's own chart on #dashboard-map).
SERIES = "() => echarts.getInstanceByDom(document.getElementById('dashboard-map')).getOption().series[0]"
VISUAL = "() => echarts.getInstanceByDom(document.getElementById('dashboard-map')).getOption().visualMap[0]"


def watch(page, live_server):
    """JS errors and any request that leaves the test server (nothing may come from a CDN)."""
    seen = {"errors": [], "outside": []}
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: None if r.url.startswith(live_server.url) or r.url.startswith("data:")
            else seen["outside"].append(r.url))
    return seen


def test_the_province_dashboard_draws_recolours_and_opens(live_server, transactional_db, new_page, sc_office,
                                                          admin, wuhou_ent, jinjiang_ent, mianyang_ent):
    hazard_of(wuhou_ent)
    hazard_of(jinjiang_ent)
    hazard_of(mianyang_ent)
    page = new_page()
    seen = watch(page, live_server)
    log_in(page, live_server.url, "sc-office")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/supervision/")
    expect(page.locator("#dashboard-map canvas").first).to_be_visible()
    expect(page.locator("#trend-hazards canvas").first).to_be_visible()
    expect(page.locator("#trend-accidents canvas").first).to_be_visible()
    expect(page.locator("#dashboard-map")).to_have_attribute("data-indicator", "hazards_overdue")
    series = page.evaluate(SERIES)
    assert series["type"] == "map" and len(series["data"]) == 21
    assert {d["name"] for d in series["data"]} >= {"成都市", "绵阳市", "凉山彝族自治州"}

    # Another indicator: the values and the colour scale follow it.
    page.locator("#map-indicator").select_option("major_open")
    expect(page.locator("#dashboard-map")).to_have_attribute("data-indicator", "major_open")
    values = {d["name"]: d["value"] for d in page.evaluate(SERIES)["data"]}
    assert values["成都市"] == 2 and values["绵阳市"] == 1 and values["自贡市"] == 0
    worse_red = page.evaluate(VISUAL)["inRange"]["color"]
    page.locator("#map-indicator").select_option("rectification_rate")
    expect(page.locator("#dashboard-map")).to_have_attribute("data-indicator", "rectification_rate")
    assert page.evaluate(VISUAL)["inRange"]["color"] == worse_red[::-1]  # a low rate is the bad end
    assert "indicator=rectification_rate" in page.url
    expect(page.locator("#map-note")).to_contain_text("整改率")

    # A click on Chengdu opens Chengdu's dashboard.
    point = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('dashboard-map'))"
        ".convertToPixel({seriesIndex: 0}, [104.07, 30.67])"
    )
    page.locator("#dashboard-map").scroll_into_view_if_needed()
    box = page.locator("#dashboard-map").bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    expect(page).to_have_url(re.compile(r"/supervision/\?region=510100&year=\d{4}$"))
    expect(page.locator("h1")).to_contain_text("成都市 · 监管驾驶舱")

    # A card's number opens its list, which counts as many.
    overdue = page.locator('a[data-figure="major_open"]')
    expect(overdue).to_have_text("2")
    page.locator('a[data-figure="hazards_found"]').click()
    expect(page).to_have_url(f"{live_server.url}/hazards/?region=510100")
    expect(page.locator("#result-count")).to_have_text("2")
    assert not seen["errors"], seen["errors"]
    assert not seen["outside"], seen["outside"]


def test_a_city_office_sees_its_city_on_the_outline_and_its_counties_as_bars(
    live_server, transactional_db, new_page, cd_office, admin, wuhou_ent
):
    hazard_of(wuhou_ent)
    page = new_page()
    seen = watch(page, live_server)
    log_in(page, live_server.url, "cd-office")
    page.goto(f"{live_server.url}/supervision/?indicator=hazards_found")
    expect(page.locator("#subregion-bars canvas").first).to_be_visible()
    expect(page.locator("#dashboard-map")).to_have_attribute("data-indicator", "hazards_found")
    outline = page.evaluate(SERIES)
    assert [d["name"] for d in outline["data"] if d.get("value") == 1] == ["成都市"]
    bars = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('subregion-bars')).getOption()"
    )
    names = bars["yAxis"][0]["data"]
    values = dict(zip(names, [d["value"] for d in bars["series"][0]["data"]], strict=True))
    assert values["武侯区"] == 1 and values["锦江区"] == 0
    page.locator("#map-indicator").select_option("cases")
    expect(page.locator("#dashboard-map")).to_have_attribute("data-indicator", "cases")
    assert not seen["errors"], seen["errors"]
    assert not seen["outside"], seen["outside"]
