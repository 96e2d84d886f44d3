"""What the case detail shows of a case's past and future: its history (audit entries with a Chinese
label and a one-line summary), the step bar (timeline) and the deadlines.

Imports from this app only; nothing from the other view modules.
"""

from __future__ import annotations

from datetime import date

from .. import queries
from ..models import CaseState, EnforcementCase, Origin, Party, PenaltyKind, ReferralCategory

HISTORY_LIMIT = 200
# The steps of a case in order, for the timeline.
STEPS = [
    (CaseState.OPENED, "立案"),
    (CaseState.INVESTIGATING, "调查取证"),
    (CaseState.NOTIFIED, "告知"),
    (CaseState.DECIDED, "决定"),
    (CaseState.EXECUTED, "执行"),
    (CaseState.CLOSED, "结案"),
]
STEP_INDEX = {state: n for n, (state, _) in enumerate(STEPS)}


HISTORY_LABELS = {
    "enforcement.enforcementcase.opened": "立案",
    "enforcement.enforcementcase.officers_assigned": "指派执法人员",
    "enforcement.enforcementcase.evidence_added": "添加证据材料",
    "enforcement.enforcementcase.investigate": "开始调查取证",
    "enforcement.enforcementcase.notify": "告知",
    "enforcement.enforcementcase.statement": "记录陈述申辩",
    "enforcement.enforcementcase.hearing": "记录听证",
    "enforcement.enforcementcase.decide": "作出处罚决定",
    "enforcement.enforcementcase.execute": "执行",
    "enforcement.enforcementcase.close": "结案",
    "enforcement.enforcementcase.withdraw": "撤销案件",
    "enforcement.suspensionorder.ordered": "责令停产停业整顿",
    "enforcement.suspensionorder.lift": "解除停产整顿",
    "enforcement.criminalreferral.reported": "提出涉嫌犯罪案件移送",
    "enforcement.criminalreferral.approve": "批准移送",
    "enforcement.criminalreferral.refuse": "不予移送",
    "enforcement.criminalreferral.transfer": "移送公安机关",
    "enforcement.criminalreferral.accepted": "公安已立案",
    "enforcement.criminalreferral.declined": "公安不予立案",
    "enforcement.blacklistentry.listed": "列入严重失信主体名单",
    "enforcement.blacklistentry.apply_exit": "申请提前移出",
    "enforcement.blacklistentry.approve_exit": "同意提前移出",
    "enforcement.blacklistentry.reject_exit": "驳回移出申请",
    "enforcement.blacklistentry.expire": "期满移出",
}
KIND_LABELS = dict(PenaltyKind.choices)
PARTY_LABELS = dict(Party.choices)
CATEGORY_LABELS = dict(ReferralCategory.choices)
ORIGIN_LABELS = dict(Origin.choices)


