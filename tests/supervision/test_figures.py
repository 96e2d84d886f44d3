"""The dashboard and the ranking agree with the statistics endpoints of the modules, on the demo
data, for every demo user; and every demo user's dashboard opens on their own region.

Each number is fetched twice over HTTP: from /api/v1/dashboard (or /ranking) and from the
module's own endpoint (/hazards/stats, /cases/stats, /accidents/stats, /power/stats) with the same
region and days. The two are computed by different code paths (one grouped pass per sub-region
for the ranking), so a disagreement is a bug in one of them.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from benan.core import clock
from benan.core.models import Region, User
from benan.core.period import Period
from benan.demo import generator
from benan.enterprises.models import Enterprise
from benan.hazards import services as hazard_services
from benan.hazards.guards import PLAN_ELEMENTS

pytestmark = pytest.mark.slow

def overdue_major_hazard():
    """A major hazard of a demo enterprise, confirmed three weeks ago and due ten days ago."""
    inspector = User.objects.get(username="wuhou-inspector")
    enterprise = Enterprise.objects.filter(region_id=inspector.region_id).order_by("pk").first()
    with time_machine.travel(timezone.now() - timedelta(days=21)):
        hazard = hazard_services.report_hazard(
            actor=inspector, enterprise=enterprise, description="液氨储罐区未设置泄漏报警",
            source="department",
        )
        hazard_services.confirm_hazard(
            actor=inspector, hazard=hazard, grade="major", criterion_id="gongmao-2023:art3.2",
            plan=dict.fromkeys(PLAN_ELEMENTS, "按方案整改"), due_date=clock.today() + timedelta(days=11))


def get(client, path, **params):
    response = client.get(path, {k: v for k, v in params.items() if v is not None})
    assert response.status_code == 200, (path, params, response.content[:300])
    return response.json()


def module_figures(
    client, region: str | None, period: Period, hazard_period: Period | None, government: bool
):
    """What the modules' own endpoints say for `region` over `period`."""
    days = {"date_from": period.start.isoformat(), "date_to": period.end.isoformat()}
    hazard_days = {"date_from": hazard_period.start.isoformat(), "date_to": hazard_period.end.isoformat()} \
        if hazard_period else {}
    return {
        "hazards": get(client, "/api/v1/hazards/stats", region=region, **hazard_days),
        "enforcement": get(client, "/api/v1/cases/stats", region=region, **days),
        "accidents": get(client, "/api/v1/accidents/stats", region=region, **days),
        "power": get(client, "/api/v1/power/stats", region=region, **days) if government else None,
    }


def test_every_demo_user_lands_on_their_own_region_with_the_modules_figures(api, demo):
    today = clock.today()
    year = Period.year(today.year).clipped(today)
    expected_home = {
        "admin": "510000", "sc-office": "510000", "cd-office": "510100", "wuhou-inspector": "510107",
        "jinjiang-inspector": "510104", "ent-wuhou": None, "expert": "510000", "commander": "510000",
        "wuhou-commander": "510107",
    }
    assert set(expected_home) == {a.username for a in generator.DEMO_ACCOUNTS}
    for username, home in expected_home.items():
        user = User.objects.get(username=username)
        client = api(user)
        board = get(client, "/api/v1/dashboard")
        assert (board["region"] or {}).get("code") == home, username
        government = home is not None
        mine = module_figures(client, home, year, None, government)
        assert board["hazards"] == mine["hazards"], username
        assert board["enforcement"] == mine["enforcement"], username
        assert board["accidents"] == mine["accidents"], username
        before = year.same_period_last_year()
        assert board["accidents_last_year"] == get(
            client, "/api/v1/accidents/stats", region=home, date_from=before.start.isoformat(),
            date_to=before.end.isoformat()), username
        if government:
            power = mine["power"]
            assert board["power"]["total"] == power["total"], username
            assert board["power"]["open"] == sum(k["open_total"] for k in power["by_kind"]), username
            assert board["power"]["confirmed"] == sum(k["confirmed"] for k in power["by_kind"]), username
        # The trend's months add up to the year's accidents and cases.
        assert sum(board["trend"]["accidents"]) == board["accidents"]["accidents"], username
        assert sum(board["trend"]["cases"]) == board["enforcement"]["cases"], username
    # The demo has something to show on the province's dashboard (in January: last year's, as
    # the demo's history ends today and this year may be minutes old).
    shown = today.year if today.month > 1 else today.year - 1
    province = get(api(User.objects.get(username="sc-office")), "/api/v1/dashboard", year=shown)
    assert province["hazards"]["found"] and province["enforcement"]["cases"]
    assert province["accidents"]["accidents"]


@pytest.mark.parametrize("username", ["sc-office", "cd-office"])
def test_the_ranking_of_a_month_equals_each_sub_regions_statistics(api, demo, username):
    user = User.objects.get(username=username)
    client = api(user)
    today = clock.today()
    month = Period.month(today.year, today.month).previous_month()
    table = get(client, "/api/v1/ranking", month=month.key)
    children = list(Region.objects.filter(parent_id=user.region_id).values_list("code", flat=True))
    assert sorted(r["region_code"] for r in table["rows"]) == sorted(children)
    seen_any = False
    for row in table["rows"]:
        code = row["region_code"]
        mine = module_figures(client, code, month, month, government=True)
        h, e, a = mine["hazards"], mine["enforcement"], mine["accidents"]
        assert (row["hazards_found"], row["hazards_closed"], row["rectification_rate"],
                row["hazards_overdue"], row["major_found"], row["major_open"], row["listed"]) == (
            h["found"], h["closed"], h["rectification_rate"], h["overdue"], h["major"], h["major_open"],
            h["listed"]), code
        assert (row["cases"], row["dual_penalty"], row["suspensions"]) == (
            e["cases"], e["dual_penalty"], e["suspensions"]), code
        assert (row["accidents"], row["deaths"]) == (a["accidents"], a["deaths"]), code
        kinds = mine["power"]["by_kind"]
        assert row["alerts_open"] == sum(k["open_total"] for k in kinds), code
        assert row["alerts_confirmed"] == sum(k["confirmed"] for k in kinds), code
        seen_any = seen_any or bool(row["hazards_found"] or row["cases"])
    assert seen_any, "the demo month has data in some sub-region"
    # Sorted worst first on the default indicator (most overdue), ties by code.
    overdue = [r["hazards_overdue"] for r in table["rows"]]
    assert overdue == sorted(overdue, reverse=True)


def test_the_weekly_sheet_counts_its_lists(api, demo):
    client = api(User.objects.get(username="sc-office"))
    overdue_major_hazard()
    sheet = get(client, "/api/v1/weekly")
    titles = {s["title"]: s for s in sheet["sections"]}
    assert sheet["totals"]["new_major"] == len(titles["新增重大隐患"]["rows"])
    assert sheet["totals"]["overdue_major"] == len(titles["逾期重大隐患"]["rows"])
    assert sheet["totals"]["new_listed"] == len(titles["新增挂牌督办"]["rows"])
    assert sheet["totals"]["accidents"] == len(titles["生产安全事故"]["rows"])
    assert sheet["totals"]["tasks_due"] == len(titles["到期督办任务"]["rows"])
    # This week's overdue major hazards are today's overdue queue of major hazards.
    queue = get(client, "/api/v1/hazards", grade="major", overdue="true", page_size=1)
    assert sheet["totals"]["overdue_major"] == queue["count"] > 0
    start, end = date.fromisoformat(sheet["week"]["start"]), date.fromisoformat(sheet["week"]["end"])
    assert start.weekday() == 0 and (end - start).days == 6 and start <= clock.today() <= end
