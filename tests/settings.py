"""Test settings: benan's settings plus the small model the closed-loop tests use."""

import os
import tempfile

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("BENAN_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "test"))

from benan.settings import *  # noqa: E402,F403
from benan.settings import DATABASES, INSTALLED_APPS  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "tests.loopapp"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}  # noqa: F405
DEBUG = False
# Uploads made by tests go to a folder of their own, thrown away with the machine's /tmp.
MEDIA_ROOT = tempfile.mkdtemp(prefix="benan-test-media-")

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory: in memory SQLite refuses a second writer at once
    # ("table is locked") instead of waiting, so concurrency tests would test nothing.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"benan-test-{os.getpid()}.sqlite3")
    }
