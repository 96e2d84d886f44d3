"""Supervision endpoints: dashboard figures, the ranking, the weekly sheet, the monthly circular
and supervised assignments. Each module adds its endpoints to the one router."""

from . import assignments, dashboard  # noqa: F401
from .common import router

__all__ = ["router"]
