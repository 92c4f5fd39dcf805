"""Public satisfaction pages (评价结果公开) and open data (ADR 0014): per department and per
service, the satisfaction rate, the number of ratings, the on-time rate and the latest answered
bad ratings, anonymised; daily CSV and JSON files of the same counts. Nothing here names a
person or quotes a comment."""

from __future__ import annotations

import csv
import datetime as dt
import json
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from portal.models import Department
from services import satisfaction
from services.models import Service
from services.statistics import Scope
from services.views import csv_text

PUBLIC_DAYS = 365
OPEN_DATA_SECONDS = 3600
# The open-data files' fields, in order, with what each means (shown on the open-data page).
FIELDS = [
    ("date", gettext_lazy("The day (YYYY-MM-DD, China Standard Time).")),
    (
        "code",
        gettext_lazy(
            "The department's unified social credit code or the service's implementation code."
        ),
    ),
    ("name", gettext_lazy("The department's or service's name.")),
    ("ratings", gettext_lazy("Ratings given that day, not counting those overturned on appeal.")),
    (
        "satisfied",
        gettext_lazy("Ratings of 5, 4 or 3 (very satisfied, satisfied, fairly satisfied)."),
    ),
    ("bad", gettext_lazy("Ratings of 2 or 1 (bad ratings).")),
    ("defaulted", gettext_lazy("Cases not rated in time and counted as satisfied (4).")),
    ("satisfaction_rate", gettext_lazy("satisfied ÷ ratings, empty when there were none.")),
    ("completed", gettext_lazy("Cases completed that day.")),
    ("on_time", gettext_lazy("Of those, completed on or before their due date.")),
    ("on_time_rate", gettext_lazy("on_time ÷ completed, empty when none were completed.")),
]
WHICH = {"departments", "services"}


def public_scope(days: int = PUBLIC_DAYS) -> Scope:
    last = timezone.localdate()
    return Scope(last - dt.timedelta(days=days - 1), last)


def _one(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return rows[0] if rows else {"ratings": 0, "satisfaction_rate": None, "on_time_rate": None}


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    scope = public_scope()
    return render(
        request,
        "services/transparency/overview.html",
        {"scope": scope, "rows": satisfaction.public_figures("departments", scope)},
    )


@require_GET
def department_page(request: HttpRequest, pk: int) -> HttpResponse:
    department = get_object_or_404(Department, pk=pk, is_active=True)
    scope = Scope(public_scope().first, public_scope().last, frozenset({department.pk}))
    services = satisfaction.public_figures("services", scope)
    context = {
        "scope": scope,
        "department": department,
        "figures": _one(satisfaction.public_figures("departments", scope)),
        "services": services,
        "answered": list(satisfaction.answered_bad_ratings(scope)),
    }
    return render(request, "services/transparency/department.html", context)


@require_GET
def service_page(request: HttpRequest, code: str) -> HttpResponse:
    service = get_object_or_404(Service.objects.select_related("department"), code=code)
    base = public_scope()
    scope = Scope(base.first, base.last, frozenset({service.department_id}))
    rows = [r for r in satisfaction.public_figures("services", scope) if r["id"] == service.pk]
    context = {
        "scope": scope,
        "service": service,
        "figures": _one(rows),
        "answered": list(satisfaction.answered_bad_ratings(scope, service_id=service.pk)),
    }
    return render(request, "services/transparency/service.html", context)


@require_GET
def open_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "services/transparency/open_data.html",
        {"fields": FIELDS, "scope": public_scope(), "files": sorted(WHICH)},
    )


def daily_rows(which: str) -> list[dict[str, Any]]:
    """The open-data rows (cached an hour: the file is the same for everyone)."""
    today = timezone.localdate()
    key = f"open-data:{which}:{today.isoformat()}:{timezone.now():%H}"
    rows = cache.get(key)
    if rows is None:
        rows = [
            {name: row.get(name) for name, _text in FIELDS}
            for row in satisfaction.public_figures(which, public_scope(), daily=True)
        ]
        cache.set(key, rows, OPEN_DATA_SECONDS)
    return rows


@require_GET
def open_data_file(request: HttpRequest, which: str, fmt: str) -> HttpResponse:
    if which not in WHICH or fmt not in {"csv", "json"}:
        raise Http404(_("No such file."))
    rows = daily_rows(which)
    name = f"satisfaction-{which}-daily.{fmt}"
    if fmt == "json":
        response = HttpResponse(
            json.dumps(rows, ensure_ascii=False), content_type="application/json; charset=utf-8"
        )
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")
        writer = csv.DictWriter(response, fieldnames=[name for name, _text in FIELDS])
        writer.writeheader()
        writer.writerows({key: csv_text.cell(value) for key, value in row.items()} for row in rows)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
