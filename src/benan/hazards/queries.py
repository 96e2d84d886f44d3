"""Reads of inspections, hazards and listings, always through the data scope; statistics in
one pass of conditional counts over the indexed hazard table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from benan.core import audit, clock
from benan.core.errors import choices_hint
from benan.core.models import Region, RegionLevel
from benan.core.scope import get_in_scope, scope, within

from .models import (
    Grade,
    Hazard,
    HazardState,
    Inspection,
    InspectionAnswer,
    Listing,
    ListingState,
    Rectification,
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


def inspections(user, *, enterprise: int | None = None) -> QuerySet:
    queryset = scope(Inspection.objects.select_related("enterprise", "standard", "created_by"), user)
    if enterprise:
        queryset = queryset.filter(enterprise_id=enterprise)
    return queryset.order_by("-date", "-id")


def get_inspection(user, pk: int) -> Inspection:
    return get_in_scope(
        Inspection.objects.select_related("enterprise", "standard", "created_by"), user, pk=pk
    )


# -- statistics --------------------------------------------------------------------------------

STAT_KEYS = ("found", "major", "closed", "confirmed", "overdue", "major_open")


def _empty() -> dict:
    return dict.fromkeys(STAT_KEYS, 0)


def _add(bucket: dict, state: str, grade: str, n: int) -> None:
    bucket["found"] += n
    bucket["closed"] += n if state == HazardState.CLOSED else 0
    if grade:
        bucket["confirmed"] += n
    if grade == Grade.MAJOR:
        bucket["major"] += n
        bucket["major_open"] += n if state != HazardState.CLOSED else 0


def _finish(row: dict, listed: int) -> dict:
    confirmed = row.pop("confirmed")
    # 整改率 = closed / confirmed (hazards that had to be rectified); none to rectify is 100%.
    rate = round(row["closed"] / confirmed, 4) if confirmed else 1.0
    return {**row, "rectification_rate": rate, "listed": listed}


def stats(user, *, region: str | None = None, today: date | None = None) -> dict:
    """One region's figures from two small grouped passes that the stats indexes answer."""
    today = today or clock.today()
    queryset = scope(Hazard.objects.all(), user)
    listed = scope(Listing.objects.filter(state=ListingState.LISTED), user)
    if region:
        HazardFilter(region=region).validate()
        queryset, listed = in_region(queryset, region), in_region(listed, region)
    totals = _empty()
    for row in queryset.order_by().values("state", "grade").annotate(n=Count("*")):
        _add(totals, row["state"], row["grade"], row["n"])
    totals["overdue"] = queryset.filter(overdue_q(today)).count()
    return _finish(totals, listed.count())


def stats_by_subregion(user, *, region: str, today: date | None = None) -> list[dict]:
    """The statistics of each child of `region` side by side (cities of the province,
    counties of a city): grouped by county, state and grade, rolled up here."""
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
    for row in hazards_.values("region_id", "state", "grade").annotate(n=Count("*")):
        bucket = totals.get(row["region_id"][:digits])
        if bucket is not None:
            _add(bucket, row["state"], row["grade"], row["n"])
    for row in hazards_.filter(overdue_q(today)).values("region_id").annotate(n=Count("*")):
        bucket = totals.get(row["region_id"][:digits])
        if bucket is not None:
            bucket["overdue"] += row["n"]
    listings_ = in_region(scope(Listing.objects.filter(state=ListingState.LISTED), user), region).order_by()
    for row in listings_.values("region_id").annotate(n=Count("*")):
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


def attachments_visible_to(queryset: QuerySet, user) -> QuerySet:
    """Attachment ids `user` may read through hazards and inspections in their scope."""
    evidence = Rectification.attachments.through.objects.filter(
        rectification__hazard__in=scope(Hazard.objects.all(), user)
    ).values("attachment_id")
    photos = InspectionAnswer.photos.through.objects.filter(
        inspectionanswer__inspection__in=scope(Inspection.objects.all(), user)
    ).values("attachment_id")
    return queryset.filter(Q(pk__in=evidence) | Q(pk__in=photos)).values("pk")
