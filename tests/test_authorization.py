"""The authorization matrix: every API endpoint and every page, with every demo role.

Nothing outside a user's scope may be read or written: it answers 404 (or is absent from
lists). Read-only roles get 403 for writes inside their scope. A new endpoint or page fails
`test_every_endpoint_is_in_the_matrix` until it is added here with its rule.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from benan.api import api as ninja_api
from benan.core import audit, clock
from benan.enterprises.models import Enterprise
from benan.standards.loader import load_standards
from benan.standards.models import Criterion

from .accidents import matrix as accident_matrix
from .conftest import JINJIANG, WUHOU, make_uscc
from .emergency import matrix as emergency_matrix
from .emergency.page_matrix import EMERGENCY_PAGES
from .enforcement import matrix as enforcement_matrix
from .enforcement.matrix import ENFORCEMENT_API, PATH_IDS, PUBLIC
from .hazards.matrix import HAZARD_API
from .power import matrix as power_matrix
from .power.page_matrix import POWER_PAGES
from .supervision import figures_matrix
from .supervision import matrix as supervision_matrix
from .supervision.dashboard_page_matrix import DASHBOARD_PAGES
from .supervision.page_matrix import SUPERVISION_PAGES

ROLES = [
    "admin", "sc_office", "cd_office", "wuhou_inspector", "jinjiang_inspector", "ent_wuhou",
    "expert", "commander",
]
# Which of the three enterprises each role may see — written out, not computed by scope().
VISIBLE = {
    "admin": {"wuhou", "jinjiang", "mianyang"},
    "sc_office": {"wuhou", "jinjiang", "mianyang"},
    "expert": {"wuhou", "jinjiang", "mianyang"},
    "commander": {"wuhou", "jinjiang", "mianyang"},
    "cd_office": {"wuhou", "jinjiang"},
    "wuhou_inspector": {"wuhou"},
    "jinjiang_inspector": {"jinjiang"},
    "ent_wuhou": {"wuhou"},
}
WRITERS = {"admin", "sc_office", "cd_office", "wuhou_inspector", "jinjiang_inspector"}
REGION_OF = {"wuhou": WUHOU, "jinjiang": JINJIANG, "mianyang": "510703"}


@pytest.fixture
def world(request, wuhou_ent, jinjiang_ent, mianyang_ent):
    users = {role: request.getfixturevalue(role) for role in ROLES}
    enterprises = {"wuhou": wuhou_ent, "jinjiang": jinjiang_ent, "mianyang": mianyang_ent}
    return users, enterprises


def snapshot(enterprise: Enterprise):
    enterprise.refresh_from_db()
    return (
        enterprise.name, enterprise.address, enterprise.safety_contact,
        list(enterprise.status_periods.values_list("status", "start_date", "end_date")),
        audit.history(enterprise).count(),
    )


# --- API ---------------------------------------------------------------------------------

def read_object(client, role, enterprises, path):
    for key, enterprise in enterprises.items():
        response = client.get(path.format(enterprise_id=enterprise.pk))
        expected = 200 if key in VISIBLE[role] else 404
        assert response.status_code == expected, (role, key, path, response.content)


def write_object(body):
    def probe(client, role, enterprises, path, method):
        for key, enterprise in enterprises.items():
            before = snapshot(enterprise)
            response = getattr(client, method)(path.format(enterprise_id=enterprise.pk), body)
            if key not in VISIBLE[role]:
                assert response.status_code == 404, (role, key, path, response.content)
                assert snapshot(enterprise) == before
            elif role not in WRITERS:
                assert response.status_code == 403, (role, key, path, response.content)
                assert snapshot(enterprise) == before
            else:
                assert response.status_code in (200, 201), (role, key, path, response.content)

    return probe


def list_enterprises(client, role, enterprises, path):
    for params in ({}, {"region": "510000"}, {"region": JINJIANG}, {"q": "有限公司"}):
        ids = {i["id"] for i in client.get(path, params).json()["items"]}
        visible = {enterprises[k].pk for k in VISIBLE[role]}
        assert ids <= visible, (role, params)
        if not params:
            assert ids == visible, role


def create_enterprise(client, role, enterprises, path):
    for key, region in REGION_OF.items():
        body = {"uscc": make_uscc(region), "name": f"新企业{key}", "region_code": region,
                "sector": "machinery", "address": "四川省某地1号", "lat": 30.6, "lon": 104.0}
        response = client.post(path, body)
        created = Enterprise.objects.filter(uscc=body["uscc"]).exists()
        if role not in WRITERS:
            assert response.status_code == 403 and not created, (role, key)
        elif key in VISIBLE[role]:
            assert response.status_code == 201 and created, (role, key, response.content)
        else:
            assert response.status_code == 422 and not created, (role, key, response.content)


def any_user_ok(client, role, enterprises, path):
    assert client.get(path).status_code == 200


def reference_data(client, role, enterprises, path):
    # The official checklists: reference data, the same for every role.
    if not Criterion.objects.exists():
        load_standards()
    response = client.get(path.format(criterion_id="gongmao-2023:art3.1"))
    assert response.status_code == 200 and response.json(), (role, path)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload_and_read_attachments(client, role, enterprises, path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from benan.core.attachments import store
    from benan.core.models import User

    response = client.client.post(
        path, {"file": SimpleUploadedFile("现场.png", PNG, "image/png")}, headers=client.headers
    )
    assert response.status_code == 201, (role, response.content)
    own = response.json()["id"]
    assert client.get(f"{path}/{own}").status_code == 200
    stranger = User.objects.get(username="admin" if role != "admin" else "sc-office")
    other = store(actor=stranger, upload=SimpleUploadedFile("x.png", PNG, "image/png"))
    assert client.get(f"{path}/{other.pk}").status_code == (200 if role == "admin" else 404), role


def own_notifications(client, role, enterprises, path):
    from benan.core import notifications
    from benan.core.models import Notification, User

    me = User.objects.get(username=client.username)
    others = User.objects.exclude(pk=me.pk)
    notifications.notify([me], title="给我的")
    notifications.notify(others, title="给别人的")
    titles = {n["title"] for n in client.get(path).json()["items"]}
    assert titles == {"给我的"}, role
    client.post(f"{path}/read", {})
    assert not Notification.objects.filter(recipient__in=others, read_at__isnull=False).exists()


API_MATRIX = {
    ("post", "/api/v1/attachments"): upload_and_read_attachments,
    ("get", "/api/v1/attachments/{attachment_id}"): None,  # exercised by the upload probe
    ("get", "/api/v1/notifications"): own_notifications,
    ("post", "/api/v1/notifications/read"): None,  # exercised by the notifications probe
    ("post", "/api/v1/auth/token"): None,  # public: see tests/core/test_tokens.py
    ("get", "/api/v1/auth/me"): any_user_ok,
    ("get", "/api/v1/regions"): any_user_ok,  # reference data, the same for everyone
    ("get", "/api/v1/regions/{code}"): None,
    ("get", "/api/v1/enterprises"): list_enterprises,
    ("post", "/api/v1/enterprises"): create_enterprise,
    ("get", "/api/v1/enterprises/{enterprise_id}"): read_object,
    ("get", "/api/v1/enterprises/{enterprise_id}/history"): read_object,
    ("get", "/api/v1/enterprises/{enterprise_id}/status"): read_object,
    ("patch", "/api/v1/enterprises/{enterprise_id}"): write_object({"safety_contact": "李四"}),
    ("post", "/api/v1/enterprises/{enterprise_id}/status"): write_object(
        {"status": "suspended", "start_date": "2026-06-01", "reason": "检查"}
    ),
    ("get", "/api/v1/standards"): reference_data,
    ("get", "/api/v1/criteria"): reference_data,
    ("get", "/api/v1/criteria/{criterion_id}"): reference_data,
    **HAZARD_API,
    **ENFORCEMENT_API,
    **accident_matrix.ACCIDENT_API,
    **power_matrix.POWER_API,
    **emergency_matrix.EMERGENCY_API,
    **supervision_matrix.SUPERVISION_API,
    **figures_matrix.FIGURES_API,
}


def api_endpoints() -> set[tuple[str, str]]:
    schema = ninja_api.get_openapi_schema()
    return {(method, path) for path, ops in schema["paths"].items() for method in ops}


def test_every_endpoint_is_in_the_matrix():
    assert api_endpoints() == set(API_MATRIX)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", [k for k, v in API_MATRIX.items() if v is not None],
                         ids=lambda e: f"{e[0]} {e[1]}")
def test_api_keeps_to_the_scope(api, world, role, endpoint):
    users, enterprises = world
    method, path = endpoint
    probe = API_MATRIX[endpoint]
    client = api(users[role])
    client.username = users[role].username
    if method == "get":
        probe(client, role, enterprises, path)
    elif probe.__name__ == "probe":
        probe(client, role, enterprises, path, method)
    else:
        probe(client, role, enterprises, path)


@pytest.mark.parametrize("endpoint", sorted(API_MATRIX), ids=lambda e: f"{e[0]} {e[1]}")
def test_api_refuses_anonymous_callers(api, world, endpoint):
    method, path = endpoint
    if endpoint == ("post", "/api/v1/auth/token"):
        return
    url = path.format(enterprise_id=world[1]["wuhou"].pk, code="510000", attachment_id=1,
                      criterion_id="gongmao-2023:art3.1", hazard_id=1, inspection_id=1, **PATH_IDS,
                      **accident_matrix.PATH_IDS, **power_matrix.PATH_IDS,
                      **emergency_matrix.PATH_IDS, **supervision_matrix.PATH_IDS)
    response = getattr(api(None), method)(url)
    assert response.status_code == (200 if endpoint in PUBLIC | accident_matrix.PUBLIC else 401)


# --- pages -------------------------------------------------------------------------------

def page_patterns(resolver=None, prefix=""):
    """(route, name, pattern) for every page URL outside the admin and the API."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(("admin/", "api/")):
                continue
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            for sub_route, name, pattern in page_patterns(entry, route):
                yield sub_route, f"{namespace}{name}" if name else name, pattern
        elif isinstance(entry, URLPattern):
            yield route, entry.name, entry


