"""Hazard statistics of a period: the ledger as it stood at the period's end, so that a past
month's figures never change (the monthly circular depends on it), and the live ledger as it
stands, both through GET /api/v1/hazards/stats.

The story, in 武侯区, local time (Asia/Shanghai):
- A: found 2026-10-10, confirmed major due 10-20, closed 11-05 → October: found, major, overdue
  at the month's end; November: closed, no longer open.
- B: found 2026-10-31 23:59 → October (the last minute of the month), still reported at its end.
- C: found 2026-11-01 00:00 → November only.
- D: found 2026-10-05, confirmed due 10-15, rectification submitted 10-25, verified 11-03 →
  not overdue at the end of October (waiting for verification: 待验收), closed in November.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from benan.core import clock
from benan.core.models import User
from benan.core.period import Period
from benan.hazards import services
from benan.hazards.models import Hazard

from .conftest import CRITERION, PLAN

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


@pytest.fixture
def story(criteria, wuhou_ent, ent_wuhou, wuhou_inspector, evidence):
    def report(moment, description):
        with time_machine.travel(moment, tick=False):
            return services.report_hazard(
                actor=wuhou_inspector, enterprise=wuhou_ent, description=description, source="department"
            )

    def confirm(hazard, moment, due):
        with time_machine.travel(moment, tick=False):
            return services.confirm_hazard(actor=wuhou_inspector, hazard=hazard, grade="major",
                                           criterion_id=CRITERION, plan=PLAN, due_date=due)

    def submit(hazard, moment):
        with time_machine.travel(moment, tick=False):
            return services.submit_rectification(actor=ent_wuhou, hazard=hazard, description="已整改",
                                                 attachment_ids=[evidence().pk])

    def verify(hazard, moment):
        with time_machine.travel(moment, tick=False):
            return services.verify_hazard(actor=wuhou_inspector, hazard=hazard)

    a = report(at(2026, 10, 10, 9), "A 配电箱无防护")
    confirm(a, at(2026, 10, 10, 10), date(2026, 10, 20))
    submit(a, at(2026, 11, 4, 9))
    verify(a, at(2026, 11, 5, 9))
    b = report(at(2026, 10, 31, 23, 59), "B 消防通道堵塞")
    c = report(at(2026, 11, 1, 0, 0), "C 安全出口上锁")
    d = report(at(2026, 10, 5, 9), "D 煤气管道无隔断")
    confirm(d, at(2026, 10, 5, 10), date(2026, 10, 15))
    submit(d, at(2026, 10, 25, 9))
    verify(d, at(2026, 11, 3, 9))
    return {name: Hazard.objects.get(pk=h.pk) for name, h in zip("ABCD", (a, b, c, d), strict=True)}


def stats(api, user, **params):
    response = api(user).get("/api/v1/hazards/stats", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_october_as_it_stood_at_its_end(api, story, sc_office):
    with time_machine.travel(at(2026, 11, 29, 12), tick=False):
        october = stats(api, sc_office, month="2026-10", region="510107")
    assert october == {
        "found": 3,  # A, B (23:59 on the 31st), D
        "major": 2,  # A and D, confirmed in October; B was never confirmed
        "closed": 0,  # A and D were closed in November
        "rectification_rate": 0.0,
        "overdue": 1,  # A: due 10-20 and still 整改中; D was waiting for verification (待验收)
        "major_open": 2,
        "listed": 0,
    }


def test_november_to_date(api, story, sc_office):
    with time_machine.travel(at(2026, 11, 29, 12), tick=False):
        november = stats(api, sc_office, month="2026-11", region="510107")
    assert november == {
        "found": 1,  # C only (00:00 on the 1st)
        "major": 0, "closed": 0, "rectification_rate": 1.0, "overdue": 0, "major_open": 0, "listed": 0,
    }


def test_a_past_month_gives_the_same_figures_later(api, story, sc_office, wuhou_inspector):
    with time_machine.travel(at(2026, 11, 29, 12), tick=False):
        before = stats(api, sc_office, month="2026-10")
    # The ledger moves on: B is confirmed and closed in December.
    with time_machine.travel(at(2026, 12, 2, 9), tick=False):
        services.confirm_hazard(actor=wuhou_inspector, hazard=story["B"], grade="general",
                                criterion_id=None, plan={}, due_date=date(2026, 12, 20))
    with time_machine.travel(at(2027, 1, 15, 9), tick=False):
        after = stats(api, sc_office, month="2026-10")
        live = stats(api, sc_office)
    assert after == before
    assert live["found"] == 4 and live["closed"] == 2


def test_a_deadline_on_the_last_day_is_not_yet_overdue(api, criteria, wuhou_ent, wuhou_inspector, sc_office):
    with time_machine.travel(at(2026, 10, 2, 9), tick=False):
        hazard = services.report_hazard(actor=wuhou_inspector, enterprise=wuhou_ent, description="X",
                                        source="department")
        services.confirm_hazard(actor=wuhou_inspector, hazard=hazard, grade="major", criterion_id=CRITERION,
                                plan=PLAN, due_date=date(2026, 10, 31))
    with time_machine.travel(at(2026, 12, 1, 9), tick=False):
        assert stats(api, sc_office, month="2026-10")["overdue"] == 0  # due on the 31st: in time that day
        assert stats(api, sc_office, month="2026-11")["overdue"] == 1
        assert stats(api, sc_office)["overdue"] == 1


def test_the_period_up_to_today_equals_the_live_ledger(
    api, criteria, wuhou_ent, ent_wuhou, wuhou_inspector, sc_office, evidence
):
    def on(moment, work):
        with time_machine.travel(moment, tick=False):
            return work()

    def confirmed(day, due, grade="major"):
        hazard = on(at(2026, 10, day, 9), lambda: services.report_hazard(
            actor=wuhou_inspector, enterprise=wuhou_ent, description=f"隐患{day}", source="department"))
        major = grade == "major"
        return on(at(2026, 10, day, 10), lambda: services.confirm_hazard(
            actor=wuhou_inspector, hazard=hazard, grade=grade, criterion_id=CRITERION if major else None,
            plan=PLAN if major else {}, due_date=due))

    confirmed(2, date(2026, 10, 10))  # overdue
    waiting = confirmed(3, date(2026, 10, 12))
    on(at(2026, 10, 11, 9), lambda: services.submit_rectification(
        actor=ent_wuhou, hazard=waiting, description="已整改", attachment_ids=[evidence().pk]))
    closed = confirmed(4, date(2026, 11, 30), grade="general")
    on(at(2026, 10, 20, 9), lambda: services.submit_rectification(
        actor=ent_wuhou, hazard=closed, description="已整改", attachment_ids=[evidence().pk]))
    on(at(2026, 10, 21, 9), lambda: services.verify_hazard(actor=wuhou_inspector, hazard=closed))
    on(at(2026, 10, 5, 9), lambda: services.report_hazard(
        actor=wuhou_inspector, enterprise=wuhou_ent, description="待确认", source="department"))
    with time_machine.travel(at(2026, 10, 28, 12), tick=False):
        live = stats(api, sc_office)
        year = stats(api, sc_office, year=2026)
        days = stats(api, sc_office, date_from="2026-01-01", date_to="2026-10-28")
    assert live == year == days == {
        "found": 4, "major": 2, "closed": 1, "rectification_rate": round(1 / 3, 4), "overdue": 1,
        "major_open": 2, "listed": 0,
    }


def test_sub_regions_add_up_to_the_region(api, story, sc_office, jinjiang_ent):
    with time_machine.travel(at(2026, 11, 29, 12), tick=False):
        rows = api(sc_office).get("/api/v1/hazards/stats/subregions",
                                  {"region": "510100", "month": "2026-10"}).json()
        city = stats(api, sc_office, month="2026-10", region="510100")
    wuhou = next(r for r in rows if r["region_code"] == "510107")
    assert {k: wuhou[k] for k in city} == city
    assert sum(r["found"] for r in rows) == city["found"]


@pytest.mark.parametrize("params, field", [
    ({"month": "2026-13"}, "month"),
    ({"month": "202610"}, "month"),
    ({"month": "2026-10", "year": 2026}, "month"),
    ({"date_from": "2026-10-01"}, "date_to"),
    ({"date_from": "2026-10-02", "date_to": "2026-10-01"}, "date_to"),
    ({"year": 1800}, "year"),
])
def test_a_malformed_period_is_a_clear_error(api, sc_office, params, field):
    response = api(sc_office).get("/api/v1/hazards/stats", params)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}


def test_the_period_figures_count_in_the_users_scope(api, story, jinjiang_inspector):
    with time_machine.travel(at(2026, 11, 29, 12), tick=False):
        assert stats(api, jinjiang_inspector, month="2026-10")["found"] == 0


def test_period_helpers():
    october = Period.month(2026, 10)
    assert (october.start, october.end, october.label, october.key) == (
        date(2026, 10, 1), date(2026, 10, 31), "2026年10月", "2026-10")
    assert Period.month(2028, 2).end == date(2028, 2, 29)
    assert Period(date(2028, 2, 29), date(2028, 2, 29)).same_period_last_year().start == date(2027, 2, 28)
    assert Period.week_of(date(2026, 11, 29)) == Period(date(2026, 11, 23), date(2026, 11, 29))
    assert [m.key for m in Period(date(2026, 1, 15), date(2026, 3, 2)).months()] == [
        "2026-01-15~2026-01-31", "2026-02", "2026-03-01~2026-03-02"]
    assert Period.year(2026).clipped(date(2026, 11, 29)).end == date(2026, 11, 29)
    assert october.since.isoformat() == "2026-10-01T00:00:00+08:00"
    assert october.until.isoformat() == "2026-11-01T00:00:00+08:00"


def test_the_open_filter_lists_what_major_open_counts(api, story, sc_office):
    """`open=true` on the hazard list: confirmed and not yet closed (整改中、待验收), the hazards
    behind the statistics' major_open; reported and closed ones are not in it."""
    client = api(sc_office)
    services.confirm_hazard(actor=User.objects.get(username="wuhou-inspector"), hazard=story["C"],
                            grade="major", criterion_id=CRITERION, plan=PLAN,
                            due_date=clock.today() + timedelta(days=30))
    rows = client.get("/api/v1/hazards", {"open": "true", "grade": "major"}).json()["items"]
    assert {r["description"] for r in rows} == {"C 安全出口上锁"}
    assert len(rows) == stats(api, sc_office)["major_open"] == 1
    others = client.get("/api/v1/hazards", {"open": "false"}).json()["items"]
    assert {r["description"][0] for r in others} == {"A", "B", "D"}
