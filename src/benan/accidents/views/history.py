"""What the accident detail shows of its past: the audit entries of the accident and of its
reporting steps, investigation, measures and accountability records (queries.history), each with
a Chinese label and a one-line summary, limited to what the reader may see.

Imports from core, standards, this app; nothing from the other view modules.
"""

from __future__ import annotations

from benan.standards import accident_grades

from .. import queries
from ..models import Accident, AccountabilityKind, FourNos, Grade, Kind, ReportKind

HISTORY_LIMIT = 200
LABELS = {
    "accidents.accident.reported": "事故快报",
    "accidents.accident.followed_up": "续报/补报",
    "accidents.reportingstep.acknowledge": "确认接报",
    "accidents.investigation.opened": "成立事故调查组",
    "accidents.investigation.extend": "延长调查期限",
    "accidents.investigation.submit": "提交调查报告",
    "accidents.investigation.reply": "批复",
    "accidents.investigation.publish": "公布调查报告",
    "accidents.investigation.close": "结案",
    "accidents.investigation.four_nos": "四不放过",
    "accidents.measure.assigned": "登记整改措施",
    "accidents.measure.submit": "提交整改落实情况",
    "accidents.measure.verify": "整改验收销号",
    "accidents.measure.reject": "退回整改",
    "accidents.accountability.recorded": "登记责任追究",
}
GRADES = dict(Grade.choices)
KINDS = dict(Kind.choices)
REPORT_KINDS = dict(ReportKind.choices)
FOUR_NOS = dict(FourNos.choices)
ACCOUNTABILITY = dict(AccountabilityKind.choices)
FIGURES = {
    "deaths": "死亡",
    "serious_injuries": "重伤",
    "minor_injuries": "轻伤",
    "missing": "下落不明",
    "direct_loss_cny": "直接经济损失（元）",
}


def summary(entry) -> str:
    """A one-line Chinese summary of an accident audit entry's data."""
    data = entry.data or {}
    action = entry.action
    if action == "accidents.accident.reported":
        return (
            f"编号 {data.get('number', '')}；{KINDS.get(data.get('kind'), data.get('kind', ''))}；"
            f"死亡 {data.get('deaths', 0)}、重伤 {data.get('serious_injuries', 0)}、"
            f"下落不明 {data.get('missing', 0)}；定为{GRADES.get(data.get('grade'), '')}"
        )
    if action == "accidents.accident.followed_up":
        parts = [REPORT_KINDS.get(data.get("kind"), "")]
        for field, label in FIGURES.items():
            change = data.get(field)
            if isinstance(change, list) and len(change) == 2:
                parts.append(f"{label} {change[0]}→{change[1]}")
        grades = data.get("grade") or []
        if len(grades) == 2 and grades[0] != grades[1]:
            parts.append(f"等级 {GRADES.get(grades[0], grades[0])}→{GRADES.get(grades[1], grades[1])}")
        if data.get("added_levels"):
            labels = "、".join(accident_grades.LEVEL_LABELS.get(x, x) for x in data["added_levels"])
            parts.append(f"报告链延伸至{labels}")
        if data.get("late"):
            parts.append("逾期补报")
        return "；".join(p for p in parts if p)
    if action == "accidents.reportingstep.acknowledge":
        return data.get("note", "")
    if action == "accidents.investigation.opened":
        return f"牵头：{data.get('lead', '')}；调查报告期限 {data.get('due_date', '')}"
    if action == "accidents.investigation.extend":
        return f"延长 {data.get('days', '')} 日；{data.get('reason', '')}"
    if action == "accidents.investigation.submit":
        return f"{data.get('submitted_on', '')} 提交；{data.get('summary', '')}"
    if action == "accidents.investigation.reply":
        return f"{data.get('replied_on', '')} 批复：{data.get('reply', '')}"
    if action == "accidents.investigation.four_nos":
        state = "已落实" if data.get("done") else "重新打开"
        return f"{FOUR_NOS.get(data.get('item'), data.get('item', ''))}：{state}；{data.get('note', '')}"
    if action == "accidents.measure.assigned":
        return f"{data.get('description', '')}（期限 {data.get('due_date', '')}）"
    if action == "accidents.measure.submit":
        return data.get("result", "")
    if action in ("accidents.measure.verify", "accidents.measure.reject"):
        return data.get("comment", "")
    if action == "accidents.accountability.recorded":
        kind = ACCOUNTABILITY.get(data.get("kind"), data.get("kind", ""))
        person = f"{data.get('person_name', '')}（{data.get('position', '')}）"
        return f"{person}：{kind}；{data.get('decided_by', '')}"
    return ""


def history_rows(accident: Accident, user) -> list[dict]:
    """The newest entries first. Measures and accountability records the reader may not see
    (an enterprise sees only the measures assigned to it, and no accountability) are left out."""
    rows = []
    for entry in queries.history(accident, user).order_by("-seq"):
        rows.append(
            {"entry": entry, "label": LABELS.get(entry.action, entry.action), "summary": summary(entry)}
        )
        if len(rows) >= HISTORY_LIMIT:
            break
    return rows
