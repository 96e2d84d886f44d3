"""Fixtures for power alerts: an alert as the scan writes it, a photo, and a check body."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from benan.core import clock
from benan.core.attachments import store
from benan.power import services
from benan.power.models import AlertKind

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
# 武侯区 (Chengdu), inside Sichuan.
LAT, LON = 30.642, 104.043


def run(start: date, end: date, kind: str = AlertKind.COVERT_OPERATION, **extra) -> dict:
    """A detector run (engines.alert shape plus the merge fields) for `_upsert`."""
    return {
        "uscc": "",
        "kind": kind,
        "start_date": start,
        "end_date": end,
        "days": (end - start).days + 1,
        "score": 0.8,
        "evidence": f"停产整顿期间 {start} 至 {end} 用电达到生产水平",
        "energy": 4200.0,
        "reference": 5000.0,
        **extra,
    }


@pytest.fixture
def power_alert():
    """`power_alert(enterprise, kind=..., days_ago=10)` → an open alert written as the scan does."""

    def make(enterprise, kind=AlertKind.COVERT_OPERATION, days_ago: int = 10, length: int = 5):
        start = clock.today() - timedelta(days=days_ago)
        outcome, alert = services._upsert(
            enterprise, kind, [run(start, start + timedelta(days=length - 1), kind)]
        )
        assert outcome == "created"
        return alert

    return make


@pytest.fixture
def photo():
    def make(user, name="现场.png", content=PNG, content_type="image/png"):
        return store(actor=user, upload=SimpleUploadedFile(name, content, content_type))

    return make


def check_body(photo_id: int, **overrides) -> dict:
    body = {"photo_ids": [photo_id], "lat": LAT, "lon": LON, "finding": "现场车间设备运转，工人在岗生产"}
    body.update(overrides)
    return body
