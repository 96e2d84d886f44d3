"""One way to cut a list into pages, shared by the API and the pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Page:
    items: list[Any]
    count: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def paginate(queryset, *, page: int | None = 1, size: int | None = None) -> Page:
    size = size or settings.BENAN_PAGE_SIZE
    page = page or 1
    if page < 1:
        raise ValidationError({"page": "页码必须是大于等于 1 的整数"})
    if not 1 <= size <= settings.BENAN_MAX_PAGE_SIZE:
        raise ValidationError({"page_size": f"每页条数必须在 1 到 {settings.BENAN_MAX_PAGE_SIZE} 之间"})
    count = queryset.count()
    start = (page - 1) * size
    items = list(queryset[start : start + size]) if start < count else []
    return Page(items=items, count=count, number=page, size=size)
