"""The status timeline: contiguous periods, never rewritten backwards, read by day."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from benan.core import audit
from benan.enterprises import queries, services
from benan.enterprises.models import Status


def periods(enterprise):
    return list(
        enterprise.status_periods.order_by("start_date").values_list("status", "start_date", "end_date")
    )


def test_a_new_period_ends_the_one_in_force(admin, wuhou_ent):
    services.change_status(
        actor=admin,
        enterprise=wuhou_ent,
        status=Status.SUSPENDED,
        start_date=date(2026, 4, 1),
        reason="责令停产整顿",
    )
    assert periods(wuhou_ent) == [
        ("normal", date(2020, 1, 1), date(2026, 3, 31)),
        ("suspended", date(2026, 4, 1), None),
    ]


def test_a_change_on_the_same_day_corrects_the_latest_period(admin, wuhou_ent):
    services.change_status(actor=admin, enterprise=wuhou_ent, status="suspended", start_date=date(2026, 4, 1))
    services.change_status(
        actor=admin,
        enterprise=wuhou_ent,
        status="closed",
        start_date=date(2026, 4, 1),
        reason="录入有误，应为关闭",
    )
    assert periods(wuhou_ent)[-1] == ("closed", date(2026, 4, 1), None)
    entry = audit.history(wuhou_ent).order_by("-seq").first()
    assert entry.action == "enterprises.enterprise.status_corrected"
    assert entry.data["status"] == ["suspended", "closed"]


def test_history_is_not_rewritten_backwards(admin, wuhou_ent):
    services.change_status(actor=admin, enterprise=wuhou_ent, status="suspended", start_date=date(2026, 4, 1))
    with pytest.raises(ValidationError) as error:
        services.change_status(
            actor=admin, enterprise=wuhou_ent, status="normal", start_date=date(2026, 3, 1)
        )
    assert "2026-04-01" in str(error.value)
    assert len(periods(wuhou_ent)) == 2


def test_a_future_change_takes_effect_on_its_day(admin, wuhou_ent):
    services.change_status(actor=admin, enterprise=wuhou_ent, status="suspended", start_date=date(2030, 1, 1))
    assert queries.statuses_on([wuhou_ent.pk], date(2029, 12, 31)) == {wuhou_ent.pk: "normal"}
    assert queries.statuses_on([wuhou_ent.pk], date(2030, 1, 1)) == {wuhou_ent.pk: "suspended"}
    assert wuhou_ent.status_on(date(2019, 12, 31)) is None


def test_the_status_filter_reads_the_day(admin, sc_office, wuhou_ent, jinjiang_ent):
    services.change_status(actor=admin, enterprise=wuhou_ent, status="suspended", start_date=date(2026, 4, 1))
    suspended = queries.EnterpriseFilter(status="suspended")
    assert list(queries.enterprises(sc_office, suspended, day=date(2026, 3, 31))) == []
    assert list(queries.enterprises(sc_office, suspended, day=date(2026, 4, 1))) == [wuhou_ent]


def test_home_counts_follow_the_scope(
    admin, cd_office, wuhou_inspector, wuhou_ent, jinjiang_ent, mianyang_ent
):
    services.change_status(
        actor=admin, enterprise=jinjiang_ent, status="suspended", start_date=date(2026, 1, 1)
    )
    counts = queries.counts(cd_office, day=date(2026, 6, 1))
    assert counts["total"] == 2 and counts["normal"] == 1 and counts["suspended"] == 1
    assert queries.counts(wuhou_inspector, day=date(2026, 6, 1))["total"] == 1


def test_only_writers_change_status_and_only_in_scope(expert, jinjiang_inspector, wuhou_ent):
    from benan.core.errors import NotFound, PermissionDenied

    with pytest.raises(PermissionDenied):
        services.change_status(
            actor=expert, enterprise=wuhou_ent, status="closed", start_date=date(2026, 5, 1)
        )
    with pytest.raises(NotFound):
        services.change_status(
            actor=jinjiang_inspector, enterprise=wuhou_ent, status="closed", start_date=date(2026, 5, 1)
        )
    assert len(periods(wuhou_ent)) == 1
