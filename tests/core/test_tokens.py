"""API tokens: issued for good credentials, refused otherwise, expire, stored hashed."""

import time_machine
from django.utils import timezone

from benan.core.models import ApiToken

from ..conftest import PASSWORD


def test_good_credentials_get_a_token_that_opens_the_api(api, wuhou_inspector):
    client = api(None)
    response = client.post("/api/v1/auth/token", {"username": "wuhou-inspector", "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["region_code"] == "510107"
    assert not ApiToken.objects.filter(key_hash=token).exists()  # only the hash is stored


def test_bad_credentials_are_401(api, wuhou_inspector):
    response = api(None).post("/api/v1/auth/token", {"username": "wuhou-inspector", "password": "x"})
    assert response.status_code == 401
    assert response.json()["detail"] == "用户名或密码错误"
    response = api(None).post("/api/v1/auth/token", {"username": "nobody", "password": PASSWORD})
    assert response.status_code == 401


def test_missing_or_wrong_token_is_401(api, wuhou_inspector):
    assert api(None).get("/api/v1/enterprises").status_code == 401
    client = api(None)
    client.headers["Authorization"] = "Bearer not-a-token"
    assert client.get("/api/v1/enterprises").status_code == 401


def test_tokens_expire(api, wuhou_inspector, settings):
    client = api(wuhou_inspector)
    assert client.get("/api/v1/auth/me").status_code == 200
    later = timezone.now() + timezone.timedelta(hours=settings.BENAN_TOKEN_TTL_HOURS, minutes=1)
    with time_machine.travel(later):
        assert client.get("/api/v1/auth/me").status_code == 401


def test_a_deactivated_user_loses_api_access(api, wuhou_inspector):
    client = api(wuhou_inspector)
    wuhou_inspector.is_active = False
    wuhou_inspector.save()
    assert client.get("/api/v1/auth/me").status_code == 401


def test_the_token_body_is_validated(api, db):
    response = api(None).post("/api/v1/auth/token", {"username": "a"})
    assert response.status_code == 422
    assert "password" in response.json()["detail"]
