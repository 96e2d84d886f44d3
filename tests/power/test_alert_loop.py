"""The power-alert loop through the API: assign → on-site check → confirmed (→ case) or false alarm."""

from __future__ import annotations

from datetime import timedelta

import pytest

from benan.core import clock
from benan.core.models import AuditEntry, Notification, Role
from benan.enforcement.models import EnforcementCase, Origin
from benan.power import services
from benan.power.models import AlertKind, AlertState, PowerAlert
from tests.conftest import WUHOU

from .conftest import check_body, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def wuhou_office(make_user):
    return make_user("wuhou-office", Role.SAFETY_OFFICE, region=WUHOU)


def url(alert, action=""):
    return f"/api/v1/power/alerts/{alert.pk}" + (f"/{action}" if action else "")


def test_new_alert_tells_the_county(
    power_alert, wuhou_ent, wuhou_office, wuhou_inspector, jinjiang_inspector
):
    alert = power_alert(wuhou_ent)
    assert alert.state == AlertState.OPEN and alert.region_id == WUHOU
    told = set(
        Notification.objects.filter(object_id=str(alert.pk)).values_list("recipient__username", flat=True)
    )
    assert told == {wuhou_office.username, wuhou_inspector.username}
    assert AuditEntry.objects.filter(action="power.poweralert.detected").count() == 1


def test_office_assigns_a_county_inspector_who_confirms_and_opens_a_case(
    api, power_alert, wuhou_ent, wuhou_office, wuhou_inspector, photo, make_user
):
    alert = power_alert(wuhou_ent)
    r = api(wuhou_office).post(url(alert, "assign"), {"inspector_id": wuhou_inspector.pk})
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "assigned" and r.json()["inspector_id"] == wuhou_inspector.pk
    assert Notification.objects.filter(recipient=wuhou_inspector, title__startswith="请核查").exists()

    pic = photo(wuhou_inspector)
    r = api(wuhou_inspector).post(url(alert, "confirm"), check_body(pic.pk))
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == "confirmed" and body["checked_on"] == clock.today().isoformat()
    assert body["actions"] == ["open_case"]

    # One click: a case with the alert as its origin; the case needs two officers to investigate.
    second = make_user("wuhou-inspector-2", Role.INSPECTOR, region=WUHOU)
    r = api(wuhou_inspector).post(url(alert, "case"), {"officer_ids": [wuhou_inspector.pk, second.pk]})
    assert r.status_code == 200, r.content
    case = EnforcementCase.objects.get(pk=r.json()["case_id"])
    assert case.origin == Origin.POWER_ALERT and case.origin_ref == alert.number
    assert case.enterprise == wuhou_ent and "明停暗开" in case.cause and "现场车间设备运转" in case.facts
    assert r.json()["case_number"] == case.number

    r = api(wuhou_inspector).post(url(alert, "case"), {})
    assert r.status_code == 409 and "已立案" in r.json()["detail"]
    assert EnforcementCase.objects.count() == 1


def test_false_alarm_keeps_its_label(api, power_alert, wuhou_ent, wuhou_inspector, photo):
    alert = power_alert(wuhou_ent)
    assert (
        api(wuhou_inspector).post(url(alert, "assign"), {"inspector_id": wuhou_inspector.pk}).status_code
        == 200
    )
    r = api(wuhou_inspector).post(
        url(alert, "dismiss"),
        check_body(photo(wuhou_inspector).pk, finding="仅办公照明和安保用电，设备未运转"),
    )
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "false_alarm" and r.json()["actions"] == []
    assert api(wuhou_inspector).post(url(alert, "case"), {}).status_code == 409
    # A rescan of the same days does not bring it back.
    assert (
        services._upsert(wuhou_ent, alert.kind, [run(alert.start_date, alert.end_date)])[0]
        == "already_checked"
    )


def test_inspectors_take_alerts_only_for_themselves(api, power_alert, wuhou_ent, wuhou_inspector, make_user):
    colleague = make_user("wuhou-inspector-2", Role.INSPECTOR, region=WUHOU)
    alert = power_alert(wuhou_ent)
    r = api(wuhou_inspector).post(url(alert, "assign"), {"inspector_id": colleague.pk})
    assert r.status_code == 403
    assert (
        api(wuhou_inspector).post(url(alert, "assign"), {"inspector_id": wuhou_inspector.pk}).status_code
        == 200
    )


