"""Huey periodic task of power analytics: scan the lake every night after the power company's
daily delivery has been ingested (02:30), creating and extending alerts."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import scan


@db_periodic_task(crontab(hour="2", minute="30"))
def scan_power():
    return scan().as_dict()
