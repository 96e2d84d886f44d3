"""Drill and training pages (应急演练和培训): the list with its filters, the plan form, and the drill
with its scenario, participants and teams, the hold form (实施和评估) and cancel, the follow-up
items a drill exposed (登记整改事项; 提交 → 验收销号 / 退回重改), its history, and a link that
starts a dispatch from the drill's position.

Thin views: reads through `queries` and `services.get`, writes through `services`; outside the
scope is 404. A drill is seen by the users whose scope holds its region and by the assignees of
its follow-up items. Imports from core, this app and `views.common`, `views.history`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from benan.core import clock
from benan.core.pages import attempt

from .. import forms, queries, services
from ..models import Drill, DrillKind, DrillState, FollowUp, FollowUpState
from .common import (
    BADGES,
    Action,
    act,
    can_manage,
    choice_param,
    filtered_list,
    get_or_404,
    int_param,
    offered,
    organiser_choices,
    panel,
    region_groups,
    region_param,
    require_government,
    require_manager,
    years,
)
from .history import history_rows

FILTER_KEYS = ("region", "kind", "state", "year", "q")
TEAM_CHOICES = 500
ASSIGNEE_LIMIT = 200


@login_required
def drill_list(request):
    user = request.user

    def build(params, context):
        return queries.drills(
            user,
            region=region_param(params["region"]),
            kind=choice_param(params["kind"], DrillKind, "kind", "类型"),
            state=choice_param(params["state"], DrillState, "state", "状态"),
            year=int_param(params["year"], "year", "年份"),
            q=params["q"] or None,
        ).select_related("region__parent")

    return filtered_list(
        request,
        FILTER_KEYS,
        build,
        "emergency/drills.html",
        "emergency/partials/drill_table.html",
        lambda: {
            "kinds": DrillKind.choices,
            "states": DrillState.choices,
            "years": years(),
            "region_groups": region_groups(user),
            "can_manage": can_manage(user),
        },
    )



# -- plan --------------------------------------------------------------------------------------


def _drill_form(request, data=None, initial=None):
    user = request.user
    teams = queries.teams(user).select_related("region__parent")[:TEAM_CHOICES]
    return forms.DrillForm(
        data, initial=initial, regions=organiser_choices(user), teams=list(teams), auto_id="drill-%s"
    )


@login_required
def drill_new(request):
    user = request.user
    require_government(user)
    require_manager(user)
    if request.method != "POST":
        initial = {"kind": DrillKind.DRILL, "region_code": user.region_id or ""}
        form = _drill_form(request, initial=initial)
        return render(request, "emergency/drill_form.html", {"form": form, "team_limit": TEAM_CHOICES})
    form = _drill_form(request, request.POST)
    made = []
    status, notice = attempt(form, lambda: made.append(services.plan_drill(actor=user, **form.values())))
    if not status:
        messages.success(request, f"已登记{made[0].get_kind_display()}计划“{made[0].title}”")
        return redirect("emergency:drill", made[0].pk)
    form.mark_fields()
    context = {"form": form, "team_limit": TEAM_CHOICES, "notice": notice}
    return render(request, "emergency/drill_form.html", context, status=status)


# -- the drill ---------------------------------------------------------------------------------


def _run_drill(action: str, done: str):
    def run(request, drill, form):
        services.drill_action(actor=request.user, drill=drill, action=action, **form.values())
        return done

    return run


def _run_add_follow_up(request, drill, form):
    item = services.add_follow_up(actor=request.user, drill=drill, **form.values())
    name = item.assignee.get_full_name() or item.assignee.username
    return f"已登记整改事项，责任人 {name}，期限 {item.due_date:%Y-%m-%d}"


DRILL_ACTIONS = {
    "hold": Action(
        "登记实施和评估",
        forms.HoldForm,
        _run_drill("hold", "已登记实施情况和评估"),
        loop=("hold",),
        form_kwargs=lambda request, drill: {"initial": {"held_on": clock.today()}},
    ),
    "cancel": Action(
        "取消",
        forms.ReasonForm,
        _run_drill("cancel", "已取消"),
        loop=("cancel",),
        button="btn-outline-danger",
    ),
    "follow_up": Action(
        "登记整改事项",
        forms.FollowUpForm,
        _run_add_follow_up,
        button="btn-outline-primary",
        hint="演练暴露的问题交由演练区划及其上下级的政府部门人员整改，到期未整改的自动提醒。",
        form_kwargs=lambda request, drill: {"assignees": queries.assignees(drill, ASSIGNEE_LIMIT)},
    ),
}


def _run_follow_up(action: str, done: str):
    def run(request, item, form):
        services.follow_up_action(actor=request.user, item=item, action=action, **form.values())
        return done

    return run


FOLLOW_UP_ACTIONS = {
    "submit": Action(
        "提交整改情况",
        forms.SubmitForm,
        _run_follow_up("submit", "已提交整改情况，等待验收"),
        loop=("submit",),
    ),
    "accept": Action(
        "验收销号",
        forms.CommentForm,
        _run_follow_up("accept", "整改事项已验收销号"),
        loop=("accept",),
        button="btn-success",
    ),
    "reject": Action(
        "退回重改",
        forms.CommentForm,
        _run_follow_up("reject", "已退回重改"),
        loop=("reject",),
        button="btn-outline-danger",
        form_kwargs=lambda request, item: {"label": "退回理由"},
    ),
}


def follow_up_rows(request, drill, bound: dict) -> list[dict]:
    user, today, rows = request.user, clock.today(), []
    items = queries.follow_ups(user, drill=drill).select_related(
        "assignee__region__parent", "submitted_by", "closed_by"
    )
    for item in items:
        names = {t.action for t in FollowUp.LOOP.available(item, user)}
        # The item is submitted by its assignee, checked by someone else (the guards say so too).
        if "submit" in names and not user.is_admin and item.assignee_id != user.pk:
            names.discard("submit")
        if item.submitted_by_id == user.pk:
            names -= {"accept", "reject"}
        panels = []
        for action, spec in FOLLOW_UP_ACTIONS.items():
            key = f"follow_up:{item.pk}:{action}"
            if action in names or key in bound:
                url = reverse("emergency:follow_up_action", args=[item.pk, action])
                panels.append(panel(spec, key, request, item, url, bound))
        rows.append(
            {
                "item": item,
                "badge": BADGES.get(item.state, "text-bg-secondary"),
                "overdue": item.state == FollowUpState.OPEN and item.due_date < today,
                "panels": panels,
            }
        )
    return rows


def drill_or_404(user, pk: int) -> tuple[Drill, bool]:
    """The drill and whether the user may act on it (queries.drill_seen_by)."""
    drill, sees = queries.drill_seen_by(user, pk)
    if drill is None:
        raise Http404("演练不存在")
    return drill, sees


def render_drill(request, drill, *, bound=None, notice="", failed="", status=200):
    user, bound = request.user, bound or {}
    drill, sees = drill_or_404(user, drill.pk)
    keys = offered(DRILL_ACTIONS, drill, user) if sees else []
    if sees and ((can_manage(user) and drill.state == DrillState.HELD) or "follow_up" in bound):
        keys.append("follow_up")
    keys += [k for k in bound if k in DRILL_ACTIONS and k not in keys]
    panels = {
        key: panel(
            DRILL_ACTIONS[key],
            key,
            request,
            drill,
            reverse("emergency:drill_action", args=[drill.pk, key]),
            bound,
        )
        for key in DRILL_ACTIONS
        if key in keys
    }
    items = follow_up_rows(request, drill, bound)
    dispatch_url = ""
    if sees and drill.lat is not None and drill.lon is not None and can_manage(user):
        dispatch_url = reverse("emergency:map") + "?" + urlencode({"drill": drill.pk})
    context = {
        "drill": drill,
        "badges": BADGES,
        "teams": list(queries.teams(user).filter(drills=drill).select_related("region__parent")),
        "hold": panels.get("hold"),
        "cancel": panels.get("cancel"),
        "add_follow_up": panels.get("follow_up"),
        "items": items,
        "dispatches": list(queries.dispatches(user).filter(drill=drill)[:20]),
        "dispatch_url": dispatch_url,
        "sees_drill": sees,
        "history": history_rows(drill if sees else None, *(row["item"] for row in items)),
        "notice": notice,
        "failed": failed,
    }
    return render(request, "emergency/drill.html", context, status=status)


@login_required
def drill_detail(request, pk: int):
    return render_drill(request, drill_or_404(request.user, pk)[0])


@login_required
@require_POST
def drill_action(request, pk: int, action: str):
    drill = get_or_404(Drill, request.user, pk)
    return act(
        request,
        drill,
        action,
        DRILL_ACTIONS,
        page=render_drill,
        back=reverse("emergency:drill", args=[drill.pk]) + ("#follow-ups" if action == "follow_up" else ""),
        bound_key=action,
    )


@login_required
@require_POST
def follow_up_action(request, pk: int, action: str):
    item = get_or_404(FollowUp, request.user, pk)
    return act(
        request,
        item,
        action,
        FOLLOW_UP_ACTIONS,
        page=lambda request, item, **kwargs: render_drill(request, item.drill, **kwargs),
        back=reverse("emergency:drill", args=[item.drill_id]) + f"#follow-up-{item.pk}",
        bound_key=f"follow_up:{item.pk}:{action}",
    )
