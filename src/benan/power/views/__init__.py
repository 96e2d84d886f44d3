"""Power-alert pages (电力助应急): the queue with its filters, counts and hit rate; the alert with
its load chart, on-site check, case and history; one post per loop action.

The modules, each importing only those before it: `common` (shared helpers), `history` (the
timeline's labels and summaries), `panels` (the action forms and what they run), `queue`,
`detail`, `actions` (the posts). This package re-exports the views `urls.py` names.
"""

from .actions import alert_assign, alert_check, alert_open_case
from .detail import alert_detail
from .queue import alert_queue

__all__ = ["alert_assign", "alert_check", "alert_detail", "alert_open_case", "alert_queue"]
