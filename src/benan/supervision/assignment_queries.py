"""Reads of supervised assignments, always through the data scope.

A target is read by whoever's scope holds its region (the receiving region and the offices above
it, which include the issuing side). An assignment is read by whoever's scope holds the issuing
region, or who may read one of its targets; the latter see only the targets in their scope.
Enterprises see nothing. `due_between` and `overdue` are what the weekly sheet reads.
Imports from core and this app.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from benan.core import audit, clock
from benan.core.scope import check_region_year, in_region, scope

from .models import (
    TARGET_OPEN,
    Assignment,
    AssignmentTarget,
    ProgressReport,
    TargetState,
)


def _check_region(region: str | None) -> None:
    errors: dict[str, list[str]] = {}
    check_region_year(region, None, errors)
    if errors:
        raise ValidationError(errors)


def overdue_q(today: date, prefix: str = "") -> Q:
    """Open targets whose deadline has passed (derived, never stored)."""
    return Q(**{f"{prefix}state__in": TARGET_OPEN, f"{prefix}assignment__due_date__lt": today})


def targets(
    user, *, assignment: Assignment | None = None, state=None, region=None, overdue=False
) -> QuerySet:
    """The targets in the user's scope, optionally of one assignment, in a state, in a region's
    subtree, overdue."""
    _check_region(region)
    qs = in_region(scope(AssignmentTarget.objects.select_related("assignment", "region"), user), region)
    if assignment is not None:
        qs = qs.filter(assignment=assignment)
    if state:
        qs = qs.filter(state=state)
    if overdue:
        qs = qs.filter(overdue_q(clock.today()))
    return qs


def assignments(user, *, state=None, region=None, overdue=False, q=None) -> QuerySet:
    """The assignments the user may read, newest first. `state`, `region` and `overdue` are about
    the targets the user sees: an assignment with at least one such target in that state, in that
    region's subtree, or overdue."""
    _check_region(region)
    seen = scope(AssignmentTarget.objects.all(), user)
    issued = scope(Assignment.objects.all(), user).values("pk")
    qs = Assignment.objects.select_related("issuer_region", "issued_by").filter(
        Q(pk__in=issued) | Exists(seen.filter(assignment=OuterRef("pk")))
    )
    if state or region or overdue:
        wanted = in_region(seen, region)
        if state:
            wanted = wanted.filter(state=state)
        if overdue:
            wanted = wanted.filter(overdue_q(clock.today()))
        qs = qs.filter(Exists(wanted.filter(assignment=OuterRef("pk"))))
    if q:
        qs = qs.filter(Q(title__icontains=q.strip()) | Q(requirements__icontains=q.strip()))
    return qs


def seen_by(user, pk: int) -> Assignment | None:
    """One assignment if the user may read it (see `assignments`)."""
    return assignments(user).filter(pk=pk).first()


def target_counts(user, assignment_ids) -> dict[int, dict[str, int]]:
    """Per assignment, the user's visible targets by state plus "total" and "overdue": one query."""
    today = clock.today()
    rows = (
        scope(AssignmentTarget.objects.filter(assignment_id__in=list(assignment_ids)), user)
        .values("assignment_id", "state")
        .annotate(n=Count("pk"), late=Count("pk", filter=overdue_q(today)))
        .order_by()
    )
    result: dict[int, dict[str, int]] = {}
    for row in rows:
        counts = result.setdefault(row["assignment_id"], {"total": 0, "overdue": 0})
        counts[row["state"]] = row["n"]
        counts["total"] += row["n"]
        counts["overdue"] += row["late"]
    return result


def board(user, *, region=None) -> dict:
    """The targets the user sees by state, with the overdue ones: one pass of conditional counts."""
    qs = targets(user, region=region).order_by()
    today = clock.today()
    counts = qs.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=overdue_q(today)),
        **{s.value: Count("pk", filter=Q(state=s.value)) for s in TargetState},
    )
    return {
        "status": [{"state": s.value, "label": s.label, "count": counts[s.value]} for s in TargetState],
        "total": counts["total"],
        "overdue": counts["overdue"],
        "today": today,
    }


def due_between(user, start: date, end: date, region: str | None = None) -> QuerySet:
    """Open targets (not accepted nor cancelled) whose deadline falls in [start, end], by deadline."""
    if start > end:
        raise ValidationError({"end": [f"结束日期 {end.isoformat()} 早于开始日期 {start.isoformat()}"]})
    return (
        targets(user, region=region)
        .filter(state__in=TARGET_OPEN, assignment__due_date__gte=start, assignment__due_date__lte=end)
        .select_related("assignment__issuer_region", "region__parent")
        .order_by("assignment__due_date", "assignment_id", "region_id")
    )


def overdue(user, region: str | None = None) -> QuerySet:
    """Open targets past their deadline, the longest overdue first."""
    return (
        targets(user, region=region, overdue=True)
        .select_related("assignment__issuer_region", "region__parent")
        .order_by("assignment__due_date", "assignment_id", "region_id")
    )


def reports(user, target_ids) -> QuerySet:
    return (
        scope(ProgressReport.objects.filter(target_id__in=list(target_ids)), user)
        .select_related("reported_by")
        .prefetch_related("attachments")
        .order_by("target_id", "reported_at", "id")
    )


def history(obj):
    return audit.history(obj)


def attachments_visible_to(user) -> Q:
    """Attachments `user` may read through assignments: the assignment's own files go to every
    reader of it (the issuing side, and whoever sees one of its targets, as `assignments`), a
    report's files to the readers of its target."""
    issued = scope(Assignment.objects.filter(attachments=OuterRef("pk")), user)
    targeted = scope(AssignmentTarget.objects.filter(assignment__attachments=OuterRef("pk")), user)
    reports = scope(ProgressReport.objects.filter(attachments=OuterRef("pk")), user)
    return Q(Exists(issued)) | Q(Exists(targeted)) | Q(Exists(reports))

