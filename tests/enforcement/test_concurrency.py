"""Two officers decide the same case at the same moment: exactly one decision is taken.

Real concurrent transactions, each thread on its own connection. On PostgreSQL the second
waits on the row lock core.loop takes (select_for_update), on SQLite on the write lock of its
IMMEDIATE transaction; either way it then finds the case decided: 409, and one set of penalties.
"""

import threading
import time

import pytest
from django.db import connection

from benan.core import audit
from benan.core.errors import InvalidTransition
from benan.enforcement import guards, services
from benan.enforcement.models import EnforcementCase, Penalty

from .conftest import DUAL


@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_at_once_one_wins(
    case_in, wuhou_ent, wuhou_inspector, wuhou_inspector2, monkeypatch
):
    case = case_in("notified", wuhou_ent, officers=[wuhou_inspector, wuhou_inspector2])
    services.record_statement(actor=wuhou_inspector, case=case, waived=True)
    on_case = guards._on_case

    def on_case_slowly(*args, **kwargs):
        # Runs inside the transition with the row locked: hold the lock so that the other
        # officer surely arrives while it is held.
        time.sleep(0.5)
        return on_case(*args, **kwargs)

    monkeypatch.setattr(guards, "_on_case", on_case_slowly)
    barrier = threading.Barrier(2)
    outcomes = {}

    def decide(user, lines):
        try:
            barrier.wait(timeout=10)
            services.decide(
                actor=user,
                case=EnforcementCase.objects.get(pk=case.pk),
                penalties=[services.PenaltyIn(**line) for line in lines],
            )
            outcomes[user.username] = "ok"
        except InvalidTransition as exc:
            outcomes[user.username] = exc.status
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(wuhou_inspector, DUAL)),
        threading.Thread(target=decide, args=(wuhou_inspector2, DUAL[:1])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes.values(), key=str) == [409, "ok"], outcomes
    decided = EnforcementCase.objects.get(pk=case.pk)
    assert decided.state == "decided"
    winner = next(name for name, outcome in outcomes.items() if outcome == "ok")
    assert decided.decided_by.username == winner
    lines = DUAL if winner == wuhou_inspector.username else DUAL[:1]
    assert Penalty.objects.filter(case=decided).count() == len(lines)
    assert decided.dual_penalty is (len(lines) == 2)
    assert audit.history(decided).filter(action="enforcement.enforcementcase.decide").count() == 1
    assert audit.verify().ok


@pytest.mark.django_db(transaction=True)
def test_two_suspension_orders_at_once_one_wins(case_in, wuhou_ent, cd_office, sc_office, monkeypatch):
    from benan.core import clock
    from benan.enforcement.models import SuspensionOrder
    from benan.enterprises import services as enterprise_services

    first, second = case_in("decided", wuhou_ent), case_in("decided", wuhou_ent)
    begin = enterprise_services.begin_suspension

    def begin_slowly(*args, **kwargs):
        result = begin(*args, **kwargs)
        time.sleep(0.5)
        return result

    monkeypatch.setattr(enterprise_services, "begin_suspension", begin_slowly)
    barrier = threading.Barrier(2)
    outcomes = {}

    def order(user, case):
        try:
            barrier.wait(timeout=10)
            services.order_suspension(
                actor=user, case=case, start_date=clock.today(), scope="全厂", lifting_conditions="整改"
            )
            outcomes[user.username] = "ok"
        except InvalidTransition as exc:
            outcomes[user.username] = exc.status
        finally:
            connection.close()

    threads = [
        threading.Thread(target=order, args=(cd_office, first)),
        threading.Thread(target=order, args=(sc_office, second)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes.values(), key=str) == [409, "ok"], outcomes
    assert SuspensionOrder.objects.filter(enterprise=wuhou_ent).count() == 1
    assert wuhou_ent.status_periods.filter(end_date__isnull=True).count() == 1
