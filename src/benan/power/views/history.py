"""What the alert page shows of its past: the audit entries (queries.history), each with a Chinese
label and a one-line summary.

Imports from core and this app; nothing from the other view modules.
"""

from __future__ import annotations

from benan.core.models import User

from .. import queries
from ..models import AlertKind

HISTORY_LIMIT = 100
LABELS = {
    "power.poweralert.detected": "发现预警",
    "power.poweralert.extend": "延长预警期间",
    "power.poweralert.assign": "分派核查",
    "power.poweralert.confirm": "现场核查属实",
    "power.poweralert.dismiss": "现场核查为误报",
    "power.poweralert.open_case": "立案查处",
}
KINDS = dict(AlertKind.choices)


def _summary(entry, names: dict[int, str]) -> str:
    data = entry.data or {}
    action = entry.action.rsplit(".", 1)[-1]
    if action in ("detected", "extend"):
        period = f"{data.get('start_date', '')} 至 {data.get('end_date', '')}，共 {data.get('days', '')} 天"
        kind = KINDS.get(data.get("kind"), "")
        return f"{kind + '；' if kind else ''}异常期间 {period}"
    if action == "assign":
        return f"核查人员：{names.get(data.get('inspector'), data.get('inspector', ''))}"
    if action in ("confirm", "dismiss"):
        photos = len(data.get("photos") or [])
        return f"核查日期 {data.get('checked_on', '')}；现场照片 {photos} 张；{data.get('finding', '')}"
    if action == "open_case":
        return f"案由：{data.get('cause', '')}"
    return ""


def history_rows(alert) -> list[dict]:
    entries = queries.history(alert)[-HISTORY_LIMIT:][::-1]
    ids = {e.data.get("inspector") for e in entries if e.data and isinstance(e.data.get("inspector"), int)}
    names = {
        u.pk: u.get_full_name() or u.username
        for u in User.objects.filter(pk__in=ids).only("pk", "username", "first_name", "last_name")
    }
    return [
        {"entry": e, "label": LABELS.get(e.action, e.action), "summary": _summary(e, names)} for e in entries
    ]
