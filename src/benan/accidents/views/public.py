"""The published investigation reports (事故调查报告公开): anyone may read them, logged in or not,
and download the report of a published investigation; nothing else is public.

Imports from core and this app, and `views.common`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from benan.core.pages import list_page, messages_of

from .. import queries
from ..models import Investigation
from .common import GRADE_BADGES


@require_http_methods(["GET", "HEAD"])
def published_reports(request):
    q = request.GET.get("q", "").strip()[:100]
    page, errors, status = None, [], 200
    try:
        page = list_page(
            request, queries.published_reports(q=q or None).select_related("accident__region__parent")
        )
    except ValidationError as exc:
        errors, status = messages_of(exc), 400
    rows = []
    if page is not None:
        rows = [{"inv": inv, "badge": GRADE_BADGES.get(inv.accident.grade, "")} for inv in page.items]
    return render(
        request,
        "accidents/published.html",
        {"page": page, "rows": rows, "q": q, "errors": errors},
        status=status,
    )


@require_http_methods(["GET", "HEAD"])
def published_report_file(request, pk: int):
    """The report file of a published investigation; anything else is 404, logged in or not."""
    investigation = (
        Investigation.objects.filter(pk=pk, published_on__isnull=False, report__isnull=False)
        .select_related("report")
        .first()
    )
    if investigation is None:
        raise Http404("调查报告不存在或尚未公布")
    report = investigation.report
    response = FileResponse(report.file.open("rb"), content_type=report.content_type, filename=report.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
