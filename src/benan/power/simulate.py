"""Simulated 15-minute electricity readings of regulated enterprises, with the true violations.

The world modelled (see the test file for what is checked):
- each enterprise has a production level L (kWh per 15 minutes at full load) and a sector load
  shape (continuous process, two shifts with or without Sundays, one shift on weekdays); day and
  interval noise, a seasonal factor (cooling and/or heating), a slow trend; non-continuous plants
  stop on official holidays and for a per-plant Spring Festival break, continuous plants slow
  down; normal plants have maintenance stops;
- a stopped plant draws its residual load (lighting, security, ventilation, office), a closed one
  almost nothing (or exactly 0 when the supply is cut); suspended plants may do rectification
  works on weekdays; plants under construction draw a bursty daytime construction load with
  occasional single-day commissioning tests (单机试车); none of these is a violation;
- violations: covert production during a suspension or after closure (明停暗开: full, partial,
  night-only or intermittent) and production before acceptance (边建边开);
- meter faults: negative readings, spikes, runs of zeros, gaps, duplicated rows.

Outputs of `run` (the detector reads exactly these): readings/part-NNNNN.parquet
(meter_id string, ts timestamp[us] local time at the start of the interval, kwh float64),
meters.csv, status.csv and truth.csv. The same seed and arguments give identical outputs.

Pure numpy and pyarrow: no Django, no database.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from benan.enterprises import uscc as uscc_codes
from benan.power import calendar

SLOTS = 96  # 15-minute intervals in a day
SLOT_US = 15 * 60 * 1_000_000
DAY_US = SLOTS * SLOT_US
ROWS_PER_FILE = 4_000_000

SHAPES = ("continuous", "two_shift", "two_shift_sun_off", "one_shift")
COVERT_MODES = ("full", "partial", "night_only", "intermittent")
COVERT_MODE_WEIGHTS = (0.35, 0.25, 0.2, 0.2)
FAULT_KINDS = ("negative", "spike", "zero_run", "gap", "duplicate")
FAULT_RATES = (0.02, 0.03, 0.02, 0.03, 0.02)  # share of meters with each fault
STATUSES = ("normal", "suspended", "under_construction", "closed")
STATUS_WEIGHTS = (0.72, 0.15, 0.10, 0.03)
COVERT_RATE = 0.3  # of suspended and closed plants (some periods are too short to be used)
PREMATURE_RATE = 0.5  # of plants under construction

# sector, weight, {shape: probability}; "two_shift" is split half and half on Sundays below.
SECTORS = (
    ("machinery", 0.24, {"one_shift": 0.7, "two_shift": 0.3}),
    ("light_industry", 0.17, {"one_shift": 1.0}),
    ("building_materials", 0.15, {"continuous": 0.75, "two_shift": 0.25}),
    ("textile", 0.10, {"two_shift": 1.0}),
    ("hazardous_chemicals", 0.10, {"continuous": 1.0}),
    ("metallurgy", 0.08, {"continuous": 1.0}),
    ("non_coal_mining", 0.09, {"two_shift": 1.0}),
    ("nonferrous", 0.07, {"continuous": 0.7, "two_shift": 0.3}),
)

SECTOR_SHAPES = {name: shapes for name, _, shapes in SECTORS}

# Real county-level codes of Sichuan (GB/T 2260), where the enterprises are registered.
COUNTIES = (
    "510104", "510105", "510106", "510107", "510108", "510112", "510113", "510114", "510115", "510116",
    "510117", "510118", "510121", "510129", "510131", "510181", "510182", "510183", "510184", "510185",
    "510302", "510303", "510304", "510311", "510321", "510322", "510402", "510403", "510411", "510421",
    "510422", "510502", "510503", "510504", "510521", "510522", "510603", "510604", "510623", "510681",
    "510682", "510683", "510703", "510704", "510705", "510722", "510781", "510802", "510903", "510904",
    "510921", "510981", "511002", "511011", "511083", "511102", "511111", "511112", "511113", "511123",
    "511181", "511302", "511303", "511304", "511402", "511403", "511421", "511502", "511503", "511504",
    "511602", "511603", "511702", "511703", "511802", "511803", "511902", "512002", "512021", "513201",
    "513301", "513401",
)  # fmt: skip


@dataclass(frozen=True)
class Meter:
    meter_id: str
    share: float  # of the enterprise's load


@dataclass(frozen=True)
class Period:
    status: str  # normal | suspended | under_construction | closed
    start: date
    end: date | None  # inclusive; None: still in force


@dataclass(frozen=True)
class Violation:
    kind: str  # covert_operation | premature_operation
    mode: str  # full | partial | night_only | intermittent
    start: date  # first day with production (inside the window)
    end: date  # last day with production
    strength: float  # production as a fraction of L
    days: tuple[date, ...]  # the days with production


@dataclass(frozen=True)
class Fault:
    meter_id: str
    kind: str  # negative | spike | zero_run | gap | duplicate


@dataclass(frozen=True)
class Commissioning:
    """单机试车: one machine run for a few hours on one day; not a violation."""

    day: date
    first_slot: int
    slots: int
    level: float  # fraction of L


@dataclass
class EnterprisePlan:
    uscc: str
    sector: str
    shape: str  # one of SHAPES
    level: float  # L: kWh per 15 minutes at full load
    meters: list[Meter]
    periods: list[Period]
    violations: list[Violation] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    # how the plant behaves
    shape_base: float = 0.9  # continuous level, or two-shift night level, or one-shift off-hours level
    shape_offset: int = 0  # the schedule shifted by this many slots
    residual: float = 0.05  # stopped plant, fraction of L
    closed_residual: float = 0.0
    summer: float = 0.0  # seasonal amplitudes (cooling, heating)
    winter: float = 0.0
    residual_seasonal: float = 0.0
    trend: float = 0.0  # relative change per 120 days
    spring_festival: tuple[int, int] = (7, 10)  # days before / after 除夕
    spring_festival_factor: float = 0.8  # continuous plants' output over the break
    maintenance: list[tuple[date, date]] = field(default_factory=list)
    rectification: list[tuple[date, date]] = field(default_factory=list)
    rectification_level: float = 0.1  # fraction of L, weekday daytime
    construction: tuple[float, float] = (0.0, 0.0)  # fraction of L at the start / end of the works
    commissioning: list[Commissioning] = field(default_factory=list)
    overtime: frozenset[date] = frozenset()  # Saturdays a one-shift plant works

    def status_on(self, d: date) -> str:
        for p in self.periods:
            if p.start <= d and (p.end is None or d <= p.end):
                return p.status
        return "normal"


# ---------------------------------------------------------------------------------------------
# Calendar and daily profiles


@dataclass(frozen=True)
class _Calendar:
    start: date
    dates: tuple[date, ...]
    weekday: np.ndarray
    holiday: np.ndarray
    makeup: np.ndarray
    sf_rel: np.ndarray  # days from the nearest 除夕
    summer: np.ndarray  # 0..1 seasonal curves
    winter: np.ndarray

    def index(self, d: date) -> int:
        return (d - self.start).days


@cache
def calendar_for(start: date, days: int) -> _Calendar:
    """The simulated window's days with their weekday, holiday, season and Spring Festival offset."""
    dates = tuple(start + timedelta(i) for i in range(days))
    eves = np.array([(calendar.spring_festival_eve(y) - start).days for y in calendar.SPRING_FESTIVAL_EVE])
    offsets = np.arange(days)
    rel = offsets[:, None] - eves[None, :]
    sf_rel = rel[np.arange(days), np.abs(rel).argmin(axis=1)]
    doy = np.array([d.timetuple().tm_yday for d in dates])
    return _Calendar(
        start=start,
        dates=dates,
        weekday=np.array([d.weekday() for d in dates]),
        holiday=np.array([calendar.is_holiday(d) for d in dates]),
        makeup=np.array([calendar.is_makeup_workday(d) for d in dates]),
        sf_rel=sf_rel,
        summer=np.maximum(0.0, np.cos(2 * np.pi * (doy - 205) / 365)),
        winter=np.maximum(0.0, np.cos(2 * np.pi * (doy - 15) / 365)),
    )


