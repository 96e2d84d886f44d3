"""Reads of the accident module, always through the data scope: lists and filters, the live
reporting board, statistics (by grade, deaths, accountability by kind), published investigation
reports (public), history, and the attachments a user may read through accidents.

Overdue is derived, never stored: a reporting step still pending after its deadline, an
investigation without its report after its (extended) deadline, a reply not given by its date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from benan.core import audit, clock
from benan.core.errors import choices_hint
from benan.core.period import Period
from benan.core.scope import check_region_year, get_in_scope, in_region, scope

from .models import (
    Accident,
    Accountability,
    AccountabilityKind,
    Grade,
    Investigation,
    InvestigationState,
    Kind,
    Measure,
    ReportingStep,
    StepState,
)


@dataclass(frozen=True)
class AccidentFilter:
    grade: str | None = None
    kind: str | None = None
    region: str | None = None
    year: int | None = None
    period: Period | None = None  # the days the accidents happened on
    enterprise: int | None = None
    q: str | None = None

    def validate(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.grade and self.grade not in Grade.values:
            errors["grade"] = [f"“{self.grade}”不是可选等级，可选：{choices_hint(Grade)}"]
        if self.kind and self.kind not in Kind.values:
            errors["kind"] = [f"“{self.kind}”不是可选类型，可选：{choices_hint(Kind)}"]
        check_region_year(self.region, self.year, errors)
        if errors:
            raise ValidationError(errors)


def accidents(user, filters: AccidentFilter | None = None) -> QuerySet:
    filters = filters or AccidentFilter()
    filters.validate()
    queryset = in_region(scope(Accident.objects.all(), user), filters.region)
    if filters.grade:
        queryset = queryset.filter(grade=filters.grade)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.year:
        queryset = queryset.filter(occurred_at__year=filters.year)
    if filters.period:
        queryset = queryset.filter(**filters.period.moments("occurred_at"))
    if filters.enterprise:
        queryset = queryset.filter(enterprise_id=filters.enterprise)
    if filters.q:
        text = filters.q.strip()
        queryset = queryset.filter(
            Q(number__icontains=text) | Q(unit_name__icontains=text) | Q(place__icontains=text)
        )
    return queryset


def get_accident(user, pk: int) -> Accident:
    return get_in_scope(
        Accident.objects.select_related("region__parent", "enterprise", "reported_by"), user, pk=pk
    )


def step_overdue(step: ReportingStep, now: datetime | None = None) -> bool:
    return step.state == StepState.PENDING and (now or clock.now()) > step.due_at


def board(user, *, region: str | None = None, overdue: bool | None = None, pending: bool = True) -> QuerySet:
    """The live reporting board: steps of the chain in the scope, soonest deadline first."""
    errors: dict[str, list[str]] = {}
    check_region_year(region, None, errors)
    if errors:
        raise ValidationError(errors)
    queryset = in_region(scope(ReportingStep.objects.all(), user), region)
    if pending:
        queryset = queryset.filter(state=StepState.PENDING)
    if overdue is not None:
        late = Q(state=StepState.PENDING, due_at__lt=clock.now())
        queryset = queryset.filter(late if overdue else ~late)
    return queryset.select_related("accident", "office_region").order_by("due_at", "id")


def investigation_overdue(investigation: Investigation, today: date | None = None) -> bool:
    return (
        investigation.state == InvestigationState.INVESTIGATING
        and (today or clock.today()) > investigation.deadline
    )


def reply_overdue(investigation: Investigation, today: date | None = None) -> bool:
    return (
        investigation.state == InvestigationState.SUBMITTED
        and investigation.reply_due is not None
        and (today or clock.today()) > investigation.reply_due
    )


def measures(user, *, state: str | None = None) -> QuerySet:
    queryset = scope(Measure.objects.all(), user)
    if state:
        queryset = queryset.filter(state=state)
    return queryset.select_related("investigation__accident", "assignee_enterprise", "assignee_region")


def accountability(
    user, *, region: str | None = None, year: int | None = None, kind: str | None = None,
    period: Period | None = None,
) -> QuerySet:
    errors: dict[str, list[str]] = {}
    check_region_year(region, year, errors)
    if kind and kind not in AccountabilityKind.values:
        errors["kind"] = [f"“{kind}”不是可选问责方式，可选：{choices_hint(AccountabilityKind)}"]
    if errors:
        raise ValidationError(errors)
    queryset = in_region(scope(Accountability.objects.all(), user), region)
    if year:
        queryset = queryset.filter(decided_on__year=year)
    if period:
        queryset = queryset.filter(**period.dates("decided_on"))
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.select_related("accident")


def stats(
    user, *, region: str | None = None, year: int | None = None, period: Period | None = None
) -> dict:
    """Counts by grade, deaths and injuries (accidents by the year they happened), and
    accountability by kind (by the year it was decided): each equals its list's count."""
    rows = accidents(user, AccidentFilter(region=region, year=year, period=period))
    by_grade = dict(rows.values_list("grade").annotate(n=Count("pk")).values_list("grade", "n"))
    totals = rows.aggregate(
        deaths=Sum("deaths"), serious=Sum("serious_injuries"), loss=Sum("direct_loss_cny")
    )
    kinds = dict(
        accountability(user, region=region, year=year, period=period)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    return {
        "accidents": sum(by_grade.values()),
        "by_grade": {g: by_grade.get(g, 0) for g in Grade.values},
        "deaths": totals["deaths"] or 0,
        "serious_injuries": totals["serious"] or 0,
        # Quantized: SQLite sums decimals to a bare number, PostgreSQL keeps the scale.
        "direct_loss_cny": Decimal(totals["loss"] or 0).quantize(Decimal("0.01")),
        "accountability": sum(kinds.values()),
        "accountability_by_kind": {k: kinds.get(k, 0) for k in AccountabilityKind.values},
    }


def published_reports(*, q: str | None = None) -> QuerySet:
    """Investigation reports made public: anyone may read them, no login, no scope."""
    queryset = Investigation.objects.filter(published_on__isnull=False)
    if q:
        queryset = queryset.filter(Q(accident__unit_name__icontains=q.strip()) | Q(lead__icontains=q.strip()))
    return queryset.select_related("accident", "accident__region", "report").order_by("-published_on", "-id")


def history(accident: Accident, user=None) -> QuerySet:
    """The accident's audit entries with those of its reporting steps, investigation, measures and
    accountability records, oldest first; for `user`, only the measures and accountability
    records they may read (an enterprise: the measures assigned to it, no accountability)."""
    measures_ = Measure.objects.filter(investigation__accident=accident)
    people = accident.accountability.all()
    if user is not None:
        measures_, people = scope(measures_, user), scope(people, user)
    entries = audit.history(accident)
    related = [*accident.steps.all(), *Investigation.objects.filter(accident=accident), *measures_, *people]
    for obj in related:
        entries = entries | audit.history(obj)
    return entries.order_by("seq")


def attachments_visible_to(user) -> Q:
    """Attachments `user` may read through accidents in their scope: investigation reports,
    four-nos evidence, measure evidence; published reports for everyone."""
    report = Investigation.objects.filter(report=OuterRef("pk"))
    # Four-nos evidence (who was dealt with, how) is the authorities' own: not for enterprises.
    four_nos = scope(Investigation.objects.filter(four_nos__evidence=OuterRef("pk")), user)
    if user.role == "enterprise":
        four_nos = four_nos.exclude(accident__enterprise__isnull=False)
    measures = scope(Measure.objects.filter(evidence=OuterRef("pk")), user)
    return (
        Q(Exists(scope(report, user)))
        | Q(Exists(report.filter(published_on__isnull=False)))
        | Q(Exists(four_nos))
        | Q(Exists(measures))
    )