def test_only_an_inspector_responsible_for_the_county(
    api, power_alert, wuhou_ent, wuhou_office, jinjiang_inspector, expert
):
    alert = power_alert(wuhou_ent)
    r = api(wuhou_office).post(url(alert, "assign"), {"inspector_id": jinjiang_inspector.pk})
    assert r.status_code == 422 and "不负责" in str(r.json())
    r = api(wuhou_office).post(url(alert, "assign"), {"inspector_id": expert.pk})
    assert r.status_code == 422 and "不是在岗的执法检查人员" in str(r.json())
    r = api(wuhou_office).post(url(alert, "assign"), {"inspector_id": 999999})
    assert r.status_code == 422
    assert PowerAlert.objects.get(pk=alert.pk).state == AlertState.OPEN


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"photo_ids": []}, "photo_ids", "至少一张现场照片"),
        ({"lat": 39.9, "lon": 116.4}, "lat", "不在四川省范围内"),
        ({"lat": 95.0}, "lat", "超出有效范围"),
        ({"finding": "  "}, "finding", "现场核查情况"),
        ({"checked_on": "2099-01-01"}, "checked_on", "核查日期"),
    ],
)
def test_a_check_needs_photos_a_position_in_sichuan_and_a_finding(
    api, power_alert, wuhou_ent, wuhou_inspector, photo, override, field, message
):
    alert = power_alert(wuhou_ent)
    api(wuhou_inspector).post(url(alert, "assign"), {"inspector_id": wuhou_inspector.pk})
    r = api(wuhou_inspector).post(url(alert, "confirm"), check_body(photo(wuhou_inspector).pk, **override))
    assert r.status_code == 422, r.content
    assert message in str(r.json()) and field in str(r.json())
    assert PowerAlert.objects.get(pk=alert.pk).state == AlertState.ASSIGNED


