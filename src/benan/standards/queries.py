"""Reads of the loaded checklists, shared by the API and the pages.

Reference data: every logged-in user reads the same thing, so there is no scope() here. Bad filter
values are a ValidationError that names the parameter (422 in the API, 400 on the pages).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet

from benan.core.errors import NotFound
from benan.enterprises.models import Sector

from .models import CriteriaStandard, Criterion, CriterionKind


@dataclass(frozen=True)
class CriteriaFilter:
    standard: str | None = None
    sector: str | None = None
    q: str | None = None
    verified: bool | None = None


def standards() -> QuerySet[CriteriaStandard]:
    """The standards with their counts of current criteria, unverified ones and headings."""
    current = Q(criteria__retired=False)
    return CriteriaStandard.objects.annotate(
        count=Count("criteria", filter=current),
        unverified=Count("criteria", filter=current & Q(criteria__verified=False)),
        headings=Count("criteria", filter=current & Q(criteria__kind=CriterionKind.HEADING)),
    ).order_by("order", "id")


def get_standard(standard_id: str) -> CriteriaStandard:
    standard = standards().filter(pk=standard_id).first()
    if standard is None:
        raise NotFound(f"判定标准“{standard_id}”不存在")
    return standard


def _check(filters: CriteriaFilter) -> None:
    errors = {}
    if filters.standard and not CriteriaStandard.objects.filter(pk=filters.standard).exists():
        known = "、".join(CriteriaStandard.objects.order_by("order").values_list("pk", flat=True))
        errors["standard"] = f"判定标准“{filters.standard}”不存在，可选：{known or '（尚未载入）'}"
    if filters.sector and filters.sector not in Sector.values:
        errors["sector"] = f"行业代码“{filters.sector}”不存在，可选：{'、'.join(Sector.values)}"
    if errors:
        raise ValidationError(errors)


def _ids_for_sector(sector: str, queryset: QuerySet[Criterion]) -> list[str]:
    # A JSON list has no containment lookup on SQLite; the table holds about a hundred rows of
    # reference data, so reading (id, sectors) once beats a join table for a list of codes.
    return [pk for pk, sectors in queryset.values_list("pk", "sectors") if sector in sectors]


def criteria(filters: CriteriaFilter) -> QuerySet[Criterion]:
    """Current (not retired) criteria matching the filters, in the standards' order."""
    _check(filters)
    queryset = Criterion.objects.filter(retired=False)
    if filters.standard:
        queryset = queryset.filter(standard_id=filters.standard)
    if filters.verified is not None:
        queryset = queryset.filter(verified=filters.verified)
    if filters.q:
        q = filters.q.strip()
        queryset = queryset.filter(
            Q(text__icontains=q) | Q(pk__icontains=q) | Q(section__icontains=q) | Q(article__icontains=q)
        )
    if filters.sector:
        queryset = queryset.filter(pk__in=_ids_for_sector(filters.sector, queryset))
    return queryset.select_related("standard").order_by("standard__order", "order")


def get_criterion(criterion_id: str) -> Criterion:
    """One criterion, retired ones included: hazards may cite a criterion that has since left its file."""
    criterion = Criterion.objects.select_related("standard").filter(pk=criterion_id).first()
    if criterion is None:
        raise NotFound(f"判定标准条款“{criterion_id}”不存在")
    return criterion


def sector_labels(codes) -> list[str]:
    labels = dict(Sector.choices)
    return [labels.get(code, code) for code in codes]
