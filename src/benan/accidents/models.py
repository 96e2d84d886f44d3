"""Accidents: the report and its follow-ups, the reporting chain, the investigation with its
four-nos checklist and rectification measures, and accountability.

Imports from core, enterprises and standards (the Decree 493 engine). The grade is computed from
the figures, never typed. Each record carries the accident's county so scope checks and regional
counts need no join. Loop rules live in `guards.py`.
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

GOVERNMENT = frozenset({Role.INSPECTOR, Role.SAFETY_OFFICE, Role.COMMANDER, Role.ADMIN})
OFFICES = frozenset({Role.SAFETY_OFFICE, Role.ADMIN})


class Grade(models.TextChoices):
    ESPECIALLY_MAJOR = "especially_major", "特别重大事故"
    MAJOR = "major", "重大事故"
    RELATIVELY_MAJOR = "relatively_major", "较大事故"
    GENERAL = "general", "一般事故"


class Kind(models.TextChoices):
    INDUSTRIAL = "industrial", "工矿商贸"
    MINING = "mining", "矿山"
    HAZARDOUS_CHEMICALS = "hazardous_chemicals", "危险化学品"
    CONSTRUCTION = "construction", "建筑施工"
    ROAD_TRAFFIC = "road_traffic", "道路交通"
    FIRE = "fire", "火灾"
    OTHER = "other", "其他"


class Level(models.TextChoices):
    COUNTY = "county", "县级"
    CITY = "city", "市级"
    PROVINCE = "province", "省级"
    NATIONAL = "national", "国务院"


class Accident(models.Model):
    number = models.CharField("事故编号", max_length=40, unique=True)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="事故发生单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accidents",
    )
    # 事故发生单位概况 (第十二条): the unit's name even when it is not in the registry.
    unit_name = models.CharField("事故发生单位", max_length=200)
    unit_overview = models.TextField("事故发生单位概况", blank=True)
    region = models.ForeignKey(
        Region, verbose_name="事故发生地", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField("事故类型", max_length=30, choices=Kind.choices)
    occurred_at = models.DateTimeField("发生时间")
    # When the unit's head learned of it: the 1-hour reporting limit counts from here (第九条).
    known_at = models.DateTimeField("单位负责人接报时间")
    place = models.CharField("发生地点", max_length=300)
    lat = models.FloatField("纬度", null=True, blank=True)
    lon = models.FloatField("经度", null=True, blank=True)
    scene = models.TextField("事故现场情况")
    summary = models.TextField("事故简要经过")
    # The current figures (the latest report's); each report keeps its own.
    deaths = models.PositiveIntegerField("死亡人数", default=0)
    serious_injuries = models.PositiveIntegerField("重伤人数（含急性工业中毒）", default=0)
    minor_injuries = models.PositiveIntegerField("轻伤人数", default=0)
    missing = models.PositiveIntegerField("下落不明人数", default=0)
    direct_loss_cny = models.DecimalField("直接经济损失（元）", max_digits=16, decimal_places=2, default=0)
    measures = models.TextField("已经采取的措施")
    other = models.TextField("其他应当报告的情况", blank=True)
    grade = models.CharField("事故等级", max_length=20, choices=Grade.choices, editable=False)
    decided_by = models.JSONField("定级依据", default=list, editable=False)
    reported_by = models.ForeignKey(User, verbose_name="报告人", on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField("报告时间", default=clock.now, editable=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    SCOPE = Scope(region="region", enterprise="enterprise")

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["-occurred_at", "-id"], name="accident_occurred"),
            models.Index(fields=["region", "-occurred_at"], name="accident_region_occurred"),
            models.Index(fields=["grade", "occurred_at"], name="accident_grade"),
        ]
        verbose_name = verbose_name_plural = "生产安全事故"

    def __str__(self) -> str:
        return f"{self.number} {self.unit_name}"


class ReportKind(models.TextChoices):
    INITIAL = "initial", "快报"
    FOLLOW_UP = "follow_up", "续报"
    SUPPLEMENTARY = "supplementary", "补报"


class AccidentReport(models.Model):
    """One report of an accident: the initial one and each follow-up, with the figures it gave."""

    accident = models.ForeignKey(Accident, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField("报告类型", max_length=20, choices=ReportKind.choices)
    deaths = models.PositiveIntegerField("死亡人数")
    serious_injuries = models.PositiveIntegerField("重伤人数")
    minor_injuries = models.PositiveIntegerField("轻伤人数")
    missing = models.PositiveIntegerField("下落不明人数")
    direct_loss_cny = models.DecimalField("直接经济损失（元）", max_digits=16, decimal_places=2)
    note = models.TextField("新情况", blank=True)
    grade = models.CharField("等级", max_length=20, choices=Grade.choices)
    grade_before = models.CharField("原等级", max_length=20, choices=Grade.choices, blank=True)
    # A casualty change reported after the 30-day (7 for road traffic and fire) window.
    late = models.BooleanField("逾期补报", default=False)
    reported_by = models.ForeignKey(User, verbose_name="报告人", on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField("报告时间", default=clock.now)

    class Meta:
        ordering = ["accident_id", "reported_at", "id"]
        verbose_name = verbose_name_plural = "事故报告"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.accident_id}"


class StepState(models.TextChoices):
    PENDING = "pending", "待接报"
    ACKNOWLEDGED = "acknowledged", "已接报"


class ReportingStep(models.Model):
    """One level of the reporting chain: who must have been told by when, and when they were."""

    accident = models.ForeignKey(Accident, on_delete=models.CASCADE, related_name="steps")
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    # The department's region; none for the State Council level (the province reports it up).
    office_region = models.ForeignKey(
        Region, verbose_name="接报单位区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(Region, verbose_name="事故发生地", on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=20, choices=StepState.choices, default=StepState.PENDING)
    due_at = models.DateTimeField("报告时限")
    added_for = models.CharField("因等级", max_length=20, choices=Grade.choices)
    acknowledged_at = models.DateTimeField("接报时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User, verbose_name="接报人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("说明", max_length=300, blank=True)
    # Set when the sweep has told the level above that this level is late (once).
    escalated = models.BooleanField(default=False, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE = Scope(region="region", enterprise="accident__enterprise")
    LOOP = Workflow(
        transitions=[
            Transition(
                "acknowledge",
                (StepState.PENDING,),
                StepState.ACKNOWLEDGED,
                GOVERNMENT,
                "确认接报",
                guard=guards.acknowledge,
                effect=guards.apply_acknowledge,
            ),
        ]
    )

    class Meta:
        ordering = ["accident_id", "due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["accident", "level"], name="one_step_per_level")]
        indexes = [models.Index(fields=["state", "due_at"], name="step_state_due")]
        verbose_name = verbose_name_plural = "事故报告链"

    def __str__(self) -> str:
        return f"{self.get_level_display()}接报 {self.accident_id}"


class InvestigationState(models.TextChoices):
    INVESTIGATING = "investigating", "调查中"
    SUBMITTED = "submitted", "调查报告已提交"
    REPLIED = "replied", "已批复"
    CLOSED = "closed", "已结案"


class Investigation(models.Model):
    accident = models.OneToOneField(Accident, on_delete=models.PROTECT, related_name="investigation")
    region = models.ForeignKey(Region, verbose_name="事故发生地", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        "状态", max_length=20, choices=InvestigationState.choices, default=InvestigationState.INVESTIGATING
    )
    lead = models.CharField("牵头调查", max_length=200)
    lead_region = models.ForeignKey(
        Region, verbose_name="牵头调查区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team = models.TextField("事故调查组")
    started_on = models.DateField("成立日期")
    due_date = models.DateField("调查报告期限")
    extended_days = models.PositiveSmallIntegerField("延长天数", default=0)
    extension_reason = models.CharField("延长理由", max_length=500, blank=True)
    report = models.ForeignKey(
        Attachment, verbose_name="调查报告", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    report_summary = models.TextField("调查结论", blank=True)
    submitted_on = models.DateField("报告提交日期", null=True, blank=True)
    reply_due = models.DateField("批复期限", null=True, blank=True)
    replied_on = models.DateField("批复日期", null=True, blank=True)
    reply = models.TextField("批复意见", blank=True)
    published_on = models.DateField("公布日期", null=True, blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    opened_by = models.ForeignKey(User, verbose_name="成立人", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE = Scope(region="region", enterprise="accident__enterprise")
    LOOP = Workflow(
        transitions=[
            Transition(
                "extend",
                (InvestigationState.INVESTIGATING,),
                InvestigationState.INVESTIGATING,
                OFFICES,
                "延长调查期限",
                guard=guards.extend,
                effect=guards.apply_extend,
            ),
            Transition(
                "submit",
                (InvestigationState.INVESTIGATING,),
                InvestigationState.SUBMITTED,
                OFFICES,
                "提交调查报告",
                guard=guards.submit_report,
                effect=guards.apply_submit_report,
            ),
            Transition(
                "reply",
                (InvestigationState.SUBMITTED,),
                InvestigationState.REPLIED,
                OFFICES,
                "批复",
                guard=guards.reply,
                effect=guards.apply_reply,
            ),
            # Publication changes no state: the reply (批复) comes first, closure may come either side.
            Transition(
                "publish",
                (InvestigationState.REPLIED,),
                InvestigationState.REPLIED,
                OFFICES,
                "公布调查报告",
                guard=guards.publish,
                effect=guards.apply_publish,
            ),
            Transition(
                "publish",
                (InvestigationState.CLOSED,),
                InvestigationState.CLOSED,
                OFFICES,
                "公布调查报告",
                guard=guards.publish,
                effect=guards.apply_publish,
            ),
            Transition(
                "close",
                (InvestigationState.REPLIED,),
                InvestigationState.CLOSED,
                OFFICES,
                "结案",
                guard=guards.close,
                effect=guards.apply_close,
            ),
        ]
    )

    class Meta:
        ordering = ["-started_on", "-id"]
        indexes = [models.Index(fields=["region", "state"], name="investigation_region_state")]
        verbose_name = verbose_name_plural = "事故调查"

    def __str__(self) -> str:
        return f"事故调查 {self.accident_id}"

    @property
    def deadline(self):
        from datetime import timedelta

        return self.due_date + timedelta(days=self.extended_days)


class FourNos(models.TextChoices):
    # 四不放过
    CAUSE = "cause", "事故原因未查清不放过"
    RESPONSIBLE = "responsible", "责任人员未处理不放过"
    MEASURES = "measures", "整改措施未落实不放过"
    EDUCATION = "education", "有关人员未受到教育不放过"


class FourNosItem(models.Model):
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="four_nos")
    item = models.CharField("事项", max_length=20, choices=FourNos.choices)
    done = models.BooleanField("已落实", default=False)
    note = models.TextField("落实情况", blank=True)
    evidence = models.ManyToManyField(Attachment, blank=True, related_name="+")
    done_by = models.ForeignKey(
        User, verbose_name="确认人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        ordering = ["investigation_id", "id"]
        constraints = [models.UniqueConstraint(fields=["investigation", "item"], name="four_nos_once")]
        verbose_name = verbose_name_plural = "四不放过"

    def __str__(self) -> str:
        return self.get_item_display()


class MeasureState(models.TextChoices):
    OPEN = "open", "整改中"
    SUBMITTED = "submitted", "待验收"
    CLOSED = "closed", "已销号"


class Measure(models.Model):
    """A rectification measure from the investigation report, a loop item of its own."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="measures")
    region = models.ForeignKey(Region, verbose_name="事故发生地", on_delete=models.PROTECT, related_name="+")
    description = models.TextField("整改措施")
    # Assigned to an enterprise, or to a department (a region's government).
    assignee_enterprise = models.ForeignKey(
        Enterprise, verbose_name="责任企业", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee_region = models.ForeignKey(
        Region, verbose_name="责任部门区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee_department = models.CharField("责任部门", max_length=100, blank=True)
    due_date = models.DateField("整改期限")
    state = models.CharField("状态", max_length=20, choices=MeasureState.choices, default=MeasureState.OPEN)
    result = models.TextField("落实情况", blank=True)
    evidence = models.ManyToManyField(Attachment, blank=True, related_name="+")
    submitted_by = models.ForeignKey(
        User, verbose_name="提交人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    verified_by = models.ForeignKey(
        User, verbose_name="验收人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    comment = models.CharField("验收意见", max_length=500, blank=True)
    # The deadline the sweep last escalated, so each deadline escalates once.
    escalated_due = models.DateField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE = Scope(region="region", enterprise="assignee_enterprise")
    LOOP = Workflow(
        transitions=[
            Transition(
                "submit",
                (MeasureState.OPEN,),
                MeasureState.SUBMITTED,
                GOVERNMENT | {Role.ENTERPRISE},
                "提交落实情况",
                guard=guards.submit_measure,
                effect=guards.apply_submit_measure,
            ),
            Transition(
                "verify",
                (MeasureState.SUBMITTED,),
                MeasureState.CLOSED,
                OFFICES | {Role.INSPECTOR},
                "验收销号",
                guard=guards.verify_measure,
                effect=guards.apply_verify_measure,
            ),
            Transition(
                "reject",
                (MeasureState.SUBMITTED,),
                MeasureState.OPEN,
                OFFICES | {Role.INSPECTOR},
                "退回",
                guard=guards.reject_measure,
                effect=guards.apply_reject_measure,
            ),
        ]
    )

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee_enterprise__isnull=False) | Q(assignee_region__isnull=False),
                name="measure_has_assignee",
            )
        ]
        verbose_name = verbose_name_plural = "事故整改措施"

    def __str__(self) -> str:
        return self.description[:30]


