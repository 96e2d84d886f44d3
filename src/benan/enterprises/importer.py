"""Importing enterprises from CSV or XLSX: every row is checked first, then all or none.

Columns (English keys or the Chinese labels): uscc, name, region_code, sector, address, lat,
lon; optional scale, legal_representative, safety_contact, safety_contact_phone, status,
status_since. Every bad row is reported with its line number and reasons.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from benan.core.errors import PermissionDenied
from benan.core.models import Region
from benan.core.scope import region_in_scope

from . import services
from .models import Enterprise, Status
from .rules import FIELD_LABELS, clean_enterprise

REQUIRED_COLUMNS = ("uscc", "name", "region_code", "sector", "address", "lat", "lon")
OPTIONAL_COLUMNS = (
    "scale", "legal_representative", "safety_contact", "safety_contact_phone", "status", "status_since",
)
LABELS = {**FIELD_LABELS, "status": "状态", "status_since": "状态开始日期", "region_code": "区划代码"}
# A header cell may be the key or its Chinese label.
HEADER_ALIASES = {
    **{k: k for k in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)},
    **{LABELS[k]: k for k in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)},
    "所在区县": "region_code", "行政区划代码": "region_code",
}


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, encoding, header)."""


@dataclass
class RowError:
    line: int
    messages: list[str]

    def __str__(self) -> str:
        return f"第 {self.line} 行：" + "；".join(self.messages)


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _decode(raw: bytes) -> str:
    # Excel in China saves CSV as GB18030 (GBK) unless told otherwise; try UTF-8 first.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1e15:
        return str(int(value))  # a long all-digit USCC typed as a number
    if isinstance(value, date):
        return value.isoformat()[:10]
    return str(value).strip()


def read_table(path: Path) -> list[tuple[int, list[str]]]:
    """(line number, cells) for every line of the file, header included."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise ImportFileError(f"无法读取 Excel 文件：{exc}") from exc
        sheet = workbook.worksheets[0]
        table = [
            (number, [_cell(v) for v in row])
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
        workbook.close()
        return table
    if suffix in (".csv", ".txt"):
        text = _decode(path.read_bytes())
        return [(n, [c.strip() for c in row]) for n, row in enumerate(csv.reader(io.StringIO(text)), 1)]
    raise ImportFileError(f"不支持的文件类型“{suffix or path.name}”，请使用 .csv 或 .xlsx")


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    table = [(n, cells) for n, cells in read_table(path) if any(cells)]
    if not table:
        raise ImportFileError("文件是空的")
    header_line, header = table[0]
    keys: list[str | None] = []
    unknown = []
    for cell in header:
        key = HEADER_ALIASES.get(cell.strip().lower()) or HEADER_ALIASES.get(cell.strip())
        if cell and key is None:
            unknown.append(cell)
        keys.append(key)
    missing = [c for c in REQUIRED_COLUMNS if c not in keys]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("缺少列：" + "、".join(f"{c}（{LABELS[c]}）" for c in missing))
        if unknown:
            parts.append("无法识别的列：" + "、".join(unknown))
        raise ImportFileError(f"第 {header_line} 行表头有误：" + "；".join(parts))
    rows = []
    for line, cells in table[1:]:
        values = {k: (cells[i] if i < len(cells) else "") for i, k in enumerate(keys) if k}
        rows.append((line, values))
    if not rows:
        raise ImportFileError("文件中没有数据行")
    return rows


def _row_status(values: dict[str, str]) -> tuple[str, date, list[str]]:
    problems = []
    status = values.get("status", "") or Status.NORMAL
    by_label = {c.label: c.value for c in Status}
    status = by_label.get(status, status)
    if status not in Status.values:
        problems.append(f"status：“{status}”不是可选状态，可选：{'、'.join(Status.values)}")
    since = timezone.localdate()
    if values.get("status_since"):
        try:
            since = date.fromisoformat(values["status_since"])
        except ValueError:
            problems.append(f"status_since：“{values['status_since']}”不是日期（YYYY-MM-DD）")
    return status, since, problems


def validate_rows(
    rows: list[tuple[int, dict[str, str]]],
    *,
    actor=None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[services.NewEnterprise], list[RowError]]:
    regions = {r.code: r for r in Region.objects.all()}
    valid: list[services.NewEnterprise] = []
    errors: list[RowError] = []
    first_line_of: dict[str, int] = {}
    for line, values in rows:
        messages = []
        fields = {k: v for k, v in values.items() if k not in ("status", "status_since")}
        fields = {k: v for k, v in fields.items() if v != "" or k in REQUIRED_COLUMNS}
        cleaned: dict[str, Any] = {}
        try:
            cleaned = clean_enterprise(fields, check_unique=False, regions=regions)
        except ValidationError as exc:
            for key, errs in exc.error_dict.items():
                messages.append(f"{key}（{LABELS.get(key, key)}）：" + "；".join(e.messages[0] for e in errs))
        region = cleaned.get("region_code")
        if actor is not None and region and not region_in_scope(actor, region):
            messages.append(f"region_code（区划代码）：{region} 不在您的管辖范围内")
        status, since, status_problems = _row_status(values)
        messages.extend(status_problems)
        code = cleaned.get("uscc")
        if code:
            if code in first_line_of:
                messages.append(f"uscc：与第 {first_line_of[code]} 行的统一社会信用代码重复")
            else:
                first_line_of[code] = line
        if messages:
            errors.append(RowError(line, messages))
        else:
            valid.append(services.NewEnterprise(cleaned, ((status, since, None),)))
        if progress is not None:
            progress(1)
    # One query for the whole file instead of one per row.
    taken = set(
        Enterprise.objects.filter(uscc__in=list(first_line_of)).values_list("uscc", flat=True)
    )
    for code in sorted(taken, key=first_line_of.get):
        errors.append(RowError(first_line_of[code], [f"uscc：统一社会信用代码 {code} 已登记，不能重复登记"]))
    errors.sort(key=lambda e: e.line)
    return valid, errors


def import_file(
    path: Path,
    *,
    actor=None,
    on_validate: Callable[[int], None] | None = None,
    on_insert: Callable[[int], None] | None = None,
) -> ImportResult:
    """Validate every row of `path`; if all are good, insert them all in one transaction."""
    if actor is not None and not services.can_write(actor):
        raise PermissionDenied("您的角色无权导入企业")
    rows = read_rows(path)
    valid, errors = validate_rows(rows, actor=actor, progress=on_validate)
    result = ImportResult(rows=len(rows), errors=errors)
    if errors:
        return result
    try:
        result.created = services.create_many(
            actor=actor, rows=valid, action="enterprises.enterprise.imported", progress=on_insert
        )
    except IntegrityError:
        # Somebody registered one of these codes between our check and the insert; the
        # transaction rolled back, so nothing of this file was saved.
        result.errors.append(RowError(0, ["导入期间有企业被同时登记，统一社会信用代码冲突，请重新导入"]))
    return result
