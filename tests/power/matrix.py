"""Authorization probes for the power-alert endpoints, merged into tests/test_authorization.py.

Each probe makes an alert at each of the three enterprises (武侯, 锦江, 绵阳 涪城) in the state the
action needs and asserts: outside the role's scope 404 and nothing changed; enterprises see no
alert at all (checks are unannounced); inside the scope, the role's answer written out below.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from benan.core import audit, clock
from benan.core.attachments import store
from benan.core.models import Role, User
from benan.power import services
from benan.power.models import AlertKind, AlertState, PowerAlert

from .conftest import LAT, LON, PNG, run

# Which enterprises' alerts each role may see — written out, not computed by scope().
VISIBLE = {
    "admin": {"wuhou", "jinjiang", "mianyang"},
    "sc_office": {"wuhou", "jinjiang", "mianyang"},
    "expert": {"wuhou", "jinjiang", "mianyang"},
    "commander": {"wuhou", "jinjiang", "mianyang"},
    "cd_office": {"wuhou", "jinjiang"},
    "wuhou_inspector": {"wuhou"},
    "jinjiang_inspector": {"jinjiang"},
    "ent_wuhou": set(),
}
ASSIGNERS = {"admin", "sc_office", "cd_office", "wuhou_inspector", "jinjiang_inspector"}
# The check is recorded by the inspector it was assigned to (the county's own), or an admin.
CHECKERS = {"admin", "wuhou_inspector", "jinjiang_inspector"}
CASE_OPENERS = {"admin", "sc_office", "cd_office", "wuhou_inspector", "jinjiang_inspector"}


def _user(role: str) -> User:
    return User.objects.get(username="admin" if role == "admin" else role.replace("_", "-"))


def county_inspector(enterprise) -> User:
    """The inspector of the enterprise's county (the fixtures' own where there is one)."""
    user = User.objects.filter(role=Role.INSPECTOR, region_id=enterprise.region_id).order_by("pk").first()
    if user is None:
        user = User.objects.create_user(
            f"inspector-{enterprise.region_id}",
            password="demo-2026",
            role=Role.INSPECTOR,
            region_id=enterprise.region_id,
        )
    return user


def alert(state: str = AlertState.OPEN):
    def make(enterprise) -> PowerAlert:
        start = clock.today() - timedelta(days=10)
        _, a = services._upsert(
            enterprise, AlertKind.COVERT_OPERATION, [run(start, start + timedelta(days=4))]
        )
        admin = _user("admin")
        if state != AlertState.OPEN:
            inspector = county_inspector(enterprise)
            services.assign(actor=admin, alert=a, inspector_id=inspector.pk)
        if state == AlertState.CONFIRMED:
            services.confirm(
                actor=admin, alert=a, photo_ids=[_photo(admin).pk], lat=LAT, lon=LON, finding="生产"
            )
        a.refresh_from_db()
        return a

    return make


def _photo(user):
    return store(actor=user, upload=SimpleUploadedFile("现场.png", PNG, "image/png"))


def _snapshot(a: PowerAlert):
    a = PowerAlert.objects.get(pk=a.pk)
    return a.state, a.inspector_id, a.case_id, a.updated_at, audit.history(a).count()


def read(make):
    def read_probe(client, role, enterprises, path):
        for key, enterprise in enterprises.items():
            a = make(enterprise)
            response = client.get(path.format(alert_id=a.pk))
            assert response.status_code == (200 if key in VISIBLE[role] else 404), (role, key, path)

    return read_probe


def act(make, allowed: set[str], body):
    def act_probe(client, role, enterprises, path):
        for key, enterprise in enterprises.items():
            a = make(enterprise)
            before = _snapshot(a)
            response = client.post(path.format(alert_id=a.pk), body(role, enterprise))
            expected = (200 if role in allowed else 403) if key in VISIBLE[role] else 404
            assert response.status_code == expected, (role, key, path, response.content)
            if expected >= 400:
                assert _snapshot(a) == before, (role, key, path)

    return act_probe


def assign_body(role, enterprise):
    inspector = _user(role) if role.endswith("_inspector") else county_inspector(enterprise)
    return {"inspector_id": inspector.pk}


def check_body(role, enterprise):
    return {"photo_ids": [_photo(_user(role)).pk], "lat": LAT, "lon": LON, "finding": "现场核查情况"}


def list_alerts(client, role, enterprises, path):
    made = {key: alert()(e).pk for key, e in enterprises.items()}
    response = client.get(path, {"page_size": 100})
    if role == "ent_wuhou":
        assert response.status_code == 403
        return
    assert {i["id"] for i in response.json()["items"]} == {made[k] for k in VISIBLE[role]}, role


def stats(client, role, enterprises, path):
    for enterprise in enterprises.values():
        alert()(enterprise)
    response = client.get(path)
    if role == "ent_wuhou":
        assert response.status_code == 403
        return
    assert response.json()["total"] == len(VISIBLE[role]), role


POWER_API = {
    ("get", "/api/v1/power/alerts"): list_alerts,
    ("get", "/api/v1/power/stats"): stats,
    ("get", "/api/v1/power/alerts/{alert_id}"): read(alert()),
    ("get", "/api/v1/power/alerts/{alert_id}/load"): read(alert()),
    ("get", "/api/v1/power/alerts/{alert_id}/history"): read(alert()),
    ("post", "/api/v1/power/alerts/{alert_id}/assign"): act(alert(), ASSIGNERS, assign_body),
    ("post", "/api/v1/power/alerts/{alert_id}/confirm"): act(
        alert(AlertState.ASSIGNED), CHECKERS, check_body
    ),
    ("post", "/api/v1/power/alerts/{alert_id}/dismiss"): act(
        alert(AlertState.ASSIGNED), CHECKERS, check_body
    ),
    ("post", "/api/v1/power/alerts/{alert_id}/case"): act(
        alert(AlertState.CONFIRMED), CASE_OPENERS, lambda role, e: {}
    ),
}
PATH_IDS = {"alert_id": 1}