def test_a_photo_must_be_an_image(api, power_alert, wuhou_ent, wuhou_inspector, photo):
    alert = power_alert(wuhou_ent)
    api(wuhou_inspector).post(url(alert, "assign"), {"inspector_id": wuhou_inspector.pk})
    pdf = photo(wuhou_inspector, name="a.pdf", content=b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    r = api(wuhou_inspector).post(url(alert, "confirm"), check_body(pdf.pk))
    assert r.status_code == 422 and "图片" in str(r.json())


def test_only_the_assigned_inspector_records_the_check(
    api, power_alert, wuhou_ent, wuhou_inspector, make_user, photo
):
    other = make_user("wuhou-inspector-2", Role.INSPECTOR, region=WUHOU)
    alert = power_alert(wuhou_ent)
    api(wuhou_inspector).post(url(alert, "assign"), {"inspector_id": wuhou_inspector.pk})
    r = api(other).post(url(alert, "confirm"), check_body(photo(other).pk))
    assert r.status_code == 403


def test_checks_wait_for_an_assignment(api, power_alert, wuhou_ent, wuhou_inspector, photo):
    alert = power_alert(wuhou_ent)
    r = api(wuhou_inspector).post(url(alert, "confirm"), check_body(photo(wuhou_inspector).pk))
    assert r.status_code == 409 and "待分派" in r.json()["detail"]


def test_enterprises_and_other_regions_see_nothing(
    api, power_alert, wuhou_ent, ent_wuhou, make_user, sc_office
):
    from tests.conftest import FUCHENG

    alert = power_alert(wuhou_ent)
    assert api(ent_wuhou).get(url(alert)).status_code == 404
    assert api(ent_wuhou).get("/api/v1/power/alerts").status_code == 403
    outsider = make_user("fucheng-inspector", Role.INSPECTOR, region=FUCHENG)
    assert api(outsider).get(url(alert)).status_code == 404
    assert api(outsider).get("/api/v1/power/alerts").json()["count"] == 0
    assert api(sc_office).get("/api/v1/power/alerts").json()["count"] == 1


def test_the_scan_extends_the_open_alert_and_never_duplicates(wuhou_ent):
    today = clock.today()
    first = run(today - timedelta(days=10), today - timedelta(days=8))
    outcome, alert = services._upsert(wuhou_ent, AlertKind.COVERT_OPERATION, [first])
    assert outcome == "created"
    assert services._upsert(wuhou_ent, AlertKind.COVERT_OPERATION, [first])[0] == "unchanged"
    longer = run(today - timedelta(days=10), today - timedelta(days=2), evidence="更长")
    assert services._upsert(wuhou_ent, AlertKind.COVERT_OPERATION, [longer])[0] == "extended"
    alert.refresh_from_db()
    assert (alert.start_date, alert.end_date, alert.days) == (longer["start_date"], longer["end_date"], 9)
    assert PowerAlert.objects.filter(enterprise=wuhou_ent).count() == 1
    assert AuditEntry.objects.filter(action="power.poweralert.extend").count() == 1
    # The other kind is a separate alert.
    assert services._upsert(wuhou_ent, AlertKind.PREMATURE_OPERATION, [run(today, today)])[0] == "created"


def test_after_a_check_only_later_days_make_a_new_alert(api, power_alert, wuhou_ent, wuhou_inspector, photo):
    alert = power_alert(wuhou_ent, days_ago=20, length=5)
    api(wuhou_inspector).post(url(alert, "assign"), {"inspector_id": wuhou_inspector.pk})
    api(wuhou_inspector).post(url(alert, "confirm"), check_body(photo(wuhou_inspector).pk))
    today = clock.today()
    outcome, new = services._upsert(wuhou_ent, alert.kind, [run(alert.start_date, today - timedelta(days=3))])
    assert outcome == "created"
    assert new.start_date == alert.end_date + timedelta(days=1) and new.end_date == today - timedelta(days=3)


def test_labels_export_the_outcomes_for_evaluation(
    api, power_alert, wuhou_ent, jinjiang_ent, wuhou_inspector, jinjiang_inspector, photo, tmp_path
):
    from django.core.management import call_command

    from benan.power import evaluate

    confirmed, dismissed = power_alert(wuhou_ent), power_alert(jinjiang_ent)
    power_alert(wuhou_ent, kind=AlertKind.PREMATURE_OPERATION)  # still open: not a label
    for alert, user, action in (
        (confirmed, wuhou_inspector, "confirm"),
        (dismissed, jinjiang_inspector, "dismiss"),
    ):
        api(user).post(url(alert, "assign"), {"inspector_id": user.pk})
        assert api(user).post(url(alert, action), check_body(photo(user).pk)).status_code == 200
    out = tmp_path / "labels.csv"
    call_command("power", "labels", "--out", str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and {line.split(",")[4] for line in lines[1:]} == {"confirmed", "false_alarm"}
    call_command("power", "labels", "--out", str(out), "--confirmed-only")
    truth = evaluate.read_periods(out)
    assert [(t.uscc, t.kind) for t in truth] == [(wuhou_ent.uscc, "covert_operation")]


def test_the_assignment_day_is_beijing_time_just_after_midnight(
    power_alert, wuhou_ent, wuhou_inspector, photo
):
    """Assigned at 00:30 Beijing (16:30 UTC the day before): the day before is before the assignment."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.core.exceptions import ValidationError

    alert = power_alert(wuhou_ent)
    moment = datetime(2026, 11, 20, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    check = check_body(photo(wuhou_inspector).pk)
    with clock.as_of(moment):
        services.assign(actor=wuhou_inspector, alert=alert, inspector_id=wuhou_inspector.pk)
    with clock.as_of(moment + timedelta(hours=2)):
        with pytest.raises(ValidationError) as refused:
            day_before = moment.date() - timedelta(days=1)
            services.confirm(actor=wuhou_inspector, alert=alert, checked_on=day_before, **check)
        assert "分派日期" in str(refused.value.message_dict["checked_on"])
        alert = services.confirm(actor=wuhou_inspector, alert=alert, checked_on=moment.date(), **check)
    assert alert.checked_on == moment.date()
