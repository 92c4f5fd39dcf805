"""Floor endpoints for ``make bench``, mounted under /bench/ only when ``BENCH_URLS`` is set.

Each page is measured next to the cheapest thing the same stack can do: ``ping`` is the
full middleware stack plus a tiny JSON body (the floor for reads); ``insert`` adds one
single-row INSERT through Django's connection (the floor for writes). The table is raw SQL,
created by the harness, so no app carries a model for it.
"""

from __future__ import annotations

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


app_name = "bench"
urlpatterns = [
    path("ping", ping, name="ping"),
    path("insert", insert, name="insert"),
]
