"""Enforcement: cases and their penalties, suspension orders, criminal referrals, the credit
blacklist.

Imports from core, enterprises and hazards (a case may start from an inspection or hazards;
a suspension is lifted after a verification inspection). Each record carries its county,
copied from the enterprise, so scope checks and regional counts need no join. The loop
rules live in `guards.py`; the configurable numbers (deadlines, minimum officers, legal bases)
in `rules.py`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from benan.core import clock
from benan.core.loop import Transition, Workflow
from benan.core.models import Attachment, Region, Role, User
from benan.core.scope import Scope
from benan.enterprises.models import Enterprise, StatusPeriod

from . import guards

# The people who handle cases: law-enforcement officers and their office; admins for repairs.
OFFICERS = frozenset({Role.INSPECTOR, Role.SAFETY_OFFICE, Role.ADMIN})
# Approvals that belong to the head of the department (the office), not to a single officer.
HEADS = frozenset({Role.SAFETY_OFFICE, Role.ADMIN})


class CaseState(models.TextChoices):
    OPENED = "opened", "已立案"
    INVESTIGATING = "investigating", "调查取证"
    NOTIFIED = "notified", "已告知"
    DECIDED = "decided", "已决定"
    EXECUTED = "executed", "已执行"
    CLOSED = "closed", "已结案"
    WITHDRAWN = "withdrawn", "已撤销"


OPEN_CASE_STATES = (
    CaseState.OPENED,
    CaseState.INVESTIGATING,
    CaseState.NOTIFIED,
    CaseState.DECIDED,
    CaseState.EXECUTED,
)


# States in which officers and evidence may still change.
EDITABLE_STATES = (CaseState.OPENED, CaseState.INVESTIGATING, CaseState.NOTIFIED)
# A suspension may be ordered as a measure during the investigation or as the penalty decided.
SUSPENDABLE_STATES = (CaseState.INVESTIGATING, CaseState.NOTIFIED, CaseState.DECIDED, CaseState.EXECUTED)
# A referral needs facts established; a withdrawn case refers nothing.
REFERRABLE_STATES = (
    CaseState.INVESTIGATING,
    CaseState.NOTIFIED,
    CaseState.DECIDED,
    CaseState.EXECUTED,
    CaseState.CLOSED,
)
# A blacklist entry follows an administrative penalty (办法 第三条).
PENALISED_STATES = (CaseState.DECIDED, CaseState.EXECUTED, CaseState.CLOSED)


class Origin(models.TextChoices):
    INSPECTION = "inspection", "检查发现"
    HAZARDS = "hazards", "隐患查处"
    POWER_ALERT = "power_alert", "电力数据预警"
    DIRECT = "direct", "直接立案"


class Party(models.TextChoices):
    UNIT = "unit", "单位"
    PERSON = "person", "个人"


class PenaltyKind(models.TextChoices):
    WARNING = "warning", "警告"
    FINE = "fine", "罚款"
    CONFISCATION = "confiscation", "没收违法所得"
    SUSPENSION = "suspension", "责令停产停业整顿"
    LICENCE_SUSPENDED = "licence_suspended", "暂扣许可证"
    LICENCE_REVOKED = "licence_revoked", "吊销许可证"
    CLOSURE = "closure", "关闭"


# Kinds that carry an amount of money; the others must not.
MONEY_KINDS = frozenset({PenaltyKind.FINE, PenaltyKind.CONFISCATION})
# Kinds that always carry the right to a hearing, whatever the amount.
HEARING_KINDS = frozenset(
    {
        PenaltyKind.SUSPENSION,
        PenaltyKind.LICENCE_SUSPENDED,
        PenaltyKind.LICENCE_REVOKED,
        PenaltyKind.CLOSURE,
    }
)
# Kinds a person (rather than the unit) can receive.
PERSON_KINDS = frozenset({PenaltyKind.WARNING, PenaltyKind.FINE, PenaltyKind.CONFISCATION})


class EnforcementCase(models.Model):
    number = models.CharField("案号", max_length=40, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="当事单位", on_delete=models.PROTECT, related_name="cases"
    )
    # Indexed only in the composites below (see hazards.Hazard.region).
    region = models.ForeignKey(
        Region, verbose_name="所在区县", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    origin = models.CharField("案件来源", max_length=20, choices=Origin.choices)
    inspection = models.ForeignKey(
        "hazards.Inspection",
        verbose_name="来源检查",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    hazards = models.ManyToManyField(
        "hazards.Hazard", verbose_name="涉及隐患", blank=True, related_name="cases"
    )
    # The power-analytics alert the case came from (its id there), until that app links it.
    origin_ref = models.CharField("来源编号", max_length=64, blank=True)
    cause = models.CharField("案由", max_length=200)
    facts = models.TextField("违法事实")
    state = models.CharField("状态", max_length=20, choices=CaseState.choices, default=CaseState.OPENED)
    opened_on = models.DateField("立案日期")
    decision_due = models.DateField("办案期限")
    officers = models.ManyToManyField(User, verbose_name="执法人员", related_name="enforcement_cases")
    evidence = models.ManyToManyField(Attachment, verbose_name="证据材料", blank=True, related_name="+")
    # 告知: what is proposed, and the party's rights that follow from it.
    notified_on = models.DateField("告知日期", null=True, blank=True)
    proposal = models.TextField("拟处罚内容", blank=True)
    hearing_right = models.BooleanField("享有听证权利", default=False)
    statement_due = models.DateField("陈述申辩期限", null=True, blank=True)
    hearing_due = models.DateField("听证申请期限", null=True, blank=True)
    statement = models.TextField("陈述申辩意见", blank=True)
    statement_on = models.DateField("陈述申辩日期", null=True, blank=True)
    statement_waived = models.BooleanField("放弃陈述申辩", default=False)
    hearing_requested = models.BooleanField("申请听证", default=False)
    hearing_held_on = models.DateField("听证日期", null=True, blank=True)
    hearing_record = models.TextField("听证情况", blank=True)
    # 决定
    decision_number = models.CharField("决定书文号", max_length=60, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decided_by = models.ForeignKey(
        User, verbose_name="决定人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Both follow from the penalty lines, fixed when the decision is taken.
    dual_penalty = models.BooleanField("一案双罚", default=False)
    fines_total = models.DecimalField("罚没金额（元）", max_digits=14, decimal_places=2, default=0)
    payment_due = models.DateField("缴款期限", null=True, blank=True)
    # 执行 and 结案
    executed_on = models.DateField("执行日期", null=True, blank=True)
    execution = models.TextField("执行情况", blank=True)
    paid_cny = models.DecimalField("已缴金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    closing_report = models.TextField("结案报告", blank=True)
    withdrawn_reason = models.CharField("撤销理由", max_length=500, blank=True)
    # The deadline the sweep last escalated, so each deadline escalates once.
    escalated_due = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(User, verbose_name="立案人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("录入时间", default=clock.now, editable=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    SCOPE = Scope(region="region", enterprise="enterprise")
    LOOP = Workflow(
        transitions=[
            Transition(
                "investigate",
                (CaseState.OPENED,),
                CaseState.INVESTIGATING,
                OFFICERS,
                "开始调查取证",
                guard=guards.investigate,
            ),
            Transition(
                "notify",
                (CaseState.INVESTIGATING,),
                CaseState.NOTIFIED,
                OFFICERS,
                "告知",
                guard=guards.notify,
                effect=guards.apply_notify,
            ),
            Transition(
                "statement",
                (CaseState.NOTIFIED,),
                CaseState.NOTIFIED,
                OFFICERS | {Role.ENTERPRISE},
                "记录陈述申辩",
                guard=guards.statement,
                effect=guards.apply_statement,
            ),
            Transition(
                "hearing",
                (CaseState.NOTIFIED,),
                CaseState.NOTIFIED,
                OFFICERS,
                "记录听证",
                guard=guards.hearing,
                effect=guards.apply_hearing,
            ),
            Transition(
                "decide",
                (CaseState.NOTIFIED,),
                CaseState.DECIDED,
                OFFICERS,
                "作出处罚决定",
                guard=guards.decide,
                effect=guards.apply_decide,
            ),
            Transition(
                "execute",
                (CaseState.DECIDED,),
                CaseState.EXECUTED,
                OFFICERS,
                "执行",
                guard=guards.execute,
                effect=guards.apply_execute,
            ),
            Transition(
                "close",
                (CaseState.EXECUTED,),
                CaseState.CLOSED,
                OFFICERS,
                "结案",
                guard=guards.close,
                effect=guards.apply_close,
            ),
            Transition(
                "withdraw",
                (CaseState.OPENED, CaseState.INVESTIGATING, CaseState.NOTIFIED),
                CaseState.WITHDRAWN,
                HEADS,
                "撤销案件",
                guard=guards.withdraw,
                effect=guards.apply_withdraw,
            ),
        ]
    )

    class Meta:
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["-opened_on", "-id"], name="case_opened"),
            models.Index(fields=["region", "-opened_on", "-id"], name="case_region_opened"),
            models.Index(fields=["region", "state"], name="case_region_state"),
            models.Index(fields=["enterprise", "-opened_on"], name="case_enterprise"),
        ]
        verbose_name = verbose_name_plural = "执法案件"

    def __str__(self) -> str:
        return f"{self.number} {self.cause}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_CASE_STATES


class Penalty(models.Model):
    """One line of a decision: who is penalised, how, on which legal basis, how much."""

    case = models.ForeignKey(EnforcementCase, on_delete=models.CASCADE, related_name="penalties")
    party = models.CharField("处罚对象", max_length=10, choices=Party.choices)
    person_name = models.CharField("姓名", max_length=50, blank=True)
    person_position = models.CharField("职务", max_length=50, blank=True)
    kind = models.CharField("处罚种类", max_length=20, choices=PenaltyKind.choices)
    # The basis as cited on the day: the configured list may change, a decision may not.
    basis_code = models.CharField("法律依据编号", max_length=40)
    basis_law = models.CharField("法律名称", max_length=100)
    basis_article = models.CharField("条款", max_length=40)
    basis_verified = models.BooleanField("依据原文已核", default=True)
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["case_id", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="penalty_amount_positive"
            ),
            models.CheckConstraint(
                condition=~Q(party="person") | ~Q(person_name=""), name="penalty_person_named"
            ),
        ]
        verbose_name = verbose_name_plural = "处罚内容"

    def __str__(self) -> str:
        who = self.person_name if self.party == Party.PERSON else "单位"
        return f"{who} {self.get_kind_display()}"

    @property
    def basis_title(self) -> str:
        return f"《{self.basis_law}》{self.basis_article}"


class SuspensionState(models.TextChoices):
    IN_FORCE = "in_force", "停产整顿中"
    LIFTED = "lifted", "已解除"


class SuspensionOrder(models.Model):
    """责令停产停业整顿: sets the enterprise's status timeline to suspended from its start date;
    lifting it (after a verification inspection) ends that period."""

    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="suspensions")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="suspension_orders")
    region = models.ForeignKey(Region, verbose_name="所在区县", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("文书号", max_length=60, unique=True)
    state = models.CharField(
        "状态", max_length=10, choices=SuspensionState.choices, default=SuspensionState.IN_FORCE
    )
    start_date = models.DateField("停产整顿起始日期")
    scope = models.CharField("停产整顿范围", max_length=300)
    lifting_conditions = models.TextField("恢复生产条件")
    # The timeline period this order put in force (or adopted, when the registry already
    # recorded the suspension), and the status the enterprise returns to when lifted.
    period = models.ForeignKey(
        StatusPeriod, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resume_status = models.CharField("解除后状态", max_length=20)
    ordered_by = models.ForeignKey(User, verbose_name="下达人", on_delete=models.PROTECT, related_name="+")
    ordered_at = models.DateTimeField("下达时间", default=clock.now, editable=False)
    verification = models.ForeignKey(
        "hazards.Inspection",
        verbose_name="复查检查",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lifted_on = models.DateField("解除日期", null=True, blank=True)
    lifted_by = models.ForeignKey(
        User, verbose_name="解除人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lift_comment = models.CharField("复查意见", max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE = Scope(region="region", enterprise="enterprise")
    LOOP = Workflow(
        transitions=[
            Transition(
                "lift",
                (SuspensionState.IN_FORCE,),
                SuspensionState.LIFTED,
                HEADS,
                "解除停产整顿",
                guard=guards.lift,
                effect=guards.apply_lift,
            ),
        ]
    )

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            # Never two orders in force for one enterprise: a second one is refused.
            models.UniqueConstraint(
                fields=["enterprise"], condition=Q(state="in_force"), name="one_suspension_in_force"
            ),
        ]
        indexes = [models.Index(fields=["region", "start_date"], name="suspension_region_start")]
        verbose_name = verbose_name_plural = "停产整顿令"

    def __str__(self) -> str:
        return f"{self.number} {self.enterprise}"


class ReferralCategory(models.TextChoices):
    # 涉嫌安全生产犯罪案件的七类 (应急〔2019〕54号)
    MAJOR_LIABILITY = "major_liability", "重大责任事故"
    FORCED_RISKY_WORK = "forced_risky_work", "强令违章冒险作业"
    LABOUR_SAFETY = "labour_safety", "重大劳动安全事故"
    DANGEROUS_GOODS = "dangerous_goods", "危险物品肇事"
    FIRE = "fire", "消防责任事故、失火"
    CONCEALMENT = "concealment", "不报、谎报安全事故"
    OTHER = "other", "其他（非法采矿、非法制造买卖储存爆炸物等）"


class ReferralState(models.TextChoices):
    REPORTED = "reported", "待审批"
    APPROVED = "approved", "已批准移送"
    NOT_APPROVED = "not_approved", "不予移送"
    TRANSFERRED = "transferred", "已移送"
    ACCEPTED = "accepted", "公安已立案"
    DECLINED = "declined", "公安不予立案"


class CriminalReferral(models.Model):
    """行刑衔接: the case team reports a suspected crime, the head decides within 3 days, the case
    goes to the police within 24 hours, the police answer."""

    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="referrals")
    region = models.ForeignKey(Region, verbose_name="所在区县", on_delete=models.PROTECT, related_name="+")
    category = models.CharField("涉嫌犯罪类别", max_length=30, choices=ReferralCategory.choices)
    state = models.CharField(
        "状态", max_length=20, choices=ReferralState.choices, default=ReferralState.REPORTED
    )
    report = models.TextField("移送报告")
    reported_on = models.DateField("报告日期")
    decision_due = models.DateField("审批期限")
    decided_on = models.DateField("审批日期", null=True, blank=True)
    decided_by = models.ForeignKey(
        User, verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.CharField("不予移送理由", max_length=500, blank=True)
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    transfer_due = models.DateTimeField("移送期限", null=True, blank=True)
    receiving_organ = models.CharField("接收机关", max_length=100, blank=True)
    transferred_at = models.DateTimeField("移送时间", null=True, blank=True)
    feedback_due = models.DateField("反馈期限", null=True, blank=True)
    feedback_on = models.DateField("反馈日期", null=True, blank=True)
    result = models.CharField("处理结果", max_length=500, blank=True)
    # Set when the sweep has escalated a late decision or transfer (once each).
    escalated = models.CharField(max_length=20, blank=True, editable=False)
    created_by = models.ForeignKey(User, verbose_name="报告人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("录入时间", default=clock.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    # Internal to the authorities: the enterprise (the suspect) does not read the team's report.
    SCOPE = Scope(region="region", enterprise=None)
    LOOP = Workflow(
        transitions=[
            Transition(
                "approve",
                (ReferralState.REPORTED,),
                ReferralState.APPROVED,
                HEADS,
                "批准移送",
                guard=guards.approve_referral,
                effect=guards.apply_approve_referral,
            ),
            Transition(
                "refuse",
                (ReferralState.REPORTED,),
                ReferralState.NOT_APPROVED,
                HEADS,
                "不予移送",
                guard=guards.refuse_referral,
                effect=guards.apply_refuse_referral,
            ),
            Transition(
                "transfer",
                (ReferralState.APPROVED,),
                ReferralState.TRANSFERRED,
                OFFICERS,
                "移送公安机关",
                guard=guards.transfer_referral,
                effect=guards.apply_transfer_referral,
            ),
            Transition(
                "accepted",
                (ReferralState.TRANSFERRED,),
                ReferralState.ACCEPTED,
                OFFICERS,
                "登记公安立案",
                guard=guards.referral_feedback,
                effect=guards.apply_referral_feedback,
            ),
            Transition(
                "declined",
                (ReferralState.TRANSFERRED,),
                ReferralState.DECLINED,
                OFFICERS,
                "登记公安不予立案",
                guard=guards.referral_feedback,
                effect=guards.apply_referral_feedback,
            ),
        ]
    )

    class Meta:
        ordering = ["-reported_on", "-id"]
        indexes = [models.Index(fields=["region", "reported_on"], name="referral_region_reported")]
        verbose_name = verbose_name_plural = "涉嫌犯罪案件移送"

    def __str__(self) -> str:
        return f"移送#{self.pk} {self.get_category_display()}"


class BlacklistReason(models.TextChoices):
    # 《安全生产严重失信主体名单管理办法》(应急管理部令第11号) 第七、八条 as far as verified.
    MAJOR_ACCIDENT = "major_accident", "发生特别重大、重大生产安全事故"
    REPEATED_ACCIDENTS = "repeated_accidents", "12个月内累计发生2起以上较大生产安全事故"
    MULTIPLIED_FINE = "multiplied_fine", "依安全生产法第一百一十四条按罚款数额二至五倍处罚"
    CONCEALED_ACCIDENT = "concealed_accident", "瞒报、谎报生产安全事故"
    FAILED_RESCUE = "failed_rescue", "主要负责人不立即组织抢救或者调查期间擅离职守、逃匿"
    NO_LICENCE = "no_licence", "未依法取得安全生产许可或者在许可暂扣、吊销期间生产经营"
    FALSE_REPORT = "false_report", "安全评价、检测检验机构出具虚假报告或者证书"
    OTHER = "other", "其他严重违法失信行为"


# Entry situations whose wording the reference could not read in full.
UNVERIFIED_REASONS = frozenset({BlacklistReason.FALSE_REPORT, BlacklistReason.OTHER})


class BlacklistState(models.TextChoices):
    LISTED = "listed", "名单内"
    EXIT_APPLIED = "exit_applied", "已申请提前移出"
    EXITED = "exited", "已移出"


ACTIVE_BLACKLIST_STATES = (BlacklistState.LISTED, BlacklistState.EXIT_APPLIED)


class BlacklistEntry(models.Model):
    """严重失信主体名单: listed by the department that made the penalty decision, published, and
    removed when the term ends or early on application after the minimum time."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="blacklist_entries")
    region = models.ForeignKey(Region, verbose_name="所在区县", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        EnforcementCase,
        verbose_name="关联案件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="blacklist_entries",
    )
    reason_kind = models.CharField("列入情形", max_length=30, choices=BlacklistReason.choices)
    reason = models.CharField("列入理由", max_length=500)
    state = models.CharField(
        "状态", max_length=20, choices=BlacklistState.choices, default=BlacklistState.LISTED
    )
    entry_date = models.DateField("列入日期")
    planned_exit_date = models.DateField("计划移出日期")
    exit_application = models.TextField("提前移出申请", blank=True)
    exit_applied_on = models.DateField("申请日期", null=True, blank=True)
    exited_on = models.DateField("移出日期", null=True, blank=True)
    exit_comment = models.CharField("移出意见", max_length=500, blank=True)
    listed_by = models.ForeignKey(User, verbose_name="列入人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("录入时间", default=clock.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE = Scope(region="region", enterprise="enterprise")
    LOOP = Workflow(
        transitions=[
            Transition(
                "apply_exit",
                (BlacklistState.LISTED,),
                BlacklistState.EXIT_APPLIED,
                OFFICERS | {Role.ENTERPRISE},
                "申请提前移出",
                guard=guards.apply_exit,
                effect=guards.apply_apply_exit,
            ),
            Transition(
                "approve_exit",
                (BlacklistState.EXIT_APPLIED,),
                BlacklistState.EXITED,
                HEADS,
                "同意提前移出",
                guard=guards.decide_exit,
                effect=guards.apply_approve_exit,
            ),
            Transition(
                "reject_exit",
                (BlacklistState.EXIT_APPLIED,),
                BlacklistState.LISTED,
                HEADS,
                "驳回移出申请",
                guard=guards.decide_exit,
                effect=guards.apply_reject_exit,
            ),
            # The term ends: the sweep removes the entry (期满移出).
            Transition(
                "expire",
                (BlacklistState.LISTED, BlacklistState.EXIT_APPLIED),
                BlacklistState.EXITED,
                HEADS,
                "期满移出",
                guard=guards.expire,
                effect=guards.apply_expire,
                by_system=True,
            ),
        ]
    )

    class Meta:
        ordering = ["-entry_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(state__in=["listed", "exit_applied"]),
                name="one_active_blacklist_entry",
            ),
            models.CheckConstraint(
                condition=Q(planned_exit_date__gt=models.F("entry_date")), name="blacklist_exit_after_entry"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "planned_exit_date"], name="blacklist_state_exit"),
            models.Index(fields=["region", "entry_date"], name="blacklist_region_entry"),
        ]
        verbose_name = verbose_name_plural = "严重失信主体名单"

    def __str__(self) -> str:
        return f"{self.enterprise} {self.entry_date:%Y-%m-%d}"

    def is_active_on(self, day) -> bool:
        return self.state in ACTIVE_BLACKLIST_STATES and self.entry_date <= day < self.planned_exit_date
