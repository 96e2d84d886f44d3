"""The hazard ledger (隐患台账) as XLSX, in the columns an inspector keeps by hand."""

from __future__ import annotations

import io

from django.db.models import QuerySet
from django.utils.timezone import localtime
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from benan.core import clock

from .queries import is_overdue, listings_of

COLUMNS = (
    ("序号", 6),
    ("企业名称", 30),
    ("统一社会信用代码", 22),
    ("所在区县", 16),
    ("发现日期", 12),
    ("发现方式", 10),
    ("隐患部位", 16),
    ("隐患描述", 50),
    ("隐患等级", 14),
    ("判定依据", 22),
    ("整改期限", 12),
    ("整改责任人", 12),
    ("整改措施", 30),
    ("状态", 10),
    ("是否逾期", 8),
    ("挂牌督办", 14),
    ("验收人", 10),
    ("销号日期", 12),
)
# One sheet holds at most this many rows; a province-wide ledger is cut by region first.
MAX_ROWS = 200_000
CHUNK = 2000


def build(queryset: QuerySet) -> bytes:
    today = clock.today()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("隐患台账")
    for index, (_, width) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    header = []
    for title, _ in COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    rows = queryset.select_related("enterprise", "region__parent", "verified_by")[:MAX_ROWS]
    number = 0
    batch = []

    def flush():
        listed = listings_of([h.pk for h in batch])
        for hazard in batch:
            nonlocal number
            number += 1
            listing = listed.get(hazard.pk)
            sheet.append(
                [
                    number,
                    hazard.enterprise.name,
                    hazard.enterprise.uscc,
                    hazard.region.full_name,
                    localtime(hazard.created_at).date().isoformat(),
                    hazard.get_source_display(),
                    hazard.location,
                    hazard.description,
                    hazard.get_grade_display() or "待确认",
                    hazard.criterion_id or "",
                    hazard.due_date.isoformat() if hazard.due_date else "",
                    hazard.plan.get("responsibility", ""),
                    hazard.plan.get("measures", ""),
                    hazard.get_state_display(),
                    "是" if is_overdue(hazard, today) else "否",
                    f"{listing.office_region.name}（{listing.due_date.isoformat()}）" if listing else "",
                    str(hazard.verified_by) if hazard.verified_by_id else "",
                    localtime(hazard.closed_at).date().isoformat() if hazard.closed_at else "",
                ]
            )
        batch.clear()

    for hazard in rows.iterator(chunk_size=CHUNK):
        batch.append(hazard)
        if len(batch) >= CHUNK:
            flush()
    flush()
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
