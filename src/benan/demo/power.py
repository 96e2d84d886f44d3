"""Demo power analytics (电力助应急): meters on real demo enterprises, their 15-minute readings, and
the alerts the detector finds in them, worked through the loop.

`install()` picks enterprises whose status timeline holds a suspension, a closure or a plant under
construction in the last months (the registry's own, or demo.enforcement's suspension orders; a
showcase county short of them gets a suspension through `enterprises.services.begin_suspension`),
and normal plants beside them. It simulates their readings with `power.simulate`, consistent with
those timelines (covert or premature production inside the restricted periods, rectification works
heavy enough to look like production, compliant plants), ingests them into the lake and replays
weekly scans under `core.clock.as_of`: the county assigns the new alerts, the inspector checks on
site (photos, GPS, finding) and confirms them, one or more with an enforcement case, or dismisses
them; the latest are still open. Imports from core, enterprises, power, demo.hazards and
demo.enforcement.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, Q
from django.utils import timezone

from benan.core import clock, geo
from benan.core.attachments import store
from benan.core.models import Region
from benan.enterprises import services as registry
from benan.enterprises.models import Enterprise, Sector, Status, StatusPeriod
from benan.power import calendar, services, simulate
from benan.power.formats import read_meters_rows
from benan.power.models import AlertKind, Meter, PowerAlert

from . import enforcement as demo_enforcement
from . import hazards as demo_hazards

WUHOU, JINJIANG = demo_hazards.WUHOU, demo_hazards.JINJIANG
# Enterprises given meters. The default leaves small demos (the tests' 200-300 enterprises) out:
# simulating and scanning meter data takes seconds, and a few hundred enterprises have few
# suspended plants to choose from.
MAX_DEFAULT, MIN_DEFAULT, MIN_DEFAULT_ENTERPRISES = 40, 24, 500
READING_DAYS = 120  # at least this much history of readings, up to yesterday
SCANS = 13  # weekly scans over the last three months, the last one this morning
RESTRICTED = (Status.SUSPENDED, Status.CLOSED)
# 商贸 (trade, logistics) has no production line to detect; the simulator gives the sectors it does not
# model a one- or two-shift load.
SECTORS = tuple(s for s in Sector.values if s != Sector.COMMERCE)

# What an enterprise's meters show.
COVERT = "covert"  # production while suspended or closed (明停暗开)
PREMATURE = "premature"  # production while under construction (边建边开)
WORKS = "works"  # suspended, rectification works heavy enough to look like production (a false alarm)
COMPLIANT = "compliant"  # suspended or closed, only its lighting and security load: must not alert
BUILDING = "building"  # under construction: building work and single-day commissioning tests
NORMAL = "normal"
# The alert each anomaly should raise.
ALERT_KINDS = {
    COVERT: AlertKind.COVERT_OPERATION,
    WORKS: AlertKind.COVERT_OPERATION,
    PREMATURE: AlertKind.PREMATURE_OPERATION,
}

# How far the county got with the alert by now.
OPEN, ASSIGNED, CONFIRMED, CASE, DISMISSED = "open", "assigned", "confirmed", "case", "dismissed"
CHECKED = (CONFIRMED, CASE, DISMISSED)


@dataclass(frozen=True)
class Part:
    kind: str
    fate: str | None = None  # for an anomaly
    county: str | None = None  # where it should be; None: anywhere but the showcase counties


# wuhou-inspector and jinjiang-inspector have an alert in every state, and a compliant suspended
# plant each; then the province: premature production, more covert production, compliant plants.
SHOWCASE = (
    Part(COVERT, CASE, WUHOU),
    Part(COVERT, ASSIGNED, WUHOU),
    Part(WORKS, DISMISSED, WUHOU),
    Part(COVERT, OPEN, WUHOU),
    Part(COVERT, CONFIRMED, JINJIANG),
    Part(COVERT, ASSIGNED, JINJIANG),
    Part(WORKS, DISMISSED, JINJIANG),
    Part(COVERT, OPEN, JINJIANG),
    Part(PREMATURE, CASE),
    Part(PREMATURE, ASSIGNED),
    Part(COMPLIANT, county=WUHOU),
    Part(COMPLIANT),
    Part(BUILDING),
    Part(COVERT, CONFIRMED),
    Part(PREMATURE, OPEN),
    Part(COMPLIANT, county=JINJIANG),
    Part(COVERT, CASE),
    Part(WORKS, DISMISSED),
    Part(PREMATURE, CONFIRMED),
    Part(COVERT, ASSIGNED),
)
# After the showcase, at random.
PART_WEIGHTS = {
    Part(COVERT, OPEN): 2.0,
    Part(COVERT, ASSIGNED): 2.0,
    Part(COVERT, CONFIRMED): 2.0,
    Part(COVERT, CASE): 2.0,
    Part(PREMATURE, ASSIGNED): 1.0,
    Part(PREMATURE, CONFIRMED): 1.0,
    Part(WORKS, DISMISSED): 1.0,
    Part(COMPLIANT): 3.0,
    Part(BUILDING): 1.5,
}
NORMAL_SHARE = 1 / 3  # of the enterprises with meters: the neighbours that produce as registered

SUSPENSION_REASON = "责令停产停业整顿（现场检查发现重大事故隐患）"
# When a suspension made for a part began (days before yesterday), by the fate of its alert.
SUSPENDED_DAYS_AGO = {
    CASE: (75, 95),
    CONFIRMED: (75, 95),
    DISMISSED: (75, 95),
    ASSIGNED: (40, 60),
    OPEN: (22, 30),
}
# The check comes after the production run (see _Replay.detected): what the inspector finds then.
CONFIRM_FINDINGS = {
    COVERT: (
        "现场核查发现主要生产设备有近期运行痕迹，车间地面有新鲜物料残留，"
        "企业负责人承认{status}期间组织{k}名工人擅自生产。",
        "现场核查发现成品库新增{status}期间生产的产品约{k}吨，企业负责人承认夜间组织生产。",
        "现场核查时原料仓库有新进原料，生产设备仍有余温，交接班记录显示{status}期间共生产{days}天。",
    ),
    PREMATURE: (
        "项目尚未通过竣工验收，现场核查发现一期生产线已投入生产，成品库有新近下线的产品，"
        "企业称为“试生产”但未履行相关手续。",
        "项目主体工程尚未竣工验收，企业负责人承认已组织{k}名工人连续生产{days}天，"
        "安全设施未与主体工程同时投入使用。",
    ),
}
DISMISS_FINDINGS = {
    WORKS: (
        "企业处于停产整顿期间，现场正在按整改方案更换老化电气线路、加装通风和可燃气体监测设施，"
        "用电为整改施工用电；生产线未运行，原料和成品库存与停产时一致，未发现生产迹象。",
        "现场核查时企业正在进行整改施工（设备检修、防爆电气改造），用电为整改施工和设备调试用电，"
        "生产线未运行，未发现生产迹象。",
    ),
    Status.SUSPENDED: (
        "现场核查时生产线未运行，用电仅为照明、安保和办公用电及设备保养用电，未发现生产迹象。",
    ),
    Status.CLOSED: ("现场核查时厂区已停止生产经营，用电仅为照明和安保用电，未发现生产迹象。",),
    Status.UNDER_CONSTRUCTION: (
        "项目仍在施工，用电为塔吊、电焊等施工用电和单机调试用电，生产线尚未投产，未发现生产迹象。",
    ),
}


def default_count(enterprises: int) -> int:
    """Enterprises with meters: one per fifty, from MIN_DEFAULT to MAX_DEFAULT; none in a small demo."""
    if enterprises < MIN_DEFAULT_ENTERPRISES:
        return 0
    return min(MAX_DEFAULT, max(MIN_DEFAULT, enterprises // 50))


def window(today: date) -> tuple[date, date]:
    """The days of the demo readings: up to yesterday, from an official holiday at least
    READING_DAYS back. Every scan's data must span a holiday: the detector keeps holidays out of
    its baselines, and `detector.excluded_days` cannot yet build its table from an empty list."""
    last = today - timedelta(days=1)
    first_scan = last - timedelta(days=7 * (SCANS - 1))
    start = today - timedelta(days=READING_DAYS)
    held = [d for d in calendar.holidays() if d <= first_scan]
    return (min(start, max(held)) if held else start), last


# -- choosing the enterprises --------------------------------------------------------------------


@dataclass
class _Candidate:
    enterprise: Enterprise
    timeline: list[simulate.Period]


@dataclass
class Chosen:
    """An enterprise with meters: what its readings show, and the simulator's plan for them."""

    enterprise: Enterprise
    part: Part
    plan: simulate.EnterprisePlan
    anomaly_end: date | None = None  # last day of the violation or of the heavy works


