"""Emergency resources, dispatch and drills.

Each resource has coordinates and a county (`region`), which scopes who sees and moves it:
commanders and safety offices in the county's subtree move it, other government users read it.
Loops (core.loop; rules in guards.py):
    RescueTeam.readiness  ready ⇄ resting; ready → deployed → ready (by dispatch orders)
    Equipment.status      available → reserved → deployed → available or maintenance;
                          available ⇄ maintenance; available | maintenance → retired
    DispatchOrder.state   sent → acknowledged → en_route → on_scene → returned;
                          sent | acknowledged → cancelled
    Drill.state           planned → held | cancelled
    FollowUp.state        open → submitted → closed (or back to open)
Material quantities are whole units of the catalogue item's unit (catalogue.py); a batch never
goes below zero (a database check as well as the services' rule).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from benan.core.loop import Transition, Workflow
from benan.core.models import Region, Role, User
from benan.core.scope import Scope

from . import catalogue, guards

MANAGERS = frozenset({Role.COMMANDER, Role.SAFETY_OFFICE, Role.ADMIN})
# Follow-up items of a drill are done by whoever they are assigned to (any government user).
ASSIGNEES = frozenset({Role.COMMANDER, Role.SAFETY_OFFICE, Role.INSPECTOR, Role.EXPERT, Role.ADMIN})


class Located(models.Model):
    """What every resource has: a name, a county, a position and someone to call."""

    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    address = models.CharField("地址", max_length=200, blank=True)
    lat = models.FloatField("纬度")
    lon = models.FloatField("经度")
    contact = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE = Scope(region="region", enterprise=None)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


# -- rescue teams ------------------------------------------------------------------------------


class TeamKind(models.TextChoices):
    MINE_RESCUE = "mine_rescue", "矿山救护队"
    HAZCHEM = "hazchem", "危险化学品救援队"
    FIRE = "fire", "消防救援队"
    FOREST_FIRE = "forest_fire", "森林消防队"
    MEDICAL = "medical", "医疗救护队"
    PROFESSIONAL = "professional", "专业救援队"
    ENTERPRISE = "enterprise", "企业专职救援队"
    SOCIAL = "social", "社会救援力量"


class Capability(models.TextChoices):
    MINE_RESCUE = "mine_rescue", "矿山救护"
    HAZCHEM = "hazchem", "危化品处置"
    FIRE = "fire", "火灾扑救"
    FOREST_FIRE = "forest_fire", "森林灭火"
    WATER = "water", "水域救援"
    COLLAPSE = "collapse", "建筑坍塌搜救"
    EARTHQUAKE = "earthquake", "地震搜救"
    ROPE = "rope", "高空绳索救援"
    TUNNEL = "tunnel", "隧道救援"
    TRAFFIC = "traffic", "道路交通事故救援"
    FLOOD = "flood", "防汛抢险"
    MEDICAL = "medical", "医疗急救"
    POWER = "power", "电力抢修"
    COMMS = "comms", "通信保障"


class Readiness(models.TextChoices):
    READY = "ready", "待命"
    DEPLOYED = "deployed", "出动中"
    RESTING = "resting", "休整"


class RescueTeam(Located):
    kind = models.CharField("队伍类型", max_length=20, choices=TeamKind.choices)
    members = models.PositiveIntegerField("队员人数")
    # ",hazchem,fire," — the commas let one indexed-free `contains` find a capability on every
    # database without a join; `capabilities` is the list.
    capability_tags = models.CharField("救援能力", max_length=300, blank=True)
    readiness = models.CharField(
        "战备状态", max_length=20, choices=Readiness.choices, default=Readiness.READY
    )
    readiness_note = models.CharField("状态说明", max_length=200, blank=True)

    LOOP = Workflow(
        state_field="readiness",
        transitions=[
            Transition(
                "stand_down",
                (Readiness.READY,),
                Readiness.RESTING,
                MANAGERS,
                "转为休整",
                guard=guards.readiness_note,
                effect=guards.apply_readiness_note,
            ),
            Transition(
                "stand_by",
                (Readiness.RESTING,),
                Readiness.READY,
                MANAGERS,
                "恢复待命",
                effect=guards.apply_readiness_note,
            ),
            # Only dispatch orders deploy and release a team (services.py).
            Transition(
                "deploy",
                (Readiness.READY,),
                Readiness.DEPLOYED,
                MANAGERS,
                "出动",
                effect=guards.apply_readiness_note,
            ),
            Transition(
                "release",
                (Readiness.DEPLOYED,),
                Readiness.READY,
                MANAGERS,
                "归队待命",
                effect=guards.apply_readiness_note,
            ),
        ],
    )

    class Meta:
        ordering = ["region_id", "name", "id"]
        indexes = [
            models.Index(fields=["lat", "lon"], name="team_position"),
            models.Index(fields=["region", "kind"], name="team_region_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__gte=-90, lat__lte=90, lon__gte=-180, lon__lte=180), name="team_coordinates"
            ),
        ]
        verbose_name = verbose_name_plural = "应急救援队伍"

    @property
    def capabilities(self) -> list[str]:
        return [c for c in self.capability_tags.split(",") if c]

    @property
    def capability_labels(self) -> list[str]:
        labels = dict(Capability.choices)
        return [labels.get(c, c) for c in self.capabilities]

    @property
    def available(self) -> bool:
        return self.readiness == Readiness.READY


def capability_tags(codes) -> str:
    return "," + ",".join(sorted(set(codes))) + "," if codes else ""


# -- warehouses and stock ----------------------------------------------------------------------


class WarehouseLevel(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWN = "town", "乡镇级"
    ENTERPRISE = "enterprise", "企业"


class Warehouse(Located):
    level = models.CharField("级别", max_length=20, choices=WarehouseLevel.choices)
    capacity_m2 = models.PositiveIntegerField("库容（平方米）", null=True, blank=True)
    # Whether the warehouse is also a depot of the equipment pool (装备公物仓).
    is_pool = models.BooleanField("装备公物仓", default=False)

    class Meta:
        ordering = ["region_id", "name", "id"]
        indexes = [
            models.Index(fields=["lat", "lon"], name="warehouse_position"),
            models.Index(fields=["region", "level"], name="warehouse_region_level"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__gte=-90, lat__lte=90, lon__gte=-180, lon__lte=180),
                name="warehouse_coordinates",
            ),
        ]
        verbose_name = verbose_name_plural = "救援物资库"

    @property
    def available(self) -> bool:
        return True


class Stock(models.Model):
    """One catalogue item held in one warehouse, with its minimum; the quantity is in batches."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name="物资库", on_delete=models.PROTECT, related_name="stocks"
    )
    item = models.CharField("物资品目", max_length=10)
    minimum = models.PositiveIntegerField("最低库存", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE = Scope(region="warehouse__region", enterprise=None)

    class Meta:
        ordering = ["warehouse_id", "item"]
        constraints = [models.UniqueConstraint(fields=["warehouse", "item"], name="one_stock_per_item")]
        indexes = [models.Index(fields=["item", "warehouse"], name="stock_item")]
        verbose_name = verbose_name_plural = "物资库存"

    def __str__(self) -> str:
        return f"{self.warehouse.name} {self.item_name}"

    @property
    def item_name(self) -> str:
        return catalogue.name(self.item)

    @property
    def unit(self) -> str:
        return catalogue.unit(self.item)


class Batch(models.Model):
    """A delivery of one item: what is left of it, and when it expires (if it does)."""

    stock = models.ForeignKey(Stock, verbose_name="库存", on_delete=models.PROTECT, related_name="batches")
    quantity = models.PositiveIntegerField("现存数量")
    received = models.PositiveIntegerField("入库数量")
    received_on = models.DateField("入库日期")
    expiry_date = models.DateField("有效期至", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    SCOPE = Scope(region="stock__warehouse__region", enterprise=None)

    class Meta:
        # First expiring, first out; batches that never expire last.
        ordering = [models.F("expiry_date").asc(nulls_last=True), "received_on", "id"]
        indexes = [models.Index(fields=["stock", "expiry_date"], name="batch_stock_expiry")]
        verbose_name = verbose_name_plural = "物资批次"

    def __str__(self) -> str:
        return f"批次 {self.pk}：{self.quantity}"


# -- the equipment pool ------------------------------------------------------------------------


class EquipmentStatus(models.TextChoices):
    AVAILABLE = "available", "在库可用"
    RESERVED = "reserved", "已预约"
    DEPLOYED = "deployed", "已借出"
    MAINTENANCE = "maintenance", "维护保养"
    RETIRED = "retired", "已报废"


class Condition(models.TextChoices):
    GOOD = "good", "完好"
    DAMAGED = "damaged", "损坏待修"


class Equipment(models.Model):
    item = models.CharField("装备品目", max_length=10)
    model = models.CharField("型号", max_length=100, blank=True)
    serial = models.CharField("出厂编号", max_length=60, unique=True)
    warehouse = models.ForeignKey(
        Warehouse, verbose_name="所属公物仓", on_delete=models.PROTECT, related_name="equipment"
    )
    status = models.CharField(
        "状态", max_length=20, choices=EquipmentStatus.choices, default=EquipmentStatus.AVAILABLE
    )
    next_maintenance = models.DateField("下次保养日期", null=True, blank=True)
    # The maintenance date the sweep last reminded about, so each date reminds once.
    maintenance_reminded = models.DateField(null=True, blank=True, editable=False)
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE = Scope(region="warehouse__region", enterprise=None)
    LOOP = Workflow(
        state_field="status",
        transitions=[
            Transition(
                "reserve",
                (EquipmentStatus.AVAILABLE,),
                EquipmentStatus.RESERVED,
                MANAGERS,
                "预约",
                guard=guards.reserve,
                effect=guards.apply_reserve,
            ),
            Transition(
                "cancel_reservation",
                (EquipmentStatus.RESERVED,),
                EquipmentStatus.AVAILABLE,
                MANAGERS,
                "取消预约",
                effect=guards.apply_cancel_reservation,
            ),
            Transition(
                "lend",
                (EquipmentStatus.AVAILABLE, EquipmentStatus.RESERVED),
                EquipmentStatus.DEPLOYED,
                MANAGERS,
                "借出",
                guard=guards.lend,
                effect=guards.apply_lend,
            ),
            Transition(
                "return",
                (EquipmentStatus.DEPLOYED,),
                EquipmentStatus.AVAILABLE,
                MANAGERS,
                "归还（完好）",
                guard=guards.give_back,
                effect=guards.apply_return,
            ),
            Transition(
                "return_damaged",
                (EquipmentStatus.DEPLOYED,),
                EquipmentStatus.MAINTENANCE,
                MANAGERS,
                "归还（损坏待修）",
                guard=guards.give_back,
                effect=guards.apply_return,
            ),
            Transition(
                "maintain",
                (EquipmentStatus.AVAILABLE,),
                EquipmentStatus.MAINTENANCE,
                MANAGERS,
                "送修保养",
                guard=guards.reason,
            ),
            Transition(
                "finish_maintenance",
                (EquipmentStatus.MAINTENANCE,),
                EquipmentStatus.AVAILABLE,
                MANAGERS,
                "保养完成",
                guard=guards.finish_maintenance,
                effect=guards.apply_finish_maintenance,
            ),
            Transition(
                "retire",
                (EquipmentStatus.AVAILABLE, EquipmentStatus.MAINTENANCE),
                EquipmentStatus.RETIRED,
                MANAGERS,
                "报废",
                guard=guards.reason,
            ),
        ],
    )

    class Meta:
        ordering = ["warehouse_id", "item", "serial"]
        indexes = [
            models.Index(fields=["warehouse", "status"], name="equipment_warehouse_status"),
            models.Index(fields=["status", "next_maintenance"], name="equipment_maintenance"),
        ]
        verbose_name = verbose_name_plural = "应急装备"

    def __str__(self) -> str:
        return f"{self.item_name} {self.serial}"

    @property
    def item_name(self) -> str:
        return catalogue.name(self.item)

    @property
    def available(self) -> bool:
        return self.status == EquipmentStatus.AVAILABLE

    @property
    def active_loan(self):
        return self.loans.filter(state__in=LOAN_ACTIVE).first()


class LoanState(models.TextChoices):
    RESERVED = "reserved", "已预约"
    LENT = "lent", "借出中"
    RETURNED = "returned", "已归还"
    CANCELLED = "cancelled", "已取消"


LOAN_ACTIVE = (LoanState.RESERVED, LoanState.LENT)


class Loan(models.Model):
    """One lending of one piece of equipment, written by the equipment's loop."""

    equipment = models.ForeignKey(
        Equipment, verbose_name="装备", on_delete=models.PROTECT, related_name="loans"
    )
    state = models.CharField("状态", max_length=20, choices=LoanState.choices, default=LoanState.RESERVED)
    borrower = models.CharField("借用单位", max_length=100)
    purpose = models.CharField("用途", max_length=200, blank=True)
    expected_return = models.DateField("预计归还日期")
    reserved_by = models.ForeignKey(
        User, verbose_name="经办人", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reserved_at = models.DateTimeField("预约时间", null=True, blank=True)
    lent_at = models.DateTimeField("借出时间", null=True, blank=True)
    returned_at = models.DateTimeField("归还时间", null=True, blank=True)
    condition = models.CharField("归还状况", max_length=20, choices=Condition.choices, blank=True)
    return_note = models.CharField("归还说明", max_length=200, blank=True)
    order = models.ForeignKey(
        "DispatchOrder",
        verbose_name="调度指令",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loans",
    )
    # The due date the sweep last escalated, so each due date escalates once.
    escalated_due = models.DateField(null=True, blank=True, editable=False)

    SCOPE = Scope(region="equipment__warehouse__region", enterprise=None)

    class Meta:
        ordering = ["expected_return", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["equipment"], condition=Q(state__in=["reserved", "lent"]), name="one_active_loan"
            ),
        ]
        indexes = [models.Index(fields=["state", "expected_return"], name="loan_state_due")]
        verbose_name = verbose_name_plural = "装备借用"

    def __str__(self) -> str:
        return f"{self.equipment} → {self.borrower}"


# -- dispatch ----------------------------------------------------------------------------------


class Origin(models.TextChoices):
    ACCIDENT = "accident", "事故"
    DRILL = "drill", "演练"
    POINT = "point", "地图位置"


class Dispatch(models.Model):
    """An emergency (or a drill, or a map point) resources are sent to; its orders follow."""

    title = models.CharField("调度事由", max_length=200)
    origin = models.CharField("来源", max_length=20, choices=Origin.choices)
    accident = models.ForeignKey(
        "accidents.Accident",
        verbose_name="事故",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispatches",
    )
    drill = models.ForeignKey(
        "Drill",
        verbose_name="演练",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispatches",
    )
    region = models.ForeignKey(Region, verbose_name="事发地", on_delete=models.PROTECT, related_name="+")
    lat = models.FloatField("纬度")
    lon = models.FloatField("经度")
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(User, verbose_name="调度人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("调度时间")

    SCOPE = Scope(region="region", enterprise=None)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region", "-created_at"], name="dispatch_region_created")]
        verbose_name = verbose_name_plural = "应急调度"

    def __str__(self) -> str:
        return self.title

    @property
    def number(self) -> str:
        return f"DD{timezone.localtime(self.created_at):%Y}-{self.pk:05d}"


class OrderKind(models.TextChoices):
    TEAM = "team", "救援队伍"
    MATERIAL = "material", "救援物资"
    EQUIPMENT = "equipment", "应急装备"


class OrderState(models.TextChoices):
    SENT = "sent", "已下达"
    ACKNOWLEDGED = "acknowledged", "已接收"
    EN_ROUTE = "en_route", "赶赴途中"
    ON_SCENE = "on_scene", "到达现场"
    RETURNED = "returned", "已返回"
    CANCELLED = "cancelled", "已取消"


ORDER_ACTIVE = (OrderState.SENT, OrderState.ACKNOWLEDGED, OrderState.EN_ROUTE, OrderState.ON_SCENE)


class DispatchOrder(models.Model):
    """An order to one team, one warehouse (with material lines) or one piece of equipment."""

    dispatch = models.ForeignKey(
        Dispatch, verbose_name="调度", on_delete=models.PROTECT, related_name="orders"
    )
    kind = models.CharField("类型", max_length=20, choices=OrderKind.choices)
    team = models.ForeignKey(
        RescueTeam,
        verbose_name="救援队伍",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    warehouse = models.ForeignKey(
        Warehouse,
        verbose_name="物资库",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    equipment = models.ForeignKey(
        Equipment, verbose_name="装备", on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    # The resource's county: whoever moves the resource moves the order.
    region = models.ForeignKey(
        Region, verbose_name="资源所属区划", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("状态", max_length=20, choices=OrderState.choices, default=OrderState.SENT)
    distance_km = models.FloatField("距离（公里）")
    note = models.CharField("指令内容", max_length=500, blank=True)
    sent_by = models.ForeignKey(User, verbose_name="下达人", on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField("下达时间")
    acknowledged_at = models.DateTimeField("接收时间", null=True, blank=True)
    departed_at = models.DateTimeField("出发时间", null=True, blank=True)
    arrived_at = models.DateTimeField("到达时间", null=True, blank=True)
    returned_at = models.DateTimeField("返回时间", null=True, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    return_note = models.CharField("返回说明", max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE = Scope(region="region", enterprise=None)
    LOOP = Workflow(
        transitions=[
            Transition(
                "acknowledge",
                (OrderState.SENT,),
                OrderState.ACKNOWLEDGED,
                MANAGERS,
                "确认接收",
                effect=guards.stamp("acknowledged_at"),
            ),
            Transition(
                "depart",
                (OrderState.ACKNOWLEDGED,),
                OrderState.EN_ROUTE,
                MANAGERS,
                "出发",
                effect=guards.apply_depart,
            ),
            Transition(
                "arrive",
                (OrderState.EN_ROUTE,),
                OrderState.ON_SCENE,
                MANAGERS,
                "到达现场",
                effect=guards.stamp("arrived_at"),
            ),
            Transition(
                "return",
                (OrderState.ON_SCENE,),
                OrderState.RETURNED,
                MANAGERS,
                "返回归队",
                guard=guards.order_return,
                effect=guards.apply_order_return,
            ),
            Transition(
                "cancel",
                (OrderState.SENT, OrderState.ACKNOWLEDGED),
                OrderState.CANCELLED,
                MANAGERS,
                "取消指令",
                guard=guards.reason,
                effect=guards.apply_order_cancel,
            ),
        ]
    )

    class Meta:
        ordering = ["dispatch_id", "distance_km", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="team", team__isnull=False, warehouse__isnull=True, equipment__isnull=True)
                    | Q(kind="material", team__isnull=True, warehouse__isnull=False, equipment__isnull=True)
                    | Q(kind="equipment", team__isnull=True, warehouse__isnull=True, equipment__isnull=False)
                ),
                name="order_one_resource",
            ),
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(state__in=["sent", "acknowledged", "en_route", "on_scene"]),
                name="one_active_team_order",
            ),
        ]
        indexes = [models.Index(fields=["region", "state"], name="order_region_state")]
        verbose_name = verbose_name_plural = "调度指令"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}指令 {self.pk}"

    @property
    def resource(self):
        return self.team or self.warehouse or self.equipment

    @property
    def resource_name(self) -> str:
        if self.equipment_id:
            return f"{self.equipment.item_name}（{self.equipment.serial}）"
        return self.resource.name


class OrderLine(models.Model):
    """Material issued by an order: the quantity, and what came back."""

    order = models.ForeignKey(
        DispatchOrder, verbose_name="指令", on_delete=models.PROTECT, related_name="lines"
    )
    stock = models.ForeignKey(Stock, verbose_name="库存", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField("调出数量")
    returned = models.PositiveIntegerField("退回数量", null=True, blank=True)

    class Meta:
        ordering = ["order_id", "id"]
        verbose_name = verbose_name_plural = "调出物资"

    def __str__(self) -> str:
        return f"{self.stock.item_name} {self.quantity}{self.stock.unit}"


class LineBatch(models.Model):
    """Which batches a line was taken from, so that a return restores the same batches."""

    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="batches")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"批次 {self.batch_id}：{self.quantity}"


# -- drills and training -----------------------------------------------------------------------


class DrillKind(models.TextChoices):
    DRILL = "drill", "应急演练"
    TRAINING = "training", "应急培训"


class DrillState(models.TextChoices):
    PLANNED = "planned", "计划中"
    HELD = "held", "已实施"
    CANCELLED = "cancelled", "已取消"


class Rating(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"


class Drill(models.Model):
    title = models.CharField("名称", max_length=200)
    kind = models.CharField("类型", max_length=20, choices=DrillKind.choices)
    region = models.ForeignKey(Region, verbose_name="组织区划", on_delete=models.PROTECT, related_name="+")
    organiser = models.CharField("组织单位", max_length=100)
    scenario = models.TextField("方案与情景")
    planned_on = models.DateField("计划日期")
    location = models.CharField("地点", max_length=200, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lon = models.FloatField("经度", null=True, blank=True)
    participants = models.TextField("参加单位和人员", blank=True)
    teams = models.ManyToManyField(RescueTeam, verbose_name="参演队伍", blank=True, related_name="drills")
    state = models.CharField("状态", max_length=20, choices=DrillState.choices, default=DrillState.PLANNED)
    held_on = models.DateField("实施日期", null=True, blank=True)
    participant_count = models.PositiveIntegerField("参加人数", null=True, blank=True)
    evaluation = models.TextField("评估意见", blank=True)
    rating = models.CharField("评估等级", max_length=20, choices=Rating.choices, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    created_by = models.ForeignKey(User, verbose_name="登记人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE = Scope(region="region", enterprise=None)
    LOOP = Workflow(
        transitions=[
            Transition(
                "hold",
                (DrillState.PLANNED,),
                DrillState.HELD,
                MANAGERS,
                "登记实施和评估",
                guard=guards.hold,
                effect=guards.apply_hold,
            ),
            Transition(
                "cancel",
                (DrillState.PLANNED,),
                DrillState.CANCELLED,
                MANAGERS,
                "取消",
                guard=guards.reason,
                effect=guards.apply_drill_cancel,
            ),
        ]
    )

    class Meta:
        ordering = ["-planned_on", "-id"]
        indexes = [models.Index(fields=["region", "-planned_on"], name="drill_region_planned")]
        verbose_name = verbose_name_plural = "应急演练和培训"

    def __str__(self) -> str:
        return self.title


class FollowUpState(models.TextChoices):
    OPEN = "open", "整改中"
    SUBMITTED = "submitted", "待验收"
    CLOSED = "closed", "已销号"


class FollowUp(models.Model):
    """A problem a drill exposed, handed to someone to fix by a deadline and checked by another."""

    drill = models.ForeignKey(Drill, verbose_name="演练", on_delete=models.PROTECT, related_name="follow_ups")
    description = models.TextField("问题和整改要求")
    assignee = models.ForeignKey(User, verbose_name="责任人", on_delete=models.PROTECT, related_name="+")
    # The drill's region, or the assignee's when it lies below: the assignee must see the item,
    # and so must the offices above it.
    region = models.ForeignKey(Region, verbose_name="责任区划", on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField("整改期限")
    state = models.CharField("状态", max_length=20, choices=FollowUpState.choices, default=FollowUpState.OPEN)
    result = models.TextField("整改情况", blank=True)
    submitted_by = models.ForeignKey(
        User, verbose_name="提交人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        User, verbose_name="验收人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    comment = models.CharField("验收意见", max_length=500, blank=True)
    escalated_due = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE = Scope(region="region", enterprise=None)
    LOOP = Workflow(
        transitions=[
            Transition(
                "submit",
                (FollowUpState.OPEN,),
                FollowUpState.SUBMITTED,
                ASSIGNEES,
                "提交整改情况",
                guard=guards.submit_follow_up,
                effect=guards.apply_submit_follow_up,
            ),
            Transition(
                "accept",
                (FollowUpState.SUBMITTED,),
                FollowUpState.CLOSED,
                MANAGERS,
                "验收销号",
                guard=guards.verify_follow_up,
                effect=guards.apply_accept_follow_up,
            ),
            Transition(
                "reject",
                (FollowUpState.SUBMITTED,),
                FollowUpState.OPEN,
                MANAGERS,
                "退回重改",
                guard=guards.reject_follow_up,
                effect=guards.apply_reject_follow_up,
            ),
        ]
    )

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["state", "due_date"], name="followup_state_due")]
        verbose_name = verbose_name_plural = "演练整改事项"

    def __str__(self) -> str:
        return self.description[:40]
