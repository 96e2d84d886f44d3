"""The detector: covert production (明停暗开) and premature production (边建边开) from meter readings.

Written once as Ibis expressions, so DuckDB and Spark run the very same plan (engines.py). Only one
step touches the raw readings: a per-meter, per-day aggregation (energy, peak interval, steadiness,
faults), the same single pass as a plain daily sum. Everything after it works on meter-days.

How a day is judged (each number is a `Params` field):
- Meter faults are data quality, not violations: negative readings are dropped; an isolated spike
  (one interval far above the rest of the day) is removed; days with under half of their intervals
  are not judged; duplicate timestamps do no harm because energy is the mean interval × 96.
- Several meters of an enterprise are summed per day; a day judges only when every meter reported.
- Covert production: on a suspended or closed day, the enterprise draws clearly more than its own
  floor in that period (its lighting, security and rectification load) — by a share of its normal
  production level (a high quantile of its normal, complete, non-holiday days), both in energy and in peak
  load. Without normal days in the data, the day is compared with the period's floor alone.
- Premature production: on an under-construction day, energy is several times the construction
  floor of that period and the day has the shape of production in the enterprise's sector (its
  steadiness, from the sector's normal enterprises), not the bursty shape of building work.
- Flagged days merge into runs across short gaps; a run needs a minimum of flagged days, which
  keeps single-day commissioning tests and stray spikes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis import _

from . import calendar

INTERVALS_PER_DAY = 96
RESTRICTED = ("suspended", "closed")  # covert production is judged on these days
CONSTRUCTION = "under_construction"
FAR_FUTURE = date(9999, 12, 31)
# Enterprises of normal status enough to know a sector's production shape.
SHAPE_SAMPLE = 10_000


@dataclass(frozen=True)
class Params:
    spike_factor: float = 30.0  # an interval this many times the day's other mean is a spike
    min_coverage: float = 0.5  # share of a day's intervals needed to judge it
    min_baseline_days: int = 7  # normal days needed for a production level
    # The production level is a high quantile of normal days, not their median: weekends,
    # holidays and maintenance stops may be most of a short normal stretch.
    level_quantile: float = 0.75
    floor_quantile: float = 0.2  # a period's floor: this quantile of its days
    # A stopped plant's own load (lighting, security, ventilation) is a small share of its
    # production level; a floor above this share means the plant produced most of the period.
    floor_cap: float = 0.3
    covert_energy: float = 0.2  # excess energy over the floor, share of the production level
    covert_peak: float = 0.25  # excess peak over the floor's peak, share of the normal peak
    floor_ratio: float = 2.5  # without a production level: times the period floor
    premature_ratio: float = 3.0  # times the construction floor, with the sector's shape
    shape_share: float = 0.7  # steadiness at least this share of the sector's
    default_steadiness: float = 0.5  # one shift of 8–9 hours, when no enterprise produces at all
    merge_gap_days: int = 2  # non-flagged days a run may bridge
    min_days: int = 2  # flagged days a run needs
    spring_festival_before: int = 14  # days around 除夕 kept out of baselines
    spring_festival_after: int = 21


def meter_days(readings: ir.Table, p: Params = Params()) -> ir.Table:
    """The one pass over the readings: per meter and day, sums, extremes and counts.

    Each reading is classified once in a projection (valid: kwh ≥ 0) and the aggregates skip
    NULLs: filtered aggregates would test the condition again per aggregate and make this pass
    twice as slow. Only what the day's judgement needs is aggregated here (this pass is most of
    the detector's time; a night-time split alone would add a quarter to it — the alert page's
    chart shows night load from the lake instead).
    """
    r = readings
    r = r.mutate(valid=ibis.ifelse(r.kwh >= 0, r.kwh, None))
    return r.group_by(meter_id=r.meter_id, day=r.ts.date()).aggregate(
        n=r.valid.count(),
        total=r.valid.sum(),
        squares=(r.valid * r.valid).sum(),
        peak=r.valid.max(),
        # The lowest reading, faults included: below zero, a negative register difference; zero
        # on a day that otherwise draws power, a dropout.
        low=r.kwh.min(),
    )


def clean_meter_days(md: ir.Table, p: Params = Params()) -> ir.Table:
    """Remove an isolated spike, estimate the day's energy, and flag data-quality problems."""
    others = (md.total - md.peak) / (md.n - 1)
    spike = ((md.n >= 2) & (md.peak > 0) & (md.peak > p.spike_factor * others)).fill_null(False)
    n = md.n - spike.cast("int64")
    total = md.total - ibis.ifelse(spike, md.peak, 0.0)
    squares = md.squares - ibis.ifelse(spike, md.peak * md.peak, 0.0)
    return md.select(
        "meter_id",
        "day",
        spike=spike,
        energy=ibis.ifelse(n > 0, total / n * INTERVALS_PER_DAY, None),
        # How evenly the day's energy is spread over its intervals: (Σx)² / (n·Σx²) is the share
        # of the day a constant load would need to draw it. Production runs for shifts (⅓ of the
        # day and more); building work comes in bursts and a commissioning test lasts hours.
        steadiness=ibis.ifelse(squares > 0, total * total / (n * squares), None),
        # The largest interval left once a spike is removed is unknown; such a day has no peak.
        clean_peak=ibis.ifelse(spike, None, md.peak),
        covered=n >= p.min_coverage * INTERVALS_PER_DAY,
        duplicates=md.n > INTERVALS_PER_DAY,
        negatives=(md.low < 0).fill_null(False),
        # Zero readings on a day the meter otherwise draws power: a meter or telemetry fault.
        zero_run=((md.low == 0) & (md.peak > 0)).fill_null(False),
    )


