"""Authorization probes for the accident endpoints, merged into tests/test_authorization.py.

Each probe gets a client of one role and the three enterprises (武侯, 锦江, 绵阳 涪城); it makes the
object of each enterprise's accident in the state the action needs and asserts: outside the
role's scope 404 and nothing changed; inside it, the role's answer written out below.
"""

from __future__ import annotations

from datetime import timedelta

from benan.accidents import services
from benan.accidents.models import Accident, Investigation, Measure, ReportingStep
from benan.core import audit, clock
from benan.core.models import User

from .conftest import as_service_data, body

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
# Accountability names people: the authorities only.
GOVERNMENT_VISIBLE = {**VISIBLE, "ent_wuhou": set()}
REPORTERS = {
    "admin",
    "sc_office",
    "cd_office",
    "wuhou_inspector",
    "jinjiang_inspector",
    "commander",
    "ent_wuhou",
}
OFFICES = {"admin", "sc_office", "cd_office"}
# The county step is acknowledged by the county's own users only.
COUNTY_USERS = {"admin", "wuhou_inspector", "jinjiang_inspector"}
SUBMITTERS = REPORTERS  # measures: any government user, or the enterprise it is assigned to
REVIEWERS = {"admin", "sc_office", "cd_office", "wuhou_inspector", "jinjiang_inspector"}


def _admin() -> User:
    return User.objects.get(username="admin")


