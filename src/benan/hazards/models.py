"""Inspections, hazards and their closed loop, rectification submissions, listed supervision.

Imports from core, enterprises and standards. A hazard carries its county (copied from the
enterprise when found) so that scope checks and regional statistics need no join.

An unannounced inspection (暗访) is embargoed until the office that made it publishes it: the
inspection and its hazards carry `embargo_region` (that office's region) meanwhile, which the
data scope reads, so the inspected enterprise and county see nothing until publication.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from benan.core import clock
from benan.core.loop import Transition, Workflow
from benan.core.models import Attachment, Region, Role, User
from benan.core.scope import Scope
from benan.enterprises.models import Enterprise

from . import guards


class Source(models.TextChoices):
    SELF = "self", "企业自查"
    DEPARTMENT = "department", "部门检查"
    SUPERVISION = "supervision", "综合督查"
    UNANNOUNCED = "unannounced", "暗访"


class Grade(models.TextChoices):
    GENERAL = "general", "一般事故隐患"
    MAJOR = "major", "重大事故隐患"


class HazardState(models.TextChoices):
    REPORTED = "reported", "待确认"
    RECTIFYING = "rectifying", "整改中"
    SUBMITTED = "submitted", "待验收"
    CLOSED = "closed", "已销号"
    DISMISSED = "dismissed", "不予确认"


class Answer(models.TextChoices):
    COMPLIES = "complies", "符合"
    VIOLATES = "violates", "不符合"
    NOT_APPLICABLE = "not_applicable", "不适用"


class Visibility(models.TextChoices):
    OPEN = "open", "常规"
    EMBARGOED = "embargoed", "暗访未公开"
    PUBLISHED = "published", "暗访已公开"


GOVERNMENT = frozenset({Role.INSPECTOR, Role.SAFETY_OFFICE, Role.ADMIN})
OPEN_STATES = (HazardState.REPORTED, HazardState.RECTIFYING, HazardState.SUBMITTED)


class Inspection(models.Model):
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="inspections"
    )
    region = models.ForeignKey(Region, verbose_name="所在区县", on_delete=models.PROTECT, related_name="+")
    source = models.CharField("检查类型", max_length=20, choices=Source.choices)
    date = models.DateField("检查日期")
    inspectors = models.CharField("检查人员", max_length=300, blank=True)
    standard = models.ForeignKey(
        "standards.CriteriaStandard", verbose_name="适用标准", null=True, blank=True, on_delete=models.PROTECT
    )
    note = models.TextField("备注", blank=True)
    created_by = models.ForeignKey(User, verbose_name="录入人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("录入时间", default=clock.now, editable=False)
    visibility = models.CharField(
        "公开状态", max_length=10, choices=Visibility.choices, default=Visibility.OPEN
    )
    # The region of the office that made an unannounced inspection (kept after publication).
    office_region = models.ForeignKey(
        Region, verbose_name="实施单位区划", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )
    # = office_region while embargoed, null otherwise: what the data scope reads. Not indexed:
    # it is only ever a residual condition next to the region range.
    embargo_region = models.ForeignKey(
        Region, verbose_name="暗访保密区划", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    published_by = models.ForeignKey(
        User, verbose_name="公开人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    SCOPE = Scope(region="region", enterprise="enterprise", embargo="embargo_region")
    LOOP = Workflow(
        transitions=[
            Transition(
                "publish",
                (Visibility.EMBARGOED,),
                Visibility.PUBLISHED,
                frozenset({Role.SAFETY_OFFICE, Role.INSPECTOR, Role.ADMIN}),
                "公开暗访结果",
                guard=guards.publish,
                effect=guards.apply_publish,
            ),
        ],
        state_field="visibility",
    )

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["region", "-date"], name="inspection_region_date")]
        constraints = [
            # The scope reads embargo_region, the loop reads visibility: they must agree.
            models.CheckConstraint(
                condition=Q(visibility="embargoed", embargo_region__isnull=False)
                | (~Q(visibility="embargoed") & Q(embargo_region__isnull=True)),
                name="inspection_embargo_while_embargoed",
            ),
        ]
        verbose_name = verbose_name_plural = "隐患排查"

    def __str__(self) -> str:
        return f"{self.enterprise} {self.date:%Y-%m-%d} {self.get_source_display()}"


class InspectionAnswer(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(
        "standards.Criterion", verbose_name="判定标准条款", on_delete=models.PROTECT
    )
    answer = models.CharField("结论", max_length=20, choices=Answer.choices)
    note = models.CharField("说明", max_length=500, blank=True)
    photos = models.ManyToManyField(Attachment, blank=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["inspection", "criterion"], name="answer_once")]
        verbose_name = verbose_name_plural = "检查结论"

    def __str__(self) -> str:
        return f"{self.criterion_id} {self.get_answer_display()}"


class Hazard(models.Model):
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="hazards"
    )
    # Indexed only in the composites below: a single-column index tempts SQLite to scan a
    # province-wide range and sort, instead of walking an index in the asked order.
    region = models.ForeignKey(
        Region, verbose_name="所在区县", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    inspection = models.ForeignKey(
        Inspection,
        verbose_name="来源检查",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    source = models.CharField("发现方式", max_length=20, choices=Source.choices)
    description = models.TextField("隐患描述")
    location = models.CharField("隐患部位", max_length=200, blank=True)
    state = models.CharField("状态", max_length=20, choices=HazardState.choices, default=HazardState.REPORTED)
    grade = models.CharField("等级", max_length=10, choices=Grade.choices, blank=True)
    criterion = models.ForeignKey(
        "standards.Criterion",
        verbose_name="判定依据",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField("整改期限", null=True, blank=True)
    # The five elements of a major hazard's plan (措施、责任、资金、时限、预案).
    plan = models.JSONField("整改方案", default=dict, blank=True)
    reported_by = models.ForeignKey(User, verbose_name="报告人", on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(
        User, verbose_name="确认人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    verified_by = models.ForeignKey(
        User, verbose_name="验收人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    dismissed_reason = models.CharField("不予确认理由", max_length=500, blank=True)
    # The deadline the overdue sweep last escalated, so each deadline escalates once.
    escalated_due_date = models.DateField(null=True, blank=True)
    # The embargoing office's region while the hazard's unannounced inspection is unpublished
    # (copied from the inspection when found, cleared on publication). Not indexed: a residual
    # condition next to the region range, and the province (the root) never reads it.
    embargo_region = models.ForeignKey(
        Region, verbose_name="暗访保密区划", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )
    created_at = models.DateTimeField("发现时间", default=clock.now, editable=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    SCOPE = Scope(region="region", enterprise="enterprise", embargo="embargo_region")
    LOOP = Workflow(
        transitions=[
            Transition(
                "confirm",
                (HazardState.REPORTED,),
                HazardState.RECTIFYING,
                GOVERNMENT | {Role.ENTERPRISE},
                "确认隐患",
                guard=guards.confirm,
                effect=guards.apply_confirm,
            ),
            Transition(
                "dismiss",
                (HazardState.REPORTED,),
                HazardState.DISMISSED,
                GOVERNMENT,
                "不予确认",
                guard=guards.dismiss,
                effect=guards.apply_dismiss,
            ),
            Transition(
                "submit",
                (HazardState.RECTIFYING,),
                HazardState.SUBMITTED,
                frozenset({Role.ENTERPRISE}),
                "提交整改",
                guard=guards.submit,
                effect=guards.apply_submit,
            ),
            Transition(
                "verify",
                (HazardState.SUBMITTED,),
                HazardState.CLOSED,
                GOVERNMENT,
                "验收销号",
                guard=guards.verify,
                effect=guards.apply_verify,
            ),
            Transition(
                "reject",
                (HazardState.SUBMITTED,),
                HazardState.RECTIFYING,
                GOVERNMENT,
                "退回整改",
                guard=guards.reject,
                effect=guards.apply_reject,
            ),
        ]
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        # The queue is newest first, in a scope (a range of county codes) or everywhere; the
        # statistics count by (state, grade) and overdue by due date: each has an index that
        # answers it without reading the table.
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="hazard_created"),
            models.Index(fields=["region", "-created_at", "-id"], name="hazard_region_created"),
            models.Index(fields=["region", "state", "grade", "due_date"], name="hazard_region_stats"),
            models.Index(fields=["state", "grade", "due_date"], name="hazard_stats"),
            # The overdue queue, most overdue first: equality on state, range and order on due date.
            models.Index(fields=["state", "due_date", "id"], name="hazard_state_due"),
            models.Index(fields=["enterprise", "state"], name="hazard_enterprise_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(grade="major") | Q(criterion__isnull=False),
                name="major_hazard_has_criterion",
            ),
        ]
        verbose_name = verbose_name_plural = "事故隐患"

    def __str__(self) -> str:
        return f"隐患#{self.pk} {self.description[:30]}"


class Rectification(models.Model):
    """One submission of a rectification; the verifier accepts or returns it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "待验收"
        ACCEPTED = "accepted", "验收通过"
        REJECTED = "rejected", "退回"

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="rectifications")
    description = models.TextField("整改情况")
    attachments = models.ManyToManyField(Attachment, related_name="+")
    submitted_by = models.ForeignKey(User, verbose_name="提交人", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("提交时间", default=clock.now, editable=False)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    reviewed_by = models.ForeignKey(
        User, verbose_name="验收人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField("验收时间", null=True, blank=True)
    comment = models.CharField("验收意见", max_length=500, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = verbose_name_plural = "整改提交"

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.get_outcome_display()}"


class ListingState(models.TextChoices):
    LISTED = "listed", "挂牌督办中"
    DELISTED = "delisted", "已摘牌"


class Listing(models.Model):
    """挂牌督办: a city or province safety office watches one major hazard until delisted."""

    hazard = models.ForeignKey(Hazard, on_delete=models.PROTECT, related_name="listings")
    region = models.ForeignKey(
        Region, verbose_name="隐患所在区县", on_delete=models.PROTECT, related_name="+"
    )
    office_region = models.ForeignKey(
        Region, verbose_name="督办单位区划", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("状态", max_length=10, choices=ListingState.choices, default=ListingState.LISTED)
    due_date = models.DateField("督办期限")
    comment = models.CharField("督办要求", max_length=500, blank=True)
    listed_by = models.ForeignKey(User, verbose_name="挂牌人", on_delete=models.PROTECT, related_name="+")
    listed_at = models.DateTimeField("挂牌时间", default=clock.now, editable=False)
    delisted_by = models.ForeignKey(
        User, verbose_name="摘牌人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    delisted_at = models.DateTimeField("摘牌时间", null=True, blank=True)
    delist_comment = models.CharField("摘牌意见", max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    # A listed hazard is confirmed, hence never embargoed; the embargo is read all the same, so
    # a listing can never show more than its hazard.
    SCOPE = Scope(region="region", enterprise="hazard__enterprise", embargo="hazard__embargo_region")
    LOOP = Workflow(
        transitions=[
            Transition(
                "delist",
                (ListingState.LISTED,),
                ListingState.DELISTED,
                frozenset({Role.SAFETY_OFFICE, Role.ADMIN}),
                "摘牌",
                guard=guards.delist,
                effect=guards.apply_delist,
            ),
        ]
    )

    class Meta:
        ordering = ["-listed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"], condition=Q(state="listed"), name="one_active_listing"
            ),
        ]
        indexes = [models.Index(fields=["region", "state"], name="listing_region_state")]
        verbose_name = verbose_name_plural = "挂牌督办"

    def __str__(self) -> str:
        return f"挂牌督办 {self.hazard_id}"
