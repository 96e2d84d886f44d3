"""Dispatch pages (应急调度): the list with its filters, and the dispatch with its incident, a small
map, each order with its state and the time of every step (下达 → 接收 → 出发 → 到达 → 返回), its
material lines, the actions the loop offers on each order (the return asks what came back), and
more orders added from the nearest ranking around the dispatch's point.

Thin views: reads through `queries` and `services.get`, writes through `services`. A dispatch is
seen by the users whose scope holds its place, and by those who received one of its orders (a
county's commander whose team was sent elsewhere). Imports from core, this app and
`views.common`, `views.history`, `views.ranking`, `views.map`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from benan.core.errors import NotFound
from benan.core.pages import attempt, list_page, messages_of

from .. import catalogue, forms, queries, services
from ..models import ORDER_ACTIVE, Capability, Dispatch, DispatchOrder, Origin
from . import ranking
from .common import (
    BADGES,
    Action,
    act,
    bool_param,
    can_manage,
    choice_param,
    get_or_404,
    list_response,
    panel,
    params_of,
    region_groups,
    region_param,
    require_government,
)
from .history import history_rows
from .map import form_notice, nearest_context

FILTER_KEYS = ("region", "origin", "active", "q")
STEPS = [
    ("sent_at", "下达"),
    ("acknowledged_at", "接收"),
    ("departed_at", "出发"),
    ("arrived_at", "到达现场"),
    ("returned_at", "返回"),
]


def dispatch_or_404(user, pk: int) -> Dispatch:
    dispatch = queries.dispatch_seen_by(user, pk)
    if dispatch is None:
        raise Http404("调度不存在")
    return dispatch


@login_required
def dispatch_list(request):
    user = request.user
    require_government(user)
    params = params_of(request, FILTER_KEYS)
    context = {"params": params, "filtered": any(params.values()), "page": None, "rows": [], "errors": []}
    status = 200
    try:
        queryset = queries.dispatches(
            user,
            region=region_param(params["region"]),
            origin=choice_param(params["origin"], Origin, "origin", "来源"),
            active=bool_param(params["active"]),
            q=params["q"] or None,
        )
        page = list_page(request, queryset.select_related("region__parent"))
    except ValidationError as exc:
        context["errors"] = messages_of(exc)
        status = 400
    else:
        counts = {
            row["dispatch"]: row
            for row in queries.orders(user)
            .filter(dispatch__in=[d.pk for d in page.items])
            .order_by()
            .values("dispatch")
            .annotate(total=Count("pk"), active=Count("pk", filter=Q(state__in=ORDER_ACTIVE)))
        }
        context["page"] = page
        context["rows"] = [
            {"dispatch": d, "counts": counts.get(d.pk, {"total": 0, "active": 0})} for d in page.items
        ]
    return list_response(
        request,
        context,
        "emergency/dispatches.html",
        "emergency/partials/dispatch_table.html",
        status,
        lambda: {
            "origins": Origin.choices,
            "region_groups": region_groups(user),
            "can_manage": can_manage(user),
        },
    )


# -- the dispatch ------------------------------------------------------------------------------


def _run_order(action: str, done: str):
    def run(request, order, form):
        services.order_action(actor=request.user, order=order, action=action, **form.values())
        return done

    return run


ORDER_ACTIONS = {
    "acknowledge": Action(
        "确认接收", forms.ConfirmForm, _run_order("acknowledge", "已确认接收指令"), loop=("acknowledge",)
    ),
    "depart": Action("出发", forms.ConfirmForm, _run_order("depart", "已出发"), loop=("depart",)),
    "arrive": Action("到达现场", forms.ConfirmForm, _run_order("arrive", "已到达现场"), loop=("arrive",)),
    "return": Action(
        "返回归队",
        forms.OrderReturnForm,
        _run_order("return", "已返回，资源已归还"),
        loop=("return",),
        button="btn-success",
        form_kwargs=lambda request, order: {"order": order},
    ),
    "cancel": Action(
        "取消指令",
        forms.ReasonForm,
        _run_order("cancel", "指令已取消，资源已退回"),
        loop=("cancel",),
        button="btn-outline-danger",
    ),
}


def _position(order) -> tuple[float, float]:
    place = order.team or order.warehouse or order.equipment.warehouse
    return place.lat, place.lon


def order_rows(request, orders, bound: dict) -> list[dict]:
    user, rows = request.user, []
    for order in orders:
        available = {t.action for t in DispatchOrder.LOOP.available(order, user)}
        panels = []
        for action, spec in ORDER_ACTIONS.items():
            key = f"order:{order.pk}:{action}"
            if action not in available and key not in bound:
                continue
            url = reverse("emergency:order_action", args=[order.pk, action])
            panels.append(panel(spec, key, request, order, url, bound))
        rows.append(
            {
                "order": order,
                "badge": BADGES.get(order.state, "text-bg-secondary"),
                "steps": [(label, getattr(order, f)) for f, label in STEPS],
                "lines": list(order.lines.all()),
                "panels": panels,
                "position": _position(order),
            }
        )
    return rows


def render_dispatch(request, dispatch, *, bound=None, notice="", failed="", status=200, params=None):
    user, bound = request.user, bound or {}
    dispatch = dispatch_or_404(user, dispatch.pk)
    orders = list(
        queries.orders(user, dispatch=dispatch)
        .select_related("sent_by", "team__region", "warehouse__region", "equipment__warehouse__region")
        .prefetch_related("lines__stock")
    )
    rows = order_rows(request, orders, bound)
    sees_place = _sees(user, dispatch)
    context = {
        "dispatch": dispatch,
        "rows": rows,
        "badges": BADGES,
        "may_add": can_manage(user) and sees_place,
        "sees_place": sees_place,
        "kinds": ranking.KINDS,
        "capabilities": Capability.choices,
        "materials": forms.item_choices(catalogue.MATERIAL),
        "equipment_items": forms.item_choices(catalogue.EQUIPMENT),
        "params": params or {},
        "chart": {
            "incident": {"lat": dispatch.lat, "lon": dispatch.lon, "name": dispatch.title},
            "resources": [
                {
                    "lat": r["position"][0],
                    "lon": r["position"][1],
                    "name": r["order"].resource_name,
                    "kind": r["order"].get_kind_display(),
                    "state": r["order"].get_state_display(),
                }
                for r in rows
            ],
        },
        "nearest_html": "",
        "history": history_rows(dispatch, *orders[:50]),
        "notice": notice,
        "failed": failed,
    }
    if context["may_add"]:
        query = {k: v for k, v in (params or request.GET).items() if k in ranking.QUERY_KEYS}
        nearest, _ = nearest_context(request, query, dispatch=dispatch)
        context["nearest_html"] = render_to_string(
            "emergency/partials/nearest.html", nearest, request=request
        )
    return render(request, "emergency/dispatch.html", context, status=status)


def _sees(user, dispatch) -> bool:
    try:
        services.get(Dispatch, user, dispatch.pk)
    except NotFound:
        return False
    return True


@login_required
def dispatch_detail(request, pk: int):
    return render_dispatch(request, dispatch_or_404(request.user, pk))


@login_required
@require_POST
def order_action(request, pk: int, action: str):
    order = get_or_404(DispatchOrder, request.user, pk)
    return act(
        request,
        order,
        action,
        ORDER_ACTIONS,
        page=lambda request, order, **kwargs: render_dispatch(request, order.dispatch, **kwargs),
        back=reverse("emergency:dispatch", args=[order.dispatch_id]) + f"#order-{order.pk}",
        bound_key=f"order:{order.pk}:{action}",
    )


@login_required
@require_POST
def dispatch_orders(request, pk: int):
    """More orders for a dispatch, from the nearest ranking around its point."""
    user = request.user
    dispatch = get_or_404(Dispatch, user, pk)
    if not can_manage(user):
        return render_dispatch(
            request, dispatch, notice="您的角色无权下达调度指令", failed="orders", status=403
        )
    form = forms.OrderForm(request.POST)
    sent = []
    status, notice = attempt(
        form,
        lambda: sent.extend(services.send_orders(actor=user, dispatch=dispatch, orders=form.orders())),
        refusals_on_page=True,
    )
    if not status:
        messages.success(request, f"已下达 {len(sent)} 条调度指令")
        return redirect(reverse("emergency:dispatch", args=[dispatch.pk]) + "#orders")
    return render_dispatch(
        request, dispatch, notice=form_notice(form, notice), failed="orders", status=status
    )
