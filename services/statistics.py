"""The statistics dashboard's figures (issue 13, ADR 0014): read-only aggregates computed in the
database with GROUP BY, date truncation and conditional counts, never a Python loop over rows.

Every figure takes a ``Scope``: a date range (both ends included, local dates) and the
departments the reader may see (``None``: all, for system administrators). Counting rules:

- received: cases submitted in the range; accepted: accepted in the range; completed: completed
  in the range (a bundle's parent case is not counted, its member cases are).
- on time: a completed case whose completion date is on or before its due date.
- working days to complete: working days after acceptance up to completion, on the official
  calendar (services.calendar).
- The case figures come from a per-day summary table that ``services.case_days`` keeps (past
  days counted once and recounted nightly, today every five minutes); ratings, rectifications,
  bookings and tickets are counted live.
- supplement rate: received cases that were asked for a supplement at intake or in review.
- satisfaction: see ``services.satisfaction``.
- rectified on time: answered on or before the due date.
- waiting time: from a ticket's issue to its call, for tickets called in the range.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek

from portal.models import Department, ServiceHall, User
from services import case_days
from services.models import Application, Service
from services.models.applications import ApplicationStatus
from services.models.evaluations import Rectification
from services.models.reservations import Booking, BookingStatus, Ticket, Window
from services.models.statistics import CaseDay

UNITS = {"day": TruncDate, "week": TruncWeek, "month": TruncMonth}


@dataclass(frozen=True)
class Scope:
    """What a reader asked for and may see: ``first``..``last`` inclusive, and the departments
    (``None`` for all)."""

    first: dt.date
    last: dt.date
    department_ids: frozenset[int] | None = None

    def departments(self, field: str) -> Q:
        if self.department_ids is None:
            return Q()
        return Q(**{f"{field}__in": sorted(self.department_ids)})

    def dates(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.first, f"{field}__lte": self.last})

    def moments(self, field: str) -> Q:
        """The local days ``first``..``last`` of a timestamp column as a half-open range, so
        that an index on the column serves it (``__date`` would compute every row's date)."""
        return case_days.moments(field, self.first, self.last)


def share(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to 4 places, or None when there is nothing to divide."""
    return round(part / whole, 4) if whole else None


# --- Case figures, from the per-day summary (services.case_days) ---------------------------


def case_rows(scope: Scope) -> QuerySet[CaseDay]:
    """The scope's rows of the per-day case summary, counted first where missing or stale."""
    case_days.ensure(scope.first, scope.last)
    return CaseDay.objects.filter(scope.dates("day"), scope.departments("service__department"))


def refresh_case_days(days: int = 400) -> int:
    """Recount the past ``days`` days of the case summary (services.tasks.refresh_statistics)."""
    return case_days.refresh(days)


def freshness(scope: Scope) -> Any:
    """When the oldest past day of the scope was counted (None: no past day in it)."""
    return case_days.counted_at(scope.first, scope.last)


PERIODS = {"week": TruncWeek, "month": TruncMonth}


def applications_over_time(
    scope: Scope, unit: str = "day", rows: QuerySet[CaseDay] | None = None
) -> list[dict[str, Any]]:
    """Cases received, accepted and completed per day, week or month (``rows``: the scope's
    ``case_rows`` when the caller already has them)."""
    rows = case_rows(scope) if rows is None else rows
    period = F("day") if unit not in PERIODS else PERIODS[unit]("day", output_field=DateField())
    return [
        {**r, "period": _day(r["period"])}
        for r in rows.annotate(period=period)
        .values("period")
        .annotate(received=Sum("received"), accepted=Sum("accepted"), completed=Sum("completed"))
        .filter(Q(received__gt=0) | Q(accepted__gt=0) | Q(completed__gt=0))
        .order_by("period")
    ]


def _day(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def service_performance(
    scope: Scope, rows: QuerySet[CaseDay] | None = None
) -> list[dict[str, Any]]:
    """Per service: received, completed, completed on time, on-time rate, average working days
    from acceptance to completion, supplement rate of the cases received."""
    rows = case_rows(scope) if rows is None else rows
    out = []
    for r in (
        rows.values("service", "service__name", "service__department__name")
        .annotate(
            **{key: Sum(key) for key in case_days.CASE_FIELDS},
            provisional_days=Count("id", filter=Q(provisional=True)),
        )
        .filter(Q(received__gt=0) | Q(completed__gt=0))
        .order_by()
    ):
        out.append(
            {
                "service_id": r["service"],
                "service": r["service__name"],
                "department": r["service__department__name"],
                **{key: r[key] for key in case_days.CASE_FIELDS},
                "provisional": bool(r["provisional_days"]),
                "on_time_rate": share(r["on_time"], r["completed"]),
                "supplement_rate": share(r["supplemented"], r["received"]),
                "average_working_days": round(r["wd_sum"] / r["wd_n"], 1) if r["wd_n"] else None,
            }
        )
    return sorted(out, key=lambda r: (r["department"], r["service"]))


def totals(rows: Iterable[dict[str, Any]], keys: Iterable[str]) -> dict[str, int]:
    """Column sums of a table's rows (the table's last line)."""
    rows = list(rows)
    return {key: sum(r.get(key) or 0 for r in rows) for key in keys}


def rectifications(scope: Scope) -> list[dict[str, Any]]:
    """Per department: rectifications opened in the range, answered, answered on time, overdue."""
    answered_day = TruncDate("answered_at")
    rows = (
        Rectification.objects.filter(scope.dates("opened_on"), scope.departments("department"))
        .filter(department__isnull=False)
        .annotate(answered_day=answered_day)
        .values("department", "department__name")
        .annotate(
            opened=Count("id"),
            answered=Count("id", filter=Q(answered_at__isnull=False)),
            on_time=Count(
                "id", filter=Q(answered_at__isnull=False, answered_day__lte=F("due_date"))
            ),
            overdue=Count("id", filter=Q(overdue=True)),
        )
        .order_by("department__name")
    )
    return [
        {
            "id": r["department"],
            "name": r["department__name"],
            "opened": r["opened"],
            "answered": r["answered"],
            "on_time": r["on_time"],
            "overdue": r["overdue"],
            "on_time_rate": share(r["on_time"], r["answered"]),
        }
        for r in rows
    ]


def unit_names(by: str, ids: list[int]) -> dict[int, str]:
    """Display names of the departments, services, halls, windows or staff members ``ids``."""
    if by == "department":
        return dict(Department.objects.filter(pk__in=ids).values_list("pk", "name"))
    if by == "service":
        return dict(Service.objects.filter(pk__in=ids).values_list("pk", "name"))
    if by == "hall":
        return dict(ServiceHall.objects.filter(pk__in=ids).values_list("pk", "name"))
    if by == "window":
        return {
            pk: f"{hall} {number}"
            for pk, hall, number in Window.objects.filter(pk__in=ids).values_list(
                "pk", "hall__name", "number"
            )
        }
    staff = User.objects.filter(pk__in=ids).values_list("pk", "email")
    return {pk: email or "" for pk, email in staff}


def halls(scope: Scope) -> list[dict[str, Any]]:
    """Per hall: bookings for days in the range, no-shows, tickets called and the average wait
    in minutes from the ticket's issue to its call. Department scope: bookings and tickets for
    the department's services."""
    # Grouped by the hall's id alone, the names looked up afterwards: joining the names into
    # a scan of a year of tickets doubled its cost.
    bookings = (
        Booking.objects.filter(scope.dates("day"), scope.departments("service__department"))
        .values("hall")
        .annotate(
            bookings=Count("id"),
            no_shows=Count("id", filter=Q(status=BookingStatus.NO_SHOW)),
        )
        .order_by()
    )
    wait = ExpressionWrapper(F("called_at") - F("issued_at"), output_field=DurationField())
    tickets = (
        Ticket.objects.filter(
            scope.dates("day"), scope.departments("service__department"), called_at__isnull=False
        )
        .values("hall")
        .annotate(called=Count("id"), wait=Avg(wait))
        .order_by()
    )
    rows: dict[int, dict[str, Any]] = {}
    for r in bookings:
        rows.setdefault(r["hall"], {"id": r["hall"]}).update(
            bookings=r["bookings"], no_shows=r["no_shows"]
        )
    for r in tickets:
        waited = r["wait"]
        minutes = round(waited.total_seconds() / 60, 1) if waited is not None else None
        rows.setdefault(r["hall"], {"id": r["hall"]}).update(
            called=r["called"], average_wait_minutes=minutes
        )
    names = unit_names("hall", sorted(rows))
    for r in rows.values():
        r["name"] = names.get(r["id"], "")
        r.setdefault("bookings", 0)
        r.setdefault("no_shows", 0)
        r.setdefault("called", 0)
        r.setdefault("average_wait_minutes", None)
        r["no_show_rate"] = share(r["no_shows"], r["bookings"])
    return sorted(rows.values(), key=lambda r: r["name"])


def bundle_use(scope: Scope) -> list[dict[str, Any]]:
    """Per 一件事 bundle: bundle applications submitted in the range (the parent cases), and how
    many were completed."""
    qs = Application.objects.filter(
        service__isnull=True, bundle__isnull=False, submitted_at__isnull=False
    ).filter(scope.moments("submitted_at"))
    if scope.department_ids is not None:
        qs = qs.filter(children__service__department__in=sorted(scope.department_ids))
    rows = (
        qs.values("bundle", "bundle__name")
        .annotate(
            applications=Count("id", distinct=True),
            completed=Count("id", distinct=True, filter=Q(status=ApplicationStatus.COMPLETED)),
        )
        .order_by("bundle__name")
    )
    return [
        {
            "id": r["bundle"],
            "name": r["bundle__name"],
            "applications": r["applications"],
            "completed": r["completed"],
        }
        for r in rows
    ]
