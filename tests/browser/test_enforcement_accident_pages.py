"""Enforcement and accident pages in a real browser: the decision form grows a line and decides a
dual penalty; the accident report shows the grade as the figures are typed."""

import re

import pytest
from playwright.sync_api import expect

from benan.enforcement import services
from benan.enforcement.models import EnforcementCase
from tests.enforcement.conftest import walk_case

from .test_hazard_pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_decision_form_adds_a_line_and_decides_a_dual_penalty(
    live_server, transactional_db, new_page, admin, cd_office, wuhou_ent
):
    case = walk_case("notified", wuhou_ent, admin)
    services.record_statement(actor=admin, case=case, waived=True)
    page = new_page()
    log_in(page, live_server.url, "cd-office")
    page.goto(f"{live_server.url}/enforcement/cases/{case.pk}/decide/")
    lines = page.locator("#penalty-lines tbody tr")
    expect(lines).to_have_count(2)
    page.locator("#add-line").click()
    expect(lines).to_have_count(3)  # swapped in by htmx, nothing saved yet
    assert EnforcementCase.objects.get(pk=case.pk).state == "notified"

    page.select_option("[name=penalties-0-kind]", "fine")
    page.select_option("[name=penalties-0-basis]", "aqsc2021-97")
    page.fill("[name=penalties-0-amount]", "150000")
    page.select_option("[name=penalties-1-party]", "person")
    page.fill("[name=penalties-1-person_name]", "张建国")
    page.fill("[name=penalties-1-person_position]", "总经理")
    page.select_option("[name=penalties-1-kind]", "fine")
    page.select_option("[name=penalties-1-basis]", "aqsc2021-97")
    page.fill("[name=penalties-1-amount]", "60000")  # above the article's 50,000 for a person
    page.select_option("[name=penalties-2-party]", "unit")
    page.select_option("[name=penalties-2-kind]", "warning")
    page.select_option("[name=penalties-2-basis]", "aqsc2021-97")
    page.locator("#decide-submit").click()
    expect(page.locator("#line-2 .line-error")).to_contain_text("最高 50,000 元")
    assert EnforcementCase.objects.get(pk=case.pk).state == "notified"

    page.fill("[name=penalties-1-amount]", "30000")
    page.locator("#decide-submit").click()
    expect(page).to_have_url(re.compile(rf"/enforcement/cases/{case.pk}/$"))
    expect(page.get_by_text("一案双罚").first).to_be_visible()
    decided = EnforcementCase.objects.get(pk=case.pk)
    assert decided.state == "decided" and decided.dual_penalty and decided.penalties.count() == 3


def test_the_report_form_grades_as_the_figures_are_typed(
    live_server, transactional_db, new_page, wuhou_inspector
):
    page = new_page()
    log_in(page, live_server.url, "wuhou-inspector")
    page.goto(f"{live_server.url}/accidents/report/")
    grade = page.locator("#grade-result")
    page.fill("[name=deaths]", "3")
    expect(grade).to_contain_text("较大事故")
    page.fill("[name=deaths]", "2")
    page.fill("[name=direct_loss_cny]", "100000000")
    expect(grade).to_contain_text("特别重大事故")
    page.fill("[name=direct_loss_cny]", "0")
    expect(grade).to_contain_text("一般事故")
