"""Huey periodic tasks of the hazard loop: the overdue sweep, every day at 06:00."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import sweep_overdue


@db_periodic_task(crontab(hour="6", minute="0"))
def sweep_overdue_hazards():
    return sweep_overdue()
