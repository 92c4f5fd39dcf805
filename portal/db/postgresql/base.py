"""Django's PostgreSQL backend, with the per-request health check skipped for a connection that
answered moments ago (HikariCP's ``aliveBypassWindowMs``).

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query of every request
that reuses a connection: a round trip costing ~0.07 ms of the worker's CPU and the server's
on every page. A connection that served the previous request without an error less than
``DATABASE_HEALTH_CHECK_SKIP_WITHIN`` seconds ago (default 0.5; counted from that request's
first query, so a long request does not look fresh) is trusted instead; only a
database that dies inside that window costs the next request its answer (as it would without
health checks), after which Django drops the broken connection.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    answered_at: float | None = None  # when the connection last proved good
    first_used_at: float | None = None  # the current request's first query
    health_check_done: bool  # set by Django's BaseDatabaseWrapper; untyped in django-stubs

    def close_if_unusable_or_obsolete(self) -> None:
        # Django calls this when a request starts and when it ends (Celery, reusing connections
        # across tasks, does not). At the end, a finished health check means the connection was
        # used; without errors it worked from the request's first query on.
        used = self.connection is not None and self.health_check_done
        if used and not self.errors_occurred and self.first_used_at is not None:
            self.answered_at = self.first_used_at
        self.first_used_at = None
        super().close_if_unusable_or_obsolete()  # a dropped connection goes through close()

    def close_if_health_check_failed(self) -> None:
        if self.connection is None or self.health_check_done:
            return
        self.first_used_at = time.monotonic()
        window = getattr(settings, "DATABASE_HEALTH_CHECK_SKIP_WITHIN", 0.5)
        if self.answered_at is not None and self.first_used_at - self.answered_at < window:
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def connect(self) -> None:
        super().connect()
        self.first_used_at = time.monotonic()  # a new connection needs no check either

    def close(self) -> None:
        self.answered_at = None
        super().close()
