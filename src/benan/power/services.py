"""Power-analytics actions: register meters, scan the lake for alerts, move alerts through the loop.

The scan is the system's actor: it creates an alert for a new finding, extends the open alert of
the same enterprise and kind instead of creating a second one, and leaves alone what a finished
check already covered (a false alarm stays a false alarm: its label is the feedback that tunes the
detector). Every user action goes through core.loop (role, scope, row lock, audit).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import pyarrow as pa
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse

from benan.core import audit, clock, fields, loop
from benan.core.attachments import usable
from benan.core.errors import PermissionDenied
from benan.core.models import Role, User
from benan.core.notifications import notify
from benan.core.scope import get_in_scope
from benan.enterprises.models import Enterprise, StatusPeriod

from . import engines, lake
from .formats import FileProblems, Problem
from .models import OPEN_STATES, AlertKind, Meter, PowerAlert

CAUSES = {
    AlertKind.COVERT_OPERATION: "涉嫌停产整顿期间擅自组织生产（明停暗开）",
    AlertKind.PREMATURE_OPERATION: "涉嫌建设项目未经竣工验收擅自投入生产（边建边开）",
}


# -- meters ------------------------------------------------------------------------------------


def register_meters(table: pa.Table, *, source: str = "meters.csv", actor=None) -> dict:
    """Add or move meters from a meters table (formats.read_meters); all-or-nothing.

    Every uscc must be a registered enterprise; a meter already registered to another enterprise is
    moved to the one the file names (a supply contract changes hands) and the move is audited.
    """
    rows = table.to_pylist()
    usccs = {r["uscc"] for r in rows}
    enterprises = dict(Enterprise.objects.filter(uscc__in=usccs).values_list("uscc", "pk"))
    problems = [
        Problem(source, line, "uscc", f"企业 {r['uscc']} 未在系统中登记")
        for line, r in enumerate(rows, start=2)
        if r["uscc"] not in enterprises
    ]
    if problems:
        raise FileProblems(problems)
    added = moved = 0
    with transaction.atomic():
        existing = {
            m.meter_id: m
            for m in Meter.objects.select_for_update().filter(meter_id__in=[r["meter_id"] for r in rows])
        }
        new = []
        for r in rows:
            target = enterprises[r["uscc"]]
            meter = existing.get(r["meter_id"])
            if meter is None:
                new.append(Meter(meter_id=r["meter_id"], enterprise_id=target))
            elif meter.enterprise_id != target:
                audit.record(
                    actor,
                    "power.meter.moved",
                    meter,
                    from_enterprise=meter.enterprise_id,
                    to_enterprise=target,
                )
                meter.enterprise_id = target
                meter.save(update_fields=["enterprise"])
                moved += 1
        Meter.objects.bulk_create(new, batch_size=2000)
        added = len(new)
        if added or moved:
            audit.record(actor, "power.meters.registered", None, source=source, added=added, moved=moved)
    return {"added": added, "moved": moved, "unchanged": len(rows) - added - moved}


def known_meters() -> set[str]:
    return set(Meter.objects.values_list("meter_id", flat=True))


def ingest(path, *, progress: bool = False) -> lake.IngestReport:
    report = lake.ingest(path, known_meters=known_meters(), progress=progress)
    audit.record(
        None,
        "power.readings.ingested",
        None,
        path=str(path),
        rows=report.rows_written,
        duplicates=report.duplicates_dropped,
        months=report.months,
    )
    return report


# -- the scan ----------------------------------------------------------------------------------


def meters_table() -> pa.Table:
    rows = list(Meter.objects.values_list("meter_id", "enterprise__uscc", "enterprise__sector"))
    return pa.table(
        {
            "meter_id": pa.array([r[0] for r in rows], pa.string()),
            "uscc": pa.array([r[1] for r in rows], pa.string()),
            "sector": pa.array([r[2] for r in rows], pa.string()),
        }
    )


def status_table() -> pa.Table:
    """The enterprise status timeline as the detector's status input."""
    rows = list(
        StatusPeriod.objects.filter(enterprise__meters__isnull=False)
        .distinct()
        .values_list("enterprise__uscc", "status", "start_date", "end_date")
    )
    return pa.table(
        {
            "uscc": pa.array([r[0] for r in rows], pa.string()),
            "status": pa.array([r[1] for r in rows], pa.string()),
            "start_date": pa.array([r[2] for r in rows], pa.date32()),
            "end_date": pa.array([r[3] for r in rows], pa.date32()),
        }
    )


