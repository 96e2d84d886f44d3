"""Random sequences of actions by random actors keep the loop's promises.

Invariants checked after every step: no hazard is closed without an accepted submission that
someone else verified; every state change has exactly one audit entry; the chain verifies.
"""

from datetime import timedelta

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

from benan.core import audit, clock
from benan.core.errors import DomainError
from benan.hazards import services
from benan.hazards.models import Hazard, Rectification

from .conftest import CRITERION, PLAN

ACTORS = ["ent_wuhou", "wuhou_inspector", "wuhou_inspector_2", "jinjiang_inspector", "cd_office", "expert"]


@pytest.mark.slow
def test_random_sequences_keep_the_invariants(
    criteria,
    ent_wuhou,
    wuhou_inspector,
    jinjiang_inspector,
    cd_office,
    expert,
    make_user,
    wuhou_ent,
    evidence,
):
    users = {
        "ent_wuhou": ent_wuhou,
        "wuhou_inspector": wuhou_inspector,
        "jinjiang_inspector": jinjiang_inspector,
        "cd_office": cd_office,
        "expert": expert,
        "wuhou_inspector_2": make_user("wuhou-inspector-2", "inspector", region="510107"),
    }
    photo = evidence()
    moves: dict[int, int] = {}  # hazard id -> successful state changes

    class HazardLoop(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.ids: list[int] = []

        def _try(self, pk, action, call):
            before = Hazard.objects.get(pk=pk).state
            try:
                call(Hazard.objects.get(pk=pk))
            except (DomainError, ValidationError):
                assert Hazard.objects.get(pk=pk).state == before
                return
            if Hazard.objects.get(pk=pk).state != before:
                moves[pk] = moves.get(pk, 0) + 1

        @rule(actor=st.sampled_from(["ent_wuhou", "wuhou_inspector"]))
        def report(self, actor):
            source = "self" if actor == "ent_wuhou" else "department"
            hazard = services.report_hazard(
                actor=users[actor], enterprise=wuhou_ent, description="随机隐患", source=source
            )
            self.ids.append(hazard.pk)
            moves[hazard.pk] = 0

        @precondition(lambda self: self.ids)
        @rule(
            data=st.data(),
            actor=st.sampled_from(ACTORS),
            grade=st.sampled_from(["general", "major"]),
            days=st.integers(-2, 60),
            with_criterion=st.booleans(),
        )
        def confirm(self, data, actor, grade, days, with_criterion):
            pk = data.draw(st.sampled_from(self.ids))
            self._try(
                pk,
                "confirm",
                lambda h: services.confirm_hazard(
                    actor=users[actor],
                    hazard=h,
                    grade=grade,
                    due_date=clock.today() + timedelta(days=days),
                    criterion_id=CRITERION if with_criterion else None,
                    plan=PLAN,
                ),
            )

        @precondition(lambda self: self.ids)
        @rule(data=st.data(), actor=st.sampled_from(ACTORS), with_evidence=st.booleans())
        def submit(self, data, actor, with_evidence):
            pk = data.draw(st.sampled_from(self.ids))
            self._try(
                pk,
                "submit",
                lambda h: services.submit_rectification(
                    actor=users[actor],
                    hazard=h,
                    description="已整改",
                    attachment_ids=[photo.pk] if with_evidence else [],
                ),
            )

        @precondition(lambda self: self.ids)
        @rule(data=st.data(), actor=st.sampled_from(ACTORS))
        def verify(self, data, actor):
            pk = data.draw(st.sampled_from(self.ids))
            self._try(pk, "verify", lambda h: services.verify_hazard(actor=users[actor], hazard=h))

        @precondition(lambda self: self.ids)
        @rule(data=st.data(), actor=st.sampled_from(ACTORS), comment=st.sampled_from(["", "不合格"]))
        def reject(self, data, actor, comment):
            pk = data.draw(st.sampled_from(self.ids))
            self._try(
                pk,
                "reject",
                lambda h: services.reject_rectification(actor=users[actor], hazard=h, comment=comment),
            )

        @precondition(lambda self: self.ids)
        @rule(data=st.data(), actor=st.sampled_from(ACTORS), reason=st.sampled_from(["", "非隐患"]))
        def dismiss(self, data, actor, reason):
            pk = data.draw(st.sampled_from(self.ids))
            self._try(
                pk, "dismiss", lambda h: services.dismiss_hazard(actor=users[actor], hazard=h, reason=reason)
            )

        @invariant()
        def closed_hazards_were_submitted_and_verified_by_someone_else(self):
            for hazard in Hazard.objects.filter(state="closed"):
                accepted = hazard.rectifications.get(outcome=Rectification.Outcome.ACCEPTED)
                assert accepted.attachments.exists()
                assert hazard.verified_by_id not in (None, accepted.submitted_by_id)

        @invariant()
        def every_state_change_has_one_audit_entry(self):
            for pk, count in moves.items():
                entries = audit.history(Hazard.objects.get(pk=pk)).exclude(action="hazards.hazard.reported")
                assert entries.count() == count

        def teardown(self):
            # Recomputing the whole chain after every step would dominate the run; once per
            # sequence still catches any step that broke it.
            assert audit.verify().ok

    run_state_machine_as_test(
        HazardLoop,
        settings=settings(
            max_examples=20, stateful_step_count=20, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