def page_detail(client, role, enterprises, name):
    for key, enterprise in enterprises.items():
        response = client.get(reverse(name, args=[enterprise.pk]))
        expected = 200 if key in VISIBLE[role] else 404
        assert response.status_code == expected, (role, key, name)


def page_edit(client, role, enterprises, name):
    for key, enterprise in enterprises.items():
        before = snapshot(enterprise)
        url = reverse(name, args=[enterprise.pk])
        get, post = client.get(url), client.post(url, {"name": "改名", "safety_contact": "李四"})
        if key not in VISIBLE[role]:
            # Read-only roles are refused before the object is looked at; nobody learns more.
            allowed = {404} if role in WRITERS else {403, 404}
            assert get.status_code in allowed and post.status_code in allowed, (role, key, name)
        elif role not in WRITERS:
            assert get.status_code == 403 and post.status_code == 403, (role, key, name)
        else:
            assert get.status_code == 200, (role, key, name)
        if key not in VISIBLE[role] or role not in WRITERS:
            assert snapshot(enterprise) == before


def page_change_status(client, role, enterprises, name):
    for key, enterprise in enterprises.items():
        before = snapshot(enterprise)
        response = client.post(
            reverse(name, args=[enterprise.pk]), {"status": "closed", "start_date": "2026-06-01"}
        )
        if key not in VISIBLE[role]:
            assert response.status_code in ({404} if role in WRITERS else {403, 404}), (role, key)
            assert snapshot(enterprise) == before
        elif role not in WRITERS:
            assert response.status_code == 403, (role, key)
            assert snapshot(enterprise) == before
        else:
            assert response.status_code == 302, (role, key, response.content[:300])


