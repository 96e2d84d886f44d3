"""The closed-loop core, exercised with the tests' own Ticket model (tests/loopapp)."""

import pytest
from django.core.exceptions import ValidationError

from benan.core import audit, loop
from benan.core.errors import InvalidTransition, NotFound, PermissionDenied
from tests.loopapp.models import Ticket, TicketState

from ..conftest import WUHOU


@pytest.fixture
def ticket(regions):
    return Ticket.objects.create(region_id=WUHOU)


@pytest.fixture
def wuhou_colleague(make_user):
    return make_user("wuhou-colleague", "inspector", region=WUHOU)


def test_a_transition_moves_the_state_and_writes_the_audit_entry(ticket, wuhou_inspector):
    loop.transition(ticket, "submit", wuhou_inspector, evidence=["photo-1"])
    assert ticket.state == TicketState.SUBMITTED
    assert ticket.submitted_by == wuhou_inspector
    entry = audit.history(ticket).get()
    assert entry.action == "loopapp.ticket.submit"
    assert entry.data == {"from_state": "open", "to_state": "submitted", "evidence": ["photo-1"]}
    assert entry.actor_name == "wuhou-inspector"


def test_an_action_not_allowed_in_the_current_state_is_a_conflict(ticket, wuhou_inspector):
    with pytest.raises(InvalidTransition) as error:
        loop.transition(ticket, "close", wuhou_inspector)
    assert error.value.status == 409
    assert "待处理" in error.value.message
    ticket.refresh_from_db()
    assert ticket.state == TicketState.OPEN
    assert not audit.history(ticket).exists()


def test_repeating_an_action_is_a_conflict_not_a_silent_no_op(ticket, wuhou_inspector):
    loop.transition(ticket, "submit", wuhou_inspector, evidence=["x"])
    with pytest.raises(InvalidTransition):
        loop.transition(ticket, "submit", wuhou_inspector, evidence=["x"])
    assert audit.history(ticket).count() == 1


def test_an_unknown_action_is_a_conflict(ticket, wuhou_inspector):
    with pytest.raises(InvalidTransition):
        loop.transition(ticket, "explode", wuhou_inspector)


def test_a_role_not_in_the_table_is_refused(ticket, regions, make_user):
    expert = make_user("expert-wuhou", "expert", region=WUHOU)
    with pytest.raises(PermissionDenied):
        loop.transition(ticket, "submit", expert, evidence=["x"])
    ticket.refresh_from_db()
    assert ticket.state == TicketState.OPEN


def test_an_object_outside_the_actors_scope_is_not_found(ticket, jinjiang_inspector):
    with pytest.raises(NotFound):
        loop.transition(ticket, "submit", jinjiang_inspector, evidence=["x"])


def test_a_guard_refuses_with_the_field_and_nothing_is_saved(ticket, wuhou_inspector):
    with pytest.raises(ValidationError) as error:
        loop.transition(ticket, "submit", wuhou_inspector)
    assert "evidence" in error.value.message_dict
    ticket.refresh_from_db()
    assert ticket.state == TicketState.OPEN
    assert ticket.submitted_by is None
    assert not audit.history(ticket).exists()


def test_the_verifier_cannot_be_the_submitter(ticket, wuhou_inspector, wuhou_colleague):
    loop.transition(ticket, "submit", wuhou_inspector, evidence=["x"])
    with pytest.raises(PermissionDenied):
        loop.transition(ticket, "close", wuhou_inspector)
    loop.transition(ticket, "close", wuhou_colleague)
    assert ticket.state == TicketState.CLOSED


def test_a_higher_level_user_acts_on_the_subtree(ticket, wuhou_inspector, cd_office):
    loop.transition(ticket, "submit", wuhou_inspector, evidence=["x"])
    loop.transition(ticket, "reject", cd_office)
    assert ticket.state == TicketState.OPEN


def test_system_actions_need_no_user_and_users_cannot_take_them(ticket, admin):
    with pytest.raises(PermissionDenied):
        loop.transition(ticket, "expire", admin)
    loop.transition(ticket, "expire", None)
    assert ticket.state == TicketState.CLOSED
    assert audit.history(ticket).get().actor_name == "system"


def test_users_may_not_take_user_actions_as_the_system(ticket):
    with pytest.raises(PermissionDenied):
        loop.transition(ticket, "submit", None, evidence=["x"])


def test_available_lists_the_actions_of_the_state_and_role(ticket, wuhou_inspector):
    assert [t.action for t in Ticket.LOOP.available(ticket, wuhou_inspector)] == ["submit"]


def test_a_table_with_two_targets_for_one_state_and_action_is_refused():
    with pytest.raises(ValueError):
        loop.Workflow(transitions=[
            loop.Transition("go", ("a",), "b", frozenset()),
            loop.Transition("go", ("a",), "c", frozenset()),
        ])


def test_overdue_is_derived_from_the_due_date(db):
    from datetime import date

    assert loop.is_overdue(date(2026, 1, 1), open_=True, today=date(2026, 1, 2))
    assert not loop.is_overdue(date(2026, 1, 1), open_=True, today=date(2026, 1, 1))
    assert not loop.is_overdue(date(2026, 1, 1), open_=False, today=date(2026, 1, 2))
