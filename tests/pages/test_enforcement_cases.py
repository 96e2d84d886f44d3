"""The case pages: the scoped list and its filters, opening a case, and a case walked through the
action forms to closed, with wrong moves refused and nothing changed."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from benan.core import audit
from benan.enforcement.models import EnforcementCase
from tests.enforcement.conftest import DUAL, PNG

TODAY = date(2026, 5, 11)


@pytest.fixture(autouse=True)
def fixed_day():
    with time_machine.travel(TODAY, tick=False):
        yield


def detail(case) -> str:
    return reverse("enforcement:detail", args=[case.pk])


def act(case, action: str) -> str:
    return reverse("enforcement:action", args=[case.pk, action])


def snapshot(case):
    case = EnforcementCase.objects.get(pk=case.pk)
    return (
        case.state,
        case.proposal,
        case.withdrawn_reason,
        case.closing_report,
        case.officers.count(),
        case.evidence.count(),
        audit.history(case).count(),
    )


def decision_data(lines) -> dict:
    data = {
        "penalties-TOTAL_FORMS": str(len(lines)),
        "penalties-INITIAL_FORMS": "2",
        "penalties-MIN_NUM_FORMS": "0",
        "penalties-MAX_NUM_FORMS": "20",
    }
    for n, line in enumerate(lines):
        data.update({f"penalties-{n}-{key}": value for key, value in line.items()})
    return data


# -- the list ----------------------------------------------------------------------------------


def test_the_list_shows_the_cases_of_the_scope_only(
    client, case_in, wuhou_ent, jinjiang_ent, wuhou_inspector, jinjiang_inspector, cd_office
):
    wuhou, jinjiang = case_in("opened", wuhou_ent), case_in("opened", jinjiang_ent)
    client.force_login(jinjiang_inspector)
    text = client.get(reverse("enforcement:list")).content.decode()
    assert jinjiang.number in text and jinjiang_ent.name in text
    assert wuhou.number not in text and wuhou_ent.name not in text
    assert client.get(detail(wuhou)).status_code == 404
    assert client.get(detail(jinjiang)).status_code == 200

    client.force_login(cd_office)
    text = client.get(reverse("enforcement:list")).content.decode()
    assert wuhou.number in text and jinjiang.number in text
    # A region filter narrows; a region outside the scope shows nothing.
    text = client.get(reverse("enforcement:list"), {"region": "510104"}).content.decode()
    assert jinjiang.number in text and wuhou.number not in text
    client.force_login(wuhou_inspector)
    text = client.get(reverse("enforcement:list"), {"region": "510104"}).content.decode()
    assert jinjiang.number not in text and "没有符合条件的执法案件" in text


def test_the_list_columns_and_filters(client, case_in, wuhou_ent, wuhou_inspector):
    dual = case_in("decided", wuhou_ent)
    unit_only = case_in("closed", wuhou_ent, penalties=[DUAL[0]])
    opened = case_in("opened", wuhou_ent)
    client.force_login(wuhou_inspector)
    response = client.get(reverse("enforcement:list"))
    text = response.content.decode()
    for heading in ("案号", "当事单位", "案由", "状态", "立案日期", "办案期限", "一案双罚", "罚没金额"):
        assert heading in text, heading
    assert "180000.00" in text and "150000.00" in text and 'href="/enforcement/cases/new/"' in text

    text = client.get(reverse("enforcement:list"), {"dual_penalty": "true"}).content.decode()
    assert dual.number in text and unit_only.number not in text and opened.number not in text
    text = client.get(reverse("enforcement:list"), {"state": "opened"}).content.decode()
    assert opened.number in text and dual.number not in text
    text = client.get(reverse("enforcement:list"), {"year": "2025"}).content.decode()
    assert "没有符合条件的执法案件" in text
    text = client.get(reverse("enforcement:list"), {"q": opened.number}).content.decode()
    assert opened.number in text and dual.number not in text

    # htmx asks for the results only.
    partial = client.get(reverse("enforcement:list"), {"state": "opened"}, headers={"HX-Request": "true"})
    assert 'id="case-results"' in partial.content.decode() and "<html" not in partial.content.decode()

    bad = client.get(reverse("enforcement:list"), {"state": "lost", "year": "abc"})
    assert bad.status_code == 400
    assert "筛选条件有误" in bad.content.decode() and "年份“abc”不是整数" in bad.content.decode()


def test_an_overdue_case_is_red(client, case_in, wuhou_ent, wuhou_inspector):
    case = case_in("opened", wuhou_ent)
    with time_machine.travel(date(2026, 8, 10), tick=False):  # 90 days after 2026-05-11 is 08-09
        client.force_login(wuhou_inspector)
        text = client.get(reverse("enforcement:list"), {"overdue": "true"}).content.decode()
        assert case.number in text and "table-danger" in text and "超期" in text
        assert "超过办案期限" in client.get(detail(case)).content.decode()
    client.force_login(wuhou_inspector)
    text = client.get(reverse("enforcement:list"), {"overdue": "true"}).content.decode()
    assert case.number not in text


def test_the_enterprise_reads_its_cases_and_states_its_own_case(
    client, case_in, wuhou_ent, jinjiang_ent, ent_wuhou
):
    own, other = case_in("notified", wuhou_ent), case_in("opened", jinjiang_ent)
    client.force_login(ent_wuhou)
    text = client.get(reverse("enforcement:list")).content.decode()
    assert own.number in text and other.number not in text and "open-case" not in text
    assert client.get(detail(other)).status_code == 404
    assert client.get(reverse("enforcement:new")).status_code == 403
    # The party's only form is its own statement (陈述申辩), made online.
    page = client.get(detail(own)).content.decode()
    assert 'id="action-statement"' in page
    assert page.count('<form method="post" action="/enforcement/cases/') == 1
    assert client.post(act(own, "notify"), {"proposal": "x"}).status_code == 403
    response = client.post(act(own, "statement"), {"statement": "已于次日组织演练，请求从轻处罚"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.statement == "已于次日组织演练，请求从轻处罚" and own.statement_on == TODAY
    assert client.post(act(other, "statement"), {"waived": "on"}).status_code == 404


# -- opening a case ----------------------------------------------------------------------------


def test_opening_a_case_through_the_page(
    client, wuhou_ent, jinjiang_ent, wuhou_inspector, wuhou_inspector2, jinjiang_inspector
):
    client.force_login(wuhou_inspector)
    picker = client.get(reverse("enforcement:new")).content.decode()
    assert wuhou_ent.name in picker and jinjiang_ent.name not in picker
    assert client.get(reverse("enforcement:new"), {"enterprise": jinjiang_ent.pk}).status_code == 404
    form = client.get(reverse("enforcement:new"), {"enterprise": wuhou_ent.pk}).content.decode()
    # Officers who may handle it: the county's, not another county's.
    assert "wuhou-inspector-2" in form and "jinjiang-inspector" not in form

    response = client.post(
        reverse("enforcement:new"),
        {
            "enterprise": wuhou_ent.pk,
            "cause": "未按规定组织应急演练",
            "facts": "2026年未组织演练。",
            "origin": "direct",
            "officers": [wuhou_inspector.pk, wuhou_inspector2.pk],
            "opened_on": "2026-05-10",
        },
    )
    case = EnforcementCase.objects.get()
    assert response.status_code == 302 and response.url == detail(case)
    assert (case.enterprise, case.origin, case.opened_on) == (wuhou_ent, "direct", date(2026, 5, 10))
    assert set(case.officers.all()) == {wuhou_inspector, wuhou_inspector2}
    page = client.get(detail(case)).content.decode()
    assert f"已立案，案号 {case.number}" in page and 'aria-current="step"' in page


def test_a_bad_case_is_shown_with_its_errors_and_not_opened(
    client, wuhou_ent, wuhou_inspector, jinjiang_inspector
):
    client.force_login(wuhou_inspector)
    response = client.post(
        reverse("enforcement:new"),
        {
            "enterprise": wuhou_ent.pk,
            "cause": "",
            "facts": "事实",
            "origin": "inspection",
        },
    )
    assert response.status_code == 422
    assert "必须填写案由" in response.content.decode()
    response = client.post(
        reverse("enforcement:new"),
        {
            "enterprise": wuhou_ent.pk,
            "cause": "案由",
            "facts": "事实",
            "origin": "inspection",
        },
    )
    assert response.status_code == 422
    assert "来源为检查发现时，必须指明来源检查" in response.content.decode()
    # An officer from another county is not even offered.
    response = client.post(
        reverse("enforcement:new"),
        {
            "enterprise": wuhou_ent.pk,
            "cause": "案由",
            "facts": "事实",
            "origin": "direct",
            "officers": [jinjiang_inspector.pk],
        },
    )
    assert response.status_code == 422 and "不是可选的执法人员" in response.content.decode()
    assert not EnforcementCase.objects.exists()


def test_read_only_roles_cannot_open_cases(client, expert, wuhou_ent):
    client.force_login(expert)
    assert client.get(reverse("enforcement:new")).status_code == 403
    assert (
        client.post(reverse("enforcement:new"), {"enterprise": wuhou_ent.pk, "cause": "x"}).status_code == 403
    )
    assert not EnforcementCase.objects.exists()


# -- the whole case ----------------------------------------------------------------------------


def test_a_case_walks_through_the_forms_to_closed(client, wuhou_ent, wuhou_inspector, wuhou_inspector2):
    client.force_login(wuhou_inspector)
    client.post(
        reverse("enforcement:new"),
        {
            "enterprise": wuhou_ent.pk,
            "cause": "未按规定组织应急演练",
            "facts": "未组织演练。",
            "origin": "direct",
            "officers": [wuhou_inspector.pk, wuhou_inspector2.pk],
        },
    )
    case = EnforcementCase.objects.get()
    page = client.get(detail(case)).content.decode()
    assert 'id="action-investigate"' in page and 'id="action-withdraw"' not in page  # the head withdraws

    assert client.post(act(case, "investigate")).status_code == 302
    photo = SimpleUploadedFile("现场照片.png", PNG, "image/png")
    assert client.post(act(case, "evidence"), {"files": [photo]}).status_code == 302
    attachment = EnforcementCase.objects.get(pk=case.pk).evidence.get()
    page = client.get(detail(case)).content.decode()
    assert reverse("attachment", args=[attachment.pk]) in page
    assert client.get(reverse("attachment", args=[attachment.pk])).status_code == 200

    response = client.post(
        act(case, "notify"),
        {
            "proposal": "拟对单位罚款15万元，对总经理罚款3万元",
            "proposed_kinds": ["fine"],
            "proposed_fine": "180000",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "notified" and case.hearing_right and case.statement_due == date(2026, 5, 14)
    page = client.get(detail(case)).content.decode()
    assert "陈述申辩期限" in page and "2026-05-14" in page and "听证申请期限" in page

    assert client.post(act(case, "statement"), {"waived": "on"}).status_code == 302
    page = client.get(detail(case)).content.decode()
    assert reverse("enforcement:decide", args=[case.pk]) in page
    response = client.post(reverse("enforcement:decide", args=[case.pk]), decision_data(DUAL))
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.state == "decided" and case.dual_penalty and case.payment_due == date(2026, 5, 26)

    assert client.post(act(case, "execute"), {"execution": "已缴清", "paid_cny": "180000"}).status_code == 302
    assert client.post(act(case, "close"), {"report": "执行完毕，结案。"}).status_code == 302
    case.refresh_from_db()
    assert case.state == "closed" and case.closing_report == "执行完毕，结案。"

    page = client.get(detail(case)).content.decode()
    for label in (
        "立案",
        "开始调查取证",
        "添加证据材料",
        "告知",
        "记录陈述申辩",
        "作出处罚决定",
        "执行",
        "结案",
    ):
        assert f">{label}<" in page, label
    assert 'data-state="closed"' in page and "一案双罚" in page and "缴款期限" in page


def test_wrong_moves_are_refused_and_change_nothing(
    client, case_in, wuhou_ent, jinjiang_ent, wuhou_inspector, jinjiang_inspector, expert, admin
):
    case = case_in("opened", wuhou_ent)
    before = snapshot(case)
    client.force_login(wuhou_inspector)
    response = client.post(act(case, "close"), {"report": "直接结案"})
    assert response.status_code == 409
    assert "当前状态为“已立案”，不能执行“结案”" in response.content.decode()
    response = client.post(act(case, "notify"), {"proposal": ""})
    assert response.status_code in (409, 422)
    assert client.post(act(case, "withdraw"), {"reason": "撤销"}).status_code == 403  # the head's
    assert client.post(act(case, "fly"), {}).status_code == 404
    assert client.get(act(case, "investigate")).status_code == 405
    assert snapshot(case) == before

    client.force_login(jinjiang_inspector)
    assert client.post(act(case, "investigate")).status_code == 404
    client.force_login(expert)
    assert client.post(act(case, "investigate")).status_code == 403
    assert snapshot(case) == before

    investigating = case_in("investigating", wuhou_ent)
    client.force_login(wuhou_inspector)
    response = client.post(act(investigating, "notify"), {"proposal": ""})
    assert response.status_code == 422
    text = response.content.decode()
    assert "必须填写拟处罚内容" in text and "border-danger" in text

    # One officer is not enough to investigate: the page says why.
    lone = case_in("opened", jinjiang_ent, officers=[jinjiang_inspector])
    client.force_login(admin)
    response = client.post(act(lone, "investigate"))
    assert response.status_code == 409 and "执法人员不得少于2人" in response.content.decode()


def test_the_head_withdraws_with_a_reason(client, case_in, wuhou_ent, cd_office):
    case = case_in("investigating", wuhou_ent)
    client.force_login(cd_office)
    response = client.post(act(case, "withdraw"), {"reason": ""})
    assert response.status_code == 422 and "必须填写撤销理由" in response.content.decode()
    assert client.post(act(case, "withdraw"), {"reason": "违法事实不能成立"}).status_code == 302
    page = client.get(detail(case)).content.decode()
    assert "已撤销" in page and "违法事实不能成立" in page and "案件已撤销" in page
    # The timeline shows how far it came before the withdrawal.
    assert page.count('class="done"') == 2


def test_officers_are_replaced_from_the_page(client, case_in, wuhou_ent, wuhou_inspector, wuhou_inspector2):
    case = case_in("opened", wuhou_ent, officers=[wuhou_inspector])
    client.force_login(wuhou_inspector)
    response = client.post(act(case, "officers"), {"officers": [wuhou_inspector.pk, wuhou_inspector2.pk]})
    assert response.status_code == 302
    assert set(EnforcementCase.objects.get(pk=case.pk).officers.all()) == {wuhou_inspector, wuhou_inspector2}
    assert ">指派执法人员<" in client.get(detail(case)).content.decode()


def test_a_bad_evidence_file_is_refused(client, case_in, wuhou_ent, wuhou_inspector):
    case = case_in("investigating", wuhou_ent)
    client.force_login(wuhou_inspector)
    response = client.post(
        act(case, "evidence"), {"files": [SimpleUploadedFile("a.txt", b"hello", "text/plain")]}
    )
    assert response.status_code == 422 and "a.txt：只接受" in response.content.decode()
    response = client.post(act(case, "evidence"), {})
    assert response.status_code == 422 and "请选择要添加的证据材料" in response.content.decode()
    assert not EnforcementCase.objects.get(pk=case.pk).evidence.exists()


def test_the_list_reads_a_page_in_a_fixed_number_of_queries(
    client, case_in, wuhou_ent, jinjiang_ent, cd_office
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("enforcement:list")).status_code == 200
        return len(queries)

    case_in("opened", wuhou_ent)
    client.force_login(cd_office)
    one = count()
    for enterprise in (wuhou_ent, jinjiang_ent, jinjiang_ent, wuhou_ent):
        case_in("decided", enterprise)
    assert count() == one
