"""/healthz: the database, the cache and (when configured) the broker answer; and warnings.

Warnings (e.g. next year's working-day calendar missing) come from the functions named in
``HEALTH_WARNINGS``, so that apps report their own without portal importing them. They do not
turn the status into an error: the portal still serves.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    cache.set("healthz", "ok", 5)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return what was stored")


def _broker() -> None:
    from portal.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database, "cache": _cache}
    if settings.BROKER_CONFIGURED:
        checks["broker"] = _broker
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # a health check reports every failure, whatever it is
            results[name] = f"error: {exc.__class__.__name__}"
    healthy = all(v == "ok" for v in results.values())
    warnings: list[str] = []
    if healthy:
        for path in settings.HEALTH_WARNINGS:
            warnings.extend(import_string(path)())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": results, "warnings": warnings},
        status=200 if healthy else 503,
    )
