"""Core pages: attachments served to logged-in users who may see them, and the notification inbox.

The API serves attachments too, but it needs a bearer token; pages (thumbnails, evidence links)
use the session. Imports from core only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import attachments, notifications
from .errors import NotFound
from .pagination import paginate


@login_required
def attachment(request, pk: int):
    try:
        item = attachments.get_visible(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    # Inline, so that photos show as thumbnails and PDFs open in the browser.
    response = FileResponse(item.file.open("rb"), content_type=item.content_type, filename=item.name)
    # The type was sniffed on upload; the browser must not guess another one.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def notification_list(request):
    try:
        number = int(request.GET.get("page") or 1)
    except ValueError:
        number = 1
    try:
        page = paginate(notifications.inbox(request.user), page=number)
        errors = []
    except ValidationError as exc:
        page, errors = None, [m for ms in exc.message_dict.values() for m in ms]
    return render(
        request,
        "core/notifications.html",
        {"page": page, "errors": errors, "unread": notifications.unread_count(request.user)},
        status=400 if errors else 200,
    )


@login_required
@require_POST
def notifications_read(request):
    count = notifications.mark_read(request.user)
    messages.success(request, f"已将 {count} 条通知标为已读" if count else "没有未读通知")
    return redirect("notifications")
