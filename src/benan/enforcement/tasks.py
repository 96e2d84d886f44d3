"""Huey periodic task of enforcement: the daily sweep (blacklist expiry, late cases and
referrals escalated), every day at 06:10."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import sweep


@db_periodic_task(crontab(hour="6", minute="10"))
def sweep_enforcement():
    return sweep()
