"""Template context for every page: the unread count of the notification bell."""

from __future__ import annotations

from . import notifications


def notification_bell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # A callable: the template calls it only where the navbar is drawn, so htmx partials and
    # downloads cost no query.
    return {"unread_notifications": lambda: notifications.unread_count(user)}
