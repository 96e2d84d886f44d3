"""The hazard pages in a real browser: the self-inspection on a phone, and the confirm form that
shows the criterion and the plan only for a major hazard."""

import os
import re

import pytest
from playwright.sync_api import expect

from benan.hazards import services
from benan.hazards.models import Hazard
from tests.conftest import PASSWORD
from tests.hazards.conftest import criteria  # noqa: F401  (the official checklists, loaded)

SCREENSHOTS = os.environ.get("BENAN_SCREENSHOTS")  # a folder; set it to look at the pages
PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.usefixtures("criteria")]


def log_in(page, url, username):
    page.goto(f"{url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_an_enterprise_runs_its_self_inspection_on_a_phone(
    live_server, transactional_db, new_page, ent_wuhou
):
    page = new_page()
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "ent-wuhou")
    page.goto(f"{live_server.url}/inspections/self/")
    expect(page.get_by_role("heading", name="企业自查")).to_be_visible()

    # One column: nothing wider than the phone, and the submit button stays on screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    submit = page.locator("#submit-inspection")
    expect(submit).to_be_in_viewport()
    box = page.locator(".answer-group label").first.bounding_box()
    assert box["height"] >= 44  # thumb-sized

    criteria_rows = page.locator(".criterion")
    expect(criteria_rows.first).to_be_visible()
    criteria_rows.nth(1).locator("label", has_text="不符合").click()
    criteria_rows.nth(0).locator("label", has_text="符合").first.click()
    expect(page.locator("#answered-count")).to_contain_text("已作答 2 /")
    expect(submit).to_be_in_viewport()
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, "self-inspection-phone.png"))
    submit.click()

    expect(page).to_have_url(re.compile(r"/inspections/\d+/$"))
    expect(page.locator(".alert-success")).to_contain_text("发现隐患 1 项")
    hazard = Hazard.objects.get()
    assert hazard.grade == "major" and hazard.state == "reported" and hazard.criterion_id


def test_the_plan_is_asked_for_only_for_a_major_hazard(
    live_server, transactional_db, new_page, ent_wuhou, wuhou_ent, wuhou_inspector
):
    pk = services.report_hazard(
        actor=ent_wuhou, enterprise=wuhou_ent, description="配电室门未上锁", source="self"
    ).pk
    page = new_page()
    log_in(page, live_server.url, "wuhou-inspector")
    page.goto(f"{live_server.url}/hazards/{pk}/")
    form = page.locator("#confirm-form")
    form.get_by_role("radio", name="一般事故隐患").check()
    expect(page.locator("#plan-fields")).to_be_hidden()
    form.get_by_role("radio", name="重大事故隐患").check()
    expect(page.locator("#plan-fields")).to_be_visible()
    form.get_by_role("button", name="确认隐患").click()
    expect(page.locator("#action-confirm")).to_contain_text("重大事故隐患必须注明判定依据")
    expect(page.locator("#plan-fields")).to_contain_text("缺少：治理措施")