def _hours(a: float, b: float) -> np.ndarray:
    """Mask of the slots from hour a to hour b (wrapping past midnight)."""
    h = np.arange(SLOTS) / 4
    return (h >= a) & (h < b) if a < b else (h >= a) | (h < b)


NIGHT = _hours(20, 6).astype(float)  # night-only covert production
LIGHTING = 1.0 + 0.3 * _hours(18, 7)  # residual load with the lights on
CONSTRUCTION = _hours(7, 19) * np.where(_hours(12, 13), 0.4, 1.0)
RECTIFICATION = _hours(8, 18).astype(float)


def _shape_profile(shape: str, base: float, offset: int) -> np.ndarray:
    t = np.arange(SLOTS)
    if shape == "continuous":
        return np.clip(base + 0.03 * np.sin(2 * np.pi * t / SLOTS + 1.3 * offset), 0.85, 1.0)
    if shape == "one_shift":
        p = np.full(SLOTS, base)
        p[_hours(8, 12) | _hours(13, 17)] = 1.0
        p[_hours(12, 13)] = 0.5
        p[_hours(7.5, 8) | _hours(17, 17.5)] = 0.5
    else:
        p = np.full(SLOTS, base)
        p[_hours(6, 22)] = 1.0
        p[_hours(5.75, 6) | _hours(22, 22.25)] = 0.5
        p[_hours(14, 14.25)] = 0.85  # shift change
    return np.roll(p, offset)


