"""Bounded polling for tests that wait on another process (a Celery worker, a browser)."""

import time
from collections.abc import Callable


def wait_for(
    predicate: Callable[[], object],
    *,
    timeout: float = 20.0,
    what: str = "condition",
    interval: float = 0.1,
) -> object:
    """Poll ``predicate`` until it returns something truthy, at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)