def _timelines(ids) -> dict[int, list[simulate.Period]]:
    out: dict[int, list[simulate.Period]] = defaultdict(list)
    rows = StatusPeriod.objects.filter(enterprise_id__in=list(ids)).order_by("enterprise_id", "start_date")
    for enterprise_id, status, start, end in rows.values_list(
        "enterprise_id", "status", "start_date", "end_date"
    ):
        out[enterprise_id].append(simulate.Period(status, start, end))
    return out


def _overlapping(timeline, statuses, first: date, last: date) -> list[simulate.Period]:
    """The periods of `statuses` that overlap first..last, the latest first."""
    found = [
        p for p in timeline if p.status in statuses and p.start <= last and (p.end is None or p.end >= first)
    ]
    return sorted(found, key=lambda p: p.start, reverse=True)


class _Planner:
    """Plans each part on a fitting enterprise: its timeline as recorded, the anomaly inside it."""

    def __init__(
        self, rng: random.Random, nrng: np.random.Generator, first: date, last: date, regions, actors
    ):
        self.rng, self.nrng, self.first, self.last = rng, nrng, first, last
        self.days = (last - first).days + 1
        self.cal = simulate.calendar_for(first, self.days)
        self.regions, self.actors = regions, actors
        self.used: set[int] = set()
        self.suspensions_added = 0
        restricted = (
            StatusPeriod.objects.filter(enterprise__sector__in=SECTORS, start_date__lte=last)
            .exclude(status=Status.NORMAL)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
            .values_list("enterprise_id", flat=True)
        )
        enterprises = Enterprise.objects.filter(pk__in=set(restricted)).order_by("uscc")
        timelines = _timelines(e.pk for e in enterprises)
        self.pool = [_Candidate(e, timelines[e.pk]) for e in enterprises]

    # -- candidates

    def _in_order(
        self, candidates: list[_Candidate], county: str | None, cities: Counter
    ) -> list[_Candidate]:
        candidates = [c for c in candidates if c.enterprise.pk not in self.used]
        if county is not None:
            candidates = [c for c in candidates if c.enterprise.region_id == county]
        else:
            candidates = [c for c in candidates if c.enterprise.region_id not in (WUHOU, JINJIANG)]
        self.rng.shuffle(candidates)
        # Spread over the province: cities with fewer chosen enterprises first.
        return sorted(candidates, key=lambda c: cities[self.regions[c.enterprise.region_id].parent_id])

    def _normal_ones(self, county: str) -> list[_Candidate]:
        """Enterprises of the county producing as registered over the whole window."""
        enterprises = list(
            Enterprise.objects.filter(region_id=county, sector__in=SECTORS)
            .exclude(pk__in=self.used)
            .order_by("uscc")[:200]
        )
        timelines = _timelines(e.pk for e in enterprises)
        return [
            _Candidate(e, timelines[e.pk])
            for e in enterprises
            if timelines[e.pk]
            and timelines[e.pk][-1].status == Status.NORMAL
            and timelines[e.pk][-1].start <= self.first - timedelta(days=30)
        ]

    # -- plans

    def choose(self, part: Part, cities: Counter) -> Chosen | None:
        statuses = (Status.UNDER_CONSTRUCTION,) if part.kind in (PREMATURE, BUILDING) else RESTRICTED
        pool = [c for c in self.pool if _overlapping(c.timeline, statuses, self.first, self.last)]
        for candidate in self._in_order(pool, part.county, cities)[:30]:
            chosen = self._plan(part, candidate)
            if chosen is not None:
                return chosen
        if part.kind in (PREMATURE, BUILDING):
            return None  # a plant under construction is not made up
        return self._suspend_one(part, cities)

    def _suspend_one(self, part: Part, cities: Counter) -> Chosen | None:
        """No recorded suspension fits: the county orders one, recorded through the registry once the
        plan on the timeline it makes has worked out."""
        low, high = SUSPENDED_DAYS_AGO.get(part.fate, (30, 90))
        counties = [part.county] if part.county else self._counties_by_spread(cities)
        for county in counties:
            candidates = self._normal_ones(county)
            self.rng.shuffle(candidates)
            for candidate in candidates[:3]:
                start = self.last - timedelta(days=self.rng.randint(low, high))
                current = candidate.timeline[-1]
                candidate.timeline = [
                    *candidate.timeline[:-1],
                    simulate.Period(Status.NORMAL, current.start, start - timedelta(days=1)),
                    simulate.Period(Status.SUSPENDED, start, None),
                ]
                chosen = self._plan(part, candidate)
                if chosen is None:
                    continue
                enterprise = candidate.enterprise
                officer = self.actors.get(demo_hazards.INSPECTOR, county, enterprise, None)
                with clock.as_of(_at(start, 10, self.rng.randint(0, 59))):
                    registry.begin_suspension(
                        actor=officer, enterprise=enterprise, start_date=start, reason=SUSPENSION_REASON
                    )
                self.suspensions_added += 1
                chosen.plan.periods = _timelines([enterprise.pk])[enterprise.pk]  # as recorded: the same
                return chosen
        return None

    def _counties_by_spread(self, cities: Counter) -> list[str]:
        counties = sorted(
            {c.enterprise.region_id for c in self.pool} - {WUHOU, JINJIANG},
        )
        self.rng.shuffle(counties)
        return sorted(counties, key=lambda c: cities[self.regions[c].parent_id])[:10]

    def plan_normal(self, county: str) -> Chosen | None:
        candidates = self._normal_ones(county)
        if not candidates:
            return None
        return self._plan(Part(NORMAL, county=county), self.rng.choice(candidates))

    def _plan(self, part: Part, candidate: _Candidate) -> Chosen | None:
        e, timeline = candidate.enterprise, candidate.timeline
        if part.kind in (PREMATURE, BUILDING):
            periods = _overlapping(timeline, (Status.UNDER_CONSTRUCTION,), self.first, self.last)
        elif part.kind == NORMAL:
            periods = []
        else:
            periods = _overlapping(timeline, RESTRICTED, self.first, self.last)
            if part.kind == WORKS:  # rectification works belong to a suspension
                periods = [p for p in periods if p.status == Status.SUSPENDED]
            if not periods:
                return None
        meter_ids = [f"{e.region_id}{len(self.used) + 1:04d}{k}" for k in range(1 + self._extra_meters())]
        plan = simulate.plan_enterprise(
            self.nrng,
            uscc=e.uscc,
            sector=e.sector,
            meter_ids=meter_ids,
            start=self.first,
            days=self.days,
            status=periods[0].status if periods else Status.NORMAL,
            violate=False,
        )
        # The enterprise's recorded timeline, not the one drawn for it: keep only the works and
        # commissioning tests that fall in periods of their kind.
        plan.periods = timeline
        plan.rectification = [
            (a, b)
            for a, b in plan.rectification
            if plan.status_on(a) == plan.status_on(b) == Status.SUSPENDED
        ]
        plan.commissioning = [
            c for c in plan.commissioning if plan.status_on(c.day) == Status.UNDER_CONSTRUCTION
        ]
        anomaly_end = None
        if part.kind in (COVERT, PREMATURE):
            violation = self._violation(part, plan, periods)
            if violation is None:
                return None
            plan.violations = [violation]
            if plan.status_on(violation.start) == Status.CLOSED and plan.closed_residual == 0:
                plan.closed_residual = float(self.nrng.uniform(0.002, 0.02))  # a secret producer has supply
            anomaly_end = violation.end
        elif part.kind == WORKS:
            works = self._works(periods)
            if works is None:
                return None
            plan.rectification = [works]
            plan.rectification_level = float(self.nrng.uniform(0.55, 0.7))
            anomaly_end = works[1]
        self.used.add(e.pk)
        return Chosen(e, part, plan, anomaly_end)

    def _extra_meters(self) -> int:
        return self.rng.choices((0, 1, 2), weights=(6, 3, 1))[0]

    def _span(self, fate: str) -> tuple[date, date]:
        """Where an anomaly of this fate may lie: early enough to have been checked by now, or recent."""
        if fate in CHECKED:
            return self.first + timedelta(days=16), self.last - timedelta(days=24)
        if fate == ASSIGNED:
            return self.last - timedelta(days=50), self.last
        return self.last - timedelta(days=17), self.last

    def _fits(self, fate: str, v: simulate.Violation, period: simulate.Period) -> bool:
        # The detector compares a period's days with the period's own floor (a low quantile of its
        # days): production must not be most of the period's days in the data, or it is the floor.
        quiet = (v.start - max(period.start, self.first)).days
        if len(v.days) > 2 * quiet:
            return False
        # The demo wants alerts the county acts on: a half-load covert run may take weeks to show.
        if v.kind == AlertKind.COVERT_OPERATION and v.mode == "partial":
            return False
        if fate in CHECKED:
            return True
        if fate == ASSIGNED:  # detected days ago, so the county had time to assign it
            return v.start <= self.last - timedelta(days=16)
        return v.start >= self.last - timedelta(days=12)  # open: detected in the last days

    def _violation(self, part: Part, plan, periods) -> simulate.Violation | None:
        low, high = self._span(part.fate)
        make = simulate.plan_premature if part.kind == PREMATURE else simulate.plan_covert
        for p in periods:
            start, end = max(p.start + timedelta(days=5), low), min(p.end or high, high)
            if start >= end:
                continue
            window_period = simulate.Period(p.status, start, end)
            for _ in range(12):
                v = make(self.nrng, plan, self.cal, window_period)
                if v is not None and self._fits(part.fate, v, p):
                    return v
        return None

    def _works(self, periods) -> tuple[date, date] | None:
        low, high = self._span(DISMISSED)
        for p in periods:
            start, end = max(p.start + timedelta(days=14), low), min(p.end or high, high)
            length = self.rng.randint(10, 20)
            if (end - start).days + 1 < length:
                continue
            a = start + timedelta(days=self.rng.randint(0, (end - start).days + 1 - length))
            return a, a + timedelta(days=length - 1)
        return None


