"""The power-alert pages: the queue (scope, filters, counts, the inspector's own alerts first, bad
filters, enterprises refused) and the alert page (404 outside the scope, the load chart's data,
the forms the loop offers), and the loop walked through the forms: assign → check with a photo →
confirmed → case; a check without a photo is refused under its field; the false-alarm path."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from benan.core import audit, clock
from benan.core.models import Role
from benan.enforcement.models import Origin
from benan.power import lake
from benan.power.models import AlertKind, AlertState, Meter, PowerAlert
from tests.conftest import JINJIANG, WUHOU
from tests.power import conftest as power_fixtures
from tests.power.conftest import LAT, LON, PNG

# The power tests' own fixture (an alert written as the scan does), made visible to this module.
power_alert = power_fixtures.power_alert

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_lake(tmp_path, monkeypatch):
    """Each test reads its own (empty unless filled) lake, never the developer's."""
    root = tmp_path / "lake"
    monkeypatch.setenv("BENAN_POWER_LAKE", str(root))
    return root


@pytest.fixture
def wuhou_office(make_user):
    return make_user("wuhou-office", Role.SAFETY_OFFICE, region=WUHOU)


def detail(alert) -> str:
    return reverse("power:detail", args=[alert.pk])


def act(alert, action: str) -> str:
    return reverse(f"power:{action}", args=[alert.pk])


def png(name="现场.png"):
    return SimpleUploadedFile(name, PNG, "image/png")


