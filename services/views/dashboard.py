"""The statistics dashboard under /staff/ (ADR 0014): department administrators see their
department's figures, system administrators everyone's; other staff and citizens are refused.
Each table can be downloaded as CSV; the charts draw the same rows (json_script + a static
script), so the page reads fully without JavaScript."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from portal import roles
from portal.auth import signed_in_user
from portal.models import Department, StaffRole, User
from services import satisfaction, statistics, warnings
from services.models.statistics import CaseDay
from services.statistics import Scope
from services.views import csv_text

DEFAULT_DAYS = 30
MAX_DAYS = 366


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    percent: bool = False


@dataclass(frozen=True)
class Table:
    """One table of the dashboard: how to compute its rows and which columns to show."""

    key: str
    title: str | Promise
    columns: tuple[Column, ...]
    rows: Callable[[Figures, str], list[dict[str, Any]]]
    chart: tuple[str, ...] = ()  # the columns drawn; none: a table only


class Figures:
    """One page's figures of a scope, each counted at most once however many tables use it."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    @cached_property
    def rating_groups(self) -> list[dict[str, Any]]:
        return satisfaction.rating_groups(self.scope)

    @cached_property
    def case_rows(self) -> QuerySet[CaseDay]:
        return statistics.case_rows(self.scope)


def _satisfaction(figures: Figures, unit: str, by: str) -> list[dict[str, Any]]:
    return satisfaction.satisfaction(figures.scope, by, figures.rating_groups)


def _name(label: str | Promise) -> Column:
    return Column("name", label)


TABLES = {
    t.key: t
    for t in (
        Table(
            "applications",
            gettext_lazy("Applications received, accepted and completed"),
            (
                Column("period", gettext_lazy("Period")),
                Column("received", gettext_lazy("Received")),
                Column("accepted", pgettext_lazy("statistics", "Accepted")),
                Column("completed", pgettext_lazy("statistics", "Completed")),
            ),
            lambda f, unit: statistics.applications_over_time(f.scope, unit, f.case_rows),
            ("received", "accepted", "completed"),
        ),
        Table(
            "services",
            gettext_lazy("Time limits and supplements per service"),
            (
                Column("service", gettext_lazy("Service")),
                Column("department", gettext_lazy("Department")),
                Column("received", gettext_lazy("Received")),
                Column("completed", pgettext_lazy("statistics", "Completed")),
                Column("on_time_rate", gettext_lazy("Completed on time"), True),
                Column("average_working_days", gettext_lazy("Average working days to complete")),
                Column("supplement_rate", gettext_lazy("Supplement asked"), True),
            ),
            lambda f, unit: statistics.service_performance(f.scope, f.case_rows),
            ("on_time_rate",),
        ),
        *(
            Table(
                f"satisfaction_{by}",
                title,
                (
                    _name(label),
                    Column("ratings", gettext_lazy("Ratings")),
                    Column("satisfaction_rate", gettext_lazy("Satisfaction rate"), True),
                    Column("bad", gettext_lazy("Bad ratings")),
                    Column("defaulted", gettext_lazy("Satisfied by default")),
                ),
                partial(_satisfaction, by=by),
                ("satisfaction_rate",),
            )
            for by, title, label in (
                (
                    "department",
                    gettext_lazy("Satisfaction per department"),
                    gettext_lazy("Department"),
                ),
                ("service", gettext_lazy("Satisfaction per service"), gettext_lazy("Service")),
                ("hall", gettext_lazy("Satisfaction per hall"), gettext_lazy("Service hall")),
                ("window", gettext_lazy("Satisfaction per window"), gettext_lazy("Window")),
                (
                    "staff",
                    gettext_lazy("Satisfaction per staff member"),
                    gettext_lazy("Staff member"),
                ),
            )
        ),
        Table(
            "rectifications",
            gettext_lazy("Rectification of bad ratings"),
            (
                _name(gettext_lazy("Department")),
                Column("opened", gettext_lazy("Opened")),
                Column("answered", gettext_lazy("Answered")),
                Column("on_time_rate", gettext_lazy("Answered on time"), True),
                Column("overdue", gettext_lazy("Overdue")),
            ),
            lambda f, unit: statistics.rectifications(f.scope),
        ),
        Table(
            "halls",
            gettext_lazy("Bookings and waiting per hall"),
            (
                _name(gettext_lazy("Service hall")),
                Column("bookings", gettext_lazy("Bookings")),
                Column("no_shows", gettext_lazy("No-shows")),
                Column("no_show_rate", gettext_lazy("No-show rate"), True),
                Column("called", gettext_lazy("Tickets called")),
                Column("average_wait_minutes", gettext_lazy("Average wait (minutes)")),
            ),
            lambda f, unit: statistics.halls(f.scope),
            ("average_wait_minutes",),
        ),
        Table(
            "bundles",
            gettext_lazy("Use of 一件事 bundles"),
            (
                _name(gettext_lazy("Bundle")),
                Column("applications", gettext_lazy("Applications")),
                Column("completed", pgettext_lazy("statistics", "Completed")),
            ),
            lambda f, unit: statistics.bundle_use(f.scope),
        ),
    )
}


