"""Settings from the environment: no SECRET_KEY, no server; tools that sign nothing still run."""

import os
import subprocess
import sys


def benan(*args, tmp_path, **env):
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, "-m", "benan.cli", *args],
        env={**base, "BENAN_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_serving_without_a_secret_key_is_refused(tmp_path):
    result = benan("check", tmp_path=tmp_path)
    assert result.returncode == 1
    assert "SECRET_KEY" in result.stderr


def test_a_secret_key_or_debug_lets_it_start(tmp_path):
    assert benan("check", tmp_path=tmp_path, SECRET_KEY="x" * 50).returncode == 0
    assert benan("check", tmp_path=tmp_path, DEBUG="1").returncode == 0


def test_the_uscc_tool_needs_no_secret_key(tmp_path):
    result = benan("uscc", "914403001922038216", tmp_path=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == "914403001922038216 valid"