def check_form(**overrides) -> dict:
    body = {
        "outcome": "confirm",
        "photos": [png()],
        "lat": str(LAT),
        "lon": str(LON),
        "finding": "车间设备运转，工人在岗生产",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def snapshot(alert):
    alert = PowerAlert.objects.get(pk=alert.pk)
    return alert.state, alert.inspector_id, alert.case_id, alert.photos.count(), audit.history(alert).count()


def text_of(response) -> str:
    return response.content.decode()


# -- the queue ---------------------------------------------------------------------------------


def test_the_queue_lists_the_alerts_of_the_scope_only(
    client, power_alert, wuhou_ent, jinjiang_ent, mianyang_ent, cd_office
):
    for enterprise in (wuhou_ent, jinjiang_ent, mianyang_ent):
        power_alert(enterprise)
    client.force_login(cd_office)
    response = client.get(reverse("power:queue"))
    text = text_of(response)
    assert response.status_code == 200
    assert wuhou_ent.name in text and jinjiang_ent.name in text
    assert mianyang_ent.name not in text
    assert re.search(r'id="result-count">2<', text)
    assert "明停暗开" in text and "待分派" in text
    for a in PowerAlert.objects.filter(enterprise__in=[wuhou_ent, jinjiang_ent]):
        assert f'href="{detail(a)}"' in text


def test_the_queue_filters_by_state_kind_region_and_name(
    client, power_alert, wuhou_ent, jinjiang_ent, cd_office, admin
):
    from benan.power import services

    wuhou = power_alert(wuhou_ent)
    premature = power_alert(jinjiang_ent, kind=AlertKind.PREMATURE_OPERATION)
    services.assign(actor=admin, alert=wuhou, inspector_id=_county_inspector(wuhou_ent).pk)
    client.force_login(cd_office)

    def rows(**params) -> set[int]:
        response = client.get(reverse("power:queue"), params)
        assert response.status_code == 200, params
        return {int(pk) for pk in re.findall(r'data-alert="(\d+)"', text_of(response))}

    assert rows() == {wuhou.pk, premature.pk}
    assert rows(state="assigned") == {wuhou.pk}
    assert rows(state="open") == {premature.pk}
    assert rows(kind="premature_operation") == {premature.pk}
    assert rows(region=JINJIANG) == {premature.pk}
    assert rows(q=wuhou_ent.name[:4]) == {wuhou.pk}
    assert rows(q=jinjiang_ent.uscc.lower()) == {premature.pk}
    # The tabs count each state under the other filters.
    text = text_of(client.get(reverse("power:queue"), {"region": WUHOU}))
    assert re.search(r'data-state="assigned"[^>]*>\s*待核查 <span class="badge[^"]*">1<', text)
    assert re.search(r'data-state="open"[^>]*>\s*待分派 <span class="badge[^"]*">0<', text)


def _county_inspector(enterprise):
    from tests.power.matrix import county_inspector

    return county_inspector(enterprise)


def test_htmx_gets_only_the_results(client, power_alert, wuhou_ent, cd_office):
    power_alert(wuhou_ent)
    client.force_login(cd_office)
    response = client.get(
        reverse("power:queue"), {"kind": "covert_operation"}, headers={"HX-Request": "true"}
    )
    text = text_of(response)
    assert response.status_code == 200
    assert 'id="alert-results"' in text and "<html" not in text and 'id="filter-form"' not in text


@pytest.mark.parametrize(
    "params, message",
    [
        ({"state": "done"}, "状态“done”无效"),
        ({"kind": "secret"}, "预警类型“secret”无效"),
        ({"region": "12"}, "行政区划代码“12”不存在"),
        ({"region": "999999"}, "行政区划代码“999999”不存在"),
        ({"page": "x"}, "页码“x”不是整数"),
    ],
)
def test_a_bad_filter_says_what_is_wrong(client, cd_office, params, message):
    client.force_login(cd_office)
    response = client.get(reverse("power:queue"), params)
    assert response.status_code == 400
    assert message in text_of(response) and 'id="filter-errors"' in text_of(response)


def test_an_enterprise_user_gets_403(client, ent_wuhou):
    client.force_login(ent_wuhou)
    assert client.get(reverse("power:queue")).status_code == 403


def test_the_empty_queue_says_so(client, cd_office):
    client.force_login(cd_office)
    text = text_of(client.get(reverse("power:queue")))
    assert 'id="empty-state"' in text and "还没有电力数据预警" in text
    filtered = text_of(client.get(reverse("power:queue"), {"kind": "premature_operation"}))
    assert "没有符合条件的电力数据预警" in filtered


def test_an_inspector_lands_on_the_alerts_assigned_to_them(
    client, power_alert, wuhou_ent, wuhou_inspector, wuhou_office
):
    from benan.power import services

    mine = power_alert(wuhou_ent)
    other = power_alert(wuhou_ent, kind=AlertKind.PREMATURE_OPERATION)
    client.force_login(wuhou_inspector)
    # Nothing assigned yet: the whole scope.
    assert f'data-alert="{other.pk}"' in text_of(client.get(reverse("power:queue")))
    services.assign(actor=wuhou_office, alert=mine, inspector_id=wuhou_inspector.pk)
    text = text_of(client.get(reverse("power:queue")))
    assert f'data-alert="{mine.pk}"' in text and f'data-alert="{other.pk}"' not in text
    assert 'id="filter-mine" checked' in text
    everything = text_of(client.get(reverse("power:queue"), {"mine": "0"}))
    assert f'data-alert="{mine.pk}"' in everything and f'data-alert="{other.pk}"' in everything
    # The toggle: the hidden 0 and the checked 1 are both sent, the 1 wins.
    assert f'data-alert="{other.pk}"' not in text_of(client.get(reverse("power:queue") + "?mine=0&mine=1"))


def test_the_summary_shows_the_hit_rate(client, power_alert, wuhou_ent, jinjiang_ent, cd_office, admin):
    from benan.power import services

    for enterprise, confirm in ((wuhou_ent, True), (jinjiang_ent, False)):
        a = power_alert(enterprise)
        services.assign(actor=admin, alert=a, inspector_id=_county_inspector(enterprise).pk)
        service = services.confirm if confirm else services.dismiss
        photo = _photo(admin)
        service(actor=admin, alert=a, photo_ids=[photo.pk], lat=LAT, lon=LON, finding="核查")
    power_alert(wuhou_ent, kind=AlertKind.PREMATURE_OPERATION)
    client.force_login(cd_office)
    text = text_of(client.get(reverse("power:queue")))
    assert re.search(r'id="stat-open">.*?fs-4 fw-semibold">1<', text, re.S)
    assert re.search(r'id="stat-confirmed">.*?fw-semibold text-danger">1<', text, re.S)
    assert re.search(r'id="stat-false-alarm">.*?fs-4 fw-semibold">1<', text, re.S)
    assert re.search(r'id="stat-hit-rate">.*?fs-4 fw-semibold">50%<', text, re.S)


def _photo(user):
    from benan.core.attachments import store

    return store(actor=user, upload=png())


# -- the alert page ----------------------------------------------------------------------------


def test_an_alert_outside_the_scope_is_404(client, power_alert, wuhou_ent, jinjiang_inspector, ent_wuhou):
    alert = power_alert(wuhou_ent)
    client.force_login(jinjiang_inspector)
    assert client.get(detail(alert)).status_code == 404
    client.force_login(ent_wuhou)  # the enterprise itself: a check is unannounced
    assert client.get(detail(alert)).status_code == 404
    assert client.post(act(alert, "assign"), {"inspector": 1}).status_code == 404


def test_the_page_carries_the_chart_data_with_the_days(client, power_alert, wuhou_ent, cd_office, empty_lake):
    alert = power_alert(wuhou_ent)
    Meter.objects.create(meter_id="M-WH-1", enterprise=wuhou_ent)
    readings = empty_lake.parent / "readings.csv"
    first = alert.start_date - timedelta(days=3)
    lines = ["meter_id,ts,kwh"]
    for day in (0, 1, 2, 3, 5):  # three days before the alert and its first three, but the second
        when = datetime.combine(first + timedelta(days=day), datetime.min.time())
        for quarter in (0, 4 * 2, 4 * 12):  # 00:00, 02:00 (night) and 12:00
            lines.append(f"M-WH-1,{when + timedelta(minutes=15 * quarter):%Y-%m-%d %H:%M},10")
    readings.write_text("\n".join(lines) + "\n", encoding="utf-8")
    lake.ingest(readings, known_meters={"M-WH-1"})
    client.force_login(cd_office)
    text = text_of(client.get(detail(alert)))
    data = json.loads(
        re.search(r'<script id="load-chart-data" type="application/json">(.*?)</script>', text).group(1)
    )
    days = {d["day"]: d for d in data["days"]}
    assert days[first.isoformat()] == {"day": first.isoformat(), "energy": 30.0, "night_energy": 20.0}
    assert data["baseline"] == alert.reference
    assert data["alert"] == {"start": alert.start_date.isoformat(), "end": alert.end_date.isoformat()}
    assert 'id="load-chart" data-source="load-chart-data"' in text
    assert "vendor/echarts/echarts.min.js" in text and "power/load_chart.js" in text
    # The alert's second day is missing: the chart breaks there and the page says so.
    assert days[(alert.start_date + timedelta(days=1)).isoformat()]["energy"] is None
    assert re.search(r'id="data-quality">.*?有 1 天缺少用电数据.*?其中异常期间 1 天', text, re.S)


def test_without_a_meter_the_page_says_there_is_no_curve(client, power_alert, wuhou_ent, cd_office):
    alert = power_alert(wuhou_ent)
    client.force_login(cd_office)
    text = text_of(client.get(detail(alert)))
    assert "该企业未登记电表" in text and 'id="load-chart"' not in text


def test_the_forms_shown_are_those_the_loop_allows(
    client, power_alert, wuhou_ent, wuhou_office, wuhou_inspector, expert, admin
):
    from benan.power import services

    alert = power_alert(wuhou_ent)
    client.force_login(expert)  # reads, never acts
    text = text_of(client.get(detail(alert)))
    assert 'id="no-actions"' in text and 'id="action-assign"' not in text
    client.force_login(wuhou_office)
    text = text_of(client.get(detail(alert)))
    assert 'id="action-assign"' in text and 'id="action-check"' not in text
    assert f'<option value="{wuhou_inspector.pk}"' in text
    services.assign(actor=wuhou_office, alert=alert, inspector_id=wuhou_inspector.pk)
    text = text_of(client.get(detail(alert)))  # the office may reassign, not check
    assert 'id="action-assign"' in text and 'id="action-check"' not in text
    client.force_login(wuhou_inspector)
    text = text_of(client.get(detail(alert)))
    assert 'id="action-check"' in text and 'id="action-open_case"' not in text
    assert 'data-geolocate="action-check"' in text and "power/geolocate.js" in text


def test_the_loop_through_the_forms_assign_check_confirm_case(
    client, power_alert, wuhou_ent, wuhou_office, wuhou_inspector
):
    alert = power_alert(wuhou_ent)
    client.force_login(wuhou_office)
    response = client.post(act(alert, "assign"), {"inspector": wuhou_inspector.pk})
    assert response.status_code == 302 and response.url == detail(alert)
    alert.refresh_from_db()
    assert alert.state == AlertState.ASSIGNED and alert.inspector == wuhou_inspector

    client.force_login(wuhou_inspector)
    response = client.post(act(alert, "check"), check_form(photos=[png("一.png"), png("二.png")]))
    assert response.status_code == 302, text_of(response)[:2000]
    alert.refresh_from_db()
    assert alert.state == AlertState.CONFIRMED and alert.photos.count() == 2
    assert (alert.check_lat, alert.check_lon, alert.checked_on) == (LAT, LON, clock.today())
    text = text_of(client.get(detail(alert)))
    assert 'id="check-result"' in text and "车间设备运转" in text
    for photo in alert.photos.all():
        assert f'href="{reverse("attachment", args=[photo.pk])}"' in text
    assert 'id="action-open_case"' in text and "涉嫌停产整顿期间擅自组织生产" in text

    response = client.post(act(alert, "open_case"), {"cause": "", "facts": "", "officers": []})
    assert response.status_code == 302
    alert.refresh_from_db()
    case = alert.case
    assert case is not None and case.origin == Origin.POWER_ALERT and case.origin_ref == alert.number
    text = text_of(client.get(detail(alert)))
    assert f'href="{reverse("enforcement:detail", args=[case.pk])}"' in text
    assert 'id="action-open_case"' not in text
    labels = re.findall(r'<td class="text-nowrap-cell">(分派核查|现场核查属实|立案查处|发现预警)</td>', text)
    assert labels == ["立案查处", "现场核查属实", "分派核查", "发现预警"]
    # Once is enough: a second case is refused on the page, with the reason.
    before = snapshot(alert)
    response = client.post(act(alert, "open_case"), {})
    assert response.status_code == 409 and "不能重复立案" in text_of(response)
    assert snapshot(alert) == before


def test_the_case_form_takes_officers(client, power_alert, wuhou_ent, wuhou_office, wuhou_inspector, admin):
    from benan.power import services
    from tests.enforcement.conftest import officers_for

    alert = power_alert(wuhou_ent)
    services.assign(actor=admin, alert=alert, inspector_id=wuhou_inspector.pk)
    services.confirm(actor=admin, alert=alert, photo_ids=[_photo(admin).pk], lat=LAT, lon=LON, finding="生产")
    officers = officers_for(WUHOU)
    client.force_login(wuhou_office)
    response = client.post(
        act(alert, "open_case"), {"cause": "擅自生产", "facts": "事实", "officers": [o.pk for o in officers]}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.case.cause == "擅自生产"
    assert set(alert.case.officers.values_list("pk", flat=True)) == {o.pk for o in officers}


def test_a_check_without_a_photo_shows_the_error_under_the_field_and_changes_nothing(
    client, power_alert, wuhou_ent, wuhou_inspector
):
    from benan.power import services

    alert = power_alert(wuhou_ent)
    services.assign(actor=wuhou_inspector, alert=alert, inspector_id=wuhou_inspector.pk)
    before = snapshot(alert)
    client.force_login(wuhou_inspector)
    response = client.post(act(alert, "check"), check_form(photos=None))
    text = text_of(response)
    assert response.status_code == 422
    assert re.search(r'id="check-photos_error">.*?必须上传至少一张现场照片', text, re.S)
    assert snapshot(alert) == before
    # Out of Sichuan: refused under the latitude, the stored photo rolled back with the move.
    response = client.post(act(alert, "check"), check_form(lat="39.9", lon="116.4"))
    assert response.status_code == 422 and "不在四川省范围内" in text_of(response)
    assert snapshot(alert) == before
    # No outcome chosen: the form says so.
    response = client.post(act(alert, "check"), check_form(outcome=None))
    assert response.status_code == 422 and "请选择核查结论" in text_of(response)


def test_the_false_alarm_path(client, power_alert, wuhou_ent, wuhou_inspector):
    from benan.power import services

    alert = power_alert(wuhou_ent)
    services.assign(actor=wuhou_inspector, alert=alert, inspector_id=wuhou_inspector.pk)
    client.force_login(wuhou_inspector)
    response = client.post(
        act(alert, "check"), check_form(outcome="dismiss", finding="夜间为照明和设备调试用电，未生产")
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.state == AlertState.FALSE_ALARM and alert.closed_at is not None
    text = text_of(client.get(detail(alert)))
    assert "现场核查结果：" in text and "误报" in text and 'id="no-actions"' in text
    assert 'id="action-open_case"' not in text


def test_a_refused_role_or_guard_is_said_on_the_page(
    client, power_alert, wuhou_ent, wuhou_office, wuhou_inspector, wuhou_inspector2
):
    from benan.power import services

    alert = power_alert(wuhou_ent)
    client.force_login(wuhou_inspector)
    # An inspector may take an alert only for themselves.
    before = snapshot(alert)
    response = client.post(act(alert, "assign"), {"inspector": wuhou_inspector2.pk})
    assert response.status_code == 403 and 'id="action-alert"' in text_of(response)
    assert "只能把预警分派给自己" in text_of(response)
    assert snapshot(alert) == before
    services.assign(actor=wuhou_office, alert=alert, inspector_id=wuhou_inspector.pk)
    # The check is the assigned inspector's: another one is told so and nothing changes.
    client.force_login(wuhou_inspector2)
    assert 'id="action-check"' not in text_of(client.get(detail(alert)))
    before = snapshot(alert)
    response = client.post(act(alert, "check"), check_form())
    assert response.status_code == 403 and "只有被分派的核查人员" in text_of(response)
    assert snapshot(alert) == before
    # A safety office does not check at all.
    client.force_login(wuhou_office)
    response = client.post(act(alert, "check"), check_form())
    assert response.status_code == 403 and "您的角色无权登记现场核查结果" in text_of(response)
    assert snapshot(alert) == before
    # A bad inspector id is named under the field.
    response = client.post(act(alert, "assign"), {"inspector": "999999"})
    assert response.status_code == 422
    assert re.search(r'id="assign-inspector_error">.*?用户 999999 不存在', text_of(response), re.S)


def test_the_enterprise_page_lists_its_alerts_for_the_authorities_only(
    client, power_alert, wuhou_ent, cd_office, ent_wuhou
):
    alert = power_alert(wuhou_ent)
    client.force_login(cd_office)
    text = text_of(client.get(reverse("enterprises:detail", args=[wuhou_ent.pk])))
    assert 'id="enterprise-power-alerts"' in text and f'href="{detail(alert)}"' in text
    client.force_login(ent_wuhou)
    text = text_of(client.get(reverse("enterprises:detail", args=[wuhou_ent.pk])))
    assert "enterprise-power-alerts" not in text and alert.number not in text


def test_the_nav_links_the_queue_for_the_authorities_only(client, cd_office, ent_wuhou):
    client.force_login(cd_office)
    assert 'id="nav-power"' in text_of(client.get(reverse("power:queue")))
    client.force_login(ent_wuhou)
    assert 'id="nav-power"' not in text_of(client.get(reverse("home"), follow=True))


def test_a_check_dated_before_the_assignment_is_refused(client, power_alert, wuhou_ent, wuhou_inspector):
    from benan.power import services

    alert = power_alert(wuhou_ent)
    services.assign(actor=wuhou_inspector, alert=alert, inspector_id=wuhou_inspector.pk)
    client.force_login(wuhou_inspector)
    yesterday = clock.today() - timedelta(days=1)
    response = client.post(act(alert, "check"), check_form(checked_on=yesterday.isoformat()))
    # Assigned today: a check dated before the assignment is refused under the date.
    assert response.status_code == 422
    assert re.search(r'id="check-checked_on_error">.*?分派日期', text_of(response), re.S)
