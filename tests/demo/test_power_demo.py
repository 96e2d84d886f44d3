"""Demo power analytics: `benan demo` puts meters on real demo enterprises, fills the lake, and the
detector's alerts go through every state of the loop (the demo inspectors see each one), a confirmed
one with its enforcement case; compliant suspended plants raise none.

A demo here takes some eight seconds (500 enterprises, the smallest with the power demo by
default, with their enforcement cases), so the tests that need one check several things at once."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from benan.core import audit, clock, geo
from benan.core.models import AuditEntry, Role, User
from benan.demo import generator
from benan.demo import power as demo_power
from benan.demo.management.commands.demo import power_line
from benan.enforcement.models import Origin
from benan.enterprises.models import Status, StatusPeriod
from benan.power import calendar, lake, queries
from benan.power.models import AlertKind, AlertState, Meter, PowerAlert

pytestmark = pytest.mark.slow

N, SEED = 500, 11
RESTRICTED = [Status.SUSPENDED, Status.CLOSED]


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def lake_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("BENAN_POWER_LAKE", str(tmp_path / "lake"))
    return tmp_path / "lake"


@pytest.fixture
def demo(regions, lake_dir):
    # With the enforcement cases: their suspension orders are the first candidates for covert production.
    return generator.install(enterprises=N, seed=SEED, hazards=0, accidents=0)


def test_the_default_count():
    assert demo_power.default_count(300) == 0  # the other demo tests run without it
    assert demo_power.default_count(N) == demo_power.MIN_DEFAULT == 24
    assert demo_power.default_count(2000) == 40  # make run
    assert demo_power.default_count(100_000) == demo_power.MAX_DEFAULT == 40


def test_the_readings_end_yesterday_and_reach_back_to_a_holiday():
    first, last = demo_power.window(clock.today())
    assert last == clock.today() - timedelta(days=1)
    assert (last - first).days + 1 >= demo_power.READING_DAYS
    # Every weekly scan's data spans a holiday (the detector's excluded days are never empty).
    first_scan = last - timedelta(days=7 * (demo_power.SCANS - 1))
    assert any(first <= d <= first_scan for d in calendar.holidays())


def test_the_detector_raised_alerts_in_every_state_on_real_demo_enterprises(demo, lake_dir):
    assert demo.power.enterprises == 24
    alerts = PowerAlert.objects.select_related("enterprise")
    assert {a.state for a in alerts} == set(AlertState.values)
    assert {a.kind for a in alerts} == set(AlertKind.values)
    assert alerts.count() >= 8
    demo_usccs = {r.data["uscc"] for r in generator.generate(N, SEED)}
    assert all(a.enterprise.uscc in demo_usccs and a.enterprise.meters.exists() for a in alerts)
    # Written by the scans, not by hand; then moved through the loop's services.
    assert AuditEntry.objects.filter(action="power.poweralert.detected").count() == alerts.count()
    assert AuditEntry.objects.filter(action="power.scan").count() == demo_power.SCANS
    assert audit.verify().ok
    # Each alert lies in the status period it is about, and its load chart reads the lake.
    assert lake.span(lake_dir) == (demo.power.first_day, demo.power.last_day)
    for alert in alerts:
        period = alert.enterprise.status_periods.filter(start_date__lte=alert.start_date).latest("start_date")
        assert period.end_date is None or period.end_date >= alert.end_date
        expected = RESTRICTED if alert.kind == AlertKind.COVERT_OPERATION else [Status.UNDER_CONSTRUCTION]
        assert period.status in expected
        energies = [d["energy"] for d in queries.load_chart(alert)["days"] if d["energy"] is not None]
        assert len(energies) > 30 and max(energies) > 0
    # The demo logins see an alert in every state; the county inspectors have one assigned to them.
    for username in ("wuhou-inspector", "jinjiang-inspector", "cd-office"):
        user = User.objects.get(username=username)
        assert {a.state for a in queries.alerts(user)} == set(AlertState.values), username
        if user.role == Role.INSPECTOR:
            assert queries.alerts(user, state=AlertState.ASSIGNED, mine=True).exists()
    # Compliant suspended plants drew only their own load: no alert.
    compliant = demo.power.compliant
    assert compliant
    assert Meter.objects.filter(enterprise__uscc__in=compliant).values(
        "enterprise"
    ).distinct().count() == len(compliant)
    restricted = StatusPeriod.objects.filter(enterprise__uscc__in=compliant, status__in=RESTRICTED)
    assert restricted.values("enterprise").distinct().count() == len(compliant)
    assert not PowerAlert.objects.filter(enterprise__uscc__in=compliant).exists()


def test_checks_are_documented_and_a_confirmed_alert_became_a_case(demo):
    checked = PowerAlert.objects.filter(state__in=[AlertState.CONFIRMED, AlertState.FALSE_ALARM])
    for alert in checked.select_related("enterprise", "inspector"):
        assert alert.photos.exists()
        assert all(p.content_type == "image/png" for p in alert.photos.all())
        assert geo.in_sichuan(alert.check_lat, alert.check_lon)
        e = alert.enterprise
        assert geo.distance_km(alert.check_lat, alert.check_lon, e.lat, e.lon) < 0.5
        assert alert.finding and alert.inspector.role == Role.INSPECTOR
        detected, assigned = timezone.localdate(alert.detected_at), timezone.localdate(alert.assigned_at)
        assert detected <= assigned <= alert.checked_on <= clock.today()
        assert alert.checked_on > alert.end_date
    dismissed = checked.filter(state=AlertState.FALSE_ALARM)
    assert any("整改施工" in a.finding for a in dismissed)  # either wording of DISMISS_FINDINGS[WORKS]

    alert = (
        PowerAlert.objects.filter(case__isnull=False, region_id=generator.WUHOU).select_related("case").get()
    )
    assert alert.state == AlertState.CONFIRMED
    case = alert.case
    assert (case.origin, case.origin_ref, case.enterprise_id) == (
        Origin.POWER_ALERT,
        alert.number,
        alert.enterprise_id,
    )
    assert case.officers.count() == 2
    assert alert.finding in case.facts
    assert case.opened_on > alert.checked_on

    line = power_line(demo.power)
    assert "企业 24 家" in line and "已立案" in line
    for state in AlertState:
        assert f"{state.label} {demo.power.alerts[state]}" in line


def test_power_can_be_turned_off(regions, lake_dir):
    out = run("demo", enterprises=30, hazards=0, cases=0, accidents=0, power=0)
    assert not Meter.objects.exists()
    assert "演示电力数据" not in out
    assert not lake_dir.exists()


def test_a_negative_count_is_refused(regions):
    with pytest.raises(CommandError, match="--power"):
        run("demo", enterprises=30, power=-1)
