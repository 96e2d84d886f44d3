"""Enforcement pages: the case list (htmx filters), opening a case, the case detail with one form
per action, the decision with its penalty lines, the .docx documents, suspension orders, criminal
referrals, the published blacklist (no login) and its management, and the statistics.

Thin views: reads through `queries` (and `get_in_scope`), writes through `services`; a missing or
out-of-scope object is 404, a refused role 403, a refused move (InvalidTransition) an alert with
status 409, bad input the form's errors (422).

The modules, each importing only those before it: `common` (shared helpers), `history` (history,
timeline, deadlines), `actions` (the case and referral action specs), `cases` (list, opening, detail,
actions), `decision`, `orders` (documents, suspension orders, referrals), `blacklist`, `stats`.
This package re-exports the views `urls.py` names; it imports only its own modules.
"""

from .blacklist import blacklist_action, blacklist_manage, public_blacklist
from .cases import case_action, case_detail, case_list, case_new
from .decision import case_decide
from .orders import (
    decision_document,
    referral_action,
    referral_list,
    suspension_document,
    suspension_lift,
    suspension_list,
)
from .stats import case_stats

__all__ = [
    "blacklist_action",
    "blacklist_manage",
    "case_action",
    "case_decide",
    "case_detail",
    "case_list",
    "case_new",
    "case_stats",
    "decision_document",
    "public_blacklist",
    "referral_action",
    "referral_list",
    "suspension_document",
    "suspension_lift",
    "suspension_list",
]
