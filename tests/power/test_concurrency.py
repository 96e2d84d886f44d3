"""Concurrent writes to one alert: real transactions, each thread on its own connection.

Two scans writing the same finding at once leave one alert (the enterprise row lock orders them;
the partial unique constraint would refuse a second open alert anyway). Two inspectors' checks of
one alert at once: one is recorded, the other gets 409.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection

from benan.core import audit, clock, geo
from benan.core.errors import DomainError
from benan.core.models import Role
from benan.power import services
from benan.power.models import AlertKind, PowerAlert
from tests.conftest import WUHOU

from .conftest import LAT, LON, run


def in_threads(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def go(i, call):
        try:
            barrier.wait(timeout=10)
            outcomes[i] = call()
        except DomainError as exc:
            outcomes[i] = exc.status
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_make_one_alert(wuhou_ent, monkeypatch):
    merge = services._merge

    def merge_slowly(*args, **kwargs):
        time.sleep(0.3)  # inside the transaction, after the lock: the other scan must wait
        return merge(*args, **kwargs)

    monkeypatch.setattr(services, "_merge", merge_slowly)
    start = clock.today() - timedelta(days=6)
    finding = [run(start, start + timedelta(days=3))]
    outcomes = in_threads(
        lambda: services._upsert(wuhou_ent, AlertKind.COVERT_OPERATION, finding)[0],
        lambda: services._upsert(wuhou_ent, AlertKind.COVERT_OPERATION, finding)[0],
    )
    assert sorted(outcomes) == ["created", "unchanged"], outcomes
    assert PowerAlert.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_checks_at_once_one_is_recorded(wuhou_ent, admin, make_user, photo, monkeypatch):
    inspector = make_user("wuhou-inspector", Role.INSPECTOR, region=WUHOU)
    start = clock.today() - timedelta(days=6)
    _, alert = services._upsert(
        wuhou_ent, AlertKind.COVERT_OPERATION, [run(start, start + timedelta(days=3))]
    )
    services.assign(actor=admin, alert=alert, inspector_id=inspector.pk)
    in_sichuan = geo.in_sichuan

    def in_sichuan_slowly(*args):
        time.sleep(0.3)  # called by the guard on the locked row: the other check must wait
        return in_sichuan(*args)

    monkeypatch.setattr(geo, "in_sichuan", in_sichuan_slowly)
    pics = [photo(inspector).pk, photo(inspector).pk]

    def confirm():
        return services.confirm(
            actor=inspector,
            alert=PowerAlert.objects.get(pk=alert.pk),
            photo_ids=[pics[0]],
            lat=LAT,
            lon=LON,
            finding="生产",
        ).state

    def dismiss():
        return services.dismiss(
            actor=inspector,
            alert=PowerAlert.objects.get(pk=alert.pk),
            photo_ids=[pics[1]],
            lat=LAT,
            lon=LON,
            finding="照明",
        ).state

    outcomes = in_threads(confirm, dismiss)
    assert 409 in outcomes and len(set(outcomes)) == 2, outcomes
    final = PowerAlert.objects.get(pk=alert.pk)
    assert final.state == next(o for o in outcomes if o != 409)
    moves = audit.history(final).filter(action__in=["power.poweralert.confirm", "power.poweralert.dismiss"])
    assert moves.count() == 1
