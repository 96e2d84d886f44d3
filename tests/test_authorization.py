"""The authorization matrix: every API endpoint and every page, with every demo role.

Nothing outside a user's scope may be read or written: it answers 404 (or is absent from
lists). Read-only roles get 403 for writes inside their scope. A new endpoint or page fails
`test_every_endpoint_is_in_the_matrix` until it is added here with its rule.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from benan.api import api as ninja_api
from benan.core import audit
from benan.enterprises.models import Enterprise
from benan.standards.loader import load_standards
from benan.standards.models import Criterion

from .conftest import JINJIANG, WUHOU, make_uscc

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
    ("patch", "/api/v1/enterprises/{enterprise_id}"): write_object({"safety_contact": "李四"}),
    ("post", "/api/v1/enterprises/{enterprise_id}/status"): write_object(
        {"status": "suspended", "start_date": "2026-06-01", "reason": "检查"}
    ),
    ("get", "/api/v1/standards"): reference_data,
    ("get", "/api/v1/criteria"): reference_data,
    ("get", "/api/v1/criteria/{criterion_id}"): reference_data,
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
                      criterion_id="gongmao-2023:art3.1")
    response = getattr(api(None), method)(url)
    assert response.status_code == 401


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
    text = client.get(reverse(name)).content.decode()
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
    response = client.get(reverse(name, args=args))
    assert response.status_code in (302, 405)
    if response.status_code == 302:
        assert response.url.startswith(reverse("login"))
