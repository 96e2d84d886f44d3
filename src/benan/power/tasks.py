"""Huey periodic task of power analytics: scan the lake every night after the power company's
daily delivery has been ingested (02:30), creating and extending alerts. The nightly scan reads the
last SCAN_DAYS days: enough history for each enterprise's production level and floors, without
re-reading years of readings every night."""

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from benan.core import clock

from .services import scan

SCAN_DAYS = 120


@db_periodic_task(crontab(hour="2", minute="30"))
def scan_power():
    return scan(since=clock.today() - timedelta(days=SCAN_DAYS)).as_dict()