def _spring_festival_break(ep: EnterprisePlan, cal: _Calendar) -> np.ndarray:
    before, after = ep.spring_festival
    return (cal.sf_rel >= -before) & (cal.sf_rel <= after)


def _working_days(ep: EnterprisePlan, cal: _Calendar) -> np.ndarray:
    """The days the plant produces when allowed to (before maintenance)."""
    n = len(cal.dates)
    if ep.shape == "continuous":
        return np.ones(n, dtype=bool)
    off = cal.holiday | _spring_festival_break(ep, cal)
    if ep.shape == "two_shift":
        return ~off
    if ep.shape == "two_shift_sun_off":
        return ~off & ((cal.weekday != 6) | cal.makeup)
    overtime = np.array([d in ep.overtime for d in cal.dates]) if ep.overtime else np.zeros(n, dtype=bool)
    return ~off & ((cal.weekday < 5) | cal.makeup | overtime)


def _clip(a: date, b: date | None, cal: _Calendar) -> tuple[int, int]:
    """Window indices [i, j) of the dates a..b (inclusive)."""
    n = len(cal.dates)
    i = max(0, cal.index(a))
    j = n if b is None else min(n, cal.index(b) + 1)
    return i, max(i, j)


# ---------------------------------------------------------------------------------------------
# Planning


def _choice(rng: np.random.Generator, options, weights=None):
    return options[int(rng.choice(len(options), p=weights))]


def _violation_days(
    rng: np.random.Generator, ep: EnterprisePlan, cal: _Calendar, mode: str, i: int, j: int
) -> np.ndarray:
    """Window indices of the days with production of a violation over [i, j)."""
    work = _working_days(ep, cal)
    calendar_ok = np.ones(len(cal.dates), dtype=bool)
    if ep.shape != "continuous":
        calendar_ok = ~(cal.holiday | _spring_festival_break(ep, cal))
    if mode in ("full", "partial"):
        mask = work
    elif mode == "night_only":
        mask = calendar_ok
    else:  # intermittent: 5-6 days of each week, whatever the weekday
        mask = calendar_ok.copy()
        for w in range(i, j, 7):
            rest = rng.choice(7, size=int(rng.integers(1, 3)), replace=False)
            mask[[w + r for r in rest if w + r < j]] = False
    idx = np.flatnonzero(mask[i:j]) + i
    return idx


def plan_covert(rng, ep: EnterprisePlan, cal: _Calendar, period: Period) -> Violation | None:
    """A covert-production violation inside a suspended or closed `period` (None if none fits)."""
    ws, we = cal.dates[0], cal.dates[-1]
    pe = we if period.end is None else min(period.end, we)
    for _ in range(6):
        duration = int(rng.integers(4, 41))
        lo = max(period.start + timedelta(5), ws - timedelta(duration - 3))
        hi = pe - timedelta(2)
        if lo > hi:
            return None
        vs = lo + timedelta(int(rng.integers(0, (hi - lo).days + 1)))
        ve = min(vs + timedelta(duration - 1), pe)
        mode = _choice(rng, COVERT_MODES, COVERT_MODE_WEIGHTS)
        strength = {"full": (0.7, 1.0), "partial": (0.35, 0.65)}.get(mode, (0.7, 1.0))
        days = _violation_days(rng, ep, cal, mode, *_clip(vs, ve, cal))
        if len(days) >= 3:
            return _violation("covert_operation", mode, float(rng.uniform(*strength)), days, cal)
    return None


