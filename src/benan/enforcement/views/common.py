"""Helpers shared by the enforcement pages: role checks, parsing list filters, paging, fetching a case
in scope, .docx responses (a service step for a form runs through core.pages.attempt).

Imports from core, enterprises, hazards and this app; nothing from the other view modules.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone

from benan.core.models import GOVERNMENT_ROLES
from benan.core.pages import http_errors
from benan.enterprises.forms import grouped_regions, scope_regions
from benan.hazards import queries as hazard_queries
from benan.hazards.models import Source

from .. import queries
from ..models import EnforcementCase, SuspensionOrder

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Choices offered when opening a case: the enterprise's latest inspections and open hazards.
ORIGIN_CHOICES_LIMIT = 50


def _may(user, roles: frozenset) -> bool:
    return user.is_admin or user.role in roles


def _is_government(user) -> bool:
    return user.is_admin or user.role in GOVERNMENT_ROLES


def _flag(raw: str, field: str, label: str) -> bool | None:
    if raw == "":
        return None
    if raw in ("1", "true", "yes"):
        return True
    if raw in ("0", "false", "no"):
        return False
    raise ValidationError({field: [f"{label}“{raw}”不是可选值，可选：是(1)、否(0)"]})


def _year(raw: str) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationError({"year": [f"年份“{raw}”不是整数"]}) from None


def _int(raw: str, field: str, label: str) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationError({field: [f"{label}“{raw}”不是整数"]}) from None


def _region(raw: str) -> str | None:
    if raw and len(raw) != 6:
        raise ValidationError({"region": [f"行政区划代码“{raw}”不存在"]})
    return raw or None


def _years() -> list[int]:
    this = timezone.localdate().year
    return list(range(this, this - 6, -1))


def _region_groups(user):
    return grouped_regions(scope_regions(user), counties_only=False)


def _case_or_404(user, pk: int) -> EnforcementCase:
    with http_errors():
        return queries.case_detail(user, pk)


def _docx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _verification_inspections(user, order: SuspensionOrder) -> list:
    """Department inspections of the order's enterprise since it started: the possible 复查."""
    return list(
        hazard_queries.inspections(user, enterprise=order.enterprise_id)
        .exclude(source=Source.SELF)
        .filter(date__gte=order.start_date)[:ORIGIN_CHOICES_LIMIT]
    )


def _ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]
