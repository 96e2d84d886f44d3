"""The measures list: an enterprise finds the measures assigned to it, also from another unit's
accident, and submits there; reviewers verify there; nothing outside the scope shows."""

from datetime import timedelta

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from benan.accidents import services
from benan.core import clock
from tests.accidents.conftest import PNG


def test_an_enterprise_works_its_measure_of_another_units_accident(
    client, admin, accident, wuhou_ent, jinjiang_ent, ent_wuhou, jinjiang_inspector
):
    other = accident(jinjiang_ent)  # a 锦江 unit's accident; ent-wuhou is the contractor
    inv = services.open_investigation(actor=admin, accident=other, team="调查组")
    measure = services.add_measure(
        actor=admin,
        investigation=inv,
        description="承包方加装防护栏",
        due_date=clock.today() + timedelta(days=10),
        assignee_enterprise_id=wuhou_ent.pk,
    )
    client.force_login(ent_wuhou)
    assert client.get(reverse("accidents:detail", args=[other.pk])).status_code == 404
    page = client.get(reverse("accidents:measures")).content.decode()
    assert "承包方加装防护栏" in page and f'id="measure-{measure.pk}-submit"' in page
    response = client.post(
        reverse("accidents:measure_action", args=[measure.pk, "submit"]),
        {
            "next": "measures",
            "result": "已加装",
            "files": SimpleUploadedFile("现场.png", PNG, "image/png"),
        },
    )
    measure.refresh_from_db()
    assert measure.state == "submitted", response.content.decode()[:500]
    assert response.status_code == 302 and response["Location"] == reverse("accidents:measures")

    client.force_login(jinjiang_inspector)  # the accident's county reviews it
    page = client.get(reverse("accidents:measures")).content.decode()
    assert f'id="measure-{measure.pk}-verify"' in page
    response = client.post(
        reverse("accidents:measure_action", args=[measure.pk, "verify"]),
        {"next": "measures", "comment": "验收合格"},
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.state == "closed"


def test_the_list_filters_and_shows_overdue(client, admin, cd_office, accident, wuhou_ent):
    inv = services.open_investigation(actor=admin, accident=accident(wuhou_ent), team="调查组")
    services.add_measure(
        actor=admin,
        investigation=inv,
        description="修订操作规程",
        due_date=clock.today(),
        assignee_region="510107",
        department="区应急管理局",
    )
    client.force_login(cd_office)
    assert "修订操作规程" in client.get(reverse("accidents:measures"), {"state": "open"}).content.decode()
    assert (
        "修订操作规程" not in client.get(reverse("accidents:measures"), {"state": "closed"}).content.decode()
    )
    assert client.get(reverse("accidents:measures"), {"state": "done"}).status_code == 400
    with time_machine.travel(clock.today() + timedelta(days=2)):
        client.force_login(cd_office)
        page = client.get(reverse("accidents:measures"), {"overdue": "1"}).content.decode()
        assert "修订操作规程" in page and "逾期" in page
