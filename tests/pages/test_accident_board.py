"""The live reporting board: pending steps of the chain in the scope, soonest first, overdue ones
in red with how long; acknowledging (by the office of that level) takes the step off the board."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from benan.accidents.models import ReportingStep

NOW = datetime(2026, 5, 11, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def fixed_time():
    with time_machine.travel(NOW, tick=False):
        yield


def step(accident, level: str) -> ReportingStep:
    return accident.steps.get(level=level)


def test_an_overdue_step_is_red_and_acknowledging_takes_it_off(client, accident, wuhou_ent, wuhou_inspector):
    # Known at 08:00 (the fixture's accident happened two hours ago): the county is due at 09:00.
    made = accident(wuhou_ent)
    county = step(made, "county")
    client.force_login(wuhou_inspector)
    with time_machine.travel(NOW - timedelta(hours=1, minutes=30), tick=False):
        text = client.get(reverse("accidents:board")).content.decode()
        assert "剩余 30 分" in text and "overdue-mark" not in text
    text = client.get(reverse("accidents:board")).content.decode()
    assert made.number in text and wuhou_ent.name in text
    row = text[text.index(f'data-step="{county.pk}"') :]
    row = row[: row.index("</tr>")]
    assert f'data-step="{county.pk}" id="step-{county.pk}" class="table-danger"' in text
    assert "已超时 1 小时 0 分" in row and "text-danger" in row
    assert "确认接报" in row
    # The city step is not the inspector's to confirm: no button.
    city = step(made, "city")
    city_row = text[text.index(f'data-step="{city.pk}"') :]
    assert "确认接报" not in city_row[: city_row.index("</tr>")]

    response = client.post(
        reverse("accidents:acknowledge", args=[county.pk]), {"next": "board", "note": "已接报"}
    )
    assert response.status_code == 302 and response.url == reverse("accidents:board")
    county.refresh_from_db()
    assert county.state == "acknowledged" and county.acknowledged_by == wuhou_inspector
    assert county.note == "已接报"
    text = client.get(reverse("accidents:board")).content.decode()
    assert f'data-step="{county.pk}"' not in text and f'data-step="{city.pk}"' in text


def test_the_board_polls_and_filters_overdue_only(client, accident, wuhou_ent, jinjiang_ent, cd_office):
    late = accident(wuhou_ent)
    with time_machine.travel(NOW + timedelta(minutes=50), tick=False):
        # Its unit's head learned of it only ten minutes ago: nothing is due yet.
        fresh = accident(jinjiang_ent, known_at=(NOW + timedelta(minutes=40)).isoformat())
    client.force_login(cd_office)
    with time_machine.travel(NOW + timedelta(minutes=50), tick=False):
        text = client.get(reverse("accidents:board")).content.decode()
        assert 'hx-trigger="every 60s"' in text
        assert text.index(late.number) < text.index(fresh.number)  # the soonest deadline first
        only = client.get(reverse("accidents:board"), {"overdue": "1"}).content.decode()
        assert late.number in only and fresh.number not in only
        partial = client.get(reverse("accidents:board"), {"overdue": "1"}, headers={"HX-Request": "true"})
        assert "<html" not in partial.content.decode() and late.number in partial.content.decode()


def test_the_board_keeps_to_the_scope(client, accident, wuhou_ent, jinjiang_ent, jinjiang_inspector):
    wuhou, jinjiang = accident(wuhou_ent), accident(jinjiang_ent)
    client.force_login(jinjiang_inspector)
    text = client.get(reverse("accidents:board")).content.decode()
    assert jinjiang.number in text and wuhou.number not in text and wuhou_ent.name not in text
    # Another county's step: missing, and nothing changes.
    response = client.post(
        reverse("accidents:acknowledge", args=[step(wuhou, "county").pk]), {"next": "board"}
    )
    assert response.status_code == 404
    assert step(wuhou, "county").state == "pending"


def test_only_the_office_of_the_level_may_acknowledge(
    client, accident, wuhou_ent, cd_office, sc_office, expert
):
    made = accident(wuhou_ent)
    county = step(made, "county")
    client.force_login(cd_office)
    assert (
        client.post(reverse("accidents:acknowledge", args=[county.pk]), {"next": "board"}).status_code == 403
    )
    assert step(made, "county").state == "pending"
    assert client.post(reverse("accidents:acknowledge", args=[step(made, "city").pk])).status_code == 302
    # A second confirmation is a clear refusal, not a silent no-op.
    again = client.post(reverse("accidents:acknowledge", args=[step(made, "city").pk]), {"next": "board"})
    assert again.status_code == 409 and "已接报" in again.content.decode()
    client.force_login(expert)
    assert client.post(reverse("accidents:acknowledge", args=[county.pk])).status_code == 403


def test_the_national_level_is_recorded_by_the_province(client, accident, wuhou_ent, sc_office, cd_office):
    made = accident(wuhou_ent, deaths=12)
    national = step(made, "national")
    client.force_login(cd_office)
    assert client.post(reverse("accidents:acknowledge", args=[national.pk])).status_code == 403
    client.force_login(sc_office)
    text = client.get(reverse("accidents:board")).content.decode()
    assert "国务院应急管理部门" in text
    response = client.post(reverse("accidents:acknowledge", args=[national.pk]), {"next": "detail"})
    assert response.status_code == 302
    assert response.url == reverse("accidents:detail", args=[made.pk]) + "#chain"
    assert step(made, "national").acknowledged_by == sc_office


def test_an_empty_board(client, commander):
    client.force_login(commander)
    text = client.get(reverse("accidents:board")).content.decode()
    assert "没有待接报的事故报告" in text
