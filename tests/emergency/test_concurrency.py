"""Two commanders at once, each thread on its own connection and transaction (PostgreSQL in CI as
well as SQLite): reserving the same piece of equipment, sending the same team, or taking the last
units of a material — exactly one succeeds, the other gets 409, and stock never goes below zero."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection

from benan.core import clock
from benan.core.errors import DomainError
from benan.core.models import Role
from benan.emergency import guards, services
from benan.emergency.models import Batch, DispatchOrder, Loan

pytestmark = pytest.mark.django_db(transaction=True)


def in_threads(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def go(i, call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[i] = "ok"
        except DomainError as exc:
            outcomes[i] = exc.status
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.fixture
def commanders(commander, make_user):
    return commander, make_user("commander-2", Role.COMMANDER, region="510000")


def slowly(module, name, monkeypatch):
    original = getattr(module, name)

    def slow(*args, **kwargs):
        time.sleep(0.3)  # inside the locked transaction: the other commander must wait
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)


def test_two_commanders_reserve_the_same_equipment(commanders, equipment, monkeypatch):
    piece = equipment()
    slowly(guards, "_expected_return", monkeypatch)
    due = clock.today() + timedelta(days=3)
    outcomes = in_threads(
        *(
            lambda c=c: services.equipment_action(
                actor=c,
                equipment=piece,
                action="reserve",
                borrower=f"{c.username}的队伍",
                expected_return=due,
            )
            for c in commanders
        )
    )
    assert sorted(outcomes, key=str) == [409, "ok"], outcomes
    piece.refresh_from_db()
    assert piece.status == "reserved"
    assert Loan.objects.filter(equipment=piece, state="reserved").count() == 1


def test_two_commanders_take_the_last_units(commanders, warehouse, stock, monkeypatch):
    w = warehouse()
    batch = stock(w, "M07", 10)
    slowly(services, "usable", monkeypatch)

    def take(actor):
        dispatch = services.start_dispatch(
            actor=actor, title="帐篷调拨", origin="point", lat=30.6, lon=104.0, region_code="510107"
        )
        services.send_orders(
            actor=actor,
            dispatch=dispatch,
            orders=[{"kind": "material", "id": w.pk, "lines": [{"item": "M07", "quantity": 10}]}],
        )

    outcomes = in_threads(*(lambda c=c: take(c) for c in commanders))
    assert sorted(outcomes, key=str) == [409, "ok"], outcomes
    batch.refresh_from_db()
    assert batch.quantity == 0
    assert DispatchOrder.objects.count() == 1


def test_two_commanders_send_the_same_team(commanders, team, monkeypatch):
    t = team()
    slowly(services, "_km", monkeypatch)  # called after the team is locked and deployed

    def send(actor):
        dispatch = services.start_dispatch(
            actor=actor, title="救援", origin="point", lat=30.6, lon=104.0, region_code="510107"
        )
        services.send_orders(actor=actor, dispatch=dispatch, orders=[{"kind": "team", "id": t.pk}])

    outcomes = in_threads(*(lambda c=c: send(c) for c in commanders))
    assert sorted(outcomes, key=str) == [409, "ok"], outcomes
    assert DispatchOrder.objects.filter(team=t).count() == 1
    assert Batch.objects.count() == 0
