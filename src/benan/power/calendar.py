"""China's official public holidays (法定节假日放假安排) and the Spring Festival eve (除夕).

The days off are in data/holidays.csv (`date,name,source`), one row per day off, copied from the
State Council general office's yearly notices (国务院办公厅关于部分节假日安排的通知) for 2024,
2025 and 2026; the 2026 rows are marked single_source (原文待核) until checked against the
original on gov.cn. The make-up working days (调休上班) of the same notices are kept here, because
non-continuous plants do work on them. Dates outside 2024-2026 are treated as ordinary days.
"""

from __future__ import annotations

import csv
from datetime import date
from functools import cache
from pathlib import Path

HOLIDAYS_CSV = Path(__file__).parent / "data" / "holidays.csv"

# 调休上班: weekend days that are working days, from the same notices (2026 single_source).
MAKEUP_WORKDAYS = frozenset(
    date.fromisoformat(d)
    for d in (
        "2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14",
        "2024-09-29", "2024-10-12",
        "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
        "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
    )
)  # fmt: skip

# 除夕, the day before the lunar new year (the last day of the twelfth lunar month).
SPRING_FESTIVAL_EVE = {
    2023: date(2023, 1, 21),
    2024: date(2024, 2, 9),
    2025: date(2025, 1, 28),
    2026: date(2026, 2, 16),
    2027: date(2027, 2, 5),
    2028: date(2028, 1, 25),
}


@cache
def holidays() -> dict[date, str]:
    """Every official day off, mapped to the holiday's name (e.g. 2026-02-15 → 春节)."""
    with HOLIDAYS_CSV.open(encoding="utf-8", newline="") as f:
        return {date.fromisoformat(row["date"]): row["name"] for row in csv.DictReader(f)}


def is_holiday(d: date) -> bool:
    return d in holidays()


def is_makeup_workday(d: date) -> bool:
    return d in MAKEUP_WORKDAYS


def spring_festival_eve(year: int) -> date:
    """除夕 of the lunar year that starts in `year`; KeyError outside 2023-2028."""
    return SPRING_FESTIVAL_EVE[year]
