"""`benan demo` and `benan demo_logins` against a database.

These tests do not request conftest's named users: the demo creates its own accounts with
the same usernames.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from benan.core import audit
from benan.core.models import AuditEntry, Region, Role, User
from benan.demo import generator
from benan.enterprises.models import Enterprise, StatusPeriod

N = 300


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def demo(regions):
    # Enterprises and accounts only; hazards, cases and accidents are tested in
    # test_demo_hazards/_enforcement/_accidents.
    return run("demo", enterprises=N, seed=11, hazards=0, cases=0, accidents=0)


def test_it_writes_the_generated_enterprises(demo):
    expected = sorted(r.data["uscc"] for r in generator.generate(N, 11))
    assert sorted(Enterprise.objects.values_list("uscc", flat=True)) == expected
    assert f"企业 {N} 家" in demo
    assert "用时" in demo


def test_timelines_in_the_database_are_contiguous(demo):
    periods: dict[int, list] = {}
    for p in StatusPeriod.objects.order_by("enterprise_id", "start_date"):
        periods.setdefault(p.enterprise_id, []).append(p)
    assert len(periods) == N
    for timeline in periods.values():
        for before, after in zip(timeline, timeline[1:], strict=False):
            assert before.end_date == after.start_date - timedelta(days=1)
        assert timeline[-1].end_date is None


@pytest.mark.parametrize(("username", "role", "region"), [
    ("admin", Role.ADMIN, None),
    ("sc-office", Role.SAFETY_OFFICE, "510000"),
    ("cd-office", Role.SAFETY_OFFICE, "510100"),
    ("wuhou-inspector", Role.INSPECTOR, "510107"),
    ("jinjiang-inspector", Role.INSPECTOR, "510104"),
    ("ent-wuhou", Role.ENTERPRISE, None),
    ("expert", Role.EXPERT, "510000"),
    ("commander", Role.COMMANDER, "510000"),
    ("wuhou-commander", Role.COMMANDER, "510107"),
])
def test_demo_accounts_have_their_role_and_region(demo, username, role, region):
    user = User.objects.get(username=username)
    assert user.role == role
    assert user.region_id == region
    assert user.check_password("demo-2026")
    assert user.last_name and user.first_name
    assert (user.is_staff, user.is_superuser) == ((True, True) if role == Role.ADMIN else (False, False))


def test_the_enterprise_account_is_bound_to_the_first_wuhou_enterprise(demo):
    user = User.objects.get(username="ent-wuhou")
    assert user.enterprise.region_id == "510107"
    assert user.enterprise == Enterprise.objects.filter(region_id="510107").order_by("name", "id").first()


def test_everything_is_in_the_audit_log_and_the_chain_holds(demo):
    assert AuditEntry.objects.filter(action="demo.enterprise.created").count() == N
    assert AuditEntry.objects.filter(action="demo.user.created").count() == len(generator.DEMO_ACCOUNTS)
    assert audit.verify().ok
    assert "OK" in run("audit", "verify")


def test_if_empty_does_not_duplicate(demo):
    out = run("demo", enterprises=50, if_empty=True)
    assert "跳过" in out
    assert Enterprise.objects.count() == N
    assert User.objects.count() == len(generator.DEMO_ACCOUNTS)


def test_it_refuses_to_add_to_a_filled_database(demo):
    with pytest.raises(CommandError, match="已有 300 家企业") as error:
        run("demo", enterprises=50, seed=99)
    assert error.value.returncode == 1
    assert Enterprise.objects.count() == N


def test_it_needs_the_regions(db):
    from benan.core.scope import forget_regions

    # The test database starts with the regions; this test needs none (counties, cities, province).
    for level in ("county", "city", "province"):
        Region.objects.filter(level=level).delete()
    forget_regions()
    with pytest.raises(CommandError, match="load_regions"):
        run("demo", enterprises=10)
    assert not Enterprise.objects.exists()


def test_it_keeps_accounts_that_already_exist(regions):
    User.objects.create_user("expert", password="something-else", role=Role.EXPERT, region_id="510000")
    out = run("demo", enterprises=20, hazards=0, cases=0, accidents=0)
    assert "expert" in out
    assert not User.objects.get(username="expert").check_password("demo-2026")
    assert User.objects.count() == len(generator.DEMO_ACCOUNTS)


def test_demo_logins_lists_the_accounts(demo):
    out = run("demo_logins")
    for account in generator.DEMO_ACCOUNTS:
        assert account.username in out
    assert "demo-2026" in out
    assert "成都市武侯区" in out
    assert User.objects.get(username="ent-wuhou").enterprise.name in out


def test_demo_logins_explains_when_there_are_no_accounts(db):
    assert "benan demo" in run("demo_logins")
