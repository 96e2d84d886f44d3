"""Demo supervised assignments: the pure plan (deterministic, every target state, 武侯区 overdue and due
this week, every step between the issue and today), and `benan demo` replaying it through the services
as the demo's offices and the receiving regions' users: the states as planned, the reports and their
files, who sees what, the sweep and the audit chain.

The demo here has few enterprises and no hazards (assignments need neither), so it takes a second or two."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from benan.core import audit, clock
from benan.core.models import AuditEntry, RegionLevel, Role, User
from benan.demo import generator
from benan.demo import supervision as demo_supervision
from benan.supervision import assignment_queries as queries
from benan.supervision.models import (
    TARGET_OPEN,
    Assignment,
    AssignmentState,
    AssignmentTarget,
    ProgressReport,
    ReportKind,
    TargetState,
)

N, SEED, ASSIGNMENTS = 60, 11, 10
TODAY = date(2026, 11, 29)  # a Sunday
WUHOU, JINJIANG, CHENGDU = "510107", "510104", "510100"
OFFICES = ("sc-office", "cd-office")


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def regions_file():
    return generator.regions_from_file()


@pytest.fixture(scope="module")
def layout(regions_file):
    return demo_supervision.plan(regions_file, ASSIGNMENTS, SEED, today=TODAY)


def week(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def targets_of(layout, region: str):
    return [(a, t) for a in layout for t in a.targets if t.region == region]


# -- the plan, without a database ------------------------------------------------------------------


def test_the_default_count():
    assert demo_supervision.default_count(2000, 1000) == 10  # make run
    assert demo_supervision.default_count(400, 200) == demo_supervision.MIN_DEFAULT == 8
    assert demo_supervision.default_count(100_000, 5000) == demo_supervision.MAX_DEFAULT == 20
    assert demo_supervision.default_count(2000, 0) == 0  # no hazards, no assignments
    assert demo_supervision.default_count(300, 30) == 0  # the other demo modules' small tests
    with pytest.raises(ValueError, match="negative"):
        demo_supervision.check_count(-1)


def test_the_same_seed_gives_the_same_plan_and_another_seed_another(layout, regions_file):
    assert demo_supervision.plan(regions_file, ASSIGNMENTS, SEED, today=TODAY) == layout
    other = demo_supervision.plan(regions_file, ASSIGNMENTS, SEED + 1, today=TODAY)
    assert [a.steps for a in other] != [a.steps for a in layout]  # other days, hours and figures
    # The same showcase: titles, deadlines and where each target ends up.
    assert sorted((a.title, a.due_date, a.targets, a.state) for a in other) == sorted(
        (a.title, a.due_date, a.targets, a.state) for a in layout
    )


def test_the_plan_has_every_state(layout):
    assert len(layout) == ASSIGNMENTS and [a.number for a in layout] == list(range(1, ASSIGNMENTS + 1))
    assert [a.issued_at for a in layout] == sorted(a.issued_at for a in layout)
    assert demo_supervision.planned_states(layout).keys() == set(TargetState.values)
    assert {a.state for a in layout} == set(AssignmentState.values)
    fates = Counter(t.fate for a in layout for t in a.targets)
    assert fates[demo_supervision.RETURNED] >= 1 and fates[demo_supervision.REWORKED] >= 1
    for a in layout:
        for t in a.targets:
            steps = [s.action for s in a.steps if s.region == t.region]
            if t.fate == demo_supervision.IN_PROGRESS and a.state != AssignmentState.CANCELLED:
                assert 1 <= steps.count("report") <= 3 and steps == ["report"] * len(steps)
            if t.fate == demo_supervision.RETURNED:
                assert steps[-2:] == ["return", "report"]


def test_wuhou_has_a_target_overdue_and_one_due_this_week(layout):
    open_ = {s.value for s in TARGET_OPEN}
    wuhou = [(a, t) for a, t in targets_of(layout, WUHOU) if t.state in open_]
    assert any(a.due_date < TODAY for a, _ in wuhou)
    monday, sunday = week(TODAY)
    assert any(TODAY <= a.due_date <= sunday for a, _ in wuhou)
    # Deadlines from the last two months to the coming month.
    dues = [a.due_date for a in layout]
    assert min(dues) <= TODAY - timedelta(days=45) and max(dues) >= TODAY + timedelta(days=14)


def test_the_offices_assign_to_the_regions_below_them(layout, regions_file):
    province = {t.region for a in layout if a.by == "sc-office" for t in a.targets}
    city = {t.region for a in layout if a.by == "cd-office" for t in a.targets}
    assert CHENGDU in province and len(province) >= 5
    assert all(regions_file[code].level == RegionLevel.CITY for code in province)
    assert {WUHOU, JINJIANG} <= city
    assert all(regions_file[code].parent_id == CHENGDU for code in city)


@pytest.mark.parametrize("n", [0, 1, 5, 12, 30])
@pytest.mark.parametrize("offset", range(7))  # every day of the week
def test_every_step_falls_between_the_issue_and_today(regions_file, n, offset):
    today = TODAY + timedelta(days=offset)
    layout = demo_supervision.plan(regions_file, n, SEED, today=today)
    assert len(layout) == n
    midnight = datetime.combine(today, time())
    for a in layout:
        assert a.issued_at.date() < today and a.due_date > a.issued_at.date()
        moments = [s.at for s in a.steps]
        assert moments == sorted(moments) and all(a.issued_at < m < midnight for m in moments)
        for code in {t.region for t in a.targets}:  # each target's own story strictly in order
            own = [s.at for s in a.steps if s.region == code]
            assert len(own) == len(set(own))
    assert len({a.title for a in layout}) == n


# -- benan demo --------------------------------------------------------------------------------------


@pytest.fixture
def demo(regions):
    return run("demo", enterprises=N, hazards=0, cases=0, accidents=0, power=0, emergency=0,
               assignments=ASSIGNMENTS, seed=SEED)


@pytest.fixture
def planned(demo, regions_file):
    return demo_supervision.plan(regions_file, ASSIGNMENTS, SEED, today=clock.today())


def test_the_replay_leaves_every_assignment_and_target_as_planned(demo, planned):
    made = list(Assignment.objects.order_by("pk"))
    assert [(a.title, a.due_date, a.state) for a in made] == [(p.title, p.due_date, p.state) for p in planned]
    for assignment, plan in zip(made, planned, strict=True):
        assert {t.region_id: t.state for t in assignment.targets.all()} == {
            t.region: t.state for t in plan.targets
        }
        assert assignment.issued_by.username == plan.by
        assert assignment.attachments.get().content_type == "application/pdf"  # the issuing notice
    states = Counter(AssignmentTarget.objects.values_list("state", flat=True))
    assert set(states) == set(TargetState.values)
    summary = next(line for line in demo.splitlines() if line.startswith("演示督办交办"))
    assert summary.startswith(f"演示督办交办：{ASSIGNMENTS} 项（督办中 ")
    assert f"已撤销 {states[TargetState.CANCELLED]}" in summary
    # A return leaves the target in progress with the reason, then the region reports again.
    returned = AssignmentTarget.objects.filter(state=TargetState.IN_PROGRESS, returned_count__gt=0)
    assert returned.exists()
    for target in returned:
        assert target.comment and target.reports.order_by("-reported_at").first().kind == ReportKind.PROGRESS
    completed = Assignment.objects.filter(state=AssignmentState.COMPLETED)
    assert completed.exists() and all(a.completed_at for a in completed)


def test_reports_come_from_the_receiving_regions_users(demo):
    for target in AssignmentTarget.objects.filter(state=TargetState.IN_PROGRESS):
        assert 1 <= target.reports.filter(kind=ReportKind.PROGRESS).count() <= 3
    logins = {WUHOU: "wuhou-inspector", JINJIANG: "jinjiang-inspector", CHENGDU: "cd-office"}
    for report in ProgressReport.objects.select_related("target", "reported_by"):
        user, region = report.reported_by, report.target.region_id
        assert user.region_id == region
        if region in logins:
            assert user.username == logins[region] and user.check_password(generator.DEMO_PASSWORD)
        else:  # a helper account: the region's safety office, nobody logs in as it
            assert (user.username, user.role) == (f"office-{region}", Role.SAFETY_OFFICE)
            assert not user.has_usable_password()
        assert report.reported_at > report.target.assignment.issued_at
        if report.kind == ReportKind.COMPLETION:
            photo = report.attachments.get()
            assert photo.uploaded_by == user
            with photo.file.open("rb") as fh:
                assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    accepted = AssignmentTarget.objects.filter(state=TargetState.ACCEPTED).select_related("accepted_by")
    assert {t.accepted_by.username for t in accepted} <= set(OFFICES)
    assert all(t.accepted_by_id != t.submitted_by_id for t in accepted)


def test_wuhou_inspector_sees_only_its_targets_one_overdue_one_due_this_week(demo, planned):
    wuhou = User.objects.get(username="wuhou-inspector")
    seen = queries.targets(wuhou)
    assert set(seen.values_list("region_id", flat=True)) == {WUHOU}
    assert seen.count() == len(targets_of(planned, WUHOU)) >= 4
    assert queries.assignments(wuhou).count() == seen.count()
    assert queries.overdue(wuhou).exists()
    monday, sunday = week(clock.today())
    assert queries.due_between(wuhou, clock.today(), sunday).exists()
    board = queries.board(wuhou)
    assert board["overdue"] >= 1 and board["total"] == seen.count()
    jinjiang = User.objects.get(username="jinjiang-inspector")
    assert set(queries.targets(jinjiang).values_list("region_id", flat=True)) == {JINJIANG}
    # 成都市's office sees its counties and its own part of the province's tasks; the province all.
    city = User.objects.get(username="cd-office")
    regions = {t.region_id: t.region.parent_id for t in queries.targets(city)}
    assert CHENGDU in regions and {WUHOU, JINJIANG} <= regions.keys()
    assert all(code == CHENGDU or parent == CHENGDU for code, parent in regions.items())
    assert queries.targets(User.objects.get(username="sc-office")).count() == AssignmentTarget.objects.count()


def test_the_sweep_escalated_the_overdue_and_the_chain_holds(demo):
    assert audit.verify().ok
    assert "OK" in run("audit", "verify")
    overdue = AssignmentTarget.objects.filter(queries.overdue_q(clock.today()))
    assert overdue.count() >= 2
    escalated = AuditEntry.objects.filter(action="supervision.assignmenttarget.escalated")
    assert sorted(int(e.object_id) for e in escalated) == sorted(overdue.values_list("pk", flat=True))
    assert all(t.escalated_due_date == t.assignment.due_date for t in overdue)
    assert AuditEntry.objects.filter(action="supervision.assignment.create").count() == ASSIGNMENTS
    assert AuditEntry.objects.filter(action="supervision.assignment.cancel").count() == 1
    actors = User.objects.count() - len(generator.DEMO_ACCOUNTS)
    assert AuditEntry.objects.filter(action="demo.actor.created").count() == actors > 0


def test_it_can_be_turned_off_and_refuses_a_negative_count(regions):
    out = run("demo", enterprises=30, hazards=0, cases=0, accidents=0, assignments=0)
    assert "演示督办交办" not in out and not Assignment.objects.exists()
    with pytest.raises(CommandError, match="--assignments"):
        run("demo", enterprises=30, assignments=-1)