def choose(rng, nrng, n: int, first: date, last: date, regions, actors) -> tuple[list[Chosen], _Planner]:
    """`n` enterprises with meters: the showcase, then parts at random, then normal neighbours."""
    planner = _Planner(rng, nrng, first, last, regions, actors)
    cities: Counter = Counter()
    chosen: list[Chosen] = []
    anomalies = n - round(n * NORMAL_SHARE)
    parts = list(SHOWCASE[:anomalies])
    parts += rng.choices(list(PART_WEIGHTS), weights=list(PART_WEIGHTS.values()), k=anomalies - len(parts))
    for part in parts:
        c = planner.choose(part, cities)
        if c is not None:
            chosen.append(c)
            cities[regions[c.enterprise.region_id].parent_id] += 1
    # Normal plants beside them (they also give the detector its sectors' production shapes).
    counties = list(dict.fromkeys(c.enterprise.region_id for c in chosen))
    for county in itertools.islice(itertools.cycle(counties), 3 * n):
        if len(chosen) >= n:
            break
        c = planner.plan_normal(county)
        if c is not None:
            chosen.append(c)
    return chosen, planner


# -- the loop ------------------------------------------------------------------------------------


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _near(rng: random.Random, lat: float, lon: float) -> tuple[float, float]:
    """Where the inspector stood: within about 150 m of the enterprise's recorded position."""
    for _ in range(10):
        d, bearing = 0.15 * math.sqrt(rng.random()), rng.random() * 2 * math.pi
        new_lat = round(lat + d * math.cos(bearing) / 111.32, 6)
        new_lon = round(lon + d * math.sin(bearing) / (111.32 * math.cos(math.radians(lat))), 6)
        if geo.in_sichuan(new_lat, new_lon):
            return new_lat, new_lon
    return lat, lon


