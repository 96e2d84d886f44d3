"""Meters and power alerts. An alert is a lead for an on-site check, never a finding by itself.

Loop of a `PowerAlert` (core.loop; rules in guards.py):
    open ──assign──▶ assigned ──confirm──▶ confirmed ──open_case──▶ confirmed (+ enforcement case)
                        │  ▲                  (on-site check: photos, GPS, finding)
                        │  └─assign (reassign)
                        └──dismiss──▶ false_alarm   (the label is kept for evaluation)
The scan (system) creates alerts and extends an open or assigned one (`extend`), never a second
one for the same enterprise and kind. Enterprises never see alerts (SCOPE has no enterprise path):
a check is unannounced.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from benan.core.loop import Transition, Workflow
from benan.core.models import Attachment, Region, Role, User
from benan.core.scope import Scope
from benan.enterprises.models import Enterprise

from . import guards

ADMIN = frozenset({Role.ADMIN})
OFFICES = frozenset({Role.SAFETY_OFFICE, Role.ADMIN})
CHECKERS = frozenset({Role.INSPECTOR, Role.ADMIN})
CASE_OPENERS = frozenset({Role.INSPECTOR, Role.SAFETY_OFFICE, Role.ADMIN})


class Meter(models.Model):
    """A metering point of the power company, and the enterprise it supplies."""

    meter_id = models.CharField("电表号", max_length=40, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="meters"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE = Scope(region="enterprise__region", enterprise="enterprise")

    class Meta:
        ordering = ["enterprise_id", "meter_id"]
        verbose_name = verbose_name_plural = "电表"

    def __str__(self) -> str:
        return self.meter_id


class AlertKind(models.TextChoices):
    COVERT_OPERATION = "covert_operation", "明停暗开"
    PREMATURE_OPERATION = "premature_operation", "边建边开"


class AlertState(models.TextChoices):
    OPEN = "open", "待分派"
    ASSIGNED = "assigned", "待核查"
    CONFIRMED = "confirmed", "核查属实"
    FALSE_ALARM = "false_alarm", "误报"


OPEN_STATES = (AlertState.OPEN, AlertState.ASSIGNED)


class PowerAlert(models.Model):
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="power_alerts"
    )
    # The enterprise's county: it routes the alert and scopes who sees it.
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("预警类型", max_length=30, choices=AlertKind.choices)
    state = models.CharField("状态", max_length=20, choices=AlertState.choices, default=AlertState.OPEN)
    start_date = models.DateField("异常开始日期")
    end_date = models.DateField("异常结束日期")
    days = models.PositiveIntegerField("异常天数")
    score = models.FloatField("预警强度", help_text="0–1，越大越像生产")
    evidence = models.TextField("用电证据")
    energy = models.FloatField("异常期间日均用电 kWh")
    reference = models.FloatField("对比基准日均用电 kWh", null=True, blank=True)
    detected_at = models.DateTimeField("发现时间")
    updated_at = models.DateTimeField(auto_now=True)
    inspector = models.ForeignKey(
        User,
        verbose_name="核查人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="power_alerts",
    )
    assigned_at = models.DateTimeField("分派时间", null=True, blank=True)
    # The on-site check.
    checked_on = models.DateField("核查日期", null=True, blank=True)
    check_lat = models.FloatField("核查位置纬度", null=True, blank=True)
    check_lon = models.FloatField("核查位置经度", null=True, blank=True)
    finding = models.TextField("核查情况", blank=True)
    photos = models.ManyToManyField(Attachment, verbose_name="现场照片", blank=True, related_name="+")
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    case = models.ForeignKey(
        "enforcement.EnforcementCase",
        verbose_name="执法案件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="power_alerts",
    )

    SCOPE = Scope(region="region", enterprise=None)
    LOOP = Workflow(
        transitions=[
            Transition(
                "assign",
                OPEN_STATES,
                AlertState.ASSIGNED,
                OFFICES | CHECKERS,
                "分派核查",
                guard=guards.assign,
                effect=guards.apply_assign,
            ),
            Transition(
                "confirm",
                (AlertState.ASSIGNED,),
                AlertState.CONFIRMED,
                CHECKERS,
                "现场核查属实",
                guard=guards.check,
                effect=guards.apply_check,
            ),
            Transition(
                "dismiss",
                (AlertState.ASSIGNED,),
                AlertState.FALSE_ALARM,
                CHECKERS,
                "现场核查为误报",
                guard=guards.check,
                effect=guards.apply_check,
            ),
            Transition(
                "open_case",
                (AlertState.CONFIRMED,),
                AlertState.CONFIRMED,
                CASE_OPENERS,
                "立案查处",
                guard=guards.open_case,
                effect=guards.apply_open_case,
            ),
            *(
                Transition(
                    "extend",
                    (state,),
                    state,
                    ADMIN,
                    "延长预警期间",
                    effect=guards.apply_extend,
                    by_system=True,
                )
                for state in OPEN_STATES
            ),
        ]
    )

    class Meta:
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "kind"],
                condition=Q(state__in=["open", "assigned"]),
                name="one_open_power_alert",
            ),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="alert_dates"),
        ]
        indexes = [
            models.Index(fields=["region", "state", "detected_at"], name="alert_region_state"),
            models.Index(fields=["inspector", "state"], name="alert_inspector_state"),
            models.Index(fields=["enterprise", "kind", "end_date"], name="alert_enterprise_kind"),
        ]
        verbose_name = verbose_name_plural = "电力数据预警"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}预警 {self.pk}"

    @property
    def number(self) -> str:
        return f"DL{timezone.localtime(self.detected_at):%Y}-{self.pk:06d}"
