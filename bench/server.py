"""gunicorn on a free loopback port: start, wait for /bench/ping, always stop."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from bench import procstat
from bench.config import BASE_DIR, BenchConfig


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gunicorn:
    """``with Gunicorn(config, env, log) as server:`` serves until the block ends, however."""

    def __init__(self, config: BenchConfig, env: dict[str, str], log_path: Path) -> None:
        self.config = config
        self.env = env
        self.log_path = log_path
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def command(self) -> list[str]:
        command = [sys.executable, "-m", "gunicorn", "portal.wsgi:application"]
        command += ["--config", str(BASE_DIR / "portal" / "gunicorn.py")]  # masked logs
        command += ["--bind", f"127.0.0.1:{self.port}", "--chdir", str(BASE_DIR)]
        command += ["--workers", str(self.config.workers)]
        command += ["--worker-class", self.config.worker_class]
        command += ["--log-level", "warning", "--error-logfile", "-"]
        if self.config.worker_class == "gthread":
            command += ["--threads", str(self.config.worker_threads)]
        return command  # no --access-logfile: access logging stays off

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError("gunicorn is not running")
        return self.process.pid

    def cpu_ms(self) -> float:
        """CPU of the master and its workers (live and reaped) so far, in ms."""
        return procstat.tree_cpu_ms(self.pid)

    def wait_idle(self, *, interval: float = 0.1, timeout: float = 120.0) -> float:
        """Wait until the workers stop burning CPU; return the seconds waited.

        When wrk stops, requests it had sent are still queued on the listening socket and
        the sync workers serve them all (a slow endpoint can keep them busy for seconds).
        The next run must not start, nor be charged, until that backlog is gone.
        """
        started = time.monotonic()
        quiet, last = 0, self.cpu_ms()
        while quiet < 2 and time.monotonic() - started < timeout:
            time.sleep(interval)
            now = self.cpu_ms()
            quiet = quiet + 1 if now - last <= procstat.TICK_MS else 0
            last = now
        return time.monotonic() - started

    def start(self, timeout: float = 60.0) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            # Own session: a Ctrl-C in the terminal reaches the harness, which stops gunicorn.
            self.process = subprocess.Popen(  # noqa: S603
                self.command,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=BASE_DIR,
                start_new_session=True,
            )
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        url = f"{self.base_url}/bench/ping"
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited during start-up:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                    answered = response.status == 200
                # Every worker must be up before measuring, not just the first.
                if answered and procstat.tree_size(self.pid) > self.config.workers:
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise RuntimeError(
            f"gunicorn did not answer {url} within {timeout:.0f}s:\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)  # graceful: the arbiter stops workers
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass
        with contextlib.suppress(ProcessLookupError):  # anything left in gunicorn's group
            os.killpg(self.process.pid, signal.SIGKILL)

    def __enter__(self) -> Gunicorn:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
