"""Helpers shared by every app's page views: htmx partials, pages, errors as HTTP answers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from . import errors as domain


def is_partial(request) -> bool:
    """Whether to answer with the partial only: an htmx request that swaps part of the page.

    Plain page loads, boosted requests and htmx's history restore (the back button after the
    cached page was evicted) need the full page, which includes the same partial.
    """
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


@contextmanager
def http_errors() -> Iterator[None]:
    """Domain errors as Django's: outside the scope is 404, a refused role 403."""
    try:
        yield
    except domain.NotFound as exc:
        raise Http404(exc.message) from exc
    except domain.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc


def messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for messages_ in error.message_dict.values() for m in messages_]
    return list(error.messages)


def page_number(raw: str | None) -> int:
    if not raw:
        return 1
    try:
        return int(raw)
    except ValueError:
        raise ValidationError({"page": [f"页码“{raw}”不是整数"]}) from None


def list_page(request, queryset):
    """Page `?page=` of `queryset` for a list page; a page past the end shows the last one."""
    from .pagination import paginate

    page = paginate(queryset, page=page_number(request.GET.get("page")))
    if not page.items and page.number > page.pages:
        page = paginate(queryset, page=page.pages)
    return page


def attempt(form, run, *, refusals_on_page: bool = False) -> tuple[int, str]:
    """Run a service step for a valid form: (0, "") when done, else the status and the message.

    One transaction: files stored for a move that is then refused are rolled back with it. Bad
    input goes under its fields (the form's `add_service_errors`); a move the state does not allow
    is a 409 message. A refused role is Django's 403 page, or with `refusals_on_page` a 403 message
    on the page itself (where the user may see the object, only not take this action now).
    """
    from django.db import transaction

    if not form.is_valid():
        return 422, ""
    try:
        with http_errors(), transaction.atomic():
            run()
    except ValidationError as exc:
        form.add_service_errors(exc)
        return 422, ""
    except PermissionDenied as exc:
        if not refusals_on_page:
            raise
        return 403, str(exc)
    except domain.InvalidTransition as exc:
        return 409, exc.message
    return 0, ""
