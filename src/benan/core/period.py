"""Reporting periods: a calendar month, a year, or a range of days, always whole days.

The statistics of every module take a `Period` so that a dashboard, a ranking, the weekly sheet
and the monthly circular count exactly what the module's own statistics endpoint counts for the
same days. `period_from` parses the query parameters (`month=2026-10`, `year=2026`, or
`date_from`/`date_to`) and reports a malformed or impossible one as a field error; `date_range`
does the same for a list's filter, where either end may be left open.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from .scope import MAX_YEAR, MIN_YEAR

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
DAY_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Period:
    start: date  # first day, inclusive
    end: date  # last day, inclusive

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def week_of(cls, day: date) -> Period:
        """Monday to Sunday of the week holding `day`."""
        monday = day - timedelta(days=day.weekday())
        return cls(monday, monday + timedelta(days=6))

    def same_period_last_year(self) -> Period:
        return Period(_year_earlier(self.start), _year_earlier(self.end))

    def previous_month(self) -> Period:
        first = self.start.replace(day=1) - timedelta(days=1)
        return Period.month(first.year, first.month)

    def months(self) -> list[Period]:
        """The calendar months the period touches, each clipped to the period."""
        result, first = [], self.start.replace(day=1)
        while first <= self.end:
            whole = Period.month(first.year, first.month)
            result.append(Period(max(whole.start, self.start), min(whole.end, self.end)))
            first = whole.end + timedelta(days=1)
        return result

    def clipped(self, today: date) -> Period:
        """The part of the period up to `today` (a period in the future stays as it is)."""
        return Period(self.start, min(self.end, max(today, self.start)))

    # Datetime bounds in the current time zone: [since, until).
    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def dates(self, field: str) -> dict:
        """Filter keywords for a DateField inside the period."""
        return {f"{field}__gte": self.start, f"{field}__lte": self.end}

    def moments(self, field: str) -> dict:
        """Filter keywords for a DateTimeField inside the period (local days)."""
        return {f"{field}__gte": self.since, f"{field}__lt": self.until}

    @property
    def key(self) -> str:
        """`2026-10` for a whole month, `2026` for a whole year, else `2026-01-01~2026-03-31`."""
        if self.start.day == 1 and self == Period.month(self.start.year, self.start.month):
            return f"{self.start:%Y-%m}"
        if self == Period.year(self.start.year):
            return str(self.start.year)
        return f"{self.start:%Y-%m-%d}~{self.end:%Y-%m-%d}"

    @property
    def label(self) -> str:
        """The period in Chinese: 2026年10月, 2026年, 2026年1月1日至3月31日."""
        if self.start.day == 1 and self == Period.month(self.start.year, self.start.month):
            return f"{self.start.year}年{self.start.month}月"
        if self == Period.year(self.start.year):
            return f"{self.start.year}年"
        tail = f"{self.end.month}月{self.end.day}日"
        if self.end.year != self.start.year:
            tail = f"{self.end.year}年" + tail
        return f"{self.start.year}年{self.start.month}月{self.start.day}日至{tail}"


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February → 28 February
        return day.replace(year=day.year - 1, day=28)


def parse_month(text: str, field: str = "month") -> Period:
    match = MONTH_PATTERN.match(text.strip()) if text else None
    if not match:
        raise ValidationError({field: [f"“{text}”不是有效的月份，格式为 YYYY-MM（如 2026-10）"]})
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise ValidationError({field: [f"“{text}”不是有效的月份：月份须在 01 到 12 之间"]})
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError({field: [f"年份必须在 {MIN_YEAR} 到 {MAX_YEAR} 之间"]})
    return Period.month(year, month)


def period_from(
    *, year: int | None = None, month: str | None = None,
    date_from: date | None = None, date_to: date | None = None,
) -> Period | None:
    """The one period the parameters select, or None when none is given."""
    given = [name for name, value in (("year", year), ("month", month), ("date_from", date_from),
                                      ("date_to", date_to)) if value not in (None, "")]
    if not given:
        return None
    if "month" in given:
        if len(given) > 1:
            raise ValidationError({"month": ["month 不能与 year、date_from、date_to 同时使用"]})
        return parse_month(month)
    if "year" in given:
        if len(given) > 1:
            raise ValidationError({"year": ["year 不能与 date_from、date_to 同时使用"]})
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValidationError({"year": [f"年份必须在 {MIN_YEAR} 到 {MAX_YEAR} 之间"]})
        return Period.year(year)
    if date_from is None or date_to is None:
        missing = "date_to" if date_from else "date_from"
        raise ValidationError({missing: ["按日期范围统计时须同时填写 date_from 和 date_to"]})
    if date_to < date_from:
        raise ValidationError({"date_to": ["结束日期不能早于开始日期"]})
    for name, day in (("date_from", date_from), ("date_to", date_to)):
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise ValidationError({name: [f"年份必须在 {MIN_YEAR} 到 {MAX_YEAR} 之间"]})
    return Period(date_from, date_to)


def parse_day(text: str, field: str) -> date | None:
    """A list page's `YYYY-MM-DD` parameter: None when empty, else a day (or a field error)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        if not DAY_PATTERN.match(text):  # fromisoformat alone would also take 20261001
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError({field: [f"“{text[:20]}”不是有效的日期，格式为 YYYY-MM-DD"]}) from None


def date_range(date_from: date | None, date_to: date | None) -> Period | None:
    """The days a list is filtered to; an end left empty is open (None when both are)."""
    if date_from is None and date_to is None:
        return None
    for name, day in (("date_from", date_from), ("date_to", date_to)):
        if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
            raise ValidationError({name: [f"年份必须在 {MIN_YEAR} 到 {MAX_YEAR} 之间"]})
    if date_from and date_to and date_to < date_from:
        raise ValidationError({"date_to": ["结束日期不能早于开始日期"]})
    return Period(date_from or date(MIN_YEAR, 1, 1), date_to or date(MAX_YEAR, 12, 31))
