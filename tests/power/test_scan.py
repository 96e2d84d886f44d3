"""The scan end to end: meters registered, readings ingested into the lake, alerts from the status
timeline — one per enterprise and kind, never duplicated by a rescan."""

from __future__ import annotations

from datetime import date, datetime, time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from benan.core.models import AuditEntry
from benan.enterprises.models import StatusPeriod
from benan.power import formats, services, simulate
from benan.power.models import AlertState, Meter, PowerAlert

pytestmark = pytest.mark.django_db

START, DAYS = date(2026, 1, 1), 90


@pytest.fixture
def lake(tmp_path, monkeypatch):
    monkeypatch.setenv("BENAN_POWER_LAKE", str(tmp_path / "lake"))
    return tmp_path / "lake"


def world(make_enterprise, tmp_path, scenarios):
    """Enterprises in the registry whose status timeline and readings follow simulator plans."""
    rng = np.random.default_rng(5)
    plans = []
    for i, (sector, status, violate) in enumerate(scenarios):
        ent = make_enterprise(sector=sector)
        plan = simulate.plan_enterprise(
            rng,
            uscc=ent.uscc,
            sector=sector,
            meter_ids=[f"T{i:04d}A", f"T{i:04d}B"],
            start=START,
            days=DAYS,
            status=status,
            violate=violate,
        )
        StatusPeriod.objects.filter(enterprise=ent).delete()
        StatusPeriod.objects.bulk_create(
            StatusPeriod(enterprise=ent, status=p.status, start_date=p.start, end_date=p.end)
            for p in plan.periods
        )
        plans.append((ent, plan))
    path = tmp_path / "readings.parquet"
    pq.write_table(simulate.readings([p for _, p in plans], START, DAYS, rng), path)
    meters = tmp_path / "meters.csv"
    meters.write_text(
        "meter_id,uscc\n" + "".join(f"{m.meter_id},{p.uscc}\n" for _, p in plans for m in p.meters)
    )
    return plans, path, meters


def test_scan_finds_the_violators_once(make_enterprise, tmp_path, lake):
    plans, path, meters = world(
        make_enterprise,
        tmp_path,
        [
            ("metallurgy", "suspended", True),
            ("light_industry", "under_construction", True),
            ("textile", "suspended", False),
            ("machinery", "normal", None),
        ],
    )
    assert services.register_meters(formats.read_meters(meters)) == {"added": 8, "moved": 0, "unchanged": 0}
    report = services.ingest(path)
    assert report.rows_written > 0 and report.months == ["2026-01", "2026-02", "2026-03"]

    first = services.scan()
    truth = {(p.uscc, v.kind) for _, p in plans for v in p.violations if v.start <= date(2026, 3, 31)}
    alerts = {(a.enterprise.uscc, a.kind) for a in PowerAlert.objects.select_related("enterprise")}
    assert alerts == truth and first.created == len(truth) >= 2
    for alert in PowerAlert.objects.all():
        assert alert.state == AlertState.OPEN and alert.evidence and alert.days >= 2

    again = services.scan()
    assert (again.created, again.extended, again.unchanged) == (0, 0, len(truth))
    assert PowerAlert.objects.count() == len(truth)
    assert AuditEntry.objects.filter(action="power.scan").count() == 2


def test_new_readings_extend_the_open_alert(make_enterprise, tmp_path, lake):
    # A plant that complied for a while, then produced in secret (the plan is drawn until so).
    rng = np.random.default_rng(11)
    ent = make_enterprise(sector="metallurgy")
    while True:
        plan = simulate.plan_enterprise(
            rng,
            uscc=ent.uscc,
            sector="metallurgy",
            meter_ids=["R1"],
            start=START,
            days=DAYS,
            status="suspended",
            violate=True,
        )
        v = plan.violations[0] if plan.violations else None
        if v and plan.periods[1].start >= date(2026, 1, 15) and len(v.days) >= 8:
            break
    StatusPeriod.objects.filter(enterprise=ent).delete()
    for p in plan.periods:
        StatusPeriod.objects.create(enterprise=ent, status=p.status, start_date=p.start, end_date=p.end)
    services.register_meters(formats.read_meters_rows([("R1", ent.uscc)]))
    table = simulate.readings([plan], START, DAYS, rng)
    cut = v.days[len(v.days) // 2]
    early = table.filter(pc.less(table["ts"], pa.scalar(datetime.combine(cut, time()), pa.timestamp("us"))))
    pq.write_table(early, tmp_path / "early.parquet")
    pq.write_table(table, tmp_path / "all.parquet")

    services.ingest(tmp_path / "early.parquet")
    assert services.scan().created == 1
    alert = PowerAlert.objects.get()
    assert v.start <= alert.end_date < cut

    services.ingest(tmp_path / "all.parquet")
    later = services.scan()
    assert (later.created, later.extended) == (0, 1)
    alert.refresh_from_db()
    assert alert.end_date >= v.days[-2] and PowerAlert.objects.count() == 1
    assert AuditEntry.objects.filter(action="power.poweralert.extend").count() == 1


def test_meters_must_belong_to_registered_enterprises(make_enterprise, tmp_path):
    ent = make_enterprise()
    f = tmp_path / "meters.csv"
    f.write_text(f"meter_id,uscc\nA1,{ent.uscc}\nA2,91510100MA00000000\n")
    with pytest.raises(formats.FileProblems) as exc:
        services.register_meters(formats.read_meters(f), source=str(f))
    assert "第 3 行 uscc 列" in str(exc.value) and "未在系统中登记" in str(exc.value)
    assert not Meter.objects.exists()


def test_ingest_refuses_unknown_meters_and_writes_nothing(make_enterprise, tmp_path, lake):
    ent = make_enterprise()
    Meter.objects.create(meter_id="K1", enterprise=ent)
    f = tmp_path / "r.csv"
    f.write_text("meter_id,ts,kwh\nK1,2026-01-01 00:00,1.5\nK9,2026-01-01 00:15,2.0\n")
    with pytest.raises(formats.FileProblems) as exc:
        services.ingest(f)
    assert "第 3 行 meter_id 列" in str(exc.value) and "未登记" in str(exc.value)
    assert services.lake.span() is None


def test_scan_of_an_empty_lake_does_nothing(lake):
    report = services.scan()
    assert report.first_day is None and report.created == 0