@dataclass
class ScanReport:
    found: int = 0
    created: int = 0
    extended: int = 0
    unchanged: int = 0
    already_checked: int = 0
    first_day: date | None = None
    last_day: date | None = None
    quality: list[dict] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("quality", "created_ids")} | {
            "quality_issues": len(self.quality)
        }


def scan(*, since: date | None = None, until: date | None = None, engine: str = "duckdb") -> ScanReport:
    """Run the detector over the lake and the status timeline; create or extend alerts."""
    if since and until and since > until:
        raise ValidationError({"since": ["开始日期晚于结束日期"]})
    report = ScanReport()
    root = lake.readings_dir()
    if lake.span(root) is None:
        return report
    meters = meters_table()
    if not meters.num_rows:
        return report
    con = engines.connect(engine)
    result = engines.run(
        con, engines.read_readings(con, root), meters, status_table(), since=since, until=until
    )
    report.first_day, report.last_day, report.quality = result.first_day, result.last_day, result.quality
    report.found = len(result.alerts)
    by_key: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for a in result.alerts:
        by_key[(a["uscc"], a["kind"])].append(a)
    usccs = sorted({k[0] for k in by_key})
    enterprises = {}
    for i in range(0, len(usccs), 1000):  # keep each IN list well under SQLite's variable limit
        enterprises.update((e.uscc, e) for e in Enterprise.objects.filter(uscc__in=usccs[i : i + 1000]))
    recipients: dict[str, list] = {}
    for (uscc, kind), runs in sorted(by_key.items()):
        outcome, alert = _upsert(enterprises[uscc], kind, runs, recipients)
        setattr(report, outcome, getattr(report, outcome) + 1)
        if outcome == "created":
            report.created_ids.append(alert.pk)
    audit.record(
        None,
        "power.scan",
        None,
        **report.as_dict()
        | {
            "first_day": report.first_day,
            "last_day": report.last_day,
        },
    )
    return report


def _merge(runs: list[dict], not_before: date | None) -> dict | None:
    """One finding from the runs of an enterprise and kind, after what checks already covered."""
    runs = [r for r in runs if not_before is None or r["end_date"] >= not_before]
    if not runs:
        return None
    latest = max(runs, key=lambda r: r["end_date"])
    start = min(r["start_date"] for r in runs)
    if not_before is not None:
        start = max(start, not_before)
    # Flagged days, at most the days of the (possibly clipped) period.
    days = min(sum(r["days"] for r in runs), (latest["end_date"] - start).days + 1)
    evidence = latest["evidence"]
    if len(runs) > 1:
        evidence = f"共 {len(runs)} 段异常、{days} 天。最近一段：{evidence}"
    return {
        "start_date": start,
        "end_date": latest["end_date"],
        "days": days,
        "score": max(r["score"] for r in runs),
        "evidence": evidence,
        "energy": latest["energy"],
        "reference": latest["reference"],
    }


def _upsert(
    enterprise: Enterprise, kind: str, runs: list[dict], recipients: dict | None = None
) -> tuple[str, PowerAlert | None]:
    """Create, extend or leave the alert of `enterprise` and `kind` for the scan's `runs`.
    `recipients` caches each county's users to tell over one scan."""
    with transaction.atomic():
        # One scan at a time per enterprise: the row lock orders concurrent scans.
        Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
        alerts = PowerAlert.objects.filter(enterprise=enterprise, kind=kind)
        checked_until = alerts.exclude(state__in=OPEN_STATES).aggregate(m=Max("end_date"))["m"]
        found = _merge(runs, checked_until + timedelta(days=1) if checked_until else None)
        if found is None:
            return "already_checked", None
        current = alerts.filter(state__in=OPEN_STATES).first()
        if current is None:
            alert = PowerAlert.objects.create(
                enterprise=enterprise,
                region_id=enterprise.region_id,
                kind=kind,
                detected_at=clock.now(),
                **found,
            )
            audit.record(None, "power.poweralert.detected", alert, kind=kind, **_jsonable(found))
            _tell_county(alert, {} if recipients is None else recipients)
            return "created", alert
        found["start_date"] = min(current.start_date, found["start_date"])
        found["end_date"] = max(current.end_date, found["end_date"])
        if all(getattr(current, k) == v for k, v in found.items()):
            return "unchanged", current
        loop.transition(current, "extend", None, **found)
        return "extended", current


