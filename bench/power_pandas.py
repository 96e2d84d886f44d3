"""The power detector again, in plain pandas: the comparison point of the power benchmark (bench.power).

The same steps and parameters as `benan.power.detector` (its `Params`), written the way one would
write them in pandas without tuning: a groupby over the readings for the per meter-day columns,
spike removal, steadiness, enterprise-days (keyed by the same integer eid, restricted enterprises
plus the same sample of the others) with the status and holidays merged in, baselines and
floors with groupby quantiles (linear interpolation, the same as DuckDB's quantile_cont), sector
shapes, the flags, and runs merged with shift/cumsum. It also computes the data-quality findings,
because `engines.run` does, so both sides do the same work.

SQL semantics kept on purpose: a sum over only missing values is missing (min_count=1), LEAST
ignores a missing side (np.fmin), and a comparison with a missing value is false.

BENCH CODE: it is not used by the application.
"""

from __future__ import annotations

import math
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from benan.power import calendar, detector, engines, formats
from benan.power.detector import CONSTRUCTION, INTERVALS_PER_DAY, RESTRICTED, Params

GROUP = ["eid", "kind", "period_start"]
DEFAULT = Params()


def read_readings(path: str | Path | list[str], meter_ids: list[str] | None = None) -> pd.DataFrame:
    """Readings from a Parquet file, folder or list of files, optionally only some meters."""
    filters = [("meter_id", "in", meter_ids)] if meter_ids is not None else None
    if isinstance(path, list | tuple):
        frames = [pd.read_parquet(f, columns=["meter_id", "ts", "kwh"], filters=filters) for f in path]
        return pd.concat(frames, ignore_index=True)
    return pd.read_parquet(path, columns=["meter_id", "ts", "kwh"], filters=filters)


def meter_days(readings: pd.DataFrame, p: Params = DEFAULT) -> pd.DataFrame:
    """Per meter and day: counts, sums and the peak over the valid (non-negative) readings, and the
    lowest reading of all."""
    r = readings
    kwh = r.kwh.where(r.kwh >= 0)
    frame = pd.DataFrame(
        {"meter_id": r.meter_id, "day": r.ts.dt.normalize(), "kwh": kwh, "square": kwh * kwh, "raw": r.kwh}
    )
    md = (
        frame.groupby(["meter_id", "day"])
        .agg(
            n=("kwh", "count"),
            total=("kwh", "sum"),
            squares=("square", "sum"),
            peak=("kwh", "max"),
            low=("raw", "min"),
        )
        .reset_index()
    )
    # SQL: a sum over no value is missing, not 0.
    md.loc[md.n == 0, ["total", "squares"]] = np.nan
    return md


def clean_meter_days(md: pd.DataFrame, p: Params = DEFAULT) -> pd.DataFrame:
    """Remove an isolated spike, estimate the day's energy, and flag data-quality problems."""
    others = (md.total - md.peak) / (md.n - 1)
    spike = (md.n >= 2) & (md.peak > 0) & (md.peak > p.spike_factor * others)
    n = md.n - spike.astype("int64")
    total = md.total - md.peak.where(spike, 0.0)
    squares = md.squares - (md.peak * md.peak).where(spike, 0.0)
    return pd.DataFrame(
        {
            "meter_id": md.meter_id,
            "day": md.day,
            "spike": spike,
            "energy": (total / n * INTERVALS_PER_DAY).where(n > 0),
            "steadiness": (total * total / (n * squares)).where(squares > 0),
            "clean_peak": md.peak.where(~spike),
            "covered": n >= p.min_coverage * INTERVALS_PER_DAY,
            "duplicates": md.n > INTERVALS_PER_DAY,
            "negatives": md.low < 0,
            "zero_run": (md.low == 0) & (md.peak > 0),
        }
    )


