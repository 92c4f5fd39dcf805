"""What a result was measured on: commit, machine, versions, configuration."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from datetime import datetime
from importlib import metadata
from typing import Any

from bench import database, wrk
from bench.config import BASE_DIR, BenchConfig


def _git(*args: str) -> str:
    git = shutil.which("git")
    if not git:
        return ""
    command = [git, *args]
    result = subprocess.run(command, cwd=BASE_DIR, capture_output=True, text=True, check=False)  # noqa: S603
    return result.stdout.strip()


def _cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):  # noqa: SIM115
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def run_meta(config: BenchConfig, cache: str, wrk_path: str, started: datetime) -> dict[str, Any]:
    commit = _git("rev-parse", "--short", "HEAD") or "unknown"
    if _git("status", "--porcelain"):
        commit += "+dirty"
    return {
        "started_at": started.isoformat(timespec="seconds"),
        "commit": commit,
        "machine": {"cpu": _cpu_model(), "cpus": os.cpu_count(), "kernel": platform.release()},
        "versions": {
            "python": platform.python_version(),
            "django": _version("django"),
            "gunicorn": _version("gunicorn"),
            "psycopg": _version("psycopg"),
            "postgresql": database.server_version(),
            "wrk": wrk.version(wrk_path),
        },
        "database": database.redacted(database.database_url()),
        "cache": cache,
        "config": {
            "duration": config.duration,
            "rounds": config.rounds,
            "warmup": config.warmup,
            "connections": config.connections,
            "threads": config.threads,
            "timeout": config.timeout,
            "workers": config.workers,
            "worker_class": config.worker_class,
            "worker_threads": config.worker_threads,
            "password_seconds": config.password_seconds,
            "max_other_load": config.max_other_load,
            "retries": config.retries,
            "quick": config.quick,
        },
    }
