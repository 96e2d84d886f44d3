"""The decision form: penalty lines as a formset, errors on the line they belong to, nothing saved
when anything is wrong, and 一案双罚 shown when both the unit and a person are fined."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from benan.core import audit
from benan.enforcement import services
from benan.enforcement.models import EnforcementCase, Penalty
from tests.enforcement.conftest import DUAL

UNIT = {"party": "unit", "kind": "fine", "basis": "aqsc2021-97", "amount": "150000"}
PERSON = {
    "party": "person",
    "kind": "fine",
    "basis": "aqsc2021-97",
    "amount": "30000",
    "person_name": "张建国",
    "person_position": "总经理",
}


@pytest.fixture(autouse=True)
def fixed_day():
    with time_machine.travel(date(2026, 5, 11), tick=False):
        yield


@pytest.fixture
def ready(case_in, wuhou_ent, wuhou_inspector):
    """A notified case whose party waived the statement: ready for the decision."""
    case = case_in("notified", wuhou_ent)  # wuhou-inspector is one of its two officers
    services.record_statement(actor=wuhou_inspector, case=case, waived=True)
    return case


def url(case) -> str:
    return reverse("enforcement:decide", args=[case.pk])


def data(*lines, initial: int = 2, **extra) -> dict:
    body = {
        "penalties-TOTAL_FORMS": str(len(lines)),
        "penalties-INITIAL_FORMS": str(initial),
        "penalties-MIN_NUM_FORMS": "0",
        "penalties-MAX_NUM_FORMS": "20",
        **extra,
    }
    for n, line in enumerate(lines):
        body.update({f"penalties-{n}-{key}": value for key, value in line.items()})
    return body


def line_html(text: str, number: int) -> str:
    """The HTML of line `number` (1-based) of the form."""
    start = text.index(f'id="line-{number}"')
    end = text.find('id="line-', start + 10)
    return text[start:] if end < 0 else text[start:end]


def unchanged(case):
    case = EnforcementCase.objects.get(pk=case.pk)
    return (
        case.state,
        case.decision_number,
        Penalty.objects.filter(case=case).count(),
        audit.history(case).count(),
    )


def test_the_form_offers_two_lines_and_the_legal_bases(client, ready, wuhou_inspector):
    client.force_login(wuhou_inspector)
    response = client.get(url(ready))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="line-1"' in text and 'id="line-2"' in text and 'id="line-3"' not in text
    assert "《中华人民共和国安全生产法（2021年修正）》第九十七条" in text
    # Bases whose wording is not checked say so, in the choices and in the list below the form.
    assert "第一百零二条【原文待核】" in line_html(text, 1) and "unverified-mark" in text
    assert 'name="add_line"' in text and "添加一行" in text


def test_a_dual_penalty_saves_both_lines_and_shows_it(client, ready, wuhou_inspector):
    client.force_login(wuhou_inspector)
    preview = client.post(url(ready), data(UNIT, PERSON, preview="1"))
    assert preview.status_code == 200 and "将构成一案双罚" in preview.content.decode()
    assert unchanged(ready)[0] == "notified"

    response = client.post(url(ready), data(UNIT, PERSON, decision_number="武侯应急罚〔2026〕7号"))
    assert response.status_code == 302
    case = EnforcementCase.objects.get(pk=ready.pk)
    assert case.state == "decided" and case.dual_penalty and case.decision_number == "武侯应急罚〔2026〕7号"
    lines = list(case.penalties.values_list("party", "person_name", "amount"))
    assert [(p, n, int(a)) for p, n, a in lines] == [("unit", "", 150000), ("person", "张建国", 30000)]
    page = client.get(reverse("enforcement:detail", args=[case.pk])).content.decode()
    assert "已作出处罚决定 武侯应急罚〔2026〕7号（一案双罚）" in page
    assert 'class="badge text-bg-danger dual-mark">一案双罚' in page and "张建国" in page
    assert "180000.00" in page
    listing = client.get(reverse("enforcement:list"), {"dual_penalty": "true"}).content.decode()
    assert case.number in listing


def test_a_unit_fine_alone_is_not_dual(client, ready, wuhou_inspector):
    client.force_login(wuhou_inspector)
    # The untouched second line (a person, a fine, nothing else) is not counted.
    preview = client.post(url(ready), data(UNIT, {"party": "person", "kind": "fine"}, preview="1"))
    assert "不构成一案双罚" in preview.content.decode()
    assert client.post(url(ready), data(UNIT, {"party": "person", "kind": "fine"})).status_code == 302
    case = EnforcementCase.objects.get(pk=ready.pk)
    assert case.state == "decided" and not case.dual_penalty and case.penalties.count() == 1


@pytest.mark.parametrize(
    ("lines", "number", "message"),
    [
        ([{**UNIT, "basis": ""}, PERSON], 1, "必须注明法律依据"),
        ([UNIT, {**PERSON, "amount": "0"}], 2, "金额必须大于 0"),
        ([UNIT, {**PERSON, "person_name": ""}], 2, "对个人的处罚必须写明姓名"),
        ([UNIT, {**PERSON, "amount": "80000"}], 2, "的罚款最高 50,000 元"),
        ([UNIT, {**PERSON, "kind": "closure", "amount": ""}], 2, "只能对单位作出"),
    ],
)
def test_a_bad_line_shows_its_error_on_that_line_and_saves_nothing(
    client, ready, wuhou_inspector, lines, number, message
):
    before = unchanged(ready)
    client.force_login(wuhou_inspector)
    response = client.post(url(ready), data(*lines))
    assert response.status_code == 422
    text = response.content.decode()
    assert message in line_html(text, number), text[:3000]
    other = 2 if number == 1 else 1
    assert message not in line_html(text, other)
    assert "处罚决定未作出" in text
    # What was typed is still there.
    assert 'value="张建国"' in text or lines[1].get("person_name") == ""
    assert unchanged(ready) == before


def test_a_decision_without_lines_is_refused(client, ready, wuhou_inspector):
    before = unchanged(ready)
    client.force_login(wuhou_inspector)
    response = client.post(
        url(ready), data({"party": "unit", "kind": "fine"}, {"party": "person", "kind": "fine"})
    )
    assert response.status_code == 422
    assert "处罚决定至少要有一项处罚内容" in response.content.decode()
    assert unchanged(ready) == before


def test_adding_a_line_works_without_javascript(client, ready, wuhou_inspector):
    client.force_login(wuhou_inspector)
    response = client.post(url(ready), data(UNIT, PERSON, add_line="1"))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="line-3"' in text and 'value="张建国"' in text
    assert 'name="penalties-TOTAL_FORMS" value="3"' in text
    assert unchanged(ready)[0] == "notified"
    # The third line is used; a removed line is not.
    warning = {"party": "unit", "kind": "warning", "basis": "aqsc2021-97"}
    body = data(UNIT, {**PERSON, "DELETE": "on"}, warning)
    assert client.post(url(ready), body).status_code == 302
    case = EnforcementCase.objects.get(pk=ready.pk)
    assert list(case.penalties.values_list("kind", flat=True)) == ["fine", "warning"]
    assert not case.dual_penalty


def test_an_unverified_basis_is_marked_on_the_decision(client, ready, wuhou_inspector):
    client.force_login(wuhou_inspector)
    line = {"party": "unit", "kind": "fine", "basis": "aqsc2021-102", "amount": "20000"}
    assert client.post(url(ready), data(line)).status_code == 302
    page = client.get(reverse("enforcement:detail", args=[ready.pk])).content.decode()
    assert "第一百零二条" in page and "unverified-mark" in page


def test_the_decision_waits_for_the_statement_period(client, case_in, wuhou_ent, wuhou_inspector):
    case = case_in("notified", wuhou_ent)
    before = unchanged(case)
    client.force_login(wuhou_inspector)
    response = client.post(url(case), data(*DUAL))
    assert response.status_code == 409
    assert "期满或记录当事人意见后才能作出决定" in response.content.decode()
    assert unchanged(case) == before


def test_only_officers_decide_and_only_when_notified(
    client, ready, case_in, wuhou_ent, expert, ent_wuhou, wuhou_inspector, jinjiang_inspector
):
    before = unchanged(ready)
    for user in (expert, ent_wuhou):
        client.force_login(user)
        assert client.get(url(ready)).status_code == 403
        assert client.post(url(ready), data(*DUAL)).status_code == 403
    client.force_login(jinjiang_inspector)
    assert client.get(url(ready)).status_code == 404
    assert client.post(url(ready), data(*DUAL)).status_code == 404
    assert unchanged(ready) == before

    opened = case_in("opened", wuhou_ent)
    client.force_login(wuhou_inspector)
    response = client.get(url(opened))
    assert response.status_code == 409 and "告知当事人后才能作出决定" in response.content.decode()
    assert client.post(url(opened), data(*DUAL)).status_code == 409
