"""The enforcement statistics page: the numbers of the user's region, each linking to its list."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from benan.enforcement import services
from tests.enforcement.conftest import DUAL

START = date(2026, 5, 11)


@pytest.fixture(autouse=True)
def fixed_day():
    with time_machine.travel(START, tick=False):
        yield


def card(text: str, key: str) -> tuple[str, str]:
    """(link, number) of the card `key`."""
    match = re.search(rf'href="([^"]+)" id="stat-{key}">.*?fs-3 fw-semibold">([^<]+)<', text, re.S)
    assert match, key
    return match.group(1).replace("&amp;", "&"), match.group(2).strip()


def test_the_numbers_link_to_the_lists_behind_them(
    client, case_in, wuhou_ent, jinjiang_ent, mianyang_ent, cd_office
):
    dual = case_in("decided", wuhou_ent)
    case_in("closed", jinjiang_ent, penalties=[DUAL[0]])
    case_in("opened", mianyang_ent)  # outside Chengdu
    services.order_suspension(
        actor=cd_office, case=dual, start_date=START, scope="全厂", lifting_conditions="整改"
    )
    client.force_login(cd_office)
    response = client.get(reverse("enforcement:stats"), {"year": "2026"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "执法统计 · 成都市 · 2026 年" in text
    link, number = card(text, "cases")
    assert number == "2" and link == "/enforcement/cases/?region=510100&year=2026"
    link, number = card(text, "dual_penalty")
    assert number == "1" and "dual_penalty=true" in link
    listed = client.get(link).content.decode()
    assert dual.number in listed and 'id="result-count">1<' in listed
    assert card(text, "fines_total_cny")[1] == "330000.00"
    link, number = card(text, "suspensions")
    assert number == "1" and link.startswith("/enforcement/suspensions/?")
    assert 'id="result-count">1<' in client.get(link).content.decode()
    assert card(text, "referrals")[1] == "0"

    # A county inside the scope narrows; another city is outside it.
    text = client.get(reverse("enforcement:stats"), {"region": "510104"}).content.decode()
    assert card(text, "cases")[1] == "1"
    assert client.get(reverse("enforcement:stats"), {"region": "510700"}).status_code == 404
    assert client.get(reverse("enforcement:stats"), {"year": "20x6"}).status_code == 400
    assert (
        card(client.get(reverse("enforcement:stats"), {"year": "2025"}).content.decode(), "cases")[1] == "0"
    )


def test_enterprise_users_have_no_statistics(client, ent_wuhou):
    client.force_login(ent_wuhou)
    assert client.get(reverse("enforcement:stats")).status_code == 403
