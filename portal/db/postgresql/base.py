"""Django's PostgreSQL backend, with the per-request health check skipped for a connection that
answered moments ago (HikariCP's ``aliveBypassWindowMs``).

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query of every request
that reuses a connection: a round trip costing ~0.07 ms of the worker's CPU and the server's
on every page. A connection that served the previous request without an error less than
``DATABASE_HEALTH_CHECK_SKIP_WITHIN`` seconds ago (default 0.5) is trusted instead; only a
database that dies inside that window costs the next request its answer (as it would without
health checks), after which Django drops the broken connection.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    answered_at: float | None = None
    health_check_done: bool  # set by Django's BaseDatabaseWrapper; untyped in django-stubs

    def close_if_unusable_or_obsolete(self) -> None:
        # Django calls this when a request (or Celery task) starts and ends. At the end, a
        # finished health check means the connection was used; without errors it answered.
        answered = self.connection is not None and self.health_check_done
        answered = answered and not self.errors_occurred
        super().close_if_unusable_or_obsolete()
        if answered and self.connection is not None:
            self.answered_at = time.monotonic()

    def close_if_health_check_failed(self) -> None:
        window = getattr(settings, "DATABASE_HEALTH_CHECK_SKIP_WITHIN", 0.5)
        if (
            self.connection is not None
            and not self.health_check_done
            and self.answered_at is not None
            and time.monotonic() - self.answered_at < window
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def close(self) -> None:
        self.answered_at = None
        super().close()
