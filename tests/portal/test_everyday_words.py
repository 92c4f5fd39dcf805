"""Everyday wording and the front door: what a new user or developer reads first."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_uses_the_embedded_default_and_serves_on_the_port_asked_for():
    dry_run = subprocess.run(
        ["make", "-n", "run", "PORT=8001"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    commands = [line for line in dry_run.splitlines() if "manage.py" in line]
    assert commands, dry_run
    for command in commands:
        assert "env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL" in command, command
    assert commands[-1].endswith("runserver 127.0.0.1:8001")