def quality(md: pd.DataFrame, meters: pd.DataFrame) -> pd.DataFrame:
    """Data-quality findings per meter: days with each kind of fault."""
    md = md.merge(meters[["meter_id", "uscc"]], on="meter_id")
    issues = {
        "negative_readings": md.negatives,
        "spike": md.spike,
        "incomplete_day": ~md.covered,
        "duplicate_readings": md.duplicates,
        "zero_run": md.zero_run,
    }
    parts = [
        md[flag]
        .groupby(["meter_id", "uscc"])
        .agg(days=("day", "size"), first_day=("day", "min"), last_day=("day", "max"))
        .reset_index()
        .assign(issue=name)
        for name, flag in issues.items()
    ]
    return pd.concat(parts, ignore_index=True)[["meter_id", "uscc", "issue", "days", "first_day", "last_day"]]


def excluded_days(first: date, last: date, p: Params = DEFAULT) -> set[pd.Timestamp]:
    """Official holidays and the Spring Festival shutdown: kept out of production baselines."""
    days = {d for d in calendar.holidays() if first <= d <= last}
    for year in range(first.year, last.year + 2):
        try:
            eve = calendar.spring_festival_eve(year)
        except KeyError:
            continue
        d = eve - timedelta(days=p.spring_festival_before)
        while d <= eve + timedelta(days=p.spring_festival_after):
            if first <= d <= last:
                days.add(d)
            d += timedelta(days=1)
    return {pd.Timestamp(d) for d in days}


def enterprises(meters: pd.DataFrame) -> pd.DataFrame:
    """One row per enterprise: its meters, its sector and an integer key (eid) in uscc order.

    The key counts from 0, as Ibis's row_number does."""
    e = meters.groupby("uscc").agg(meters_total=("meter_id", "size"), sector=("sector", "max")).reset_index()
    e = e.sort_values("uscc", ignore_index=True)
    e["eid"] = np.arange(len(e))
    return e


def enterprise_days(
    md: pd.DataFrame,
    meters: pd.DataFrame,
    status: pd.DataFrame,
    excluded: set[pd.Timestamp],
    sample_every: int = 1,
) -> pd.DataFrame:
    """Per enterprise and day: summed energy of its meters, its status and whether the day judges.

    Only the enterprises with a restricted period, and every `sample_every`-th of the others."""
    ents = enterprises(meters)
    restricted = status[status.status != "normal"].uscc
    ents = ents[ents.uscc.isin(restricted) | (ents.eid % sample_every == 0)]
    keys = meters.merge(ents[["uscc", "eid", "meters_total"]], on="uscc")[["meter_id", "eid", "meters_total"]]
    pm = md.merge(keys, on="meter_id")
    pm["weighted"] = pm.steadiness * pm.energy
    pm["faulty"] = pm.spike | pm.negatives | pm.zero_run
    g = pm.groupby(["eid", "day"])
    ed = g[["energy", "weighted", "clean_peak"]].sum(min_count=1)
    ed["meters_total"] = g.meters_total.max()
    ed["steadiness"] = ed.weighted / ed.energy
    ed["peak"] = ed.clean_peak.where(~g.spike.any())
    ed["meters_present"] = g.size()
    ed["covered"] = g.covered.all()
    ed["faulty"] = g.faulty.any()
    ed = ed.reset_index()
    # The status period each day falls in (an enterprise's periods do not overlap).
    # An open period (no end date) runs on: the detector's FAR_FUTURE is past pandas' last day.
    st = status.merge(ents[["uscc", "eid"]], on="uscc")
    periods = ed[["eid", "day"]].merge(st, on="eid")
    inside = (periods.day >= periods.start_date) & (
        periods.end_date.isna() | (periods.day <= periods.end_date)
    )
    periods = periods[inside]
    periods = periods.rename(columns={"start_date": "period_start"})
    ed = ed.merge(periods[["eid", "day", "status", "period_start"]], on=["eid", "day"], how="left")
    ed["status"] = ed.status.fillna("normal")
    ed["excluded"] = ed.day.isin(excluded)
    ed["judged"] = (ed.meters_present == ed.meters_total) & ed.covered & ed.energy.notna()
    columns = ["eid", "day", "energy", "peak", "steadiness", "faulty"]
    return ed[[*columns, "status", "period_start", "excluded", "judged"]]


