"""Option parsing shared by benan's management commands."""

from __future__ import annotations

from datetime import date

from django.core.management.base import CommandError


def today_option(options: dict) -> date | None:
    """The day of `--today YYYY-MM-DD` (None: today), or exit status 2 naming the option."""
    raw = options.get("today")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise CommandError(f"--today 必须是日期 YYYY-MM-DD，收到“{raw}”", returncode=2) from exc
