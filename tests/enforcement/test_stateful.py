"""Random sequences of case actions by random actors keep the loop's promises.

After every step: a case past 告知 has evidence and enough officers; a decided case has its
penalty lines, its dual-penalty flag and fines total agree with them, and it was notified first;
nothing moves after closing or withdrawal; every accepted action has exactly one audit entry.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from benan.core import audit
from benan.core.errors import DomainError
from benan.enforcement import rules, services
from benan.enforcement.models import MONEY_KINDS, EnforcementCase

from .conftest import DUAL

ACTORS = ["wuhou_inspector", "wuhou_inspector_2", "jinjiang_inspector", "cd_office", "ent_wuhou", "expert"]
LINES = [
    DUAL,
    DUAL[:1],
    DUAL[1:],
    [{"party": "unit", "kind": "warning", "basis": "aqsc2021-97"}],
    [{**DUAL[0], "amount": "0"}],  # refused
    [{**DUAL[1], "person_name": ""}],  # refused
    [{**DUAL[0], "basis": ""}],  # refused
    [],  # refused
]
STEPS = {
    "investigate",
    "notify",
    "statement",
    "hearing",
    "decide",
    "execute",
    "close",
    "withdraw",
    "evidence_added",
    "officers_assigned",
}


@pytest.mark.slow
def test_random_sequences_keep_the_invariants(
    admin,
    ent_wuhou,
    wuhou_inspector,
    wuhou_inspector2,
    jinjiang_inspector,
    cd_office,
    expert,
    wuhou_ent,
    upload,
):
    users = {
        "ent_wuhou": ent_wuhou,
        "wuhou_inspector": wuhou_inspector,
        "wuhou_inspector_2": wuhou_inspector2,
        "jinjiang_inspector": jinjiang_inspector,
        "cd_office": cd_office,
        "expert": expert,
    }
    photo = upload(wuhou_inspector)

    class CaseLoop(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.ids: list[int] = []
            # Per run, so the invariants look only at this sequence's cases.
            self.accepted: dict[int, int] = {}  # case id -> actions that went through
            self.frozen: dict[int, tuple] = {}  # closed or withdrawn case -> its row then

        def _try(self, pk, call):
            before = EnforcementCase.objects.get(pk=pk)
            try:
                call(before)
            except (DomainError, ValidationError):
                after = EnforcementCase.objects.get(pk=pk)
                assert (after.state, after.updated_at) == (before.state, before.updated_at)
                return
            self.accepted[pk] += 1

        @precondition(lambda self: len(self.ids) < 4)
        @rule(two=st.booleans())
        def open(self, two):
            officers = [wuhou_inspector.pk, wuhou_inspector2.pk] if two else [wuhou_inspector.pk]
            case = services.open_case(
                actor=wuhou_inspector,
                enterprise=wuhou_ent,
                cause="随机案件",
                facts="事实",
                origin="direct",
                officer_ids=officers,
            )
            self.ids.append(case.pk)
            self.accepted[case.pk] = 0

        @precondition(lambda self: self.ids)
        @rule(data=st.data())
        def advance(self, data):
            """The next step done right, so that sequences reach the late states too."""
            pk = data.draw(st.sampled_from(self.ids))
            officer = wuhou_inspector
            step = {
                "opened": lambda c: (
                    services.assign_officers(
                        actor=officer, case=c, officer_ids=[wuhou_inspector.pk, wuhou_inspector2.pk]
                    ),
                    services.investigate(actor=officer, case=c),
                ),
                "investigating": lambda c: (
                    services.add_evidence(actor=officer, case=c, attachment_ids=[photo.pk]),
                    services.notify(
                        actor=officer,
                        case=c,
                        proposal="拟罚款",
                        proposed_kinds=["fine"],
                        proposed_fine_cny="1000",
                    ),
                ),
                "notified": lambda c: (
                    c.statement_on or services.record_statement(actor=officer, case=c, waived=True),
                    c.hearing_requested
                    and not c.hearing_held_on
                    and services.record_hearing(actor=officer, case=c, record="听证"),
                    services.decide(
                        actor=officer,
                        case=EnforcementCase.objects.get(pk=c.pk),
                        penalties=[services.PenaltyIn(**x) for x in DUAL],
                    ),
                ),
                "decided": lambda c: services.execute(actor=officer, case=c, execution="执行", paid_cny="0"),
                "executed": lambda c: services.close(actor=officer, case=c, report="结案"),
            }.get(EnforcementCase.objects.get(pk=pk).state)
            if step is None:
                return
            before = audit.history(EnforcementCase.objects.get(pk=pk)).count()
            step(EnforcementCase.objects.get(pk=pk))
            self.accepted[pk] += audit.history(EnforcementCase.objects.get(pk=pk)).count() - before

        @precondition(lambda self: self.ids)
        @rule(data=st.data(), actor=st.sampled_from(ACTORS), two=st.booleans())
        def assign(self, data, actor, two):
            officers = [wuhou_inspector.pk, wuhou_inspector2.pk] if two else [wuhou_inspector2.pk]
            self._try(
                data.draw(st.sampled_from(self.ids)),
                lambda c: services.assign_officers(actor=users[actor], case=c, officer_ids=officers),
            )

        @precondition(lambda self: self.ids)
        @rule(data=st.data(), actor=st.sampled_from(ACTORS))
        def investigate(self, data, actor):
            self._try(
                data.draw(st.sampled_from(self.ids)),
                lambda c: services.investigate(actor=users[actor], case=c),
            )

        @precondition(lambda self: self.ids)
        @rule(data=st.data(), actor=st.sampled_from(ACTORS))
        def evidence(self, data, actor):
            self._try(
                data.draw(st.sampled_from(self.ids)),
                lambda c: services.add_evidence(actor=users[actor], case=c, attachment_ids=[photo.pk]),
            )

        @precondition(lambda self: self.ids)
        @rule(data=st.data(), actor=st.sampled_from(ACTORS), fine=st.sampled_from([None, "1000", "100000"]))
        def notify(self, data, actor, fine):
            self._try(
                data.draw(st.sampled_from(self.ids)),
                lambda c: services.notify(
                    actor=users[actor],
                    case=c,
                    proposal="拟罚款",
                    proposed_kinds=["fine"],
                    proposed_fine_cny=fine,
                ),
            )

        @precondition(lambda self: self.ids)
        @rule(data=st.data(), actor=st.sampled_from(ACTORS), waived=st.booleans(), hearing=st.booleans())
        def statement(self, data, actor, waived, hearing):
            self._try(
                data.draw(st.sampled_from(self.ids)),
                lambda c: services.record_statement(
                    actor=users[actor],
                    case=c,
                    waived=waived,
                    statement="" if waived else "申辩",
                    hearing_requested=hearing,
                ),
            )

        @precondition(lambda self: self.ids)
        @rule(data=st.data(), actor=st.sampled_from(ACTORS))
        def hearing(self, data, actor):
            self._try(
                data.draw(st.sampled_from(self.ids)),
                lambda c: services.record_hearing(actor=users[actor], case=c, record="听证"),
            )

        @precondition(lambda self: self.ids)
        @rule(data=st.data(), actor=st.sampled_from(ACTORS), lines=st.sampled_from(LINES))
        def decide(self, data, actor, lines):
            self._try(
                data.draw(st.sampled_from(self.ids)),
                lambda c: services.decide(
                    actor=users[actor], case=c, penalties=[services.PenaltyIn(**x) for x in lines]
                ),
            )

        @precondition(lambda self: self.ids)
        @rule(
            data=st.data(),
            actor=st.sampled_from(ACTORS),
            paid=st.sampled_from([None, "0", "30000", "999999"]),
        )
        def execute(self, data, actor, paid):
            self._try(
                data.draw(st.sampled_from(self.ids)),
                lambda c: services.execute(actor=users[actor], case=c, execution="执行", paid_cny=paid),
            )

        @precondition(lambda self: self.ids)
        @rule(data=st.data(), actor=st.sampled_from(ACTORS), report=st.sampled_from(["", "结案"]))
        def close(self, data, actor, report):
            self._try(
                data.draw(st.sampled_from(self.ids)),
                lambda c: services.close(actor=users[actor], case=c, report=report),
            )

        @precondition(lambda self: self.ids)
        @rule(data=st.data(), actor=st.sampled_from(ACTORS), reason=st.sampled_from(["", "撤销"]))
        def withdraw(self, data, actor, reason):
            self._try(
                data.draw(st.sampled_from(self.ids)),
                lambda c: services.withdraw(actor=users[actor], case=c, reason=reason),
            )

        @invariant()
        def steps_keep_their_order(self):
            minimum = rules.current().min_officers
            for case in EnforcementCase.objects.filter(pk__in=self.ids):
                if case.state != "opened" and case.state != "withdrawn":
                    assert case.officers.count() >= minimum
                if case.state in ("notified", "decided", "executed", "closed"):
                    assert case.evidence.exists() and case.notified_on is not None
                if case.state in ("decided", "executed", "closed"):
                    lines = list(case.penalties.all())
                    assert lines and case.decided_by_id and case.decided_on >= case.notified_on
                    assert (
                        case.decided_by.role != "inspector"
                        or case.officers.filter(pk=case.decided_by_id).exists()
                    )
                    fined = {p.party for p in lines if p.kind == "fine"}
                    assert case.dual_penalty == (fined == {"unit", "person"})
                    assert case.fines_total == sum(
                        (p.amount for p in lines if p.kind in MONEY_KINDS), Decimal(0)
                    )
                else:
                    assert not case.penalties.exists() and case.decided_on is None
                if case.state in ("executed", "closed"):
                    assert case.executed_on is not None
                if case.state in ("closed", "withdrawn"):
                    row = (case.state, case.updated_at, case.penalties.count())
                    assert self.frozen.setdefault(case.pk, row) == row

        @invariant()
        def every_accepted_action_has_one_audit_entry(self):
            for pk, count in self.accepted.items():
                entries = audit.history(EnforcementCase.objects.get(pk=pk)).exclude(
                    action="enforcement.enforcementcase.opened"
                )
                assert entries.count() == count
                assert {e.action.rsplit(".", 1)[1] for e in entries} <= STEPS

        def teardown(self):
            assert audit.verify().ok

    run_state_machine_as_test(
        CaseLoop,
        settings=settings(
            max_examples=20, stateful_step_count=25, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