def plan_premature(rng, ep: EnterprisePlan, cal: _Calendar, period: Period) -> Violation | None:
    """A premature-production violation inside an under-construction `period` (None if none fits)."""
    ws, we = cal.dates[0], cal.dates[-1]
    pe = we if period.end is None else min(period.end, we)
    for _ in range(6):
        duration = int(rng.integers(5, 51))
        if period.start == ws:  # a new plant with no history: production from day 3-6
            vs = ws + timedelta(int(rng.integers(2, 6)))
        else:
            lo, hi = max(period.start, ws) + timedelta(7), pe - timedelta(2)
            if lo > hi:
                return None
            vs = lo + timedelta(int(rng.integers(0, (hi - lo).days + 1)))
        ve = min(vs + timedelta(duration - 1), pe)
        strength = float(rng.uniform(0.4, 1.0))
        days = _violation_days(rng, ep, cal, "full", *_clip(vs, ve, cal))
        if len(days) >= 3:
            return _violation(
                "premature_operation", "full" if strength >= 0.7 else "partial", strength, days, cal
            )
    return None


def _violation(kind: str, mode: str, strength: float, days: np.ndarray, cal: _Calendar) -> Violation:
    dates = tuple(cal.dates[k] for k in days)
    return Violation(kind=kind, mode=mode, start=dates[0], end=dates[-1], strength=strength, days=dates)


def _periods(rng, status: str, ws: date, days: int) -> list[Period]:
    we = ws + timedelta(days - 1)
    registered = ws - timedelta(int(rng.integers(200, 5000)))
    if status == "normal":
        return [Period("normal", registered, None)]
    if status == "suspended":
        duration = int(rng.integers(15, 121))
        s = ws + timedelta(int(rng.integers(-(duration - 5), max(days - 4, 1))))
        e = s + timedelta(duration - 1)
        registered = min(registered, s - timedelta(30))
        periods = [Period("normal", registered, s - timedelta(1))]
        if e >= we:
            return [*periods, Period("suspended", s, None)]
        return [*periods, Period("suspended", s, e), Period("normal", e + timedelta(1), None)]
    if status == "closed":
        c = ws + timedelta(int(rng.integers(-60, max(days - 3, 1))))
        if rng.random() < 0.3:  # suspended first, then closed (关闭取缔)
            s = c - timedelta(int(rng.integers(15, 90)))
            registered = min(registered, s - timedelta(30))
            return [
                Period("normal", registered, s - timedelta(1)),
                Period("suspended", s, c - timedelta(1)),
                Period("closed", c, None),
            ]
        registered = min(registered, c - timedelta(30))
        return [Period("normal", registered, c - timedelta(1)), Period("closed", c, None)]
    # under construction: a new plant, accepted (竣工验收) some day or still being built
    u0 = ws if rng.random() < 0.25 else ws - timedelta(int(rng.integers(1, 400)))
    acceptance = max(ws + timedelta(int(rng.integers(10, 2 * days + 10))), u0 + timedelta(60))
    if acceptance > we:
        return [Period("under_construction", u0, None)]
    return [Period("under_construction", u0, acceptance - timedelta(1)), Period("normal", acceptance, None)]


def _random_stretches(rng, i: int, j: int, count: int, lo: int, hi: int, cal: _Calendar):
    out = []
    for _ in range(count):
        if j - i < lo:
            break
        length = int(rng.integers(lo, hi + 1))
        s = int(rng.integers(i, max(i + 1, j - length + 1)))
        out.append((cal.dates[s], cal.dates[min(j, s + length) - 1]))
    return sorted(out)


