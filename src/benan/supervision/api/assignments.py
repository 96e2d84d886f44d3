"""Supervised assignments (督办交办): the list with its filters, the board by state, assigning, one
assignment with the targets the caller may see, its history, and one endpoint per action.

Government users only: enterprises get 403 on lists and 404 on objects; an assignment or target
outside the caller's scope is 404. Bad input is 422 naming the field; a move the state does not
allow is 409; a move that is not the caller's (another region's report, the receiver's own check)
is 403.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils.timezone import localtime
from ninja import Query, Schema
from ninja.responses import Status as HttpStatus
from pydantic import Field

from benan.core import clock
from benan.core.api import HistoryOut, history_rows
from benan.core.pagination import paginate

from .. import assignment_queries as queries
from .. import assignments as services
from ..models import TARGET_OPEN, Assignment, AssignmentTarget, TargetState
from .common import Strict, router


def _local(value):
    return localtime(value) if value else None


def _name(user) -> str | None:
    return (user.get_full_name() or user.username) if user else None


class AttachmentRef(Schema):
    id: int
    name: str
    content_type: str
    size: int


def _files(items) -> list[dict]:
    return [{"id": a.pk, "name": a.name, "content_type": a.content_type, "size": a.size} for a in items]


class ReportOut(Schema):
    id: int
    kind: str
    kind_label: str
    text: str
    attachments: list[AttachmentRef]
    reported_by: str | None
    reported_at: datetime


class TargetOut(Schema):
    id: int
    assignment_id: int
    region: str
    region_name: str
    state: str
    state_label: str
    due_date: date
    overdue: bool
    submitted_at: datetime | None
    accepted_at: datetime | None
    comment: str
    returned_count: int
    reports: list[ReportOut]
    actions: list[str]


def target_out(t: AssignmentTarget, user, reports=None) -> dict:
    if reports is None:
        reports = list(queries.reports(user, [t.pk]))
    return {
        "id": t.pk,
        "assignment_id": t.assignment_id,
        "region": t.region_id,
        "region_name": t.region.full_name if t.region.parent_id else t.region.name,
        "state": t.state,
        "state_label": t.get_state_display(),
        "due_date": t.assignment.due_date,
        "overdue": t.state in TARGET_OPEN and t.assignment.due_date < clock.today(),
        "submitted_at": _local(t.submitted_at),
        "accepted_at": _local(t.accepted_at),
        "comment": t.comment,
        "returned_count": t.returned_count,
        "reports": [
            {
                "id": r.pk,
                "kind": r.kind,
                "kind_label": r.get_kind_display(),
                "text": r.text,
                "attachments": _files(r.attachments.all()),
                "reported_by": _name(r.reported_by),
                "reported_at": _local(r.reported_at),
            }
            for r in reports
        ],
        "actions": services.target_actions(t, user),
    }


class AssignmentOut(Schema):
    id: int
    number: str
    title: str
    requirements: str
    due_date: date
    overdue: bool
    state: str
    state_label: str
    issuer_region: str
    issuer_region_name: str
    issuer_name: str
    issued_by: str | None
    issued_at: datetime
    cancel_reason: str
    attachments: list[AttachmentRef]
    target_counts: dict[str, int] = Field(description="调用者可见的承办区划按状态计数，另有 total、overdue")
    targets: list[TargetOut]
    actions: list[str]


def assignment_out(a: Assignment, user, *, counts: dict | None = None, full: bool = True) -> dict:
    targets = []
    if full:
        rows = list(queries.targets(user, assignment=a).select_related("region__parent"))
        by_target: dict[int, list] = {}
        for r in queries.reports(user, [t.pk for t in rows]):
            by_target.setdefault(r.target_id, []).append(r)
        targets = [target_out(t, user, by_target.get(t.pk, [])) for t in rows]
    if counts is None:
        counts = queries.target_counts(user, [a.pk]).get(a.pk, {"total": 0, "overdue": 0})
    return {
        "id": a.pk,
        "number": a.number,
        "title": a.title,
        "requirements": a.requirements,
        "due_date": a.due_date,
        "overdue": counts.get("overdue", 0) > 0,
        "state": a.state,
        "state_label": a.get_state_display(),
        "issuer_region": a.issuer_region_id,
        "issuer_region_name": a.issuer_region.name,
        "issuer_name": a.issuer_name,
        "issued_by": _name(a.issued_by),
        "issued_at": _local(a.issued_at),
        "cancel_reason": a.cancel_reason,
        "attachments": _files(a.attachments.all()) if full else [],
        "target_counts": counts,
        "targets": targets,
        "actions": services.assignment_actions(a, user),
    }


class AssignmentPage(Schema):
    items: list[AssignmentOut]
    count: int
    page: int
    page_size: int


class AssignmentIn(Strict):
    title: str = Field(max_length=200)
    requirements: str = Field(max_length=10_000)
    due_date: date
    regions: list[str] = Field(default_factory=list, max_length=200, description="接收区划代码")
    attachments: list[int] = Field(default_factory=list, max_length=20, description="已上传附件的编号")


class ReportIn(Strict):
    text: str = Field(max_length=5000)
    attachments: list[int] = Field(default_factory=list, max_length=20)


class CommentIn(Strict):
    comment: str = Field("", max_length=500)


class ReasonIn(Strict):
    reason: str = Field(max_length=500)


class StateCount(Schema):
    state: str
    label: str
    count: int


class BoardOut(Schema):
    status: list[StateCount]
    total: int
    overdue: int


STATE = Query(None, description="含有该状态的（可见）承办区划")


def _assignment(request, assignment_id: int) -> Assignment:
    return services.get(Assignment, request.auth, assignment_id)


def _target(request, target_id: int) -> AssignmentTarget:
    return services.get(AssignmentTarget, request.auth, target_id)


def _fresh(request, target_id: int) -> dict:
    return target_out(_target(request, target_id), request.auth)


@router.get("/assignments", response=AssignmentPage, summary="督办交办事项")
def list_assignments(
    request,
    state: TargetState | None = STATE,
    region: str | None = Query(None, max_length=6, description="承办区划在该区划内"),
    overdue: bool = False,
    q: str | None = Query(None, max_length=100),
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
):
    services.require_government(request.auth)
    qs = queries.assignments(request.auth, state=state, region=region, overdue=overdue, q=q)
    result = paginate(qs, page=page, size=page_size)
    counts = queries.target_counts(request.auth, [a.pk for a in result.items])
    return result.as_dict(
        lambda a: assignment_out(
            a, request.auth, counts=counts.get(a.pk, {"total": 0, "overdue": 0}), full=False
        )
    )


@router.post("/assignments", response={201: AssignmentOut}, summary="交办督办事项")
def create_assignment(request, payload: AssignmentIn):
    data = payload.model_dump()
    assignment = services.assign(actor=request.auth, attachment_ids=data.pop("attachments"), **data)
    return HttpStatus(201, assignment_out(_assignment(request, assignment.pk), request.auth))


@router.get("/assignments/board", response=BoardOut, summary="督办看板（按状态计数）")
def assignment_board(request, region: str | None = Query(None, max_length=6)):
    services.require_government(request.auth)
    return queries.board(request.auth, region=region)


@router.get("/assignments/{int:assignment_id}", response=AssignmentOut, summary="督办事项详情")
def get_assignment(request, assignment_id: int):
    return assignment_out(_assignment(request, assignment_id), request.auth)


@router.get("/assignments/{int:assignment_id}/history", response=list[HistoryOut], summary="督办记录")
def assignment_history(request, assignment_id: int):
    """The assignment's audit entries and those of the targets the caller sees, in order."""
    assignment = _assignment(request, assignment_id)
    entries = [*queries.history(assignment)]
    for target in queries.targets(request.auth, assignment=assignment):
        entries.extend(queries.history(target))
    return history_rows(sorted(entries, key=lambda e: e.seq))