def _jsonable(found: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in found.items()}


def _tell_county(alert: PowerAlert, recipients: dict) -> None:
    """The county's safety office and inspectors learn of a new alert (looked up once per county)."""
    if alert.region_id not in recipients:
        recipients[alert.region_id] = list(
            User.objects.filter(
                region_id=alert.region_id, role__in=[Role.SAFETY_OFFICE, Role.INSPECTOR], is_active=True
            )
        )
    notify(
        recipients[alert.region_id],
        title=f"新的电力数据预警：{alert.enterprise.name}（{alert.get_kind_display()}）",
        body=alert.evidence,
        url=reverse("power:detail", args=[alert.pk]),
        obj=alert,
    )


# -- the loop ----------------------------------------------------------------------------------


def assign(*, actor, alert: PowerAlert, inspector_id: int) -> PowerAlert:
    inspector = User.objects.filter(pk=inspector_id).select_related("region").first()
    if inspector is None:
        raise ValidationError({"inspector_id": [f"用户 {inspector_id} 不存在"]})
    alert = loop.transition(alert, "assign", actor, inspector=inspector)
    if inspector != actor:
        notify(
            [inspector],
            title=f"请核查电力数据预警：{alert.enterprise.name}",
            body=alert.evidence,
            url=reverse("power:detail", args=[alert.pk]),
            obj=alert,
        )
    return alert


def _check(action, *, actor, alert, photo_ids, lat, lon, finding, checked_on=None) -> PowerAlert:
    finding = fields.text(finding, "finding", "现场核查情况", max_length=2000)
    photos = usable(actor, [int(i) for i in photo_ids or ()])
    return loop.transition(
        alert,
        action,
        actor,
        photos=photos,
        lat=lat,
        lon=lon,
        finding=finding,
        checked_on=checked_on or clock.today(),
    )


def confirm(*, actor, alert, **check) -> PowerAlert:
    """现场核查属实: the enterprise was producing (`check`: photo_ids, lat, lon, finding, checked_on)."""
    return _check("confirm", actor=actor, alert=alert, **check)


def dismiss(*, actor, alert, **check) -> PowerAlert:
    """误报: not producing; the finding says why (lighting, tests, a meter fault...)."""
    return _check("dismiss", actor=actor, alert=alert, **check)


def open_case(*, actor, alert: PowerAlert, cause: str = "", facts: str = "", officer_ids=()) -> PowerAlert:
    """One click: an enforcement case from a confirmed alert (cause and facts default from it)."""
    cause = fields.text(cause or CAUSES[alert.kind], "cause", "案由", max_length=200)
    facts = fields.text(
        facts
        or f"电力数据预警 {alert.number}：{alert.evidence}现场核查（{alert.checked_on}）：{alert.finding}",
        "facts",
        "违法事实",
        max_length=5000,
    )
    return loop.transition(alert, "open_case", actor, cause=cause, facts=facts, officer_ids=list(officer_ids))


def get_alert(user, pk: int) -> PowerAlert:
    return get_in_scope(
        PowerAlert.objects.select_related("enterprise", "region", "inspector", "case"), user, pk=pk
    )


def inspectors_for(user, alert: PowerAlert):
    """Inspectors who may be given the alert: active inspectors responsible for its county."""
    if user.role not in (Role.SAFETY_OFFICE, Role.ADMIN, Role.INSPECTOR):
        raise PermissionDenied("您的角色无权分派预警")
    codes = [alert.region_id]
    region = alert.region
    while region.parent_id:
        codes.append(region.parent_id)
        region = region.parent
    users = User.objects.filter(role=Role.INSPECTOR, is_active=True, region_id__in=codes)
    if user.role == Role.INSPECTOR:
        users = users.filter(pk=user.pk)
    return users.order_by("-region_id", "username")