def baselines(ed: pd.DataFrame, p: Params = DEFAULT) -> pd.DataFrame:
    """Each enterprise's normal production level: a high quantile of its normal days."""
    normal = ed[(ed.status == "normal") & ed.judged & ~ed.excluded & ~ed.faulty]
    g = normal.groupby("eid")
    b = (
        g[["energy", "peak"]]
        .quantile(p.level_quantile)
        .rename(columns={"energy": "level", "peak": "level_peak"})
    )
    b["level_days"] = g.size()
    return b[b.level_days >= p.min_baseline_days].reset_index()


def sector_shapes(ed: pd.DataFrame, base: pd.DataFrame, ents: pd.DataFrame) -> pd.DataFrame:
    """The steadiness of production days in each sector (normal days at ≥ half their level)."""
    days = ed.merge(base, on="eid").merge(ents[["eid", "sector"]], on="eid")
    days = days[(days.status == "normal") & days.judged & ~days.excluded & (days.energy >= 0.5 * days.level)]
    return days.groupby("sector").steadiness.median().rename("sector_steadiness").reset_index()


def floors(ed: pd.DataFrame, p: Params = DEFAULT) -> pd.DataFrame:
    """Each restricted period's floor: a low quantile of its judged days' energy and peak."""
    days = ed[ed.period_start.notna() & (ed.status != "normal") & ed.judged]
    f = days.groupby(["eid", "period_start"])[["energy", "peak"]].quantile(p.floor_quantile)
    return f.rename(columns={"energy": "floor", "peak": "floor_peak"}).reset_index()


def flagged_days(ed: pd.DataFrame, ents: pd.DataFrame, p: Params = DEFAULT) -> pd.DataFrame:
    """The judged restricted days that look like production, with the kind and strength."""
    base = baselines(ed, p)
    shapes = sector_shapes(ed, base, ents)
    fl = floors(ed, p)
    days = ed[ed.judged & ed.status.isin([*RESTRICTED, CONSTRUCTION])]
    days = days.merge(fl, on=["eid", "period_start"])
    days = days.merge(base, on="eid", how="left")
    days = days.merge(ents[["eid", "sector"]], on="eid")
    days = days.merge(shapes, on="sector", how="left")
    fallback = shapes.sector_steadiness.min()  # NaN when no sector has a producer
    days["sector_steadiness"] = days.sector_steadiness.fillna(fallback).fillna(p.default_steadiness)
    floor = np.maximum(days.floor, 1.0)
    has_level = days.level.notna() & (days.level > 0)
    own_floor = np.fmin(days.floor, p.floor_cap * days.level)
    own_floor_peak = np.fmin(days.floor_peak, p.floor_cap * days.level_peak)
    peak_ok = (
        days.peak.isna()
        | days.level_peak.isna()
        | days.floor_peak.isna()
        | (days.peak - own_floor_peak >= p.covert_peak * days.level_peak)
    )
    covert = np.where(
        has_level,
        (days.energy - own_floor >= p.covert_energy * days.level) & peak_ok,
        days.energy >= p.floor_ratio * floor,
    )
    shape = days.steadiness / days.sector_steadiness
    premature = (days.energy >= p.premature_ratio * floor) & (shape >= p.shape_share)
    is_covert = days.status != CONSTRUCTION
    days["kind"] = np.where(is_covert, "covert_operation", "premature_operation")
    days["flag"] = np.where(is_covert, covert, premature)
    days["reference"] = np.where(is_covert & has_level, days.level, floor)
    columns = [
        "eid",
        "kind",
        "status",
        "period_start",
        "day",
        "energy",
        "peak",
        "floor",
        "level",
        "level_peak",
    ]
    return days[days.flag][[*columns, "reference", "steadiness", "sector_steadiness"]]


