"""Huey periodic task of the accident module: the sweep every 10 minutes (reporting deadlines are
counted in hours)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import sweep


@db_periodic_task(crontab(minute="*/10"))
def sweep_accidents():
    return sweep()
