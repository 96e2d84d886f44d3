"""Two verifiers act on the same hazard at the same moment: exactly one succeeds.

Real concurrent transactions, each thread on its own database connection. On PostgreSQL the
second waits on the row lock taken by core.loop (select_for_update), on SQLite on the write
lock of its IMMEDIATE transaction; either way it then finds the hazard closed: 409.
"""

import threading
import time

import pytest
from django.db import connection

from benan.core import audit
from benan.core.errors import InvalidTransition
from benan.hazards import guards, services
from benan.hazards.models import Hazard


@pytest.mark.django_db(transaction=True)
def test_two_verifiers_at_once_one_wins_one_gets_409(walk, make_user, wuhou_inspector, monkeypatch):
    second = make_user("wuhou-inspector-2", "inspector", region="510107")
    pk = walk("submitted")
    review = guards._review

    def review_slowly(*args, **kwargs):
        # Runs inside the transition, with the row locked: hold the lock a while, so that the
        # other verifier surely arrives while it is held.
        time.sleep(0.5)
        return review(*args, **kwargs)

    monkeypatch.setattr(guards, "_review", review_slowly)
    barrier = threading.Barrier(2)
    outcomes = {}

    def verify(user):
        try:
            barrier.wait(timeout=10)
            services.verify_hazard(actor=user, hazard=Hazard.objects.get(pk=pk), comment=user.username)
            outcomes[user.username] = "ok"
        except InvalidTransition as exc:
            outcomes[user.username] = exc.status
        finally:
            connection.close()

    threads = [threading.Thread(target=verify, args=(u,)) for u in (wuhou_inspector, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes.values(), key=str) == [409, "ok"], outcomes
    hazard = Hazard.objects.get(pk=pk)
    assert hazard.state == "closed"
    assert audit.history(hazard).filter(action="hazards.hazard.verify").count() == 1
    assert audit.verify().ok
