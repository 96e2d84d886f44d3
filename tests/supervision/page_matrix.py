"""Authorization probes for the assignment pages, merged into PAGE_MATRIX in
tests/test_authorization.py.

Each probe makes what it needs at each of the three counties of matrix.py (武侯, 锦江, 涪城) through
the services, and asserts for the role (VISIBLE, ASSIGNERS, ISSUING_SIDE and receivers of matrix.py):
- the list and the board: enterprises 403; nothing from outside the scope shown, all of it unfiltered;
- an assignment's page: 200 inside the scope, 404 outside (and for enterprises, everything);
- a post on an assignment or a target: outside the scope 404 and nothing changed; inside, whose
  action it is 302, the others 403 with nothing changed;
- the new-assignment form: who may not assign 403 and nothing made; an office naming a county
  outside its region 422 and nothing made; inside, 302.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse

from benan.core import clock
from benan.supervision.models import Assignment
from tests.conftest import JINJIANG

from .matrix import (
    ASSIGNERS,
    ISSUING_SIDE,
    REGION_OF,
    VISIBLE,
    assignment_snapshot,
    make_assignment,
    receivers,
    target_in,
)


def _ids(text: str, attr: str) -> set[int]:
    return {int(pk) for pk in re.findall(rf'data-{attr}="(\d+)"', text)}


def assignment_page_list(make, attr: str, params=({}, {"region": "510000"}, {"region": JINJIANG})):
    """A list or board: enterprises 403; rows only from inside the scope, all of them unfiltered."""

    def probe(client, role, enterprises, name):
        made = {key: make(key) for key in REGION_OF}
        for query in params:
            response = client.get(reverse(name), query)
            if role == "ent_wuhou":
                assert response.status_code == 403, (role, name)
                continue
            assert response.status_code == 200, (role, name, query)
            shown = _ids(response.content.decode(), attr)
            for key, obj in made.items():
                if key not in VISIBLE[role]:
                    assert obj.pk not in shown, (role, key, name, query)
                elif not query:
                    assert obj.pk in shown, (role, key, name)

    return probe


def assignment_page_read(client, role, enterprises, name):
    for key in REGION_OF:
        response = client.get(reverse(name, args=[make_assignment(key).pk]))
        assert response.status_code == (200 if key in VISIBLE[role] else 404), (role, key, name)


def assignment_page_act(steps):
    """POST each (make, action, allowed, body): 404 outside the scope; inside, `allowed` (a set or a
    function of the county) 302, the others 403; a refused post changes nothing."""

    def probe(client, role, enterprises, name):
        for make, action, allowed, body in steps:
            for key in REGION_OF:
                obj = make(key)
                before = assignment_snapshot(obj)
                permitted = allowed(key) if callable(allowed) else allowed
                response = client.post(reverse(name, args=[obj.pk, action]), body)
                expected = (302 if role in permitted else 403) if key in VISIBLE[role] else 404
                assert response.status_code == expected, (role, key, name, action, response.status_code)
                if expected != 302:
                    assert assignment_snapshot(obj) == before, (role, key, name, action)

    return probe


def assignment_page_new(client, role, enterprises, name):
    response = client.get(reverse(name))
    assert response.status_code == (200 if role in ASSIGNERS else 403), (role, name)
    for key in REGION_OF:
        before = Assignment.objects.count()
        response = client.post(
            reverse(name),
            {
                "title": f"{key}专项整治",
                "requirements": "按要求开展",
                "due_date": (clock.today() + timedelta(days=7)).isoformat(),
                "regions": [REGION_OF[key]],
            },
        )
        expected = 403 if role not in ASSIGNERS else 302 if key in VISIBLE[role] else 422
        assert response.status_code == expected, (role, key, name, response.status_code)
        assert Assignment.objects.count() == before + (expected == 302), (role, key, name)


SUPERVISION_PAGES = {
    "supervision:assignments": assignment_page_list(make_assignment, "assignment"),
    "supervision:assignment_board": assignment_page_list(target_in(), "target"),
    "supervision:assignment_new": assignment_page_new,
    "supervision:assignment": assignment_page_read,
    "supervision:assignment_action": assignment_page_act(
        [(make_assignment, "cancel", ISSUING_SIDE, {"reason": "任务调整"})]
    ),
    "supervision:assignment_target_action": assignment_page_act(
        [
            (target_in(), "report", receivers, {"text": "已完成三成"}),
            (target_in("submitted"), "accept", ISSUING_SIDE, {"comment": "合格"}),
            (target_in("submitted"), "return", ISSUING_SIDE, {"reason": "缺少台账"}),
        ]
    ),
}
