"""Floor endpoints for ``make bench``, mounted under /bench/ only when ``BENCH_URLS`` is set.

Each page is measured next to the cheapest thing the same stack can do: ``ping`` is the
full middleware stack plus a tiny JSON body (the floor for reads); ``insert`` adds one
single-row INSERT through Django's connection (the floor for writes). The table is raw SQL,
created by the harness, so no app carries a model for it.

``signed-in-write`` is not a floor but a ceiling: the least a signed-in write of the API
submit's shape can cost on this stack (session, user, CSRF, a JSON body, the four reads a
submit needs, its nine rows written by one statement), with none of the submit's checks.
"""

from __future__ import annotations

import json

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

FLOOR_TABLE_DDL = (
    "CREATE TABLE IF NOT EXISTS bench_floor "
    "(id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), note text NOT NULL)"
)
_INSERT = "INSERT INTO bench_floor (note) VALUES (%s) RETURNING id"


@require_GET
def ping(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


@csrf_exempt
@require_POST
def insert(request: HttpRequest) -> JsonResponse:
    note = request.POST.get("note", "")[:200]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, [note])
        row = cursor.fetchone()
    return JsonResponse({"id": row[0] if row else None}, status=201)


# Nine rows (a case, two consents, two audit rows, two materials, two events) in one statement.
_NINE_ROWS = (
    "WITH c AS (INSERT INTO bench_floor (note) VALUES (%s) RETURNING id), "
    "r AS (INSERT INTO bench_floor (note) SELECT %s FROM c, generate_series(1, 8)) "
    "SELECT id FROM c"
)
_READ = "SELECT id FROM services_service WHERE code = %s"


@require_POST
def signed_in_write(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "sign in"}, status=403)
    try:
        service = str(json.loads(request.body)["service"])[:64]
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"detail": "a JSON body with a service"}, status=400)
    with connection.cursor() as cursor:
        for _read in range(4):  # the service, its requirements, the certificates, the profile
            cursor.execute(_READ, [service])
            cursor.fetchone()
        cursor.execute(_NINE_ROWS, [service, service])
        row = cursor.fetchone()
    return JsonResponse({"id": row[0] if row else None}, status=201)


app_name = "bench"
urlpatterns = [
    path("ping", ping, name="ping"),
    path("insert", insert, name="insert"),
    path("signed-in-write", signed_in_write, name="signed-in-write"),
]