def _summary(entry) -> str:
    """A one-line Chinese summary of an enforcement audit entry's data."""
    data = entry.data or {}
    action = entry.action.rsplit(".", 1)[-1]
    model = entry.action.split(".")[1] if entry.action.count(".") >= 2 else ""
    if action == "opened":
        origin = ORIGIN_LABELS.get(data.get("origin"), data.get("origin", ""))
        return f"案号 {data.get('number', '')}；来源：{origin}；案由：{data.get('cause', '')}"
    if action == "officers_assigned":
        officers = data.get("officers") or [[], []]
        return f"执法人员 {len(officers[-1])} 名"
    if action == "evidence_added":
        return "、".join(data.get("names") or [])
    if action == "notify":
        text = f"告知日期 {data.get('notified_on', '')}；{data.get('proposal', '')}"
        return text + ("；享有听证权利" if data.get("hearing_right") else "")
    if action == "statement":
        text = "当事人放弃陈述申辩" if data.get("waived") else f"陈述申辩：{data.get('statement', '')}"
        return text + ("；申请听证" if data.get("hearing_requested") else "")
    if action == "hearing":
        return f"{data.get('held_on', '')} {data.get('record', '')}"
    if action == "decide":
        lines = data.get("penalties") or []
        parts = [
            f"{line.get('person_name') or PARTY_LABELS.get(line.get('party'), '')}"
            f"{KIND_LABELS.get(line.get('kind'), line.get('kind', ''))}"
            + (f" {line['amount']} 元" if line.get("amount") else "")
            for line in lines
        ]
        return f"{data.get('decision_number', '')}：" + "；".join(parts)
    if action == "execute":
        paid = data.get("paid_cny")
        return data.get("execution", "") + (f"（已缴 {paid} 元）" if paid is not None else "")
    if action == "close":
        return data.get("report", "")
    if action in ("withdraw", "refuse"):
        return f"理由：{data.get('reason', '')}"
    if model == "suspensionorder" and action == "ordered":
        return f"{data.get('number', '')}，自 {data.get('start_date', '')} 起；范围：{data.get('scope', '')}"
    if action == "lift":
        return f"恢复生产日期 {data.get('lifted_on', '')}；{data.get('comment', '')}"
    if action == "reported":
        return CATEGORY_LABELS.get(data.get("category"), data.get("category", ""))
    if action == "transfer":
        return f"接收机关：{data.get('receiving_organ', '')}"
    if action in ("accepted", "declined"):
        return data.get("result", "")
    if action == "listed":
        return (
            f"{data.get('reason', '')}（{data.get('entry_date', '')} 至 {data.get('planned_exit_date', '')}）"
        )
    if action == "apply_exit":
        return data.get("application", "")
    if action in ("approve_exit", "reject_exit"):
        return data.get("comment", "")
    return ""


def _history(case: EnforcementCase, user) -> list[dict]:
    entries = list(queries.history(case, user))
    return [
        {"entry": e, "label": HISTORY_LABELS.get(e.action, e.action), "summary": _summary(e)}
        for e in reversed(entries[-HISTORY_LIMIT:])
    ]


def _timeline(case: EnforcementCase, history: list[dict]) -> list[dict]:
    """The steps with done / current flags; a withdrawn case shows how far it had come."""
    if case.state == CaseState.WITHDRAWN:
        withdrawn_from = next(
            (
                row["entry"].data.get("from_state")
                for row in history
                if row["entry"].action == "enforcement.enforcementcase.withdraw"
            ),
            CaseState.OPENED,
        )
        reached = STEP_INDEX.get(withdrawn_from, 0)
        steps = [
            {"label": label, "done": n <= reached, "current": False} for n, (_, label) in enumerate(STEPS)
        ][: reached + 1]
        return [*steps, {"label": "已撤销", "done": True, "current": True, "withdrawn": True}]
    at = STEP_INDEX[case.state]
    return [
        {"label": label, "done": n < at or case.state == CaseState.CLOSED, "current": n == at}
        for n, (_, label) in enumerate(STEPS)
    ]


def _deadlines(case: EnforcementCase, today: date) -> list[dict]:
    rows = [
        {
            "label": "办案期限",
            "due": case.decision_due,
            "overdue": queries.case_overdue(case, today),
            "note": "立案之日起作出处罚决定的期限",
        }
    ]
    answered = case.statement_on is not None
    if case.statement_due:
        rows.append(
            {
                "label": "陈述申辩期限",
                "due": case.statement_due,
                "overdue": False,
                "passed": not answered and today > case.statement_due,
                "note": "已记录当事人意见" if answered else "",
            }
        )
    if case.hearing_due:
        rows.append(
            {
                "label": "听证申请期限",
                "due": case.hearing_due,
                "overdue": False,
                "passed": today > case.hearing_due,
                "note": "当事人已申请听证" if case.hearing_requested else "",
            }
        )
    if case.payment_due:
        rows.append(
            {
                "label": "缴款期限",
                "due": case.payment_due,
                "overdue": case.state == CaseState.DECIDED and today > case.payment_due,
                "note": "",
            }
        )
    return rows
