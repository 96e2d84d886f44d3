"""Demo accidents: the pure plan (deterministic, every grade and story, in order before now), and
`benan demo` replaying it through the services (grades from the figures, follow-ups and a late one,
the live board, investigations in every state, the four-nos rule, measures, accountability, the
province statistics equal to the lists, the demo logins, the audit chain)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from benan.accidents import queries
from benan.accidents.models import (
    Accident,
    AccidentReport,
    Accountability,
    AccountabilityKind,
    FourNos,
    Grade,
    Investigation,
    InvestigationState,
    Kind,
    Level,
    Measure,
    MeasureState,
    ReportingStep,
    ReportKind,
    StepState,
)
from benan.core import audit
from benan.core.models import AuditEntry, User
from benan.demo import accidents as demo_accidents
from benan.demo import generator
from benan.standards import accident_grades

N = 300  # enterprises: default_count gives 12 accidents, the whole first part of the showcase
SEED = 11
NOW = datetime(2026, 11, 29, 14, 0)
KINDS = {Kind.INDUSTRIAL, Kind.MINING, Kind.HAZARDOUS_CHEMICALS, Kind.CONSTRUCTION, Kind.ROAD_TRAFFIC,
         Kind.FIRE}
STATES = {"", *InvestigationState.values}


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
    return demo_accidents.generate(rows, demo_accidents.default_count(N), SEED, now=NOW, regions=regions_file)


# -- the plan, without a database ----------------------------------------------------------------


def test_the_default_count():
    assert demo_accidents.default_count(N) == 12
    assert demo_accidents.default_count(2000) == 50
    assert demo_accidents.default_count(199) == 4
    assert demo_accidents.default_count(30) == 0
    assert demo_accidents.default_count(100_000) == demo_accidents.MAX_DEFAULT == 300


def test_same_seed_gives_the_same_accidents(plan, rows, regions_file):
    again = demo_accidents.generate(rows, len(plan), SEED, now=NOW, regions=regions_file)
    assert again == plan  # units, figures, dates, actors, texts: everything
    other = demo_accidents.generate(rows, len(plan), SEED + 1, now=NOW, regions=regions_file)
    assert [(a.unit_name, a.steps) for a in other] != [(a.unit_name, a.steps) for a in plan]
    assert demo_accidents.generate(rows, 0, SEED, now=NOW, regions=regions_file) == []
    assert len(demo_accidents.generate(rows, 40, SEED, now=NOW, regions=regions_file)) == 40


def test_the_first_twelve_hold_every_grade_kind_and_state(plan):
    assert len(plan) == 12
    assert {a.grade for a in plan} == set(Grade.values)
    assert Counter(a.grade for a in plan)[Grade.ESPECIALLY_MAJOR] == 1
    assert {a.kind for a in plan} == KINDS
    assert {a.state for a in plan} == STATES
    assert any(a.overdue for a in plan) and any(a.extended for a in plan)
    assert any(a.initial_grade != a.grade for a in plan)  # a follow-up raised the grade
    assert any(a.late_reports for a in plan)
    assert any(a.overdue_steps for a in plan)
    assert {m for a in plan for m in a.measures} == {
        (assignee, state) for assignee in (demo_accidents.ENTERPRISE, demo_accidents.DEPARTMENT)
        for state in MeasureState.values
    }
    assert {k for a in plan for k in a.accountability} == set(AccountabilityKind.values)
    counties = Counter(a.region for a in plan)
    assert counties[generator.WUHOU] >= 3 and counties["510104"] >= 3


def test_a_larger_demo_is_mostly_general_and_mostly_in_chengdu(rows, regions_file):
    plan = demo_accidents.generate(rows, 120, SEED, now=NOW, regions=regions_file)
    grades = Counter(a.grade for a in plan)
    assert grades[Grade.ESPECIALLY_MAJOR] == 1 and grades[Grade.MAJOR] == 2
    assert grades[Grade.GENERAL] > 0.8 * len(plan)
    cities = Counter(regions_file[a.region].parent_id for a in plan)
    assert cities.most_common(1)[0][0] == "510100"
    assert len(cities) > 10


def test_stories_are_in_order_before_now_and_within_the_year(plan, rows, regions_file):
    for accident in [*plan, *demo_accidents.generate(rows, 80, SEED, now=NOW, regions=regions_file)]:
        moments = [s.at for s in accident.steps]
        assert moments == sorted(moments) and moments[-1] < NOW
        assert accident.steps[0].action == "report"
        assert accident.steps[0].data["occurred_at"] == accident.occurred_at
        assert NOW - timedelta(days=demo_accidents.HISTORY_DAYS + 2) < accident.occurred_at < NOW
        assert accident_grades.grade(accident.deaths, accident.serious_injuries,
                                     accident.direct_loss_cny).grade == accident.grade
    recent = [a for a in plan if a.pending_steps]
    assert recent and all(NOW - a.occurred_at < timedelta(hours=4) for a in recent)


# -- benan demo --------------------------------------------------------------------------------


@pytest.fixture
def demo(regions):
    return run("demo", enterprises=N, hazards=0, cases=0, seed=SEED)


def office(api, username: str):
    return api(User.objects.get(username=username))


def test_it_writes_the_planned_accidents_through_the_services(demo, regions_file):
    demo_user = User.objects.select_related("enterprise").get(username="ent-wuhou")
    now = timezone.localtime().replace(tzinfo=None, second=0, microsecond=0)
    expected = demo_accidents.generate(
        generator.generate(N, SEED, regions=regions_file), demo_accidents.default_count(N), SEED, now=now,
        regions=regions_file, demo_uscc=demo_user.enterprise.uscc,
    )
    written = list(Accident.objects.select_related("enterprise").order_by("id"))
    assert len(written) == len(expected) == 12
    for accident, planned in zip(written, expected, strict=True):
        assert (accident.unit_name, accident.region_id, accident.kind, accident.grade) == (
            planned.unit_name, planned.region, planned.kind, planned.grade)
        assert (accident.enterprise.uscc if accident.enterprise else None) == planned.uscc
        investigation = Investigation.objects.filter(accident=accident).first()
        assert (investigation.state if investigation else "") == planned.state
    assert "演示生产安全事故：12 起" in demo
    for label in ("特别重大 1", "重大 1", "较大 3", "一般 7", "逾期补报 1 次", "调查中", "已结案"):
        assert label in demo


def test_every_grade_and_kind_and_the_grade_follows_the_figures(demo):
    accidents = list(Accident.objects.all())
    assert {a.grade for a in accidents} == set(Grade.values)
    assert {a.kind for a in accidents} == KINDS
    for a in accidents:
        assert a.grade == accident_grades.grade(a.deaths, a.serious_injuries, a.direct_loss_cny).grade
        last = a.reports.order_by("-reported_at", "-id").first()
        assert (last.deaths, last.serious_injuries, last.direct_loss_cny) == (
            a.deaths, a.serious_injuries, a.direct_loss_cny)
    for report in AccidentReport.objects.all():
        assert report.grade == accident_grades.grade(report.deaths, report.serious_injuries,
                                                     report.direct_loss_cny).grade


def test_follow_ups_raise_the_grade_and_extend_the_chain_and_one_is_late(demo):
    reports = AccidentReport.objects.all()
    assert reports.filter(kind=ReportKind.FOLLOW_UP).exists()
    assert reports.filter(kind=ReportKind.SUPPLEMENTARY).exists()
    late = reports.get(late=True)
    window = accident_grades.supplementary_days(late.accident.kind)
    days = timezone.localdate(late.reported_at) - timezone.localdate(late.accident.occurred_at)
    assert days.days > window
    raised = reports.exclude(grade_before="")
    assert raised.count() >= 3
    for report in raised:
        assert accident_grades.severity(report.grade) < accident_grades.severity(report.grade_before)
        steps = ReportingStep.objects.filter(accident=report.accident)
        levels = set(steps.values_list("level", flat=True))
        assert levels == set(accident_grades.rules().rule(report.accident.grade).report_levels)
        added = steps.filter(added_for=report.grade)
        if report.grade != Grade.ESPECIALLY_MAJOR:  # 重大 already tells the State Council
            assert added.exists()
            assert all(s.due_at > report.reported_at for s in added)
    national = ReportingStep.objects.filter(level=Level.NATIONAL, state=StepState.ACKNOWLEDGED)
    assert national.exists()
    assert all(s.acknowledged_by.username == "sc-office" for s in national.select_related("acknowledged_by"))


def test_the_live_board_has_pending_and_overdue_steps(demo, api):
    province = office(api, "sc-office")
    board = province.get("/api/v1/accidents/board").json()
    assert board["count"] >= 3
    assert any(s["overdue"] for s in board["items"])
    assert any(not s["overdue"] for s in board["items"])
    overdue = province.get("/api/v1/accidents/board", {"overdue": "true"}).json()
    assert overdue["count"] >= 1
    for username in ("wuhou-inspector", "jinjiang-inspector", "cd-office"):
        assert office(api, username).get("/api/v1/accidents/board").json()["count"] >= 1, username
    # Old accidents are fully acknowledged, mostly in time.
    old = ReportingStep.objects.filter(accident__occurred_at__lt=timezone.now() - timedelta(days=1))
    assert not old.filter(state=StepState.PENDING).exists()
    late = [s for s in old if s.acknowledged_at > s.due_at]
    assert 0 < len(late) < old.count() / 2


def test_the_sweep_ran_where_the_ten_minute_job_would_have(demo):
    now = timezone.now()
    for step in ReportingStep.objects.all():
        assert step.escalated == ((step.acknowledged_at or now) > step.due_at), step
    late = Measure.objects.filter(state=MeasureState.OPEN, due_date__lt=timezone.localdate())
    assert all(m.escalated_due == m.due_date for m in late)
    assert AuditEntry.objects.filter(action="accidents.reportingstep.escalated").count() == (
        ReportingStep.objects.filter(escalated=True).count())


def test_investigations_in_every_state_led_by_the_grade(demo, api):
    states = Counter(Investigation.objects.values_list("state", flat=True))
    assert set(states) == set(InvestigationState.values)
    assert Accident.objects.filter(investigation__isnull=True).exists()  # the recent ones
    today = timezone.localdate()
    investigating = Investigation.objects.filter(state=InvestigationState.INVESTIGATING)
    assert any(today > i.deadline for i in investigating)
    assert investigating.filter(extended_days__gt=0).exists()
    for inv in Investigation.objects.select_related("accident", "opened_by"):
        # Opened by the safety office at the level the grade names; 特别重大: registered by the province.
        level = accident_grades.rules().rule(inv.accident.grade).investigation_level
        assert inv.opened_by.role == "safety_office"
        assert inv.opened_by.region_id == (inv.lead_region_id or "510000")
        assert (inv.lead_region_id is None) == (level == Level.NATIONAL)
        assert inv.lead.endswith("人民政府") or level == Level.NATIONAL, inv.lead
    published = api(None).get("/api/v1/investigation-reports").json()
    assert published["count"] == Investigation.objects.filter(published_on__isnull=False).count() > 0


def test_closed_investigations_satisfy_the_four_nos_rule(demo):
    closed = Investigation.objects.filter(state=InvestigationState.CLOSED).prefetch_related("four_nos")
    assert closed.count() >= 2
    for inv in closed:
        items = {i.item: i for i in inv.four_nos.all()}
        assert set(items) == set(FourNos.values)
        assert all(i.done and i.evidence.exists() for i in items.values())
        assert inv.measures.exists()
        assert not inv.measures.exclude(state=MeasureState.CLOSED).exists()
        assert inv.closed_on >= inv.replied_on
    report = closed.first().report
    with report.file.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"


def test_measures_of_both_assignees_in_every_state(demo):
    for state in MeasureState.values:
        measures = Measure.objects.filter(state=state)
        assert measures.filter(assignee_enterprise__isnull=False).exists(), state
        assert measures.filter(assignee_region__isnull=False).exclude(assignee_department="").exists(), state
    assert Measure.objects.filter(state=MeasureState.OPEN).exclude(comment="").exists()  # returned once
    for m in Measure.objects.filter(state=MeasureState.CLOSED).select_related("submitted_by", "verified_by"):
        assert m.verified_by != m.submitted_by
        assert m.evidence.exists()


def test_accountability_of_every_kind(demo, api):
    kinds = Counter(Accountability.objects.values_list("kind", flat=True))
    assert set(kinds) == set(AccountabilityKind.values)
    by_grade = Counter(Accountability.objects.values_list("accident__grade", flat=True))
    assert by_grade[Grade.MAJOR] > by_grade[Grade.GENERAL] / max(
        Accident.objects.filter(grade=Grade.GENERAL).count(), 1)
    for row in Accountability.objects.select_related("accident"):
        assert timezone.localdate(row.accident.occurred_at) <= row.decided_on <= timezone.localdate()


def test_province_stats_equal_the_lists(demo, api):
    province = office(api, "sc-office")
    years = sorted({d.year for d in Accident.objects.values_list("occurred_at", flat=True)})
    for year in [*years, None]:
        params = {"region": "510000", **({"year": year} if year else {})}
        stats = province.get("/api/v1/accidents/stats", params).json()
        assert stats["accidents"] == province.get("/api/v1/accidents", params).json()["count"]
        for grade in Grade.values:
            count = province.get("/api/v1/accidents", {**params, "grade": grade}).json()["count"]
            assert stats["by_grade"][grade] == count
        assert stats["accountability"] == province.get("/api/v1/accountability", params).json()["count"]
        for kind in AccountabilityKind.values:
            count = province.get("/api/v1/accountability", {**params, "kind": kind}).json()["count"]
            assert stats["accountability_by_kind"][kind] == count
    everything = province.get("/api/v1/accidents/stats", {"region": "510000"}).json()
    assert everything["accidents"] == Accident.objects.count() == 12
    assert everything["deaths"] == sum(Accident.objects.values_list("deaths", flat=True))


def test_the_demo_logins_see_accidents_and_have_work(demo, api):
    for username in ("wuhou-inspector", "jinjiang-inspector", "cd-office", "sc-office", "ent-wuhou"):
        user = User.objects.get(username=username)
        assert queries.accidents(user).count() >= 2, username
        assert office(api, username).get("/api/v1/accidents").json()["count"] >= 2, username
    ent = User.objects.get(username="ent-wuhou")
    mine = queries.measures(ent)
    assert mine.filter(state=MeasureState.OPEN).exists()  # to submit
    inspector = User.objects.get(username="wuhou-inspector")
    assert queries.measures(inspector).filter(state=MeasureState.SUBMITTED).exists()  # to verify
    pending = ReportingStep.objects.filter(state=StepState.PENDING, office_region_id=generator.WUHOU)
    assert pending.exists()  # to acknowledge
    assert queries.accidents(User.objects.get(username="cd-office")).exclude(
        region_id__in=[generator.WUHOU, "510104"]).exists()


def test_the_audit_chain_holds_and_records_every_accident(demo):
    assert audit.verify().ok
    assert AuditEntry.objects.filter(action="accidents.accident.reported").count() == Accident.objects.count()
    assert AuditEntry.objects.filter(action="demo.user.created").count() == len(generator.DEMO_ACCOUNTS)
    actors = User.objects.count() - len(generator.DEMO_ACCOUNTS)
    assert AuditEntry.objects.filter(action="demo.actor.created").count() == actors
    extra = User.objects.exclude(username__in=[a.username for a in generator.DEMO_ACCOUNTS])
    assert extra.filter(username__startswith="office-5101").exists()  # a county office in Chengdu
    assert not any(u.has_usable_password() for u in extra)


def test_accidents_can_be_turned_off(regions):
    out = run("demo", enterprises=N, hazards=0, cases=0, accidents=0)
    assert not Accident.objects.exists()
    assert "演示生产安全事故" not in out


def test_a_negative_count_is_refused(regions):
    with pytest.raises(CommandError, match="--accidents"):
        run("demo", enterprises=30, accidents=-1)
