"""Fixtures for the hazard loop: the official criteria loaded, evidence uploads, and a helper
that walks a hazard to a given state through the API."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from benan.core import clock
from benan.core.attachments import store

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PLAN = {
    "measures": "更换煤气管道隔断装置",
    "responsibility": "设备部 王工",
    "funding": "20万元",
    "deadline": "30日内",
    "contingency": "煤气泄漏专项应急预案",
}
CRITERION = "gongmao-2023:art3.2"


@pytest.fixture
def criteria(db):
    from benan.standards.loader import load_standards
    from benan.standards.models import Criterion

    if not Criterion.objects.exists():
        load_standards()


@pytest.fixture
def evidence(ent_wuhou):
    def make(user=None):
        return store(actor=user or ent_wuhou, upload=SimpleUploadedFile("整改后.png", PNG, "image/png"))

    return make


def due(days: int = 30) -> str:
    return (clock.today() + timedelta(days=days)).isoformat()


@pytest.fixture
def walk(api, criteria, ent_wuhou, wuhou_inspector, wuhou_ent, evidence):
    """`walk(state, grade="major")` → the id of a hazard of 武侯 brought to `state` via the API."""

    def go(state: str, grade: str = "major") -> int:
        ent, inspector = api(ent_wuhou), api(wuhou_inspector)
        hazard = ent.post(
            "/api/v1/hazards",
            {
                "enterprise_id": wuhou_ent.pk,
                "description": "配电室门未上锁",
                "location": "配电室",
                "source": "self",
            },
        )
        assert hazard.status_code == 201, hazard.content
        pk = hazard.json()["id"]
        if state == "reported":
            return pk
        body = {"grade": grade, "due_date": due()}
        if grade == "major":
            body.update(criterion=CRITERION, plan=PLAN)
        response = inspector.post(f"/api/v1/hazards/{pk}/confirm", body)
        assert response.status_code == 200, response.content
        if state == "rectifying":
            return pk
        response = ent.post(
            f"/api/v1/hazards/{pk}/submit", {"description": "已整改", "attachments": [evidence().pk]}
        )
        assert response.status_code == 200, response.content
        if state == "submitted":
            return pk
        response = inspector.post(f"/api/v1/hazards/{pk}/verify", {"comment": "验收合格"})
        assert response.status_code == 200, response.content
        return pk

    return go
