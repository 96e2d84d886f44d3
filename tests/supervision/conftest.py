"""Fixtures of the supervision tests: the demo data (hazards, cases, accidents through the real
services) that the dashboard, ranking and circular figures are checked against."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

DEMO_ENTERPRISES = 400
DEMO_SEED = 7


@pytest.fixture
def demo(regions):
    from benan.standards.loader import load_standards

    load_standards()
    out = StringIO()
    call_command("demo", enterprises=DEMO_ENTERPRISES, power=0, emergency=0, seed=DEMO_SEED, stdout=out)
    return out.getvalue()
