"""The credit blacklist: the published list needs no login and shows only who is on it today;
the management page is scoped and carries the exit forms."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from benan.enforcement import services
from benan.enforcement.models import BlacklistEntry

START = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def fixed_day():
    with time_machine.travel(START, tick=False):
        yield


@pytest.fixture
def listed(case_in, admin):
    """`listed(enterprise, reason)` → a blacklist entry after a decided case, listed today."""

    def make(enterprise, reason):
        case = case_in("decided", enterprise)
        return services.blacklist(actor=admin, case=case, reason_kind="concealed_accident", reason=reason)

    return make


def test_the_public_list_works_logged_out_and_shows_only_active_entries(
    client, listed, wuhou_ent, jinjiang_ent, mianyang_ent, admin
):
    wuhou = listed(wuhou_ent, "瞒报一起生产安全事故")
    listed(jinjiang_ent, "谎报事故伤亡人数")
    gone = listed(mianyang_ent, "瞒报事故")
    with time_machine.travel(date(2027, 3, 3), tick=False):
        services.apply_exit(actor=admin, entry=gone, application="已整改并履行处罚")
        services.approve_exit(actor=admin, entry=gone)
        response = client.get(reverse("enforcement:public_blacklist"))
        assert response.status_code == 200
        text = response.content.decode()
        for expected in (
            "企业名称",
            "统一社会信用代码",
            "列入情形",
            "列入理由",
            "列入日期",
            "计划移出日期",
            wuhou_ent.name,
            wuhou_ent.uscc,
            "瞒报一起生产安全事故",
            "2026-03-02",
            "2029-03-02",
            jinjiang_ent.name,
            "3 年",
            "12 个月",
            "原文待核",
            "工作人员登录",
        ):
            assert expected in text, expected
        assert mianyang_ent.name not in text
        text = client.get(reverse("enforcement:public_blacklist"), {"q": wuhou_ent.uscc}).content.decode()
        assert wuhou_ent.name in text and jinjiang_ent.name not in text
        text = client.get(reverse("enforcement:public_blacklist"), {"q": "不存在的企业"}).content.decode()
        assert "没有找到“不存在的企业”" in text
    # After the term the entry is gone from the published list even before the sweep.
    with time_machine.travel(date(2029, 3, 2), tick=False):
        assert wuhou_ent.name not in client.get(reverse("enforcement:public_blacklist")).content.decode()
    assert BlacklistEntry.objects.get(pk=wuhou.pk).state == "listed"


def test_the_management_page_keeps_to_the_scope_and_shows_exited_entries(
    client, listed, wuhou_ent, jinjiang_ent, mianyang_ent, admin, cd_office, jinjiang_inspector
):
    listed(wuhou_ent, "瞒报")
    listed(jinjiang_ent, "谎报")
    gone = listed(mianyang_ent, "瞒报")
    with time_machine.travel(date(2027, 3, 3), tick=False):
        services.apply_exit(actor=admin, entry=gone, application="已整改")
        services.approve_exit(actor=admin, entry=gone)
        client.force_login(cd_office)
        text = client.get(reverse("enforcement:blacklist")).content.decode()
        assert wuhou_ent.name in text and jinjiang_ent.name in text and mianyang_ent.name not in text
        client.force_login(admin)
        text = client.get(reverse("enforcement:blacklist")).content.decode()
        assert mianyang_ent.name in text and "已移出" in text
        text = client.get(reverse("enforcement:blacklist"), {"active": "true"}).content.decode()
        assert mianyang_ent.name not in text
        client.force_login(jinjiang_inspector)
        text = client.get(reverse("enforcement:blacklist")).content.decode()
        assert jinjiang_ent.name in text and wuhou_ent.name not in text
        assert client.get(reverse("enforcement:blacklist"), {"active": "maybe"}).status_code == 400


def test_early_exit_is_applied_for_and_decided_from_the_page(client, listed, wuhou_ent, ent_wuhou, cd_office):
    entry = listed(wuhou_ent, "瞒报")
    apply = reverse("enforcement:blacklist_action", args=[entry.pk, "apply_exit"])
    client.force_login(ent_wuhou)
    page = client.get(reverse("enforcement:blacklist")).content.decode()
    assert f'id="entry-{entry.pk}-apply_exit"' in page
    response = client.post(apply, {"application": "已整改"})
    assert (
        response.status_code == 409
        and "列入满12个月后（2027-03-02 起）才能申请提前移出" in response.content.decode()
    )
    assert (
        client.post(reverse("enforcement:blacklist_action", args=[entry.pk, "approve_exit"])).status_code
        == 403
    )

    with time_machine.travel(date(2027, 3, 2), tick=False):
        client.force_login(ent_wuhou)
        response = client.post(apply, {"application": ""})
        assert response.status_code == 422 and "必须填写申请理由和信用修复情况" in response.content.decode()
        assert client.post(apply, {"application": "已整改并缴清罚款"}).status_code == 302
        client.force_login(cd_office)
        reject = reverse("enforcement:blacklist_action", args=[entry.pk, "reject_exit"])
        response = client.post(reject, {"comment": ""})
        assert response.status_code == 422 and "必须填写驳回理由" in response.content.decode()
        approve = reverse("enforcement:blacklist_action", args=[entry.pk, "approve_exit"])
        assert client.post(approve, {"comment": "同意"}).status_code == 302
        entry.refresh_from_db()
        assert entry.state == "exited"
        assert wuhou_ent.name not in client.get(reverse("enforcement:public_blacklist")).content.decode()
    assert client.post(reverse("enforcement:blacklist_action", args=[entry.pk, "fly"])).status_code == 404


def test_the_head_lists_from_the_case_page(client, case_in, wuhou_ent, cd_office, wuhou_inspector):
    case = case_in("decided", wuhou_ent)
    url = reverse("enforcement:action", args=[case.pk, "blacklist"])
    client.force_login(wuhou_inspector)
    assert (
        'id="action-blacklist"'
        not in client.get(reverse("enforcement:detail", args=[case.pk])).content.decode()
    )
    assert client.post(url, {"reason_kind": "concealed_accident", "reason": "瞒报"}).status_code == 403
    client.force_login(cd_office)
    response = client.post(url, {"reason_kind": "concealed_accident", "reason": ""})
    assert response.status_code == 422 and "必须填写列入理由" in response.content.decode()
    assert client.post(url, {"reason_kind": "concealed_accident", "reason": "瞒报事故"}).status_code == 302
    page = client.get(reverse("enforcement:detail", args=[case.pk])).content.decode()
    assert 'id="blacklist-entries"' in page and "瞒报事故" in page and "2029-03-02" in page
    response = client.post(url, {"reason_kind": "concealed_accident", "reason": "再次"})
    assert response.status_code == 409 and "该企业已在严重失信主体名单中" in response.content.decode()
