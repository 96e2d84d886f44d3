"""Reads of inspections, hazards and listings, always through the data scope; statistics in
one pass of conditional counts over the indexed hazard table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr

from benan.core import audit, clock
from benan.core.errors import choices_hint
from benan.core.models import Region, RegionLevel
from benan.core.period import Period
from benan.core.scope import get_in_scope, scope, within

from .models import (
    Grade,
    Hazard,
    HazardState,
    Inspection,
    Listing,
    ListingState,
    Rectification,
    Source,
    Visibility,
)


def overdue_q(today: date) -> Q:
    """Overdue is derived, never stored: still being rectified after the deadline."""
    return Q(state=HazardState.RECTIFYING, due_date__lt=today)


@dataclass(frozen=True)
class HazardFilter:
    state: str | None = None
    grade: str | None = None
    region: str | None = None
    overdue: bool | None = None
    listed: bool | None = None
    enterprise: int | None = None
    source: str | None = None
    # Confirmed and not yet closed (整改中、待验收): the hazards still to be rectified.
    open: bool | None = None

    def validate(self) -> None:
        errors = {}
        if self.state and self.state not in HazardState.values:
            errors["state"] = [f"“{self.state}”不是可选状态，可选：{choices_hint(HazardState)}"]
        if self.grade and self.grade not in Grade.values:
            errors["grade"] = [f"“{self.grade}”不是可选等级，可选：{choices_hint(Grade)}"]
        if self.region and not Region.objects.filter(code=self.region).exists():
            errors["region"] = [f"行政区划代码“{self.region}”不存在"]
        if errors:
            raise ValidationError(errors)


def in_region(queryset: QuerySet, code: str, field: str = "region") -> QuerySet:
    return within(queryset, Region.objects.get(code=code), field)


def active_listing(hazard_ref="pk"):
    return Exists(Listing.objects.filter(hazard_id=OuterRef(hazard_ref), state=ListingState.LISTED))


def hazards(user, filters: HazardFilter | None = None, *, today: date | None = None) -> QuerySet:
    filters = filters or HazardFilter()
    filters.validate()
    today = today or clock.today()
    queryset = scope(Hazard.objects.all(), user)
    if filters.region:
        queryset = in_region(queryset, filters.region)
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    if filters.grade:
        queryset = queryset.filter(grade=filters.grade)
    if filters.enterprise:
        queryset = queryset.filter(enterprise_id=filters.enterprise)
    if filters.source:
        queryset = queryset.filter(source=filters.source)
    if filters.open is not None:
        unclosed = Q(state__in=(HazardState.RECTIFYING, HazardState.SUBMITTED))
        queryset = queryset.filter(unclosed if filters.open else ~unclosed)
    if filters.overdue is True:
        queryset = queryset.filter(overdue_q(today))
    elif filters.overdue is False:
        queryset = queryset.exclude(overdue_q(today))
    if filters.listed is not None:
        queryset = queryset.filter(active_listing()) if filters.listed else queryset.exclude(active_listing())
    if filters.overdue is True:
        # The overdue queue reads most overdue first (the order it is worked in), which the
        # (state, due_date, id) index serves directly.
        return queryset.order_by("due_date", "id")
    return queryset.order_by("-created_at", "-id")


def get_hazard(user, pk: int) -> Hazard:
    return get_in_scope(
        Hazard.objects.select_related(
            "enterprise",
            "region__parent",
            "criterion__standard",
            "reported_by",
            "confirmed_by",
            "verified_by",
        ),
        user,
        pk=pk,
    )


def history(hazard: Hazard) -> QuerySet:
    """The hazard's audit entries together with those of its listings (delisting is recorded
    on the listing), oldest first."""
    entries = audit.history(hazard)
    for listing in hazard.listings.all():
        entries = entries | audit.history(listing)
    return entries.order_by("seq")


def listing_of(hazard: Hazard) -> Listing | None:
    return hazard.listings.filter(state=ListingState.LISTED).select_related("office_region").first()


def listings_of(hazard_ids: list[int]) -> dict[int, Listing]:
    rows = Listing.objects.filter(hazard_id__in=hazard_ids, state=ListingState.LISTED).select_related(
        "office_region"
    )
    return {row.hazard_id: row for row in rows}


def rectifications(hazard: Hazard) -> list[Rectification]:
    return list(
        hazard.rectifications.prefetch_related("attachments").select_related("submitted_by", "reviewed_by")
    )


def is_overdue(hazard: Hazard, today: date | None = None) -> bool:
    today = today or clock.today()
    return hazard.state == HazardState.RECTIFYING and hazard.due_date is not None and hazard.due_date < today


def listings(user, *, state: str | None = ListingState.LISTED, level: str | None = None) -> QuerySet:
    queryset = scope(
        Listing.objects.select_related("hazard__enterprise", "office_region", "region__parent"), user
    )
    if state:
        queryset = queryset.filter(state=state)
    if level:
        queryset = queryset.filter(office_region__level=level)
    return queryset.order_by("due_date", "id")


def inspections(
    user, *, enterprise: int | None = None, source: str | None = None, visibility: str | None = None
) -> QuerySet:
    errors = {}
    if source and source not in Source.values:
        errors["source"] = [f"“{source}”不是可选检查类型，可选：{choices_hint(Source)}"]
    if visibility and visibility not in Visibility.values:
        errors["visibility"] = [f"“{visibility}”不是可选公开状态，可选：{choices_hint(Visibility)}"]
    if errors:
        raise ValidationError(errors)
    queryset = scope(
        Inspection.objects.select_related("enterprise", "standard", "created_by", "office_region"), user
    )
    if enterprise:
        queryset = queryset.filter(enterprise_id=enterprise)
    if source:
        queryset = queryset.filter(source=source)
    if visibility:
        queryset = queryset.filter(visibility=visibility)
    return queryset.order_by("-date", "-id")


def get_inspection(user, pk: int) -> Inspection:
    return get_in_scope(
        Inspection.objects.select_related("enterprise", "standard", "created_by", "office_region"),
        user,
        pk=pk,
    )


# -- statistics --------------------------------------------------------------------------------

STAT_KEYS = ("found", "major", "closed", "confirmed", "overdue", "major_open")


def _empty() -> dict:
    return dict.fromkeys(STAT_KEYS, 0)


CONFIRMED_STATES = (HazardState.RECTIFYING, HazardState.SUBMITTED, HazardState.CLOSED)


def _add(bucket: dict, state: str, grade: str, n: int) -> None:
    """Count `n` hazards of one state and grade. A grade proposed at reporting (a checklist's
    pre-judged major) counts only once the hazard is confirmed: a dismissed or still unconfirmed
    hazard is neither major nor to be rectified."""
    bucket["found"] += n
    bucket["closed"] += n if state == HazardState.CLOSED else 0
    if state in CONFIRMED_STATES:
        bucket["confirmed"] += n
        if grade == Grade.MAJOR:
            bucket["major"] += n
            bucket["major_open"] += n if state != HazardState.CLOSED else 0


def _finish(row: dict, listed: int) -> dict:
    confirmed = row.pop("confirmed")
    # 整改率 = closed / confirmed (hazards that had to be rectified); none to rectify is 100%.
    rate = round(row["closed"] / confirmed, 4) if confirmed else 1.0
    return {**row, "rectification_rate": rate, "listed": listed}


def stats(
    user, *, region: str | None = None, today: date | None = None, period: Period | None = None
) -> dict:
    """One region's figures. Without a period: the ledger as it stands, from two small grouped
    passes that the stats indexes answer. With a period: see `_as_of`."""
    today = today or clock.today()
    queryset = scope(Hazard.objects.all(), user)
    listed = scope(Listing.objects.all(), user)
    if region:
        HazardFilter(region=region).validate()
        queryset, listed = in_region(queryset, region), in_region(listed, region)
    if period:
        counts, on_list = _as_of(queryset, listed, period.clipped(today))
        return _finish({**_empty(), **counts.get(None, {})}, on_list.get(None, 0))
    totals = _empty()
    for row in queryset.order_by().values("state", "grade").annotate(n=Count("*")):
        _add(totals, row["state"], row["grade"], row["n"])
    totals["overdue"] = queryset.filter(overdue_q(today)).count()
    return _finish(totals, listed.filter(state=ListingState.LISTED).count())


def _as_of(
    hazards_: QuerySet, listings_: QuerySet, period: Period, group: str | None = None
) -> tuple[dict, dict]:
    """The figures of a period as they stood at its end, read from timestamps that never change
    once written, so a past month gives the same figures whenever it is asked for:

    - found, major, closed, rectification_rate: hazards found in the period, graded major by
      its end, closed by its end; the rate is closed / confirmed by the end;
    - overdue: at the end of the period's last day, confirmed, past the deadline, not closed and
      no rectification waiting for verification (the state then was 整改中);
    - major_open: major hazards (found at any time) confirmed and not yet closed at the end;
    - listed: listings made by the end and not delisted by then.

    Returns (unfinished buckets, listed counts), each keyed by the `group` field's value (None:
    one total under the key None).
    """
    since, until = period.since, period.until
    found = Q(created_at__gte=since, created_at__lt=until)
    # Confirmed before the end implies found before it, so no condition on created_at narrows
    # the rows: one pass over the table with conditional counts, never a walk of the date index
    # followed by a million row lookups (which is what `created_at < end` invites).
    confirmed = Q(confirmed_at__lt=until)
    open_ = _open_at(until)
    rows = hazards_.order_by()
    figures = {
        "found": Count("pk", filter=found),
        "confirmed": Count("pk", filter=found & confirmed),
        "closed": Count("pk", filter=found & Q(closed_at__lt=until)),
        "major": Count("pk", filter=found & confirmed & Q(grade=Grade.MAJOR)),
        "major_open": Count("pk", filter=confirmed & open_ & Q(grade=Grade.MAJOR)),
        "overdue": Count("pk", filter=_overdue_at_q(period.end)),
    }
    if group:
        # Grouped by an expression, not the column itself: on the column SQLite would walk the
        # (region, created) index to save a sort and fetch every row through it.
        counts = rows.annotate(_group=Substr(group, 1)).values("_group").annotate(**figures)
    else:
        counts = [rows.aggregate(**figures)]
    on_list = listings_.filter(listed_at__lt=until).filter(
        Q(delisted_at__isnull=True) | Q(delisted_at__gte=until)
    ).order_by()
    if group:
        listed = dict(on_list.values_list(group).annotate(n=Count("pk")).values_list(group, "n"))
    else:
        listed = {None: on_list.count()}
    buckets: dict = {}
    for row in counts:
        buckets[row.pop("_group") if group else None] = row
    return buckets, listed


def _open_at(until) -> Q:
    return Q(closed_at__isnull=True) | Q(closed_at__gte=until)


def _overdue_at_q(day: date) -> Q:
    """Overdue at the end of `day`: confirmed by then, past the deadline, not closed, and no
    rectification waiting for verification (so the hazard was 整改中)."""
    until = Period(day, day).until
    waiting = Exists(
        Rectification.objects.filter(hazard_id=OuterRef("pk"), submitted_at__lt=until).filter(
            Q(reviewed_at__isnull=True) | Q(reviewed_at__gte=until)
        )
    )
    return _open_at(until) & Q(confirmed_at__lt=until, due_date__lt=day) & ~Q(waiting)


def overdue_at(queryset: QuerySet, day: date) -> QuerySet:
    """The hazards of `queryset` that were overdue at the end of `day` (see `_overdue_at_q`)."""
    return queryset.filter(_overdue_at_q(day))


def confirmed_in(user, period: Period, *, region: str | None = None, grade: str | None = None) -> QuerySet:
    """Hazards confirmed (and so graded) during the period, in the scope."""
    return hazards(user, HazardFilter(region=region, grade=grade)).filter(**period.moments("confirmed_at"))


def stats_by_subregion(
    user, *, region: str, today: date | None = None, period: Period | None = None
) -> list[dict]:
    """The statistics of each child of `region` side by side (cities of the province,
    counties of a city): grouped by county, rolled up here; with a period, as `_as_of`."""
    today = today or clock.today()
    HazardFilter(region=region).validate()
    parent = Region.objects.get(code=region)
    children = list(Region.objects.filter(parent=parent).order_by("code"))
    if not children:
        return []
    digits = 4 if parent.level == RegionLevel.PROVINCE else 6
    totals = {c.code[:digits]: _empty() for c in children}
    listed = {c.code[:digits]: 0 for c in children}
    hazards_ = in_region(scope(Hazard.objects.all(), user), region).order_by()
    listings_ = in_region(scope(Listing.objects.all(), user), region).order_by()
    if period:
        counts, on_list = _as_of(hazards_, listings_, period.clipped(today), group="region_id")
        for county, row in counts.items():
            if county[:digits] in totals:
                _merge(totals[county[:digits]], row)
        for county, n in on_list.items():
            if county[:digits] in listed:
                listed[county[:digits]] += n
        return [
            {"region_code": c.code, "region_name": c.name,
             **_finish(totals[c.code[:digits]], listed[c.code[:digits]])}
            for c in children
        ]
    for row in hazards_.values("region_id", "state", "grade").annotate(n=Count("*")):
        bucket = totals.get(row["region_id"][:digits])
        if bucket is not None:
            _add(bucket, row["state"], row["grade"], row["n"])
    for row in hazards_.filter(overdue_q(today)).values("region_id").annotate(n=Count("*")):
        bucket = totals.get(row["region_id"][:digits])
        if bucket is not None:
            bucket["overdue"] += row["n"]
    for row in listings_.filter(state=ListingState.LISTED).values("region_id").annotate(n=Count("*")):
        key = row["region_id"][:digits]
        if key in listed:
            listed[key] += row["n"]
    return [
        {
            "region_code": c.code, "region_name": c.name,
            **_finish(totals[c.code[:digits]], listed[c.code[:digits]]),
        }
        for c in children
    ]


def _merge(bucket: dict, row: dict) -> None:
    """Add a county's unfinished figures into a roll-up bucket."""
    for key in STAT_KEYS:
        bucket[key] += row.get(key, 0)


def attachments_visible_to(user) -> Q:
    """Attachments `user` may read through hazards (rectification evidence) and inspections
    (photos of the answers) in their scope."""
    evidence = scope(Hazard.objects.filter(rectifications__attachments=OuterRef("pk")), user)
    photos = scope(Inspection.objects.filter(answers__photos=OuterRef("pk")), user)
    return Q(Exists(evidence)) | Q(Exists(photos))
