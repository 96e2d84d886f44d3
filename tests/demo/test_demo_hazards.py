"""Demo hazards: the pure plan (deterministic, every state, every city), and `benan demo` replaying it
through the real services (states, actors, evidence, audit chain)."""

from __future__ import annotations

import struct
import zlib
from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from benan.core import audit
from benan.core.models import AuditEntry, Region, RegionLevel, Role, User
from benan.demo import generator
from benan.demo import hazards as demo_hazards
from benan.hazards import queries
from benan.hazards.guards import PLAN_ELEMENTS
from benan.hazards.models import Grade, Hazard, HazardState, Listing, ListingState, Rectification
from benan.standards import engine

N = 200
SEED = 11
TODAY = date(2026, 11, 29)
STATES = set(HazardState.values)


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def regions_file():
    return generator.regions_from_file()


@pytest.fixture(scope="module")
def rows(regions_file):
    return generator.generate(N, SEED, regions=regions_file)


@pytest.fixture(scope="module")
def plan(rows, regions_file):
    return demo_hazards.generate(rows, N // 2, SEED, today=TODAY, regions=regions_file)


# -- the plan, without a database ----------------------------------------------------------------


def test_same_seed_gives_the_same_hazards(plan, rows, regions_file):
    again = demo_hazards.generate(rows, N // 2, SEED, today=TODAY, regions=regions_file)
    assert again == plan  # descriptions, states, actors, dates: everything


def test_another_seed_gives_other_hazards(plan, rows, regions_file):
    other = demo_hazards.generate(rows, N // 2, SEED + 1, today=TODAY, regions=regions_file)
    assert [(h.uscc, h.description) for h in other] != [(h.uscc, h.description) for h in plan]


def test_it_plans_exactly_n(rows, regions_file):
    assert demo_hazards.generate(rows, 0, SEED, today=TODAY, regions=regions_file) == []
    assert len(demo_hazards.generate(rows, 3, SEED, today=TODAY, regions=regions_file)) == 3
    assert demo_hazards.default_count(2000) == 1000
    assert demo_hazards.default_count(100_000) == demo_hazards.MAX_DEFAULT


def test_every_state_and_kind_is_planned(plan):
    assert {h.state for h in plan} == STATES
    assert any(h.overdue for h in plan)
    assert {h.grade for h in plan} == {"", Grade.GENERAL, Grade.MAJOR}
    assert {h.origin for h in plan} == {
        demo_hazards.SELF_REPORT, demo_hazards.SELF_INSPECTION, demo_hazards.INSPECTION,
        demo_hazards.DEPARTMENT_REPORT,
    }
    assert {h.listed_by for h in plan} == {None, demo_hazards.OFFICE, demo_hazards.PROVINCE}
    assert any(h.delisted for h in plan)


def test_every_city_has_hazards(plan, regions_file):
    cities = {r.code for r in regions_file.values() if r.level == RegionLevel.CITY}
    assert len(cities) == 21
    assert {regions_file[h.region].parent_id for h in plan} == cities


def test_the_demo_enterprise_has_work_on_every_side(plan, rows):
    demo = min((r.data for r in rows if r.data["region_code"] == generator.WUHOU), key=lambda d: d["name"])
    mine = [h for h in plan if h.uscc == demo["uscc"]]
    assert {h.state for h in mine} == STATES
    assert any(h.overdue for h in mine)


def test_major_hazards_cite_a_criterion_of_their_sector(plan):
    majors = [h for h in plan if h.grade == Grade.MAJOR]
    assert majors
    for h in majors:
        assert h.sector in engine.criterion(h.criterion).sectors
        confirm = next((s for s in h.steps if s.action == "confirm"), None)
        if confirm is not None:
            assert set(confirm.data["plan"]) == set(PLAN_ELEMENTS)


def test_stories_are_in_order_and_before_today(plan):
    for h in plan:
        moments = [s.at for s in h.steps]
        assert moments == sorted(moments)
        assert moments[-1].date() < TODAY
        confirm = next((s for s in h.steps if s.action == "confirm"), None)
        if h.overdue:
            assert confirm.data["due_date"] < TODAY
        elif h.state == HazardState.RECTIFYING:
            assert confirm.data["due_date"] >= TODAY
        if confirm is not None:
            assert confirm.data["due_date"] >= confirm.at.date()


def test_evidence_is_a_valid_png():
    data = demo_hazards.png(32, 24, "evidence-1")
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    offset, chunks = 8, []
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        tag, body = data[offset + 4:offset + 8], data[offset + 8:offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])
        assert crc == zlib.crc32(tag + body)
        chunks.append((tag, body))
        offset += 12 + length
    assert [t for t, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    assert struct.unpack(">IIBBBBB", chunks[0][1]) == (32, 24, 8, 2, 0, 0, 0)
    assert len(zlib.decompress(chunks[1][1])) == 24 * (1 + 32 * 3)
    assert demo_hazards.png(32, 24, "evidence-2") != data


# -- benan demo --------------------------------------------------------------------------------


@pytest.fixture
def standards(db):
    from benan.standards.loader import load_standards

    load_standards()


@pytest.fixture
def demo(regions, standards):
    # Accidents add county safety offices (office-<county>); they are tested in test_demo_accidents.
    return run("demo", enterprises=N, seed=SEED, accidents=0)


def test_it_writes_the_planned_hazards_through_the_services(demo, regions_file):
    demo_user = User.objects.select_related("enterprise").get(username="ent-wuhou")
    expected = demo_hazards.generate(
        generator.generate(N, SEED, regions=regions_file), N // 2, SEED,
        today=timezone.localdate(), regions=regions_file, demo_uscc=demo_user.enterprise.uscc,
    )
    written = list(Hazard.objects.select_related("enterprise").order_by("id"))
    assert len(written) == len(expected) == N // 2
    for hazard, planned in zip(written, expected, strict=True):
        assert hazard.enterprise.uscc == planned.uscc
        assert hazard.state == planned.state
        assert hazard.grade == planned.grade
        assert hazard.criterion_id == planned.criterion
        assert queries.is_overdue(hazard) == planned.overdue
        if hazard.inspection_id and hazard.criterion_id:
            assert hazard.description.startswith(engine.criterion(planned.criterion).text)
            assert hazard.description.endswith(planned.description)
        else:
            assert hazard.description == planned.description
    assert f"演示隐患：{N // 2} 条" in demo
    for state in HazardState:
        assert state.label in demo


def test_every_state_and_every_city_is_in_the_database(demo):
    states = Counter(Hazard.objects.values_list("state", flat=True))
    assert set(states) == STATES
    assert Hazard.objects.filter(queries.overdue_q(timezone.localdate())).exists()
    cities = set(Region.objects.filter(level=RegionLevel.CITY).values_list("code", flat=True))
    assert len(cities) == 21
    assert set(Region.objects.filter(code__in=Hazard.objects.values("region_id"))
               .values_list("parent_id", flat=True)) == cities
    assert Hazard.objects.filter(inspection__answers__answer="violates").exists()
    listings = Counter(Listing.objects.values_list("office_region_id", "state"))
    assert listings[("510000", ListingState.LISTED)] + listings[("510000", ListingState.DELISTED)]
    assert any(office != "510000" for office, _ in listings)
    for listing in Listing.objects.filter(state=ListingState.DELISTED).select_related("hazard"):
        assert listing.hazard.state == HazardState.CLOSED
    assert Rectification.objects.filter(outcome=Rectification.Outcome.REJECTED).exists()


def test_the_demo_logins_have_work_to_do(demo):
    ent = User.objects.get(username="ent-wuhou")
    mine = Counter(Hazard.objects.filter(enterprise=ent.enterprise_id).values_list("state", flat=True))
    assert set(mine) == STATES
    inspector = User.objects.get(username="wuhou-inspector")
    in_scope = queries.hazards(inspector)
    assert in_scope.filter(state=HazardState.REPORTED).exists()  # to confirm
    assert in_scope.filter(state=HazardState.SUBMITTED).exists()  # to verify
    cd_office = User.objects.get(username="cd-office")
    assert queries.listings(cd_office).filter(office_region_id="510100").exists()


def test_the_audit_chain_holds_and_records_every_step(demo):
    assert audit.verify().ok
    assert "OK" in run("audit", "verify")
    n = Hazard.objects.count()
    assert AuditEntry.objects.filter(action="hazards.hazard.reported").count() == n
    assert AuditEntry.objects.filter(action="demo.user.created").count() == len(generator.DEMO_ACCOUNTS)
    actors = AuditEntry.objects.filter(action="demo.actor.created").count()
    assert actors == User.objects.count() - len(generator.DEMO_ACCOUNTS)


def test_extra_actors_cannot_log_in_and_are_not_listed_as_logins(demo):
    extra = User.objects.exclude(username__in=[a.username for a in generator.DEMO_ACCOUNTS])
    assert extra.exists()
    for user in extra.select_related("region", "enterprise"):
        assert not user.has_usable_password()
        if user.username.startswith("inspector-"):
            assert (user.role, user.region.level) == (Role.INSPECTOR, RegionLevel.CITY)
            assert user.region_id == user.username.removeprefix("inspector-")
        elif user.username.startswith("office-"):
            assert (user.role, user.region.level) == (Role.SAFETY_OFFICE, RegionLevel.CITY)
            assert user.region_id != "510100"  # cd-office acts for Chengdu
        else:
            assert user.role == Role.ENTERPRISE
            assert user.username == f"ent-{user.enterprise.uscc}"
    logins = run("demo_logins")
    assert "inspector-5" not in logins and "office-5" not in logins and "ent-9" not in logins
    assert User.objects.get(username="ent-wuhou").check_password(generator.DEMO_PASSWORD)


def test_evidence_files_are_real_pngs(demo):
    rectification = Rectification.objects.prefetch_related("attachments").first()
    attachment = rectification.attachments.get()
    with attachment.file.open("rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    assert attachment.uploaded_by == rectification.submitted_by


def test_hazards_can_be_turned_off(regions):
    out = run("demo", enterprises=30, hazards=0, cases=0, accidents=0)
    assert not Hazard.objects.exists()
    assert "演示隐患" not in out


def test_hazards_need_the_standards(regions):
    with pytest.raises(CommandError, match="load_standards"):
        run("demo", enterprises=30, hazards=5)
    assert not Hazard.objects.exists()


def test_a_negative_count_is_refused(regions):
    with pytest.raises(CommandError, match="--hazards"):
        run("demo", enterprises=30, hazards=-1)
