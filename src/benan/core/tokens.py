"""API bearer tokens: issue on username + password, look up by the token's hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone

from . import audit
from .models import ApiToken, User


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def issue_token(*, username: str, password: str, request=None) -> str | None:
    """A new token for valid credentials of an active user, else None."""
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        return None
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    ApiToken.objects.create(
        user=user, key_hash=_hash(key),
        expires_at=now + timedelta(hours=settings.BENAN_TOKEN_TTL_HOURS),
    )
    # Logins are security events: they go into the audit chain too.
    audit.record(user, "core.token.issued", user)
    return key


def user_for_token(key: str) -> User | None:
    if not key or len(key) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user__region", "user__enterprise")
        .filter(key_hash=_hash(key), expires_at__gt=timezone.now(), user__is_active=True)
        .first()
    )
    return token.user if token else None
