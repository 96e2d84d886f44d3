"""Authorization probes for the hazard endpoints, merged into tests/test_authorization.py.

Each probe gets a client of one role and the three enterprises (武侯, 锦江, 绵阳 涪城); it makes
a hazard of each enterprise and asserts that what lies outside the role's scope answers 404
and stays unchanged.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from benan.core import audit, clock
from benan.core.attachments import store
from benan.core.models import User
from benan.hazards import services
from benan.hazards.models import Hazard, Inspection

from .conftest import CRITERION, PLAN, PNG

# Same table as tests/test_authorization.py; repeated so that this file reads on its own.
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


def _criteria():
    from benan.standards.loader import load_standards
    from benan.standards.models import Criterion

    if not Criterion.objects.exists():
        load_standards()


def hazard_of(enterprise, state: str = "rectifying") -> Hazard:
    """A major hazard of `enterprise` in `state`, made by the admin (and the enterprise to submit)."""
    _criteria()
    admin = User.objects.get(username="admin")
    hazard = services.report_hazard(
        actor=admin, enterprise=enterprise, description="配电箱无防护", source="department"
    )
    if state == "reported":
        return hazard
    services.confirm_hazard(
        actor=admin,
        hazard=hazard,
        grade="major",
        criterion_id=CRITERION,
        plan=PLAN,
        due_date=clock.today() + timedelta(days=30),
    )
    if state == "submitted":
        ent_user = User.objects.filter(enterprise=enterprise).first() or User.objects.create(
            username=f"ent-{enterprise.pk}", role="enterprise", enterprise=enterprise
        )
        photo = store(actor=ent_user, upload=SimpleUploadedFile("p.png", PNG, "image/png"))
        services.submit_rectification(
            actor=ent_user, hazard=hazard, description="已整改", attachment_ids=[photo.pk]
        )
    hazard.refresh_from_db()
    return hazard


def _snapshot(hazard: Hazard):
    hazard.refresh_from_db()
    return hazard.state, hazard.grade, hazard.due_date, audit.history(hazard).count(), hazard.listings.count()


def read_hazard(client, role, enterprises, path):
    for key, enterprise in enterprises.items():
        hazard = hazard_of(enterprise, "reported")
        response = client.get(path.format(hazard_id=hazard.pk))
        assert response.status_code == (200 if key in VISIBLE[role] else 404), (role, key, path)


def act(state: str, body: dict):
    def act_probe(client, role, enterprises, path):
        for key, enterprise in enterprises.items():
            hazard = hazard_of(enterprise, state)
            before = _snapshot(hazard)
            response = client.post(path.format(hazard_id=hazard.pk), body)
            if key not in VISIBLE[role]:
                assert response.status_code == 404, (role, key, path, response.content)
                assert _snapshot(hazard) == before
            else:
                assert response.status_code != 404, (role, key, path, response.content)
                if response.status_code >= 400:
                    assert _snapshot(hazard) == before, (role, key, path)

    return act_probe


def list_hazards(client, role, enterprises, path):
    made = {key: hazard_of(e, "reported").pk for key, e in enterprises.items()}
    for params in ({}, {"region": "510000"}, {"region": "510104"}):
        ids = {i["id"] for i in client.get(path, params).json()["items"]}
        assert ids <= {made[k] for k in VISIBLE[role]}, (role, params)
    assert {i["id"] for i in client.get(path).json()["items"]} == {made[k] for k in VISIBLE[role]}


def report_hazard(client, role, enterprises, path):
    reporters = {"admin", "sc_office", "cd_office", "wuhou_inspector", "jinjiang_inspector", "ent_wuhou"}
    for key, enterprise in enterprises.items():
        source = "self" if role == "ent_wuhou" else "department"
        response = client.post(
            path, {"enterprise_id": enterprise.pk, "description": "新隐患", "source": source}
        )
        if key not in VISIBLE[role]:
            assert response.status_code == 404, (role, key)
        elif role in reporters:
            assert response.status_code == 201, (role, key, response.content)
        else:
            assert response.status_code == 403, (role, key, response.content)
    assert (
        Hazard.objects.filter(description="新隐患")
        .exclude(enterprise__in=[enterprises[k] for k in VISIBLE[role]])
        .count()
        == 0
    )


def stats(client, role, enterprises, path):
    for enterprise in enterprises.values():
        hazard_of(enterprise, "reported")
    found = client.get(path, {"region": "510000"}).json()
    if isinstance(found, list):  # sub-region rows
        assert sum(r["found"] for r in found) == len(VISIBLE[role]), role
    else:
        assert found["found"] == len(VISIBLE[role]), role


def ledger(client, role, enterprises, path):
    from io import BytesIO

    from openpyxl import load_workbook

    for enterprise in enterprises.values():
        hazard_of(enterprise, "reported")
    rows = list(load_workbook(BytesIO(client.get(path).content)).active.iter_rows(values_only=True))
    names = {r[1] for r in rows[1:]}
    assert names == {enterprises[k].name for k in VISIBLE[role]}, role


def record_inspection(client, role, enterprises, path):
    _criteria()
    for key, enterprise in enterprises.items():
        source = "self" if role == "ent_wuhou" else "department"
        response = client.post(
            path,
            {
                "enterprise_id": enterprise.pk,
                "source": source,
                "date": clock.today().isoformat(),
                "findings": [{"description": "x"}],
            },
        )
        if key not in VISIBLE[role]:
            assert response.status_code == 404, (role, key)
        else:
            assert response.status_code in (201, 403), (role, key, response.content)


def read_inspections(client, role, enterprises, path):
    admin = User.objects.get(username="admin")
    made = {
        key: services.record_inspection(actor=admin, enterprise=e, source="department", day=clock.today())
        for key, e in enterprises.items()
    }
    if "{inspection_id}" in path:
        for key, inspection in made.items():
            response = client.get(path.format(inspection_id=inspection.pk))
            assert response.status_code == (200 if key in VISIBLE[role] else 404), (role, key)
    else:
        ids = {i["id"] for i in client.get(path).json()["items"]}
        assert ids == {made[k].pk for k in VISIBLE[role]}, role
        assert Inspection.objects.count() == 3


# Who sees (and so may publish) an embargoed 暗访 of each enterprise, made by the province's office
# (the admin) or, in Chengdu, by cd-office: the office's region or above, never the enterprise or
# the county. Province-wide read-only roles see it but may not publish (403).
EMBARGO_VISIBLE = {
    "admin": {"province", "city"},
    "sc_office": {"province", "city"},
    "expert": {"province", "city"},
    "commander": {"province", "city"},
    "cd_office": {"city"},
    "wuhou_inspector": set(),
    "jinjiang_inspector": set(),
    "ent_wuhou": set(),
}
PUBLISHERS = {"admin", "sc_office", "cd_office", "wuhou_inspector", "jinjiang_inspector"}


def embargoed_inspection(enterprise, by: str = "province") -> Inspection:
    """An unannounced inspection of `enterprise` with one finding, not yet published: by the
    admin (for the province) or by cd-office (for Chengdu)."""
    actor = User.objects.get(username="admin" if by == "province" else "cd-office")
    return services.record_inspection(
        actor=actor, enterprise=enterprise, source="unannounced", day=clock.today(),
        findings=[services.FindingIn("暗访发现")],
    )


def publish_inspection(client, role, enterprises, path):
    for key, enterprise in enterprises.items():
        offices = ("province", "city") if key in ("wuhou", "jinjiang") else ("province",)
        for by in offices:
            inspection = embargoed_inspection(enterprise, by)
            response = client.post(path.format(inspection_id=inspection.pk))
            inspection.refresh_from_db()
            if key not in VISIBLE[role] or by not in EMBARGO_VISIBLE[role]:
                assert response.status_code == 404, (role, key, by, response.content)
            elif role not in PUBLISHERS:
                assert response.status_code == 403, (role, key, by, response.content)
            else:
                assert response.status_code == 200, (role, key, by, response.content)
                assert inspection.visibility == "published"
                assert not inspection.hazards.filter(embargo_region__isnull=False).exists()
                continue
            assert inspection.visibility == "embargoed", (role, key, by)
            assert inspection.hazards.get().embargo_region_id == inspection.office_region_id


HAZARD_API = {
    ("get", "/api/v1/hazards"): list_hazards,
    ("post", "/api/v1/hazards"): report_hazard,
    ("get", "/api/v1/hazards/stats"): stats,
    ("get", "/api/v1/hazards/stats/subregions"): stats,
    ("get", "/api/v1/hazards/ledger"): ledger,
    ("get", "/api/v1/hazards/{hazard_id}"): read_hazard,
    ("get", "/api/v1/hazards/{hazard_id}/history"): read_hazard,
    ("post", "/api/v1/hazards/{hazard_id}/confirm"): act(
        "reported", {"grade": "general", "due_date": "2099-01-01"}
    ),
    ("post", "/api/v1/hazards/{hazard_id}/dismiss"): act("reported", {"reason": "误报"}),
    ("post", "/api/v1/hazards/{hazard_id}/submit"): act(
        "rectifying", {"description": "x", "attachments": []}
    ),
    ("post", "/api/v1/hazards/{hazard_id}/verify"): act("submitted", {"comment": "ok"}),
    ("post", "/api/v1/hazards/{hazard_id}/reject"): act("submitted", {"comment": "不合格"}),
    ("post", "/api/v1/hazards/{hazard_id}/list"): act("rectifying", {"due_date": "2099-01-01"}),
    ("post", "/api/v1/hazards/{hazard_id}/delist"): act("rectifying", {}),
    ("post", "/api/v1/inspections"): record_inspection,
    ("get", "/api/v1/inspections"): read_inspections,
    ("get", "/api/v1/inspections/{inspection_id}"): read_inspections,
    ("post", "/api/v1/inspections/{inspection_id}/publish"): publish_inspection,
}
