"""Unannounced inspections (暗访): made by an office above the county, hidden with their hazards
from the enterprise and from everyone below the office until the office publishes them."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from benan.core import audit, clock
from benan.core.attachments import store
from benan.core.models import Notification
from benan.hazards.models import Hazard, Inspection

from .conftest import PNG, due

INS, H = "/api/v1/inspections", "/api/v1/hazards"
VIOLATED = "gongmao-2023:art3.1"


@pytest.fixture
def photo(sc_office):
    return store(actor=sc_office, upload=SimpleUploadedFile("暗访现场.png", PNG, "image/png"))


def unannounced(client, enterprise, *, photos=(), findings=("安全出口被堵塞",)):
    """Record a 暗访 of `enterprise` through the API: one 不符合 (with `photos`) and `findings`."""
    return client.post(
        INS,
        {
            "enterprise_id": enterprise.pk,
            "source": "unannounced",
            "date": clock.today().isoformat(),
            "inspectors": "暗访组",
            "standard": "gongmao-2023",
            "answers": [{"criterion": VIOLATED, "answer": "violates", "photos": list(photos)}],
            "findings": [{"description": text} for text in findings],
        },
    )


def sees(client, inspection: dict, photo=None) -> bool:
    """Whether `client` sees the inspection and its hazards, by every read there is."""
    pk, hazard_ids = inspection["id"], set(inspection["hazard_ids"])
    reads = [client.get(f"{INS}/{pk}").status_code == 200]
    reads += [client.get(f"{H}/{h}").status_code == 200 for h in hazard_ids]
    reads += [client.get(f"{H}/{h}/history").status_code == 200 for h in hazard_ids]
    reads.append(pk in {i["id"] for i in client.get(INS).json()["items"]})
    reads.append(hazard_ids <= {h["id"] for h in client.get(H).json()["items"]})
    if photo is not None:
        reads.append(client.get(f"/api/v1/attachments/{photo.pk}").status_code == 200)
    assert len(set(reads)) == 1, reads  # all or nothing
    return reads[0]


def found(client, region: str | None = None) -> int:
    return client.get(f"{H}/stats", {"region": region} if region else {}).json()["found"]


def test_a_province_unannounced_inspection_is_hidden_below_the_province_until_published(
    api, criteria, wuhou_ent, sc_office, cd_office, wuhou_inspector, ent_wuhou, photo
):
    sc, cd, wuhou, ent = api(sc_office), api(cd_office), api(wuhou_inspector), api(ent_wuhou)
    response = unannounced(sc, wuhou_ent, photos=[photo.pk])
    assert response.status_code == 201, response.content
    inspection = response.json()
    assert inspection["visibility"] == "embargoed" and inspection["visibility_label"] == "暗访未公开"
    assert inspection["office_region_code"] == "510000" and inspection["actions"] == ["publish"]
    assert len(inspection["hazard_ids"]) == 2
    assert set(Hazard.objects.values_list("embargo_region_id", flat=True)) == {"510000"}

    assert sees(sc, inspection, photo)
    assert found(sc, "510107") == 2
    # cd-office's Chengdu does not contain the province: hidden from it too.
    for client in (cd, wuhou, ent):
        assert not sees(client, inspection, photo)
    assert found(cd, "510100") == found(wuhou, "510107") == found(ent) == 0
    assert not Notification.objects.filter(recipient__in=[ent_wuhou, wuhou_inspector]).exists()
    # Nothing moves before publication: no deadline for what the enterprise cannot see.
    hazard = inspection["hazard_ids"][0]
    assert "confirm" not in sc.get(f"{H}/{hazard}").json()["actions"]
    refused = sc.post(f"{H}/{hazard}/confirm", {"grade": "general", "due_date": due()})
    assert refused.status_code == 409 and "公开" in refused.json()["detail"]
    # Those who cannot see it cannot publish it either.
    for client in (cd, wuhou, ent):
        assert client.post(f"{INS}/{inspection['id']}/publish").status_code == 404

    published = sc.post(f"{INS}/{inspection['id']}/publish")
    assert published.status_code == 200, published.content
    body = published.json()
    assert body["visibility"] == "published" and body["published_at"] and body["actions"] == []
    assert body["office_region_code"] == "510000"  # who made it stays on record
    assert not Hazard.objects.filter(embargo_region__isnull=False).exists()
    for client in (sc, cd, wuhou, ent):
        assert sees(client, inspection, photo)
    assert found(cd, "510100") == found(wuhou, "510107") == found(ent) == 2
    assert Notification.objects.filter(recipient=ent_wuhou, title__contains="暗访").count() == 1
    assert Notification.objects.filter(recipient=wuhou_inspector, title__contains="暗访").count() == 1

    again = sc.post(f"{INS}/{inspection['id']}/publish")
    assert again.status_code == 409
    entries = audit.history(Inspection.objects.get(pk=inspection["id"]))
    assert [e.action for e in entries.order_by("seq")] == [
        "hazards.inspection.recorded",
        "hazards.inspection.publish",
    ]
    assert entries.get(action="hazards.inspection.publish").data["hazards"] == 2
    assert audit.verify().ok
    # Now the county works it like any other hazard.
    confirmed = wuhou.post(f"{H}/{hazard}/confirm", {"grade": "general", "due_date": due()})
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "rectifying"


def test_a_city_unannounced_inspection_is_hidden_from_its_counties_only(
    api, criteria, wuhou_ent, sc_office, cd_office, wuhou_inspector, jinjiang_inspector, ent_wuhou
):
    cd = api(cd_office)
    inspection = unannounced(cd, wuhou_ent).json()
    assert inspection["office_region_code"] == "510100"
    assert sees(api(sc_office), inspection)
    assert sees(cd, inspection)
    for user in (wuhou_inspector, jinjiang_inspector, ent_wuhou):
        assert not sees(api(user), inspection)
    # The province, above the city, may publish the city's 暗访.
    assert api(sc_office).post(f"{INS}/{inspection['id']}/publish").status_code == 200
    assert sees(api(wuhou_inspector), inspection)


def test_a_county_cannot_inspect_itself_unannounced(api, criteria, wuhou_ent, wuhou_inspector, make_user):
    response = unannounced(api(wuhou_inspector), wuhou_ent)
    assert response.status_code == 422
    assert "source" in response.json()["detail"] and "暗访" in response.json()["detail"]
    county_office = make_user("wuhou-office", "safety_office", region="510107")
    assert unannounced(api(county_office), wuhou_ent).status_code == 422
    assert not Inspection.objects.exists() and not Hazard.objects.exists()


def test_an_office_cannot_inspect_outside_its_region(api, criteria, mianyang_ent, cd_office):
    assert unannounced(api(cd_office), mianyang_ent).status_code == 404
    assert not Inspection.objects.exists()


def test_an_unannounced_hazard_is_only_recorded_with_its_inspection(api, wuhou_ent, sc_office):
    response = api(sc_office).post(
        H, {"enterprise_id": wuhou_ent.pk, "description": "暗访发现", "source": "unannounced"}
    )
    assert response.status_code == 422 and "source" in response.json()["detail"]
    assert not Hazard.objects.exists()


def test_the_admin_records_unannounced_for_the_province(api, criteria, wuhou_ent, admin, cd_office):
    inspection = unannounced(api(admin), wuhou_ent).json()
    assert inspection["visibility"] == "embargoed" and inspection["office_region_code"] == "510000"
    assert not sees(api(cd_office), inspection)


def test_ordinary_inspections_are_open_and_cannot_be_published(
    api, criteria, wuhou_ent, wuhou_inspector, ent_wuhou
):
    client = api(wuhou_inspector)
    inspection = client.post(
        INS,
        {"enterprise_id": wuhou_ent.pk, "source": "department", "date": clock.today().isoformat(),
         "findings": [{"description": "灭火器过期"}]},
    ).json()
    assert inspection["visibility"] == "open" and inspection["office_region_code"] is None
    assert client.post(f"{INS}/{inspection['id']}/publish").status_code == 409
    assert Notification.objects.filter(recipient=ent_wuhou, title__startswith="新隐患待确认").exists()


def test_the_inspection_list_filters_by_source_and_visibility(api, criteria, wuhou_ent, sc_office):
    sc = api(sc_office)
    embargoed = unannounced(sc, wuhou_ent).json()["id"]
    published = unannounced(sc, wuhou_ent).json()["id"]
    sc.post(f"{INS}/{published}/publish")
    sc.post(INS, {"enterprise_id": wuhou_ent.pk, "source": "department", "date": clock.today().isoformat()})

    def ids(**params):
        return {i["id"] for i in sc.get(INS, params).json()["items"]}

    assert ids(source="unannounced") == {embargoed, published}
    assert ids(visibility="embargoed") == {embargoed}
    assert ids(visibility="published") == {published}
    assert len(ids(visibility="open")) == 1
    bad = sc.get(INS, {"visibility": "secret"})
    assert bad.status_code == 422 and "visibility" in bad.json()["detail"]


# -- pages -------------------------------------------------------------------------------------


def test_the_page_shows_the_embargo_and_publishes(client, criteria, wuhou_ent, sc_office, cd_office, api):
    inspection = unannounced(api(sc_office), wuhou_ent).json()
    url = reverse("inspections:detail", args=[inspection["id"]])
    publish = reverse("inspections:publish", args=[inspection["id"]])
    client.force_login(cd_office)
    assert client.get(url).status_code == 404
    assert client.post(publish).status_code == 404
    client.force_login(sc_office)
    text = client.get(url).content.decode()
    assert "暗访·未公开" in text and 'id="publish-form"' in text and publish in text
    hazard_page = client.get(reverse("hazards:detail", args=[inspection["hazard_ids"][0]])).content.decode()
    assert "暗访·未公开" in hazard_page and 'id="confirm-form"' not in hazard_page

    response = client.post(publish)
    assert response.status_code == 302 and response.url == url
    text = client.get(url).content.decode()
    assert "暗访·已公开" in text and 'id="publish-form"' not in text
    assert client.post(publish).status_code == 409


def test_the_form_offers_unannounced_to_offices_above_the_county(
    client, criteria, wuhou_ent, cd_office, wuhou_inspector
):
    url = reverse("inspections:new")
    client.force_login(cd_office)
    assert 'value="unannounced"' in client.get(url, {"enterprise": wuhou_ent.pk}).content.decode()
    client.force_login(wuhou_inspector)
    assert 'value="unannounced"' not in client.get(url, {"enterprise": wuhou_ent.pk}).content.decode()
    client.force_login(cd_office)
    response = client.post(
        f"{url}?enterprise={wuhou_ent.pk}",
        {"enterprise": wuhou_ent.pk, "source": "unannounced", "date": clock.today().isoformat(),
         "finding_description": ["夜间暗访发现违规动火"], "finding_location": ["车间"]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    inspection = Inspection.objects.get()
    assert (inspection.visibility, inspection.office_region_id) == ("embargoed", "510100")
    assert inspection.hazards.get().embargo_region_id == "510100"


# -- the demo's plan ---------------------------------------------------------------------------


def test_the_demo_plans_unannounced_inspections_by_offices_published_before_anything_moves():
    from benan.demo import generator
    from benan.demo import hazards as demo

    regions = generator.regions_from_file()
    rows = generator.generate(200, 11, regions=regions)
    plan = demo.generate(rows, 300, 11, today=date(2026, 11, 29), regions=regions)
    found = [h for h in plan if h.unannounced_by]
    assert {h.embargoed for h in found} == {True, False}
    assert {h.unannounced_by for h in found} == {demo.OFFICE, demo.PROVINCE}
    for h in plan:
        actions = [s.action for s in h.steps]
        if not h.unannounced_by:
            assert "publish" not in actions and h.steps[0].data.get("source") != "unannounced"
            continue
        first = h.steps[0]
        assert (first.action, first.actor) == ("inspect", h.unannounced_by)
        assert first.data["source"] == "unannounced"
        if h.embargoed:
            assert actions == ["inspect"] and h.state == "reported"
        else:
            assert actions[1] == "publish" and h.steps[1].actor == h.unannounced_by


def test_an_embargoed_inspection_cannot_be_cited_in_a_case_below_the_office(
    api, criteria, wuhou_ent, sc_office, wuhou_inspector
):
    """Opening a case reads the inspection and hazards through the scope: a county inspector
    cannot cite (or probe for) what the province has not published yet."""
    inspection = unannounced(api(sc_office), wuhou_ent).json()
    inspector = api(wuhou_inspector)
    base = {"enterprise_id": wuhou_ent.pk, "cause": "暗访发现问题", "facts": "见暗访记录",
            "officer_ids": [wuhou_inspector.pk]}
    by_inspection = {**base, "origin": "inspection", "inspection_id": inspection["id"]}
    cited = inspector.post("/api/v1/cases", by_inspection)
    assert cited.status_code == 422 and "inspection_id" in {e["field"] for e in cited.json()["errors"]}
    by_hazard = inspector.post("/api/v1/cases", {**base, "origin": "hazards",
                                                 "hazard_ids": inspection["hazard_ids"]})
    assert by_hazard.status_code == 422 and "hazard_ids" in {e["field"] for e in by_hazard.json()["errors"]}
    api(sc_office).post(f"{INS}/{inspection['id']}/publish")
    published = inspector.post("/api/v1/cases", by_inspection)
    assert published.status_code == 201, published.content