class _Replay:
    """The weekly scans and the county's work on what they find, in time order, up to now."""

    def __init__(self, rng, chosen: list[Chosen], actors, first: date, last: date, now: datetime):
        self.rng, self.actors, self.first, self.now = rng, actors, first, now
        self.by_uscc = {c.enterprise.uscc: c for c in chosen}
        self.scan_days = [last - timedelta(days=7 * k) for k in reversed(range(SCANS))]
        self.events: list = []
        self.seq = itertools.count()
        self.handled: set[str] = set()  # enterprises whose planned anomaly has its alert

    def push(self, moment: datetime, action: str, *args) -> None:
        heapq.heappush(self.events, (moment, next(self.seq), action, args))

    def scan_moment(self, until: date) -> datetime:
        return min(_at(until + timedelta(days=1), 6), self.now)  # the nightly job, once the data is in

    def run(self) -> int:
        for until in self.scan_days:
            self.push(self.scan_moment(until), "scan", until)
        scans = 0
        while self.events:
            moment, _, action, args = heapq.heappop(self.events)
            if moment > self.now:
                continue  # not yet: the alert stays where it is
            with clock.as_of(moment):
                if action == "scan":
                    report = services.scan(since=self.first, until=args[0])
                    scans += 1
                    for pk in report.created_ids:
                        self.detected(PowerAlert.objects.select_related("enterprise").get(pk=pk), moment)
                else:
                    alert = PowerAlert.objects.select_related("enterprise", "region").get(pk=args[0])
                    getattr(self, f"do_{action}")(alert, *args[1:])
        return scans

    def detected(self, alert: PowerAlert, moment: datetime) -> None:
        chosen = self.by_uscc.get(alert.enterprise.uscc)
        planned = (
            chosen is not None
            and alert.kind == ALERT_KINDS.get(chosen.part.kind)
            and chosen.enterprise.uscc not in self.handled
        )
        if planned:
            self.handled.add(chosen.enterprise.uscc)
            fate, anomaly_end = chosen.part.fate, chosen.anomaly_end
        elif chosen is not None and chosen.enterprise.uscc in self.handled:
            # More days of the anomaly already checked, flagged once the period's floor settled: a
            # new lead the county has not taken up yet.
            fate, anomaly_end = OPEN, alert.end_date
        else:  # the detector saw production where the plan has none: the check will say so
            fate, anomaly_end = DISMISSED, alert.end_date
        if fate == OPEN:
            return
        assign_at = moment + timedelta(days=self.rng.randint(1, 2), hours=self.rng.randint(3, 5))
        self.push(assign_at, "assign", alert.pk)
        if fate == ASSIGNED:
            return
        # The check comes once a scan has seen the anomaly end, so the alert covers all of it.
        seen = next((d for d in self.scan_days if d >= anomaly_end + timedelta(days=3)), self.scan_days[-1])
        day = max(assign_at.date(), self.scan_moment(seen).date()) + timedelta(days=self.rng.randint(2, 5))
        check_at = _at(day, self.rng.randint(9, 15), self.rng.randint(0, 59))
        self.push(check_at, "check", alert.pk, fate, chosen.part.kind if planned else None)
        if fate == CASE:
            self.push(check_at + timedelta(days=self.rng.randint(1, 4), hours=1), "open_case", alert.pk)

    def _officer(self, key: str, alert: PowerAlert):
        return self.actors.of(key, alert.region_id, alert.enterprise, None)

    def do_assign(self, alert: PowerAlert) -> None:
        inspector = self._officer(demo_enforcement.LEAD, alert)
        # The county's office hands it out, or the inspector takes it.
        actor = self._officer(demo_enforcement.OFFICE, alert) if self.rng.random() < 0.6 else inspector
        services.assign(actor=actor, alert=alert, inspector_id=inspector.pk)

    def do_check(self, alert: PowerAlert, fate: str, part_kind: str | None) -> None:
        inspector = alert.inspector
        photos = []
        for k in range(self.rng.randint(1, 2)):
            name = f"现场核查照片-{alert.number}-{k + 1}.png"
            content = demo_hazards.png(32, 24, f"power-{alert.pk}-{k}")
            photos.append(store(actor=inspector, upload=SimpleUploadedFile(name, content, "image/png")))
        lat, lon = _near(self.rng, alert.enterprise.lat, alert.enterprise.lon)
        periods = alert.enterprise.status_periods.filter(start_date__lte=alert.start_date)
        status = periods.order_by("-start_date").values_list("status", flat=True).first() or Status.SUSPENDED
        if fate == DISMISSED:
            finding = self.rng.choice(DISMISS_FINDINGS.get(part_kind) or DISMISS_FINDINGS[status])
            check = services.dismiss
        else:
            kind = PREMATURE if alert.kind == AlertKind.PREMATURE_OPERATION else COVERT
            finding = self.rng.choice(CONFIRM_FINDINGS[kind]).format(
                k=self.rng.randint(3, 30), days=alert.days, status=Status(status).label
            )
            check = services.confirm
        check(
            actor=inspector,
            alert=alert,
            photo_ids=[p.pk for p in photos],
            lat=lat,
            lon=lon,
            finding=finding,
            checked_on=clock.today(),
        )

    def do_open_case(self, alert: PowerAlert) -> None:
        lead, partner = (
            self._officer(demo_enforcement.LEAD, alert),
            self._officer(demo_enforcement.PARTNER, alert),
        )
        services.open_case(actor=lead, alert=alert, officer_ids=[lead.pk, partner.pk])


