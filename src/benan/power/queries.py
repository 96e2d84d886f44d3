"""Reads of power analytics: the alert queue, one alert's load chart, statistics and history.

Everything goes through core.scope: an alert outside the user's region answers 404, and
enterprise users see no alerts at all (checks are unannounced).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from benan.core import audit
from benan.core.period import Period
from benan.core.scope import check_region_year, in_region, scope

from . import lake
from .models import OPEN_STATES, AlertKind, AlertState, PowerAlert

CHART_DAYS_BEFORE = 60
CHART_DAYS_AFTER = 14


def alerts(
    user,
    *,
    state: str | None = None,
    kind: str | None = None,
    region: str | None = None,
    mine: bool = False,
    q: str | None = None,
    year: int | None = None,
    period: Period | None = None,
) -> QuerySet:
    """The alert queue in scope: open and assigned first (strongest first), then the rest."""
    errors: dict[str, list[str]] = {}
    if state and state not in AlertState.values:
        errors["state"] = [f"状态“{state}”无效，可选：{'、'.join(AlertState.values)}"]
    if kind and kind not in AlertKind.values:
        errors["kind"] = [f"预警类型“{kind}”无效，可选：{'、'.join(AlertKind.values)}"]
    check_region_year(region, year, errors)
    if errors:
        raise ValidationError(errors)
    qs = in_region(scope(PowerAlert.objects.all(), user), region)
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    if mine:
        qs = qs.filter(inspector=user)
    if year:
        qs = qs.filter(detected_at__year=year)
    if period:
        qs = qs.filter(**period.moments("detected_at"))
    if q:
        qs = qs.filter(Q(enterprise__name__contains=q) | Q(enterprise__uscc=q.strip().upper()))
    return qs.select_related("enterprise", "region", "inspector", "case").order_by("-detected_at", "-id")


def stats(
    user, *, region: str | None = None, year: int | None = None, period: Period | None = None
) -> dict:
    """Counts by kind and state, and the hit rate of finished checks (查实率), of the alerts
    detected in the year or period."""
    qs = alerts(user, region=region, year=year, period=period)
    rows = qs.order_by().values("kind", "state").annotate(n=Count("id"))
    table = {k: dict.fromkeys(AlertState.values, 0) for k in AlertKind.values}
    for r in rows:
        table[r["kind"]][r["state"]] = r["n"]
    result = {"by_kind": [], "total": 0}
    for k, label in AlertKind.choices:
        counts = table[k]
        checked = counts[AlertState.CONFIRMED] + counts[AlertState.FALSE_ALARM]
        result["by_kind"].append(
            {
                "kind": k,
                "label": label,
                **counts,
                "open_total": sum(counts[s] for s in OPEN_STATES),
                "hit_rate": round(counts[AlertState.CONFIRMED] / checked, 4) if checked else None,
            }
        )
        result["total"] += sum(counts.values())
    result["with_case"] = qs.filter(case__isnull=False).count()
    return result


def history(alert: PowerAlert) -> list:
    return list(audit.history(alert))


def attachments_visible_to(user) -> Q:
    """On-site photos of the alerts a user may see (never enterprises: SCOPE gives them none)."""
    return Q(Exists(scope(PowerAlert.objects.filter(photos=OuterRef("pk")), user)))


def load_chart(alert: PowerAlert) -> dict:
    """The enterprise's daily and night load around the alert, its baseline and status periods."""
    start = alert.start_date - timedelta(days=CHART_DAYS_BEFORE)
    end = alert.end_date + timedelta(days=CHART_DAYS_AFTER)
    held = lake.span()
    if held:
        end = min(end, held[1])
        start = max(start, held[0]) if held[0] <= alert.start_date else start
    meters = list(alert.enterprise.meters.values_list("meter_id", flat=True))
    days = lake.daily_load(meters, start, end) if meters and held else []
    periods = [
        {
            "status": p.status,
            "label": p.get_status_display(),
            "start": max(p.start_date, start).isoformat(),
            "end": min(p.end_date or end, end).isoformat(),
        }
        for p in alert.enterprise.status_periods.all()
        if p.start_date <= end and (p.end_date is None or p.end_date >= start)
    ]
    return {
        "meters": meters,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "days": [
            {
                "day": d["day"].isoformat() if isinstance(d["day"], date) else d["day"],
                "energy": None if d["energy"] is None else round(d["energy"], 1),
                "night_energy": None if d["night_energy"] is None else round(d["night_energy"], 1),
            }
            for d in days
        ],
        "baseline": alert.reference,
        "alert": {"start": alert.start_date.isoformat(), "end": alert.end_date.isoformat()},
        "periods": periods,
    }
