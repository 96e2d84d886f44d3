"""Authorization probes for the power-alert pages, merged into PAGE_MATRIX in
tests/test_authorization.py.

The alerts come from the API matrix's builders (tests/power/matrix.py): one at each of the three
enterprises (武侯, 锦江, 绵阳 涪城) in the state the action needs. Outside the role's scope 404 and
nothing changed; enterprises see no alert at all (the queue 403, an alert 404); inside the scope,
the roles written out in matrix.py get 302, the others 403 with nothing changed.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from benan.power.models import AlertState
from tests.conftest import JINJIANG

from .conftest import LAT, LON, PNG
from .matrix import ASSIGNERS, CASE_OPENERS, CHECKERS, VISIBLE, _snapshot, alert, assign_body


def page_queue(client, role, enterprises, name):
    made = {key: alert()(e) for key, e in enterprises.items()}
    for params in ({"mine": "0"}, {"mine": "0", "region": "510000"}, {"mine": "0", "region": JINJIANG}):
        response = client.get(reverse(name), params)
        if role == "ent_wuhou":
            assert response.status_code == 403, role
            continue
        text = response.content.decode()
        for key, a in made.items():
            shown = f'data-alert="{a.pk}"' in text
            if key not in VISIBLE[role]:
                assert not shown and enterprises[key].name not in text, (role, key, params)
            elif len(params) == 1:
                assert shown, (role, key, params)


def page_read(client, role, enterprises, name):
    for key, enterprise in enterprises.items():
        response = client.get(reverse(name, args=[alert()(enterprise).pk]))
        assert response.status_code == (200 if key in VISIBLE[role] else 404), (role, key, name)


def page_act(make, allowed: set[str], body):
    def probe(client, role, enterprises, name):
        for key, enterprise in enterprises.items():
            a = make(enterprise)
            before = _snapshot(a)
            response = client.post(reverse(name, args=[a.pk]), body(role, enterprise))
            expected = (302 if role in allowed else 403) if key in VISIBLE[role] else 404
            assert response.status_code == expected, (role, key, name, response.status_code)
            if expected != 302:
                assert _snapshot(a) == before, (role, key, name)

    return probe


def _assign_body(role, enterprise):
    return {"inspector": assign_body(role, enterprise)["inspector_id"]}


def _check_body(role, enterprise):
    return {
        "outcome": "confirm",
        "photos": [SimpleUploadedFile("现场.png", PNG, "image/png")],
        "lat": LAT,
        "lon": LON,
        "finding": "现场核查情况",
    }


POWER_PAGES = {
    "power:queue": page_queue,
    "power:detail": page_read,
    "power:assign": page_act(alert(), ASSIGNERS, _assign_body),
    "power:check": page_act(alert(AlertState.ASSIGNED), CHECKERS, _check_body),
    "power:open_case": page_act(alert(AlertState.CONFIRMED), CASE_OPENERS, lambda role, e: {}),
}
