"""Every write to the enterprise registry: create, update, status changes, bulk creation.

Each function checks the actor's role and data scope, validates through `rules`, writes in
one transaction with the row locked, and appends to the audit log. Imports from core only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from benan.core import audit
from benan.core.errors import PermissionDenied
from benan.core.models import Role
from benan.core.scope import get_in_scope, region_in_scope

from .models import Enterprise, Status, StatusPeriod
from .rules import clean_enterprise

# Who may register and edit enterprises; everybody else only reads them.
REGISTRY_WRITERS = frozenset({Role.ADMIN, Role.SAFETY_OFFICE, Role.INSPECTOR})


def can_write(actor) -> bool:
    return actor is not None and (actor.is_admin or actor.role in REGISTRY_WRITERS)


def _require_writer(actor) -> None:
    if not can_write(actor):
        raise PermissionDenied("您的角色无权登记或修改企业信息")


def _require_region(actor, region_code: str) -> None:
    if actor is not None and not region_in_scope(actor, region_code):
        raise ValidationError({"region_code": ["该区县不在您的管辖范围内"]})


def _model_values(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    if "region_code" in values:
        values["region_id"] = values.pop("region_code")
    return values


def _snapshot(enterprise: Enterprise) -> dict[str, Any]:
    return {
        "uscc": enterprise.uscc, "name": enterprise.name, "region_code": enterprise.region_id,
        "sector": enterprise.sector, "address": enterprise.address,
        "lat": enterprise.lat, "lon": enterprise.lon, "scale": enterprise.scale,
        "legal_representative": enterprise.legal_representative,
        "safety_contact": enterprise.safety_contact,
        "safety_contact_phone": enterprise.safety_contact_phone, "park_id": enterprise.park_id,
    }


def _clean_status(status: Any, start_date: Any) -> tuple[str, date]:
    errors = {}
    if status not in Status.values:
        errors["status"] = [f"“{status}”不是可选状态，可选：{'、'.join(Status.values)}"]
    if not isinstance(start_date, date):
        errors["start_date"] = ["必须是日期（YYYY-MM-DD）"]
    if errors:
        raise ValidationError(errors)
    return status, start_date


def create_enterprise(
    *,
    actor,
    data: dict[str, Any],
    status: str = Status.NORMAL,
    status_since: date | None = None,
) -> Enterprise:
    """Register one enterprise with the first period of its status timeline."""
    _require_writer(actor)
    status, since = _clean_status(status, status_since or timezone.localdate())
    with transaction.atomic():
        cleaned = clean_enterprise(data)
        _require_region(actor, cleaned["region_code"])
        enterprise = Enterprise.objects.create(**_model_values(cleaned))
        StatusPeriod.objects.create(
            enterprise=enterprise, status=status, start_date=since, reason="登记"
        )
        audit.record(
            actor, "enterprises.enterprise.created", enterprise,
            **_snapshot(enterprise), status=status, status_since=since,
        )
    return enterprise


def update_enterprise(*, actor, enterprise: Enterprise, data: dict[str, Any]) -> Enterprise:
    """Change registry fields; the audit entry records each field's old and new value."""
    _require_writer(actor)
    with transaction.atomic():
        locked = get_in_scope(
            Enterprise.objects.select_for_update(of=("self",)), actor, pk=enterprise.pk
        )
        cleaned = clean_enterprise(data, instance=locked)
        if "region_code" in cleaned:
            _require_region(actor, cleaned["region_code"])
        before = _snapshot(locked)
        for field, value in _model_values(cleaned).items():
            setattr(locked, field, value)
        after = _snapshot(locked)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if changes:
            locked.save()
            audit.record(actor, "enterprises.enterprise.updated", locked, changes=changes)
    enterprise.refresh_from_db()
    return locked


def change_status(
    *, actor, enterprise: Enterprise, status: str, start_date: date, reason: str = ""
) -> StatusPeriod:
    """Start a new period of the status timeline on `start_date`.

    The period in force on that day ends the day before. History is not rewritten: the new
    period may not start before the latest one; starting on the same day corrects it.
    """
    _require_writer(actor)
    status, start_date = _clean_status(status, start_date)
    with transaction.atomic():
        locked = get_in_scope(
            Enterprise.objects.select_for_update(of=("self",)), actor, pk=enterprise.pk
        )
        latest = locked.status_periods.order_by("-start_date").first()
        if latest is not None:
            if start_date < latest.start_date:
                raise ValidationError({"start_date": [
                    f"不能早于当前状态的开始日期 {latest.start_date.isoformat()}"
                ]})
            if latest.status == status and latest.end_date is None:
                raise ValidationError({"status": [f"企业当前已是“{Status(status).label}”"]})
        if latest is not None and start_date == latest.start_date:
            previous = latest.status
            latest.status, latest.reason, latest.end_date = status, reason, None
            latest.save(update_fields=["status", "reason", "end_date"])
            period = latest
            audit.record(
                actor, "enterprises.enterprise.status_corrected", locked,
                period_id=period.pk, status=[previous, status], start_date=start_date,
                reason=reason,
            )
        else:
            if latest is not None and (latest.end_date is None or latest.end_date >= start_date):
                latest.end_date = start_date - timedelta(days=1)
                latest.save(update_fields=["end_date"])
            period = StatusPeriod.objects.create(
                enterprise=locked, status=status, start_date=start_date, reason=reason
            )
            audit.record(
                actor, "enterprises.enterprise.status_changed", locked,
                period_id=period.pk, status=status, start_date=start_date, reason=reason,
                previous=latest.status if latest else None,
            )
    return period


