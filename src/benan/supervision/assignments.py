"""Every write of supervised assignments (督办交办): assign, report progress, submit, accept, return,
cancel, and the daily sweep that escalates overdue targets.

Who may do what (the loop's roles, guards.py for the rest):
- assign: a safety office (安委办) or an admin, to regions strictly below the issuing region and
  inside it — a city office to its own counties, the province office to cities and/or counties.
  The issuing region is the actor's own; an admin without a region issues as the province.
- report progress and submit completion: government users (安委办 or 执法检查人员) whose region *is*
  the target region. Offices above the target see it but do not report for it, so that what the
  issuer checks always comes from the region that was asked.
- accept, return (with a reason) and cancel: a safety office of the issuing region or of a region
  above it; never the receiver (targets lie strictly below the issuer) nor the one who submitted.
Every state change goes through core.loop; notifications are rows written in the same transaction.
Imports from core and this app.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse

from benan.core import audit, clock, fields, notifications
from benan.core.attachments import usable
from benan.core.errors import NotFound, PermissionDenied
from benan.core.loop import transition
from benan.core.models import GOVERNMENT_ROLES, Region, RegionLevel, Role, User
from benan.core.scope import scope

from . import assignment_queries as queries
from .guards import is_issuer_side, is_receiver
from .models import (
    ISSUERS,
    TARGET_OPEN,
    Assignment,
    AssignmentState,
    AssignmentTarget,
    ProgressReport,
    TargetState,
)

MAX_TARGETS = 200
MAX_ATTACHMENTS = 20


def require_government(actor) -> None:
    if actor is None or not (actor.is_admin or actor.role in GOVERNMENT_ROLES):
        raise PermissionDenied("督办交办仅供政府部门使用")


def can_issue(actor) -> bool:
    return actor is not None and (actor.is_admin or actor.role in ISSUERS)


def issuing_region(actor) -> Region | None:
    """The region an assignment by `actor` is issued from: their own, or the province for an admin
    without one."""
    if actor.region_id is not None:
        return actor.region
    if actor.is_admin:
        return Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code").first()
    return None


def _url(assignment_id: int) -> str:
    return reverse("supervision:assignment", args=[assignment_id])


def _attachments(actor, ids) -> list:
    ids = list(ids or [])
    if len(ids) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": [f"附件不能超过{MAX_ATTACHMENTS}个（当前{len(ids)}个）"]})
    return usable(actor, ids) if ids else []


def _target_regions(issuer: Region, codes: Any) -> list[Region]:
    """The receiving regions, each strictly below the issuing region; every bad code is named."""
    codes = [str(c or "").strip() for c in (codes or [])]
    if not codes:
        raise ValidationError({"regions": ["至少选择一个接收区划"]})
    if len(codes) > MAX_TARGETS:
        raise ValidationError({"regions": [f"接收区划不能超过{MAX_TARGETS}个（当前{len(codes)}个）"]})
    found = Region.objects.in_bulk(set(codes))
    errors, seen, regions = [], set(), []
    for code in codes:
        region = found.get(code)
        if code in seen:
            errors.append(f"区划 {code} 重复")
        elif region is None:
            errors.append(f"行政区划代码“{code}”不存在")
        elif code == issuer.code:
            errors.append(f"{code} 是本单位所在区划，只能交办给下级区划")
        elif not issuer.contains(code):
            errors.append(f"{code} 不在本单位辖区内，只能交办给下级区划")
        else:
            regions.append(region)
        seen.add(code)
    if errors:
        raise ValidationError({"regions": errors})
    return regions


def _due_date(value: date | None) -> date:
    if value is None:
        raise ValidationError({"due_date": ["必须填写办理期限"]})
    if value < clock.today():
        raise ValidationError({"due_date": [f"办理期限 {value.isoformat()} 早于今天"]})
    return value


def receivers_of(region_id: str):
    """The receiving region's safety offices."""
    return User.objects.filter(role=Role.SAFETY_OFFICE, region_id=region_id, is_active=True)


def issuers_of(assignment: Assignment):
    """The issuing office: the safety offices of the issuing region and the one who issued it."""
    return [
        assignment.issued_by,
        *User.objects.filter(role=Role.SAFETY_OFFICE, region_id=assignment.issuer_region_id, is_active=True),
    ]


