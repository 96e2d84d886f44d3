"""The whole hazard loop through the pages, as the demo roles use it, and wrong moves refused."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from benan.core import audit, clock
from benan.hazards.models import Hazard, Listing
from tests.hazards.conftest import CRITERION, PLAN, PNG

pytestmark = pytest.mark.usefixtures("criteria")


def due(days: int = 30) -> str:
    return (clock.today() + timedelta(days=days)).isoformat()


def url(name: str, pk: int) -> str:
    return reverse(f"hazards:{name}", args=[pk])


def plan_fields(plan=PLAN) -> dict:
    return {f"plan_{key}": value for key, value in plan.items()}


def test_the_whole_loop_through_the_pages(client, ent_wuhou, wuhou_inspector, cd_office, wuhou_ent):
    # ent-wuhou reports a hazard found in its own check.
    client.force_login(ent_wuhou)
    form = client.get(reverse("hazards:report"))
    assert form.status_code == 200
    assert wuhou_ent.name in form.content.decode()
    response = client.post(
        reverse("hazards:report"),
        {
            "enterprise": wuhou_ent.pk,
            "source": "self",
            "description": "煤气区域未设一氧化碳报警",
            "location": "煤气站",
        },
    )
    hazard = Hazard.objects.get()
    assert response.status_code == 302 and response.url == url("detail", hazard.pk)
    assert hazard.state == "reported" and hazard.source == "self" and hazard.reported_by == ent_wuhou

    # wuhou-inspector confirms it as major, citing a criterion, with the five-element plan.
    client.force_login(wuhou_inspector)
    page = client.get(url("detail", hazard.pk)).content.decode()
    assert 'id="action-confirm"' in page and 'id="action-dismiss"' in page
    assert CRITERION in page and "原文待核" in page  # the machinery checklist has unverified items
    response = client.post(
        url("confirm", hazard.pk),
        {"grade": "major", "criterion": CRITERION, "due_date": due(), **plan_fields()},
    )
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert (hazard.state, hazard.grade, hazard.criterion_id) == ("rectifying", "major", CRITERION)
    assert hazard.plan == PLAN

    # cd-office lists it.
    client.force_login(cd_office)
    page = client.get(url("detail", hazard.pk)).content.decode()
    assert 'id="action-list"' in page
    response = client.post(url("list_hazard", hazard.pk), {"due_date": due(60), "comment": "限期整改"})
    assert response.status_code == 302
    assert Listing.objects.get(hazard=hazard).office_region_id == "510100"

    # ent-wuhou submits its rectification with a photo.
    client.force_login(ent_wuhou)
    page = client.get(url("detail", hazard.pk)).content.decode()
    assert 'id="action-submit"' in page and 'enctype="multipart/form-data"' in page
    assert "成都市挂牌督办中" in page
    photo = SimpleUploadedFile("整改后.png", PNG, "image/png")
    response = client.post(url("submit", hazard.pk), {"description": "已安装报警仪", "files": [photo]})
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.state == "submitted"
    rectification = hazard.rectifications.get()
    attachment = rectification.attachments.get()
    assert attachment.content_type == "image/png"

    # wuhou-inspector sees the evidence and verifies.
    client.force_login(wuhou_inspector)
    page = client.get(url("detail", hazard.pk)).content.decode()
    evidence_url = reverse("attachment", args=[attachment.pk])
    assert f'src="{evidence_url}"' in page
    assert client.get(evidence_url).status_code == 200
    response = client.post(url("verify", hazard.pk), {"comment": "现场复查，整改到位"})
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.state == "closed" and hazard.verified_by == wuhou_inspector

    # cd-office delists.
    client.force_login(cd_office)
    response = client.post(url("delist_hazard", hazard.pk), {"comment": "已销号，同意摘牌"})
    assert response.status_code == 302
    assert Listing.objects.get(hazard=hazard).state == "delisted"

    # The history tells the story in Chinese.
    page = client.get(url("detail", hazard.pk)).content.decode()
    for label in ("上报隐患", "确认隐患", "挂牌督办", "提交整改", "验收销号", "摘牌"):
        assert f">{label}<" in page, label
    assert "隐患已验收销号，闭环完成" in page


def snapshot(pk: int):
    hazard = Hazard.objects.get(pk=pk)
    return (
        hazard.state, hazard.grade, hazard.due_date, hazard.rectifications.count(),
        hazard.listings.count(), audit.history(hazard).count(),
    )


def test_verify_from_reported_is_a_409_with_a_chinese_message(client, walk, wuhou_inspector):
    pk = walk("reported")
    before = snapshot(pk)
    client.force_login(wuhou_inspector)
    response = client.post(url("verify", pk), {"comment": "直接销号"})
    assert response.status_code == 409
    assert "当前状态为“待确认”，不能执行“验收销号”" in response.content.decode()
    assert snapshot(pk) == before


def test_major_without_criterion_and_plan_shows_the_field_errors(client, walk, wuhou_inspector):
    pk = walk("reported")
    before = snapshot(pk)
    client.force_login(wuhou_inspector)
    response = client.post(url("confirm", pk), {"grade": "major", "due_date": due()})
    assert response.status_code == 422
    text = response.content.decode()
    assert "重大事故隐患必须注明判定依据" in text
    assert "重大事故隐患治理方案须落实五要素，缺少：治理措施、责任人、治理资金、治理时限、应急预案" in text
    assert snapshot(pk) == before


def test_a_due_date_in_the_past_is_refused(client, walk, wuhou_inspector):
    pk = walk("reported")
    before = snapshot(pk)
    client.force_login(wuhou_inspector)
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    response = client.post(url("confirm", pk), {"grade": "general", "due_date": yesterday})
    assert response.status_code == 422
    assert f"整改期限 {yesterday} 早于今天" in response.content.decode()
    assert snapshot(pk) == before


def test_submit_without_evidence_changes_nothing(client, walk, ent_wuhou):
    pk = walk("rectifying")
    before = snapshot(pk)
    client.force_login(ent_wuhou)
    response = client.post(url("submit", pk), {"description": "已整改"})
    assert response.status_code == 422
    assert "至少上传一份整改证据（照片或 PDF）" in response.content.decode()
    assert snapshot(pk) == before


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_stored(client, walk, ent_wuhou):
    from benan.core.models import Attachment

    pk = walk("rectifying")
    before, files = snapshot(pk), Attachment.objects.count()
    client.force_login(ent_wuhou)
    fake = SimpleUploadedFile("照片.png", b"MZ\x90\x00 not a picture", "image/png")
    response = client.post(url("submit", pk), {"description": "已整改", "files": [fake]})
    assert response.status_code == 422
    assert "照片.png：只接受" in response.content.decode()
    assert snapshot(pk) == before and Attachment.objects.count() == files


def test_a_refused_submission_keeps_no_uploaded_evidence(client, walk, ent_wuhou):
    from benan.core.models import Attachment

    pk = walk("submitted")
    files = Attachment.objects.count()
    client.force_login(ent_wuhou)
    photo = SimpleUploadedFile("再次.png", PNG, "image/png")
    response = client.post(url("submit", pk), {"description": "再次提交", "files": [photo]})
    assert response.status_code == 409
    assert "不能执行“提交整改”" in response.content.decode()
    assert Attachment.objects.count() == files


def test_delist_while_open_is_refused(client, walk, cd_office):
    pk = walk("rectifying")
    client.force_login(cd_office)
    assert client.post(url("list_hazard", pk), {"due_date": due(60)}).status_code == 302
    before = snapshot(pk)
    response = client.post(url("delist_hazard", pk), {"comment": "摘牌"})
    assert response.status_code == 409
    assert "隐患尚未验收销号（当前“整改中”），不能摘牌" in response.content.decode()
    assert snapshot(pk) == before
    assert Listing.objects.get(hazard_id=pk).state == "listed"


def test_the_submitter_cannot_be_offered_verification(client, walk, ent_wuhou):
    pk = walk("submitted")
    client.force_login(ent_wuhou)
    page = client.get(url("detail", pk)).content.decode()
    assert 'id="action-verify"' not in page and 'id="action-reject"' not in page
    response = client.post(url("verify", pk), {"comment": "自己验收"})
    assert response.status_code == 403
    assert Hazard.objects.get(pk=pk).state == "submitted"


def test_an_enterprise_is_not_offered_to_confirm_a_department_finding(
    client, wuhou_inspector, ent_wuhou, wuhou_ent
):
    from benan.hazards import services

    hazard = services.report_hazard(
        actor=wuhou_inspector, enterprise=wuhou_ent, description="安全出口堵塞", source="department"
    )
    client.force_login(ent_wuhou)
    page = client.get(url("detail", hazard.pk)).content.decode()
    assert 'id="action-confirm"' not in page
    assert "当前没有需要您处理的操作" in page


def test_an_enterprise_confirms_its_own_general_hazard(client, walk, ent_wuhou):
    pk = walk("reported")
    client.force_login(ent_wuhou)
    page = client.get(url("detail", pk)).content.decode()
    assert 'id="action-confirm"' in page and 'value="major"' not in page
    response = client.post(url("confirm", pk), {"grade": "general", "due_date": due(10)})
    assert response.status_code == 302
    assert Hazard.objects.get(pk=pk).grade == "general"


def test_reject_needs_a_comment_and_then_returns_the_hazard(client, walk, wuhou_inspector):
    pk = walk("submitted")
    client.force_login(wuhou_inspector)
    response = client.post(url("reject", pk), {"comment": ""})
    assert response.status_code == 422 and "必须填写退回意见" in response.content.decode()
    assert Hazard.objects.get(pk=pk).state == "submitted"
    assert client.post(url("reject", pk), {"comment": "报警仪未联网"}).status_code == 302
    assert Hazard.objects.get(pk=pk).state == "rectifying"


def test_dismiss_needs_a_reason(client, walk, wuhou_inspector):
    pk = walk("reported")
    client.force_login(wuhou_inspector)
    response = client.post(url("dismiss", pk), {"reason": " "})
    assert response.status_code == 422 and "必须填写不予确认的理由" in response.content.decode()
    assert client.post(url("dismiss", pk), {"reason": "经核实不构成隐患"}).status_code == 302
    hazard = Hazard.objects.get(pk=pk)
    assert hazard.state == "dismissed" and hazard.dismissed_reason == "经核实不构成隐患"


def test_out_of_scope_hazard_pages_are_404(client, walk, jinjiang_inspector):
    pk = walk("submitted")
    before = snapshot(pk)
    client.force_login(jinjiang_inspector)
    assert client.get(url("detail", pk)).status_code == 404
    for name, body in (("verify", {}), ("reject", {"comment": "x"}), ("confirm", {"grade": "general"})):
        assert client.post(url(name, pk), body).status_code == 404, name
    assert snapshot(pk) == before
    attachment = Hazard.objects.get(pk=pk).rectifications.get().attachments.get()
    assert client.get(reverse("attachment", args=[attachment.pk])).status_code == 404


def test_read_only_roles_are_refused_the_actions(client, walk, expert):
    pk = walk("submitted")
    before = snapshot(pk)
    client.force_login(expert)
    assert client.get(url("detail", pk)).status_code == 200
    assert 'id="no-actions"' in client.get(url("detail", pk)).content.decode()
    assert client.post(url("verify", pk), {"comment": ""}).status_code == 403
    assert client.post(url("list_hazard", pk), {"due_date": due()}).status_code == 403
    assert snapshot(pk) == before


def test_the_detail_shows_the_criterion_and_the_unverified_mark(client, walk, wuhou_inspector):
    from benan.standards.models import Criterion

    pk = walk("rectifying")
    Criterion.objects.filter(pk=CRITERION).update(verified=False)
    client.force_login(wuhou_inspector)
    text = client.get(url("detail", pk)).content.decode()
    criterion = Criterion.objects.get(pk=CRITERION)
    assert criterion.text in text and CRITERION in text
    assert "原文待核" in text.split('id="hazard-criterion"')[1].split("</dd>")[0]
    for value in PLAN.values():
        assert value in text