def reader_departments(user: User) -> frozenset[int] | None:
    """The departments whose figures the user may read (None: all); refuses everyone else."""
    if roles.is_system_admin(user):
        return None
    own = roles.department_ids(user, StaffRole.DEPARTMENT_ADMIN)
    if not own:
        raise PermissionDenied(_("The statistics are for department and system administrators."))
    return frozenset(own)


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def scope_for(request: HttpRequest) -> tuple[Scope, dict[str, Any]]:
    """The scope asked for in the query string, narrowed to what the reader may see."""
    user = signed_in_user(request)
    allowed = reader_departments(user)
    today = timezone.localdate()
    last = _date(request.GET.get("to"), today)
    first = _date(request.GET.get("from"), last - dt.timedelta(days=DEFAULT_DAYS - 1))
    if first > last:
        first, last = last, first
    first = max(first, last - dt.timedelta(days=MAX_DAYS - 1))
    departments = Department.objects.order_by("name")
    if allowed is not None:
        departments = departments.filter(pk__in=allowed)
    choices = list(departments.values_list("pk", "name"))
    chosen: int | None = None
    try:
        chosen = int(request.GET.get("department") or 0) or None
    except ValueError:
        chosen = None
    if chosen is not None and chosen not in {pk for pk, _name in choices}:
        raise Http404(_("No such department among yours."))
    ids = frozenset({chosen}) if chosen else allowed
    unit = request.GET.get("unit", "day")
    if unit not in statistics.UNITS:
        unit = "day"
    form = {
        "from": first,
        "to": last,
        "department": chosen,
        "unit": unit,
        "departments": choices,
    }
    return Scope(first, last, ids), form


def _cell(row: dict[str, Any], column: Column) -> Any:
    value = row.get(column.key)
    if value is None:
        return ""
    if column.percent:
        return f"{value * 100:.1f}%"
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)  # what localize() would give, at a fraction of its cost per cell
    return value


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope, form = scope_for(request)
    figures = Figures(scope)
    tables = []
    charts: dict[str, Any] = {}
    for table in TABLES.values():
        rows = table.rows(figures, form["unit"])
        labels = [str(c.label) for c in table.columns]
        tables.append(
            {
                "key": table.key,
                "title": table.title,
                "columns": table.columns,
                # The labels translated once per table, not once per cell (a year of days).
                "rows": [
                    list(zip(labels, (_cell(r, c) for c in table.columns), strict=True))
                    for r in rows
                ],
                "chart": bool(table.chart),
            }
        )
        if table.chart:
            columns = {c.key: c for c in table.columns}
            charts[table.key] = {
                "labels": [str(r.get(table.columns[0].key, "")) for r in rows],
                "percent": columns[table.chart[0]].percent,
                "series": [
                    {"name": str(columns[key].label), "data": [r.get(key) for r in rows]}
                    for key in table.chart
                ],
            }
    context = {
        "form": form,
        "tables": tables,
        "charts": charts,
        "totals": satisfaction.rating_totals(scope, figures.rating_groups),
        "counted_at": statistics.freshness(scope),
        "warnings": warnings.current(scope.department_ids, timezone.localdate()),
        "query": request.GET.urlencode(),
    }
    return render(request, "services/dashboard/dashboard.html", context)


@login_required
def dashboard_csv(request: HttpRequest, table: str) -> HttpResponse:
    if table not in TABLES:
        raise Http404(_("No such table."))
    scope, form = scope_for(request)
    spec = TABLES[table]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"{table}-{scope.first:%Y%m%d}-{scope.last:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # so that spreadsheet programs read the Chinese names as UTF-8
    writer = csv.writer(response)
    writer.writerow([c.key for c in spec.columns])
    for row in spec.rows(Figures(scope), form["unit"]):
        writer.writerow(
            [csv_text.cell(row[c.key]) if row.get(c.key) is not None else "" for c in spec.columns]
        )
    return response
