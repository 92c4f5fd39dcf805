"""One measured run: wrk against an endpoint, with the CPU it cost charged per request."""

from __future__ import annotations

import os
import time
from typing import Any

from bench import accounts, client, database, passwords, procstat, wrk
from bench.config import BenchConfig
from bench.server import Gunicorn
from bench.spec import Endpoint


class Measurer:
    """Runs wrk against one endpoint and charges the server's CPU to the requests served.

    CPU is read from /proc just before wrk starts and just after it exits: gunicorn's
    master and workers (app), the PostgreSQL processes serving the benchmark database (DB),
    wrk itself, and the whole machine (so that load from unrelated processes shows up as
    "other" instead of silently slowing the figures down).
    """

    def __init__(
        self,
        config: BenchConfig,
        server: Gunicorn,
        wrk_path: str,
        ctx: client.Context,
        *,
        local_db: bool,
    ) -> None:
        self.config = config
        self.server = server
        self.wrk_path = wrk_path
        self.ctx = ctx
        self.local_db = local_db
        self.cpus = os.cpu_count() or 1

    def _prepare(self, endpoint: Endpoint) -> None:
        if endpoint.prepare is not None:
            self.ctx.values.update(endpoint.prepare() or {})

    def preflight(self, endpoint: Endpoint) -> None:
        self._prepare(endpoint)
        client.preflight(self.server.base_url, endpoint, client.render(endpoint, self.ctx))

    def run(self, endpoint: Endpoint, duration: int) -> dict[str, Any]:
        self._prepare(endpoint)
        rendered = client.render(endpoint, self.ctx)
        if endpoint.rotate_accounts:
            accounts.clear_sessions([a.login for a in self.ctx.pool])
        db_before = database.database_cpu_ms() if self.local_db else {}
        machine_before, app_before = procstat.machine_busy_ms(), self.server.cpu_ms()
        wall_start = time.perf_counter()
        result = wrk.run(
            self.wrk_path,
            self.server.base_url + endpoint.path,
            duration=duration,
            connections=self.config.connections,
            threads=self.config.threads,
            timeout=self.config.timeout,
            method=endpoint.method,
            bodies=rendered.bodies,
            headers=rendered.headers,
            script=endpoint.lua_script,
        )
        wall_ms = (time.perf_counter() - wall_start) * 1000.0
        app_ms = self.server.cpu_ms() - app_before
        machine_ms = procstat.machine_busy_ms() - machine_before
        db_ms = (
            database.cpu_delta_ms(db_before, database.database_cpu_ms()) if self.local_db else None
        )
        drained_s = self.server.wait_idle()
        served = max(result.requests, 1)
        other_ms = machine_ms - app_ms - (db_ms or 0.0) - result.cpu_ms
        return {
            "requests": result.requests,
            "rps": result.rps,
            "p50_ms": result.latency_us["p50"] / 1000.0,
            "p90_ms": result.latency_us["p90"] / 1000.0,
            "p95_ms": result.latency_us["p95"] / 1000.0 if "p95" in result.latency_us else None,
            "p99_ms": result.latency_us["p99"] / 1000.0,
            "app_cpu_ms_per_req": app_ms / served,
            "db_cpu_ms_per_req": db_ms / served if db_ms is not None else None,
            "errors": result.error_count,
            "error_detail": result.errors,
            "wrk_cpu_percent": result.cpu_percent,
            "app_cpu_percent": 100.0 * app_ms / wall_ms,
            "other_cpu_percent": max(0.0, 100.0 * other_ms / (wall_ms * self.cpus)),
            "drain_s": round(drained_s, 2),
        }


def password_sample(encoded: str, seconds: float) -> dict[str, Any]:
    """The in-process password check, shaped like an HTTP sample for the report."""
    machine_before = procstat.machine_busy_ms()
    result = passwords.measure(encoded, seconds)
    machine_ms = procstat.machine_busy_ms() - machine_before
    other_ms = machine_ms - result.cpu_ms
    return {
        "requests": result.checks,
        "rps": result.rate,
        "p50_ms": result.percentile_ms(50),
        "p99_ms": result.percentile_ms(99),
        "app_cpu_ms_per_req": result.cpu_ms_per_check,
        "algorithm": result.algorithm,
        "other_cpu_percent": max(
            0.0, 100.0 * other_ms / (result.wall_s * 1000.0 * (os.cpu_count() or 1))
        ),
    }