# -- assigning ---------------------------------------------------------------------------------


def assign(
    *,
    actor,
    title: str,
    requirements: str,
    due_date: date | None,
    regions: list[str],
    attachment_ids: list[int] | None = None,
) -> Assignment:
    """Hand a task to regions below the actor's: one target per region, all made or none."""
    require_government(actor)
    if not can_issue(actor):
        raise PermissionDenied("只有安委办可以交办督办事项")
    issuer = issuing_region(actor)
    if issuer is None:
        raise PermissionDenied("您的账号未绑定所属区划，不能交办")
    title = fields.text(title, "title", "标题", max_length=200)
    requirements = fields.text(requirements, "requirements", "工作要求", max_length=10_000)
    due_date = _due_date(due_date)
    targets = _target_regions(issuer, regions)
    files = _attachments(actor, attachment_ids)
    with transaction.atomic():
        assignment = Assignment.objects.create(
            title=title,
            requirements=requirements,
            due_date=due_date,
            issuer_region=issuer,
            issued_by=actor,
            issued_at=clock.now(),
        )
        if files:
            assignment.attachments.set(files)
        made = AssignmentTarget.objects.bulk_create(
            AssignmentTarget(assignment=assignment, region=region) for region in targets
        )
        if any(t.pk is None for t in made):  # databases that return no ids from a bulk insert
            made = list(assignment.targets.order_by("pk"))
        audit.record_many(
            actor,
            [
                audit.Event(
                    "supervision.assignment.create",
                    assignment,
                    {
                        "title": title,
                        "due_date": due_date,
                        "issuer_region": issuer.code,
                        "regions": [r.code for r in targets],
                        "attachments": [a.pk for a in files],
                    },
                ),
                *(
                    audit.Event(
                        "supervision.assignmenttarget.create",
                        target,
                        {"assignment": assignment.pk, "region": target.region_id, "due_date": due_date},
                    )
                    for target in made
                ),
            ],
        )
        for target in made:
            notifications.notify(
                receivers_of(target.region_id),
                title=f"督办交办：{title}",
                body=f"{issuer.name}安委办交办，办理期限 {due_date.isoformat()}",
                url=_url(assignment.pk),
                obj=target,
            )
    return assignment


# -- the receiving region ----------------------------------------------------------------------


def report_progress(*, actor, target: AssignmentTarget, text: str, attachment_ids=None) -> ProgressReport:
    """A progress report: a record of the target; the first one moves it to in_progress."""
    files = _attachments(actor, attachment_ids)
    target = transition(target, "report", actor, text=text, attachments=files)
    return target.reports.order_by("-pk").first()


def submit(*, actor, target: AssignmentTarget, text: str, attachment_ids=None) -> AssignmentTarget:
    """The completion report (报送办结): the target waits for the issuer's check."""
    files = _attachments(actor, attachment_ids)
    with transaction.atomic():
        target = transition(target, "submit", actor, text=text, attachments=files)
        assignment = target.assignment
        notifications.notify(
            issuers_of(assignment),
            title=f"督办事项报送办结：{assignment.title}",
            body=f"{target.region.full_name}已报送办结情况，请验收",
            url=_url(assignment.pk),
            obj=target,
        )
    return target


# -- the issuing side --------------------------------------------------------------------------


def _lock(assignment_id: int) -> Assignment:
    """The assignment's row lock: acceptances and the cancel of one assignment run one at a time,
    so the last acceptance sees every other and completes the assignment exactly once."""
    return Assignment.objects.select_for_update().get(pk=assignment_id)


def accept(*, actor, target: AssignmentTarget, comment: str = "") -> AssignmentTarget:
    with transaction.atomic():
        assignment = _lock(target.assignment_id)
        target = transition(target, "accept", actor, comment=comment)
        if (
            assignment.state == AssignmentState.ACTIVE
            and not assignment.targets.exclude(state=TargetState.ACCEPTED).exists()
        ):
            transition(assignment, "complete", actor)
        notifications.notify(
            receivers_of(target.region_id),
            title=f"督办事项验收通过：{assignment.title}",
            body=target.comment[:200],
            url=_url(assignment.pk),
            obj=target,
        )
    return target


