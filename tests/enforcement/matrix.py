"""Authorization probes for the enforcement endpoints, merged into tests/test_authorization.py.

Each probe gets a client of one role and the three enterprises (武侯, 锦江, 绵阳 涪城); it makes
the object of each enterprise in the state the action needs and asserts: outside the role's
scope 404 and nothing changed; inside it, the role's own answer (written out below, not
derived from the code) and nothing changed when refused.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from benan.core import audit, clock
from benan.core.attachments import store
from benan.core.models import User
from benan.enforcement import services
from benan.enforcement.models import BlacklistEntry, CriminalReferral, EnforcementCase, SuspensionOrder
from benan.hazards import services as hazard_services

from .conftest import PNG, officers_for, walk_case

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
# Referrals are internal to the authorities: the enterprise sees none, not even its own.
GOVERNMENT_VISIBLE = {**VISIBLE, "ent_wuhou": set()}
OFFICERS = {"admin", "sc_office", "cd_office", "wuhou_inspector", "jinjiang_inspector"}
HEADS = {"admin", "sc_office", "cd_office"}


def _admin() -> User:
    return User.objects.get(username="admin")


def _days_ago(n: int) -> datetime:
    return timezone.make_aware(datetime.combine(clock.today() - timedelta(days=n), time(10)))


# -- objects in the state an action needs -------------------------------------------------------


def case(state: str):
    def make(enterprise):
        admin = _admin()
        officers = officers_for(enterprise.region_id)
        if state == "answered":  # notified, the party's statement recorded: ready for a decision
            made = walk_case("notified", enterprise, admin, officers=officers)
            return services.record_statement(actor=admin, case=made, waived=True)
        if state == "hearing":  # notified, a hearing requested
            made = walk_case("notified", enterprise, admin, officers=officers)
            return services.record_statement(
                actor=admin, case=made, statement="要求听证", hearing_requested=True
            )
        return walk_case(state, enterprise, admin, officers=officers)

    return make


def suspension(enterprise):
    admin = _admin()
    with clock.as_of(_days_ago(20)):
        made = walk_case("decided", enterprise, admin)
        order = services.order_suspension(
            actor=admin, case=made, start_date=clock.today(), scope="全厂", lifting_conditions="整改"
        )
    hazard_services.record_inspection(
        actor=admin, enterprise=enterprise, source="department", day=clock.today() - timedelta(days=1)
    )
    return order


def referral(state: str):
    def make(enterprise):
        admin = _admin()
        made = walk_case("investigating", enterprise, admin)
        item = services.refer(actor=admin, case=made, category="major_liability", report="涉嫌重大责任事故罪")
        if state in ("approved", "transferred"):
            item = services.approve_referral(actor=admin, referral=item)
        if state == "transferred":
            item = services.transfer_referral(actor=admin, referral=item, receiving_organ="公安分局")
        return item

    return make


def blacklisted(state: str):
    def make(enterprise):
        admin = _admin()
        with clock.as_of(_days_ago(400)):  # listed more than 12 months ago: early exit is open
            made = walk_case("decided", enterprise, admin)
            entry = services.blacklist(
                actor=admin, case=made, reason_kind="concealed_accident", reason="瞒报事故"
            )
        if state == "exit_applied":
            entry = services.apply_exit(actor=admin, entry=entry, application="已完成信用修复")
        return entry

    return make


def _snapshot(obj):
    obj = type(obj).objects.get(pk=obj.pk)
    extra = ()
    if isinstance(obj, EnforcementCase):
        extra = (
            obj.officers.count(),
            obj.evidence.count(),
            obj.suspensions.count(),
            obj.referrals.count(),
            obj.blacklist_entries.count(),
        )
    return (obj.state, obj.updated_at, audit.history(obj).count(), *extra)


PATH_KEYS = {
    EnforcementCase: "case_id",
    SuspensionOrder: "order_id",
    CriminalReferral: "referral_id",
    BlacklistEntry: "entry_id",
}


def _url(path: str, obj) -> str:
    return path.format(**{PATH_KEYS[type(obj)]: obj.pk})


# -- probes -------------------------------------------------------------------------------------


def read(make, visible=VISIBLE):
    def read_probe(client, role, enterprises, path):
        for key, enterprise in enterprises.items():
            response = client.get(_url(path, make(enterprise)))
            assert response.status_code == (200 if key in visible[role] else 404), (role, key, path)

    return read_probe


def act(make, allowed: set[str], body=None, ok=200, visible=VISIBLE):
    """POST an action; roles in `allowed` succeed (`ok`), other roles that see the object get 403."""

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


def list_of(make, path_key: str = "items", visible=VISIBLE):
    def list_probe(client, role, enterprises, path):
        made = {key: make(e) for key, e in enterprises.items()}
        ids = {i["id"] for i in client.get(path, {"page_size": 100}).json()[path_key]}
        assert ids == {made[k].pk for k in visible[role]}, (role, path)
        for region in ("510000", "510104", "510703"):
            ids = {i["id"] for i in client.get(path, {"region": region, "page_size": 100}).json()[path_key]}
            assert ids <= {made[k].pk for k in visible[role]}, (role, path, region)

    return list_probe


def open_case(client, role, enterprises, path):
    for key, enterprise in enterprises.items():
        officers = [o.pk for o in officers_for(enterprise.region_id)]
        body = {
            "enterprise_id": enterprise.pk,
            "cause": "矩阵案件",
            "facts": "事实",
            "origin": "direct",
            "officer_ids": officers,
        }
        response = client.post(path, body)
        if key not in VISIBLE[role]:
            assert response.status_code == 404, (role, key)
        elif role in OFFICERS:
            assert response.status_code == 201, (role, key, response.content)
        else:
            assert response.status_code == 403, (role, key, response.content)
    outside = EnforcementCase.objects.filter(cause="矩阵案件").exclude(
        enterprise__in=[enterprises[k] for k in VISIBLE[role]]
    )
    assert not outside.exists(), role


def case_stats(client, role, enterprises, path):
    for enterprise in enterprises.values():
        case("decided")(enterprise)
    stats = client.get(path).json()
    assert stats["cases"] == len(VISIBLE[role]), role
    assert stats["dual_penalty"] == len(VISIBLE[role]), role
    assert float(stats["fines_total_cny"]) == 180000 * len(VISIBLE[role]), role


def public_blacklist(client, role, enterprises, path):
    for enterprise in enterprises.values():
        blacklisted("listed")(enterprise)
    # The published list is the same for everyone, logged in or not.
    assert client.get(path).json()["count"] == 3, role


def legal_bases(client, role, enterprises, path):
    assert client.get(path).status_code == 200


def evidence_body(role):
    user = User.objects.get(username=role.replace("_", "-")) if role != "admin" else _admin()
    return {"attachments": [store(actor=user, upload=SimpleUploadedFile("证据.png", PNG, "image/png")).pk]}


def officers_body(role):
    return {"officer_ids": []}


def lift_body(role):
    from benan.hazards.models import Inspection

    return {"inspection_id": Inspection.objects.order_by("-pk").values_list("pk", flat=True).first()}


ENFORCEMENT_API = {
    ("get", "/api/v1/legal-bases"): legal_bases,
    ("get", "/api/v1/cases"): list_of(case("opened")),
    ("post", "/api/v1/cases"): open_case,
    ("get", "/api/v1/cases/stats"): case_stats,
    ("get", "/api/v1/cases/{case_id}"): read(case("opened")),
    ("get", "/api/v1/cases/{case_id}/history"): read(case("opened")),
    ("get", "/api/v1/cases/{case_id}/decision.docx"): read(case("decided")),
    ("post", "/api/v1/cases/{case_id}/officers"): act(case("opened"), OFFICERS, officers_body),
    ("post", "/api/v1/cases/{case_id}/evidence"): act(case("opened"), OFFICERS, evidence_body),
    ("post", "/api/v1/cases/{case_id}/investigate"): act(case("opened"), OFFICERS),
    ("post", "/api/v1/cases/{case_id}/notify"): act(
        lambda e: services.add_evidence(
            actor=_admin(),
            case=case("investigating")(e),
            attachment_ids=[store(actor=_admin(), upload=SimpleUploadedFile("p.png", PNG, "image/png")).pk],
        ),
        OFFICERS,
        {"proposal": "拟罚款1万元", "proposed_fine_cny": "10000"},
    ),
    ("post", "/api/v1/cases/{case_id}/statement"): act(
        case("notified"), OFFICERS | {"ent_wuhou"}, {"waived": True}
    ),
    ("post", "/api/v1/cases/{case_id}/hearing"): act(case("hearing"), OFFICERS, {"record": "听证"}),
    ("post", "/api/v1/cases/{case_id}/decide"): act(
        case("answered"),
        OFFICERS,
        {"penalties": [{"party": "unit", "kind": "fine", "basis": "aqsc2021-97", "amount": "10000"}]},
    ),
    ("post", "/api/v1/cases/{case_id}/execute"): act(
        case("decided"), OFFICERS, {"execution": "已缴纳", "paid_cny": "180000"}
    ),
    ("post", "/api/v1/cases/{case_id}/close"): act(case("executed"), OFFICERS, {"report": "结案"}),
    ("post", "/api/v1/cases/{case_id}/withdraw"): act(case("opened"), HEADS, {"reason": "不成立"}),
    ("post", "/api/v1/cases/{case_id}/suspend"): act(
        case("decided"),
        OFFICERS,
        lambda role: {"start_date": clock.today().isoformat(), "scope": "全厂", "lifting_conditions": "整改"},
        ok=201,
    ),
    ("post", "/api/v1/cases/{case_id}/refer"): act(
        case("investigating"), OFFICERS, {"category": "fire", "report": "失火"}, ok=201
    ),
    ("post", "/api/v1/cases/{case_id}/blacklist"): act(
        case("decided"), HEADS, {"reason_kind": "major_accident", "reason": "重大事故"}, ok=201
    ),
    ("get", "/api/v1/suspensions"): list_of(suspension),
    ("get", "/api/v1/suspensions/{order_id}"): read(suspension),
    ("get", "/api/v1/suspensions/{order_id}/order.docx"): read(suspension),
    ("post", "/api/v1/suspensions/{order_id}/lift"): act(suspension, HEADS, lift_body),
    ("get", "/api/v1/referrals"): list_of(referral("reported"), visible=GOVERNMENT_VISIBLE),
    ("get", "/api/v1/referrals/{referral_id}"): read(referral("reported"), visible=GOVERNMENT_VISIBLE),
    ("post", "/api/v1/referrals/{referral_id}/approve"): act(
        referral("reported"), HEADS, visible=GOVERNMENT_VISIBLE
    ),
    ("post", "/api/v1/referrals/{referral_id}/refuse"): act(
        referral("reported"), HEADS, {"reason": "不够罪"}, visible=GOVERNMENT_VISIBLE
    ),
    ("post", "/api/v1/referrals/{referral_id}/transfer"): act(
        referral("approved"), OFFICERS, {"receiving_organ": "公安分局"}, visible=GOVERNMENT_VISIBLE
    ),
    ("post", "/api/v1/referrals/{referral_id}/result"): act(
        referral("transferred"),
        OFFICERS,
        {"accepted": False, "result": "不予立案"},
        visible=GOVERNMENT_VISIBLE,
    ),
    ("get", "/api/v1/blacklist"): public_blacklist,
    ("get", "/api/v1/blacklist/entries"): list_of(blacklisted("listed")),
    ("get", "/api/v1/blacklist/entries/{entry_id}"): read(blacklisted("listed")),
    ("post", "/api/v1/blacklist/entries/{entry_id}/apply_exit"): act(
        blacklisted("listed"), OFFICERS | {"ent_wuhou"}, {"application": "已完成信用修复"}
    ),
    ("post", "/api/v1/blacklist/entries/{entry_id}/approve_exit"): act(blacklisted("exit_applied"), HEADS),
    ("post", "/api/v1/blacklist/entries/{entry_id}/reject_exit"): act(
        blacklisted("exit_applied"), HEADS, {"comment": "材料不全"}
    ),
}
# Paths whose ids the anonymous probe fills in.
PATH_IDS = {"case_id": 1, "order_id": 1, "referral_id": 1, "entry_id": 1}
PUBLIC = {("get", "/api/v1/blacklist")}
