"""The assignment pages: the list with its filters (htmx partial, empty state, bad filters), the board
by state, the form that hands a task to sub-regions with files, and the assignment page where each
region reports and submits and the issuer accepts, returns or cancels; refusals are shown in Chinese
and change nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from benan.core import audit, clock
from benan.core.models import Role
from benan.supervision import assignments as services
from benan.supervision.models import Assignment, AssignmentTarget, ProgressReport
from tests.conftest import CHENGDU, FUCHENG, JINJIANG, WUHOU

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def text_of(response) -> str:
    return response.content.decode()


def ids(response, attr: str) -> set[int]:
    return {int(pk) for pk in re.findall(rf'data-{attr}="(\d+)"', text_of(response))}


def png(name: str = "现场.png"):
    return SimpleUploadedFile(name, PNG, "image/png")


def make(actor, regions, *, title="安全生产大检查", days=10) -> Assignment:
    return services.assign(
        actor=actor,
        title=title,
        requirements="全面排查，按期报送",
        due_date=clock.today() + timedelta(days=days),
        regions=regions,
    )


def action_url(target, action: str) -> str:
    return reverse("supervision:assignment_target_action", args=[target.pk, action])


def snapshot(obj):
    obj = type(obj).objects.get(pk=obj.pk)
    values = tuple(getattr(obj, f.attname) for f in obj._meta.concrete_fields)
    return values, ProgressReport.objects.count(), audit.history(obj).count()


def test_every_page_renders_with_data(client, cd_office, wuhou_inspector):
    assignment = make(cd_office, [WUHOU, JINJIANG])
    services.report_progress(
        actor=wuhou_inspector, target=assignment.targets.get(region_id=WUHOU), text="过半"
    )
    client.force_login(cd_office)
    for url in (
        reverse("supervision:assignments"),
        reverse("supervision:assignment_board"),
        reverse("supervision:assignment_new"),
        reverse("supervision:assignment", args=[assignment.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'id="assignment-nav"' in text_of(response)
    detail = text_of(client.get(reverse("supervision:assignment", args=[assignment.pk])))
    assert "过半" in detail and assignment.number in detail and 'id="history"' in detail
    assert 'data-action="cancel"' in detail


def test_a_task_is_assigned_through_the_form_with_files_to_several_regions(client, cd_office):
    client.force_login(cd_office)
    form = text_of(client.get(reverse("supervision:assignment_new")))
    # A city office is offered its own counties only: not itself, not another city's.
    assert f'value="{WUHOU}"' in form and f'value="{JINJIANG}"' in form
    assert f'value="{CHENGDU}"' not in form and f'value="{FUCHENG}"' not in form
    due = (clock.today() + timedelta(days=15)).isoformat()
    response = client.post(
        reverse("supervision:assignment_new"),
        {
            "title": "燃气安全专项整治",
            "requirements": "排查餐饮场所燃气管道",
            "due_date": due,
            "regions": [WUHOU, JINJIANG],
            "files": [png("通知.png")],
        },
    )
    assignment = Assignment.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "supervision:assignment", args=[assignment.pk]
    )
    assert sorted(assignment.targets.values_list("region_id", flat=True)) == [JINJIANG, WUHOU]
    assert [a.name for a in assignment.attachments.all()] == ["通知.png"]
    page = client.get(response.url)
    assert "已交办“燃气安全专项整治”至 2 个区划" in text_of(page)
    assert ids(page, "attachment") == {assignment.attachments.get().pk}


def test_the_province_is_offered_cities_and_counties(client, sc_office):
    client.force_login(sc_office)
    form = text_of(client.get(reverse("supervision:assignment_new")))
    assert f'value="{CHENGDU}"' in form and f'value="{FUCHENG}"' in form and 'value="510000"' not in form


@pytest.mark.parametrize(
    "change, message",
    [
        ({"regions": [FUCHENG]}, "510703 不在本单位辖区内，只能交办给下级区划"),
        ({"regions": []}, "至少选择一个接收区划"),
        ({"title": ""}, "必须填写标题"),
        ({"due_date": "2020-01-01"}, "办理期限 2020-01-01 早于今天"),
        ({"due_date": "2020-13-01"}, "日期格式应为 YYYY-MM-DD"),
        ({"files": [SimpleUploadedFile("a.txt", b"hello", "text/plain")]}, "a.txt：只接受"),
    ],
)
def test_bad_input_is_shown_under_its_field_and_nothing_is_made(client, cd_office, change, message):
    client.force_login(cd_office)
    data = {
        "title": "检查",
        "requirements": "要求",
        "due_date": (clock.today() + timedelta(days=3)).isoformat(),
        "regions": [WUHOU],
        **change,
    }
    response = client.post(reverse("supervision:assignment_new"), data)
    assert response.status_code == 422 and message in text_of(response)
    assert "is-invalid" in text_of(response)
    assert not Assignment.objects.exists()


def test_only_safety_offices_may_open_the_form(client, wuhou_inspector, expert, ent_wuhou, make_user):
    for user in (wuhou_inspector, expert, ent_wuhou):
        client.force_login(user)
        assert client.get(reverse("supervision:assignment_new")).status_code == 403, user
    county = make_user("wuhou-office", Role.SAFETY_OFFICE, region=WUHOU)
    client.force_login(county)
    assert 'id="no-sub-regions"' in text_of(client.get(reverse("supervision:assignment_new")))


def test_a_region_reports_submits_and_the_issuer_returns_and_accepts_on_the_page(
    client, cd_office, wuhou_inspector
):
    assignment = make(cd_office, [WUHOU, JINJIANG])
    target = assignment.targets.get(region_id=WUHOU)
    page = reverse("supervision:assignment", args=[assignment.pk])
    client.force_login(wuhou_inspector)
    shown = client.get(page)
    assert ids(shown, "target") == {target.pk} and 'id="receiver-view"' in text_of(shown)
    assert f'data-action="target:{target.pk}:submit"' in text_of(shown)
    assert 'data-action="cancel"' not in text_of(shown)
    blank = client.post(action_url(target, "report"), {"text": ""})
    assert blank.status_code == 422 and "必须填写进展情况" in text_of(blank)
    done = client.post(action_url(target, "report"), {"text": "已检查 40 家企业", "files": [png()]})
    assert done.status_code == 302 and done.url.endswith(f"#target-{target.pk}")
    target.refresh_from_db()
    assert target.state == "in_progress" and target.reports.get().attachments.count() == 1
    assert client.post(action_url(target, "submit"), {"text": "全部完成"}).status_code == 302
    client.force_login(cd_office)
    shown = text_of(client.get(page))
    assert (
        f'data-action="target:{target.pk}:accept"' in shown
        and f'data-action="target:{target.pk}:submit"' not in shown
    )
    no_reason = client.post(action_url(target, "return"), {"reason": ""})
    assert no_reason.status_code == 422 and "必须填写退回理由" in text_of(no_reason)
    assert client.post(action_url(target, "return"), {"reason": "缺少检查记录"}).status_code == 302
    target.refresh_from_db()
    assert target.state == "in_progress" and target.comment == "缺少检查记录"
    client.force_login(wuhou_inspector)
    assert "缺少检查记录" in text_of(client.get(page))
    client.post(action_url(target, "submit"), {"text": "已补充检查记录"})
    client.force_login(cd_office)
    assert client.post(action_url(target, "accept"), {"comment": "合格"}).status_code == 302
    target.refresh_from_db()
    assert target.state == "accepted" and target.accepted_by == cd_office
    history = text_of(client.get(page))
    for label in ("交办", "报告进展", "报送办结", "退回", "验收通过"):
        assert label in history


def test_refusals_are_shown_in_chinese_and_change_nothing(
    client, cd_office, wuhou_inspector, jinjiang_inspector
):
    assignment = make(cd_office, [WUHOU, JINJIANG])
    target = assignment.targets.get(region_id=WUHOU)
    before = snapshot(target)
    client.force_login(wuhou_inspector)
    refused = client.post(action_url(target, "accept"), {"comment": ""})
    assert refused.status_code == 403 and "您无权执行“验收通过”" in text_of(refused)
    client.force_login(cd_office)
    not_theirs = client.post(action_url(target, "submit"), {"text": "代报"})
    assert not_theirs.status_code == 403
    out_of_turn = client.post(action_url(target, "accept"), {"comment": ""})
    assert out_of_turn.status_code == 409 and "当前状态为“已交办”" in text_of(out_of_turn)
    client.force_login(jinjiang_inspector)
    assert client.post(action_url(target, "report"), {"text": "x"}).status_code == 404
    assert client.post(action_url(target, "nonsense"), {}).status_code == 404
    assert snapshot(target) == before


def test_the_issuer_cancels_on_the_page(client, cd_office, wuhou_inspector):
    assignment = make(cd_office, [WUHOU])
    url = reverse("supervision:assignment_action", args=[assignment.pk, "cancel"])
    client.force_login(wuhou_inspector)
    assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(cd_office)
    assert client.post(url, {"reason": ""}).status_code == 422
    response = client.post(url, {"reason": "并入专项行动"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.state == "cancelled" and set(assignment.targets.values_list("state", flat=True)) == {
        "cancelled"
    }
    assert 'id="cancel-reason"' in text_of(client.get(response.url))


def test_the_list_filters_by_state_region_overdue_and_text(client, sc_office, wuhou_inspector):
    chengdu = make(sc_office, [WUHOU, JINJIANG], title="成都检查")
    mianyang = make(sc_office, [FUCHENG], title="绵阳检查", days=2)
    services.submit(actor=wuhou_inspector, target=chengdu.targets.get(region_id=WUHOU), text="完成")
    client.force_login(sc_office)
    url = reverse("supervision:assignments")
    assert ids(client.get(url), "assignment") == {chengdu.pk, mianyang.pk}
    assert ids(client.get(url, {"state": "submitted"}), "assignment") == {chengdu.pk}
    assert ids(client.get(url, {"region": "510700"}), "assignment") == {mianyang.pk}
    assert ids(client.get(url, {"q": "成都"}), "assignment") == {chengdu.pk}
    empty = client.get(url, {"overdue": "1"})
    assert 'id="empty-state"' in text_of(empty) and "清除筛选条件" in text_of(empty)
    bad = client.get(url, {"state": "done", "region": "519999"})
    assert bad.status_code == 400 and "状态“done”不是可选值" in text_of(bad)
    partial = client.get(url, {"state": "submitted"}, headers={"HX-Request": "true"})
    assert 'id="assignment-results"' in text_of(partial) and "<html" not in text_of(partial)
    with time_machine.travel(clock.today() + timedelta(days=5)):
        client.force_login(sc_office)
        late = client.get(url, {"overdue": "1"})
        assert ids(late, "assignment") == {mianyang.pk} and 'data-overdue="1"' in text_of(late)


def test_the_list_pages(client, cd_office, settings):
    settings.BENAN_PAGE_SIZE = 2
    made = [make(cd_office, [WUHOU], title=f"任务{i}") for i in range(3)]
    client.force_login(cd_office)
    first = client.get(reverse("supervision:assignments"))
    assert ids(first, "assignment") == {made[2].pk, made[1].pk} and "下一页" in text_of(first)
    second = client.get(reverse("supervision:assignments"), {"page": "2"})
    assert ids(second, "assignment") == {made[0].pk}


def test_the_board_shows_each_state_and_the_overdue_in_red(client, sc_office, wuhou_inspector):
    soon = make(sc_office, [WUHOU, JINJIANG], days=1)
    services.report_progress(actor=wuhou_inspector, target=soon.targets.get(region_id=WUHOU), text="进行中")
    client.force_login(sc_office)
    board = client.get(reverse("supervision:assignment_board"))
    text = text_of(board)
    assert board.status_code == 200 and 'id="board-total">2<' in text
    assert ids(board, "target") == set(soon.targets.values_list("pk", flat=True))
    with time_machine.travel(clock.today() + timedelta(days=3)):
        client.force_login(sc_office)
        late = text_of(client.get(reverse("supervision:assignment_board")))
        assert late.count("list-group-item-danger") == 2 and "已逾期" in late
    assert client.get(reverse("supervision:assignment_board"), {"region": "5101"}).status_code == 400


def test_enterprises_get_403_on_lists_and_404_on_an_assignment(client, cd_office, ent_wuhou):
    assignment = make(cd_office, [WUHOU])
    client.force_login(ent_wuhou)
    assert client.get(reverse("supervision:assignments")).status_code == 403
    assert client.get(reverse("supervision:assignment_board")).status_code == 403
    assert client.get(reverse("supervision:assignment", args=[assignment.pk])).status_code == 404
    target = assignment.targets.get()
    assert client.post(action_url(target, "submit"), {"text": "x"}).status_code == 404


def test_a_county_sees_only_its_own_target_on_the_page(client, sc_office, wuhou_inspector, make_user):
    assignment = make(sc_office, [WUHOU, JINJIANG, FUCHENG])
    client.force_login(wuhou_inspector)
    page = client.get(reverse("supervision:assignment", args=[assignment.pk]))
    assert ids(page, "target") == {assignment.targets.get(region_id=WUHOU).pk}
    other = make_user("deyang-inspector", Role.INSPECTOR, region="510600")
    client.force_login(other)
    assert client.get(reverse("supervision:assignment", args=[assignment.pk])).status_code == 404
    assert AssignmentTarget.objects.count() == 3


def test_the_list_page_makes_as_many_queries_for_many_rows_as_for_one(client, sc_office):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(sc_office)

    def queries_of() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("supervision:assignments")).status_code == 200
        return len(captured)

    make(sc_office, [WUHOU])
    queries_of()  # warm the per-process caches (the region tree's root)
    one = queries_of()
    for _ in range(5):
        make(sc_office, [WUHOU, FUCHENG])
    assert queries_of() == one
