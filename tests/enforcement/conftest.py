"""Fixtures for enforcement: officers, evidence, and `case_in(state)` that walks a case to a
state through the services (the API tests walk it through the API themselves)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from benan.core import clock
from benan.core.attachments import store
from benan.core.models import Role, User
from benan.enforcement import services
from benan.enforcement.models import EnforcementCase
from tests.hazards.conftest import criteria, evidence, walk  # noqa: F401

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
DUAL = [
    {"party": "unit", "kind": "fine", "basis": "aqsc2021-97", "amount": "150000"},
    {
        "party": "person",
        "kind": "fine",
        "basis": "aqsc2021-97",
        "amount": "30000",
        "person_name": "张建国",
        "person_position": "总经理",
    },
]
_serial = itertools.count(1)


def officers_for(region_code: str, count: int = 2) -> list[User]:
    """`count` active inspectors of `region_code` (made on first use)."""
    found = list(User.objects.filter(role=Role.INSPECTOR, region_id=region_code, is_active=True)[:count])
    while len(found) < count:
        user = User(
            username=f"officer-{region_code}-{next(_serial)}", role=Role.INSPECTOR, region_id=region_code
        )
        user.set_password("demo-2026")
        user.save()
        found.append(user)
    return found


@pytest.fixture
def wuhou_inspector2(make_user):
    return make_user("wuhou-inspector-2", Role.INSPECTOR, region="510107")


@pytest.fixture
def upload():
    """`upload(user)` → an evidence photo uploaded by `user`."""

    def make(user):
        return store(actor=user, upload=SimpleUploadedFile("现场照片.png", PNG, "image/png"))

    return make


STATES = ["opened", "investigating", "notified", "decided", "executed", "closed", "withdrawn"]


def walk_case(state: str, enterprise, actor, *, penalties=None, officers=None) -> EnforcementCase:
    """A case against `enterprise` brought to `state` by `actor` (admin or an office in scope)."""
    officers = officers or officers_for(enterprise.region_id)
    case = services.open_case(
        actor=actor,
        enterprise=enterprise,
        cause="未按规定组织应急演练",
        origin="direct",
        facts="2026年该单位未按规定组织生产安全事故应急救援预案演练。",
        officer_ids=[o.pk for o in officers],
    )
    if state == "opened":
        return case
    if state == "withdrawn":
        return services.withdraw(actor=actor, case=case, reason="违法事实不能成立")
    services.investigate(actor=actor, case=case)
    if state == "investigating":
        return case
    photo = store(actor=actor, upload=SimpleUploadedFile("现场照片.png", PNG, "image/png"))
    services.add_evidence(actor=actor, case=case, attachment_ids=[photo.pk])
    services.notify(
        actor=actor,
        case=case,
        proposal="拟对单位罚款15万元，对总经理罚款3万元",
        proposed_kinds=["fine"],
        proposed_fine_cny="180000",
    )
    if state == "notified":
        return case
    services.record_statement(actor=actor, case=case, waived=True)
    lines = [services.PenaltyIn(**p) for p in (penalties or DUAL)]
    services.decide(actor=actor, case=case, penalties=lines)
    if state == "decided":
        return case
    case.refresh_from_db()
    services.execute(actor=actor, case=case, execution="当事人已缴纳全部罚款", paid_cny=case.fines_total)
    if state == "executed":
        return case
    return services.close(actor=actor, case=case, report="处罚决定已执行完毕，结案。")


@pytest.fixture
def case_in(admin):
    """`case_in(state, enterprise, actor=admin)` → an EnforcementCase in `state`."""

    def make(state: str, enterprise, actor=None, **kw) -> EnforcementCase:
        return walk_case(state, enterprise, actor or admin, **kw)

    return make


def days_ago(n: int):
    return clock.today() - timedelta(days=n)
