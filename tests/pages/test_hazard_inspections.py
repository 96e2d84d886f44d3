"""Inspections through the pages: the enterprise's self-inspection on its sector's checklist, a
department inspection, the list and the detail."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from benan.core import clock
from benan.hazards.models import Hazard, Inspection
from benan.standards import engine
from tests.hazards.conftest import PNG

pytestmark = pytest.mark.usefixtures("criteria")

SELF = reverse("inspections:self")
NEW = reverse("inspections:new")


def test_the_self_inspection_shows_the_checklist_of_the_enterprise_sector(client, ent_wuhou, wuhou_ent):
    client.force_login(ent_wuhou)
    response = client.get(SELF)
    assert response.status_code == 200
    text = response.content.decode()
    machinery = engine.applicable_criteria("machinery")
    for c in machinery:
        assert f'name="answer-{c.id}"' in text, c.id
    # Items of other sectors' articles are not on a machinery enterprise's list.
    others = {c.id for c in engine.applicable_criteria("metallurgy")} - {c.id for c in machinery}
    assert others and not any(f'name="answer-{cid}"' in text for cid in others)
    assert "原文待核" in text  # some machinery items are unverified
    assert "工贸企业重大事故隐患判定标准" in text
    assert 'name="source" value="self"' in text


def test_a_violation_in_the_self_inspection_becomes_a_major_hazard(client, ent_wuhou, wuhou_ent):
    items = engine.applicable_criteria("machinery")
    bad, good = items[1], items[0]
    client.force_login(ent_wuhou)
    response = client.post(
        SELF,
        {
            "source": "self",
            "date": clock.today().isoformat(),
            "inspectors": "安全员 王五",
            "standard": "gongmao-2023",
            f"answer-{good.id}": "complies",
            f"answer-{bad.id}": "violates",
            f"note-{bad.id}": "叉车司机无证上岗",
            f"photos-{bad.id}": [SimpleUploadedFile("现场.png", PNG, "image/png")],
            "finding_description": ["消防通道堆放杂物", ""],
            "finding_location": ["二号车间", ""],
        },
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response.url == reverse("inspections:detail", args=[inspection.pk])
    assert inspection.source == "self" and inspection.enterprise == wuhou_ent
    major = Hazard.objects.get(criterion_id=bad.id)
    assert major.grade == "major" and major.state == "reported" and major.inspection == inspection
    assert "叉车司机无证上岗" in major.description
    general = Hazard.objects.get(criterion__isnull=True)
    assert general.description == "消防通道堆放杂物" and general.location == "二号车间"
    assert inspection.answers.get(criterion_id=bad.id).photos.count() == 1

    page = client.get(response.url).content.decode()
    assert "消防通道堆放杂物" in page and bad.id in page and "不符合" in page


def test_the_self_inspection_is_for_enterprise_users_only(client, wuhou_inspector, expert):
    client.force_login(wuhou_inspector)
    assert client.get(SELF).status_code == 403
    client.force_login(expert)
    assert client.get(SELF).status_code == 403


def test_an_empty_inspection_is_refused_with_a_chinese_message(client, ent_wuhou):
    client.force_login(ent_wuhou)
    today = clock.today().isoformat()
    response = client.post(SELF, {"source": "self", "date": today, "standard": "gongmao-2023"})
    assert response.status_code == 422
    assert "请至少对一项检查内容作出结论" in response.content.decode()
    assert not Inspection.objects.exists()


def test_a_future_date_is_refused_and_the_answers_are_kept(client, ent_wuhou):
    item = engine.applicable_criteria("machinery")[0]
    client.force_login(ent_wuhou)
    response = client.post(
        SELF,
        {"source": "self", "date": "2999-01-01", "standard": "gongmao-2023", f"answer-{item.id}": "violates",
         f"note-{item.id}": "保留的说明"},
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "检查日期不能晚于今天" in text
    assert "保留的说明" in text
    assert re.search(rf'name="answer-{re.escape(item.id)}" value="violates"[^>]*checked', text)
    assert not Inspection.objects.exists() and not Hazard.objects.exists()


def test_a_department_inspection_picks_an_enterprise_in_scope(
    client, wuhou_inspector, wuhou_ent, jinjiang_ent
):
    client.force_login(wuhou_inspector)
    picker = client.get(NEW).content.decode()
    assert wuhou_ent.name in picker and jinjiang_ent.name not in picker
    assert client.get(NEW, {"enterprise": jinjiang_ent.pk}).status_code == 404
    form = client.get(NEW, {"enterprise": wuhou_ent.pk})
    assert form.status_code == 200 and 'value="self"' not in form.content.decode()
    finding = {"finding_description": ["配电箱未接地"], "finding_location": ["仓库"]}
    response = client.post(
        f"{NEW}?enterprise={wuhou_ent.pk}",
        {"enterprise": wuhou_ent.pk, "source": "department", "date": clock.today().isoformat(),
         "inspectors": "张三、李四", "standard": "gongmao-2023", **finding},
    )
    assert response.status_code == 302
    hazard = Hazard.objects.get()
    assert hazard.source == "department" and hazard.grade == ""
    # Out of scope: refused as missing, nothing recorded.
    response = client.post(
        NEW,
        {"enterprise": jinjiang_ent.pk, "source": "department", "date": clock.today().isoformat(), **finding},
    )
    assert response.status_code == 404 and Inspection.objects.count() == 1


def test_an_enterprise_user_is_sent_to_the_self_inspection(client, ent_wuhou):
    client.force_login(ent_wuhou)
    response = client.get(NEW)
    assert response.status_code == 302 and response.url == SELF


def test_the_inspection_list_keeps_to_the_scope(client, wuhou_inspector, jinjiang_inspector, ent_wuhou):
    client.force_login(ent_wuhou)
    item = engine.applicable_criteria("machinery")[0]
    client.post(SELF, {"source": "self", "date": clock.today().isoformat(), "standard": "gongmao-2023",
                       f"answer-{item.id}": "complies"})
    inspection = Inspection.objects.get()
    client.force_login(wuhou_inspector)
    listing = client.get(reverse("inspections:list")).content.decode()
    assert reverse("inspections:detail", args=[inspection.pk]) in listing
    client.force_login(jinjiang_inspector)
    assert "还没有检查记录" in client.get(reverse("inspections:list")).content.decode()
    assert client.get(reverse("inspections:detail", args=[inspection.pk])).status_code == 404


def test_a_checklist_that_is_not_loaded_is_named_in_the_error(client, ent_wuhou):
    from benan.standards.models import CriteriaStandard, Criterion

    item = engine.applicable_criteria("machinery")[0]
    Criterion.objects.all().delete()
    CriteriaStandard.objects.all().delete()
    client.force_login(ent_wuhou)
    response = client.post(
        SELF, {"source": "self", "date": clock.today().isoformat(), "standard": "gongmao-2023",
               f"answer-{item.id}": "complies"},
    )
    assert response.status_code == 422
    assert "判定标准“gongmao-2023”不存在" in response.content.decode()


def test_a_bad_photo_is_named_and_nothing_is_kept(client, ent_wuhou):
    from benan.core.models import Attachment

    first, second = engine.applicable_criteria("machinery")[:2]
    client.force_login(ent_wuhou)
    response = client.post(
        SELF,
        {
            "source": "self", "date": clock.today().isoformat(), "standard": "gongmao-2023",
            f"answer-{first.id}": "violates", f"photos-{first.id}": [SimpleUploadedFile("好.png", PNG)],
            f"answer-{second.id}": "violates",
            f"photos-{second.id}": [SimpleUploadedFile("坏.png", b"GIF89a not accepted")],
        },
    )
    assert response.status_code == 422
    assert "坏.png：只接受" in response.content.decode()
    assert not Attachment.objects.exists() and not Inspection.objects.exists() and not Hazard.objects.exists()
