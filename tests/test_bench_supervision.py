"""The supervision part of the bench at a tiny size: the rows it bulk-inserts are rows the services
could have written (each case's fields match its state and its dates are in order, penalties add up,
grades follow Decree 493, numbers have the services' formats, the constraints hold), and the
dashboard and the circular read them."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from benan.accidents.models import Accident, AccidentReport, ReportKind, StepState
from benan.core import clock
from benan.core.models import User
from benan.enforcement import rules
from benan.enforcement.models import (
    MONEY_KINDS,
    BlacklistEntry,
    BlacklistState,
    CaseState,
    CriminalReferral,
    EnforcementCase,
    Origin,
    Party,
    PenaltyKind,
    SuspensionOrder,
    SuspensionState,
)
from benan.enterprises.models import Status, StatusPeriod
from benan.power.models import AlertState, PowerAlert
from benan.standards import accident_grades
from benan.standards.loader import load_standards
from bench import hazards as bench_hazards
from bench import supervision

pytestmark = pytest.mark.django_db

CASES, ACCIDENTS, ALERTS = 600, 150, 100
# The fields a case has once it has passed a step, by the first state that passes it.
STEP_FIELDS = (
    (CaseState.NOTIFIED, ("notified_on", "statement_due")),
    (CaseState.DECIDED, ("decided_on", "decided_by_id")),
    (CaseState.EXECUTED, ("executed_on",)),
    (CaseState.CLOSED, ("closed_on",)),
)
ORDER = (CaseState.OPENED, CaseState.INVESTIGATING, CaseState.NOTIFIED, CaseState.DECIDED,
         CaseState.EXECUTED, CaseState.CLOSED)


@pytest.fixture
def loaded(regions, monkeypatch):
    # Small batches and chunks, so that what crosses a batch or a chunk is exercised too.
    monkeypatch.setattr(supervision, "BATCH", 250)
    monkeypatch.setattr(supervision, "CHUNK", 20)
    load_standards()
    call_command("demo", enterprises=300, hazards=0, cases=0, accidents=0, power=0, emergency=0, seed=3,
                 stdout=StringIO())
    bench_hazards.load(n=3000, seed=3, progress=lambda line: None)
    return supervision.load(n_cases=CASES, n_accidents=ACCIDENTS, n_alerts=ALERTS, seed=3,
                            progress=lambda line: None)


def test_it_loads_the_volumes_asked_for_in_a_realistic_mix(loaded):
    assert (loaded["cases"], loaded["accidents"]) == (CASES, ACCIDENTS)
    assert PowerAlert.objects.count() == ALERTS
    states = Counter(EnforcementCase.objects.values_list("state", flat=True))
    assert states[CaseState.CLOSED] > CASES * 0.6
    assert {CaseState.CLOSED, CaseState.EXECUTED, CaseState.WITHDRAWN, CaseState.INVESTIGATING} <= set(states)
    decided = EnforcementCase.objects.filter(decided_on__isnull=False)
    assert 0.2 < decided.filter(dual_penalty=True).count() / decided.count() < 0.7
    assert SuspensionOrder.objects.filter(state=SuspensionState.LIFTED).exists()
    assert CriminalReferral.objects.exists() and BlacklistEntry.objects.exists()
    assert set(Counter(Accident.objects.values_list("grade", flat=True))) >= {"general", "relatively_major"}
    assert EnforcementCase.objects.filter(origin=Origin.HAZARDS, hazards__isnull=False).exists()


def test_every_case_carries_the_fields_and_dates_of_its_state(loaded):
    today = clock.today()
    cases = EnforcementCase.objects.prefetch_related("penalties", "hazards")
    for case in cases:
        reach = ORDER.index(case.state) if case.state in ORDER else None
        for state, fields in STEP_FIELDS:
            passed = reach is not None and reach >= ORDER.index(state)
            if case.state == CaseState.WITHDRAWN and state == CaseState.NOTIFIED:
                continue  # a case may be withdrawn before or after the notice
            for name in fields:
                assert (getattr(case, name) is not None) == passed, (case.number, case.state, name)
        assert (case.state == CaseState.WITHDRAWN) == bool(case.withdrawn_reason), case.number
        days = [d for d in (case.opened_on, case.notified_on, case.decided_on, case.executed_on,
                            case.closed_on) if d is not None]
        assert days == sorted(days) and days[-1] <= today, (case.number, days)
        assert case.decision_due == case.opened_on + timedelta(days=rules.current().decision_days)
        penalties = list(case.penalties.all())
        assert bool(penalties) == (case.decided_on is not None), case.number
        fined = {p.party for p in penalties if p.kind == PenaltyKind.FINE}
        assert case.dual_penalty == ({Party.UNIT, Party.PERSON} <= fined), case.number
        money = sum((p.amount for p in penalties if p.kind in MONEY_KINDS), start=Decimal(0))
        assert case.fines_total == money, case.number
        if case.paid_cny is not None:
            assert 0 <= case.paid_cny <= case.fines_total
        if case.origin == Origin.INSPECTION:
            assert case.inspection is not None and case.inspection.enterprise_id == case.enterprise_id
        if case.origin == Origin.HAZARDS:
            hazards = list(case.hazards.all())
            assert hazards and all(h.enterprise_id == case.enterprise_id for h in hazards)
            assert all(timezone.localdate(h.created_at) < case.opened_on for h in hazards)
        if case.origin == Origin.POWER_ALERT:
            assert case.origin_ref and case.origin_ref in case.facts


def test_numbers_are_unique_and_in_the_services_formats(loaded):
    for number, region, opened, pk, decision in EnforcementCase.objects.values_list(
            "number", "region_id", "opened_on", "pk", "decision_number"):
        assert number == f"{region}-{opened.year}-{pk:06d}"
        assert decision == "" or re.fullmatch(rf".+应急罚〔\d{{4}}〕{pk}号", decision)
    for accident in Accident.objects.all():
        day = timezone.localtime(accident.occurred_at)
        assert accident.number == f"{accident.region_id}-{day:%Y%m%d}-{accident.pk:05d}"
    for order in SuspensionOrder.objects.all():
        assert re.fullmatch(rf".+应急责停〔{order.start_date.year}〕{order.pk}号", order.number)
    for model in (EnforcementCase, Accident, SuspensionOrder):
        assert not model.objects.filter(number__startswith="tmp-").exists()


def test_accidents_are_graded_by_decree_493_with_their_reporting_chain(loaded):
    now = timezone.now()
    for accident in Accident.objects.prefetch_related("steps", "reports").select_related("enterprise"):
        grading = accident_grades.grade(accident.deaths, accident.serious_injuries, accident.direct_loss_cny)
        assert accident.grade == grading.grade, accident.number
        assert accident.decided_by == list(grading.decided_by)
        assert sorted(s.level for s in accident.steps.all()) == sorted(grading.report_levels)
        assert all(s.state == StepState.ACKNOWLEDGED and s.added_for == accident.grade
                   for s in accident.steps.all())
        (report,) = accident.reports.all()
        assert report.kind == ReportKind.INITIAL and report.grade == accident.grade
        assert (report.deaths, report.direct_loss_cny) == (accident.deaths, accident.direct_loss_cny)
        assert accident.occurred_at <= accident.known_at <= accident.reported_at < now
        if accident.enterprise is not None:
            assert accident.region_id == accident.enterprise.region_id
    assert AccidentReport.objects.count() == ACCIDENTS


def test_orders_entries_and_alerts_keep_the_rules_of_their_models(loaded):
    today = clock.today()
    current = {e: (status, pk) for e, status, pk in StatusPeriod.objects.filter(end_date__isnull=True)
               .values_list("enterprise_id", "status", "pk")}
    for order in SuspensionOrder.objects.select_related("case"):
        assert order.case.enterprise_id == order.enterprise_id and order.start_date >= order.case.opened_on
        if order.state == SuspensionState.IN_FORCE:
            # Adopted: the registry's suspension of this enterprise, as the service does.
            assert current[order.enterprise_id] == (Status.SUSPENDED, order.period_id)
            assert order.lifted_on is None
        else:
            assert order.start_date < order.lifted_on <= today
    in_force = Counter(SuspensionOrder.objects.filter(state=SuspensionState.IN_FORCE)
                       .values_list("enterprise_id", flat=True))
    assert all(n == 1 for n in in_force.values())
    for entry in BlacklistEntry.objects.select_related("case"):
        assert entry.case.decided_on is not None and entry.entry_date >= entry.case.decided_on
        assert entry.planned_exit_date > entry.entry_date and entry.entry_date <= today
    listed = (BlacklistState.LISTED, BlacklistState.EXIT_APPLIED)
    active = Counter(BlacklistEntry.objects.filter(state__in=listed).values_list("enterprise_id", flat=True))
    assert all(n == 1 for n in active.values())
    open_alerts = Counter(PowerAlert.objects.filter(state__in=(AlertState.OPEN, AlertState.ASSIGNED))
                          .values_list("enterprise_id", "kind"))
    assert all(n == 1 for n in open_alerts.values())
    for alert in PowerAlert.objects.select_related("case"):
        assert alert.days == (alert.end_date - alert.start_date).days + 1 > 0
        assert (alert.inspector_id is None) == (alert.state == AlertState.OPEN)
        if alert.case is not None:
            assert alert.state == AlertState.CONFIRMED and alert.case.enterprise_id == alert.enterprise_id
            assert alert.case.origin_ref == alert.number


def test_every_row_passes_model_validation(loaded):
    for model in (EnforcementCase, SuspensionOrder, CriminalReferral, BlacklistEntry, Accident, PowerAlert):
        for row in model.objects.all():
            row.full_clean()


def test_the_dashboard_reads_the_bench_rows(loaded):
    from benan.supervision import figures

    today = clock.today()
    user = User.objects.select_related("region").get(username="sc-office")
    # The bench's year ends today; in January this year may hold nothing yet: read last year's.
    year = today.year if today.month > 1 else today.year - 1
    data = figures.dashboard(user, "510000", year=year)
    opened = EnforcementCase.objects.filter(opened_on__year=year, opened_on__lte=today)
    assert data["enforcement"]["cases"] == opened.count() > 0
    period = data["period"]
    happened = Accident.objects.filter(occurred_at__gte=period.since, occurred_at__lt=period.until)
    assert data["accidents"]["accidents"] == happened.count()


def test_the_timings_run_or_say_what_is_not_routed_yet(loaded):
    result = supervision.measure(Client(), requests=2, circular_runs=1)
    by_label = {q["query"]: q for q in result["queries"]}
    dashboard = by_label["dashboard"]
    assert dashboard["orm"]["n"] == dashboard["raw_sql"]["n"] == 2 and dashboard["statements"] > 5
    assert dashboard["plans"] and all(p["plan"] for p in dashboard["plans"])
    for q in result["queries"]:  # timed through HTTP, or said why not
        assert q["http"] is not None or q["note"] in ("page not built", "endpoint not routed")
    assert [c["region"] for c in result["circulars"]] == ["510000", "510100"]
    assert all(c["bytes"] > 10_000 and c["build"]["n"] == 1 for c in result["circulars"])
