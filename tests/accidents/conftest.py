"""Fixtures for accidents: a valid report body, `accident(...)` through the services, and a PDF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from benan.accidents import services
from benan.core import clock
from benan.core.attachments import store

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def body(enterprise=None, **overrides) -> dict:
    """A complete initial report (第十二条) of an accident two hours ago."""
    occurred = timezone.localtime(clock.now() - timedelta(hours=2)).replace(microsecond=0)
    data = {
        "kind": "industrial",
        "occurred_at": occurred.isoformat(),
        "place": "一号车间冲压工段",
        "scene": "冲压机旁，设备已停机",
        "summary": "操作工清理模具时设备误启动，造成挤压伤亡",
        "measures": "立即停机、切断电源，组织救治伤员，保护现场",
        "deaths": 1,
        "serious_injuries": 0,
        "minor_injuries": 2,
        "missing": 0,
        "direct_loss_cny": "1500000",
    }
    if enterprise is not None:
        data["enterprise_id"] = enterprise.pk
    data.update(overrides)
    return data


def as_service_data(data: dict) -> dict:
    from datetime import datetime
    from decimal import Decimal

    out = dict(data)
    for key in ("occurred_at", "known_at"):
        if isinstance(out.get(key), str):
            out[key] = datetime.fromisoformat(out[key])
    out["direct_loss_cny"] = Decimal(str(out.get("direct_loss_cny", 0)))
    return out


@pytest.fixture
def accident(admin):
    """`accident(enterprise, actor=admin, **overrides)` → an Accident reported through the services."""

    def make(enterprise, actor=None, **overrides):
        return services.report_accident(
            actor=actor or admin, data=as_service_data(body(enterprise, **overrides))
        )

    return make


@pytest.fixture
def pdf():
    def make(user):
        return store(actor=user, upload=SimpleUploadedFile("调查报告.pdf", PDF, "application/pdf"))

    return make


@pytest.fixture
def photo():
    def make(user):
        return store(actor=user, upload=SimpleUploadedFile("现场.png", PNG, "image/png"))

    return make
