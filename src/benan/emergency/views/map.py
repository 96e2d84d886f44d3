"""The emergency map (应急资源一张图): Sichuan's prefectures drawn by ECharts with the resources of
the user's scope as layers (teams, warehouses, pool depots, active dispatches, recent accidents),
the point picked by a click, an accident, a drill or typed coordinates, the nearest-resource
ranking around it (an htmx partial) and the one-click 调派 that starts a dispatch and sends the
order (or, for material, one order per warehouse of the cover plan).

The points come from `map_data` (JSON through the data scope, session login; the bearer-token API
is not called from the page), each layer capped at MAP_LIMIT. Imports from core, accidents (their
reads), this app and `views.common`, `views.ranking`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from benan.accidents import queries as accident_queries
from benan.core.pages import attempt, messages_of

from .. import catalogue, forms, queries, services
from ..models import Capability, Dispatch, EquipmentStatus, Readiness
from . import ranking
from .common import county_choices, get_or_404, require_government, require_manager

MAP_LIMIT = 5000
ACCIDENT_CHOICES = 100
# The fields that say where the dispatch goes; sent along with each 调派 button.
ORIGIN_KEYS = ("accident", "drill", "lat", "lon", "region_code", "title")


def recent_accidents(user):
    """Accidents of the scope with a recorded position, most recent first."""
    return accident_queries.accidents(user).filter(lat__isnull=False, lon__isnull=False)


def _origin(user, params: dict) -> dict:
    """The accident or drill named by the parameters (in the scope), and its point."""
    origin = {"accident": None, "drill": None}
    if params.get("accident", "").isdigit():
        origin["accident"] = accident_queries.accidents(user).filter(pk=int(params["accident"])).first()
    elif params.get("drill", "").isdigit():
        origin["drill"] = queries.drills(user).filter(pk=int(params["drill"])).first()
    source = origin["accident"] or origin["drill"]
    if source is not None and not params.get("lat") and not params.get("lon") and source.lat is not None:
        params["lat"], params["lon"] = str(source.lat), str(source.lon)
        if not params.get("region_code") and source.region.level == "county":
            params["region_code"] = source.region_id
    return origin


def nearest_context(request, params: dict, *, dispatch=None) -> tuple[dict, int]:
    """The ranking part's context from `params` (GET or a post echoed back) and its status."""
    user = request.user
    params = {k: str(v).strip()[:200] for k, v in params.items()}
    context = {
        "params": params,
        "errors": [],
        "prompt": "",
        "rows": [],
        "sources": [],
        "plan": None,
        "dispatch": dispatch,
        "kind_label": dict(ranking.KINDS).get(params.get("kind") or "rescue_team", ""),
    }
    if dispatch is not None:
        context["action_url"] = reverse("emergency:dispatch_orders", args=[dispatch.pk])
        context["origin_fields"] = []
        lat, lon = dispatch.lat, dispatch.lon
    else:
        context["action_url"] = reverse("emergency:map_dispatch")
        origin = _origin(user, params)
        context.update(origin)
        context["origin_fields"] = [(k, params.get(k, "")) for k in ORIGIN_KEYS if params.get(k)]
        context["need_county"] = not (origin["accident"] or origin["drill"] or params.get("region_code"))
    # The ranking's own parameters travel with each 调派 so that a refusal shows the same ranking.
    context["echo_fields"] = [(k, params[k]) for k in ranking.QUERY_KEYS if k != "kind" and params.get(k)]
    try:
        query = ranking.parse(params)
        if dispatch is None:
            where = ranking.point(params)
            if where is None:
                context["prompt"] = "请在地图上点选事发位置、选择事故或填写经纬度，再查看最近的应急资源。"
                return context, 200
            lat, lon = where
        context.update(ranking.ranking(user, query, lat, lon))
    except ValidationError as exc:
        context["errors"] = messages_of(exc)
        return context, 400
    context.update(
        query=query,
        lat=lat,
        lon=lon,
        unit=ranking.unit_of(query.item),
        item_name=catalogue.name(query.item) if query.item else "",
    )
    return context, 200


def _page_context(request, params: dict) -> dict:
    user = request.user
    nearest, status = nearest_context(request, dict(params))
    drill = nearest.get("drill")
    return {
        **nearest,
        "status": status,
        "accidents": list(recent_accidents(user).select_related("region__parent")[:ACCIDENT_CHOICES]),
        "counties": county_choices(user),
        "kinds": ranking.KINDS,
        "capabilities": Capability.choices,
        "materials": forms.item_choices(catalogue.MATERIAL),
        "equipment_items": forms.item_choices(catalogue.EQUIPMENT),
        "map_limit": MAP_LIMIT,
        "drill": drill,
    }


@login_required
def map_page(request):
    require_government(request.user)
    params = {k: v for k, v in request.GET.items()}
    context = _page_context(request, params)
    return render(request, "emergency/map.html", context)