def page_list(client, role, enterprises, name):
    for params in ({}, {"region": "510000"}, {"region": JINJIANG}, {"q": "有限公司"}):
        text = client.get(reverse(name), params).content.decode()
        for key, enterprise in enterprises.items():
            if key not in VISIBLE[role]:
                assert enterprise.name not in text and enterprise.uscc not in text, (role, key, params)
            elif not params or params == {"q": "有限公司"}:
                assert enterprise.name in text, (role, key, params)


def page_create(client, role, enterprises, name):
    for key, region in REGION_OF.items():
        code = make_uscc(region)
        client.post(reverse(name), {
            "uscc": code, "name": f"页面新企业{key}", "region_code": region, "sector": "machinery",
            "address": "四川省某地1号", "lat": "30.6", "lon": "104.0", "status": "normal",
            "status_since": "2026-01-01",
        })
        created = Enterprise.objects.filter(uscc=code).exists()
        assert created == (role in WRITERS and key in VISIBLE[role]), (role, key)
    assert client.get(reverse(name)).status_code == (200 if role in WRITERS else 403)


def page_validate(client, role, enterprises, name):
    for key, enterprise in enterprises.items():
        url = f"{reverse(name)}?field=name&enterprise={enterprise.pk}"
        response = client.post(url, {"name": "x"})
        if role not in WRITERS:
            assert response.status_code == 403, (role, key)
        else:
            assert response.status_code == (200 if key in VISIBLE[role] else 404), (role, key)


def page_home(client, role, enterprises, name):
    # The home page sends everyone on to their dashboard: read what they land on.
    response = client.get(reverse(name), follow=True)
    assert response.status_code == 200, role
    text = response.content.decode()
    for key, enterprise in enterprises.items():
        if key not in VISIBLE[role]:
            assert enterprise.name not in text


def page_reference(client, role, enterprises, name):
    # The checklist pages: reference data, the same for every role.
    if not Criterion.objects.exists():
        load_standards()
    response = client.get(reverse(name, args=["gongmao-2023"] if name == "standards:detail" else []))
    assert response.status_code == 200, (role, name)
    assert "工贸企业重大事故隐患判定标准" in response.content.decode(), (role, name)


# --- hazard and inspection pages ----------------------------------------------------------

# Who may take each action at all (the roles of the transition tables), written out.
HAZARD_ACTORS = {
    "hazards:confirm": WRITERS | {"ent_wuhou"},
    "hazards:dismiss": WRITERS,
    "hazards:submit": {"ent_wuhou"},
    "hazards:verify": WRITERS,
    "hazards:reject": WRITERS,
    "hazards:list_hazard": {"admin", "sc_office", "cd_office"},
    "hazards:delist_hazard": {"admin", "sc_office", "cd_office"},
}
REPORTERS = WRITERS | {"ent_wuhou"}