# -- installing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PowerResult:
    enterprises: int
    meters: int
    readings: int  # new to the lake (the simulated meter faults include duplicated rows)
    first_day: date
    last_day: date
    scans: int
    alerts: dict[str, int]  # by state
    kinds: dict[str, int]
    with_case: int
    suspensions_added: int  # showcase counties short of suspended plants
    compliant: tuple[str, ...]  # USCCs of suspended or closed plants that kept still (no alert expected)
    actors_created: int


def install(
    *,
    n: int,
    seed: int,
    regions: Mapping[str, Region],
    progress: Callable[[int], None] | None = None,
) -> PowerResult:
    """Meters on `n` demo enterprises, readings up to yesterday in the lake, and the alerts of weekly
    scans worked through the loop up to now. Call inside the demo's transaction (the lake, on disk,
    is not part of it: a rolled-back demo leaves readings of meters nobody registered)."""
    today = clock.today()
    now = timezone.localtime(clock.now()).replace(second=0, microsecond=0) - timedelta(minutes=1)
    first, last = window(today)
    rng = random.Random(f"{seed}-power")
    nrng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 5101])))
    actors = demo_enforcement._Officers(regions)
    chosen, planner = choose(rng, nrng, n, first, last, regions, actors)
    if progress is not None:
        progress(len(chosen))
    services.register_meters(
        read_meters_rows([(m.meter_id, c.enterprise.uscc) for c in chosen for m in c.plan.meters]),
        source="演示电表清单",
    )
    readings = 0
    if chosen:
        table = simulate.readings([c.plan for c in chosen], first, planner.days, nrng)
        with tempfile.TemporaryDirectory(prefix="benan-demo-power-") as folder:
            path = Path(folder) / "readings.parquet"
            pq.write_table(table, path, compression="zstd")
            del table
            readings = services.ingest(path).rows_written
    scans = _Replay(rng, chosen, actors, first, last, now).run() if chosen else 0
    alerts = PowerAlert.objects.order_by()
    return PowerResult(
        enterprises=len(chosen),
        meters=Meter.objects.count(),
        readings=readings,
        first_day=first,
        last_day=last,
        scans=scans,
        alerts=dict(alerts.values_list("state").annotate(n=Count("id"))),
        kinds=dict(alerts.values_list("kind").annotate(n=Count("id"))),
        with_case=alerts.filter(case__isnull=False).count(),
        suspensions_added=planner.suspensions_added,
        compliant=tuple(c.enterprise.uscc for c in chosen if c.part.kind == COMPLIANT),
        actors_created=len(actors.created),
    )
