"""The simulator writes the contract the detector reads, is deterministic, and does what it says."""

import csv
import filecmp
import io
from collections import defaultdict
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from benan.enterprises import uscc
from benan.enterprises.models import Sector
from benan.power import calendar, simulate
from benan.power.management.commands.power import Command

START = date(2026, 1, 1)
N, DAYS, SEED = 400, 120, 3
END = START + timedelta(DAYS - 1)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp("world")
    summary = simulate.run(out, N, DAYS, SEED, start=START)
    return out, summary, simulate.plan(N, DAYS, SEED, START)


@pytest.fixture(scope="module")
def daily(world):
    """Energy per enterprise and day, from the written files."""
    out, _, _ = world
    r = pq.read_table(out / "readings").to_pandas()
    r = r.merge(pd.read_csv(out / "meters.csv"), on="meter_id")
    r["d"] = r.ts.dt.date
    return r.groupby(["uscc", "d"]).kwh.sum()


def _rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _d(value):
    return date.fromisoformat(value) if value else None


def test_calendar():
    assert calendar.is_holiday(date(2026, 2, 15)) and calendar.is_holiday(date(2026, 2, 23))
    assert not calendar.is_holiday(date(2026, 2, 24))
    assert calendar.holidays()[date(2025, 10, 8)] == "国庆节、中秋节"
    assert len(calendar.holidays()) == 28 + 28 + 33
    assert calendar.spring_festival_eve(2026) == date(2026, 2, 16)
    assert calendar.spring_festival_eve(2024) == date(2024, 2, 9)
    assert calendar.is_makeup_workday(date(2026, 1, 4))


def test_readings_schema(world):
    out, summary, _ = world
    files = sorted((out / "readings").glob("*.parquet"))
    assert len(files) == summary["files"] > 1
    for f in files:
        meta = pq.ParquetFile(f).metadata
        assert meta.num_rows <= 5_000_000
    schema = pq.read_schema(files[0])
    assert schema.field("meter_id").type == pa.string()
    assert schema.field("ts").type == pa.timestamp("us")
    assert schema.field("kwh").type == pa.float64()
    table = pq.read_table(out / "readings")
    assert table.num_rows == summary["readings"]
    ts = table["ts"].to_numpy()
    assert ts.min() == np.datetime64(START, "us")
    assert ts.max() == np.datetime64(END, "us") + np.timedelta64(23 * 60 + 45, "m")
    assert (ts.astype("datetime64[m]").astype(np.int64) % 15 == 0).all()


def test_tables_schema(world):
    out, summary, _ = world
    meters = _rows(out / "meters.csv")
    assert list(meters[0]) == ["meter_id", "uscc", "sector"]
    assert len({m["meter_id"] for m in meters}) == len(meters) == summary["meters"]
    assert {m["sector"] for m in meters} <= set(Sector.values)
    per_enterprise = defaultdict(int)
    for m in meters:
        per_enterprise[m["uscc"]] += 1
    assert len(per_enterprise) == N and set(per_enterprise.values()) == {1, 2, 3}
    status = _rows(out / "status.csv")
    assert list(status[0]) == ["uscc", "status", "start_date", "end_date"]
    assert {s["status"] for s in status} == {"normal", "suspended", "under_construction", "closed"}
    truth = _rows(out / "truth.csv")
    assert list(truth[0]) == ["uscc", "kind", "start_date", "end_date"]
    # enough true periods of each kind to score a detector
    for kind in ("covert_operation", "premature_operation"):
        assert sum(t["kind"] == kind for t in truth) >= 0.04 * N


def test_usccs_are_valid_and_in_sichuan(world):
    out, _, _ = world
    codes = {m["uscc"] for m in _rows(out / "meters.csv")}
    assert all(uscc.is_valid(c) and c[2:4] == "51" for c in codes)


def test_it_is_deterministic(tmp_path):
    a = simulate.run(tmp_path / "a", 30, 20, 11)
    b = simulate.run(tmp_path / "b", 30, 20, 11)
    simulate.run(tmp_path / "c", 30, 20, 12)
    assert a["readings"] == b["readings"]
    for name in ("meters.csv", "status.csv", "truth.csv"):
        assert filecmp.cmp(tmp_path / "a" / name, tmp_path / "b" / name, shallow=False)
        assert not filecmp.cmp(tmp_path / "a" / name, tmp_path / "c" / name, shallow=False)
    assert pq.read_table(tmp_path / "a" / "readings").equals(pq.read_table(tmp_path / "b" / "readings"))
    assert not pq.read_table(tmp_path / "a" / "readings").equals(pq.read_table(tmp_path / "c" / "readings"))


def test_single_meter(tmp_path):
    simulate.run(tmp_path, 20, 5, 1, single_meter=True)
    meters = _rows(tmp_path / "meters.csv")
    assert len(meters) == len({m["uscc"] for m in meters}) == 20