def runs(flagged: pd.DataFrame, ents: pd.DataFrame, p: Params = DEFAULT) -> pd.DataFrame:
    """Merge flagged days into runs (gaps of ≤ merge_gap_days) and keep runs long enough."""
    f = flagged.sort_values([*GROUP, "day"]).copy()
    prev = f.groupby(GROUP).day.shift()
    f["new_run"] = (prev.isna() | ((f.day - prev).dt.days > p.merge_gap_days + 1)).astype(int)
    f["run"] = f.groupby(GROUP).new_run.cumsum()
    f["strength"] = f.energy / f.reference
    r = (
        f.groupby([*GROUP, "run"])
        .agg(
            status=("status", "max"),
            start_date=("day", "min"),
            end_date=("day", "max"),
            days=("day", "size"),
            energy=("energy", "mean"),
            peak=("peak", "mean"),
            floor=("floor", "max"),
            level=("level", "max"),
            level_peak=("level_peak", "max"),
            steadiness=("steadiness", "mean"),
            sector_steadiness=("sector_steadiness", "max"),
            strength=("strength", "mean"),
        )
        .reset_index()
    )
    r = r[r.days >= p.min_days].drop(columns="run")
    return r.merge(ents[["eid", "uscc"]], on="eid").drop(columns="eid")


def detect(
    readings: pd.DataFrame, meters: pd.DataFrame, status: pd.DataFrame, p: Params = DEFAULT
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """(alert runs, data-quality findings, meter-days) from the three inputs as DataFrames."""
    md = clean_meter_days(meter_days(readings, p), p)
    if md.empty:
        return pd.DataFrame(), pd.DataFrame(), 0
    first, last = md.day.min().date(), md.day.max().date()
    ed = enterprise_days(md, meters, status, excluded_days(first, last, p), detector.sample_every(meters))
    ents = enterprises(meters)
    return runs(flagged_days(ed, ents, p), ents, p), quality(md, meters), len(md)


def _plain(value):
    """A pandas cell as the Python value DuckDB would give: None for missing, date for a day."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, np.generic):
        return value.item()
    return value


def run(
    readings: str | Path | list[str],
    meters_csv: str | Path,
    status_csv: str | Path,
    *,
    meter_ids: list[str] | None = None,
    p: Params = DEFAULT,
    timings: dict | None = None,
) -> engines.Result:
    """Detect from the files of the contract (only `meter_ids` when given) into engines.Result.

    `timings`, when given, receives the seconds spent reading the readings ("load") and the rows read.
    """
    started = time.perf_counter()
    meters = formats.read_meters(meters_csv).to_pandas()
    if "sector" not in meters.columns:
        meters["sector"] = "all"
    if meter_ids is not None:
        meters = meters[meters.meter_id.isin(set(meter_ids))]
    status = formats.read_status(status_csv).to_pandas()
    for column in ("start_date", "end_date"):
        status[column] = pd.to_datetime(status[column])
    frame = read_readings(readings, meter_ids)
    if timings is not None:
        timings.update(load=time.perf_counter() - started, rows=len(frame))
    found, q, n = detect(frame, meters, status, p)
    del frame
    if not n:
        return engines.Result([], [], None, None, 0)
    alerts = [engines.alert({k: _plain(v) for k, v in row.items()}) for row in found.to_dict("records")]
    alerts.sort(key=lambda a: (a["uscc"], a["kind"], a["start_date"]))
    rows = [{k: _plain(v) for k, v in row.items()} for row in q.to_dict("records")]
    rows.sort(key=lambda r: (r["meter_id"], r["issue"]))
    return engines.Result(alerts, rows, None, None, n)
