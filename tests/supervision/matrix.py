"""Who sees and moves supervised assignments, written out (not computed by scope()); the API matrix
(tests/test_authorization.py) and the page matrix (page_matrix.py) both use these.

One assignment per fixture county, each with that county as its only target: 武侯 (510107) and
锦江 (510104) assigned by the Chengdu office, 涪城 (510703) by the province office. Whoever's scope
holds the target (or the issuing region) reads the assignment; enterprises see nothing (403 on
lists, 404 on objects). The receiving county's own users report and submit; the issuing side (the
issuing office and the offices above it) accepts, returns and cancels; only safety offices assign.
"""

from __future__ import annotations

from ..conftest import FUCHENG, JINJIANG, WUHOU

REGION_OF = {"wuhou": WUHOU, "jinjiang": JINJIANG, "mianyang": FUCHENG}
ISSUER_OF = {"wuhou": "cd-office", "jinjiang": "cd-office", "mianyang": "sc-office"}
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
# Safety offices (and admins) assign; of the matrix roles, these are also the issuing side of
# every assignment they see (the Chengdu office issued 武侯's and 锦江's; the province all).
ASSIGNERS = {"admin", "sc_office", "cd_office"}
ISSUING_SIDE = ASSIGNERS


def receivers(key: str) -> set[str]:
    """The matrix roles that report and submit for the county `key`: its own inspector, an admin."""
    return {"admin", f"{key}_inspector"} & set(VISIBLE)


# -- the API probes, merged into API_MATRIX in tests/test_authorization.py ----------------------

from datetime import timedelta  # noqa: E402

from benan.core import audit, clock  # noqa: E402
from benan.core.models import Role, User  # noqa: E402
from benan.supervision import assignments as services  # noqa: E402
from benan.supervision.models import Assignment, AssignmentTarget, ProgressReport  # noqa: E402


def receiver_of(key: str) -> User:
    """An inspector of the county, who reports for it in the builders."""
    username = f"supervision-{REGION_OF[key]}"
    user = User.objects.filter(username=username).first()
    return user or User.objects.create_user(
        username, password="demo-2026", role=Role.INSPECTOR, region_id=REGION_OF[key]
    )


def make_assignment(key: str) -> Assignment:
    return services.assign(
        actor=User.objects.get(username=ISSUER_OF[key]),
        title=f"{key}安全生产大检查",
        requirements="全面排查，按周报送进展",
        due_date=clock.today() + timedelta(days=10),
        regions=[REGION_OF[key]],
    )


def target_in(state: str = "assigned"):
    def make(key: str) -> AssignmentTarget:
        target = make_assignment(key).targets.get()
        if state == "in_progress":
            services.report_progress(actor=receiver_of(key), target=target, text="已检查过半")
        elif state == "submitted":
            services.submit(actor=receiver_of(key), target=target, text="已全部完成")
        target.refresh_from_db()
        return target

    return make


def assignment_snapshot(obj):
    """Every stored field of the row, its targets' states, the reports and the audit entries: what a
    refused request must not change."""
    obj = type(obj).objects.get(pk=obj.pk)
    values = tuple(getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name != "updated_at")
    targets = obj.targets if isinstance(obj, Assignment) else AssignmentTarget.objects.filter(pk=obj.pk)
    return values, tuple(targets.values_list("pk", "state")), ProgressReport.objects.count(), (
        audit.history(obj).count()
    )


def assignment_read(make, name: str):
    def probe(client, role, enterprises, path):
        for key in REGION_OF:
            response = client.get(path.format(**{name: make(key).pk}))
            assert response.status_code == (200 if key in VISIBLE[role] else 404), (role, key, path)

    return probe


def assignment_act(make, name: str, body, allowed, ok: int = 200):
    """A post on an object: outside the scope 404; inside, `allowed` (a set, or a function of the
    county) `ok`, the others 403; a refused post changes nothing."""

    def probe(client, role, enterprises, path, *_):
        for key in REGION_OF:
            obj = make(key)
            before = assignment_snapshot(obj)
            permitted = allowed(key) if callable(allowed) else allowed
            response = client.post(path.format(**{name: obj.pk}), body)
            expected = (ok if role in permitted else 403) if key in VISIBLE[role] else 404
            assert response.status_code == expected, (role, key, path, response.content)
            if expected >= 400:
                assert assignment_snapshot(obj) == before, (role, key, path)

    return probe


def assignment_listing(client, role, enterprises, path):
    """The list in scope: exactly the visible assignments; enterprises 403."""
    made = {key: make_assignment(key) for key in REGION_OF}
    response = client.get(path)
    if role == "ent_wuhou":
        assert response.status_code == 403, role
        return
    assert response.status_code == 200, (role, response.content)
    assert {i["id"] for i in response.json()["items"]} == {made[k].pk for k in VISIBLE[role]}, role


def assignment_board_counts(client, role, enterprises, path):
    """The board counts only the targets in scope; enterprises 403."""
    for key in REGION_OF:
        make_assignment(key)
    response = client.get(path)
    if role == "ent_wuhou":
        assert response.status_code == 403, role
        return
    assert response.status_code == 200, (role, response.content)
    assert response.json()["total"] == len(VISIBLE[role]), role


def assignment_create(client, role, enterprises, path, *_):
    """Assigning to each county: safety offices that hold it 201, that do not 422, others 403."""
    for key in REGION_OF:
        before = Assignment.objects.count()
        response = client.post(
            path,
            {
                "title": "专项检查",
                "requirements": "按要求开展",
                "due_date": (clock.today() + timedelta(days=5)).isoformat(),
                "regions": [REGION_OF[key]],
            },
        )
        expected = 403 if role not in ASSIGNERS else 201 if key in VISIBLE[role] else 422
        assert response.status_code == expected, (role, key, path, response.content)
        assert Assignment.objects.count() == before + (expected == 201), (role, key)


SUPERVISION_API = {
    ("get", "/api/v1/assignments"): assignment_listing,
    ("post", "/api/v1/assignments"): assignment_create,
    ("get", "/api/v1/assignments/board"): assignment_board_counts,
    ("get", "/api/v1/assignments/{assignment_id}"): assignment_read(make_assignment, "assignment_id"),
    ("get", "/api/v1/assignments/{assignment_id}/history"): assignment_read(make_assignment, "assignment_id"),
    ("post", "/api/v1/assignments/{assignment_id}/cancel"): assignment_act(
        make_assignment, "assignment_id", {"reason": "任务调整"}, ISSUING_SIDE
    ),
    ("post", "/api/v1/assignments/targets/{target_id}/reports"): assignment_act(
        target_in(), "target_id", {"text": "已完成三成"}, receivers, ok=201
    ),
    ("post", "/api/v1/assignments/targets/{target_id}/submit"): assignment_act(
        target_in("in_progress"), "target_id", {"text": "已全部完成"}, receivers
    ),
    ("post", "/api/v1/assignments/targets/{target_id}/accept"): assignment_act(
        target_in("submitted"), "target_id", {"comment": "合格"}, ISSUING_SIDE
    ),
    ("post", "/api/v1/assignments/targets/{target_id}/return"): assignment_act(
        target_in("submitted"), "target_id", {"reason": "缺少台账"}, ISSUING_SIDE
    ),
}
PATH_IDS = {"assignment_id": 1, "target_id": 1}
