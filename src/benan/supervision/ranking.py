"""The ranking of sub-regions (晾晒): every indicator side by side for the cities of the province
or the counties of a city, over one period, sorted, with the worst value of each column marked,
and the same table as an XLSX workbook.

Over a month or a year every module counts that period, hazards as the ledger stood at its end
(so a past month's ranking never changes); the dashboard's map uses the live ledger instead.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO

from django.core.exceptions import ValidationError
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from benan.core import clock
from benan.core.models import Region
from benan.core.period import Period

from . import figures

WORST_FILL = PatternFill("solid", fgColor="F8D7DA")  # Bootstrap's danger background
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")


def ranking(
    user, region: Region, period: Period, *, sort: str = "hazards_overdue", order: str | None = None,
    today: date | None = None,
) -> dict:
    today = today or clock.today()
    figures.check_indicator(sort, "sort")
    if order not in (None, "", "asc", "desc"):
        raise ValidationError({"order": [f"“{order}”不是可选排序，可选：asc（升序）、desc（降序）"]})
    rows = figures.subregions(user, region.code, period, hazard_period=period, today=today)
    descending = None if not order else order == "desc"
    return {
        "region": region,
        "period": period,
        "sort": sort,
        "order": order or figures.default_order(sort),
        "rows": figures.ranked(rows, sort, descending),
        "worst": {i.key: sorted(figures.worst(rows, i.key)) for i in figures.INDICATORS},
    }


def workbook(table: dict) -> bytes:
    """The ranking as one sheet: a title row, the header, one row per region, worst in red."""
    book = Workbook()
    sheet = book.active
    sheet.title = "晾晒排名"
    region, period = table["region"], table["period"]
    columns = ["序号", "区划代码", "区划名称", *(f"{i.label}" for i in figures.INDICATORS)]
    sheet.append([f"{region.full_name}各地安全生产主要指标（{period.label}）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(columns)
    for cell in sheet[2]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for n, row in enumerate(table["rows"], start=1):
        values = [n, row["region_code"], row["region_name"]]
        for indicator in figures.INDICATORS:
            value = row[indicator.key]
            values.append(round(value * 100, 1) if indicator.percent else value)
        sheet.append(values)
        for offset, indicator in enumerate(figures.INDICATORS):
            if row["region_code"] in table["worst"][indicator.key]:
                sheet.cell(row=n + 2, column=4 + offset).fill = WORST_FILL
    sheet.append([])
    sheet.append([f"说明：整改率为百分数；隐患为{period.label}末台账状态，其余为{period.label}内发生数；"
                  "红色为该项最差。"])
    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 14
    for col in range(4, len(columns) + 1):
        sheet.column_dimensions[get_column_letter(col)].width = 11
    sheet.freeze_panes = "D3"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