def hazard_world(enterprises) -> dict:
    """Per enterprise: a reported hazard found by a department, an inspection with a photo whose
    不符合 became a major hazard, confirmed and listed by the city."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile

    from benan.core.attachments import store
    from benan.core.models import User
    from benan.hazards import services

    if not Criterion.objects.exists():
        load_standards()
    admin = User.objects.get(username="admin")
    world = {}
    for key, enterprise in enterprises.items():
        reported = services.report_hazard(
            actor=admin, enterprise=enterprise, description=f"{key}待确认隐患", source="department"
        )
        photo = store(actor=admin, upload=SimpleUploadedFile(f"{key}.png", PNG, "image/png"))
        inspection = services.record_inspection(
            actor=admin, enterprise=enterprise, source="department", day=clock.today(),
            standard_id="gongmao-2023",
            answers=[services.AnswerIn("gongmao-2023:art3.1", "violates", "", (photo.pk,))],
        )
        major = inspection.hazards.get()
        services.confirm_hazard(
            actor=admin, hazard=major, grade="major", due_date=clock.today() + timedelta(days=30),
            plan={"measures": "整改", "responsibility": "厂长", "funding": "1万元", "deadline": "30日",
                  "contingency": "预案"},
        )
        services.list_hazard(actor=admin, hazard=major, due_date=clock.today() + timedelta(days=60))
        world[key] = {"reported": reported, "major": major, "inspection": inspection, "photo": photo}
    return world


def hazard_snapshot(hazard):
    hazard.refresh_from_db()
    return (hazard.state, hazard.grade, hazard.due_date, hazard.listings.filter(state="listed").count(),
            audit.history(hazard).count())


def page_hazard_detail(client, role, enterprises, name):
    for key, objects in hazard_world(enterprises).items():
        target = objects["inspection"] if name == "inspections:detail" else objects["major"]
        response = client.get(reverse(name, args=[target.pk]))
        assert response.status_code == (200 if key in VISIBLE[role] else 404), (role, key, name)


def page_hazard_action(client, role, enterprises, name):
    world = hazard_world(enterprises)
    for key, objects in world.items():
        for hazard in (objects["reported"], objects["major"]):
            before = hazard_snapshot(hazard)
            response = client.post(reverse(name, args=[hazard.pk]), {})
            if role not in HAZARD_ACTORS[name]:
                assert response.status_code == 403, (role, key, name)
            elif key not in VISIBLE[role]:
                assert response.status_code == 404, (role, key, name)
            else:
                # Refused by a guard, by the state or for the empty input: never done, never a 500.
                assert response.status_code in (403, 409, 422), (role, key, name, response.status_code)
            assert hazard_snapshot(hazard) == before, (role, key, name)


def _names_in(text, role, enterprises, key_filter=lambda key: True):
    for key, enterprise in enterprises.items():
        if key not in VISIBLE[role]:
            assert enterprise.name not in text, (role, key)
        elif key_filter(key):
            assert enterprise.name in text, (role, key)


def page_hazard_list(client, role, enterprises, name):
    hazard_world(enterprises)
    for params in ({}, {"region": "510000"}, {"region": JINJIANG}, {"state": "reported"}):
        response = client.get(reverse(name), params)
        text = response.content.decode()
        for key in enterprises:
            if key not in VISIBLE[role]:
                assert f"{key}待确认隐患" not in text, (role, key, params)
            elif not params:
                assert f"{key}待确认隐患" in text, (role, key, params)


def page_hazard_ledger(client, role, enterprises, name):
    import io

    from openpyxl import load_workbook

    hazard_world(enterprises)
    response = client.get(reverse(name))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))[1:]
    names = {row[1] for row in rows}
    assert names == {enterprises[key].name for key in VISIBLE[role]}, role


def page_hazard_report(client, role, enterprises, name):
    from benan.hazards.models import Hazard

    for key, enterprise in enterprises.items():
        description = f"页面上报{key}"
        response = client.post(reverse(name), {
            "enterprise": enterprise.pk, "description": description,
            "source": "self" if role == "ent_wuhou" else "department",
        })
        created = Hazard.objects.filter(description=description).exists()
        assert created == (role in REPORTERS and key in VISIBLE[role]), (role, key)
        if role not in REPORTERS:
            assert response.status_code == 403, (role, key)
        elif key not in VISIBLE[role]:
            assert response.status_code == 404, (role, key)
    assert client.get(reverse(name)).status_code == (200 if role in REPORTERS else 403)


def page_listing_board(client, role, enterprises, name):
    hazard_world(enterprises)
    text = client.get(reverse(name)).content.decode()
    _names_in(text, role, enterprises)


def page_hazard_stats(client, role, enterprises, name):
    hazard_world(enterprises)
    response = client.get(reverse(name))
    if role == "ent_wuhou":
        assert response.status_code == 403
        return
    assert response.status_code == 200, role
    # Another city is asked for by code: within the scope it shows, outside it is missing.
    other = client.get(reverse(name), {"region": "510700"})
    assert other.status_code == (200 if "mianyang" in VISIBLE[role] else 404), role


def page_inspection_publish(client, role, enterprises, name):
    """公开暗访结果 from the inspection page: roles that may not publish are refused (403) before
    anything is looked up; the rest publish what they see (302), the others get 404."""
    from .hazards.matrix import EMBARGO_VISIBLE, PUBLISHERS, embargoed_inspection

    for key, enterprise in enterprises.items():
        for by in ("province", "city") if key in ("wuhou", "jinjiang") else ("province",):
            inspection = embargoed_inspection(enterprise, by)
            response = client.post(reverse(name, args=[inspection.pk]))
            inspection.refresh_from_db()
            if role not in PUBLISHERS:
                assert response.status_code == 403, (role, key, by)
            elif key not in VISIBLE[role] or by not in EMBARGO_VISIBLE[role]:
                assert response.status_code == 404, (role, key, by)
            else:
                assert response.status_code == 302, (role, key, by, response.status_code)
            published = response.status_code == 302
            assert inspection.visibility == ("published" if published else "embargoed"), (role, key, by)


def page_inspection_list(client, role, enterprises, name):
    hazard_world(enterprises)
    _names_in(client.get(reverse(name)).content.decode(), role, enterprises)


def page_inspection_new(client, role, enterprises, name):
    from benan.hazards.models import Inspection

    if not Criterion.objects.exists():
        load_standards()
    for key, enterprise in enterprises.items():
        response = client.get(reverse(name), {"enterprise": enterprise.pk})
        if role not in REPORTERS:
            assert response.status_code == 403, (role, key)
        elif role == "ent_wuhou":
            assert response.status_code == 302 and response.url == reverse("inspections:self"), key
        else:
            assert response.status_code == (200 if key in VISIBLE[role] else 404), (role, key)
        before = Inspection.objects.count()
        client.post(reverse(name), {
            "enterprise": enterprise.pk, "source": "department", "date": "2026-01-05",
            "finding_description": ["页面检查发现"],
        })
        recorded = Inspection.objects.count() > before
        expected = role in REPORTERS and role != "ent_wuhou" and key in VISIBLE[role]
        assert recorded == expected, (role, key)


def page_inspection_self(client, role, enterprises, name):
    if not Criterion.objects.exists():
        load_standards()
    response = client.get(reverse(name))
    assert response.status_code == (200 if role == "ent_wuhou" else 403), role
    if role == "ent_wuhou":
        assert enterprises["wuhou"].name in response.content.decode()


def page_attachment(client, role, enterprises, name):
    for key, objects in hazard_world(enterprises).items():
        response = client.get(reverse(name, args=[objects["photo"].pk]))
        assert response.status_code == (200 if key in VISIBLE[role] else 404), (role, key)


def page_notifications(client, role, enterprises, name):
    from benan.core import notifications
    from benan.core.models import Notification, User

    me = User.objects.get(pk=int(client.session["_auth_user_id"]))
    others = User.objects.exclude(pk=me.pk)
    notifications.notify([me], title="给我的通知")
    notifications.notify(others, title="给别人的通知")
    if name == "notifications":
        text = client.get(reverse(name)).content.decode()
        assert "给我的通知" in text and "给别人的通知" not in text, role
    else:
        assert client.post(reverse(name)).status_code == 302
        assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()
        assert not Notification.objects.filter(recipient__in=others, read_at__isnull=False).exists()


# --- enforcement pages ---------------------------------------------------------------------
# The objects come from the API matrix's builders (tests/enforcement/matrix.py): a case, order,
# referral or blacklist entry of each enterprise in the state the page needs.

ENFORCEMENT_OFFICERS = enforcement_matrix.OFFICERS
ENFORCEMENT_HEADS = enforcement_matrix.HEADS


def enforcement_snapshot(obj):
    obj = type(obj).objects.get(pk=obj.pk)
    return obj.state, obj.updated_at, audit.history(obj).count()


def page_enforcement_read(make):
    def probe(client, role, enterprises, name):
        for key, enterprise in enterprises.items():
            response = client.get(reverse(name, args=[make(enterprise).pk]))
            assert response.status_code == (200 if key in VISIBLE[role] else 404), (role, key, name)

    return probe


def page_enforcement_list(make):
    def probe(client, role, enterprises, name):
        for enterprise in enterprises.values():
            make(enterprise)
        for params in ({}, {"region": "510000"}, {"region": JINJIANG}):
            text = client.get(reverse(name), params).content.decode()
            _names_in(text, role, enterprises, lambda key, params=params: not params)

    return probe


def page_enforcement_act(steps):
    """POST each (make, action or None, allowed roles, body) to the page: allowed roles that see
    the object succeed (302), other roles 403, what lies outside the scope 404 (or the role's 403
    first); a refused post changes nothing."""

    def probe(client, role, enterprises, name):
        for make, action, allowed, body in steps:
            for key, enterprise in enterprises.items():
                obj = make(enterprise)
                before = enforcement_snapshot(obj)
                args = [obj.pk] if action is None else [obj.pk, action]
                payload = body(obj) if callable(body) else body
                response = client.post(reverse(name, args=args), payload)
                if key not in VISIBLE[role]:
                    expected = {404} if role in allowed else {403, 404}
                elif role in allowed:
                    expected = {302}
                else:
                    expected = {403}
                assert response.status_code in expected, (role, key, name, action, response.status_code)
                if 302 not in expected:
                    assert enforcement_snapshot(obj) == before, (role, key, name, action)

    return probe


def page_enforcement_new(client, role, enterprises, name):
    from benan.enforcement.models import EnforcementCase
    from tests.enforcement.conftest import officers_for

    for key, enterprise in enterprises.items():
        response = client.get(reverse(name), {"enterprise": enterprise.pk})
        if role not in ENFORCEMENT_OFFICERS:
            assert response.status_code == 403, (role, key)
        else:
            assert response.status_code == (200 if key in VISIBLE[role] else 404), (role, key)
        client.post(reverse(name), {
            "enterprise": enterprise.pk, "cause": f"页面立案{key}", "facts": "事实", "origin": "direct",
            "officers": [o.pk for o in officers_for(enterprise.region_id)],
        })
        created = EnforcementCase.objects.filter(cause=f"页面立案{key}").exists()
        assert created == (role in ENFORCEMENT_OFFICERS and key in VISIBLE[role]), (role, key)


def page_enforcement_decide(client, role, enterprises, name):
    make = enforcement_matrix.case("answered")
    for key, enterprise in enterprises.items():
        case = make(enterprise)
        before = enforcement_snapshot(case)
        get = client.get(reverse(name, args=[case.pk]))
        post = client.post(reverse(name, args=[case.pk]), {
            "penalties-TOTAL_FORMS": "1", "penalties-INITIAL_FORMS": "0",
            "penalties-0-party": "unit", "penalties-0-kind": "fine", "penalties-0-basis": "aqsc2021-97",
            "penalties-0-amount": "10000",
        })
        if role not in ENFORCEMENT_OFFICERS:
            assert get.status_code in ({403} if key in VISIBLE[role] else {403, 404}), (role, key)
            assert post.status_code == get.status_code, (role, key)
        elif key not in VISIBLE[role]:
            assert get.status_code == 404 and post.status_code == 404, (role, key)
        else:
            assert get.status_code == 200 and post.status_code == 302, (role, key, post.status_code)
        if post.status_code != 302:
            assert enforcement_snapshot(case) == before, (role, key)


def page_enforcement_stats(client, role, enterprises, name):
    import re

    for enterprise in enterprises.values():
        enforcement_matrix.case("decided")(enterprise)
    response = client.get(reverse(name))
    if role == "ent_wuhou":
        assert response.status_code == 403
        return
    assert response.status_code == 200, role
    cases = re.search(r'id="stat-cases">.*?fs-3 fw-semibold">(\d+)<', response.content.decode(), re.S)
    assert cases and int(cases.group(1)) == len(VISIBLE[role]), role
    other = client.get(reverse(name), {"region": "510700"})
    assert other.status_code == (200 if "mianyang" in VISIBLE[role] else 404), role


def _exit_applied(enterprise):
    """The enterprise's active entry with an exit applied for (one active entry per enterprise)."""
    from benan.core.models import User
    from benan.enforcement import services
    from benan.enforcement.models import BlacklistEntry

    entry = BlacklistEntry.objects.filter(enterprise=enterprise, state__in=["listed", "exit_applied"]).first()
    if entry is None:
        return enforcement_matrix.blacklisted("exit_applied")(enterprise)
    if entry.state == "listed":
        admin = User.objects.get(username="admin")
        entry = services.apply_exit(actor=admin, entry=entry, application="已完成信用修复")
    return entry


