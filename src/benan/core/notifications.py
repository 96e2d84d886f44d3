"""In-app notifications: write one per recipient; read the unread count for the bell."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model
from django.utils import timezone

from . import audit
from .models import Notification, User


def notify(
    recipients: Iterable[User], *, title: str, body: str = "", url: str = "", obj: Model | None = None
):
    object_type, object_id = audit.object_label(obj)
    unique = {u.pk: u for u in recipients if u is not None and u.is_active}
    return Notification.objects.bulk_create(
        Notification(
            recipient=u, title=title, body=body, url=url, object_type=object_type, object_id=object_id
        )
        for u in unique.values()
    )


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox(user):
    return Notification.objects.filter(recipient=user)


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())
