"""The business clock: "today" and "now" for deadlines and recorded dates.

Normally the real time. `as_of(moment)` replays work as of an earlier moment (the demo uses
it to lay down a realistic history, e.g. hazards confirmed weeks ago that are overdue now).
The audit log never uses it: its timestamps are always the real time of writing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from django.utils import timezone

_moment: ContextVar[datetime | None] = ContextVar("benan_clock", default=None)


def now() -> datetime:
    return _moment.get() or timezone.now()


def today() -> date:
    return timezone.localdate(now())


@contextmanager
def as_of(moment: datetime) -> Iterator[None]:
    if timezone.is_naive(moment):
        raise ValueError("as_of needs an aware datetime")
    token = _moment.set(moment)
    try:
        yield
    finally:
        _moment.reset(token)
