"""The cost of one password check: Django's check_password on an Argon2 hash, in-process."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any

SAMPLE_PASSWORD = "correct horse battery staple"  # noqa: S105 (a benchmark input)


@dataclass
class PasswordResult:
    checks: int
    wall_s: float
    cpu_ms: float  # process CPU: Argon2's lanes may run on several threads
    per_check_ms: list[float]
    algorithm: str

    @property
    def rate(self) -> float:
        return self.checks / self.wall_s if self.wall_s else 0.0

    @property
    def cpu_ms_per_check(self) -> float:
        return self.cpu_ms / self.checks if self.checks else 0.0

    def percentile_ms(self, q: float) -> float:
        ordered = sorted(self.per_check_ms)
        if len(ordered) == 1:
            return ordered[0]
        return statistics.quantiles(ordered, n=1000, method="inclusive")[int(q * 10) - 1]

    def as_dict(self) -> dict[str, Any]:
        return {
            "algorithm": self.algorithm,
            "checks": self.checks,
            "wall_s": round(self.wall_s, 3),
            "checks_per_s": round(self.rate, 2),
            "cpu_ms_per_check": round(self.cpu_ms_per_check, 2),
            "p50_ms": round(self.percentile_ms(50), 2),
            "p99_ms": round(self.percentile_ms(99), 2),
        }


def make_hash() -> str:
    """A hash made the way the site makes them: the first of settings.PASSWORD_HASHERS."""
    from django.contrib.auth.hashers import make_password

    return make_password(SAMPLE_PASSWORD)


def measure(encoded: str, seconds: float, *, minimum: int = 5) -> PasswordResult:
    """Verify ``encoded`` for at least ``seconds`` (and ``minimum`` checks)."""
    from django.contrib.auth.hashers import check_password, identify_hasher

    per_check: list[float] = []
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    while len(per_check) < minimum or time.perf_counter() - wall_start < seconds:
        started = time.perf_counter()
        if not check_password(SAMPLE_PASSWORD, encoded):
            raise RuntimeError("check_password rejected the password it was made from")
        per_check.append((time.perf_counter() - started) * 1000.0)
    wall = time.perf_counter() - wall_start
    cpu_ms = (time.process_time() - cpu_start) * 1000.0
    return PasswordResult(
        checks=len(per_check),
        wall_s=wall,
        cpu_ms=cpu_ms,
        per_check_ms=per_check,
        algorithm=identify_hasher(encoded).algorithm or "unknown",
    )
