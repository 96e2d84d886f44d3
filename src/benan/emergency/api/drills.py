"""Drills and training, and their follow-up items in the loop."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Query, Schema
from ninja.responses import Status as HttpStatus
from pydantic import Field

from benan.core import clock
from benan.core.api import HistoryOut, history_rows
from benan.core.pagination import paginate

from .. import queries, services
from ..models import (
    Drill,
    FollowUp,
)
from .common import ReasonIn, Strict, actions_of, display_name, local, page_args, router

# -- drills ------------------------------------------------------------------------------------


class FollowUpOut(Schema):
    id: int
    drill_id: int
    drill: str
    description: str
    assignee_id: int
    assignee: str
    due_date: date
    overdue: bool
    state: str
    state_label: str
    result: str
    comment: str
    submitted_at: datetime | None
    closed_at: datetime | None
    actions: list[str]


def follow_up_out(f: FollowUp, user) -> dict:
    today = clock.today()
    return {
        "id": f.pk,
        "drill_id": f.drill_id,
        "drill": f.drill.title,
        "description": f.description,
        "assignee_id": f.assignee_id,
        "assignee": display_name(f.assignee),
        "due_date": f.due_date,
        "overdue": f.state == "open" and f.due_date < today,
        "state": f.state,
        "state_label": f.get_state_display(),
        "result": f.result,
        "comment": f.comment,
        "submitted_at": local(f.submitted_at),
        "closed_at": local(f.closed_at),
        "actions": actions_of(f, user),
    }


class DrillOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    region: str
    region_name: str
    organiser: str
    scenario: str
    planned_on: date
    location: str
    lat: float | None
    lon: float | None
    participants: str
    team_ids: list[int]
    state: str
    state_label: str
    held_on: date | None
    participant_count: int | None
    evaluation: str
    rating: str
    rating_label: str
    cancel_reason: str
    follow_ups: list[FollowUpOut]
    actions: list[str]


def drill_out(d: Drill, user, *, full: bool = True) -> dict:
    return {
        "id": d.pk,
        "title": d.title,
        "kind": d.kind,
        "kind_label": d.get_kind_display(),
        "region": d.region_id,
        "region_name": d.region.name,
        "organiser": d.organiser,
        "scenario": d.scenario,
        "planned_on": d.planned_on,
        "location": d.location,
        "lat": d.lat,
        "lon": d.lon,
        "participants": d.participants,
        "team_ids": [t.pk for t in d.teams.all()] if full else [],
        "state": d.state,
        "state_label": d.get_state_display(),
        "held_on": d.held_on,
        "participant_count": d.participant_count,
        "evaluation": d.evaluation,
        "rating": d.rating,
        "rating_label": d.get_rating_display() if d.rating else "",
        "cancel_reason": d.cancel_reason,
        "follow_ups": [follow_up_out(f, user) for f in queries.follow_ups(user, drill=d)] if full else [],
        "actions": actions_of(d, user),
    }


class DrillPage(Schema):
    items: list[DrillOut]
    count: int
    page: int
    page_size: int


class DrillIn(Strict):
    title: str = Field(max_length=200)
    kind: Literal["drill", "training"]
    region_code: str = Field(max_length=6)
    organiser: str = Field(max_length=100)
    scenario: str = Field(max_length=10_000)
    planned_on: date
    location: str = Field("", max_length=200)
    lat: float | None = None
    lon: float | None = None
    participants: str = Field("", max_length=5000)
    team_ids: list[int] = Field(default_factory=list)


class HoldIn(Strict):
    held_on: date
    participant_count: int
    evaluation: str = Field(max_length=5000)
    rating: Literal["excellent", "good", "pass", "fail"]


class FollowUpIn(Strict):
    description: str = Field(max_length=2000)
    assignee_id: int
    due_date: date


class SubmitIn(Strict):
    result: str = Field(max_length=5000)


class CommentIn(Strict):
    comment: str = Field("", max_length=500)


@router.get("/drills", response=DrillPage, summary="应急演练和培训")
def list_drills(
    request,
    region: str | None = Query(None, max_length=6),
    kind: str | None = None,
    state: str | None = None,
    year: int | None = None,
    q: str | None = Query(None, max_length=100),
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
):
    services.require_government(request.auth)
    qs = queries.drills(request.auth, region=region, kind=kind, state=state, year=year, q=q)
    return paginate(qs, **page_args(page, page_size)).as_dict(
        lambda d: drill_out(d, request.auth, full=False)
    )


@router.post("/drills", response={201: DrillOut}, summary="登记演练或培训计划")
def plan_drill(request, payload: DrillIn):
    drill = services.plan_drill(actor=request.auth, **payload.model_dump())
    return HttpStatus(201, drill_out(services.get(Drill, request.auth, drill.pk), request.auth))


@router.get("/drills/{int:drill_id}", response=DrillOut, summary="演练详情")
def get_drill(request, drill_id: int):
    return drill_out(services.get(Drill, request.auth, drill_id), request.auth)


@router.get("/drills/{int:drill_id}/history", response=list[HistoryOut], summary="演练记录")
def drill_history(request, drill_id: int):
    return history_rows(queries.history(services.get(Drill, request.auth, drill_id)))


@router.post("/drills/{int:drill_id}/hold", response=DrillOut, summary="登记实施和评估")
def hold_drill(request, drill_id: int, payload: HoldIn):
    drill = services.drill_action(
        actor=request.auth,
        drill=services.get(Drill, request.auth, drill_id),
        action="hold",
        **payload.model_dump(),
    )
    return drill_out(services.get(Drill, request.auth, drill.pk), request.auth)


@router.post("/drills/{int:drill_id}/cancel", response=DrillOut, summary="取消演练")
def cancel_drill(request, drill_id: int, payload: ReasonIn):
    drill = services.drill_action(
        actor=request.auth,
        drill=services.get(Drill, request.auth, drill_id),
        action="cancel",
        **payload.model_dump(),
    )
    return drill_out(services.get(Drill, request.auth, drill.pk), request.auth)


@router.post("/drills/{int:drill_id}/follow-ups", response={201: FollowUpOut}, summary="登记整改事项")
def add_follow_up(request, drill_id: int, payload: FollowUpIn):
    item = services.add_follow_up(
        actor=request.auth, drill=services.get(Drill, request.auth, drill_id), **payload.model_dump()
    )
    return HttpStatus(201, follow_up_out(services.get(FollowUp, request.auth, item.pk), request.auth))


@router.get("/drill-follow-ups", response=list[FollowUpOut], summary="演练整改事项（我的、逾期）")
def list_follow_ups(
    request,
    state: str | None = None,
    mine: bool = False,
    overdue: bool = False,
    limit: int = Query(100, ge=1, le=500),
):
    services.require_government(request.auth)
    qs = queries.follow_ups(request.auth, state=state, mine=mine, overdue=overdue)
    return [follow_up_out(f, request.auth) for f in qs[:limit]]


def _follow_up_action(request, item_id: int, action: str, **data) -> dict:
    item = services.follow_up_action(
        actor=request.auth, item=services.get(FollowUp, request.auth, item_id), action=action, **data
    )
    return follow_up_out(services.get(FollowUp, request.auth, item.pk), request.auth)


@router.post("/drill-follow-ups/{int:item_id}/submit", response=FollowUpOut, summary="提交整改情况")
def submit_follow_up(request, item_id: int, payload: SubmitIn):
    return _follow_up_action(request, item_id, "submit", **payload.model_dump())


@router.post("/drill-follow-ups/{int:item_id}/accept", response=FollowUpOut, summary="验收销号")
def accept_follow_up(request, item_id: int, payload: CommentIn):
    return _follow_up_action(request, item_id, "accept", **payload.model_dump())


@router.post("/drill-follow-ups/{int:item_id}/reject", response=FollowUpOut, summary="退回重改")
def reject_follow_up(request, item_id: int, payload: CommentIn):
    return _follow_up_action(request, item_id, "reject", **payload.model_dump())


@router.get("/drill-follow-ups/{int:item_id}/history", response=list[HistoryOut], summary="整改事项记录")
def follow_up_history(request, item_id: int):
    return history_rows(queries.history(services.get(FollowUp, request.auth, item_id)))
