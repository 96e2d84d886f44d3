"""Dashboard, map, ranking, weekly sheet and monthly circular endpoints.

Every figure is read with the caller's scope: a region outside it answers 404, an unknown region
or a malformed period 422; enterprise users get their own enterprise's dashboard and 403 on the
regional views.
"""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Query
from pydantic import Field

from benan.core import clock
from benan.core.models import Region
from benan.core.period import Period, period_from
from benan.views import scope_label

from .. import access, circular, figures, ranking, weekly
from .common import Strict, router

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _region_out(region: Region | None) -> dict | None:
    if region is None:
        return None
    return {"code": region.code, "name": region.name, "full_name": region.full_name, "level": region.level}


def _period_out(period: Period) -> dict:
    return {"start": period.start, "end": period.end, "label": period.label, "key": period.key}


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class DashboardQuery(Strict):
    region: str | None = Field(None, max_length=6, description="行政区划代码（默认本人所在区划）")
    year: int | None = Field(None, description="年份（默认今年）")


@router.get("/dashboard", summary="监管驾驶舱：本区域主要指标")
def dashboard(request, params: Query[DashboardQuery]):
    """Hazards as the ledger stands now; enforcement, accidents (with the same days of the year
    before) and power alerts from 1 January of the year to today; a monthly trend."""
    user = request.auth
    region = access.dashboard_region(user, params.region)
    period_from(year=params.year)  # 422 for an implausible year
    data = figures.dashboard(user, region.code if region else None, year=params.year)
    return {
        "region": _region_out(region),
        "scope": scope_label(user),
        "year": data["year"],
        "period": _period_out(data["period"]),
        "hazards": data["hazards"],
        "enforcement": data["enforcement"],
        "accidents": data["accidents"],
        "accidents_last_year": data["accidents_last_year"],
        "accident_change": data["accident_change"],
        "power": data["power"],
        "trend": data["trend"],
    }


class MapQuery(DashboardQuery):
    indicator: str = Field("hazards_overdue", description="指标键，见 /indicators")


@router.get("/dashboard/map", summary="地图：下级区划按指标着色")
def dashboard_map(request, params: Query[MapQuery]):
    """One value per sub-region for the chosen indicator, as on the dashboard (hazards now, the
    rest from 1 January to today)."""
    user = request.auth
    region = access.readable_region(user, params.region)
    indicator = figures.check_indicator(params.indicator)
    period_from(year=params.year)
    today = clock.today()
    period = figures.year_to_date(params.year or today.year, today)
    rows = figures.subregions(user, region.code, period, today=today)
    return {
        "region": _region_out(region),
        "indicator": {"key": indicator.key, "label": indicator.label, "percent": indicator.percent,
                      "higher_is_worse": indicator.higher_is_worse, "judged": indicator.judged},
        "period": _period_out(period),
        "rows": [{"region_code": r["region_code"], "region_name": r["region_name"], "value": r[indicator.key]}
                 for r in rows],
    }


@router.get("/indicators", summary="可选指标")
def indicators(request):
    return [
        {"key": i.key, "label": i.label, "section": i.section, "percent": i.percent,
         "higher_is_worse": i.higher_is_worse, "judged": i.judged}
        for i in figures.INDICATORS
    ]


class RankingQuery(Strict):
    region: str | None = Field(None, max_length=6, description="上级区划（默认本人所在区划）")
    year: int | None = Field(None, description="年份（与 month 二选一，默认今年）")
    month: str | None = Field(None, max_length=7, description="月份 YYYY-MM")
    sort: str = Field("hazards_overdue", description="排序指标")
    order: str | None = Field(None, description="asc 或 desc（默认最差在前）")


def _ranking(request, params: RankingQuery) -> dict:
    user = request.auth
    region = access.readable_region(user, params.region)
    today = clock.today()
    period = period_from(year=params.year, month=params.month) or Period.year(today.year)
    return ranking.ranking(user, region, period.clipped(today), sort=params.sort, order=params.order,
                           today=today)


@router.get("/ranking", summary="下级区划晾晒排名")
def ranking_table(request, params: Query[RankingQuery]):
    """Every indicator per sub-region over a year or a month (hazards as the ledger stood at
    its end), sorted; `worst` lists, per indicator, the regions with the worst value."""
    table = _ranking(request, params)
    return {
        "region": _region_out(table["region"]),
        "period": _period_out(table["period"]),
        "sort": table["sort"],
        "order": table["order"],
        "rows": table["rows"],
        "worst": table["worst"],
    }


@router.get("/ranking/export", summary="晾晒排名（XLSX）", response={200: None})
def ranking_export(request, params: Query[RankingQuery]):
    table = _ranking(request, params)
    name = f"ranking-{table['region'].code}-{table['period'].key.replace('~', '_')}.xlsx"
    return _attachment(ranking.workbook(table), XLSX, name)


class WeeklyQuery(Strict):
    region: str | None = Field(None, max_length=6, description="区划（默认本人所在区划）")
    week: str | None = Field(None, max_length=10, description="该周内任一天 YYYY-MM-DD（默认本周）")


def _weekly(request, params: WeeklyQuery) -> dict:
    region = access.readable_region(request.auth, params.region)
    return weekly.sheet(request.auth, region, weekly.week_of(params.week))


@router.get("/weekly", summary="周调度表")
def weekly_sheet(request, params: Query[WeeklyQuery]):
    data = _weekly(request, params)
    return {
        "region": _region_out(data["region"]),
        "week": _period_out(data["week"]),
        "columns": [{"key": key, "label": label} for key, label in weekly.COLUMNS],
        "rows": data["rows"],
        "totals": data["totals"],
        "sections": [
            {"title": title, "header": header, "rows": rows}
            for title, header, rows in weekly.detail_sections(data)
        ],
    }


@router.get("/weekly/export", summary="周调度表（XLSX）", response={200: None})
def weekly_export(request, params: Query[WeeklyQuery]):
    data = _weekly(request, params)
    name = f"weekly-{data['region'].code}-{data['week'].start:%Y%m%d}.xlsx"
    return _attachment(weekly.workbook(data), XLSX, name)


class MonthlyQuery(Strict):
    region: str | None = Field(None, max_length=6, description="区划（默认本人所在区划）")
    month: str = Field(..., max_length=7, description="月份 YYYY-MM")


@router.get("/reports/monthly", summary="月度通报（Word）", response={200: None})
def monthly_report(request, params: Query[MonthlyQuery]):
    """The monthly circular of a region as a .docx, computed from that month's data."""
    region = access.readable_region(request.auth, params.region)
    month = circular.month_of(params.month)
    content = circular.build(request.auth, region, month, today=clock.today())
    return _attachment(content, DOCX, f"circular-{region.code}-{month.key}.docx")
