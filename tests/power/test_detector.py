"""The detector on hand-made readings: each situation the issue names, at the rule's boundaries.

Every enterprise here draws a flat or shaped load chosen per day, so the expected answer follows
from the rules in detector.py, independently of the simulator.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benan.power import engines, formats

START = date(2026, 3, 16)  # a Monday after the Spring Festival shutdown
DAYS = 40
L = 100.0  # kWh per 15 minutes at full production
NOISE = np.random.default_rng(3)


def flat(level):
    return np.full(96, level)


def night_only(level, residual):
    p = np.full(96, residual)
    p[:24] = level  # 00:00–06:00
    p[88:] = level  # 22:00–24:00
    return p


def bursty(level):
    """Building work: daytime bursts (cranes, welding), quiet at night."""
    p = np.full(96, 0.01 * L)
    p[28:76] = NOISE.gamma(0.5, 2 * level, 48)
    return p


def build(tmp_path, enterprises, *, csv=False, duplicate=False):
    """enterprises: {uscc: (sector, [(status, first_day, last_day|None)], day -> profile per meter)}."""
    rows_m, rows_t, rows_k, meters, status = [], [], [], [], []
    for uscc, (sector, periods, profile, *rest) in enterprises.items():
        n_meters = rest[0] if rest else 1
        for k in range(n_meters):
            meters.append((f"{uscc}-{k}", uscc, sector))
        for s, a, b in periods:
            status.append((uscc, s, a, b))
        for d in range(DAYS):
            day = START + timedelta(days=d)
            p = profile(d)
            if p is None:
                continue
            n = len(p)  # a short profile: the rest of the day is missing
            ts = [datetime(day.year, day.month, day.day) + timedelta(minutes=15 * i) for i in range(n)]
            for k in range(n_meters):
                rows_m += [f"{uscc}-{k}"] * n
                rows_t += ts
                rows_k += list(np.asarray(p, float) / n_meters * NOISE.normal(1, 0.02, n))
    table = pa.table({"meter_id": rows_m, "ts": pa.array(rows_t, pa.timestamp("us")), "kwh": rows_k})
    if duplicate:
        table = pa.concat_tables([table, table.slice(0, table.num_rows // 3)])
    if csv:
        path = tmp_path / "readings.csv"
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, path)
    else:
        path = tmp_path / "readings.parquet"
        pq.write_table(table, path)
    mfile, sfile = tmp_path / "meters.csv", tmp_path / "status.csv"
    mfile.write_text("meter_id,uscc,sector\n" + "".join(f"{a},{b},{c}\n" for a, b, c in meters))
    sfile.write_text(
        "uscc,status,start_date,end_date\n" + "".join(f"{u},{s},{a},{b or ''}\n" for u, s, a, b in status)
    )
    return path, mfile, sfile


def detect(paths, engine="duckdb"):
    readings, m, s = paths
    con = engines.connect(engine)
    return engines.run(
        con, engines.read_readings(con, readings), formats.read_meters(m), formats.read_status(s)
    )


def day(n):
    return START + timedelta(days=n)


def suspended_from(n):
    return [("normal", date(2020, 1, 1), day(n - 1)), ("suspended", day(n), None)]


def covert(after_level, *, start=25, end=32, residual=0.05):
    """Normal for 15 days, then suspended at a residual load, with `after_level` from `start` to `end`."""

    def profile(d):
        if d < 15:
            return flat(L)
        if start <= d <= end:
            return after_level(d)
        return flat(residual * L)

    return profile


def peers(sector="metallurgy", n=3):
    return {f"PEER{i}": (sector, [("normal", date(2020, 1, 1), None)], lambda d: flat(L)) for i in range(n)}


def kinds(result):
    return {(a["uscc"], a["kind"], a["start_date"], a["end_date"]) for a in result.alerts}


def test_production_while_suspended_is_an_alert_with_evidence(tmp_path):
    result = detect(
        build(tmp_path, {"A": ("metallurgy", suspended_from(15), covert(lambda d: flat(0.8 * L)))})
    )
    assert kinds(result) == {("A", "covert_operation", day(25), day(32))}
    alert = result.alerts[0]
    assert "停产整顿期间" in alert["evidence"] and "8 天" in alert["evidence"] and "kWh" in alert["evidence"]
    assert 0 < alert["score"] <= 1


@pytest.mark.parametrize(("share", "alerts"), [(0.15, 0), (0.35, 1)])
def test_partial_capacity_boundary(tmp_path, share, alerts):
    # Excess over the floor (5 % of L) must reach 20 % of the production level, in energy and peak.
    profile = covert(lambda d: flat((0.05 + share) * L))
    result = detect(build(tmp_path, {"A": ("metallurgy", suspended_from(15), profile)}))
    assert len(result.alerts) == alerts


def test_residual_load_lighting_and_rectification_works_are_not_alerts(tmp_path):
    def works(d):
        p = flat(0.08 * L)
        p[:28] = p[72:] = 0.1 * L  # lighting at night
        if d % 7 < 5:
            p[32:72] += 0.12 * L  # daytime rectification works on weekdays
        return p

    result = detect(
        build(tmp_path, {"A": ("metallurgy", suspended_from(15), covert(works, start=15, end=39))})
    )
    assert result.alerts == []


def test_night_only_production_is_caught(tmp_path):
    profile = covert(lambda d: night_only(0.9 * L, 0.05 * L))
    result = detect(build(tmp_path, {"A": ("metallurgy", suspended_from(15), profile)}))
    assert kinds(result) == {("A", "covert_operation", day(25), day(32))}


def test_one_day_is_not_an_alert(tmp_path):
    profile = covert(lambda d: flat(0.9 * L), start=25, end=25)
    assert detect(build(tmp_path, {"A": ("metallurgy", suspended_from(15), profile)})).alerts == []


def test_several_meters_are_summed(tmp_path):
    # Split over three meters, each meter alone draws 0.2 L; the enterprise draws 0.6 L.
    profile = covert(lambda d: flat(0.6 * L))
    result = detect(build(tmp_path, {"A": ("metallurgy", suspended_from(15), profile, 3)}))
    assert kinds(result) == {("A", "covert_operation", day(25), day(32))}


def test_duplicates_change_nothing_and_csv_equals_parquet(tmp_path):
    world = {"A": ("metallurgy", suspended_from(15), covert(lambda d: flat(0.7 * L)))}
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir(), (tmp_path / "c").mkdir()
    plain = detect(build(tmp_path / "a", world))
    doubled = detect(build(tmp_path / "b", world, duplicate=True))
    as_csv = detect(build(tmp_path / "c", world, csv=True))
    assert kinds(plain) == kinds(doubled) == kinds(as_csv) != set()
    assert any(q["issue"] == "duplicate_readings" for q in doubled.quality)


def test_meter_faults_are_data_quality_not_violations(tmp_path):
    def faulty(d):
        p = flat(0.05 * L)
        if d == 20:
            p[40] = 150 * L  # a spike
        if d == 21:
            p[10] = -3 * L  # a negative register difference
        if d == 22:
            p = p[:30]  # most of the day missing
        return p

    result = detect(
        build(tmp_path, {"A": ("metallurgy", suspended_from(15), covert(faulty, start=15, end=39))})
    )
    assert result.alerts == []
    issues = {q["issue"] for q in result.quality}
    assert {"spike", "negative_readings", "incomplete_day"} <= issues


def test_gaps_of_whole_days_do_not_break_a_run(tmp_path):
    def gappy(d):
        return None if d in (28, 29) else flat(0.8 * L)

    result = detect(build(tmp_path, {"A": ("metallurgy", suspended_from(15), covert(gappy))}))
    assert kinds(result) == {("A", "covert_operation", day(25), day(32))}


def test_holidays_do_not_lower_the_production_level(tmp_path):
    # A plant idle for most of its normal days (a long maintenance stop) keeps its production level.
    def profile(d):
        if d < 15:
            return flat(L) if d < 5 else flat(0.05 * L)
        return flat(0.45 * L) if 25 <= d <= 32 else flat(0.05 * L)

    result = detect(build(tmp_path, {"A": ("metallurgy", suspended_from(15), profile)}))
    assert kinds(result) == {("A", "covert_operation", day(25), day(32))}


def construction(n_first_days=0):
    return [("under_construction", date(2025, 6, 1), None)]


def test_building_work_is_not_production_but_a_steady_plant_is(tmp_path):
    def builder(d):
        return bursty(0.1 * L * (1 + d / DAYS))

    def early_producer(d):
        return bursty(0.05 * L) if d < 20 else flat(0.7 * L)

    world = {
        **peers("metallurgy"),
        "B": ("metallurgy", construction(), builder),
        "C": ("metallurgy", construction(), early_producer),
    }
    result = detect(build(tmp_path, world))
    assert kinds(result) == {("C", "premature_operation", day(20), day(39))}
    assert "在建期间" in result.alerts[0]["evidence"]


def test_a_new_plant_without_sector_peers_is_judged_by_a_shift_shape(tmp_path):
    def producer(d):
        return bursty(0.05 * L) if d < 10 else flat(0.6 * L)

    result = detect(build(tmp_path, {"N": ("light_industry", construction(), producer)}))
    assert kinds(result) == {("N", "premature_operation", day(10), day(39))}


def test_commissioning_test_of_a_few_hours_is_not_production(tmp_path):
    def tests(d):
        p = bursty(0.05 * L)
        if d in (12, 13):
            p[40:52] += 0.8 * L  # three hours at 80 % on two days
        return p

    assert detect(build(tmp_path, {**peers(), "T": ("metallurgy", construction(), tests)})).alerts == []


def test_normal_status_never_alerts(tmp_path):
    world = {"A": ("metallurgy", [("normal", date(2020, 1, 1), None)], lambda d: flat(L * (1 + d % 3)))}
    assert detect(build(tmp_path, world)).alerts == []


def test_a_window_without_holidays_is_scanned(tmp_path, monkeypatch):
    # July to August: no public holiday, no Spring Festival day to keep out of the baselines.
    monkeypatch.setattr(sys.modules[__name__], "START", date(2026, 7, 6))
    result = detect(
        build(tmp_path, {"A": ("metallurgy", suspended_from(15), covert(lambda d: flat(0.8 * L)))})
    )
    assert kinds(result) == {("A", "covert_operation", day(25), day(32))}
