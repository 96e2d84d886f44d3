"""Supervision pages: dashboards, ranking, weekly dispatch sheet, monthly circular, assignments.

This package re-exports the views `urls.py` names.
"""

from .assignments import (
    assignment_action,
    assignment_board,
    assignment_detail,
    assignment_list,
    assignment_new,
    target_action,
)
from .circular import circular_download, circular_page
from .dashboard import dashboard, map_data
from .ranking import ranking_export, ranking_page
from .weekly import weekly_export, weekly_page

__all__ = [
    "assignment_action",
    "assignment_board",
    "assignment_detail",
    "assignment_list",
    "assignment_new",
    "target_action",
    "circular_download",
    "circular_page",
    "dashboard",
    "map_data",
    "ranking_export",
    "ranking_page",
    "weekly_export",
    "weekly_page",
]
