"""Data scope: the one function every read goes through.

A model says how it is scoped with a `SCOPE = Scope(region=..., enterprise=...)` attribute:
the lookup path to its county code and to its enterprise. Government users see their
region's subtree, enterprise users their own enterprise, admins everything, anyone else
nothing. An object outside the scope is reported as missing (404), never as forbidden.
A model whose rows can be under embargo (an unannounced inspection not yet published) also
names the path to the embargoing office's region: such rows are hidden from enterprises and
from every government user whose region does not contain that office's region.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Model, Q, QuerySet

from .errors import NotFound
from .models import GOVERNMENT_ROLES, Region, RegionLevel, Role


@dataclass(frozen=True)
class Scope:
    region: str | None  # lookup path to a Region foreign key, e.g. "region" or "enterprise__region"
    enterprise: str | None  # lookup path to the Enterprise, "pk" on the enterprise model itself
    # Lookup path to a Region foreign key set while the row is under embargo (the region of the
    # office that embargoed it), null when it is not; None: the model has no embargo.
    embargo: str | None = None


def rule_for(model: type[Model]) -> Scope:
    rule = getattr(model, "SCOPE", None)
    if not isinstance(rule, Scope):
        raise TypeError(f"{model.__name__} declares no SCOPE; it cannot be read through scope()")
    return rule


def scope(queryset: QuerySet, user) -> QuerySet:
    rule = rule_for(queryset.model)
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_admin:
        return queryset
    if user.role == Role.ENTERPRISE:
        if user.enterprise_id is None or rule.enterprise is None:
            return queryset.none()
        queryset = queryset.filter(**{rule.enterprise: user.enterprise_id})
        if rule.embargo is not None:
            queryset = queryset.filter(**{f"{rule.embargo}__isnull": True})
        return queryset
    if user.role in GOVERNMENT_ROLES:
        if user.region_id is None or rule.region is None:
            return queryset.none()
        queryset = within(queryset, user.region, rule.region)
        if rule.embargo is not None:
            queryset = outside_embargo(queryset, user.region, rule.embargo)
        return queryset
    return queryset.none()


def outside_embargo(queryset: QuerySet, region: Region, field: str) -> QuerySet:
    """Rows not under embargo, or embargoed by an office in `region`'s subtree (`field` is the
    office's region code), i.e. rows a government user of `region` may see.

    The root contains every office, so it adds no filter: the province's dashboard reads the
    same index-only plans as before embargoes existed.
    """
    if is_root(region):
        return queryset
    low, high = region.code_range()
    return queryset.filter(
        Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": low, f"{field}__lte": high})
    )


def within(queryset: QuerySet, region: Region, field: str = "region") -> QuerySet:
    """Rows whose `field` (a county code) lies in `region`'s subtree.

    A subtree is a range of codes; the root of the whole tree needs no filter at all, and
    leaving it out lets the database walk an ordering index instead of scanning a range that
    holds every row.
    """
    if is_root(region):
        return queryset
    low, high = region.code_range()
    if low == high:
        return queryset.filter(**{field: low})
    return queryset.filter(**{f"{field}__gte": low, f"{field}__lte": high})


@lru_cache(maxsize=1)
def _provinces() -> frozenset[str]:
    return frozenset(Region.objects.filter(level=RegionLevel.PROVINCE).values_list("code", flat=True))


def is_root(region: Region) -> bool:
    """Whether `region` is the only province in the database, so every row lies inside it."""
    return region.level == RegionLevel.PROVINCE and _provinces() == {region.code}


def forget_regions() -> None:
    """Called when the region table changes (load_regions)."""
    _provinces.cache_clear()


def get_in_scope(queryset: QuerySet, user, **lookup) -> Model:
    """The object matching `lookup` if `user` may see it, else NotFound."""
    obj = scope(queryset, user).filter(**lookup).first()
    if obj is None:
        raise NotFound()
    return obj


def region_in_scope(user, region_code: str) -> bool:
    """Whether a government user may act on things in `region_code` (admins: anywhere)."""
    if user.is_admin:
        return True
    if user.role not in GOVERNMENT_ROLES or user.region_id is None:
        return False
    return user.region.contains(region_code)


MIN_YEAR, MAX_YEAR = 1990, 2100


def check_region_year(region: str | None, year: int | None, errors: dict[str, list[str]]) -> None:
    """Add the list filters' errors for an unknown region code or an implausible year."""
    if region and not Region.objects.filter(code=region).exists():
        errors["region"] = [f"行政区划代码“{region}”不存在"]
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        errors["year"] = [f"年份必须在 {MIN_YEAR} 到 {MAX_YEAR} 之间"]


def in_region(queryset: QuerySet, code: str | None, field: str = "region") -> QuerySet:
    """Rows in the subtree of region `code`; all rows when no code is given."""
    return within(queryset, Region.objects.get(code=code), field) if code else queryset
