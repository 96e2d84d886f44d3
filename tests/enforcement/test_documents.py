"""The penalty decision and the suspension order as Word files: they open, and hold the case's facts."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import docx
import pytest

from benan.core.models import Region
from benan.enforcement import documents, services

from .conftest import DUAL


def text_of(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def test_the_penalty_decision_holds_the_case(api, cd_office, case_in, wuhou_ent):
    case = case_in("decided", wuhou_ent)
    response = api(cd_office).get(f"/api/v1/cases/{case.pk}/decision.docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    text = text_of(response.content)
    case.refresh_from_db()
    for expected in (
        "成都市武侯区应急管理局",
        "行政处罚决定书",
        case.decision_number,
        wuhou_ent.name,
        wuhou_ent.uscc,
        case.number,
        case.facts,
        "现场照片.png",  # the evidence
        "张建国（总经理）",
        "《中华人民共和国安全生产法（2021年修正）》第九十七条",
        "150,000.00",
        "30,000.00",
        "罚没金额合计：180,000.00 元（大写：壹拾捌万元整）",
        "一案双罚",
        "六十日内依法申请行政复议",
        f"{case.decided_on.year}年{case.decided_on.month}月{case.decided_on.day}日",
    ):
        assert expected in text, expected
    assert "{{" not in text and "{%" not in text


def test_an_unverified_basis_is_marked_in_the_document(cd_office, case_in, wuhou_ent):
    lines = [{"party": "unit", "kind": "fine", "basis": "aqsc2021-102", "amount": "20000"}]
    case = case_in("decided", wuhou_ent, penalties=lines)
    text = text_of(documents.penalty_decision(case))
    assert "第一百零二条（依据原文待核）" in text
    assert "一案双罚" not in text


def test_no_decision_document_before_the_decision(api, cd_office, case_in, wuhou_ent):
    case = case_in("notified", wuhou_ent)
    response = api(cd_office).get(f"/api/v1/cases/{case.pk}/decision.docx")
    assert response.status_code == 409
    assert "尚未作出处罚决定" in response.json()["detail"]


def test_the_document_is_out_of_reach_outside_the_scope(api, jinjiang_inspector, case_in, wuhou_ent):
    case = case_in("decided", wuhou_ent)
    assert api(jinjiang_inspector).get(f"/api/v1/cases/{case.pk}/decision.docx").status_code == 404


def test_the_suspension_order_holds_the_order(api, cd_office, case_in, wuhou_ent):
    lines = [*DUAL, {"party": "unit", "kind": "suspension", "basis": "aqsc2021-97"}]
    case = case_in("decided", wuhou_ent, penalties=lines)
    order = services.order_suspension(
        actor=cd_office,
        case=case,
        start_date=case.decided_on,
        scope="一号生产车间",
        lifting_conditions="修订应急预案并完成演练，经复查合格",
    )
    response = api(cd_office).get(f"/api/v1/suspensions/{order.pk}/order.docx")
    assert response.status_code == 200
    text = text_of(response.content)
    start = order.start_date
    for expected in (
        "责令停产停业整顿指令书",
        order.number,
        wuhou_ent.name,
        "一号生产车间",
        "修订应急预案并完成演练",
        f"自{start.year}年{start.month}月{start.day}日起停产停业整顿",
        "第九十七条",
        case.number,
    ):
        assert expected in text, expected


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "零元整"),
        ("1", "壹元整"),
        ("10", "壹拾元整"),
        ("105", "壹佰零伍元整"),
        ("1005", "壹仟零伍元整"),
        ("20000", "贰万元整"),
        ("180000", "壹拾捌万元整"),
        ("100050", "壹拾万零伍拾元整"),
        ("1000000", "壹佰万元整"),
        ("10005000", "壹仟万零伍仟元整"),
        ("100000000", "壹亿元整"),
        ("15000", "壹万伍仟元整"),
        ("1800001", "壹佰捌拾万零壹元整"),
        ("0.5", "伍角整"),
        ("12.05", "壹拾贰元零伍分"),
        ("3500.75", "叁仟伍佰元柒角伍分"),
    ],
)
def test_amounts_in_capital_numerals(amount, words):
    assert documents.amount_in_words(Decimal(amount)) == words


@pytest.mark.parametrize(
    ("code", "authority"),
    [("510000", "四川省应急管理厅"), ("510100", "成都市应急管理局"), ("510107", "成都市武侯区应急管理局")],
)
def test_the_issuing_authority(regions, code, authority):
    assert documents.authority_of(Region.objects.get(code=code)) == authority


def test_dates_are_written_the_chinese_way():
    assert documents.chinese_date(date(2026, 3, 5)) == "2026年3月5日"
