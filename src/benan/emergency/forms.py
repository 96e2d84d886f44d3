"""Forms of the emergency pages: they collect input; the rules and their Chinese messages live in
`services` and `guards`, whose ValidationErrors (keyed by the services' argument names) are put
back on the fields here through `aliases`. Fields are optional and choices are plain selects so
that the services say what is missing or not allowed.

Imports from core (the shared form fields and the service-errors mixin) and this app.
"""

from __future__ import annotations

from django import forms

from benan.core.forms import (
    DEGREES_ERRORS,
    ServiceErrorsMixin,
    date_field,
    degrees_field,
    flag,
    text_field,
    user_label,
)

from . import catalogue
from .models import Capability, Condition, DrillKind, Rating, TeamKind, WarehouseLevel

INTEGER_ERRORS = {"invalid": "请输入整数"}


def _integer(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "1"}),
        error_messages=INTEGER_ERRORS,
    )


def _select(label: str, choices=(), empty: str = "请选择") -> forms.CharField:
    """A select whose value the service checks (its message names the allowed values)."""
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}, choices=[("", empty), *choices]),
    )


def item_choices(kind: str) -> list:
    """Catalogue items of `kind` grouped by category, for <optgroup>."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for item in catalogue.of_kind(kind):
        groups.setdefault(item.category, []).append((item.code, f"{item.name}（{item.unit}）"))
    return list(groups.items())


class Form(ServiceErrorsMixin, forms.Form):
    def values(self) -> dict:
        return dict(self.cleaned_data)


# -- registries --------------------------------------------------------------------------------


class LocatedForm(Form):
    """What every resource has: name, county, address, position and contact."""

    name = text_field("名称", max_length=100)
    region_code = _select("所属区县", empty="请选择区县")
    address = text_field("地址", max_length=200)
    lat = degrees_field("纬度", "lat")
    lon = degrees_field("经度", "lon")
    contact = text_field("联系人", max_length=50)
    phone = text_field("联系电话", max_length=20)

    def __init__(self, *args, counties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].widget.choices = [("", "请选择区县"), *counties]


class TeamForm(LocatedForm):
    kind = _select("队伍类型", TeamKind.choices, empty="请选择队伍类型")
    members = _integer("队员人数")
    capabilities = forms.MultipleChoiceField(
        label="救援能力",
        required=False,
        choices=Capability.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": "“%(value)s”不是可选的救援能力"},
    )


class WarehouseForm(LocatedForm):
    level = _select("级别", WarehouseLevel.choices, empty="请选择级别")
    capacity_m2 = _integer("库容（平方米，可不填）")
    is_pool = flag("同时作为装备公物仓")


class EquipmentForm(Form):
    warehouse = forms.IntegerField(
        label="所属公物仓",
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid": "请选择所属公物仓"},
    )
    item = _select("装备品目", empty="请选择装备品目")
    serial = text_field("出厂编号", max_length=60)
    model = text_field("型号", max_length=100)
    next_maintenance = date_field("下次保养日期（可不填）")
    note = text_field("备注", max_length=200)

    aliases = {"warehouse_id": "warehouse"}

    def __init__(self, *args, warehouses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].widget.choices = [("", "请选择所属公物仓")] + [
            (str(w.pk), f"{w.name}（{w.region.full_name}）{'' if w.is_pool else '·非公物仓'}")
            for w in warehouses
        ]
        self.fields["item"].widget.choices = [("", "请选择装备品目"), *item_choices(catalogue.EQUIPMENT)]


# -- stock -------------------------------------------------------------------------------------


class ReceiveForm(Form):
    item = _select("物资品目", empty="请选择物资品目")
    quantity = _integer("入库数量")
    expiry_date = date_field("有效期至（不过期的不填）")
    received_on = date_field("入库日期（不填为今天）")
    minimum = _integer("同时设置最低库存（可不填）")
    note = text_field("备注", max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].widget.choices = [("", "请选择物资品目"), *item_choices(catalogue.MATERIAL)]


class MinimumForm(Form):
    minimum = _integer("最低库存")


class WriteOffForm(Form):
    quantity = _integer("核销数量")
    reason = text_field("核销原因", max_length=200, placeholder="过期、损坏等")


# -- loop actions ------------------------------------------------------------------------------


class ConfirmForm(Form):
    """An action with nothing to fill in."""


class NoteForm(Form):
    note = text_field("说明", max_length=200)


class ReasonForm(Form):
    reason = text_field("原因", max_length=200)


class ReserveForm(Form):
    borrower = text_field("借用单位", max_length=100)
    purpose = text_field("用途", max_length=200)
    expected_return = date_field("预计归还日期")


class LendForm(ReserveForm):
    """Lending a reserved piece needs nothing more; lending straight from the shelf needs the borrower."""

    def __init__(self, *args, reserved: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if reserved:
            self.fields["borrower"].label = "借用单位（已预约的不填）"
            self.fields["expected_return"].label = "预计归还日期（不改的不填）"

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class ReturnForm(Form):
    condition = forms.ChoiceField(
        label="归还状况",
        required=False,
        initial=Condition.GOOD,
        choices=Condition.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": "归还状况必须是完好或损坏待修"},
    )
    note = text_field("归还说明", max_length=200)


class MaintenanceDoneForm(Form):
    next_maintenance = date_field("下次保养日期")


class OrderReturnForm(Form):
    """The return of an order: equipment comes back good or damaged; material lines say how much
    came back (what is not returned counts as used)."""

    note = text_field("返回说明", max_length=500)

    aliases = {"returned": "__all__"}

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.line_fields: list[tuple[str, int]] = []
        if order is None:
            return
        if order.kind == "equipment":
            self.fields["condition"] = forms.ChoiceField(
                label="装备归还状况",
                required=False,
                initial=Condition.GOOD,
                choices=Condition.choices,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"invalid_choice": "归还状况必须是完好或损坏待修"},
            )
        elif order.kind == "material":
            for line in order.lines.all():
                name = f"returned_{line.pk}"
                self.fields[name] = forms.IntegerField(
                    label=f"{line.stock.item_name}退回数量（调出 {line.quantity}{line.stock.unit}）",
                    required=False,
                    initial=0,
                    min_value=0,
                    max_value=line.quantity,
                    widget=forms.NumberInput(attrs={"class": "form-control", "step": "1", "min": "0"}),
                    error_messages={
                        **INTEGER_ERRORS,
                        "min_value": "退回数量不能小于 0",
                        "max_value": f"退回数量不能超过调出数量 {line.quantity}",
                    },
                )
                self.line_fields.append((name, line.pk))

    def values(self) -> dict:
        data = {"note": self.cleaned_data.get("note", "")}
        if "condition" in self.fields:
            data["condition"] = self.cleaned_data.get("condition") or Condition.GOOD
        if self.line_fields:
            data["returned"] = {pk: self.cleaned_data.get(name) or 0 for name, pk in self.line_fields}
        return data


# -- drills ------------------------------------------------------------------------------------


class DrillForm(Form):
    title = text_field("名称", max_length=200)
    kind = _select("类型", DrillKind.choices, empty="请选择类型")
    region_code = _select("组织区划", empty="请选择区划")
    organiser = text_field("组织单位", max_length=100)
    scenario = text_field("方案与情景", max_length=10_000, rows=4)
    planned_on = date_field("计划日期")
    location = text_field("地点", max_length=200)
    lat = degrees_field("纬度（可不填）", "lat")
    lon = degrees_field("经度（可不填）", "lon")
    participants = text_field("参加单位和人员", max_length=5000, rows=2)
    teams = forms.TypedMultipleChoiceField(
        label="参演队伍（可多选）",
        required=False,
        coerce=int,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": "8"}),
        error_messages={"invalid_choice": "救援队伍 %(value)s 不存在或不在您的管辖范围内"},
    )

    aliases = {"team_ids": "teams"}

    def __init__(self, *args, regions=(), teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].widget.choices = [("", "请选择区划"), *regions]
        self.fields["teams"].choices = [
            (t.pk, f"{t.name}（{t.region.full_name}，{t.get_kind_display()}）") for t in teams
        ]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["team_ids"] = data.pop("teams") or []
        return data


class HoldForm(Form):
    held_on = date_field("实施日期")
    participant_count = _integer("参加人数")
    evaluation = text_field("评估意见", max_length=5000, rows=3)
    rating = forms.ChoiceField(
        label="评估等级",
        required=False,
        choices=[("", "请选择评估等级"), *Rating.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "请选择优秀、良好、合格或不合格"},
    )


class FollowUpForm(Form):
    description = text_field("问题和整改要求", max_length=2000, rows=2)
    assignee = forms.IntegerField(
        label="责任人",
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid": "请选择责任人"},
    )
    due_date = date_field("整改期限")

    aliases = {"assignee_id": "assignee"}

    def __init__(self, *args, assignees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].widget.choices = [("", "请选择责任人")] + [
            (str(u.pk), user_label(u)) for u in assignees
        ]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["assignee_id"] = data.pop("assignee")
        return data


class SubmitForm(Form):
    result = text_field("整改情况", max_length=5000, rows=3)


class CommentForm(Form):
    comment = text_field("意见", max_length=500)

    def __init__(self, *args, label: str = "验收意见（可不填）", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].label = label


# -- dispatch ----------------------------------------------------------------------------------


class OrderForm(Form):
    """One click of 调派: the resource (a team or a piece of equipment), or material — the item and
    `take` rows "warehouse:quantity", one material order per warehouse."""

    kind = forms.CharField(required=False)
    id = forms.IntegerField(required=False, error_messages={"invalid": "资源编号必须是整数"})
    item = forms.CharField(required=False, max_length=10)
    take = forms.MultipleChoiceField(required=False)
    note = text_field("指令内容", max_length=500)

    aliases = {"lines": "__all__", "orders": "__all__", "kind": "__all__", "id": "__all__"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any "warehouse:quantity" text is accepted here; clean_take reads it.
        self.fields["take"].valid_value = lambda value: True

    def clean_take(self) -> list[tuple[int, int]]:
        rows = []
        for raw in self.cleaned_data.get("take") or []:
            warehouse, _, quantity = str(raw).partition(":")
            try:
                rows.append((int(warehouse), int(quantity)))
            except ValueError:
                raise forms.ValidationError(f"调出方案“{raw}”格式应为“物资库编号:数量”") from None
        return rows

    def orders(self) -> list[dict]:
        data = self.cleaned_data
        kind, note = data.get("kind") or "", data.get("note") or ""
        if kind == "material":
            return [
                {
                    "kind": "material",
                    "id": warehouse,
                    "note": note,
                    "lines": [{"item": data.get("item"), "quantity": n}],
                }
                for warehouse, n in data["take"]
                if n > 0
            ]
        return [{"kind": kind, "id": data.get("id"), "note": note}]


class DispatchForm(OrderForm):
    """Start a dispatch from the map page and send its first order(s) in one click."""

    title = text_field("调度事由", max_length=200)
    accident = forms.IntegerField(required=False, error_messages={"invalid": "事故编号必须是整数"})
    drill = forms.IntegerField(required=False, error_messages={"invalid": "演练编号必须是整数"})
    lat = forms.FloatField(required=False, error_messages=DEGREES_ERRORS)
    lon = forms.FloatField(required=False, error_messages=DEGREES_ERRORS)
    region_code = forms.CharField(required=False, max_length=6)

    aliases = {
        **OrderForm.aliases,
        "accident_id": "__all__",
        "drill_id": "__all__",
        "origin": "__all__",
        "lat": "__all__",
        "lon": "__all__",
        "region_code": "__all__",
        "title": "__all__",
    }
