"""Random sequences on investigations keep the four-nos promise: nothing closes before the reply,
all four items done with evidence and every measure verified by someone other than its submitter;
every accepted action is audited once; nothing moves after closing."""

import contextlib
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

from benan.accidents import services
from benan.accidents.models import FourNos, Investigation, Measure
from benan.core import audit, clock
from benan.core.errors import DomainError

ACTORS = ["cd_office", "sc_office", "wuhou_inspector", "ent_wuhou", "expert"]


@pytest.mark.slow
def test_random_sequences_keep_the_four_nos(
    admin, cd_office, sc_office, wuhou_inspector, ent_wuhou, expert, wuhou_ent, accident, pdf, photo
):
    users = {
        "cd_office": cd_office,
        "sc_office": sc_office,
        "wuhou_inspector": wuhou_inspector,
        "ent_wuhou": ent_wuhou,
        "expert": expert,
    }
    report = {name: pdf(user).pk for name, user in users.items()}
    evidence = {name: photo(user).pk for name, user in users.items()}

    class Investigations(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.ids: list[int] = []
            self.measures: list[int] = []
            # Per run, so the invariants look only at this sequence's objects.
            self.accepted: dict[str, int] = {}  # "investigation:<id>" / "measure:<id>" -> accepted actions
            self.closed: dict[int, tuple] = {}

        def _try(self, key, call):
            try:
                call()
            except (DomainError, ValidationError):
                return
            self.accepted[key] = self.accepted.get(key, 0) + 1

        @precondition(lambda self: len(self.ids) < 3)
        @rule(deaths=st.sampled_from([0, 1, 3]))
        def open(self, deaths):
            inv = services.open_investigation(
                actor=cd_office, accident=accident(wuhou_ent, deaths=deaths), team="组"
            )
            self.ids.append(inv.pk)
            self.accepted[f"investigation:{inv.pk}"] = 0

        def _inv(self, data):
            return Investigation.objects.get(pk=data.draw(st.sampled_from(self.ids)))

        @precondition(lambda self: self.ids)
        @rule(data=st.data())
        def advance(self, data):
            """The next step done right, so that sequences reach closing too."""
            inv = self._inv(data)
            key = f"investigation:{inv.pk}"
            if inv.state == "investigating":
                services.submit_report(
                    actor=cd_office, investigation=inv, attachment_id=report["cd_office"], summary="结论"
                )
                self.accepted[key] += 1
            elif inv.state == "submitted":
                services.reply(actor=sc_office, investigation=inv, reply="同意")
                self.accepted[key] += 1
            elif inv.state == "replied":
                for item in inv.four_nos.filter(done=False):
                    services.mark_four_nos(
                        actor=cd_office,
                        investigation=inv,
                        item=item.item,
                        note="落实",
                        attachment_ids=[evidence["cd_office"]],
                    )
                if not inv.measures.exists():
                    m = services.add_measure(
                        actor=cd_office,
                        investigation=inv,
                        description="整改",
                        due_date=clock.today() + timedelta(days=30),
                        assignee_enterprise_id=wuhou_ent.pk,
                    )
                    self.measures.append(m.pk)
                    self.accepted[f"measure:{m.pk}"] = 0
                for m in inv.measures.exclude(state="closed"):
                    if m.state == "open":
                        services.submit_measure(
                            actor=ent_wuhou,
                            measure=m,
                            result="已整改",
                            attachment_ids=[evidence["ent_wuhou"]],
                        )
                        self.accepted[f"measure:{m.pk}"] += 1
                    m = Measure.objects.get(pk=m.pk)
                    verifier = sc_office if m.submitted_by_id == wuhou_inspector.pk else wuhou_inspector
                    services.verify_measure(actor=verifier, measure=m)
                    self.accepted[f"measure:{m.pk}"] += 1

        @precondition(lambda self: self.ids)
        @rule(data=st.data(), actor=st.sampled_from(ACTORS), with_report=st.booleans())
        def submit(self, data, actor, with_report):
            inv = self._inv(data)
            self._try(
                f"investigation:{inv.pk}",
                lambda: services.submit_report(
                    actor=users[actor],
                    investigation=inv,
                    attachment_id=report[actor] if with_report else None,
                    summary="结论",
                ),
            )

        @precondition(lambda self: self.ids)
        @rule(data=st.data(), actor=st.sampled_from(ACTORS))
        def reply(self, data, actor):
            inv = self._inv(data)
            self._try(
                f"investigation:{inv.pk}",
                lambda: services.reply(actor=users[actor], investigation=inv, reply="同意"),
            )

        @precondition(lambda self: self.ids)
        @rule(data=st.data(), actor=st.sampled_from(ACTORS))
        def close(self, data, actor):
            inv = self._inv(data)
            self._try(
                f"investigation:{inv.pk}", lambda: services.close(actor=users[actor], investigation=inv)
            )

        @precondition(lambda self: self.ids)
        @rule(
            data=st.data(),
            actor=st.sampled_from(ACTORS),
            item=st.sampled_from(FourNos.values),
            with_evidence=st.booleans(),
            done=st.booleans(),
        )
        def four_nos(self, data, actor, item, with_evidence, done):
            inv = self._inv(data)
            with contextlib.suppress(DomainError, ValidationError):
                services.mark_four_nos(
                    actor=users[actor],
                    investigation=inv,
                    item=item,
                    note="落实",
                    attachment_ids=[evidence[actor]] if with_evidence else [],
                    done=done,
                )

        @precondition(lambda self: self.ids)
        @rule(data=st.data())
        def add_measure(self, data):
            inv = self._inv(data)
            try:
                m = services.add_measure(
                    actor=cd_office,
                    investigation=inv,
                    description="整改",
                    due_date=clock.today() + timedelta(days=30),
                    assignee_enterprise_id=wuhou_ent.pk,
                )
            except (DomainError, ValidationError):
                return
            self.measures.append(m.pk)
            self.accepted[f"measure:{m.pk}"] = 0

        @precondition(lambda self: self.measures)
        @rule(
            data=st.data(),
            actor=st.sampled_from(ACTORS),
            verb=st.sampled_from(["submit", "verify", "reject"]),
        )
        def move_measure(self, data, actor, verb):
            m = Measure.objects.get(pk=data.draw(st.sampled_from(self.measures)))
            call = {
                "submit": lambda: services.submit_measure(
                    actor=users[actor], measure=m, result="已整改", attachment_ids=[evidence[actor]]
                ),
                "verify": lambda: services.verify_measure(actor=users[actor], measure=m),
                "reject": lambda: services.reject_measure(actor=users[actor], measure=m, comment="不合格"),
            }[verb]
            self._try(f"measure:{m.pk}", call)

        @invariant()
        def closed_means_four_nos_and_measures(self):
            for inv in Investigation.objects.filter(pk__in=self.ids, state="closed"):
                assert inv.replied_on is not None and inv.report_id is not None
                for item in inv.four_nos.all():
                    assert item.done and item.evidence.exists()
                assert inv.measures.exists()
                assert not inv.measures.exclude(state="closed").exists()
                row = (inv.updated_at, inv.measures.count())
                assert self.closed.setdefault(inv.pk, row) == row
            for m in Measure.objects.filter(pk__in=self.measures, state="closed"):
                assert m.verified_by_id != m.submitted_by_id and m.evidence.exists()

        @invariant()
        def every_accepted_action_is_audited_once(self):
            for key, count in self.accepted.items():
                kind, pk = key.split(":")
                obj = (Investigation if kind == "investigation" else Measure).objects.get(pk=int(pk))
                entries = audit.history(obj).exclude(
                    action__in=[
                        "accidents.investigation.opened",
                        "accidents.investigation.four_nos",
                        "accidents.measure.assigned",
                    ]
                )
                assert entries.count() == count

        def teardown(self):
            assert audit.verify().ok

    run_state_machine_as_test(
        Investigations,
        settings=settings(
            max_examples=25, stateful_step_count=40, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