@login_required
def nearest(request):
    """The ranking part alone (htmx); `dispatch` ranks around an existing dispatch's point."""
    user = request.user
    require_government(user)
    params = {k: v for k, v in request.GET.items()}
    dispatch = None
    if params.get("dispatch"):
        if not params["dispatch"].isdigit():
            raise Http404("调度不存在")
        dispatch = get_or_404(Dispatch, user, int(params["dispatch"]))
    context, status = nearest_context(request, params, dispatch=dispatch)
    response = render(request, "emergency/partials/nearest.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


# -- the points of the map ---------------------------------------------------------------------


def _layer(key: str, name: str, queryset, convert) -> dict:
    rows = list(queryset[: MAP_LIMIT + 1])
    total = queryset.count() if len(rows) > MAP_LIMIT else len(rows)
    return {
        "key": key,
        "name": name,
        "total": total,
        "shown": min(total, MAP_LIMIT),
        "points": [convert(r) for r in rows[:MAP_LIMIT]],
    }


@login_required
def map_data(request):
    """The map's points as JSON: [lon, lat, id, name, note, available] per point, per layer."""
    user = request.user
    require_government(user)
    teams = queries.teams(user).order_by("id").values_list("lon", "lat", "id", "name", "readiness", "members")
    readiness = dict(Readiness.choices)
    depots = (
        queries.warehouses(user)
        .order_by("id")
        .annotate(ready=Count("equipment", filter=Q(equipment__status=EquipmentStatus.AVAILABLE)))
        .values_list("lon", "lat", "id", "name", "level", "is_pool", "ready")
    )
    dispatches = (
        queries.dispatches(user, active=True)
        .order_by("-created_at")
        .values_list("lon", "lat", "id", "title", "created_at")
    )
    accidents = recent_accidents(user).values_list("lon", "lat", "id", "unit_name", "number")[
        :ACCIDENT_CHOICES
    ]
    layers = [
        _layer(
            "teams",
            "救援队伍",
            teams,
            lambda r: [
                r[0],
                r[1],
                r[2],
                r[3],
                f"{readiness.get(r[4], r[4])}，{r[5]}人",
                r[4] == Readiness.READY,
            ],
        ),
        _layer(
            "warehouses",
            "物资库",
            depots.filter(is_pool=False),
            lambda r: [r[0], r[1], r[2], r[3], "物资库", True],
        ),
        _layer(
            "pools",
            "装备公物仓",
            depots.filter(is_pool=True),
            lambda r: [r[0], r[1], r[2], r[3], f"在库可用装备 {r[6]} 件", r[6] > 0],
        ),
        _layer(
            "dispatches",
            "进行中的调度",
            dispatches,
            lambda r: [r[0], r[1], r[2], r[3], f"{r[4]:%Y-%m-%d %H:%M}", True],
        ),
        _layer("accidents", "近期事故", accidents, lambda r: [r[0], r[1], r[2], r[3], r[4], True]),
    ]
    urls = {
        "teams": reverse("emergency:team", args=[0]),
        "warehouses": reverse("emergency:warehouse", args=[0]),
        "pools": reverse("emergency:warehouse", args=[0]),
        "dispatches": reverse("emergency:dispatch", args=[0]),
        "accidents": reverse("accidents:detail", args=[0]),
    }
    for layer in layers:
        layer["url"] = urls[layer["key"]].replace("/0/", "/{id}/")
    return JsonResponse({"limit": MAP_LIMIT, "layers": layers}, json_dumps_params={"ensure_ascii": False})


# -- one-click dispatch ------------------------------------------------------------------------


def _title(user, data: dict) -> str:
    if data.get("title"):
        return data["title"]
    if data.get("accident"):
        accident = accident_queries.accidents(user).filter(pk=data["accident"]).first()
        if accident is not None:
            return f"事故应急：{accident.number} {accident.unit_name}"[:200]
    if data.get("drill"):
        drill = queries.drills(user).filter(pk=data["drill"]).first()
        if drill is not None:
            return f"演练调度：{drill.title}"[:200]
    where = (
        f"（{data['lat']:.4f}, {data['lon']:.4f}）"
        if data.get("lat") is not None and data.get("lon") is not None
        else ""
    )
    return f"应急调度：地图位置{where}"


def form_notice(form, notice: str) -> str:
    """A refusal in one line: the service's message, or the form's errors (fields are hidden)."""
    if notice:
        return notice
    return "；".join(str(e) for errors in form.errors.values() for e in errors) or "调度未能下达"


@login_required
@require_POST
def map_dispatch(request):
    """Start a dispatch at the picked point (accident, drill or map position) and send the order."""
    user = request.user
    require_government(user)
    require_manager(user)
    form = forms.DispatchForm(request.POST)
    made = []

    def run():
        data = form.cleaned_data
        origin = "accident" if data.get("accident") else "drill" if data.get("drill") else "point"
        dispatch = services.start_dispatch(
            actor=user,
            title=_title(user, data),
            origin=origin,
            accident_id=data.get("accident"),
            drill_id=data.get("drill") if origin == "drill" else None,
            lat=data.get("lat"),
            lon=data.get("lon"),
            region_code=data.get("region_code") or None,
        )
        sent = services.send_orders(actor=user, dispatch=dispatch, orders=form.orders())
        made.append((dispatch, sent))

    status, notice = attempt(form, run, refusals_on_page=True)
    if not status:
        dispatch, sent = made[0]
        messages.success(request, f"已发起调度 {dispatch.number}，下达 {len(sent)} 条指令")
        return redirect("emergency:dispatch", dispatch.pk)
    params = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    if params.get("kind") == "team":
        params["kind"] = "rescue_team"
    elif params.get("kind") == "material":
        params["kind"], params["material"] = "warehouse", params.get("item", "")
    context = _page_context(
        request, {k: v for k, v in params.items() if k in ORIGIN_KEYS + ranking.QUERY_KEYS}
    )
    context["notice"] = form_notice(form, notice)
    return render(request, "emergency/map.html", context, status=status)
