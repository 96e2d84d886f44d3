"""The daily sweep: overdue returns and overdue drill follow-ups escalated once per due date,
due maintenance reminded once per date; safe to run twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from benan.core import audit, clock
from benan.core.models import Notification, Role
from benan.emergency import services
from benan.emergency.models import Loan

pytestmark = pytest.mark.django_db


def test_overdue_loans_and_due_maintenance_are_escalated_once(admin, make_user, equipment, warehouse):
    county = make_user("wuhou-commander", Role.COMMANDER, region="510107")
    city = make_user("cd-commander", Role.COMMANDER, region="510100")
    elsewhere = make_user("my-commander", Role.COMMANDER, region="510703")
    home = warehouse("510107")
    late = equipment(home)
    services.equipment_action(
        actor=admin,
        equipment=late,
        action="lend",
        borrower="某施工单位",
        expected_return=clock.today() + timedelta(days=1),
    )
    due = equipment(home, next_maintenance=clock.today())
    equipment(home, next_maintenance=clock.today() + timedelta(days=1))
    Loan.objects.filter(equipment=late).update(expected_return=clock.today() - timedelta(days=2))

    assert services.sweep() == {"loans": 1, "maintenance": 1, "follow_ups": 0}
    assert services.sweep() == {"loans": 0, "maintenance": 0, "follow_ups": 0}
    titles = set(Notification.objects.filter(recipient=county).values_list("title", flat=True))
    assert any("逾期未还 2 天" in t for t in titles) and any("到期保养" in t for t in titles)
    assert Notification.objects.filter(recipient=city).count() == 2
    assert not Notification.objects.filter(recipient=elsewhere).exists()
    assert audit.history(Loan.objects.get(equipment=late)).last().action == "emergency.loan.escalated"
    assert audit.history(due).last().action == "emergency.equipment.maintenance_due"
    # A new due date escalates again.
    Loan.objects.filter(equipment=late).update(expected_return=clock.today() - timedelta(days=1))
    assert services.sweep()["loans"] == 1


def test_overdue_follow_ups_go_to_the_assignee_and_the_managers(api, commander, make_user):
    county = make_user("wuhou-commander", Role.COMMANDER, region="510107")
    drill = services.plan_drill(
        actor=commander,
        title="桌面推演",
        kind="drill",
        region_code="510107",
        organiser="武侯区应急管理局",
        scenario="地震",
        planned_on=clock.today(),
    )
    services.drill_action(
        actor=commander,
        drill=drill,
        action="hold",
        held_on=clock.today(),
        participant_count=20,
        evaluation="一般",
        rating="pass",
    )
    item = services.add_follow_up(
        actor=commander, drill=drill, description="补充物资", assignee_id=county.pk, due_date=clock.today()
    )
    assert services.sweep(today=clock.today())["follow_ups"] == 0
    assert services.sweep(today=clock.today() + timedelta(days=3))["follow_ups"] == 1
    assert services.sweep(today=clock.today() + timedelta(days=4))["follow_ups"] == 0
    assert Notification.objects.filter(recipient=county, title__contains="演练整改逾期 3 天").exists()
    assert audit.history(item).last().action == "emergency.followup.escalated"


def test_the_sweep_command_reports_and_refuses_a_bad_date(admin, equipment):
    from io import StringIO

    from django.core.management import CommandError, call_command

    equipment(next_maintenance=clock.today())
    out = StringIO()
    call_command("emergency", "sweep", stdout=out)
    assert "到期保养提醒 1 条" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("emergency", "sweep", "--today", "2026-13-01")
