"""Warehouse pages (救援物资库): the registry with its filters; the warehouse with its stock (usable
and total per item, the minimum, batches with their expiry), the receive form (入库), the minimum
per item, the write-off of a batch (报废核销) and its pool equipment; the register / edit forms.

Thin views: reads through `queries` and `services.get`, writes through `services`; outside the
scope is 404. Imports from core, this app and `views.common`, `views.history`.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from benan.core import clock
from benan.core.pages import attempt

from .. import catalogue, forms, queries, services
from ..models import Batch, Stock, Warehouse, WarehouseLevel
from .common import (
    BADGES,
    Action,
    act,
    bool_param,
    can_manage,
    choice_param,
    county_choices,
    edit_values,
    filtered_list,
    get_or_404,
    item_param,
    panel,
    region_groups,
    region_param,
    require_government,
    require_manager,
)
from .history import history_rows

FILTER_KEYS = ("region", "level", "item", "pool", "q")
EQUIPMENT_LIMIT = 50


@login_required
def warehouse_list(request):
    user = request.user

    def build(params, context):
        return queries.warehouses(
            user,
            region=region_param(params["region"]),
            level=choice_param(params["level"], WarehouseLevel, "level", "级别"),
            item=item_param(params["item"], catalogue.MATERIAL),
            pool=bool_param(params["pool"]),
            q=params["q"] or None,
        ).select_related("region__parent")

    return filtered_list(
        request,
        FILTER_KEYS,
        build,
        "emergency/warehouses.html",
        "emergency/partials/warehouse_table.html",
        lambda: {
            "levels": WarehouseLevel.choices,
            "materials": forms.item_choices(catalogue.MATERIAL),
            "region_groups": region_groups(user),
            "can_manage": can_manage(user),
        },
    )



# -- the warehouse -----------------------------------------------------------------------------


def _run_receive(request, warehouse, form):
    data = form.values()
    batch = services.receive(actor=request.user, warehouse=warehouse, **data)
    stock = batch.stock
    return f"已入库 {stock.item_name} {batch.quantity}{stock.unit}"


def _run_minimum(request, stock, form):
    stock = services.set_minimum(actor=request.user, stock=stock, minimum=form.cleaned_data["minimum"])
    return f"{stock.item_name}最低库存已设为 {stock.minimum}{stock.unit}"


def _run_write_off(request, batch, form):
    data = form.cleaned_data
    batch = services.write_off(
        actor=request.user, batch=batch, quantity=data["quantity"], reason=data["reason"]
    )
    return f"已核销，该批次现存 {batch.quantity}{batch.stock.unit}"


RECEIVE = {"receive": Action("物资入库", forms.ReceiveForm, _run_receive)}
MINIMUM = {
    "minimum": Action(
        "设置最低库存",
        forms.MinimumForm,
        _run_minimum,
        button="btn-outline-primary",
        form_kwargs=lambda request, stock: {"initial": {"minimum": stock.minimum}},
    )
}
WRITE_OFF = {"write_off": Action("报废核销", forms.WriteOffForm, _run_write_off, button="btn-outline-danger")}


def stock_rows(warehouse, request, bound: dict, manage: bool) -> list[dict]:
    today = clock.today()
    soon = today + timedelta(days=queries.EXPIRY_WARNING_DAYS)
    rows = []
    for stock in queries.stock_of(warehouse):
        batches = []
        for batch in stock.batches.all():
            if batch.quantity <= 0:
                continue
            key = f"write_off:{batch.pk}"
            expiry = batch.expiry_date
            batches.append(
                {
                    "batch": batch,
                    "expired": expiry is not None and expiry < today,
                    "expiring": expiry is not None and today <= expiry <= soon,
                    "days_left": (expiry - today).days if expiry else None,
                    "form": panel(
                        WRITE_OFF["write_off"],
                        key,
                        request,
                        batch,
                        reverse("emergency:batch_write_off", args=[batch.pk]),
                        bound,
                    )
                    if manage or key in bound
                    else None,
                }
            )
        key = f"minimum:{stock.pk}"
        minimum = (
            panel(
                MINIMUM["minimum"],
                key,
                request,
                stock,
                reverse("emergency:stock_minimum", args=[stock.pk]),
                bound,
            )
            if manage or key in bound
            else None
        )
        rows.append(
            {
                "stock": stock,
                "below": stock.usable < stock.minimum,
                "batches": batches,
                "minimum_form": minimum,
            }
        )
    return rows


def render_warehouse(request, warehouse, *, bound=None, notice="", failed="", status=200):
    user, bound = request.user, bound or {}
    warehouse = get_or_404(Warehouse, user, warehouse.pk)
    manage = can_manage(user)
    receive = None
    if manage or "receive" in bound:
        receive = panel(
            RECEIVE["receive"],
            "receive",
            request,
            warehouse,
            reverse("emergency:warehouse_receive", args=[warehouse.pk]),
            bound,
        )
    equipment = queries.equipment(user, warehouse=warehouse.pk)
    stocks = stock_rows(warehouse, request, bound, manage)
    context = {
        "warehouse": warehouse,
        "badges": BADGES,
        "stocks": stocks,
        "receive": receive,
        "equipment": list(equipment[:EQUIPMENT_LIMIT]),
        "equipment_count": equipment.count(),
        "equipment_limit": EQUIPMENT_LIMIT,
        "can_manage": manage,
        "history": history_rows(warehouse, *(row["stock"] for row in stocks)),
        "notice": notice,
        "failed": failed,
    }
    return render(request, "emergency/warehouse.html", context, status=status)


@login_required
def warehouse_detail(request, pk: int):
    return render_warehouse(request, get_or_404(Warehouse, request.user, pk))


def _back(warehouse) -> str:
    return reverse("emergency:warehouse", args=[warehouse.pk]) + "#stock"


@login_required
@require_POST
def warehouse_receive(request, pk: int):
    warehouse = get_or_404(Warehouse, request.user, pk)
    return act(
        request,
        warehouse,
        "receive",
        RECEIVE,
        page=render_warehouse,
        back=_back(warehouse),
        bound_key="receive",
    )


@login_required
@require_POST
def stock_minimum(request, pk: int):
    stock = get_or_404(Stock, request.user, pk)

    def page(request, stock, **kwargs):
        return render_warehouse(request, stock.warehouse, **kwargs)

    return act(
        request,
        stock,
        "minimum",
        MINIMUM,
        page=page,
        back=_back(stock.warehouse),
        bound_key=f"minimum:{stock.pk}",
    )


@login_required
@require_POST
def batch_write_off(request, pk: int):
    batch = get_or_404(Batch, request.user, pk)
    warehouse = batch.stock.warehouse

    def page(request, batch, **kwargs):
        return render_warehouse(request, warehouse, **kwargs)

    return act(
        request,
        batch,
        "write_off",
        WRITE_OFF,
        page=page,
        back=_back(warehouse),
        bound_key=f"write_off:{batch.pk}",
    )


# -- register and edit -------------------------------------------------------------------------


def _warehouse_form(request, data=None, initial=None):
    return forms.WarehouseForm(
        data, initial=initial, counties=county_choices(request.user), auto_id="warehouse-%s"
    )


def _edit_page(request, form, warehouse, status=200, notice=""):
    form.mark_fields()
    context = {"form": form, "warehouse": warehouse, "notice": notice}
    return render(request, "emergency/warehouse_form.html", context, status=status)


@login_required
def warehouse_new(request):
    user = request.user
    require_government(user)
    require_manager(user)
    if request.method != "POST":
        return _edit_page(request, _warehouse_form(request, initial={"level": "county"}), None)
    form = _warehouse_form(request, request.POST)
    made = []
    status, notice = attempt(
        form, lambda: made.append(services.create_warehouse(actor=user, **form.values()))
    )
    if not status:
        messages.success(request, f"已登记物资库“{made[0].name}”")
        return redirect("emergency:warehouse", made[0].pk)
    return _edit_page(request, form, None, status, notice)


@login_required
def warehouse_edit(request, pk: int):
    user = request.user
    warehouse = get_or_404(Warehouse, user, pk)
    require_manager(user)
    if request.method != "POST":
        initial = {
            f: getattr(warehouse, f)
            for f in ("name", "address", "lat", "lon", "contact", "phone", "level", "capacity_m2", "is_pool")
        }
        initial["region_code"] = warehouse.region_id
        return _edit_page(request, _warehouse_form(request, initial=initial), warehouse)
    form = _warehouse_form(request, request.POST)
    status, notice = attempt(
        form,
        lambda: services.update_warehouse(actor=user, warehouse=warehouse, **edit_values(form, warehouse)),
    )
    if not status:
        messages.success(request, "已保存物资库信息")
        return redirect("emergency:warehouse", warehouse.pk)
    return _edit_page(request, form, warehouse, status, notice)
