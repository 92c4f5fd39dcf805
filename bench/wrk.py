"""Find (or install) wrk and run it once with a Lua script that reports JSON from done()."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from bench.config import LUA_DIR

MARKER = "BENCH_JSON "


class WrkMissingError(RuntimeError):
    pass


def find_wrk(*, install: bool = True) -> str:
    """The wrk executable; installed with apt-get when missing and running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if install and apt and os.geteuid() == 0:
        print("wrk is missing; installing it with apt-get (running as root).", file=sys.stderr)
        subprocess.run([apt, "update", "-qq"], check=False)  # noqa: S603
        subprocess.run([apt, "install", "-y", "-qq", "wrk"], check=False)  # noqa: S603
        found = shutil.which("wrk")
        if found:
            return found
    raise WrkMissingError(
        "wrk is not installed. Install it with `sudo apt-get install wrk` (Debian/Ubuntu), "
        "then run `make bench` again."
    )


def version(wrk: str) -> str:
    result = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    text = (result.stdout or result.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


@dataclass
class WrkResult:
    requests: int
    duration_s: float
    errors: dict[str, int]
    latency_us: dict[str, float]
    cpu_ms: float  # wrk's own CPU (user + system) during the run

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def cpu_percent(self) -> float:
        """wrk's CPU as a percentage of one core: near 100 would mean wrk is the bottleneck."""
        return 100.0 * self.cpu_ms / (self.duration_s * 1000.0) if self.duration_s else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "duration_s": round(self.duration_s, 3),
            "rps": round(self.rps, 1),
            "errors": self.errors,
            "latency_us": self.latency_us,
            "wrk_cpu_percent": round(self.cpu_percent, 1),
        }


def _children_cpu_ms() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000.0


def run(
    wrk: str,
    url: str,
    *,
    duration: int,
    connections: int,
    threads: int,
    timeout: int,
    method: str = "GET",
    bodies: list[str] | None = None,
    headers: dict[str, str] | None = None,
    script: str = "request.lua",
) -> WrkResult:
    """Run wrk once against ``url`` and parse the JSON line printed by bench/lua/report.lua.

    One body goes to the script as BENCH_BODY; several (one per line) as BENCH_BODIES.
    """
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        f"--timeout={timeout}s",
        "-s",
        str(LUA_DIR / script),
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    bodies = bodies or [""]
    env = {
        **os.environ,
        "BENCH_METHOD": method,
        "BENCH_BODY": bodies[0],
        "BENCH_BODIES": "\n".join(bodies),
        "BENCH_LUA_DIR": str(LUA_DIR),
    }
    before = _children_cpu_ms()
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    cpu_ms = _children_cpu_ms() - before
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith(MARKER)), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(
            f"wrk failed (exit {result.returncode}) for {method} {url}:\n"
            f"{result.stdout}\n{result.stderr}"
        )
    data = json.loads(line[len(MARKER) :])
    return WrkResult(
        requests=int(data["requests"]),
        duration_s=data["duration_us"] / 1e6,
        errors={k: int(v) for k, v in data["errors"].items()},
        latency_us={k: float(v) for k, v in data["latency_us"].items()},
        cpu_ms=cpu_ms,
    )
