"""One walk through the pages in a real browser: log in, search the list, open an enterprise."""

import os
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from benan.enterprises import services
from tests.conftest import PASSWORD

SCREENSHOTS = os.environ.get("BENAN_SCREENSHOTS")  # a folder; set it to look at the pages


@pytest.mark.browser
@pytest.mark.slow
def test_an_inspector_finds_an_enterprise_and_reads_its_timeline(
    live_server, transactional_db, new_page, wuhou_inspector, wuhou_ent, jinjiang_ent, make_enterprise, admin
):
    make_enterprise(name="武侯纺织印染有限公司", sector="textile")
    services.change_status(
        actor=admin, enterprise=wuhou_ent, status="suspended", start_date=date(2025, 3, 1),
        reason="责令停产整顿",
    )

    page = new_page()
    page.goto(f"{live_server.url}/enterprises/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/enterprises/"))
    page.get_by_label("用户名").fill("wuhou-inspector")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", name="企业")).to_be_visible()
    table = page.locator("#enterprise-table")
    expect(table).to_contain_text("武侯纺织印染有限公司")
    expect(table).not_to_contain_text(jinjiang_ent.name)  # another county: never shown

    # Typing filters through htmx: the results are replaced and the URL follows.
    page.get_by_label("搜索").fill("武侯机械")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text(wuhou_ent.name)
    expect(page).to_have_url(re.compile(r"q=%E6%AD%A6%E4%BE%AF"))
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, "list.png"), full_page=True)

    table.get_by_role("link", name=wuhou_ent.name).click()
    expect(page.locator("#enterprise-name")).to_contain_text(wuhou_ent.name)
    expect(page.locator("#enterprise-uscc")).to_have_text(wuhou_ent.uscc)
    timeline = page.locator("#status-timeline")
    expect(timeline.locator("tbody tr")).to_have_count(2)
    expect(timeline.locator("tbody tr").first).to_contain_text("停产整顿")
    expect(timeline.locator("tbody tr").first).to_contain_text("2025-03-01")
    expect(timeline.locator("tbody tr").first).to_contain_text("至今")
    expect(timeline.locator("tbody tr").last).to_contain_text("2025-02-28")
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, "detail.png"), full_page=True)
