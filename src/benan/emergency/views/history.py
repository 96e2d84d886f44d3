"""What the emergency pages show of an object's past: its audit entries (queries.history), and
those of the rows that belong to it (a warehouse's stock lines, a dispatch's orders, a drill's
follow-up items), newest first, each with a Chinese label and a one-line summary.

Imports from core and this app; nothing from the other view modules.
"""

from __future__ import annotations

from heapq import merge

from .. import catalogue, queries
from ..models import Condition, Rating
from .common import HISTORY_LIMIT

LABELS = {
    "emergency.rescueteam.create": "登记救援队伍",
    "emergency.rescueteam.update": "修改队伍信息",
    "emergency.rescueteam.stand_down": "转为休整",
    "emergency.rescueteam.stand_by": "恢复待命",
    "emergency.rescueteam.deploy": "出动",
    "emergency.rescueteam.release": "归队待命",
    "emergency.warehouse.create": "登记物资库",
    "emergency.warehouse.update": "修改物资库信息",
    "emergency.stock.receive": "物资入库",
    "emergency.stock.minimum": "设置最低库存",
    "emergency.stock.write_off": "报废核销",
    "emergency.equipment.create": "登记装备",
    "emergency.equipment.reserve": "预约",
    "emergency.equipment.cancel_reservation": "取消预约",
    "emergency.equipment.lend": "借出",
    "emergency.equipment.return": "归还（完好）",
    "emergency.equipment.return_damaged": "归还（损坏待修）",
    "emergency.equipment.maintain": "送修保养",
    "emergency.equipment.finish_maintenance": "保养完成",
    "emergency.equipment.retire": "报废",
    "emergency.equipment.maintenance_due": "到期保养提醒",
    "emergency.loan.escalated": "逾期未还提醒",
    "emergency.dispatch.create": "发起调度",
    "emergency.dispatchorder.send": "下达指令",
    "emergency.dispatchorder.acknowledge": "确认接收",
    "emergency.dispatchorder.depart": "出发",
    "emergency.dispatchorder.arrive": "到达现场",
    "emergency.dispatchorder.return": "返回归队",
    "emergency.dispatchorder.cancel": "取消指令",
    "emergency.drill.create": "登记计划",
    "emergency.drill.hold": "登记实施和评估",
    "emergency.drill.cancel": "取消",
    "emergency.followup.create": "登记整改事项",
    "emergency.followup.submit": "提交整改情况",
    "emergency.followup.accept": "验收销号",
    "emergency.followup.reject": "退回重改",
    "emergency.followup.escalated": "整改逾期提醒",
}
CONDITIONS = dict(Condition.choices)
RATINGS = dict(Rating.choices)
FIELDS = {
    "name": "名称",
    "region_code": "所属区县",
    "address": "地址",
    "lat": "纬度",
    "lon": "经度",
    "contact": "联系人",
    "phone": "联系电话",
    "kind": "类型",
    "members": "队员人数",
    "capability_tags": "救援能力",
    "level": "级别",
    "capacity_m2": "库容",
    "is_pool": "装备公物仓",
}


def _quantity(data: dict) -> str:
    item = data.get("item")
    unit = catalogue.unit(item) if item else ""
    return f"{data.get('quantity', '')}{unit}"


def summary(entry) -> str:
    """A one-line Chinese summary of an emergency audit entry's data."""
    data = entry.data or {}
    action = entry.action.rsplit(".", 1)[-1]
    kind = entry.action.rsplit(".", 2)[-2] if entry.action.count(".") >= 2 else ""
    parts: list[str] = []
    if action == "update":
        changes = data.get("changes") or {}
        return "；".join(f"{FIELDS.get(k, k)}：{v[0]} → {v[1]}" for k, v in changes.items())
    if kind == "stock":
        if action == "receive":
            parts.append(f"{catalogue.name(data.get('item', ''))} {_quantity(data)}")
            if data.get("expiry_date"):
                parts.append(f"有效期至 {data['expiry_date']}")
        elif action == "minimum":
            parts.append(f"最低库存 {data.get('before')} → {data.get('after')}")
        elif action == "write_off":
            parts.append(f"批次 {data.get('batch')} 核销 {data.get('quantity')}")
    if kind == "dispatchorder" and action == "send":
        lines = data.get("lines") or []
        parts.append(
            "、".join(
                f"{catalogue.name(x.get('item', ''))} {_quantity(x)}" for x in lines if isinstance(x, dict)
            )
        )
    if kind == "equipment" and action == "create":
        parts.append(f"{catalogue.name(data.get('item', ''))}，出厂编号 {data.get('serial', '')}")
    if kind == "dispatch" and action == "create":
        parts.append(f"事发地 {data.get('lat', '')}, {data.get('lon', '')}")
    for key, label in (
        ("borrower", "借用单位"),
        ("expected_return", "预计归还"),
        ("next_maintenance", "下次保养"),
        ("held_on", "实施日期"),
        ("participant_count", "参加人数"),
        ("due_date", "整改期限"),
        ("days_overdue", "逾期天数"),
    ):
        if data.get(key) not in (None, ""):
            parts.append(f"{label} {data[key]}")
    if data.get("condition"):
        parts.append(CONDITIONS.get(data["condition"], data["condition"]))
    if data.get("rating"):
        parts.append(f"评估等级 {RATINGS.get(data['rating'], data['rating'])}")
    for key in ("note", "reason", "result", "comment", "purpose", "evaluation"):
        text = str(data.get(key) or "").strip()
        if text:
            parts.append(text[:120])
    return "；".join(p for p in parts if p)


def history_rows(*objects) -> list[dict]:
    """The audit entries of `objects`, newest first, at most HISTORY_LIMIT."""
    streams = [queries.history(obj).order_by("-seq")[:HISTORY_LIMIT] for obj in objects if obj is not None]
    entries = list(merge(*(list(s) for s in streams), key=lambda e: e.seq, reverse=True))[:HISTORY_LIMIT]
    return [{"entry": e, "label": LABELS.get(e.action, e.action), "summary": summary(e)} for e in entries]
