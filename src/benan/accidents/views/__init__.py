"""Accident pages (生产安全事故, 国务院令第493号): the list, the initial report form with the grade
computed live, the grade calculator, the live reporting board, the accident detail with its
reports, reporting chain, investigation (four-nos, measures) and accountability, the
accountability list, the statistics, and the published investigation reports (no login).

The modules, each importing only those before it: `common` (shared helpers), `history` (the
timeline's labels and summaries), `actions` (the action specs and their forms), `detail` (the
detail and the three action dispatchers), `board`, `lists`, `report` (with the grade calculator),
`stats`, `public`, `measures` (the measures list). This package re-exports the views `urls.py`
names; it imports only its own modules.
"""

from .board import acknowledge_step, reporting_board
from .detail import accident_action, accident_detail, investigation_action, measure_action
from .lists import accident_list, accountability_list
from .measures import measure_list
from .public import published_report_file, published_reports
from .report import accident_report, grade_calculator
from .stats import accident_stats

__all__ = [
    "accident_action",
    "accident_detail",
    "accident_list",
    "accident_report",
    "accident_stats",
    "accountability_list",
    "acknowledge_step",
    "grade_calculator",
    "investigation_action",
    "measure_action",
    "measure_list",
    "published_report_file",
    "published_reports",
    "reporting_board",
]
