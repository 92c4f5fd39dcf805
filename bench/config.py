"""Run parameters: defaults, overridden by BENCH_* environment variables, then by the CLI."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "bench"
LUA_DIR = BENCH_DIR / "lua"
RESULTS_DIR = BENCH_DIR / "results"

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/onewindow_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"
SETTINGS_MODULE = "portal.settings.bench"


class ConfigError(ValueError):
    """A bad option or environment variable: reported in one line, no traceback."""


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw) if raw else default
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None


def _env_bool(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class BenchConfig:
    duration: int = 8  # seconds per measured wrk run
    rounds: int = 3  # every endpoint is measured this many times, interleaved; median reported
    warmup: int = 1  # seconds per endpoint before round 1, not recorded
    connections: int = 8  # wrk -c
    threads: int = 1  # wrk -t
    timeout: int = 30  # wrk --timeout, seconds: a slow login must not count as a timeout
    workers: int = 2  # gunicorn --workers
    worker_class: str = "sync"  # gunicorn --worker-class
    worker_threads: int = 1  # gunicorn --threads (gthread only)
    password_seconds: float = 2.0  # in-process Argon2 loop per round
    # On a shared machine: repeat a run (up to ``retries`` times) while unrelated processes
    # used more than this share of the CPU during it, keeping the least disturbed. 0: off.
    max_other_load: float = 0.0
    retries: int = 2
    quick: bool = False
    only: list[str] = field(default_factory=list)  # endpoint names; empty means all
    setup: bool = True  # create the database, migrate, load demo data

    @classmethod
    def from_env(cls) -> BenchConfig:
        config = cls(
            duration=_env_int("BENCH_DURATION", cls.duration),
            rounds=_env_int("BENCH_ROUNDS", cls.rounds),
            warmup=_env_int("BENCH_WARMUP", cls.warmup),
            connections=_env_int("BENCH_CONNECTIONS", cls.connections),
            threads=_env_int("BENCH_THREADS", cls.threads),
            workers=_env_int("BENCH_WORKERS", cls.workers),
            worker_class=os.environ.get("BENCH_WORKER_CLASS", "").strip() or cls.worker_class,
            worker_threads=_env_int("BENCH_WORKER_THREADS", cls.worker_threads),
            max_other_load=float(_env_int("BENCH_MAX_OTHER_LOAD", 0)),
            retries=_env_int("BENCH_RETRIES", cls.retries),
        )
        only = os.environ.get("BENCH_ONLY", "").strip()
        config.only = [name.strip() for name in only.split(",") if name.strip()]
        if _env_bool("BENCH_QUICK"):
            config.make_quick(keep_duration="BENCH_DURATION" in os.environ)
        return config

    def make_quick(self, *, keep_duration: bool = False) -> None:
        """Smoke-test sizes: short runs, the same shape (floors, interleaving, 3 rounds)."""
        self.quick = True
        if not keep_duration:
            self.duration = 2
        self.password_seconds = 0.5

    def validate(self) -> None:
        if self.duration < 1 or self.rounds < 1 or self.connections < 1 or self.threads < 1:
            raise ConfigError("duration, rounds, connections and threads must be at least 1")
        if self.connections < self.threads:
            raise ConfigError("wrk needs at least one connection per thread")
