"""Word documents of a case: the penalty decision (行政处罚决定书) and the suspension order
(责令停产停业整顿指令书), filled from the templates under templates/enforcement/docx/.

The templates are docxtpl (Jinja in Word); scripts/make_docx_templates.py writes them. Every
value is prepared here as text, so the templates hold wording only. Imports from core,
enterprises and this app.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from importlib import resources

from django.utils import timezone
from docxtpl import DocxTemplate

from benan.core.errors import InvalidTransition
from benan.core.models import Region, RegionLevel

from . import rules
from .models import EnforcementCase, Party, PenaltyKind, SuspensionOrder

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
BIG_UNITS = ("", "万", "亿", "万亿")


def _four(n: int) -> str:
    """0 < n < 10000 in capital numerals, zeros collapsed (e.g. 1005 → 壹仟零伍)."""
    text, zero = "", False
    for power in (3, 2, 1, 0):
        digit = n // 10**power % 10
        if digit == 0:
            zero = bool(text)
        else:
            if zero:
                text += "零"
            text += DIGITS[digit] + SMALL_UNITS[power]
            zero = False
    return text


def amount_in_words(amount: Decimal) -> str:
    """人民币大写: 125000.50 → 壹拾贰万伍仟元伍角整 (the form banks and documents use)."""
    amount = Decimal(amount).quantize(Decimal("0.01"))
    if amount < 0:
        raise ValueError("amount must not be negative")
    yuan = int(amount)
    jiao, fen = int(amount * 10) % 10, int(amount * 100) % 10
    groups, words = [], ""
    while yuan:
        groups.append(yuan % 10000)
        yuan //= 10000
    previous = None
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            if words and not words.endswith("零"):
                words += "零"
            previous = group
            continue
        # A zero between digits is written once, also across the 万 boundary (壹仟万零伍仟).
        gap = previous is not None and (previous % 10 == 0 or group < 1000)
        if words and gap and not words.endswith("零"):
            words += "零"
        words += _four(group) + BIG_UNITS[index]
        previous = group
    words = words.rstrip("零")
    if not words and not jiao and not fen:
        return "零元整"
    text = f"{words}元" if words else ""
    if jiao:
        text += DIGITS[jiao] + "角"
    elif fen and words:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    else:
        text += "整"
    return text


def authority_of(region: Region) -> str:
    """The issuing department: 成都市武侯区应急管理局, 成都市应急管理局, 四川省应急管理厅."""
    if region.level == RegionLevel.PROVINCE:
        return f"{region.name}应急管理厅"
    if region.level == RegionLevel.COUNTY and region.parent is not None:
        return f"{region.parent.name}{region.name}应急管理局"
    return f"{region.name}应急管理局"


def chinese_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _render(template: str, context: dict) -> bytes:
    path = resources.files("benan.enforcement").joinpath(f"templates/enforcement/docx/{template}")
    with resources.as_file(path) as file:
        doc = DocxTemplate(str(file))
        doc.render(context, autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _notice_text(case: EnforcementCase) -> str:
    rights = "陈述、申辩和要求听证" if case.hearing_right else "陈述、申辩"
    text = (
        f"本机关于{chinese_date(case.notified_on)}告知当事人拟作出行政处罚的事实、理由、依据，"
        f"以及依法享有的{rights}的权利。"
    )
    if case.statement_waived:
        text += "当事人放弃陈述、申辩。"
    elif case.statement:
        text += f"当事人于{chinese_date(case.statement_on)}提出陈述、申辩意见：{case.statement}。"
        text += "本机关已予复核。"
    else:
        text += "当事人在规定期限内未提出陈述、申辩意见。"
    if case.hearing_held_on:
        text += f"应当事人申请，本机关于{chinese_date(case.hearing_held_on)}举行听证：{case.hearing_record}。"
    return text


def penalty_decision(case: EnforcementCase) -> bytes:
    """The 行政处罚决定书 of a decided case."""
    if case.decided_on is None:
        raise InvalidTransition("案件尚未作出处罚决定，不能生成行政处罚决定书")
    penalties = []
    for n, p in enumerate(case.penalties.all(), start=1):
        position = p.person_position or "有关责任人员"
        who = "当事单位" if p.party == Party.UNIT else f"{p.person_name}（{position}）"
        basis = p.basis_title + ("（依据原文待核）" if not p.basis_verified else "")
        amount = f"{p.amount:,.2f}" if p.amount is not None else "—"
        penalties.append(
            {"order": n, "party": who, "kind": p.get_kind_display(), "basis": basis, "amount": amount}
        )
    evidence = "、".join(a.name for a in case.evidence.all()) or "现场检查笔录等"
    fines = case.fines_total or Decimal(0)
    payment = (
        f"罚没款自收到本决定书之日起{rules.current().payment_days}日内（{chinese_date(case.payment_due)}前）"
        "缴至指定银行；逾期不缴纳的，本机关将依法加处罚款并申请人民法院强制执行。"
        if fines
        else "其他处罚内容自收到本决定书之日起执行。"
    )
    context = {
        "authority": authority_of(case.region),
        "decision_number": case.decision_number,
        "enterprise": case.enterprise,
        "case": case,
        "evidence": evidence,
        "notice": _notice_text(case),
        "penalties": penalties,
        "fines_total": f"{fines:,.2f}",
        "fines_total_upper": amount_in_words(fines),
        "dual_penalty": case.dual_penalty,
        "payment": payment,
        "decided_on": chinese_date(case.decided_on),
    }
    return _render("penalty_decision.docx", context)


def suspension_order(order: SuspensionOrder) -> bytes:
    """The 责令停产停业整顿指令书 of an order."""
    case = order.case
    bases = [p.basis_title for p in case.penalties.filter(kind=PenaltyKind.SUSPENSION)]
    context = {
        "authority": authority_of(order.region),
        "order": order,
        "enterprise": order.enterprise,
        "case": case,
        "basis": "、".join(dict.fromkeys(bases)) or "《中华人民共和国安全生产法》的有关规定",
        "start_date": chinese_date(order.start_date),
        "ordered_on": chinese_date(timezone.localdate(order.ordered_at)),
    }
    return _render("suspension_order.docx", context)