def _lift_body(order):
    from benan.hazards.models import Inspection

    inspection = Inspection.objects.filter(enterprise=order.enterprise_id).order_by("-pk").first()
    return {"inspection": inspection.pk, "lifted_on": inspection.date.isoformat(), "comment": "复查合格"}


ENFORCEMENT_PAGES = {
    "enforcement:list": page_enforcement_list(enforcement_matrix.case("opened")),
    "enforcement:new": page_enforcement_new,
    "enforcement:detail": page_enforcement_read(enforcement_matrix.case("decided")),
    "enforcement:decide": page_enforcement_decide,
    "enforcement:decision_docx": page_enforcement_read(enforcement_matrix.case("decided")),
    "enforcement:action": page_enforcement_act([
        (enforcement_matrix.case("opened"), "investigate", ENFORCEMENT_OFFICERS, {}),
        (
            enforcement_matrix.case("notified"), "statement", ENFORCEMENT_OFFICERS | {"ent_wuhou"},
            {"waived": "on"},
        ),
        (enforcement_matrix.case("opened"), "withdraw", ENFORCEMENT_HEADS, {"reason": "违法事实不成立"}),
    ]),
    "enforcement:suspensions": page_enforcement_list(enforcement_matrix.suspension),
    "enforcement:lift": page_enforcement_act(
        [(enforcement_matrix.suspension, None, ENFORCEMENT_HEADS, _lift_body)]
    ),
    "enforcement:suspension_docx": page_enforcement_read(enforcement_matrix.suspension),
    "enforcement:referrals": page_enforcement_list(enforcement_matrix.referral("reported")),
    "enforcement:referral_action": page_enforcement_act([
        (enforcement_matrix.referral("reported"), "approve", ENFORCEMENT_HEADS, {}),
        (
            enforcement_matrix.referral("approved"), "transfer", ENFORCEMENT_OFFICERS,
            {"receiving_organ": "公安分局"},
        ),
    ]),
    "enforcement:public_blacklist": None,  # public, no login: tests/pages/test_enforcement_blacklist.py
    "enforcement:blacklist": page_enforcement_list(enforcement_matrix.blacklisted("listed")),
    "enforcement:blacklist_action": page_enforcement_act([
        (
            enforcement_matrix.blacklisted("listed"), "apply_exit", ENFORCEMENT_OFFICERS | {"ent_wuhou"},
            {"application": "已完成信用修复"},
        ),
        (
            _exit_applied, "reject_exit", ENFORCEMENT_HEADS,
            {"comment": "材料不全"},
        ),
    ]),
    "enforcement:stats": page_enforcement_stats,
}


