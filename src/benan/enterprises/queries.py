"""Reads of the enterprise registry, always through the data scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from benan.core.errors import choices_hint
from benan.core.models import Region
from benan.core.scope import get_in_scope, scope, within

from .models import Enterprise, Sector, Status, StatusPeriod


def in_force(day: date) -> Q:
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


@dataclass(frozen=True)
class EnterpriseFilter:
    region: str | None = None
    sector: str | None = None
    status: str | None = None
    q: str | None = None

    def validate(self) -> None:
        errors = {}
        if self.region and not Region.objects.filter(code=self.region).exists():
            errors["region"] = [f"行政区划代码“{self.region}”不存在"]
        if self.sector and self.sector not in Sector.values:
            errors["sector"] = [f"“{self.sector}”不是可选行业，可选：{choices_hint(Sector)}"]
        if self.status and self.status not in Status.values:
            errors["status"] = [f"“{self.status}”不是可选状态，可选：{choices_hint(Status)}"]
        if self.q and len(self.q) > 100:
            errors["q"] = ["搜索词不能超过100个字符"]
        if errors:
            raise ValidationError(errors)


def enterprises(user, filters: EnterpriseFilter | None = None, *, day: date | None = None) -> QuerySet:
    """The enterprises `user` may see, filtered; ordered by name."""
    filters = filters or EnterpriseFilter()
    filters.validate()
    queryset = scope(Enterprise.objects.all(), user)
    if filters.region:
        queryset = within(queryset, Region.objects.get(code=filters.region))
    if filters.sector:
        queryset = queryset.filter(sector=filters.sector)
    if filters.status:
        day = day or timezone.localdate()
        queryset = queryset.filter(
            pk__in=StatusPeriod.objects.filter(in_force(day), status=filters.status)
            .values("enterprise_id")
        )
    if filters.q:
        term = filters.q.strip()
        queryset = queryset.filter(Q(name__contains=term) | Q(uscc__startswith=term.upper()))
    return queryset.order_by("name", "id")


def statuses_on(enterprise_ids: list[int], day: date | None = None) -> dict[int, str]:
    """The status in force on `day` for each enterprise (one query for a whole page)."""
    day = day or timezone.localdate()
    rows = StatusPeriod.objects.filter(in_force(day), enterprise_id__in=enterprise_ids)
    return dict(rows.values_list("enterprise_id", "status"))


def get_enterprise(user, pk: int) -> Enterprise:
    return get_in_scope(Enterprise.objects.select_related("region__parent", "park"), user, pk=pk)


def period_on(enterprise: Enterprise, day: date) -> StatusPeriod | None:
    """The period of the status timeline in force on `day` (periods never overlap)."""
    return StatusPeriod.objects.filter(in_force(day), enterprise=enterprise).first()


def timeline(enterprise: Enterprise) -> list[StatusPeriod]:
    return list(enterprise.status_periods.order_by("-start_date"))


def counts(user, *, day: date | None = None, region: str | None = None) -> dict[str, int]:
    """Enterprises in the scope (and under `region`): the total and the count per status in force
    on `day`, as the enterprise list filtered the same way shows them."""
    day = day or timezone.localdate()
    scoped = enterprises(user, EnterpriseFilter(region=region), day=day).order_by()
    total = scoped.count()
    by_status = dict(
        StatusPeriod.objects.filter(in_force(day), enterprise__in=scoped.values("pk"))
        .values("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return {"total": total, **{s: by_status.get(s, 0) for s in Status.values}}


def counts_by_sector(user, *, region: str | None = None) -> list[tuple[str, str, int]]:
    """(sector, its label, count) in the scope under `region`, most first."""
    rows = (
        enterprises(user, EnterpriseFilter(region=region)).order_by().values("sector").annotate(n=Count("id"))
        .order_by("-n", "sector")
    )
    labels = dict(Sector.choices)
    return [(r["sector"], labels.get(r["sector"], r["sector"]), r["n"]) for r in rows]
