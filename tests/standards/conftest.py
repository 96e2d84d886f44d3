"""Fixtures for the checklist tests: the packaged standards loaded into the test database."""

from __future__ import annotations

import pytest

from benan.standards.loader import load_standards
from benan.standards.models import Criterion


@pytest.fixture
def standards(db):
    # TransactionTestCase-style tests (live_server) flush the tables; reload when missing.
    if not Criterion.objects.filter(pk="gongmao-2023:art3.1").exists():
        load_standards()
