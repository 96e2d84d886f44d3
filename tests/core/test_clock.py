"""The business day is Beijing's: from 16:00 to 24:00 UTC it is already tomorrow there.

The machine's own date (`date.today()`, `datetime.now()`) and the UTC date of a stored moment
(`moment.date()` on an aware datetime) are a day behind in those hours, so a check such as "not
before the assignment" refused or allowed the wrong day (CI failed at 00:30 Beijing).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from benan.core import clock

SRC = Path(__file__).resolve().parents[2] / "src" / "benan"
MACHINE_DATE = re.compile(
    r"\bdate\.today\(\)|\bdatetime\.now\(\s*\)|\bdatetime\.utcnow\(|timezone\.now\(\)\.date\(\)"
)


def test_today_is_the_beijing_date_just_after_midnight():
    moment = datetime(2026, 11, 29, 16, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 on the 30th in Beijing
    with clock.as_of(moment):
        assert clock.today().isoformat() == "2026-11-30"


def test_the_product_never_reads_the_machines_date():
    offenders = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if MACHINE_DATE.search(line)
    ]
    assert offenders == [], "use benan.core.clock.today()/now():\n" + "\n".join(offenders)


def test_numbers_carry_the_beijing_year_on_new_years_eve_evening_utc():
    from benan.emergency.models import Dispatch
    from benan.power.models import PowerAlert
    from benan.supervision.models import Assignment

    moment = datetime(2026, 12, 31, 17, 0, tzinfo=ZoneInfo("UTC"))  # 01:00 on 1 January 2027 in Beijing
    assert PowerAlert(pk=7, detected_at=moment).number == "DL2027-000007"
    assert Dispatch(pk=7, created_at=moment).number == "DD2027-00007"
    assert Assignment(pk=7, issued_at=moment).number == "DB2027-00007"
