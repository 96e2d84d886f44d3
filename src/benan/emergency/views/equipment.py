"""Pool equipment pages (应急装备 / 装备公物仓): the registry with its filters, the piece with its
active loan, the pool loop's actions (预约, 取消预约, 借出, 归还, 送修保养, 保养完成, 报废) each with
its small form, its loans and history, and the register form.

Thin views: reads through `queries` and `services.get`, writes through `services`; outside the
scope is 404. Imports from core, this app and `views.common`, `views.history`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from benan.core import clock
from benan.core.pages import attempt

from .. import catalogue, forms, queries, services
from ..models import LOAN_ACTIVE, Equipment, EquipmentStatus
from .common import (
    BADGES,
    Action,
    act,
    can_manage,
    choice_param,
    filtered_list,
    get_or_404,
    int_param,
    item_param,
    offered,
    panel,
    region_groups,
    region_param,
    require_government,
    require_manager,
)
from .history import history_rows

FILTER_KEYS = ("region", "status", "item", "warehouse", "q")
WAREHOUSE_CHOICES = 500
# Equipment taken by a dispatch order moves with the order (services._active_order).
ORDER_MOVES = {"cancel_reservation", "lend", "return"}


@login_required
def equipment_list(request):
    user = request.user

    def build(params, context):
        context["warehouse"] = None
        warehouse_id = int_param(params["warehouse"], "warehouse", "物资库编号")
        if warehouse_id is not None:
            context["warehouse"] = queries.warehouses(user).filter(pk=warehouse_id).first()
        return queries.equipment(
            user,
            region=region_param(params["region"]),
            status=choice_param(params["status"], EquipmentStatus, "status", "状态"),
            item=item_param(params["item"], catalogue.EQUIPMENT),
            warehouse=warehouse_id,
            q=params["q"] or None,
        ).select_related("warehouse__region__parent")

    return filtered_list(
        request,
        FILTER_KEYS,
        build,
        "emergency/equipment_list.html",
        "emergency/partials/equipment_table.html",
        lambda: {
            "statuses": EquipmentStatus.choices,
            "items": forms.item_choices(catalogue.EQUIPMENT),
            "region_groups": region_groups(user),
            "can_manage": can_manage(user),
        },
    )



# -- the piece ---------------------------------------------------------------------------------


def _run(action: str, done: str):
    def run(request, equipment, form):
        services.equipment_action(actor=request.user, equipment=equipment, action=action, **form.values())
        return done

    return run


def _return_message(request, equipment, form):
    services.equipment_action(actor=request.user, equipment=equipment, action="return", **form.values())
    if form.cleaned_data.get("condition") == "damaged":
        return "已归还，装备损坏待修，转入维护保养"
    return "已归还入库"


ACTIONS = {
    "reserve": Action("预约", forms.ReserveForm, _run("reserve", "已预约"), loop=("reserve",)),
    "lend": Action(
        "借出",
        forms.LendForm,
        _run("lend", "已借出"),
        loop=("lend",),
        form_kwargs=lambda request, e: {"reserved": e.status == EquipmentStatus.RESERVED},
    ),
    "cancel_reservation": Action(
        "取消预约",
        forms.ConfirmForm,
        _run("cancel_reservation", "已取消预约"),
        loop=("cancel_reservation",),
        button="btn-outline-secondary",
    ),
    "return": Action(
        "归还", forms.ReturnForm, _return_message, loop=("return", "return_damaged"), button="btn-success"
    ),
    "maintain": Action(
        "送修保养",
        forms.ReasonForm,
        _run("maintain", "已送修保养"),
        loop=("maintain",),
        button="btn-outline-warning",
    ),
    "finish_maintenance": Action(
        "保养完成",
        forms.MaintenanceDoneForm,
        _run("finish_maintenance", "保养完成，装备在库可用"),
        loop=("finish_maintenance",),
        button="btn-success",
    ),
    "retire": Action(
        "报废",
        forms.ReasonForm,
        _run("retire", "装备已报废"),
        loop=("retire",),
        button="btn-outline-danger",
        hint="报废后不能恢复。",
    ),
}


def render_equipment(request, equipment, *, bound=None, notice="", failed="", status=200):
    user, bound = request.user, bound or {}
    equipment = get_or_404(Equipment, user, equipment.pk)
    loans = list(
        queries.loans(user)
        .filter(equipment=equipment)
        .select_related("reserved_by", "order__dispatch")
        .order_by("-id")[:50]
    )
    active = next((loan for loan in loans if loan.state in LOAN_ACTIVE), None)
    keys = offered(ACTIONS, equipment, user)
    if active is not None and active.order_id:
        keys = [k for k in keys if k not in ORDER_MOVES]
    keys += [k for k in bound if k not in keys]
    panels = [
        panel(
            ACTIONS[key],
            key,
            request,
            equipment,
            reverse("emergency:equipment_action", args=[equipment.pk, key]),
            bound,
        )
        for key in ACTIONS
        if key in keys
    ]
    today = clock.today()
    context = {
        "equipment": equipment,
        "badges": BADGES,
        "active": active,
        "overdue_days": (today - active.expected_return).days
        if active is not None and active.state == "lent" and active.expected_return < today
        else 0,
        "loans": loans,
        "panels": panels,
        "maintenance_due": equipment.next_maintenance is not None and equipment.next_maintenance <= today,
        "history": history_rows(equipment),
        "notice": notice,
        "failed": failed,
    }
    return render(request, "emergency/equipment.html", context, status=status)


@login_required
def equipment_detail(request, pk: int):
    return render_equipment(request, get_or_404(Equipment, request.user, pk))


@login_required
@require_POST
def equipment_action(request, pk: int, action: str):
    equipment = get_or_404(Equipment, request.user, pk)
    return act(
        request,
        equipment,
        action,
        ACTIONS,
        page=render_equipment,
        back=reverse("emergency:equipment", args=[equipment.pk]),
        bound_key=action,
    )


# -- register ----------------------------------------------------------------------------------


def _equipment_form(request, data=None, initial=None):
    warehouses = (
        queries.warehouses(request.user)
        .select_related("region__parent")
        .order_by("-is_pool", "region_id", "name")
    )
    return forms.EquipmentForm(
        data, initial=initial, warehouses=list(warehouses[:WAREHOUSE_CHOICES]), auto_id="equipment-%s"
    )


@login_required
def equipment_new(request):
    user = request.user
    require_government(user)
    require_manager(user)
    if request.method != "POST":
        initial = {}
        if request.GET.get("warehouse", "").isdigit():
            initial["warehouse"] = int(request.GET["warehouse"])
        form = _equipment_form(request, initial=initial)
        return render(request, "emergency/equipment_form.html", {"form": form, "limit": WAREHOUSE_CHOICES})
    form = _equipment_form(request, request.POST)
    made = []

    def run():
        data = form.values()
        warehouse_id = data.pop("warehouse")
        warehouse = queries.warehouses(user).filter(pk=warehouse_id).first() if warehouse_id else None
        if warehouse is None:
            message = (
                "请选择所属公物仓"
                if not warehouse_id
                else f"物资库 {warehouse_id} 不存在或不在您的管辖范围内"
            )
            raise ValidationError({"warehouse_id": [message]})
        made.append(services.register_equipment(actor=user, warehouse=warehouse, **data))

    status, notice = attempt(form, run)
    if not status:
        messages.success(request, f"已登记装备 {made[0]}")
        return redirect("emergency:equipment", made[0].pk)
    form.mark_fields()
    context = {"form": form, "limit": WAREHOUSE_CHOICES, "notice": notice}
    return render(request, "emergency/equipment_form.html", context, status=status)
