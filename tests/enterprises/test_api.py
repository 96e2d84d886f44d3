"""The enterprise API: list, filters, pagination, read, register, edit, status changes."""

from datetime import date

import pytest

from benan.core import audit
from benan.enterprises.models import Enterprise

from ..conftest import JINJIANG, WUHOU, make_uscc

LIST = "/api/v1/enterprises"


def new_body(**overrides):
    body = {
        "uscc": make_uscc(WUHOU), "name": "成都新登记化工有限公司", "region_code": WUHOU,
        "sector": "hazardous_chemicals", "address": "四川省成都市武侯区科华北路1号",
        "lat": 30.64, "lon": 104.04,
    }
    return {**body, **overrides}


def test_the_list_has_the_documented_shape(api, sc_office, wuhou_ent):
    body = api(sc_office).get(LIST).json()
    assert body["count"] == 1
    assert body["items"] == [{
        "id": wuhou_ent.pk, "uscc": wuhou_ent.uscc, "name": "武侯机械制造有限公司",
        "region_code": WUHOU, "sector": "machinery", "status": "normal",
        "address": wuhou_ent.address, "lat": wuhou_ent.lat, "lon": wuhou_ent.lon,
    }]


def test_filters_combine(api, sc_office, wuhou_ent, jinjiang_ent, mianyang_ent, make_enterprise):
    suspended = make_enterprise(JINJIANG, name="锦江停产化工有限公司", sector="hazardous_chemicals",
                                status="suspended")
    client = api(sc_office)

    def names(**params):
        return [i["name"] for i in client.get(LIST, params).json()["items"]]

    assert set(names(region="510100")) == {wuhou_ent.name, jinjiang_ent.name, suspended.name}
    assert names(region=JINJIANG, sector="hazardous_chemicals") == [suspended.name]
    assert names(status="suspended") == [suspended.name]
    assert names(q="绵阳") == [mianyang_ent.name]
    assert names(q=wuhou_ent.uscc[:10]) == [wuhou_ent.name]
    assert names(q=wuhou_ent.uscc[:10].lower()) == [wuhou_ent.name]
    assert names(region="510700", status="suspended") == []


def test_a_region_filter_never_widens_the_scope(api, wuhou_inspector, wuhou_ent, jinjiang_ent):
    body = api(wuhou_inspector).get(LIST, {"region": "510000"}).json()
    assert [i["name"] for i in body["items"]] == [wuhou_ent.name]
    assert api(wuhou_inspector).get(LIST, {"region": JINJIANG}).json()["count"] == 0


@pytest.mark.parametrize(
    "params,field",
    [({"region": "999999"}, "region"), ({"sector": "farming"}, "sector"),
     ({"status": "sleeping"}, "status"), ({"page": "0"}, "page"), ({"page_size": "1000"}, "page_size"),
     ({"page": "x"}, "page")],
)
def test_bad_filters_are_422_naming_the_parameter(api, sc_office, params, field):
    response = api(sc_office).get(LIST, params)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert field in response.json()["detail"]


def test_pages_are_cut_in_name_order(api, sc_office, make_enterprise):
    for n in range(25):
        make_enterprise(WUHOU, name=f"企业{n:02d}")
    client = api(sc_office)
    first = client.get(LIST).json()
    second = client.get(LIST, {"page": 2}).json()
    assert first["count"] == second["count"] == 25
    assert [i["name"] for i in first["items"]] == [f"企业{n:02d}" for n in range(20)]
    assert [i["name"] for i in second["items"]] == [f"企业{n:02d}" for n in range(20, 25)]
    assert client.get(LIST, {"page": 3}).json()["items"] == []


def test_the_list_makes_a_fixed_number_of_queries(
    api, sc_office, make_enterprise, django_assert_max_num_queries
):
    for n in range(30):
        make_enterprise(WUHOU if n % 2 else JINJIANG)
    client = api(sc_office)
    with django_assert_max_num_queries(8):
        assert client.get(LIST).status_code == 200


def test_detail_has_the_timeline_newest_first(api, wuhou_inspector, wuhou_ent, admin):
    from benan.enterprises import services

    services.change_status(actor=admin, enterprise=wuhou_ent, status="suspended",
                           start_date=date(2026, 3, 1), reason="责令停产整顿")
    body = api(wuhou_inspector).get(f"{LIST}/{wuhou_ent.pk}").json()
    assert body["region_name"] == "成都市武侯区"
    assert [(p["status"], p["start_date"], p["end_date"]) for p in body["timeline"]] == [
        ("suspended", "2026-03-01", None), ("normal", "2020-01-01", "2026-02-28"),
    ]
    assert body["status"] == "suspended"
    assert body["status_label"] == "停产整顿"


def test_registering_returns_201_and_audits(api, wuhou_inspector):
    body = new_body()
    response = api(wuhou_inspector).post(LIST, body)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["uscc"] == body["uscc"]
    assert created["status"] == "normal"
    enterprise = Enterprise.objects.get(pk=created["id"])
    entry = audit.history(enterprise).get()
    assert entry.action == "enterprises.enterprise.created"
    assert entry.actor_name == "wuhou-inspector"


def test_sector_and_status_may_be_given_in_chinese(api, wuhou_inspector):
    response = api(wuhou_inspector).post(LIST, new_body(sector="危险化学品", status="under_construction"))
    assert response.status_code == 201
    assert response.json()["sector"] == "hazardous_chemicals"
    assert response.json()["status"] == "under_construction"


