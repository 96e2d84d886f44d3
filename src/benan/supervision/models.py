"""Supervision's own records: supervised assignments (督办交办) and their receiving regions.

A safety office hands an `Assignment` (title, requirements, attachments, one deadline) to regions
strictly below its own; each receiving region gets an `AssignmentTarget` that runs its own loop,
and its `ProgressReport`s (进展报告, 办结报送) are the record of what the region did.
Loops (core.loop; rules in guards.py):
    Assignment.state        active → completed (when every target is accepted) | cancelled
    AssignmentTarget.state  assigned → in_progress (first progress report) → submitted;
                            assigned → submitted; submitted → accepted | in_progress (returned);
                            assigned | in_progress | submitted → cancelled (the assignment's cancel)
Who does what: progress reports and the completion report come from government users (安委办 or
执法检查人员) whose region *is* the target region; the issuing side (安委办 of the issuing region
or of a region above it) accepts, returns and cancels, and is never the receiver, since targets lie
strictly below the issuer. "Overdue" is derived from the deadline, never stored.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from benan.core.loop import Transition, Workflow
from benan.core.models import Attachment, Region, Role, User
from benan.core.scope import Scope

from . import guards

ISSUERS = frozenset({Role.SAFETY_OFFICE, Role.ADMIN})
RECEIVERS = frozenset({Role.SAFETY_OFFICE, Role.INSPECTOR, Role.ADMIN})


class AssignmentState(models.TextChoices):
    ACTIVE = "active", "督办中"
    COMPLETED = "completed", "已办结"
    CANCELLED = "cancelled", "已撤销"


class TargetState(models.TextChoices):
    ASSIGNED = "assigned", "已交办"
    IN_PROGRESS = "in_progress", "办理中"
    SUBMITTED = "submitted", "待验收"
    ACCEPTED = "accepted", "已验收"
    CANCELLED = "cancelled", "已撤销"


# Not yet accepted nor cancelled: what counts for deadlines, overdue and the weekly sheet.
TARGET_OPEN = (TargetState.ASSIGNED, TargetState.IN_PROGRESS, TargetState.SUBMITTED)


class Assignment(models.Model):
    title = models.CharField("标题", max_length=200)
    requirements = models.TextField("工作要求")
    attachments = models.ManyToManyField(Attachment, verbose_name="附件", blank=True, related_name="+")
    due_date = models.DateField("办理期限")
    issuer_region = models.ForeignKey(
        Region, verbose_name="交办区划", on_delete=models.PROTECT, related_name="+"
    )
    issued_by = models.ForeignKey(User, verbose_name="交办人", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("交办时间")
    state = models.CharField(
        "状态", max_length=20, choices=AssignmentState.choices, default=AssignmentState.ACTIVE
    )
    cancel_reason = models.CharField("撤销原因", max_length=500, blank=True)
    cancelled_at = models.DateTimeField("撤销时间", null=True, blank=True)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The issuing side: whoever's scope holds the issuing region. Receivers read an assignment
    # through its targets (assignment_queries.assignments), not through this rule.
    SCOPE = Scope(region="issuer_region", enterprise=None)
    LOOP = Workflow(
        transitions=[
            # Taken by services.accept on the last acceptance, in the same transaction.
            Transition(
                "complete",
                (AssignmentState.ACTIVE,),
                AssignmentState.COMPLETED,
                ISSUERS,
                "全部办结",
                guard=guards.complete,
                effect=guards.stamp("completed_at"),
            ),
            Transition(
                "cancel",
                (AssignmentState.ACTIVE,),
                AssignmentState.CANCELLED,
                ISSUERS,
                "撤销交办",
                guard=guards.cancel_assignment,
                effect=guards.apply_cancel_assignment,
            ),
        ]
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["issuer_region", "-issued_at"], name="assignment_issuer_issued"),
            models.Index(fields=["state", "due_date"], name="assignment_state_due"),
        ]
        verbose_name = verbose_name_plural = "督办交办事项"

    def __str__(self) -> str:
        return self.title

    @property
    def number(self) -> str:
        return f"DB{timezone.localtime(self.issued_at):%Y}-{self.pk:05d}"

    @property
    def issuer_name(self) -> str:
        return f"{self.issuer_region.name}安委办"


class AssignmentTarget(models.Model):
    """One receiving region of an assignment, with its own place in the loop."""

    assignment = models.ForeignKey(
        Assignment, verbose_name="督办事项", on_delete=models.PROTECT, related_name="targets"
    )
    region = models.ForeignKey(Region, verbose_name="承办区划", on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=20, choices=TargetState.choices, default=TargetState.ASSIGNED)
    submitted_by = models.ForeignKey(
        User, verbose_name="报送人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, verbose_name="验收人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField("验收时间", null=True, blank=True)
    # The last acceptance comment or return reason.
    comment = models.CharField("验收意见", max_length=500, blank=True)
    returned_count = models.PositiveIntegerField("退回次数", default=0)
    cancelled_at = models.DateTimeField("撤销时间", null=True, blank=True)
    # The deadline the sweep last escalated, so that each deadline escalates once.
    escalated_due_date = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE = Scope(region="region", enterprise=None)
    LOOP = Workflow(
        transitions=[
            # A progress report is a record; the first one moves the target to in_progress.
            Transition(
                "report",
                (TargetState.ASSIGNED, TargetState.IN_PROGRESS),
                TargetState.IN_PROGRESS,
                RECEIVERS,
                "报告进展",
                guard=guards.report,
                effect=guards.apply_report,
            ),
            Transition(
                "submit",
                (TargetState.ASSIGNED, TargetState.IN_PROGRESS),
                TargetState.SUBMITTED,
                RECEIVERS,
                "报送办结",
                guard=guards.submit,
                effect=guards.apply_submit,
            ),
            Transition(
                "accept",
                (TargetState.SUBMITTED,),
                TargetState.ACCEPTED,
                ISSUERS,
                "验收通过",
                guard=guards.accept,
                effect=guards.apply_accept,
            ),
            Transition(
                "return",
                (TargetState.SUBMITTED,),
                TargetState.IN_PROGRESS,
                ISSUERS,
                "退回",
                guard=guards.send_back,
                effect=guards.apply_send_back,
            ),
            # Only through the assignment's cancel (guards.apply_cancel_assignment).
            Transition(
                "cancel",
                TARGET_OPEN,
                TargetState.CANCELLED,
                ISSUERS,
                "撤销",
                guard=guards.issuer_side,
                effect=guards.stamp("cancelled_at"),
            ),
        ]
    )

    class Meta:
        ordering = ["assignment_id", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "region"], name="one_target_per_region"),
        ]
        indexes = [
            models.Index(fields=["region", "state"], name="target_region_state"),
            models.Index(fields=["state", "assignment"], name="target_state_assignment"),
        ]
        verbose_name = verbose_name_plural = "督办承办区划"

    def __str__(self) -> str:
        return f"{self.assignment.title}（{self.region.name}）"

    @property
    def is_open(self) -> bool:
        return self.state in TARGET_OPEN


class ReportKind(models.TextChoices):
    PROGRESS = "progress", "进展报告"
    COMPLETION = "completion", "办结报送"


class ProgressReport(models.Model):
    """What a receiving region reported: progress on the way, or the completion it submitted."""

    target = models.ForeignKey(
        AssignmentTarget, verbose_name="承办区划", on_delete=models.PROTECT, related_name="reports"
    )
    kind = models.CharField("类型", max_length=20, choices=ReportKind.choices)
    text = models.TextField("内容")
    attachments = models.ManyToManyField(Attachment, verbose_name="附件", blank=True, related_name="+")
    reported_by = models.ForeignKey(User, verbose_name="报告人", on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField("报告时间")

    SCOPE = Scope(region="target__region", enterprise=None)

    class Meta:
        ordering = ["target_id", "reported_at", "id"]
        verbose_name = verbose_name_plural = "督办进展报告"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.text[:30]}"