def quality(md: ir.Table, meters: ir.Table) -> ir.Table:
    """Data-quality findings per meter: days with each kind of fault (never a violation)."""
    md = md.join(meters.select("meter_id", "uscc"), "meter_id")
    issues = {
        "negative_readings": md.negatives,
        "spike": md.spike,
        "incomplete_day": ~md.covered,
        "duplicate_readings": md.duplicates,
        "zero_run": md.zero_run,
    }
    parts = [
        md.filter(flag)
        .group_by("meter_id", "uscc")
        .aggregate(days=_.count(), first_day=_.day.min(), last_day=_.day.max())
        .mutate(issue=ibis.literal(name))
        for name, flag in issues.items()
    ]
    return ibis.union(*parts).select("meter_id", "uscc", "issue", "days", "first_day", "last_day")


def excluded_days(first: date, last: date, p: Params = Params()) -> ir.Table:
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
    # An Arrow table keeps the date type even when no day falls in the range.
    return ibis.memtable(pa.table({"day": pa.array(sorted(days), pa.date32())}))


def enterprises(meters: ir.Table) -> ir.Table:
    """One row per enterprise of the meters file: a dense integer key (eid), its meters, its sector.

    Enterprise-days are grouped and joined on the integer key: strings would cost a third more."""
    e = meters.group_by("uscc").aggregate(meters_total=_.count(), sector=_.sector.max())
    return e.mutate(eid=ibis.row_number().over(order_by="uscc"))