@pytest.mark.parametrize(
    "overrides,field,words",
    [
        ({"uscc": "914403001922038217"}, "uscc", "校验位"),
        ({"uscc": "91440300192203821"}, "uscc", "长度"),
        ({"uscc": "91440300I922038216"}, "uscc", "不允许"),
        ({"region_code": "510199"}, "region_code", "不存在"),
        ({"region_code": "510100"}, "region_code", "县级"),
        ({"lat": 40.0}, "lat", "四川"),
        ({"lon": 97.0}, "lon", "四川"),
        ({"sector": "farming"}, "sector", "可选"),
        ({"name": "  "}, "name", "必填"),
        ({"name": "甲" * 201}, "name", "200"),
        ({"lat": "north"}, "lat", "数字"),
        ({"color": "red"}, "color", "不支持"),
        ({"name": "a\x00b"}, "name", "控制字符"),
    ],
)
def test_invalid_input_is_422_naming_field_and_rule(api, wuhou_inspector, overrides, field, words):
    response = api(wuhou_inspector).post(LIST, new_body(**overrides))
    assert response.status_code == 422
    body = response.json()
    assert field in body["detail"] and words in body["detail"]
    assert any(e["field"] == field for e in body["errors"])
    assert not Enterprise.objects.exists()


def test_a_missing_field_is_named(api, wuhou_inspector):
    body = new_body()
    del body["address"]
    response = api(wuhou_inspector).post(LIST, body)
    assert response.status_code == 422
    assert "address：必填" in response.json()["detail"]


def test_a_duplicate_uscc_is_refused_and_nothing_is_saved(api, wuhou_inspector, wuhou_ent):
    response = api(wuhou_inspector).post(LIST, new_body(uscc=wuhou_ent.uscc))
    assert response.status_code == 422
    assert "已登记" in response.json()["detail"]
    assert Enterprise.objects.count() == 1


def test_registering_outside_ones_region_is_refused(api, wuhou_inspector):
    response = api(wuhou_inspector).post(LIST, new_body(region_code=JINJIANG))
    assert response.status_code == 422
    assert "管辖范围" in response.json()["detail"]
    assert not Enterprise.objects.exists()


@pytest.mark.parametrize("role_fixture", ["ent_wuhou", "expert", "commander"])
def test_read_only_roles_cannot_register_or_edit(api, request, role_fixture, wuhou_ent):
    user = request.getfixturevalue(role_fixture)
    client = api(user)
    assert client.post(LIST, new_body()).status_code == 403
    assert client.patch(f"{LIST}/{wuhou_ent.pk}", {"address": "x"}).status_code == 403
    assert Enterprise.objects.count() == 1


def test_patch_changes_only_the_given_fields_and_audits_the_diff(api, wuhou_inspector, wuhou_ent):
    response = api(wuhou_inspector).patch(
        f"{LIST}/{wuhou_ent.pk}", {"safety_contact": "张安全", "lat": 30.65}
    )
    assert response.status_code == 200
    assert response.json()["safety_contact"] == "张安全"
    assert response.json()["name"] == wuhou_ent.name
    entry = audit.history(wuhou_ent).order_by("-seq").first()
    assert entry.action == "enterprises.enterprise.updated"
    assert entry.data["changes"] == {"safety_contact": ["", "张安全"], "lat": [wuhou_ent.lat, 30.65]}


def test_patch_validates_like_create(api, wuhou_inspector, wuhou_ent, jinjiang_ent):
    client = api(wuhou_inspector)
    assert client.patch(f"{LIST}/{wuhou_ent.pk}", {"uscc": jinjiang_ent.uscc}).status_code == 422
    assert client.patch(f"{LIST}/{wuhou_ent.pk}", {"region_code": JINJIANG}).status_code == 422
    assert client.patch(f"{LIST}/{wuhou_ent.pk}", {"name": None}).status_code == 422
    wuhou_ent.refresh_from_db()
    assert wuhou_ent.region_id == WUHOU


def test_status_changes_split_the_timeline(api, wuhou_inspector, wuhou_ent):
    client = api(wuhou_inspector)
    url = f"{LIST}/{wuhou_ent.pk}/status"
    response = client.post(url, {"status": "suspended", "start_date": "2026-05-10", "reason": "停产整顿"})
    assert response.status_code == 201
    assert client.post(url, {"status": "suspended", "start_date": "2026-06-01"}).status_code == 422
    assert client.post(url, {"status": "normal", "start_date": "2026-05-01"}).status_code == 422
    assert client.post(url, {"status": "normal", "start_date": "2026-07-01"}).status_code == 201
    assert wuhou_ent.status_on(date(2026, 5, 9)) == "normal"
    assert wuhou_ent.status_on(date(2026, 5, 10)) == "suspended"
    assert wuhou_ent.status_on(date(2026, 6, 30)) == "suspended"
    assert wuhou_ent.status_on(date(2026, 7, 1)) == "normal"
    assert client.post(url, {"status": "paused", "start_date": "2026-08-01"}).status_code == 422
    assert client.post(url, {"status": "closed", "start_date": "2026-13-01"}).status_code == 422


def test_history_lists_the_changes(api, wuhou_inspector, wuhou_ent):
    client = api(wuhou_inspector)
    client.patch(f"{LIST}/{wuhou_ent.pk}", {"address": "四川省成都市武侯区新地址2号"})
    actions = [h["action"] for h in client.get(f"{LIST}/{wuhou_ent.pk}/history").json()]
    assert actions == ["enterprises.enterprise.updated", "enterprises.enterprise.created"]


def test_the_api_docs_are_served_without_a_cdn(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"cdn." not in response.content
    assert client.get("/api/openapi.json").status_code == 200
