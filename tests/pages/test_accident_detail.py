"""The accident detail: every reported item, reports with grade changes and late supplements, the
chain, and an investigation walked through its forms to closure: closing without the four-nos
and the measures is refused with the reason, and nothing changes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from benan.accidents.models import Accountability, Investigation, Measure
from benan.core import audit
from tests.accidents.conftest import PDF, PNG

NOW = datetime(2026, 5, 11, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def fixed_time():
    with time_machine.travel(NOW, tick=False):
        yield


def detail(accident) -> str:
    return reverse("accidents:detail", args=[accident.pk])


def act(accident, action: str) -> str:
    return reverse("accidents:action", args=[accident.pk, action])


def inv_act(investigation, action: str) -> str:
    return reverse("accidents:investigation_action", args=[investigation.pk, action])


def pdf_upload():
    return SimpleUploadedFile("调查报告.pdf", PDF, "application/pdf")


def png_upload(name="证据.png"):
    return SimpleUploadedFile(name, PNG, "image/png")


def snapshot(investigation):
    investigation = Investigation.objects.get(pk=investigation.pk)
    return (
        investigation.state,
        investigation.closed_on,
        investigation.measures.count(),
        audit.history(investigation).count(),
    )


def test_an_inspector_of_another_county_gets_404(
    client, accident, wuhou_ent, jinjiang_inspector, wuhou_inspector
):
    made = accident(wuhou_ent)
    client.force_login(jinjiang_inspector)
    assert client.get(detail(made)).status_code == 404
    assert client.post(act(made, "follow_up"), {"deaths": "2"}).status_code == 404
    assert made.reports.count() == 1
    client.force_login(wuhou_inspector)
    text = client.get(detail(made)).content.decode()
    for item in (
        made.number,
        wuhou_ent.name,
        "一号车间冲压工段",
        "冲压机旁，设备已停机",
        "操作工清理模具时设备误启动",
        "立即停机、切断电源",
        "1500000.00",
        "2026-05-11 08:00",
    ):
        assert item in text, item


def test_a_follow_up_that_changes_the_grade_shows_before_and_after_and_extends_the_chain(
    client, accident, wuhou_ent, ent_wuhou
):
    made = accident(wuhou_ent)
    assert made.grade == "general"
    client.force_login(ent_wuhou)
    page = client.get(detail(made)).content.decode()
    assert 'id="action-follow_up"' in page and 'id="action-investigate"' not in page
    assert 'id="accountability"' not in page
    data = {
        "deaths": "3",
        "serious_injuries": "0",
        "minor_injuries": "2",
        "missing": "0",
        "direct_loss_cny": "1500000",
        "note": "一名重伤人员经抢救无效死亡，另有一人死亡",
    }
    response = client.post(act(made, "follow_up"), data)
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.grade == "relatively_major" and made.deaths == 3
    assert set(made.steps.values_list("level", flat=True)) == {"county", "city", "province"}
    text = client.get(detail(made)).content.decode()
    assert "事故等级由一般事故变为较大事故" in text
    assert 'class="grade-change"' in text and 'text-decoration-line-through">一般事故' in text
    assert "补报" in text and "逾期补报</span>" not in text
    # Bad figures: named, nothing saved.
    bad = client.post(act(made, "follow_up"), {**data, "missing": "-2"})
    assert bad.status_code == 422 and "下落不明人数不能为负数" in bad.content.decode()
    assert made.reports.count() == 2


def test_a_casualty_change_after_the_window_is_flagged_late(client, accident, wuhou_ent, wuhou_inspector):
    made = accident(wuhou_ent)
    with time_machine.travel(NOW + timedelta(days=31), tick=False):
        client.force_login(wuhou_inspector)  # a session lasts a working day, not a month
        response = client.post(
            act(made, "follow_up"),
            {
                "deaths": "2",
                "serious_injuries": "0",
                "minor_injuries": "2",
                "missing": "0",
                "direct_loss_cny": "1500000",
                "note": "一名轻伤人员伤情恶化死亡",
            },
        )
        assert response.status_code == 302
        text = client.get(detail(made)).content.decode()
    assert "逾期补报</span>" in text and 'class="table-danger"' in text


def test_read_only_roles_see_no_forms_and_are_refused(client, accident, wuhou_ent, expert):
    made = accident(wuhou_ent)
    client.force_login(expert)
    text = client.get(detail(made)).content.decode()
    assert 'id="no-actions"' in text and "确认接报</button>" not in text
    for action in ("follow_up", "investigate", "accountability"):
        assert client.post(act(made, action), {}).status_code == 403
    assert client.post(act(made, "nonsense"), {}).status_code == 404


def test_an_investigation_walked_through_the_page_to_closure(
    client, accident, wuhou_ent, cd_office, ent_wuhou, wuhou_inspector, jinjiang_inspector
):
    made = accident(wuhou_ent)
    client.force_login(cd_office)
    response = client.post(
        act(made, "investigate"), {"team": "组长：区应急局局长；成员：公安、工会", "started_on": ""}
    )
    assert response.status_code == 302
    investigation = Investigation.objects.get(accident=made)
    assert investigation.lead == "成都市武侯区人民政府"
    assert investigation.due_date == datetime(2026, 7, 10).date()
    # A second team is refused.
    again = client.post(act(made, "investigate"), {"team": "另一组"})
    assert again.status_code == 409 and "该事故已成立调查组" in again.content.decode()

    # The report must be a PDF and the conclusion given.
    bad = client.post(inv_act(investigation, "submit"), {"summary": "", "report": png_upload()})
    assert bad.status_code == 422 and "事故调查报告须为 PDF 文件" in bad.content.decode()
    none = client.post(inv_act(investigation, "submit"), {"summary": "设备联锁失效，违章作业"})
    assert none.status_code == 422 and "必须上传事故调查报告" in none.content.decode()
    assert (
        client.post(
            inv_act(investigation, "submit"), {"summary": "设备联锁失效，违章作业", "report": pdf_upload()}
        ).status_code
        == 302
    )
    assert client.post(inv_act(investigation, "reply"), {"reply": "同意调查报告"}).status_code == 302

    # Closing now: refused with every reason, nothing changes.
    before = snapshot(investigation)
    refused = client.post(inv_act(investigation, "close"), {})
    text = refused.content.decode()
    assert refused.status_code == 409
    assert "不能结案" in text and "“四不放过”尚未落实" in text and "事故原因未查清不放过" in text
    assert "调查报告提出的整改措施尚未登记" in text
    assert 'id="action-alert"' in text and "border-danger" in text
    assert snapshot(investigation) == before

    # The four-nos, each with evidence.
    missing = client.post(inv_act(investigation, "four_nos:cause"), {"done": "on", "note": "原因已查清"})
    assert missing.status_code == 422 and "必须附证据材料" in missing.content.decode()
    for item in ("cause", "responsible", "measures", "education"):
        response = client.post(
            inv_act(investigation, f"four_nos:{item}"),
            {"done": "on", "note": f"{item}已落实", "files": [png_upload(f"{item}.png")]},
        )
        assert response.status_code == 302, item
    assert investigation.four_nos.filter(done=True).count() == 4
    # A measure for the enterprise; its due date must not be past.
    past = client.post(
        inv_act(investigation, "measure"),
        {
            "description": "加装冲压机双手操作联锁装置",
            "due_date": "2026-05-01",
            "assignee_enterprise": wuhou_ent.pk,
        },
    )
    assert past.status_code == 422 and "早于今天" in past.content.decode()
    assert (
        client.post(
            inv_act(investigation, "measure"),
            {
                "description": "加装冲压机双手操作联锁装置",
                "due_date": "2026-06-30",
                "assignee_enterprise": wuhou_ent.pk,
            },
        ).status_code
        == 302
    )
    measure = Measure.objects.get()
    still = client.post(inv_act(investigation, "close"), {})
    assert still.status_code == 409 and "还有 1 项整改措施未验收销号" in still.content.decode()

    # The enterprise submits with evidence; the county inspector verifies.
    client.force_login(ent_wuhou)
    page = client.get(detail(made)).content.decode()
    assert f'id="measure-{measure.pk}-submit"' in page
    no_evidence = client.post(
        reverse("accidents:measure_action", args=[measure.pk, "submit"]), {"result": "已加装"}
    )
    assert no_evidence.status_code == 422 and "必须附落实情况的证据材料" in no_evidence.content.decode()
    assert (
        client.post(
            reverse("accidents:measure_action", args=[measure.pk, "submit"]),
            {"result": "已加装双手操作联锁", "files": [png_upload()]},
        ).status_code
        == 302
    )
    assert (
        client.post(reverse("accidents:measure_action", args=[measure.pk, "verify"]), {}).status_code == 403
    )
    client.force_login(jinjiang_inspector)
    assert (
        client.post(reverse("accidents:measure_action", args=[measure.pk, "verify"]), {}).status_code == 404
    )
    client.force_login(wuhou_inspector)
    assert (
        client.post(
            reverse("accidents:measure_action", args=[measure.pk, "verify"]), {"comment": "现场核查合格"}
        ).status_code
        == 302
    )

    client.force_login(cd_office)
    assert client.post(inv_act(investigation, "close"), {}).status_code == 302
    assert client.post(inv_act(investigation, "publish"), {}).status_code == 302
    investigation.refresh_from_db()
    assert investigation.state == "closed" and investigation.published_on == NOW.date()
    text = client.get(detail(made)).content.decode()
    assert 'id="closed-on"' in text and 'id="published-on"' in text and "已落实 4 / 4" in text
    assert "提交调查报告" in text and "批复" in text and "结案" in text  # the history


def test_extending_the_investigation_once(client, accident, wuhou_ent, cd_office):
    made = accident(wuhou_ent)
    client.force_login(cd_office)
    client.post(act(made, "investigate"), {"team": "调查组"})
    investigation = Investigation.objects.get()
    bad = client.post(inv_act(investigation, "extend"), {"days": "90", "reason": "技术鉴定"})
    assert bad.status_code == 422 and "延长天数必须是 1 到 60 之间的整数" in bad.content.decode()
    assert (
        client.post(inv_act(investigation, "extend"), {"days": "30", "reason": "技术鉴定"}).status_code == 302
    )
    text = client.get(detail(made)).content.decode()
    assert "2026-08-09" in text and "延长 30 日：技术鉴定" in text
    assert 'id="investigation-extend"' not in text
    again = client.post(inv_act(investigation, "extend"), {"days": "10", "reason": "再延"})
    assert again.status_code == 409 and "不能再次延长" in again.content.decode()
    # Overdue after the extended deadline.
    with time_machine.travel(datetime(2026, 8, 10, 9, tzinfo=NOW.tzinfo), tick=False):
        client.force_login(cd_office)
        assert "调查超期" in client.get(detail(made)).content.decode()


def test_accountability_recorded_on_the_page(client, accident, wuhou_ent, cd_office, wuhou_inspector):
    made = accident(wuhou_ent)
    client.force_login(wuhou_inspector)
    assert client.post(act(made, "accountability"), {"person_name": "王某"}).status_code == 403
    client.force_login(cd_office)
    bad = client.post(act(made, "accountability"), {"person_name": "王某", "kind": ""})
    text = bad.content.decode()
    assert bad.status_code == 422 and "必须填写职务" in text and "必须填写决定日期" in text
    assert not Accountability.objects.exists()
    response = client.post(
        act(made, "accountability"),
        {
            "person_name": "王某",
            "position": "车间主任",
            "unit": wuhou_ent.name,
            "kind": "administrative_penalty",
            "detail": "罚款2万元",
            "decided_by": "武侯区应急管理局",
            "decided_on": "2026-05-11",
        },
    )
    assert response.status_code == 302
    text = client.get(detail(made)).content.decode()
    assert "王某" in text and "行政处罚" in text and "登记责任追究" in text