@dataclass(frozen=True)
class NewEnterprise:
    """One validated row for `create_many`, with its timeline."""

    data: dict[str, Any]  # cleaned by rules.clean_enterprise
    # (status, start, end) or (status, start, end, reason), in order; the reason defaults to 登记
    periods: tuple[tuple, ...]


def create_many(
    *,
    actor,
    rows: Iterable[NewEnterprise],
    action: str,
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert already-validated enterprises in batches, in one transaction, audited per row.

    For imports and demo data: callers validate every row first, so this either writes all
    of them or (on any database error) none.
    """
    if actor is not None:
        _require_writer(actor)
    count = 0
    with transaction.atomic():
        batch: list[NewEnterprise] = []

        def flush() -> None:
            nonlocal count
            objs = [Enterprise(**_model_values(row.data)) for row in batch]
            Enterprise.objects.bulk_create(objs)
            if objs[0].pk is None:  # backends that do not return ids from bulk inserts
                ids = dict(
                    Enterprise.objects.filter(uscc__in=[o.uscc for o in objs])
                    .values_list("uscc", "pk")
                )
                for obj in objs:
                    obj.pk = ids[obj.uscc]
            StatusPeriod.objects.bulk_create(
                StatusPeriod(enterprise_id=obj.pk, status=p[0], start_date=p[1], end_date=p[2],
                             reason=p[3] if len(p) > 3 else "登记")
                for obj, row in zip(objs, batch, strict=True)
                for p in row.periods
            )
            audit.record_many(
                actor,
                (audit.Event(action, obj, {**row.data, "status": row.periods[-1][0]})
                 for obj, row in zip(objs, batch, strict=True)),
            )
            count += len(objs)
            if progress is not None:
                progress(len(objs))
            batch.clear()

        for row in rows:
            if actor is not None:
                _require_region(actor, row.data["region_code"])
            batch.append(row)
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
    return count


# -- suspensions ordered by enforcement ---------------------------------------------------------


@dataclass(frozen=True)
class Suspension:
    """What `begin_suspension` did: the period now in force and the status to return to."""

    period: StatusPeriod
    resume_status: str
    adopted: bool  # the registry already recorded this suspension; the order took that period


def _covering(periods: list[StatusPeriod], day: date) -> StatusPeriod | None:
    return next(
        (p for p in periods if p.start_date <= day and (p.end_date is None or p.end_date >= day)), None
    )


def begin_suspension(*, actor, enterprise: Enterprise, start_date: date, reason: str) -> Suspension:
    """Put the enterprise's timeline to `suspended` from `start_date` for a suspension order.

    Called inside the order's transaction. History is never rewritten: the order may not start
    before the latest period. If the registry already records a suspension on that day (one
    entered before any order), the order adopts that period explicitly instead of opening a
    second one.
    """
    with transaction.atomic():
        locked = get_in_scope(Enterprise.objects.select_for_update(of=("self",)), actor, pk=enterprise.pk)
        periods = list(locked.status_periods.order_by("start_date"))
        latest = periods[-1] if periods else None
        if latest is not None and start_date < latest.start_date:
            raise ValidationError({"start_date": [
                f"不能早于企业当前状态（{latest.get_status_display()}）"
                f"的开始日期 {latest.start_date.isoformat()}"
            ]})
        current = _covering(periods, start_date)
        if current is not None and current.status == Status.CLOSED:
            raise ValidationError({"start_date": [
                f"企业自 {current.start_date.isoformat()} 起已关闭，不能责令停产整顿"
            ]})
        if current is not None and current.status == Status.SUSPENDED:
            before = [p for p in periods if p.start_date < current.start_date]
            resume = before[-1].status if before and before[-1].status != Status.CLOSED else Status.NORMAL
            audit.record(
                actor, "enterprises.enterprise.suspension_adopted", locked,
                period_id=current.pk, start_date=current.start_date, reason=reason,
            )
            return Suspension(period=current, resume_status=resume, adopted=True)
        resume = current.status if current is not None else Status.NORMAL
        period = change_status(
            actor=actor, enterprise=locked, status=Status.SUSPENDED, start_date=start_date, reason=reason
        )
        return Suspension(period=period, resume_status=resume, adopted=False)


def end_suspension(
    *, actor, enterprise: Enterprise, period: StatusPeriod | None, on: date, resume_status: str, reason: str
) -> StatusPeriod | None:
    """End a suspension period the day before `on` and resume `resume_status` from `on`.

    If the timeline has already moved on (the suspension period ended, e.g. the enterprise was
    closed), it is left alone and None is returned: the order is lifted, the record stands.
    """
    with transaction.atomic():
        locked = get_in_scope(Enterprise.objects.select_for_update(of=("self",)), actor, pk=enterprise.pk)
        latest = locked.status_periods.order_by("-start_date").first()
        if period is None or latest is None or latest.pk != period.pk or latest.status != Status.SUSPENDED:
            audit.record(
                actor, "enterprises.enterprise.suspension_ended_elsewhere", locked,
                period_id=period.pk if period else None, on=on, reason=reason,
            )
            return None
        if latest.end_date is not None and latest.end_date < on:
            return None
        if on <= latest.start_date:
            raise ValidationError({"lifted_on": [
                f"恢复生产日期必须晚于停产整顿开始日期 {latest.start_date.isoformat()}"
            ]})
        return change_status(
            actor=actor, enterprise=locked, status=resume_status, start_date=on, reason=reason
        )