def return_target(*, actor, target: AssignmentTarget, reason: str) -> AssignmentTarget:
    """Back to the receiving region (办理中), with the reason it must read."""
    with transaction.atomic():
        target = transition(target, "return", actor, reason=reason)
        notifications.notify(
            receivers_of(target.region_id),
            title=f"督办事项被退回：{target.assignment.title}",
            body=target.comment[:200],
            url=_url(target.assignment_id),
            obj=target,
        )
    return target


def cancel(*, actor, assignment: Assignment, reason: str) -> Assignment:
    """Withdraw the whole assignment while no target is accepted: every open target is cancelled."""
    if not can_issue(actor) or not is_issuer_side(assignment, actor):
        # A receiver may read the assignment: they are refused (403), not told it is missing.
        raise PermissionDenied(f"只有交办单位（{assignment.issuer_name}）或其上级可以撤销")
    with transaction.atomic():
        _lock(assignment.pk)
        open_ = assignment.targets.filter(state__in=TARGET_OPEN)
        open_regions = list(open_.values_list("region_id", flat=True))
        assignment = transition(assignment, "cancel", actor, reason=reason)
        for region_id in open_regions:
            notifications.notify(
                receivers_of(region_id),
                title=f"督办事项已撤销：{assignment.title}",
                body=assignment.cancel_reason[:200],
                url=_url(assignment.pk),
                obj=assignment,
            )
    return assignment


# -- what a user may do now (the pages and the API offer these; the guards decide) --------------


def target_actions(target: AssignmentTarget, user) -> list[str]:
    names = {t.action for t in AssignmentTarget.LOOP.available(target, user)} - {"cancel"}
    if not is_receiver(target, user):
        names -= {"report", "submit"}
    if not is_issuer_side(target.assignment, user) or target.submitted_by_id == user.pk:
        names -= {"accept", "return"}
    return [t.action for t in AssignmentTarget.LOOP.transitions if t.action in names]


def assignment_actions(assignment: Assignment, user) -> list[str]:
    names = {t.action for t in Assignment.LOOP.available(assignment, user)} - {"complete"}
    if not is_issuer_side(assignment, user):
        names.discard("cancel")
    return sorted(names)


# -- reads used by the API and pages (single objects, scoped) -------------------------------------


def get(model, actor, pk: int):
    """One assignment, target or report the actor may read, else NotFound (404)."""
    if model is Assignment:
        found = queries.seen_by(actor, pk)
    else:
        found = scope(model.objects.all(), actor).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


# -- the sweep ---------------------------------------------------------------------------------


def sweep(*, today: date | None = None) -> dict[str, int]:
    """Escalate each overdue target once per deadline: tell the receiving region's safety offices
    and the issuing office. Safe to run concurrently and repeatedly (compare-and-swap marker)."""
    today = today or clock.today()
    late = (
        AssignmentTarget.objects.filter(state__in=TARGET_OPEN, assignment__due_date__lt=today)
        .filter(Q(escalated_due_date__isnull=True) | ~Q(escalated_due_date=F("assignment__due_date")))
        .select_related("assignment__issuer_region", "assignment__issued_by", "region__parent")
    )
    escalated = 0
    for target in late.iterator(chunk_size=500):
        due = target.assignment.due_date
        with transaction.atomic():
            # Compare-and-swap: only the sweeper that flips the marker escalates, so two sweeps
            # running at once never notify twice.
            if not AssignmentTarget.objects.filter(
                pk=target.pk, state__in=TARGET_OPEN, escalated_due_date=target.escalated_due_date
            ).update(escalated_due_date=due):
                continue
            days = (today - due).days
            audit.record(
                None, "supervision.assignmenttarget.escalated", target, due_date=due, days_overdue=days
            )
            notifications.notify(
                [*receivers_of(target.region_id), *issuers_of(target.assignment)],
                title=f"督办事项逾期 {days} 天：{target.assignment.title}",
                body=f"{target.region.full_name}：{target.get_state_display()}，办理期限 {due.isoformat()}",
                url=_url(target.assignment_id),
                obj=target,
            )
            escalated += 1
    return {"targets": escalated}
