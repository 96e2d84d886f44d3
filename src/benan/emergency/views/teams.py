"""Rescue team pages (应急救援队伍): the registry with its filters, the team with its readiness
actions (转为休整 / 恢复待命), its dispatch orders and history, and the register / edit forms.

Thin views: reads through `queries` and `services.get`, writes through `services`; outside the
scope (and every team, for enterprises) is 404. Imports from core, this app and `views.common`,
`views.history`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from benan.core.pages import attempt

from .. import forms, queries, services
from ..models import Capability, Readiness, RescueTeam, TeamKind
from .common import (
    BADGES,
    Action,
    act,
    can_manage,
    choice_param,
    county_choices,
    edit_values,
    filtered_list,
    get_or_404,
    offered,
    panel,
    region_groups,
    region_param,
    require_government,
    require_manager,
)
from .history import history_rows

FILTER_KEYS = ("region", "kind", "capability", "readiness", "q")
ORDER_LIMIT = 50


@login_required
def team_list(request):
    user = request.user

    def build(params, context):
        return queries.teams(
            user,
            region=region_param(params["region"]),
            kind=choice_param(params["kind"], TeamKind, "kind", "队伍类型"),
            capability=choice_param(params["capability"], Capability, "capability", "救援能力"),
            readiness=choice_param(params["readiness"], Readiness, "readiness", "战备状态"),
            q=params["q"] or None,
        ).select_related("region__parent")

    return filtered_list(
        request,
        FILTER_KEYS,
        build,
        "emergency/teams.html",
        "emergency/partials/team_table.html",
        lambda: {
            "kinds": TeamKind.choices,
            "capabilities": Capability.choices,
            "readiness_choices": Readiness.choices,
            "region_groups": region_groups(user),
            "can_manage": can_manage(user),
        },
    )



# -- the team ----------------------------------------------------------------------------------


def _run_readiness(action: str, done: str):
    def run(request, team, form):
        services.team_action(actor=request.user, team=team, action=action, note=form.cleaned_data["note"])
        return done

    return run


ACTIONS = {
    "stand_down": Action(
        "转为休整",
        forms.NoteForm,
        _run_readiness("stand_down", "队伍已转为休整，暂不参与调派"),
        loop=("stand_down",),
        button="btn-outline-secondary",
        hint="须写明休整原因（训练、装备检修、轮休等）。",
    ),
    "stand_by": Action(
        "恢复待命",
        forms.NoteForm,
        _run_readiness("stand_by", "队伍已恢复待命"),
        loop=("stand_by",),
        button="btn-success",
    ),
}


def render_team(request, team, *, bound=None, notice="", failed="", status=200):
    user, bound = request.user, bound or {}
    team = get_or_404(RescueTeam, user, team.pk)
    keys = offered(ACTIONS, team, user)
    keys += [k for k in bound if k not in keys]
    panels = [
        panel(ACTIONS[key], key, request, team, reverse("emergency:team_action", args=[team.pk, key]), bound)
        for key in ACTIONS
        if key in keys
    ]
    orders = list(
        queries.orders(user)
        .filter(team=team)
        .select_related("dispatch__region")
        .order_by("-sent_at", "-id")[:ORDER_LIMIT]
    )
    context = {
        "team": team,
        "badges": BADGES,
        "panels": panels,
        "orders": orders,
        "order_limit": ORDER_LIMIT,
        "drills": list(queries.drills(user).filter(teams=team)[:20]),
        "can_manage": can_manage(user),
        "history": history_rows(team),
        "notice": notice,
        "failed": failed,
    }
    return render(request, "emergency/team.html", context, status=status)


@login_required
def team_detail(request, pk: int):
    return render_team(request, get_or_404(RescueTeam, request.user, pk))


@login_required
@require_POST
def team_action(request, pk: int, action: str):
    team = get_or_404(RescueTeam, request.user, pk)
    return act(
        request,
        team,
        action,
        ACTIONS,
        page=render_team,
        back=reverse("emergency:team", args=[team.pk]),
        bound_key=action,
    )


# -- register and edit -------------------------------------------------------------------------


def _team_form(request, data=None, initial=None):
    return forms.TeamForm(data, initial=initial, counties=county_choices(request.user), auto_id="team-%s")


def _edit_page(request, form, team, status=200, notice=""):
    form.mark_fields()
    context = {"form": form, "team": team, "notice": notice}
    return render(request, "emergency/team_form.html", context, status=status)


@login_required
def team_new(request):
    user = request.user
    require_government(user)
    require_manager(user)
    if request.method != "POST":
        return _edit_page(request, _team_form(request), None)
    form = _team_form(request, request.POST)
    made = []
    status, notice = attempt(form, lambda: made.append(services.create_team(actor=user, **form.values())))
    if not status:
        messages.success(request, f"已登记救援队伍“{made[0].name}”")
        return redirect("emergency:team", made[0].pk)
    return _edit_page(request, form, None, status, notice)


@login_required
def team_edit(request, pk: int):
    user = request.user
    team = get_or_404(RescueTeam, user, pk)
    require_manager(user)
    if request.method != "POST":
        initial = {
            "name": team.name,
            "region_code": team.region_id,
            "address": team.address,
            "lat": team.lat,
            "lon": team.lon,
            "contact": team.contact,
            "phone": team.phone,
            "kind": team.kind,
            "members": team.members,
            "capabilities": team.capabilities,
        }
        return _edit_page(request, _team_form(request, initial=initial), team)
    form = _team_form(request, request.POST)
    status, notice = attempt(
        form, lambda: services.update_team(actor=user, team=team, **edit_values(form, team))
    )
    if not status:
        messages.success(request, "已保存队伍信息")
        return redirect("emergency:team", team.pk)
    return _edit_page(request, form, team, status, notice)
