"""Fixtures for the real-browser tests: Debian's chromium driven by Playwright's sync API.

Playwright's sync API runs an event loop in the test's thread, so Django's ORM calls from the
test (fixtures, assertions) need DJANGO_ALLOW_ASYNC_UNSAFE; the server runs in its own thread.
"""

import os
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="session")
def _browser():
    """Chromium, started on first use and shared by the session's browser tests."""
    state = {}
    yield state
    if "browser" in state:
        state["browser"].close()
        state["playwright"].stop()


@pytest.fixture
def new_page(_browser):
    """`new_page()` → a fresh page in its own browser context (cookies are not shared).

    Chromium is checked when the test asks for a page, so a missing browser fails the test
    itself; it must never be skipped, or the pages would silently go untested.
    """
    contexts = []

    def open_page():
        if not CHROMIUM.exists():
            pytest.fail(f"{CHROMIUM} not found: `make test` installs Debian's chromium (make browser-deps)")
        if "browser" not in _browser:
            from playwright.sync_api import sync_playwright

            _browser["playwright"] = sync_playwright().start()
            _browser["browser"] = _browser["playwright"].chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
        context = _browser["browser"].new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()