def sample_every(meters) -> int:
    """How many enterprises stand for one in the sector shapes: all up to SHAPE_SAMPLE of them."""
    if isinstance(meters, ir.Table):
        count = meters.uscc.nunique().execute()
    else:  # an Arrow table (engines) or a pandas frame (the benchmark's baseline)
        import pyarrow.compute as pc

        column = meters["uscc"]
        count = (
            pc.count_distinct(column).as_py()
            if isinstance(column, pa.ChunkedArray | pa.Array)
            else column.nunique()
        )
    return max(1, -(-count // SHAPE_SAMPLE))


def enterprise_days(
    md: ir.Table, meters: ir.Table, status: ir.Table, excluded: ir.Table, sample_every: int = 1
) -> ir.Table:
    """Per enterprise and day: summed energy of its meters, its status and whether the day judges.

    Only enterprises that can be judged (a suspended, closed or under-construction period) are
    needed, and a sample of the others for the sectors' production shape: every `sample_every`-th
    (1: all of them; a province's scan samples about 10,000).
    """
    ents = enterprises(meters)
    restricted = status.filter(status.status != "normal").uscc
    ents = ents.filter(ents.uscc.isin(restricted) | (ents.eid % sample_every == 0))
    keys = meters.join(ents.select("uscc", "eid", "meters_total"), "uscc").select(
        "meter_id", "eid", "meters_total"
    )
    per_meter = md.join(keys, "meter_id")
    ed = per_meter.group_by("eid", "day").aggregate(
        meters_total=_.meters_total.max(),
        energy=_.energy.sum(),
        steadiness=(_.steadiness * _.energy).sum() / _.energy.sum(),
        peak=ibis.ifelse(_.spike.any(), None, _.clean_peak.sum()),
        meters_present=_.count(),
        covered=_.covered.all(),
        faulty=(_.spike | _.negatives | _.zero_run).any(),
    )
    st = status.join(ents.select("uscc", "eid"), "uscc").select(
        s_eid="eid",
        status="status",
        period_start="start_date",
        period_end=status.end_date.fill_null(FAR_FUTURE),
    )
    ed = ed.left_join(st, [ed.eid == st.s_eid, ed.day >= st.period_start, ed.day <= st.period_end])
    ex = excluded.select(ex_day="day", excluded=ibis.literal(True))
    ed = ed.left_join(ex, ed.day == ex.ex_day)
    return ed.select(
        "eid",
        "day",
        "energy",
        "peak",
        "steadiness",
        "faulty",
        status=ed.status.fill_null("normal"),
        period_start=ed.period_start,
        excluded=ed.excluded.fill_null(False),
        judged=(ed.meters_present == ed.meters_total) & ed.covered & ed.energy.notnull(),
    )


def baselines(ed: ir.Table, p: Params = Params()) -> ir.Table:
    """Each enterprise's normal production level: a high quantile of its normal days' energy and peak."""
    normal = ed.filter((ed.status == "normal") & ed.judged & ~ed.excluded & ~ed.faulty)
    b = normal.group_by("eid").aggregate(
        level=_.energy.quantile(p.level_quantile),
        level_peak=_.peak.quantile(p.level_quantile),
        level_days=_.count(),
    )
    return b.filter(b.level_days >= p.min_baseline_days)


def sector_shapes(ed: ir.Table, base: ir.Table, ents: ir.Table) -> ir.Table:
    """The steadiness of production days in each sector (normal days at ≥ half their level)."""
    days = ed.join(base, "eid").join(ents.select("eid", "sector"), "eid")
    days = days.filter(
        (days.status == "normal") & days.judged & ~days.excluded & (days.energy >= 0.5 * days.level)
    )
    return days.group_by("sector").aggregate(sector_steadiness=_.steadiness.median())


def floors(ed: ir.Table, p: Params = Params()) -> ir.Table:
    """Each restricted period's floor: a low quantile of its judged days' energy and peak."""
    days = ed.filter(ed.period_start.notnull() & (ed.status != "normal") & ed.judged)
    return days.group_by("eid", "period_start").aggregate(
        floor=_.energy.quantile(p.floor_quantile),
        floor_peak=_.peak.quantile(p.floor_quantile),
    )


def flagged_days(ed: ir.Table, ents: ir.Table, p: Params = Params()) -> ir.Table:
    """The judged restricted days that look like production, with the kind and strength."""
    base = baselines(ed, p)
    shapes = sector_shapes(ed, base, ents)
    fl = floors(ed, p)
    days = ed.filter(ed.judged & ed.status.isin([*RESTRICTED, CONSTRUCTION]))
    days = days.join(fl, ["eid", "period_start"])
    days = days.left_join(base, "eid").drop("eid_right")
    days = days.join(ents.select("eid", "sector"), "eid")
    days = days.left_join(shapes, "sector").drop("sector_right")
    # A sector with no producing enterprise in the data borrows the least steady sector's shape
    # (shift work): lenient, but never lets bursty building work pass.
    fallback = shapes.aggregate(any_steadiness=shapes.sector_steadiness.min())
    days = days.cross_join(fallback)
    days = days.mutate(
        sector_steadiness=days.sector_steadiness.fill_null(days.any_steadiness).fill_null(
            p.default_steadiness
        )
    )
    tiny = 1.0  # kWh a day: a floor of zero (supply cut) still needs real consumption
    floor = ibis.greatest(days.floor, tiny)
    has_level = days.level.notnull() & (days.level > 0)
    own_floor = ibis.least(days.floor, p.floor_cap * days.level)
    own_floor_peak = ibis.least(days.floor_peak, p.floor_cap * days.level_peak)
    peak_ok = (
        days.peak.isnull()
        | days.level_peak.isnull()
        | days.floor_peak.isnull()
        | (days.peak - own_floor_peak >= p.covert_peak * days.level_peak)
    )
    covert = ibis.ifelse(
        has_level,
        (days.energy - own_floor >= p.covert_energy * days.level) & peak_ok,
        days.energy >= p.floor_ratio * floor,
    )
    # Building work is bursty (cranes, welding) and a commissioning test lasts hours; production
    # is as steady as the sector's.
    shape = days.steadiness / days.sector_steadiness
    premature = (days.energy >= p.premature_ratio * floor) & (shape >= p.shape_share)
    is_covert = days.status != CONSTRUCTION
    days = days.mutate(
        kind=ibis.ifelse(is_covert, "covert_operation", "premature_operation"),
        flag=ibis.ifelse(is_covert, covert, premature).fill_null(False),
        reference=ibis.ifelse(is_covert & has_level, days.level, floor),
    )
    return days.filter(days.flag).select(
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
        "reference",
        "steadiness",
        "sector_steadiness",
    )


def runs(flagged: ir.Table, ents: ir.Table, p: Params = Params()) -> ir.Table:
    """Merge flagged days into runs (gaps of ≤ merge_gap_days) and keep runs long enough."""
    w = ibis.window(group_by=["eid", "kind", "period_start"], order_by="day")
    f = flagged.mutate(prev=flagged.day.lag().over(w))
    f = f.mutate(
        new_run=ibis.ifelse(f.prev.isnull() | (f.day.delta(f.prev, unit="day") > p.merge_gap_days + 1), 1, 0)
    )
    f = f.mutate(run=f.new_run.cumsum().over(w))
    r = f.group_by("eid", "kind", "period_start", "run").aggregate(
        status=_.status.max(),
        start_date=_.day.min(),
        end_date=_.day.max(),
        days=_.count(),
        energy=_.energy.mean(),
        peak=_.peak.mean(),
        floor=_.floor.max(),
        level=_.level.max(),
        level_peak=_.level_peak.max(),
        steadiness=_.steadiness.mean(),
        sector_steadiness=_.sector_steadiness.max(),
        strength=(_.energy / _.reference).mean(),
    )
    r = r.filter(r.days >= p.min_days).drop("run")
    return r.join(ents.select("eid", "uscc"), "eid").drop("eid")