class AccountabilityKind(models.TextChoices):
    DISCIPLINE = "discipline", "党纪政务处分"
    CRIMINAL = "criminal", "移送追究刑事责任"
    ADMINISTRATIVE_PENALTY = "administrative_penalty", "行政处罚"
    ORGANISATIONAL = "organisational", "组织处理"
    OTHER = "other", "其他问责"


class Accountability(models.Model):
    """One person held accountable for an accident."""

    accident = models.ForeignKey(Accident, on_delete=models.PROTECT, related_name="accountability")
    region = models.ForeignKey(Region, verbose_name="事故发生地", on_delete=models.PROTECT, related_name="+")
    person_name = models.CharField("姓名", max_length=50)
    position = models.CharField("职务", max_length=100)
    unit = models.CharField("单位", max_length=200)
    kind = models.CharField("问责方式", max_length=30, choices=AccountabilityKind.choices)
    detail = models.CharField("处理内容", max_length=300, blank=True)
    decided_by = models.CharField("决定机关", max_length=100)
    decided_on = models.DateField("决定日期")
    recorded_by = models.ForeignKey(User, verbose_name="录入人", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("录入时间", default=clock.now, editable=False)

    SCOPE = Scope(region="region", enterprise=None)

    class Meta:
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["region", "decided_on"], name="accountability_region")]
        verbose_name = verbose_name_plural = "责任追究"

    def __str__(self) -> str:
        return f"{self.person_name} {self.get_kind_display()}"
