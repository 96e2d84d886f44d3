"""Named actors for every test: one per role, and outsiders who must see nothing.

Regions are the real Sichuan tree. Enterprises: `wuhou_ent` (成都市武侯区, the enterprise of
`ent_wuhou`), `jinjiang_ent` (成都市锦江区), `mianyang_ent` (绵阳市涪城区, outside Chengdu).
"""

from __future__ import annotations

import itertools
from datetime import date, datetime

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from benan.core.models import Region, Role, User
from benan.core.regions import load_regions
from benan.core.tokens import issue_token
from benan.enterprises import services, uscc
from benan.enterprises.models import Enterprise

PASSWORD = "demo-2026"
WUHOU, JINJIANG, CHENGDU, FUCHENG, SICHUAN = "510107", "510104", "510100", "510703", "510000"

_serial = itertools.count(1)

# Shared CI machines are noisy: judge properties on their examples, not on their timing.
hypothesis_settings.register_profile("benan", deadline=None, max_examples=200)
hypothesis_settings.load_profile("benan")


def make_uscc(region_code: str = WUHOU, serial: int | None = None) -> str:
    """A valid USCC registered in `region_code`, unique per call."""
    n = next(_serial) if serial is None else serial
    body = f"{n:08d}"
    return uscc.make("91" + region_code + body + uscc.org_check_character(body))


def pytest_addoption(parser):
    parser.addoption(
        "--travel",
        default=None,
        metavar="MOMENT",
        help="run every test as if the clock read MOMENT (ISO 8601 with offset, e.g. "
        "2026-12-01T00:10+08:00), ticking: shakes out tests that hold only at some hours or days",
    )


def pytest_configure(config):
    # Before collection, so that dates computed when test modules are imported travel too.
    moment = config.getoption("--travel")
    if moment:
        import time_machine

        config._benan_travel = time_machine.travel(datetime.fromisoformat(moment), tick=True)
        config._benan_travel.start()


def pytest_unconfigure(config):
    traveller = getattr(config, "_benan_travel", None)
    if traveller is not None:
        traveller.stop()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The regions are reference data every test reads: load them once into each test database
    (one per xdist worker) instead of in every test."""
    with django_db_blocker.unblock():
        load_regions()


@pytest.fixture
def regions(db):
    # TransactionTestCase-style tests (live_server) flush the tables; reload when missing.
    if not Region.objects.filter(code=SICHUAN).exists():
        load_regions()


@pytest.fixture
def make_user(regions):
    def make(username: str, role: str, *, region: str | None = None, enterprise=None, **kw) -> User:
        user = User(username=username, role=role, region_id=region, enterprise=enterprise, **kw)
        user.set_password(PASSWORD)
        user.full_clean()
        user.save()
        return user

    return make


@pytest.fixture
def admin(make_user):
    return make_user("admin", Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def make_enterprise(regions, admin):
    def make(region: str = WUHOU, **data) -> Enterprise:
        status = data.pop("status", "normal")
        since = data.pop("status_since", date(2020, 1, 1))
        r = Region.objects.get(code=region)
        values = {
            "uscc": make_uscc(region), "name": f"{r.name}测试企业{next(_serial)}有限公司",
            "region_code": region, "sector": "machinery", "address": f"四川省{r.full_name}测试路1号",
            "lat": r.lat, "lon": r.lon, **data,
        }
        return services.create_enterprise(actor=admin, data=values, status=status, status_since=since)

    return make


@pytest.fixture
def wuhou_ent(make_enterprise):
    return make_enterprise(WUHOU, name="武侯机械制造有限公司")


@pytest.fixture
def jinjiang_ent(make_enterprise):
    return make_enterprise(JINJIANG, name="锦江商贸有限公司", sector="commerce")


@pytest.fixture
def mianyang_ent(make_enterprise):
    return make_enterprise(FUCHENG, name="绵阳建材有限公司", sector="building_materials")


@pytest.fixture
def sc_office(make_user):
    return make_user("sc-office", Role.SAFETY_OFFICE, region=SICHUAN)


@pytest.fixture
def cd_office(make_user):
    return make_user("cd-office", Role.SAFETY_OFFICE, region=CHENGDU)


@pytest.fixture
def wuhou_inspector(make_user):
    return make_user("wuhou-inspector", Role.INSPECTOR, region=WUHOU)


@pytest.fixture
def jinjiang_inspector(make_user):
    return make_user("jinjiang-inspector", Role.INSPECTOR, region=JINJIANG)


@pytest.fixture
def ent_wuhou(make_user, wuhou_ent):
    return make_user("ent-wuhou", Role.ENTERPRISE, enterprise=wuhou_ent)


@pytest.fixture
def expert(make_user):
    return make_user("expert", Role.EXPERT, region=SICHUAN)


@pytest.fixture
def commander(make_user):
    return make_user("commander", Role.COMMANDER, region=SICHUAN)


class ApiClient:
    """Django's test client with a bearer token and JSON bodies."""

    def __init__(self, user: User | None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            token = issue_token(username=user.username, password=PASSWORD)
            assert token, f"could not log in as {user.username}"
            self.headers["Authorization"] = f"Bearer {token}"

    def get(self, path, params=None):
        return self.client.get(path, params or {}, headers=self.headers)

    def post(self, path, body=None):
        return self.client.post(path, body or {}, content_type="application/json", headers=self.headers)

    def patch(self, path, body=None):
        return self.client.patch(path, body or {}, content_type="application/json", headers=self.headers)

    def put(self, path, body=None):
        return self.client.put(path, body or {}, content_type="application/json", headers=self.headers)

    def delete(self, path):
        return self.client.delete(path, headers=self.headers)


@pytest.fixture
def api():
    """`api(user)` → a client authenticated as `user` (None: no token)."""
    return ApiClient
