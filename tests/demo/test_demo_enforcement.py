"""Demo enforcement: the pure plan (deterministic, every state and story, penalties within the legal
bases), and `benan demo` replaying it through the services (the timeline, the published list, the
province statistics equal to the lists, every demo login with work, the audit chain)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from benan.core import audit
from benan.core.models import AuditEntry, User
from benan.demo import enforcement as demo_enforcement
from benan.demo import generator
from benan.demo import hazards as demo_hazards
from benan.enforcement import queries, rules, services
from benan.enforcement.models import (
    BlacklistEntry,
    BlacklistState,
    CaseState,
    CriminalReferral,
    EnforcementCase,
    Origin,
    Party,
    PenaltyKind,
    ReferralState,
    SuspensionOrder,
    SuspensionState,
)
from benan.enterprises.models import Status
from benan.hazards.models import Source

N = 300  # enterprises: default_count gives 37 cases, enough for the whole showcase
HAZARDS = 30
SEED = 11
TODAY = date(2026, 11, 29)
STATES = set(CaseState.values)
REFERRAL_STATES = set(ReferralState.values)


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
def hazard_plan(rows, regions_file):
    return demo_hazards.generate(rows, HAZARDS, SEED, today=TODAY, regions=regions_file)


@pytest.fixture(scope="module")
def plan(rows, regions_file, hazard_plan):
    return demo_enforcement.generate(
        rows, demo_enforcement.default_count(N), SEED, today=TODAY, regions=regions_file, hazards=hazard_plan
    )


def actions(case) -> list[str]:
    return [s.action for s in case.steps]


# -- the plan, without a database ----------------------------------------------------------------


def test_same_seed_gives_the_same_cases(plan, rows, regions_file, hazard_plan):
    again = demo_enforcement.generate(
        rows, len(plan), SEED, today=TODAY, regions=regions_file, hazards=hazard_plan
    )
    assert again == plan  # enterprises, causes, penalties, dates, actors: everything
    other = demo_enforcement.generate(
        rows, len(plan), SEED + 1, today=TODAY, regions=regions_file, hazards=hazard_plan
    )
    assert [(c.uscc, c.steps) for c in other] != [(c.uscc, c.steps) for c in plan]


def test_it_plans_exactly_n(rows, regions_file):
    assert demo_enforcement.generate(rows, 0, SEED, today=TODAY, regions=regions_file) == []
    assert len(demo_enforcement.generate(rows, 3, SEED, today=TODAY, regions=regions_file)) == 3
    assert len(demo_enforcement.generate(rows, 60, SEED, today=TODAY, regions=regions_file)) == 60
    assert demo_enforcement.default_count(N) == 37
    assert demo_enforcement.default_count(2000) == 250
    assert demo_enforcement.default_count(100_000) == demo_enforcement.MAX_DEFAULT == 3000


def test_every_state_and_story_is_planned(plan):
    assert {c.state for c in plan} == STATES
    assert any(c.dual_penalty for c in plan)
    assert any(c.overdue for c in plan)
    assert {c.suspension for c in plan} == {None, SuspensionState.IN_FORCE, SuspensionState.LIFTED}
    assert {c.referral for c in plan} == REFERRAL_STATES | {None}
    assert {c.blacklist for c in plan} == set(BlacklistState.values) | {None}
    exited = [c for c in plan if c.blacklist == BlacklistState.EXITED]
    assert any("approve_exit" in actions(c) for c in exited)  # early, on application
    assert any("approve_exit" not in actions(c) for c in exited)  # at the end of the term, by the sweep
    assert any("reject_exit" in actions(c) for c in plan)
    assert {c.origin for c in plan} == set(Origin.values)
    assert all(c.hazards for c in plan if c.origin == Origin.HAZARDS)


def test_the_showcase_counties_and_the_demo_enterprise_have_every_state(plan, rows):
    demo = min((r.data for r in rows if r.data["region_code"] == generator.WUHOU), key=lambda d: d["name"])
    assert {c.state for c in plan if c.uscc == demo["uscc"]} == STATES
    for county in (generator.WUHOU, "510104"):
        assert {c.state for c in plan if c.region == county} == STATES


def test_stories_are_in_order_and_before_today(plan):
    for case in plan:
        moments = [s.at for s in case.steps]
        assert moments == sorted(moments)
        assert moments[-1].date() < TODAY
        assert case.steps[0].action in ("open", "inspect")
        assert case.opened_on == next(s.at.date() for s in case.steps if s.action == "open")
        old_entry = {"apply_exit", "blacklist"} <= set(actions(case)) or (
            case.blacklist == BlacklistState.EXITED and "approve_exit" not in actions(case))
        if not old_entry:  # ordinary cases: the last ten months
            assert case.opened_on >= TODAY - timedelta(days=demo_enforcement.HISTORY_DAYS + 1)


def test_expired_entries_are_older_than_the_term(plan):
    years = rules.current().blacklist_years
    for case in plan:
        if case.blacklist == BlacklistState.EXITED and "approve_exit" not in actions(case):
            entered = next(s.at.date() for s in case.steps if s.action == "blacklist")
            assert entered.replace(year=entered.year + years) <= TODAY


def test_penalties_respect_the_legal_bases(plan):
    r = rules.current()
    for case in plan:
        decide = next((s for s in case.steps if s.action == "decide"), None)
        if decide is None:
            assert case.fines_total == 0 and not case.dual_penalty
            continue
        lines = [services.PenaltyIn(**line) for line in decide.data["penalties"]]
        services.clean_penalties(lines)  # the service's own check: bases, ceilings, names
        for line in lines:
            basis = r.basis(line.basis)
            if line.kind == PenaltyKind.FINE:
                ceiling = basis.person_max_cny if line.party == Party.PERSON else basis.unit_max_cny
                assert ceiling is None or Decimal(line.amount) <= ceiling
            if line.party == Party.PERSON:
                assert line.person_name and line.person_position
        fined = {line.party for line in lines if line.kind == PenaltyKind.FINE}
        assert case.dual_penalty == ({Party.UNIT, Party.PERSON} <= fined)
    decisions = [s.data["penalties"] for c in plan for s in c.steps if s.action == "decide"]
    assert any(lines[0]["kind"] == PenaltyKind.WARNING for lines in decisions)


# -- benan demo --------------------------------------------------------------------------------


@pytest.fixture
def standards(db):
    from benan.standards.loader import load_standards

    load_standards()


@pytest.fixture
def demo(regions, standards):
    return run("demo", enterprises=N, hazards=HAZARDS, seed=SEED)


def test_it_writes_the_planned_cases_through_the_services(demo, regions_file):
    demo_user = User.objects.select_related("enterprise").get(username="ent-wuhou")
    today = timezone.localdate()
    rows = generator.generate(N, SEED, regions=regions_file)
    hazard_plan = demo_hazards.generate(
        rows, HAZARDS, SEED, today=today, regions=regions_file, demo_uscc=demo_user.enterprise.uscc
    )
    expected = demo_enforcement.generate(
        rows, demo_enforcement.default_count(N), SEED, today=today, regions=regions_file,
        demo_uscc=demo_user.enterprise.uscc, hazards=hazard_plan,
    )
    written = list(EnforcementCase.objects.select_related("enterprise").prefetch_related("hazards")
                   .order_by("id"))
    assert len(written) == len(expected) == demo_enforcement.default_count(N)
    for case, planned in zip(written, expected, strict=True):
        assert (case.enterprise.uscc, case.state, case.origin, case.opened_on) == (
            planned.uscc, planned.state, planned.origin, planned.opened_on)
        assert (case.dual_penalty, case.fines_total) == (planned.dual_penalty, planned.fines_total)
        assert queries.case_overdue(case) == planned.overdue
        assert len(case.hazards.all()) == len(planned.hazards)
        assert all(h.enterprise_id == case.enterprise_id for h in case.hazards.all())
    assert set(Counter(c.state for c in written)) == STATES
    assert f"演示执法案件：{len(written)} 件" in demo
    for state in CaseState:
        assert state.label in demo


def test_every_case_has_a_team_of_officers_of_its_county_and_evidence(demo):
    cases = EnforcementCase.objects.prefetch_related("officers__region", "evidence")
    for case in cases:
        officers = list(case.officers.all())
        assert len(officers) >= rules.current().min_officers
        for officer in officers:
            assert officer.is_active and officer.region.contains(case.region_id)
        if case.state not in (CaseState.OPENED, CaseState.INVESTIGATING, CaseState.WITHDRAWN):
            evidence = list(case.evidence.all())
            assert evidence
            with evidence[0].file.open("rb") as fh:
                assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    wuhou = EnforcementCase.objects.filter(region_id=generator.WUHOU).first()
    assert "wuhou-inspector" in wuhou.officers.values_list("username", flat=True)
    inspected = EnforcementCase.objects.filter(origin=Origin.INSPECTION).select_related("inspection")
    assert all(c.inspection.enterprise_id == c.enterprise_id for c in inspected)


def test_suspensions_follow_the_status_timeline(demo, api):
    office = api(User.objects.get(username="sc-office"))
    in_force = SuspensionOrder.objects.filter(state=SuspensionState.IN_FORCE)
    lifted = SuspensionOrder.objects.filter(state=SuspensionState.LIFTED).select_related("verification")
    assert in_force.exists() and lifted.exists()
    for order in in_force:
        url = f"/api/v1/enterprises/{order.enterprise_id}/status"
        on_start = office.get(url, {"date": order.start_date.isoformat()}).json()
        assert on_start["status"] == Status.SUSPENDED
        before = office.get(url, {"date": (order.start_date - timedelta(days=1)).isoformat()}).json()
        assert before["status"] != Status.SUSPENDED
        assert office.get(url).json()["status"] == Status.SUSPENDED  # still in force today
    for order in lifted:
        assert order.verification.source == Source.DEPARTMENT
        assert order.verification.enterprise_id == order.enterprise_id
        assert order.start_date <= order.verification.date <= order.lifted_on
        url = f"/api/v1/enterprises/{order.enterprise_id}/status"
        assert office.get(url, {"date": order.start_date.isoformat()}).json()["status"] == Status.SUSPENDED
        assert office.get(url, {"date": order.lifted_on.isoformat()}).json()["status"] == Status.NORMAL


def test_referrals_and_the_blacklist(demo, api):
    assert set(CriminalReferral.objects.values_list("state", flat=True)) == REFERRAL_STATES
    entries = BlacklistEntry.objects.all()
    assert set(entries.values_list("state", flat=True)) == set(BlacklistState.values)
    exited = entries.filter(state=BlacklistState.EXITED)
    assert exited.filter(exit_applied_on__isnull=False).exists()  # early, on application
    expired = exited.filter(exit_applied_on__isnull=True).get()  # the sweep, at the end of the term
    assert expired.exited_on == expired.planned_exit_date <= timezone.localdate()
    assert entries.filter(state=BlacklistState.LISTED).exclude(exit_comment="").exists()  # rejected once
    for entry in entries.select_related("case"):
        assert entry.case.state in (CaseState.DECIDED, CaseState.EXECUTED, CaseState.CLOSED)
        assert entry.entry_date >= entry.case.decided_on
    public = api(None).get("/api/v1/blacklist", {"page_size": 100}).json()
    active = entries.filter(state__in=[BlacklistState.LISTED, BlacklistState.EXIT_APPLIED])
    assert public["count"] == active.count() > 0
    assert {i["uscc"] for i in public["items"]} == set(active.values_list("enterprise__uscc", flat=True))


def _count(client, path, **params) -> int:
    response = client.get(path, {"region": "510000", **params})
    assert response.status_code == 200, response.content
    return response.json()["count"]


def test_province_stats_equal_the_lists(demo, api):
    office = api(User.objects.get(username="sc-office"))
    years = sorted({d.year for d in EnforcementCase.objects.values_list("opened_on", flat=True)})
    assert len(years) >= 2  # the old blacklist stories are from earlier years
    for year in [*years, None]:
        params = {"year": year} if year else {}
        stats = office.get("/api/v1/cases/stats", {"region": "510000", **params}).json()
        fines, page, items = Decimal(0), 1, None
        while items != []:
            query = {"region": "510000", "page": page, "page_size": 100, **params}
            items = office.get("/api/v1/cases", query).json()["items"]
            fines += sum((Decimal(str(i["fines_total"])) for i in items), start=Decimal(0))
            page += 1
        assert stats["cases"] == _count(office, "/api/v1/cases", **params)
        assert stats["dual_penalty"] == _count(office, "/api/v1/cases", dual_penalty="true", **params)
        assert stats["suspensions"] == _count(office, "/api/v1/suspensions", **params)
        assert stats["referrals"] == _count(office, "/api/v1/referrals", **params)
        assert stats["blacklisted"] == _count(office, "/api/v1/blacklist/entries", **params)
        assert Decimal(str(stats["fines_total_cny"])) == fines
    everything = office.get("/api/v1/cases/stats", {"region": "510000"}).json()
    assert everything["cases"] == EnforcementCase.objects.count()
    assert everything["dual_penalty"] > 0 and everything["suspensions"] > 0 and everything["referrals"] > 0


def test_the_demo_logins_have_cases_of_every_stage(demo):
    for username in ("wuhou-inspector", "jinjiang-inspector", "cd-office", "sc-office", "ent-wuhou"):
        user = User.objects.get(username=username)
        assert set(queries.cases(user).values_list("state", flat=True)) == STATES, username
    inspector = User.objects.get(username="wuhou-inspector")
    assert queries.suspensions(inspector, state=SuspensionState.IN_FORCE).exists()  # to lift after a check
    assert queries.referrals(inspector, state=ReferralState.APPROVED).exists()  # to hand to the police
    cd_office = User.objects.get(username="cd-office")
    assert queries.referrals(cd_office, state=ReferralState.REPORTED).exists()  # to approve
    assert queries.blacklist_entries(cd_office).filter(state=BlacklistState.EXIT_APPLIED).exists()


def test_the_audit_chain_holds_and_records_every_case(demo):
    assert audit.verify().ok
    assert "OK" in run("audit", "verify")
    n = EnforcementCase.objects.count()
    assert AuditEntry.objects.filter(action="enforcement.enforcementcase.opened").count() == n
    assert AuditEntry.objects.filter(action="demo.user.created").count() == len(generator.DEMO_ACCOUNTS)
    actors = User.objects.count() - len(generator.DEMO_ACCOUNTS)
    assert AuditEntry.objects.filter(action="demo.actor.created").count() == actors
    extra = User.objects.exclude(username__in=[a.username for a in generator.DEMO_ACCOUNTS])
    assert not any(u.has_usable_password() for u in extra)


def test_cases_can_be_turned_off(regions):
    out = run("demo", enterprises=30, hazards=0, cases=0, accidents=0)
    assert not EnforcementCase.objects.exists()
    assert "演示执法案件" not in out


def test_cases_by_default_even_without_hazards(regions):
    out = run("demo", enterprises=80, hazards=0)
    assert EnforcementCase.objects.count() == 10  # one per eight enterprises
    assert "演示执法案件：10 件" in out


def test_cases_without_hazards(regions):
    out = run("demo", enterprises=60, hazards=0, cases=12)
    assert EnforcementCase.objects.count() == 12
    assert not EnforcementCase.objects.filter(origin=Origin.HAZARDS).exists()
    assert "演示执法案件：12 件" in out


def test_a_negative_count_is_refused(regions):
    with pytest.raises(CommandError, match="--cases"):
        run("demo", enterprises=30, cases=-1)