def plan_enterprise(
    rng: np.random.Generator,
    *,
    uscc: str,
    sector: str,
    meter_ids: list[str],
    start: date,
    days: int,
    status: str | None = None,
    violate: bool | None = None,
) -> EnterprisePlan:
    """One enterprise's plan. `status` and `violate` force a scenario (the demo uses them);
    None draws them like the rest of the world. The meters' shares are fixed here."""
    cal = calendar_for(start, days)
    shapes = SECTOR_SHAPES.get(sector, {"one_shift": 0.5, "two_shift": 0.5})
    shape = _choice(rng, list(shapes), list(shapes.values()))
    if shape == "two_shift" and rng.random() < 0.5:
        shape = "two_shift_sun_off"
    level = float(np.clip(rng.lognormal(np.log(150), 1.0), 5, 5000))
    base = {"continuous": (0.87, 0.97), "one_shift": (0.08, 0.15)}.get(shape, (0.1, 0.2))
    season = rng.random()
    ep = EnterprisePlan(
        uscc=uscc,
        sector=sector,
        shape=shape,
        level=round(level, 3),
        meters=[],
        periods=[],
        shape_base=float(rng.uniform(*base)),
        shape_offset=int(rng.integers(-2, 3)),
        residual=float(rng.uniform(0.02, 0.12)),
        closed_residual=0.0 if rng.random() < 0.4 else float(rng.uniform(0.0, 0.02)),
        summer=float(rng.uniform(0, 0.2)) if season < 0.65 else 0.0,
        winter=float(rng.uniform(0, 0.2)) if season > 0.35 else 0.0,
        residual_seasonal=float(rng.uniform(0, 0.5)),
        trend=float(rng.normal(0, 0.05)),
        spring_festival=(int(rng.integers(4, 11)), int(rng.integers(5, 16))),
        spring_festival_factor=float(rng.uniform(0.6, 1.0)),
    )
    if shape == "one_shift" and rng.random() < 0.3:  # some Saturdays of overtime (加班)
        ep.overtime = frozenset(d for d in cal.dates if d.weekday() == 5 and rng.random() < 0.25)

    # meters: the main one takes 50-90 %, the others share the rest
    if len(meter_ids) == 1:
        shares = [1.0]
    else:
        main = float(rng.uniform(0.5, 0.9))
        shares = [main, *((1 - main) * rng.dirichlet(np.ones(len(meter_ids) - 1)))]
    ep.meters = [Meter(m, round(float(s), 6)) for m, s in zip(meter_ids, shares, strict=True)]
    for m in meter_ids:
        for kind, rate in zip(FAULT_KINDS, FAULT_RATES, strict=True):
            if rng.random() < rate:
                ep.faults.append(Fault(m, kind))

    status = status or _choice(rng, STATUSES, STATUS_WEIGHTS)
    ep.periods = _periods(rng, status, start, days)
    n = len(cal.dates)
    for p in ep.periods:
        i, j = _clip(p.start, p.end, cal)
        if i >= j:
            continue
        if p.status == "normal":
            count = min(int(rng.poisson(days / 120)), 2 * -(-days // 120))
            ep.maintenance += _random_stretches(rng, i, j, count, 2, 7, cal)
        elif p.status == "suspended" and rng.random() < 1 / 3:  # 整改 works
            ep.rectification_level = float(rng.uniform(0.05, 0.15))
            ep.rectification += _random_stretches(rng, i, j, int(rng.integers(1, 4)), 3, 15, cal)
        elif p.status == "under_construction":
            lo = float(rng.uniform(0.03, 0.08))
            ep.construction = (lo, float(rng.uniform(max(lo, 0.06), 0.15)))
            weekdays = [k for k in range(i, j) if cal.weekday[k] < 6 and not cal.holiday[k]]
            tests = (
                [int(rng.choice(weekdays)) for _ in range(rng.poisson(0.7 * days / 60))] if weekdays else []
            )
            if p.end is not None and rng.random() < 0.6:  # 联动试车 shortly before acceptance
                k = cal.index(p.end) - int(rng.integers(2, 20))
                if i <= k < n:
                    tests.append(k)
            for k in sorted(set(tests)):
                first = int(rng.integers(36, 57))
                ep.commissioning.append(
                    Commissioning(cal.dates[k], first, int(rng.integers(8, 21)), float(rng.uniform(0.3, 0.8)))
                )

    for p in ep.periods:
        if (p.end is not None and p.end < cal.dates[0]) or p.start > cal.dates[-1]:
            continue
        if p.status in ("suspended", "closed") and (
            violate or (violate is None and rng.random() < COVERT_RATE)
        ):
            v = plan_covert(rng, ep, cal, p)
        elif p.status == "under_construction" and (
            violate or (violate is None and rng.random() < PREMATURE_RATE)
        ):
            v = plan_premature(rng, ep, cal, p)
        else:
            continue
        if v is not None:
            ep.violations.append(v)
            if p.status == "closed" and ep.closed_residual == 0:
                ep.closed_residual = float(rng.uniform(0.002, 0.02))  # a secret producer has supply
            break  # one violation per enterprise
    return ep


def _usccs(rng: np.random.Generator, n: int) -> list[str]:
    alphabet = np.array(list(uscc_codes.ALPHABET))
    seen: set[str] = set()
    out = []
    while len(out) < n:
        county = COUNTIES[int(rng.integers(len(COUNTIES)))]
        org8 = "".join(alphabet[rng.integers(0, len(alphabet), 8)])
        code = uscc_codes.make("91" + county + org8 + uscc_codes.org_check_character(org8))
        if code not in seen:
            seen.add(code)
            out.append(code)
    return out


def plan(
    n: int, days: int, seed: int, start: date = date(2026, 1, 1), *, single_meter: bool = False
) -> list[EnterprisePlan]:
    """The plans of n random enterprises (deterministic in the arguments)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    usccs = _usccs(rng, n)
    sector_names = [s[0] for s in SECTORS]
    sectors = rng.choice(len(SECTORS), size=n, p=[s[1] for s in SECTORS])
    counts = np.ones(n, dtype=int) if single_meter else rng.choice([1, 2, 3], size=n, p=[0.7, 0.2, 0.1])
    # unique meter numbers, not in enterprise order
    numbers = 10_000_000 + np.cumsum(rng.integers(1, 60, size=int(counts.sum())))
    numbers = rng.permutation(numbers)
    plans, k = [], 0
    for i in range(n):
        ids = [f"M{x:010d}" for x in numbers[k : k + counts[i]]]
        k += counts[i]
        plans.append(
            plan_enterprise(
                rng, uscc=usccs[i], sector=sector_names[sectors[i]], meter_ids=ids, start=start, days=days
            )
        )
    return plans


# ---------------------------------------------------------------------------------------------
# Readings

STATUS_CODE = {s: k for k, s in enumerate(STATUSES)}


def _daily(ep: EnterprisePlan, cal: _Calendar):
    """Per-day production fraction, production kind (1 shape, 2 night-only), residual, construction
    and rectification levels of one enterprise (fractions of L)."""
    n = len(cal.dates)
    status = np.zeros(n, dtype=np.int8)
    for p in ep.periods:
        i, j = _clip(p.start, p.end, cal)
        status[i:j] = STATUS_CODE[p.status]
    prod = _working_days(ep, cal).astype(float)
    if ep.shape == "continuous":
        prod[_spring_festival_break(ep, cal)] *= ep.spring_festival_factor
    for a, b in ep.maintenance:
        i, j = _clip(a, b, cal)
        prod[i:j] = 0.0
    construction = np.zeros(n)
    for p in ep.periods:
        if p.status == "under_construction":
            end = p.end or p.start + timedelta(365)
            i, j = _clip(p.start, p.end, cal)
            progress = np.clip((np.arange(i, j) - cal.index(p.start)) / max(1, (end - p.start).days), 0, 1)
            lo, hi = ep.construction
            construction[i:j] = lo + (hi - lo) * progress
            if p.end is not None:  # ramp-up after acceptance
                k = cal.index(p.end) + 1
                if k < n:
                    prod[max(k, 0) :] *= np.clip(0.4 + 0.6 * np.arange(max(k, 0) - k, n - k) / 21, 0, 1)
    off = cal.holiday | _spring_festival_break(ep, cal)
    construction *= np.where(off, 0.1, np.where(cal.weekday == 6, 0.3, 1.0))
    prod[status != STATUS_CODE["normal"]] = 0.0
    kind = (prod > 0).astype(np.int8)
    for v in ep.violations:
        idx = [cal.index(d) for d in v.days if 0 <= cal.index(d) < n]
        prod[idx] = v.strength
        kind[idx] = 2 if v.mode == "night_only" else 1
    residual = np.where(
        status == STATUS_CODE["closed"],
        ep.closed_residual,
        np.where(status == STATUS_CODE["under_construction"], 0.3 * ep.residual, ep.residual),
    )
    rect = np.zeros(n)
    for a, b in ep.rectification:
        i, j = _clip(a, b, cal)
        rect[i:j] = ep.rectification_level
    rect *= (cal.weekday < 5) & ~cal.holiday
    return prod, kind, residual, construction, rect


def _ar1(rng: np.random.Generator, e: int, d: int, phi: float = 0.95, sd: float = 0.01) -> np.ndarray:
    x = np.zeros((e, d))
    z = rng.normal(0, sd, size=(e, d))
    for k in range(1, d):
        x[:, k] = phi * x[:, k - 1] + z[:, k]
    return x


def enterprise_load(
    plans: list[EnterprisePlan], start: date, days: int, rng: np.random.Generator
) -> np.ndarray:
    """The true load (kWh per interval) of each enterprise, shape (enterprises, days, 96)."""
    cal = calendar_for(start, days)
    e = len(plans)
    prod, kind, residual, construction, rect = (
        np.stack(a) for a in zip(*(_daily(ep, cal) for ep in plans), strict=True)
    )
    shapes = np.stack([_shape_profile(ep.shape, ep.shape_base, ep.shape_offset) for ep in plans])
    level = np.array([ep.level for ep in plans])
    summer = np.array([ep.summer for ep in plans])[:, None]
    winter = np.array([ep.winter for ep in plans])[:, None]
    season = summer * cal.summer + winter * cal.winter
    prod = prod * (1 + season)
    prod *= 1 + np.array([ep.trend for ep in plans])[:, None] * np.arange(days) / 120 + _ar1(rng, e, days)
    prod *= np.exp(rng.normal(0, 0.06, size=(e, days)))
    weather = season / np.maximum(summer + winter, 1e-9)
    residual = residual * (1 + np.array([ep.residual_seasonal for ep in plans])[:, None] * weather)
    residual *= np.exp(rng.normal(0, 0.03, size=(e, days)))

    profile = np.where((kind == 1)[..., None], shapes[:, None, :], 0.0)
    profile += (kind == 2)[..., None] * NIGHT
    load = np.maximum(prod[..., None] * profile, residual[..., None] * LIGHTING)
    rows = np.flatnonzero(construction.any(axis=1))
    if len(rows):  # cranes and welding: bursty (gamma, shape 0.5)
        burst = rng.gamma(0.5, 2.0, size=(len(rows), days, SLOTS))
        load[rows] += construction[rows][..., None] * CONSTRUCTION * burst
    rows = np.flatnonzero(rect.any(axis=1))
    if len(rows):
        load[rows] += rect[rows][..., None] * RECTIFICATION
    load *= np.maximum(0.0, 1 + rng.normal(0, 0.05, size=load.shape))
    for i, ep in enumerate(plans):
        for c in ep.commissioning:
            k = cal.index(c.day)
            if 0 <= k < days:
                load[i, k, c.first_slot : c.first_slot + c.slots] += c.level * rng.uniform(0.9, 1.1, c.slots)
    return load * level[:, None, None]


def _apply_faults(
    rng: np.random.Generator, kwh: np.ndarray, keep: np.ndarray, kind: str, level: float
) -> np.ndarray | None:
    """Damage one meter's series in place; returns the indices of duplicated rows, if any."""
    t = len(kwh)
    days = t // SLOTS
    if kind == "negative":  # a reset or a wrong register difference
        at = rng.integers(0, t, size=int(rng.integers(1, 6)))
        kwh[at] = -np.abs(kwh[at]) * rng.uniform(0.5, 3.0, len(at)) - 0.01
    elif kind == "spike":
        at = rng.integers(0, t, size=max(1, round(days / 30 * rng.integers(1, 3))))
        kwh[at] = level * rng.uniform(20, 200, len(at))
    elif kind == "zero_run":
        for _ in range(int(rng.integers(1, 4))):
            length = int(rng.integers(4, 49))
            s = int(rng.integers(0, max(1, t - length)))
            kwh[s : s + length] = 0.0
    elif kind == "gap":
        if rng.random() < 0.5:
            keep &= rng.random(t) >= rng.uniform(0.01, 0.10)
        else:
            for d in rng.choice(days, size=min(days, int(rng.integers(1, 4))), replace=False):
                keep[d * SLOTS : (d + 1) * SLOTS] = False
    elif kind == "duplicate":
        return np.flatnonzero(rng.random(t) < rng.uniform(0.01, 0.05))
    return None


def readings(
    plans: EnterprisePlan | list[EnterprisePlan], start: date, days: int, rng: np.random.Generator
) -> pa.Table:
    """The meter readings of a batch of enterprises: meter_id, ts, kwh (with the meter faults)."""
    if isinstance(plans, EnterprisePlan):
        plans = [plans]
    load = enterprise_load(plans, start, days, rng).reshape(len(plans), -1)
    owner = np.array([i for i, ep in enumerate(plans) for _ in ep.meters])
    meters = [m for ep in plans for m in ep.meters]
    shares = np.array([m.share for m in meters])
    kwh = load[owner] * shares[:, None]
    del load
    kwh *= np.maximum(0.0, 1 + rng.normal(0, 0.02, size=kwh.shape))  # sub-meters are not exact copies
    kwh = np.round(kwh, 2)
    keep = np.ones(kwh.shape, dtype=bool)
    row = {m.meter_id: r for r, m in enumerate(meters)}
    t = kwh.shape[1]
    duplicates = []
    for ep in plans:
        for f in ep.faults:
            r = row[f.meter_id]
            dup = _apply_faults(rng, kwh[r], keep[r], f.kind, ep.level)
            if dup is not None:
                duplicates.append(dup + r * t)
    kwh[kwh == 0] = 0.0  # no negative zeros
    flat_keep = np.flatnonzero(keep.ravel())
    if duplicates:
        dup = np.concatenate(duplicates)
        flat_keep = np.concatenate([flat_keep, dup[keep.ravel()[dup]]])
    ts0 = np.datetime64(start, "us").astype(np.int64)
    ts = ts0 + (flat_keep % t) * SLOT_US
    ids = pa.array([m.meter_id for m in meters], pa.string())
    return pa.table(
        {
            "meter_id": ids.take(pa.array(flat_keep // t)),
            "ts": pa.array(ts, pa.timestamp("us")),
            "kwh": pa.array(kwh.ravel()[flat_keep], pa.float64()),
        }
    )


# ---------------------------------------------------------------------------------------------
# Output


def _write_csv(path: Path, header: list[str], rows: list[tuple], key=None) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(sorted(rows, key=key))


def _batches(plans: list[EnterprisePlan], days: int):
    batch, rows = [], 0
    for ep in plans:
        n = len(ep.meters) * days * SLOTS
        if batch and rows + n > ROWS_PER_FILE:
            yield batch
            batch, rows = [], 0
        batch.append(ep)
        rows += n
    if batch:
        yield batch


def write_tables(out: Path, plans: list[EnterprisePlan]) -> None:
    """meters.csv, status.csv and truth.csv of the plans."""
    _write_csv(
        out / "meters.csv",
        ["meter_id", "uscc", "sector"],
        [(m.meter_id, ep.uscc, ep.sector) for ep in plans for m in ep.meters],
    )
    _write_csv(
        out / "status.csv",
        ["uscc", "status", "start_date", "end_date"],
        [
            (ep.uscc, p.status, p.start.isoformat(), p.end.isoformat() if p.end else "")
            for ep in plans
            for p in ep.periods
        ],
        key=lambda r: (r[0], r[2]),
    )
    rows = [(ep.uscc, v.kind, v.start.isoformat(), v.end.isoformat()) for ep in plans for v in ep.violations]
    _write_csv(
        out / "truth.csv", ["uscc", "kind", "start_date", "end_date"], rows, key=lambda r: (r[0], r[2])
    )


def run(
    out_dir: str | Path,
    enterprises: int,
    days: int,
    seed: int,
    start: date = date(2026, 1, 1),
    single_meter: bool = False,
) -> dict:
    """Simulate and write readings/*.parquet, meters.csv, status.csv and truth.csv; a summary."""
    began = time.monotonic()
    out = Path(out_dir)
    (out / "readings").mkdir(parents=True, exist_ok=True)
    for old in (out / "readings").glob("part-*.parquet"):
        old.unlink()
    plans = plan(enterprises, days, seed, start, single_meter=single_meter)
    total, files = 0, 0
    for b, batch in enumerate(_batches(plans, days)):
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 1, b])))
        table = readings(batch, start, days, rng)
        pq.write_table(
            table, out / "readings" / f"part-{b:05d}.parquet", compression="zstd", use_dictionary=["meter_id"]
        )
        total += table.num_rows
        files += 1
        del table
    write_tables(out, plans)
    violations = Counter(v.kind for ep in plans for v in ep.violations)
    return {
        "enterprises": len(plans),
        "meters": sum(len(ep.meters) for ep in plans),
        "readings": total,
        "files": files,
        "violations": {k: violations.get(k, 0) for k in ("covert_operation", "premature_operation")},
        "modes": dict(sorted(Counter(v.mode for ep in plans for v in ep.violations).items())),
        "faults": dict(sorted(Counter(f.kind for ep in plans for f in ep.faults).items())),
        "seconds": round(time.monotonic() - began, 1),
    }
