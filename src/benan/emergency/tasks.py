"""Huey periodic task of the emergency module: the sweep every day at 06:30 (overdue equipment
returns, due maintenance, overdue drill follow-ups)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import sweep


@db_periodic_task(crontab(hour="6", minute="30"))
def sweep_emergency():
    return sweep()
