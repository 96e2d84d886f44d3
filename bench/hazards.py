"""The hazard part of `make bench`: a province-sized hazard ledger and the queries to time on it.

`load()` writes BENCH DATA ONLY: a million hazards through the loop's services would take hours,
so rows are bulk-inserted straight into the tables (no services, no audit entries, no
notifications), in the proportions of a three-year ledger: mostly closed, a few per cent open or
overdue, a few per cent major, about 2 % of the major ones under listed supervision. It is never
used by the demo or the application. `QUERIES` are the requests timed by `bench.worker`, each with
its ORM equivalent (what the endpoint does without HTTP) and its target.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from benan.core.models import User
from benan.core.pagination import paginate
from benan.demo.hazards import GENERAL_FINDINGS, MAJOR_LOCATIONS, SECTOR_WEIGHTS
from benan.enterprises.models import Enterprise, Status, StatusPeriod
from benan.hazards import queries
from benan.hazards.models import Grade, Hazard, HazardState, Listing, ListingState, Source
from benan.standards import engine

LIST_TARGET_MS = 100.0
STATS_TARGET_MS = 300.0
HISTORY_DAYS = 3 * 365
BATCH = 20_000
OVERDUE = "overdue"
# A three-year ledger: almost everything found long ago is closed; what is open is recent.
STATE_WEIGHTS = {
    HazardState.CLOSED: 85.0, HazardState.DISMISSED: 3.0, HazardState.REPORTED: 2.0,
    HazardState.RECTIFYING: 5.0, OVERDUE: 1.5, HazardState.SUBMITTED: 3.5,
}
MAJOR_SHARE = 0.04  # of hazards in sectors with an official checklist
LISTED_SHARE = 0.02  # of major hazards
SOURCE_WEIGHTS = {
    Source.SELF: 40.0, Source.DEPARTMENT: 45.0, Source.SUPERVISION: 10.0, Source.UNANNOUNCED: 5.0,
}
PLAN = {
    "measures": "按治理方案整改", "responsibility": "企业主要负责人", "funding": "企业自筹",
    "deadline": "期限内完成", "contingency": "整改期间专项应急处置方案",
}

# (label, path, ORM call without HTTP, target in ms); the user is sc-office (the whole province).
QUERIES: tuple[tuple[str, str, Callable, float], ...] = (
    ("hazards: first page", "/api/v1/hazards",
     lambda user: _list(user, queries.HazardFilter()), LIST_TARGET_MS),
    ("hazards: Chengdu overdue", "/api/v1/hazards?region=510100&overdue=true",
     lambda user: _list(user, queries.HazardFilter(region="510100", overdue=True)), LIST_TARGET_MS),
    ("stats: province", "/api/v1/hazards/stats",
     lambda user: queries.stats(user, region=user.region_id), STATS_TARGET_MS),
    ("stats: Chengdu", "/api/v1/hazards/stats?region=510100",
     lambda user: queries.stats(user, region="510100"), STATS_TARGET_MS),
)


def _list(user, filters: queries.HazardFilter):
    """What GET /api/v1/hazards does: the scoped, filtered queryset, one page, its listings."""
    page = paginate(queries.hazards(user, filters).select_related("enterprise"), page=1, size=20)
    queries.listings_of([h.pk for h in page.items])
    return page


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _moment(day: date, rng: random.Random) -> datetime:
    minutes = timedelta(minutes=rng.randrange(8 * 60, 18 * 60))  # office hours
    return timezone.make_aware(datetime.combine(day, datetime.min.time()) + minutes)


def _row(rng, enterprise, criteria, user_id, today: date) -> tuple[Hazard, bool]:
    """One hazard consistent with its state; returns it and whether it is major."""
    pk, region, sector = enterprise
    state = _weighted(rng, STATE_WEIGHTS)
    graded = state not in (HazardState.REPORTED, HazardState.DISMISSED)
    major = bool(criteria) and graded and rng.random() < MAJOR_SHARE
    deadline = timedelta(days=rng.choice((30, 60, 90) if major else (7, 15, 30, 45)))
    if state == HazardState.REPORTED:
        found = today - timedelta(days=rng.randint(0, 14))
    elif state == OVERDUE:
        due = today - timedelta(days=rng.randint(1, 120))
        found = due - deadline - timedelta(days=rng.randint(0, 3))
    elif state in (HazardState.RECTIFYING, HazardState.SUBMITTED):
        found = today - timedelta(days=rng.randint(1, min(deadline.days, 60)))
    else:
        found = today - timedelta(days=rng.randint(15, HISTORY_DAYS))
    description, location, _ = rng.choice(GENERAL_FINDINGS[None] + GENERAL_FINDINGS.get(sector, ()))
    hazard = Hazard(
        enterprise_id=pk, region_id=region, source=_weighted(rng, SOURCE_WEIGHTS),
        description=description, location=rng.choice(MAJOR_LOCATIONS[sector]) if major else location,
        state=HazardState.RECTIFYING if state == OVERDUE else state,
        reported_by_id=user_id, created_at=_moment(found, rng),
    )
    if graded:
        confirmed = found + timedelta(days=rng.randint(0, 3))
        hazard.grade = Grade.MAJOR if major else Grade.GENERAL
        hazard.due_date = confirmed + deadline
        hazard.confirmed_by_id, hazard.confirmed_at = user_id, _moment(confirmed, rng)
        if major:
            hazard.criterion_id, hazard.plan = rng.choice(criteria), PLAN
    if state == HazardState.CLOSED:
        closed = min(hazard.due_date + timedelta(days=rng.randint(-20, 5)), today)
        closed = max(closed, hazard.confirmed_at.date())
        hazard.verified_by_id, hazard.closed_at = user_id, _moment(closed, rng)
    if state == HazardState.DISMISSED:
        hazard.dismissed_reason = "经现场复核，不构成隐患"
    return hazard, major


def load(*, n: int, seed: int, today: date | None = None, progress: Callable[[str], None] = print) -> dict:
    """Bulk-insert `n` bench hazards over the enterprises in the database, and their listings."""
    started = time.perf_counter()
    rng = random.Random(seed)
    today = today or timezone.localdate()
    # Enterprises that produce now (or were stopped to rectify) have hazards; closed ones do not.
    current = StatusPeriod.objects.filter(end_date__isnull=True, status__in=(Status.NORMAL, Status.SUSPENDED))
    enterprises = list(
        Enterprise.objects.filter(pk__in=current.values("enterprise_id"))
        .values_list("pk", "region_id", "sector").order_by("pk")
    )
    weights = [SECTOR_WEIGHTS.get(e[2], 1.0) for e in enterprises]
    criteria = {s: [c.id for c in engine.applicable_criteria(s)] for s in {e[2] for e in enterprises}}
    office = User.objects.get(username="sc-office")
    written = listed = 0
    while written < n:
        size = min(BATCH, n - written)
        rows = [_row(rng, e, criteria[e[2]], office.pk, today)
                for e in rng.choices(enterprises, weights=weights, k=size)]
        with transaction.atomic():
            hazards = Hazard.objects.bulk_create([h for h, _ in rows], batch_size=2000)
            listings = []
            for hazard, major in rows:
                if not major or rng.random() >= LISTED_SHARE:
                    continue
                closed = hazard.state == HazardState.CLOSED
                by_province = rng.random() < 0.3
                listings.append(Listing(
                    hazard_id=hazard.pk, region_id=hazard.region_id,
                    office_region_id="510000" if by_province else hazard.region_id[:4] + "00",
                    state=ListingState.DELISTED if closed else ListingState.LISTED,
                    due_date=hazard.due_date, listed_by_id=office.pk, listed_at=hazard.confirmed_at,
                    delisted_by_id=office.pk if closed else None,
                    delisted_at=hazard.closed_at if closed else None,
                ))
            Listing.objects.bulk_create(listings, batch_size=2000)
        assert all(h.pk for h in hazards), "bulk_create must return ids on this backend"
        written, listed = written + size, listed + len(listings)
        progress(f"hazards {written}/{n}, listings {listed}, {time.perf_counter() - started:.0f} s")
    return {"hazards": written, "listings": listed, "seconds": round(time.perf_counter() - started, 1)}
