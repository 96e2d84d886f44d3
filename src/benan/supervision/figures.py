"""The figures of a region: one place that reads every module's statistics for the dashboards,
the ranking, the weekly sheet and the monthly circular.

Everything comes through the modules' `queries.py` with the reader's scope, so a figure here is
by construction the number the module's statistics endpoint gives for the same region and
period (tests/supervision/test_figures.py checks it on the demo data). Hazards are counted as the
ledger stands now (`period=None`) or as it stood at a period's end; enforcement, accidents and
power alerts by the day they happened (立案、发生、发现).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum

from benan.accidents import queries as accident_queries
from benan.accidents.models import Grade as AccidentGrade
from benan.core import clock
from benan.core.models import Region, RegionLevel, Role
from benan.core.period import Period
from benan.enforcement import queries as enforcement_queries
from benan.hazards import queries as hazard_queries
from benan.power import queries as power_queries
from benan.power.models import OPEN_STATES as ALERT_OPEN_STATES
from benan.power.models import AlertState


@dataclass(frozen=True)
class Indicator:
    """One column of the ranking and one colouring of the map."""

    key: str
    label: str
    section: str
    higher_is_worse: bool = True  # also the default sort: worst first
    percent: bool = False
    # Whether a value can be called worse than another: an overdue count can, a count of
    # suspension orders or of listings (tools of supervision, not results) cannot.
    judged: bool = True


INDICATORS: tuple[Indicator, ...] = (
    Indicator("hazards_found", "排查隐患", "隐患", higher_is_worse=False),
    Indicator("hazards_closed", "已销号", "隐患", higher_is_worse=False, judged=False),
    Indicator("rectification_rate", "整改率", "隐患", higher_is_worse=False, percent=True),
    Indicator("hazards_overdue", "逾期未整改", "隐患"),
    Indicator("major_found", "重大隐患", "隐患", judged=False),
    Indicator("major_open", "重大隐患未销号", "隐患"),
    Indicator("listed", "挂牌督办", "隐患", judged=False),
    Indicator("cases", "立案", "执法", higher_is_worse=False),
    Indicator("dual_penalty", "一案双罚", "执法", higher_is_worse=False, judged=False),
    Indicator("suspensions", "停产停业整顿", "执法", higher_is_worse=False, judged=False),
    Indicator("accidents", "事故起数", "事故"),
    Indicator("deaths", "死亡人数", "事故"),
    Indicator("alerts_open", "电力预警待办", "电力"),
    Indicator("alerts_confirmed", "电力预警查实", "电力", higher_is_worse=False, judged=False),
)
INDICATOR = {i.key: i for i in INDICATORS}


def check_indicator(key: str, field: str = "indicator") -> Indicator:
    if key not in INDICATOR:
        raise ValidationError({field: [f"“{key}”不是可选指标，可选：{'、'.join(INDICATOR)}"]})
    return INDICATOR[key]


def home_region(user) -> Region | None:
    """The region a user's dashboard opens on: their own; the province for admins; none for an
    enterprise user (their dashboard is their enterprise's)."""
    if user.role == Role.ENTERPRISE:
        return None
    if user.region_id:
        return user.region
    return Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code").first()


def region_or_error(code: str | None, field: str = "region") -> Region:
    region = Region.objects.filter(code=code).select_related("parent").first() if code else None
    if region is None:
        raise ValidationError({field: [f"行政区划代码“{code or ''}”不存在"]})
    return region


def children_of(region: Region) -> list[Region]:
    return list(Region.objects.filter(parent=region).order_by("code"))


# -- one region ---------------------------------------------------------------------------------


def region_figures(
    user, region: str | None, period: Period, *, hazard_period: Period | None = None,
    today: date | None = None,
) -> dict:
    """Every module's statistics for one region (None: the whole scope) in one dict:
    hazards (as the ledger stands, or at `hazard_period`'s end), enforcement, accidents and power
    alerts of `period`."""
    today = today or clock.today()
    hazards = hazard_queries.stats(user, region=region, period=hazard_period, today=today)
    enforcement = enforcement_queries.stats(user, region=region, period=period)
    accidents = accident_queries.stats(user, region=region, period=period)
    power = power_queries.stats(user, region=region, period=period)
    return {
        "hazards": hazards,
        "enforcement": enforcement,
        "accidents": accidents,
        "power": {
            "total": power["total"],
            "open": sum(row["open_total"] for row in power["by_kind"]),
            "confirmed": sum(row[AlertState.CONFIRMED] for row in power["by_kind"]),
            "with_case": power["with_case"],
            "by_kind": power["by_kind"],
        },
    }


def flat(figures: dict) -> dict:
    """The indicators of `region_figures` under the ranking's keys."""
    h, e, a, p = figures["hazards"], figures["enforcement"], figures["accidents"], figures["power"]
    return {
        "hazards_found": h["found"], "hazards_closed": h["closed"],
        "rectification_rate": h["rectification_rate"], "hazards_overdue": h["overdue"],
        "major_found": h["major"], "major_open": h["major_open"], "listed": h["listed"],
        "cases": e["cases"], "dual_penalty": e["dual_penalty"], "suspensions": e["suspensions"],
        "accidents": a["accidents"], "deaths": a["deaths"],
        "alerts_open": p["open"], "alerts_confirmed": p["confirmed"],
    }


def year_to_date(year: int, today: date) -> Period:
    """The year up to today (a whole past year; a future year as a whole)."""
    return Period.year(year).clipped(today)


def dashboard(user, region: str | None = None, *, year: int | None = None, today: date | None = None) -> dict:
    """A region's dashboard: the hazard ledger as it stands, the year's enforcement and power
    alerts, the year's accidents against the same days of the year before, a monthly trend."""
    today = today or clock.today()
    year = year or today.year
    period = year_to_date(year, today)
    figures = region_figures(user, region, period, today=today)
    last_year = accident_queries.stats(user, region=region, period=period.same_period_last_year())
    figures["accidents_last_year"] = last_year
    figures["accident_change"] = {
        "accidents": figures["accidents"]["accidents"] - last_year["accidents"],
        "deaths": figures["accidents"]["deaths"] - last_year["deaths"],
    }
    figures["period"] = period
    figures["year"] = year
    figures["trend"] = trend(user, region, period)
    return figures


# -- trend by month -----------------------------------------------------------------------------


def trend(user, region: str | None, period: Period) -> dict:
    """Counts per calendar month of the period: hazards found, cases opened, accidents and
    deaths. One small range count per month and module (the date indexes answer them)."""
    months = period.months()
    hazards = hazard_queries.hazards(user, hazard_queries.HazardFilter(region=region)).order_by()
    cases = enforcement_queries.cases(user, enforcement_queries.CaseFilter(region=region)).order_by()
    accidents = accident_queries.accidents(user, accident_queries.AccidentFilter(region=region)).order_by()
    rows = {"months": [f"{m.start.month}月" for m in months], "hazards_found": [], "cases": [],
            "accidents": [], "deaths": []}
    for month in months:
        rows["hazards_found"].append(hazards.filter(**month.moments("created_at")).count())
        rows["cases"].append(cases.filter(**month.dates("opened_on")).count())
        totals = accidents.filter(**month.moments("occurred_at")).aggregate(
            n=Count("pk"), deaths=Sum("deaths")
        )
        rows["accidents"].append(totals["n"])
        rows["deaths"].append(totals["deaths"] or 0)
    return rows


# -- sub-regions side by side -------------------------------------------------------------------


def _roll_up(children: list[Region], parent: Region, rows: Iterable[dict], fields: Iterable[str]) -> dict:
    """Sum rows keyed by county code into the children of `parent` (a city's code prefix is
    four digits, a county's six)."""
    digits = 4 if parent.level == RegionLevel.PROVINCE else 6
    fields = tuple(fields)
    totals = {c.code[:digits]: dict.fromkeys(fields, 0) for c in children}
    for row in rows:
        bucket = totals.get(row["region_id"][:digits])
        if bucket is not None:
            for field in fields:
                bucket[field] += row[field] or 0
    return {c.code: totals[c.code[:digits]] for c in children}


def subregions(
    user, region: str, period: Period, *, hazard_period: Period | None = None, today: date | None = None,
) -> list[dict]:
    """Every indicator for each child of `region` (cities of the province, counties of a city),
    in a few grouped queries; each row equals `flat(region_figures(child))`."""
    today = today or clock.today()
    parent = region_or_error(region)
    children = children_of(parent)
    if not children:
        return []
    hazards = {
        row["region_code"]: row
        for row in hazard_queries.stats_by_subregion(user, region=region, period=hazard_period, today=today)
    }
    cases = enforcement_queries.cases(user, enforcement_queries.CaseFilter(region=region, period=period))
    cases = _roll_up(children, parent, cases.order_by().values("region_id").annotate(
        cases=Count("pk"), dual_penalty=Count("pk", filter=Q(dual_penalty=True))), ("cases", "dual_penalty"))
    suspensions = enforcement_queries.suspensions(user, region=region, period=period)
    suspensions = _roll_up(children, parent, suspensions.order_by().values("region_id").annotate(
        suspensions=Count("pk")), ("suspensions",))
    accidents = accident_queries.accidents(
        user, accident_queries.AccidentFilter(region=region, period=period)
    )
    accidents = _roll_up(children, parent, accidents.order_by().values("region_id").annotate(
        accidents=Count("pk"), deaths=Sum("deaths")), ("accidents", "deaths"))
    alerts = power_queries.alerts(user, region=region, period=period)
    alerts = _roll_up(children, parent, alerts.order_by().values("region_id").annotate(
        alerts_open=Count("pk", filter=Q(state__in=ALERT_OPEN_STATES)),
        alerts_confirmed=Count("pk", filter=Q(state=AlertState.CONFIRMED)),
    ), ("alerts_open", "alerts_confirmed"))
    result = []
    for child in children:
        h = hazards[child.code]
        result.append({
            "region_code": child.code, "region_name": child.name,
            "hazards_found": h["found"], "hazards_closed": h["closed"],
            "rectification_rate": h["rectification_rate"], "hazards_overdue": h["overdue"],
            "major_found": h["major"], "major_open": h["major_open"], "listed": h["listed"],
            **cases[child.code], **suspensions[child.code], **accidents[child.code], **alerts[child.code],
        })
    return result


def worst(rows: list[dict], key: str) -> set[str]:
    """The region codes with the worst value of indicator `key` (ties all count; none when every
    region has the same value, so an all-zero column is not painted red, and none for an indicator
    that is not judged)."""
    indicator = INDICATOR[key]
    values = [row[key] for row in rows]
    if not indicator.judged or not values or min(values) == max(values):
        return set()
    target = max(values) if indicator.higher_is_worse else min(values)
    return {row["region_code"] for row in rows if row[key] == target}


def ranked(rows: list[dict], key: str, descending: bool | None = None) -> list[dict]:
    """Rows sorted by indicator `key`, worst first (largest first when it is not judged) unless
    told otherwise; ties by region code."""
    indicator = check_indicator(key, "sort")
    if descending is None:
        descending = indicator.higher_is_worse or not indicator.judged
    ordered = sorted(rows, key=lambda r: r["region_code"])
    return sorted(ordered, key=lambda r: r[key], reverse=descending)


def default_order(key: str) -> str:
    """The order a column sorts in first: worst first, largest first when it is not judged."""
    indicator = INDICATOR[key]
    return "desc" if indicator.higher_is_worse or not indicator.judged else "asc"


def describe(indicator: Indicator) -> str:
    """The direction of an indicator in words, for the column hints and the map's legend."""
    if not indicator.judged:
        return "只比较多少，不评优劣"
    return "数值越大越差" if indicator.higher_is_worse else "数值越小越差"


def format_value(key: str, value) -> str:
    if INDICATOR[key].percent:
        return f"{value * 100:.1f}%"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


Formatter = Callable[[str, object], str]
ACCIDENT_GRADES = [(g.value, g.label) for g in AccidentGrade]
