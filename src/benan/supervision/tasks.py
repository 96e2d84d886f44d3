"""Huey periodic task of supervised assignments: the sweep every day at 06:40 (overdue targets
escalated once per deadline to the receiving region's and the issuing office)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .assignments import sweep


@db_periodic_task(crontab(hour="6", minute="40"))
def sweep_assignments():
    return sweep()
