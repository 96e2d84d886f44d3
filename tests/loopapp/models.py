"""A small model of the tests' own, to exercise core.loop without any product app."""

from django.core.exceptions import ValidationError
from django.db import models

from benan.core.loop import Transition, Workflow
from benan.core.models import Region
from benan.core.scope import Scope

WRITERS = frozenset({"inspector", "safety_office", "admin"})


class TicketState(models.TextChoices):
    OPEN = "open", "待处理"
    SUBMITTED = "submitted", "已提交"
    CLOSED = "closed", "已关闭"


def _needs_evidence(ticket, actor, data):
    if not data.get("evidence"):
        raise ValidationError({"evidence": "提交时必须附整改证据"})


def _not_the_submitter(ticket, actor, data):
    from benan.core.errors import PermissionDenied

    if ticket.submitted_by_id == actor.pk:
        raise PermissionDenied("验收人不能是提交人")


def _remember_submitter(ticket, actor, data):
    ticket.submitted_by = actor
    return ["submitted_by"]


class Ticket(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT)
    state = models.CharField(max_length=20, choices=TicketState.choices, default=TicketState.OPEN)
    submitted_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE = Scope(region="region", enterprise=None)
    LOOP = Workflow(
        transitions=[
            Transition("submit", (TicketState.OPEN,), TicketState.SUBMITTED, WRITERS, "提交",
                       guard=_needs_evidence, effect=_remember_submitter),
            Transition("reject", (TicketState.SUBMITTED,), TicketState.OPEN, WRITERS, "退回"),
            Transition("close", (TicketState.SUBMITTED,), TicketState.CLOSED, WRITERS, "验收关闭",
                       guard=_not_the_submitter),
            Transition("expire", (TicketState.OPEN,), TicketState.CLOSED, frozenset(), "超期关闭",
                       by_system=True),
        ]
    )

    class Meta:
        app_label = "loopapp"

    def __str__(self) -> str:
        return f"ticket {self.pk} ({self.state})"
