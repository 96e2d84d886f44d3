"""The rules of the power-alert loop: guards refuse a move, effects record what it fixes.

Called by core.loop.transition on the locked alert, with `data` typed by services.py. Guards raise
ValidationError (422, naming the field) for bad input and a DomainError (403/409) when the move is
not allowed now. Models are imported late (they import this module).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from benan.core import clock, fields, geo
from benan.core.errors import InvalidTransition, PermissionDenied
from benan.core.models import Role
from benan.core.scope import region_in_scope


def assign(alert, actor, data) -> None:
    inspector = data.get("inspector")
    if inspector is None:
        raise ValidationError({"inspector_id": ["必须选择核查人员"]})
    if inspector.role != Role.INSPECTOR or not inspector.is_active:
        raise ValidationError(
            {"inspector_id": [f"{inspector.get_full_name() or inspector.username} 不是在岗的执法检查人员"]}
        )
    if not region_in_scope(inspector, alert.region_id):
        raise ValidationError(
            {"inspector_id": [f"{inspector.get_full_name() or inspector.username} 不负责{alert.region.name}"]}
        )
    # An inspector may take an alert for themselves; only a safety office hands it to someone else.
    if actor is not None and actor.role == Role.INSPECTOR and inspector.pk != actor.pk:
        raise PermissionDenied("执法检查人员只能把预警分派给自己，分派给他人须由安委办办理")


def apply_assign(alert, actor, data):
    alert.inspector = data["inspector"]
    alert.assigned_at = clock.now()
    return ["inspector", "assigned_at"]


def check(alert, actor, data) -> None:
    """The on-site check: by the assigned inspector, with photos, a position in Sichuan and a finding."""
    if actor is not None and not actor.is_admin and actor.pk != alert.inspector_id:
        raise PermissionDenied("只有被分派的核查人员可以登记现场核查结果")
    if not data.get("photos"):
        raise ValidationError({"photo_ids": ["必须上传至少一张现场照片"]})
    if any(not p.content_type.startswith("image/") for p in data["photos"]):
        raise ValidationError({"photo_ids": ["现场照片须为图片文件（JPEG、PNG）"]})
    lat, lon = data.get("lat"), data.get("lon")
    if lat is None or lon is None:
        raise ValidationError({"lat": ["必须记录核查位置（GPS 经纬度）"]})
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError({"lat": ["经纬度超出有效范围（纬度 -90~90，经度 -180~180）"]})
    if not geo.in_sichuan(lat, lon):
        raise ValidationError({"lat": [f"核查位置（{lat:.5f}, {lon:.5f}）不在四川省范围内"]})
    fields.required(data, "finding", "现场核查情况")
    fields.past_day(
        data,
        "checked_on",
        "核查日期",
        not_before=timezone.localdate(alert.assigned_at) if alert.assigned_at else None,
        not_before_label="分派日期",
    )


def apply_check(alert, actor, data):
    alert.checked_on = data["checked_on"]
    alert.check_lat, alert.check_lon = data["lat"], data["lon"]
    alert.finding = data["finding"].strip()
    alert.closed_at = clock.now()
    alert.photos.set(data["photos"])
    return ["checked_on", "check_lat", "check_lon", "finding", "closed_at"]


def open_case(alert, actor, data) -> None:
    if alert.case_id is not None:
        raise InvalidTransition(f"该预警已立案（案件 {alert.case.number}），不能重复立案")


def apply_open_case(alert, actor, data):
    """Open the enforcement case through its own service (its checks, scope and audit apply)."""
    from benan.enforcement import services as enforcement
    from benan.enforcement.models import Origin

    alert.case = enforcement.open_case(
        actor=actor,
        enterprise=alert.enterprise,
        cause=data["cause"],
        facts=data["facts"],
        origin=Origin.POWER_ALERT,
        origin_ref=alert.number,
        officer_ids=data.get("officer_ids") or (),
    )
    data["case"] = alert.case.pk
    return ["case"]


def apply_extend(alert, actor, data):
    changed = []
    for name in ("start_date", "end_date", "days", "score", "evidence", "energy", "reference"):
        if getattr(alert, name) != data[name]:
            setattr(alert, name, data[name])
            changed.append(name)
    return changed
