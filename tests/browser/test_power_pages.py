"""The power-alert page in a real browser: the load chart is drawn by the vendored ECharts from
the readings in the lake, and the page speaks Chinese."""

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from benan.power import lake
from benan.power.models import Meter
from tests.power import conftest as power_fixtures

from .test_hazard_pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The power tests' own fixture (an alert written as the scan does), made visible to this module.
power_alert = power_fixtures.power_alert


def test_the_alert_page_draws_the_load_chart(
    live_server, transactional_db, new_page, tmp_path, monkeypatch, power_alert, cd_office, wuhou_ent
):
    monkeypatch.setenv("BENAN_POWER_LAKE", str(tmp_path / "lake"))
    alert = power_alert(wuhou_ent)
    Meter.objects.create(meter_id="M-WH-1", enterprise=wuhou_ent)
    first = alert.start_date - timedelta(days=7)
    lines = ["meter_id,ts,kwh"]
    for day in range((alert.end_date - first).days + 3):
        midnight = datetime.combine(first + timedelta(days=day), datetime.min.time())
        busy = alert.start_date <= midnight.date() <= alert.end_date
        for quarter in range(96):
            when = midnight + timedelta(minutes=15 * quarter)
            lines.append(f"M-WH-1,{when:%Y-%m-%d %H:%M},{40 if busy else 2}")
    readings = tmp_path / "readings.csv"
    readings.write_text("\n".join(lines) + "\n", encoding="utf-8")
    lake.ingest(readings, known_meters={"M-WH-1"})

    page = new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server.url, "cd-office")
    page.goto(f"{live_server.url}/power/alerts/{alert.pk}/")
    expect(page.locator("#load-chart canvas")).to_have_count(1)
    box = page.locator("#load-chart canvas").bounding_box()
    assert box and box["width"] > 300 and box["height"] > 200
    expect(page.locator("h1")).to_contain_text(wuhou_ent.name)
    expect(page.get_by_text("用电曲线")).to_be_visible()
    expect(page.locator("#alert-kind")).to_have_text("明停暗开")
    assert re.search(r"[\u4e00-\u9fff]", page.locator("#alert-evidence").inner_text())
    assert not errors, errors
