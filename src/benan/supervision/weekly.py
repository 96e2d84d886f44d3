"""The weekly dispatch sheet (周调度): for one week (Monday to Sunday), per sub-region, the major
hazards confirmed that week, the major hazards overdue at the week's end, the hazards newly put
under listed supervision, the accidents, and the supervised assignments due that week; then each
item in a list. The same sheet as a page and as an XLSX workbook.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO

from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.utils.timezone import localtime
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from benan.accidents import queries as accident_queries
from benan.core import clock
from benan.core.models import Region, RegionLevel
from benan.core.period import Period
from benan.core.scope import MAX_YEAR, MIN_YEAR
from benan.hazards import queries as hazard_queries
from benan.hazards.models import Grade

from . import assignment_queries
from .figures import children_of

COLUMNS = (
    ("new_major", "新增重大隐患"),
    ("overdue_major", "逾期重大隐患"),
    ("new_listed", "新增挂牌督办"),
    ("accidents", "事故起数"),
    ("deaths", "死亡人数"),
    ("tasks_due", "到期督办任务"),
)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")


def week_of(text: str | None, today: date | None = None) -> Period:
    """The week holding the given day (YYYY-MM-DD); this week when none is given."""
    if not text:
        return Period.week_of(today or clock.today())
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError({"week": [f"“{text}”不是有效的日期，格式为 YYYY-MM-DD"]}) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValidationError({"week": [f"年份必须在 {MIN_YEAR} 到 {MAX_YEAR} 之间"]})
    return Period.week_of(day)


def sheet(user, region: Region, week: Period, *, today: date | None = None) -> dict:
    """The week's items in the user's scope under `region`, counted per sub-region."""
    today = today or clock.today()
    code = region.code
    new_major = hazard_queries.confirmed_in(user, week, region=code, grade=Grade.MAJOR)
    # Overdue at the week's end, or today for the week under way (not the days still to come).
    overdue_major = hazard_queries.overdue_at(
        hazard_queries.hazards(user, hazard_queries.HazardFilter(region=code, grade=Grade.MAJOR)),
        week.clipped(today).end,
    )
    listed = hazard_queries.listings(user, state=None).filter(**week.moments("listed_at"))
    listed = hazard_queries.in_region(listed, code)
    accidents = accident_queries.accidents(user, accident_queries.AccidentFilter(region=code, period=week))
    tasks = assignment_queries.due_between(user, week.start, week.end, region=code)

    units = children_of(region) or [region]
    digits = {RegionLevel.PROVINCE: 4, RegionLevel.CITY: 6}.get(region.level, 6)
    rows = {u.code[:digits]: {"region_code": u.code, "region_name": u.name, **dict.fromkeys(
        (key for key, _ in COLUMNS), 0)} for u in units}

    def add(queryset, field: str, column: str, total=None) -> None:
        counted = queryset.order_by().values(field).annotate(n=total or Count("pk"))
        for row in counted:
            bucket = rows.get(row[field][:digits])
            if bucket is not None:
                bucket[column] += row["n"] or 0

    add(new_major, "region_id", "new_major")
    add(overdue_major, "region_id", "overdue_major")
    add(listed, "region_id", "new_listed")
    add(accidents, "region_id", "accidents")
    add(accidents, "region_id", "deaths", Sum("deaths"))
    add(tasks, "region_id", "tasks_due")
    table = list(rows.values())
    totals = {key: sum(r[key] for r in table) for key, _ in COLUMNS}
    return {
        "region": region,
        "week": week,
        "as_of": week.clipped(today).end,
        "rows": table,
        "totals": totals,
        "new_major": list(new_major.select_related("enterprise", "region").order_by("confirmed_at", "id")),
        "overdue_major": list(
            overdue_major.select_related("enterprise", "region").order_by("due_date", "id")
        ),
        "new_listed": list(listed.order_by("listed_at", "id")),
        "accidents": list(accidents.select_related("region").order_by("occurred_at", "id")),
        "tasks": list(tasks),
    }


def _local(moment) -> str:
    return f"{localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def detail_sections(data: dict) -> list[tuple[str, list[str], list[list]]]:
    """(title, header, rows) of each list on the sheet, shared by the page and the workbook."""
    return [
        ("新增重大隐患", ["企业", "区县", "隐患描述", "确认时间", "整改期限"], [
            [h.enterprise.name, h.region.name, h.description, _local(h.confirmed_at), h.due_date]
            for h in data["new_major"]]),
        ("逾期重大隐患", ["企业", "区县", "隐患描述", "整改期限", "逾期天数"], [
            [h.enterprise.name, h.region.name, h.description, h.due_date, (data["as_of"] - h.due_date).days]
            for h in data["overdue_major"]]),
        ("新增挂牌督办", ["企业", "区县", "督办单位", "挂牌时间", "督办期限"], [
            [li.hazard.enterprise.name, li.region.name, li.office_region.name, _local(li.listed_at),
             li.due_date]
            for li in data["new_listed"]]),
        ("生产安全事故", ["编号", "区县", "单位", "等级", "死亡", "发生时间"], [
            [a.number, a.region.name, a.unit_name, a.get_grade_display(), a.deaths, _local(a.occurred_at)]
            for a in data["accidents"]]),
        ("到期督办任务", ["任务", "交办单位", "承办区划", "期限", "状态"], [
            [t.assignment.title, t.assignment.issuer_region.name, t.region.name, t.assignment.due_date,
             t.get_state_display()]
            for t in data["tasks"]]),
    ]


def workbook(data: dict) -> bytes:
    """Sheet one: the counts per sub-region with a total; one more sheet per list."""
    book = Workbook()
    summary = book.active
    summary.title = "汇总"
    region, week = data["region"], data["week"]
    header = ["区划代码", "区划名称", *(label for _, label in COLUMNS)]
    summary.append([f"{region.full_name}安全生产周调度表（{week.label}）"])
    summary.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    summary["A1"].font = Font(bold=True, size=14)
    summary["A1"].alignment = Alignment(horizontal="center")
    summary.append(header)
    for row in data["rows"]:
        summary.append([row["region_code"], row["region_name"], *(row[key] for key, _ in COLUMNS)])
    summary.append(["", "合计", *(data["totals"][key] for key, _ in COLUMNS)])
    _style(summary, header_row=2, widths=[10, 14] + [13] * len(COLUMNS))
    for title, head, rows in detail_sections(data):
        sheet = book.create_sheet(title)
        sheet.append(head)
        for values in rows:
            sheet.append(values)
        if not rows:
            sheet.append(["本周无"])
        _style(sheet, header_row=1, widths=[28, 12, 40, 18, 14, 12][: len(head)])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _style(sheet, *, header_row: int, widths: list[int]) -> None:
    for cell in sheet[header_row]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