# --- accident pages ------------------------------------------------------------------------
# The objects come from the API matrix's builders (tests/accidents/matrix.py): an accident of each
# enterprise reported by the admin, its county step, its investigation or measure in a state.

def accident_snapshot(obj):
    from benan.accidents.models import Accident, Investigation

    obj = type(obj).objects.get(pk=obj.pk)
    if isinstance(obj, Accident):
        return (obj.updated_at, obj.reports.count(), Investigation.objects.filter(accident=obj).exists(),
                obj.accountability.count(), audit.history(obj).count())
    return getattr(obj, "state", None), getattr(obj, "updated_at", None), audit.history(obj).count()


def _png(name="证据.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PNG, "image/png")


def page_accident_act(steps):
    """POST each (make, action or None, allowed roles, body, ok) to the page: allowed roles that see
    the object get `ok` (302 when done; 409 when the state refuses), other roles 403, what lies
    outside the scope 404 (or the role's 403 first); a refused post changes nothing."""

    def probe(client, role, enterprises, name):
        for make, action, allowed, body, ok in steps:
            for key, enterprise in enterprises.items():
                obj = make(enterprise)
                before = accident_snapshot(obj)
                args = [obj.pk] if action is None else [obj.pk, action]
                response = client.post(reverse(name, args=args), body(obj) if callable(body) else body)
                if key not in accident_matrix.VISIBLE[role]:
                    expected = {404} if role in allowed else {403, 404}
                elif role in allowed:
                    expected = {ok}
                else:
                    expected = {403}
                assert response.status_code in expected, (role, key, name, action, response.status_code)
                if 302 not in expected:
                    assert accident_snapshot(obj) == before, (role, key, name, action)

    return probe


def page_accident_names(make, visible=None):
    """A list page shows the accidents (by unit name) of the role's scope and nothing else."""

    def probe(client, role, enterprises, name):
        for enterprise in enterprises.values():
            make(enterprise)
        for params in ({}, {"region": "510000"}, {"region": JINJIANG}):
            text = client.get(reverse(name), params).content.decode()
            _names_in(text, role, enterprises, lambda key, params=params: not params)

    return probe


def page_accident_report(client, role, enterprises, name):
    from datetime import timedelta

    from django.utils import timezone

    from benan.accidents.models import Accident

    occurred = (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    for key, enterprise in enterprises.items():
        marker = f"页面快报{key}"
        response = client.post(reverse(name), {
            "enterprise": enterprise.pk, "kind": "industrial", "occurred_at": occurred, "place": "车间",
            "scene": "现场", "summary": marker, "measures": "救援", "deaths": "1", "direct_loss_cny": "1000",
        })
        created = Accident.objects.filter(summary=marker, enterprise=enterprise).exists()
        allowed = role in accident_matrix.REPORTERS
        assert created == (allowed and key in accident_matrix.VISIBLE[role]), (role, key)
        if not allowed:
            assert response.status_code == 403, (role, key)
        elif key not in accident_matrix.VISIBLE[role]:
            assert response.status_code == 404, (role, key)
        else:
            assert response.status_code == 302, (role, key, response.content[:500])
    assert client.get(reverse(name)).status_code == (200 if role in accident_matrix.REPORTERS else 403)


def page_accident_stats(client, role, enterprises, name):
    import re

    for enterprise in enterprises.values():
        accident_matrix.accident(enterprise)
    response = client.get(reverse(name))
    if role == "ent_wuhou":
        assert response.status_code == 403
        return
    assert response.status_code == 200, role
    count = re.search(r'id="stat-accidents">.*?fs-3 fw-semibold">(\d+)<', response.content.decode(), re.S)
    assert count and int(count.group(1)) == len(accident_matrix.VISIBLE[role]), role
    other = client.get(reverse(name), {"region": "510700"})
    assert other.status_code == (200 if "mianyang" in accident_matrix.VISIBLE[role] else 404), role


def page_accident_accountability(client, role, enterprises, name):
    from benan.accidents import services as accident_services
    from benan.core import clock
    from benan.core.models import User

    admin = User.objects.get(username="admin")
    for key, enterprise in enterprises.items():
        accident_services.record_accountability(
            actor=admin, accident=accident_matrix.accident(enterprise), person_name=f"问责{key}",
            position="主任", unit=enterprise.name, kind="discipline", decided_by="纪委",
            decided_on=clock.today(),
        )
    response = client.get(reverse(name))
    if role == "ent_wuhou":
        assert response.status_code == 403
        return
    text = response.content.decode()
    for key in enterprises:
        assert (f"问责{key}" in text) == (key in accident_matrix.GOVERNMENT_VISIBLE[role]), (role, key)


def page_accident_grade(client, role, enterprises, name):
    # Decree 493 as a calculator: reference, the same for every role.
    response = client.get(reverse(name), {"deaths": "3"})
    assert response.status_code == 200 and "较大事故" in response.content.decode(), role


def _accountability_body(obj):
    from benan.core import clock

    return {"person_name": "王某", "position": "主任", "unit": "某单位", "kind": "discipline",
            "decided_by": "纪委", "decided_on": clock.today().isoformat()}


def _measure_body(obj):
    return {"description": "修订操作规程", "due_date": "2099-01-01",
            "assignee_enterprise": obj.accident.enterprise_id}


ACCIDENT_OFFICES = accident_matrix.OFFICES
ACCIDENT_PAGES = {
    "accidents:list": page_accident_names(accident_matrix.accident),
    "accidents:report": page_accident_report,
    "accidents:board": page_accident_names(accident_matrix.accident),
    "accidents:stats": page_accident_stats,
    "accidents:grade": page_accident_grade,
    "accidents:accountability": page_accident_accountability,
    "accidents:measures": page_accident_names(accident_matrix.measure()),
    "accidents:published": None,  # public, no login: tests/pages/test_accident_published.py
    "accidents:published_file": None,  # public, published reports only: the same file
    "accidents:detail": page_enforcement_read(accident_matrix.accident),
    "accidents:action": page_accident_act([
        (
            accident_matrix.accident, "follow_up", accident_matrix.REPORTERS,
            {"deaths": "2", "direct_loss_cny": "1500000", "note": "一人死亡"}, 302,
        ),
        (accident_matrix.accident, "investigate", ACCIDENT_OFFICES, {"team": "调查组"}, 302),
        (accident_matrix.accident, "accountability", ACCIDENT_OFFICES, _accountability_body, 302),
    ]),
    "accidents:acknowledge": page_accident_act(
        [(accident_matrix.county_step, None, accident_matrix.COUNTY_USERS, {"next": "board"}, 302)]
    ),
    "accidents:investigation_action": page_accident_act([
        (
            accident_matrix.investigation(), "extend", ACCIDENT_OFFICES,
            {"days": "30", "reason": "技术鉴定"}, 302,
        ),
        (accident_matrix.investigation("replied"), "close", ACCIDENT_OFFICES, {}, 409),
        (
            accident_matrix.investigation(), "four_nos:cause", ACCIDENT_OFFICES,
            lambda obj: {"done": "on", "note": "原因已查清", "files": [_png()]}, 302,
        ),
        (accident_matrix.investigation(), "measure", ACCIDENT_OFFICES, _measure_body, 302),
    ]),
    "accidents:measure_action": page_accident_act([
        (
            accident_matrix.measure(), "submit", accident_matrix.SUBMITTERS,
            lambda obj: {"result": "已整改", "files": [_png()]}, 302,
        ),
        (accident_matrix.measure("submitted"), "verify", accident_matrix.REVIEWERS, {"comment": "合格"}, 302),
    ]),
}


PAGE_MATRIX = {
    "home": page_home,
    "login": None,  # public
    "logout": None,  # public (POST ends one's own session)
    "enterprises:list": page_list,
    "enterprises:create": page_create,
    "enterprises:validate": page_validate,
    "enterprises:detail": page_detail,
    "enterprises:edit": page_edit,
    "enterprises:change_status": page_change_status,
    "standards:list": page_reference,
    "standards:detail": page_reference,
    "hazards:list": page_hazard_list,
    "hazards:ledger": page_hazard_ledger,
    "hazards:report": page_hazard_report,
    "hazards:listings": page_listing_board,
    "hazards:stats": page_hazard_stats,
    "hazards:detail": page_hazard_detail,
    **dict.fromkeys(HAZARD_ACTORS, page_hazard_action),
    "inspections:list": page_inspection_list,
    "inspections:new": page_inspection_new,
    "inspections:self": page_inspection_self,
    "inspections:detail": page_hazard_detail,
    "inspections:publish": page_inspection_publish,
    "attachment": page_attachment,
    "notifications": page_notifications,
    "notifications_read": page_notifications,
    **ENFORCEMENT_PAGES,
    **ACCIDENT_PAGES,
    **POWER_PAGES,
    **EMERGENCY_PAGES,
    **SUPERVISION_PAGES,
    **DASHBOARD_PAGES,
}


def test_every_page_is_in_the_matrix():
    assert {name for _, name, _ in page_patterns()} == set(PAGE_MATRIX)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", [k for k, v in PAGE_MATRIX.items() if v is not None])
def test_pages_keep_to_the_scope(client, world, role, name):
    users, enterprises = world
    client.force_login(users[role])
    PAGE_MATRIX[name](client, role, enterprises, name)


@pytest.mark.parametrize("name", [k for k, v in PAGE_MATRIX.items() if v is not None])
def test_pages_send_anonymous_users_to_login(client, world, name):
    pattern = next(p for _, n, p in page_patterns() if n == name)
    args = [world[1]["wuhou"].pk] if "pk" in str(pattern.pattern) else []
    if "<str:action>" in str(pattern.pattern):
        args.append("any")  # pages that name an action in the path (enforcement)
    response = client.get(reverse(name, args=args))
    assert response.status_code in (302, 405)
    if response.status_code == 302:
        assert response.url.startswith(reverse("login"))
