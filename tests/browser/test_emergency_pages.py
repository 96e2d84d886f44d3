"""The emergency map in a real browser: the vendored ECharts draws Sichuan's prefectures, a click on
the map picks the point, the nearest ranking comes back with distances, and one click dispatches the
nearest team; the dispatch page draws its map without running what a resource's name carries."""

import pytest
from playwright.sync_api import expect

from benan.emergency.models import DispatchOrder, RescueTeam

from .test_hazard_pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOSTILE = '<img src=x onerror="window.__xss = 1">救援队'


def test_a_commander_picks_a_point_and_dispatches_the_nearest_team(
    live_server, transactional_db, new_page, commander, admin
):
    from benan.emergency import services

    near = services.create_team(
        actor=admin,
        name=HOSTILE,
        region_code="510107",
        lat=30.70,
        lon=104.05,
        kind="fire",
        members=20,
        capabilities=["fire"],
    )
    services.create_team(
        actor=admin,
        name="远处的救援队",
        region_code="510107",
        lat=30.30,
        lon=104.05,
        kind="fire",
        members=20,
        capabilities=["fire"],
    )
    page = new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server.url, "commander")
    page.goto(f"{live_server.url}/emergency/")
    expect(page.locator("#emergency-map canvas").first).to_be_visible()
    # The canvas shows before the outline is loaded; a click then picks nothing.
    expect(page.locator("#emergency-map")).to_have_attribute("data-ready", "1")
    box = page.locator("#emergency-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.55)  # somewhere in Sichuan
    expect(page.locator("#pick-lat")).not_to_have_value("")
    page.locator("#pick-lat").fill("30.60")
    page.locator("#pick-lon").fill("104.05")
    page.locator("#pick-county").select_option("510107")
    page.get_by_role("button", name="查找最近资源").click()
    rows = page.locator("#nearest-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("11.1 公里")
    expect(rows.first).to_contain_text(HOSTILE)  # shown as text, not markup
    rows.first.get_by_role("button", name="调派").click()
    expect(page.locator("h1")).to_be_visible()
    order = DispatchOrder.objects.get()
    assert order.team_id == near.pk and order.state == "sent"
    assert RescueTeam.objects.get(pk=near.pk).readiness == "deployed"
    assert page.url.endswith(f"/emergency/dispatches/{order.dispatch_id}/")
    expect(page.locator("canvas").first).to_be_visible()
    page.mouse.move(10, 10)
    assert page.evaluate("window.__xss") is None
    assert not errors, errors