def _pdf(user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from benan.core.attachments import store

    from .conftest import PDF

    return store(actor=user, upload=SimpleUploadedFile("报告.pdf", PDF, "application/pdf"))


def accident(enterprise) -> Accident:
    return services.report_accident(actor=_admin(), data=as_service_data(body(enterprise)))


def county_step(enterprise) -> ReportingStep:
    return accident(enterprise).steps.get(level="county")


def investigation(state: str = "investigating"):
    def make(enterprise) -> Investigation:
        admin = _admin()
        inv = services.open_investigation(actor=admin, accident=accident(enterprise), team="调查组")
        if state in ("submitted", "replied"):
            inv = services.submit_report(
                actor=admin, investigation=inv, attachment_id=_pdf(admin).pk, summary="结论"
            )
        if state == "replied":
            inv = services.reply(actor=admin, investigation=inv, reply="同意")
        return inv

    return make


def _enterprise_user(enterprise) -> User:
    user = User.objects.filter(role="enterprise", enterprise=enterprise).first()
    return user or User.objects.create(
        username=f"ent-{enterprise.pk}", role="enterprise", enterprise=enterprise
    )


def measure(state: str = "open"):
    def make(enterprise) -> Measure:
        inv = investigation()(enterprise)
        m = services.add_measure(
            actor=_admin(),
            investigation=inv,
            description="加装防护装置",
            due_date=clock.today() + timedelta(days=30),
            assignee_enterprise_id=enterprise.pk,
        )
        if state == "submitted":
            owner = _enterprise_user(enterprise)
            m = services.submit_measure(
                actor=owner, measure=m, result="已加装", attachment_ids=[_pdf(owner).pk]
            )
        return m

    return make


def _snapshot(obj):
    obj = type(obj).objects.get(pk=obj.pk)
    state = getattr(obj, "state", None)
    return state, getattr(obj, "updated_at", None), audit.history(obj).count()


KEYS = {
    Accident: "accident_id",
    ReportingStep: "step_id",
    Investigation: "investigation_id",
    Measure: "measure_id",
}


def _url(path: str, obj) -> str:
    return path.format(**{KEYS[type(obj)]: obj.pk}, item="cause")


def read(make, visible=VISIBLE):
    def read_probe(client, role, enterprises, path):
        for key, enterprise in enterprises.items():
            response = client.get(_url(path, make(enterprise)))
            assert response.status_code == (200 if key in visible[role] else 404), (role, key, path)

    return read_probe


def act(make, allowed: set[str], body=None, ok=200, visible=VISIBLE):
    def act_probe(client, role, enterprises, path):
        for key, enterprise in enterprises.items():
            obj = make(enterprise)
            payload = body(role) if callable(body) else (body or {})
            before = _snapshot(obj)
            response = client.post(_url(path, obj), payload)
            expected = (ok if role in allowed else 403) if key in visible[role] else 404
            assert response.status_code == expected, (role, key, path, response.content)
            if expected >= 400:
                assert _snapshot(obj) == before, (role, key, path)

    return act_probe


def list_accidents(client, role, enterprises, path):
    made = {key: accident(e).pk for key, e in enterprises.items()}
    ids = {i["id"] for i in client.get(path, {"page_size": 100}).json()["items"]}
    assert ids == {made[k] for k in VISIBLE[role]}, role


def report(client, role, enterprises, path):
    for key, enterprise in enterprises.items():
        response = client.post(path, body(enterprise))
        if key not in VISIBLE[role]:
            assert response.status_code == 404, (role, key)
        elif role in REPORTERS:
            assert response.status_code == 201, (role, key, response.content)
        else:
            assert response.status_code == 403, (role, key, response.content)
    outside = Accident.objects.exclude(enterprise__in=[enterprises[k] for k in VISIBLE[role]])
    assert not outside.exists(), role


def grade_for_anyone(client, role, enterprises, path):
    assert client.post(path, {"deaths": 3}).json()["grade"] == "relatively_major"


def stats(client, role, enterprises, path):
    for enterprise in enterprises.values():
        accident(enterprise)
    result = client.get(path).json()
    assert result["accidents"] == len(VISIBLE[role]), role
    assert result["deaths"] == len(VISIBLE[role]), role


def board(client, role, enterprises, path):
    made = {key: accident(e) for key, e in enterprises.items()}
    ids = {i["accident_id"] for i in client.get(path, {"page_size": 100}).json()["items"]}
    assert ids == {made[k].pk for k in VISIBLE[role]}, role


def accountability_list(client, role, enterprises, path):
    for enterprise in enterprises.values():
        services.record_accountability(
            actor=_admin(),
            accident=accident(enterprise),
            person_name="王某",
            position="主任",
            unit="某单位",
            kind="discipline",
            decided_by="纪委",
            decided_on=clock.today(),
        )
    assert client.get(path).json()["count"] == len(GOVERNMENT_VISIBLE[role]), role


def published(client, role, enterprises, path):
    admin = _admin()
    for enterprise in enterprises.values():
        services.publish(actor=admin, investigation=investigation("replied")(enterprise))
    assert client.get(path).json()["count"] == 3, role


def _user(role: str) -> User:
    return _admin() if role == "admin" else User.objects.get(username=role.replace("_", "-"))


def evidence_body(role):
    return {"result": "已落实", "attachments": [_pdf(_user(role)).pk]}


def four_nos_body(role):
    return {"note": "已查清", "attachments": [_pdf(_user(role)).pk]}


ACCIDENT_API = {
    ("post", "/api/v1/accidents/grade"): grade_for_anyone,
    ("get", "/api/v1/accidents"): list_accidents,
    ("post", "/api/v1/accidents"): report,
    ("get", "/api/v1/accidents/stats"): stats,
    ("get", "/api/v1/accidents/board"): board,
    ("get", "/api/v1/accidents/{accident_id}"): read(accident),
    ("get", "/api/v1/accidents/{accident_id}/history"): read(accident),
    ("post", "/api/v1/accidents/{accident_id}/follow_up"): act(
        accident, REPORTERS, {"deaths": 2, "note": "一人死亡"}
    ),
    ("post", "/api/v1/accidents/{accident_id}/investigate"): act(
        accident, OFFICES, {"team": "调查组"}, ok=201
    ),
    ("post", "/api/v1/accidents/{accident_id}/accountability"): act(
        accident,
        OFFICES,
        {
            "person_name": "王某",
            "position": "主任",
            "unit": "某单位",
            "kind": "discipline",
            "decided_by": "纪委",
            "decided_on": clock.today().isoformat(),
        },
        ok=201,
    ),
    ("get", "/api/v1/accountability"): accountability_list,
    ("post", "/api/v1/reporting-steps/{step_id}/acknowledge"): act(county_step, COUNTY_USERS),
    ("get", "/api/v1/investigations/{investigation_id}"): read(investigation()),
    ("post", "/api/v1/investigations/{investigation_id}/extend"): act(
        investigation(), OFFICES, {"days": 30, "reason": "技术鉴定"}
    ),
    ("post", "/api/v1/investigations/{investigation_id}/submit"): act(
        investigation(), OFFICES, lambda role: {"report": _pdf(_user(role)).pk, "summary": "结论"}
    ),
    ("post", "/api/v1/investigations/{investigation_id}/reply"): act(
        investigation("submitted"), OFFICES, {"reply": "同意"}
    ),
    ("post", "/api/v1/investigations/{investigation_id}/publish"): act(investigation("replied"), OFFICES),
    ("post", "/api/v1/investigations/{investigation_id}/close"): act(
        investigation("replied"), OFFICES, ok=409
    ),
    ("post", "/api/v1/investigations/{investigation_id}/four-nos/{item}"): act(
        investigation(), OFFICES, four_nos_body
    ),
    ("post", "/api/v1/investigations/{investigation_id}/measures"): act(
        investigation(),
        OFFICES,
        {
            "description": "修订规程",
            "due_date": "2099-01-01",
            "assignee_region": "510104",
            "department": "省应急厅",
        },
        ok=201,
    ),
    ("post", "/api/v1/measures/{measure_id}/submit"): act(measure(), SUBMITTERS, evidence_body),
    ("post", "/api/v1/measures/{measure_id}/verify"): act(measure("submitted"), REVIEWERS),
    ("post", "/api/v1/measures/{measure_id}/reject"): act(
        measure("submitted"), REVIEWERS, {"comment": "不合格"}
    ),
    ("get", "/api/v1/investigation-reports"): published,
}
PATH_IDS = {"accident_id": 1, "step_id": 1, "investigation_id": 1, "measure_id": 1, "item": "cause"}
PUBLIC = {("get", "/api/v1/investigation-reports")}