def test_periods_cover_the_window_without_overlap(world):
    out, _, _ = world
    periods = defaultdict(list)
    for s in _rows(out / "status.csv"):
        periods[s["uscc"]].append((_d(s["start_date"]), _d(s["end_date"]), s["status"]))
    assert len(periods) == N
    for ps in periods.values():
        ps.sort()
        assert ps[0][0] <= START
        for (s1, e1, _), (s2, _, _) in zip(ps, ps[1:], strict=False):
            assert e1 is not None and s1 <= e1 and s2 == e1 + timedelta(1)
        assert ps[-1][1] is None or ps[-1][1] >= END


def test_truth_lies_in_a_period_of_the_right_kind(world):
    out, _, _ = world
    periods = defaultdict(list)
    for s in _rows(out / "status.csv"):
        periods[s["uscc"]].append((_d(s["start_date"]), _d(s["end_date"]) or date.max, s["status"]))
    allowed = {"covert_operation": {"suspended", "closed"}, "premature_operation": {"under_construction"}}
    for t in _rows(out / "truth.csv"):
        start, end = _d(t["start_date"]), _d(t["end_date"])
        assert start >= START and start + timedelta(2) <= end <= END
        assert any(s <= start and end <= e and k in allowed[t["kind"]] for s, e, k in periods[t["uscc"]])
        if t["kind"] == "covert_operation":  # the plant complied for 5 days first
            assert any(s + timedelta(5) <= start for s, e, k in periods[t["uscc"]] if s <= start <= e)


def test_every_scenario_occurs(world):
    out, _, plans = world
    violations = [v for ep in plans for v in ep.violations]
    assert {v.mode for v in violations if v.kind == "covert_operation"} == set(simulate.COVERT_MODES)
    premature = [(ep, v) for ep in plans for v in ep.violations if v.kind == "premature_operation"]
    assert any(ep.periods[0].start == START for ep, _ in premature)  # new plants with no history
    assert any(ep.periods[0].start < START for ep, _ in premature)
    assert {f.kind for ep in plans for f in ep.faults} == set(simulate.FAULT_KINDS)
    assert {ep.shape for ep in plans} == set(simulate.SHAPES)
    assert any(ep.rectification for ep in plans)
    assert any(ep.commissioning for ep in plans)
    assert any(ep.maintenance for ep in plans)
    assert any(ep.faults and ep.violations for ep in plans)
    closed = [ep for ep in plans if any(p.status == "closed" for p in ep.periods)]
    assert any(ep.closed_residual == 0 for ep in closed) and any(ep.closed_residual > 0 for ep in closed)
    # and the faults show in the files
    r = pq.read_table(out / "readings").to_pandas()
    assert (r.kwh < 0).any()
    assert r.duplicated(["meter_id", "ts"]).any()
    counts = r.groupby("meter_id").size()
    assert (counts < DAYS * 96).any()
    levels = {m.meter_id: ep.level for ep in plans for m in ep.meters}
    assert (r.kwh > 20 * r.meter_id.map(levels)).any()  # spikes


def test_covert_days_carry_clearly_more_energy(world, daily):
    _, _, plans = world
    ratios = []
    for ep in plans:
        for v in ep.violations:
            if v.kind != "covert_operation":
                continue
            e = daily.loc[ep.uscc]
            compliant = [
                d for d in e.index if ep.status_on(d) in ("suspended", "closed") and not v.start <= d <= v.end
            ]
            if len(compliant) >= 3:
                ratios.append(e.loc[list(v.days)].mean() / e.loc[compliant].median())
    assert len(ratios) >= 10
    assert min(ratios) > 1.5 and np.median(ratios) > 3


def test_non_continuous_plants_stop_for_the_spring_festival(world, daily):
    _, _, plans = world
    eve = calendar.spring_festival_eve(2026)
    for ep in plans:
        if ep.shape == "one_shift" and len(ep.periods) == 1 and ep.periods[0].status == "normal":
            e = daily.loc[ep.uscc]
            march_weekdays = [date(2026, 3, d) for d in range(2, 32) if date(2026, 3, d).weekday() < 5]
            assert e.loc[eve] < 0.5 * e.loc[march_weekdays].median()


def test_the_command_writes_the_outputs(tmp_path):
    out = io.StringIO()
    args = ["simulate", "--enterprises", "12", "--days", "3", "--seed", "5", "--out", str(tmp_path)]
    call_command(Command(), *args, "--single-meter", stdout=out)
    assert "企业 12 家" in out.getvalue() and "明停暗开" in out.getvalue()
    assert len(_rows(tmp_path / "meters.csv")) == 12
    assert list((tmp_path / "readings").glob("*.parquet"))
