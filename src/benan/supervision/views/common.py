"""Helpers shared by the figure pages (dashboard, ranking, weekly sheet, circular): the region a request
asks for (404 outside the scope, 403 for enterprises, a Chinese message for an unknown code), the year,
the links from a figure to the list behind it, and the region breadcrumb with the sub-regions below.

Imports from core and this app's `access` and `figures`; nothing from the other view modules.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.http import urlencode

from benan.core import clock
from benan.core.models import Region, RegionLevel
from benan.core.pages import http_errors
from benan.core.period import period_from
from benan.core.scope import MAX_YEAR, MIN_YEAR, region_in_scope

from .. import access, figures


def text_param(request, key: str, limit: int = 20) -> str:
    return request.GET.get(key, "").strip()[:limit]


def link(name: str, **params) -> str:
    """The URL `name` with the non-empty `params` as its query string (in the order given)."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def region_code_param(raw: str) -> str | None:
    """A region code from the query string: empty is none (the user's own), anything but six digits
    is reported as an unknown code rather than looked up."""
    if raw and not (len(raw) == 6 and raw.isdigit()):
        raise ValidationError({"region": [f"行政区划代码“{raw}”不存在"]})
    return raw or None


def readable_region(user, raw: str) -> Region:
    """The region a government user asks for (their own when none): 403 for enterprise users, 404
    outside the scope, a ValidationError for an unknown code."""
    code = region_code_param(raw)
    with http_errors():
        return access.readable_region(user, code)


def dashboard_region(user, raw: str) -> Region | None:
    """As `readable_region`, but None for an enterprise user (their enterprise's dashboard); an
    enterprise user naming a region gets 404."""
    code = region_code_param(raw)
    with http_errors():
        return access.dashboard_region(user, code)


def year_param(raw: str) -> int | None:
    if not raw:
        return None
    try:
        year = int(raw)
    except ValueError:
        raise ValidationError({"year": [f"年份“{raw}”不是整数"]}) from None
    period_from(year=year)  # the plausible range, with the API's message
    return year


def years(chosen: int | None = None) -> list[int]:
    """The year choices: this year and the five before it, and the one shown if it is not among them."""
    this = clock.today().year
    result = set(range(this, this - 6, -1))
    if chosen and MIN_YEAR <= chosen <= MAX_YEAR:
        result.add(chosen)
    return sorted(result, reverse=True)


def ancestors(region: Region) -> list[Region]:
    """The region and the regions above it, the province first."""
    chain, current = [], region
    while current is not None:
        chain.append(current)
        current = current.parent if current.parent_id else None
    return chain[::-1]


def region_nav(user, region: Region, url_name: str, **params) -> dict:
    """The breadcrumb (province › city › county; a region the user may not read is plain text) and
    the sub-regions below, each a link to the same page `url_name` with `params`."""
    crumbs = [
        {
            "code": r.code,
            "name": r.name,
            "url": link(url_name, region=r.code, **params) if region_in_scope(user, r.code) else "",
            "current": r.code == region.code,
        }
        for r in ancestors(region)
    ]
    children = [
        {"code": c.code, "name": c.name, "url": link(url_name, region=c.code, **params)}
        for c in figures.children_of(region)
        if region_in_scope(user, c.code)
    ]
    return {
        "crumbs": crumbs,
        "children": children,
        "child_word": "市（州）" if region.level == RegionLevel.PROVINCE else "县（市、区）",
    }