@router.post("/assignments/{int:assignment_id}/cancel", response=AssignmentOut, summary="撤销交办")
def cancel_assignment(request, assignment_id: int, payload: ReasonIn):
    assignment = services.cancel(
        actor=request.auth, assignment=_assignment(request, assignment_id), reason=payload.reason
    )
    return assignment_out(_assignment(request, assignment.pk), request.auth)


@router.post("/assignments/targets/{int:target_id}/reports", response={201: TargetOut}, summary="报告进展")
def report_progress(request, target_id: int, payload: ReportIn):
    services.report_progress(
        actor=request.auth,
        target=_target(request, target_id),
        text=payload.text,
        attachment_ids=payload.attachments,
    )
    return HttpStatus(201, _fresh(request, target_id))


@router.post("/assignments/targets/{int:target_id}/submit", response=TargetOut, summary="报送办结")
def submit_target(request, target_id: int, payload: ReportIn):
    services.submit(
        actor=request.auth,
        target=_target(request, target_id),
        text=payload.text,
        attachment_ids=payload.attachments,
    )
    return _fresh(request, target_id)


@router.post("/assignments/targets/{int:target_id}/accept", response=TargetOut, summary="验收通过")
def accept_target(request, target_id: int, payload: CommentIn):
    services.accept(actor=request.auth, target=_target(request, target_id), comment=payload.comment)
    return _fresh(request, target_id)


@router.post("/assignments/targets/{int:target_id}/return", response=TargetOut, summary="退回")
def return_target(request, target_id: int, payload: ReasonIn):
    services.return_target(actor=request.auth, target=_target(request, target_id), reason=payload.reason)
    return _fresh(request, target_id)
