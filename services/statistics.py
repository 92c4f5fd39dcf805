"""The statistics dashboard's figures (issue 13, ADR 0014): read-only aggregates computed in the
database with GROUP BY, date truncation and conditional counts, never a Python loop over rows.

Every figure takes a ``Scope``: a date range (both ends included, local dates) and the
departments the reader may see (``None``: all, for system administrators). Counting rules:

- received: cases submitted in the range; accepted: accepted in the range; completed: completed
  in the range (a bundle's parent case is not counted, its member cases are).
- on time: a completed case whose completion date is on or before its due date.
- working days to complete: working days after acceptance up to completion, on the official
  calendar (services.calendar); summed per (service, accepted day, completed day) group, so the
  Python side walks groups of dates, not cases.
- supplement rate: received cases that were asked for a supplement at intake or in review.
- satisfaction rate: ratings 5, 4 or 3 over all ratings, leaving out those overturned on appeal
  (``excluded``); defaulted ratings (level 4 by default) count and are shown on their own.
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
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek

from services import calendar
from services.models import Application, ApplicationEvent
from services.models.applications import ApplicationStatus
from services.models.evaluations import BAD_LEVELS, SATISFIED_LEVELS, Evaluation, Rectification
from services.models.reservations import Booking, BookingStatus, Ticket

UNITS = {"day": TruncDate, "week": TruncWeek, "month": TruncMonth}
SUPPLEMENT_STATUSES = (ApplicationStatus.AWAITING_SUPPLEMENT, ApplicationStatus.REVIEW_SUPPLEMENT)
# What a satisfaction figure can be grouped by: the key, the rating's column, the name's path.
RATING_GROUPS = {
    "department": ("department", "department__name"),
    "service": ("service", "service__name"),
    "hall": ("hall", "hall__name"),
    "window": ("window", "window__number"),
    "staff": ("staff", "staff__email"),
}


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


def share(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to 4 places, or None when there is nothing to divide."""
    return round(part / whole, 4) if whole else None


def _cases(scope: Scope) -> QuerySet[Application]:
    return Application.objects.filter(service__isnull=False).filter(
        scope.departments("service__department")
    )


def applications_over_time(scope: Scope, unit: str = "day") -> list[dict[str, Any]]:
    """Cases received, accepted and completed per day, week or month (three GROUP BYs)."""
    trunc = UNITS[unit]
    counts: dict[dt.date, dict[str, int]] = {}
    for key, field in (
        ("received", "submitted_at"),
        ("accepted", "accepted_at"),
        ("completed", "completed_at"),
    ):
        rows = (
            _cases(scope)
            .filter(scope.dates(f"{field}__date"))
            .annotate(period=trunc(field))
            .values("period")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            period = row["period"]
            if isinstance(period, dt.datetime):
                period = period.date()
            counts.setdefault(period, {"received": 0, "accepted": 0, "completed": 0})[key] = row[
                "n"
            ]
    return [{"period": period, **counts[period]} for period in sorted(counts)]


def _working_days(groups: list[dict[str, Any]]) -> dict[int, tuple[int, int, bool]]:
    """Per service: (cases, working days summed, provisional) from (service, accepted day,
    completed day, n) groups; one calendar query for all of them."""
    if not groups:
        return {}
    first = min(g["accepted_day"] for g in groups)
    last = max(g["completed_day"] for g in groups)
    window = calendar.Window(first, max(first, last))
    out: dict[int, tuple[int, int, bool]] = {}
    for g in groups:
        if g["completed_day"] < g["accepted_day"]:
            continue
        count = window.between(g["accepted_day"], g["completed_day"])
        n, total, provisional = out.get(g["service"], (0, 0, False))
        out[g["service"]] = (
            n + g["n"],
            total + count.days * g["n"],
            provisional or count.provisional,
        )
    return out


def service_performance(scope: Scope) -> list[dict[str, Any]]:
    """Per service: received, completed, completed on time, on-time rate, average working days
    from acceptance to completion, supplement rate of the cases received."""
    supplemented = ApplicationEvent.objects.filter(
        application=OuterRef("pk"), to_status__in=SUPPLEMENT_STATUSES
    )
    received = (
        _cases(scope)
        .filter(scope.dates("submitted_at__date"))
        .values("service", "service__name", "service__department__name")
        .annotate(received=Count("id"), supplemented=Count("id", filter=Q(Exists(supplemented))))
        .order_by()
    )
    # The on-time filter compares the completion day: annotate it before grouping.
    completed = (
        _cases(scope)
        .filter(scope.dates("completed_at__date"))
        .annotate(completed_day=TruncDate("completed_at"))
        .values("service", "service__name", "service__department__name")
        .annotate(
            completed=Count("id"),
            on_time=Count("id", filter=Q(due_date__isnull=False, due_date__gte=F("completed_day"))),
        )
        .order_by()
    )
    durations = (
        _cases(scope)
        .filter(scope.dates("completed_at__date"), accepted_at__isnull=False)
        .annotate(accepted_day=TruncDate("accepted_at"), completed_day=TruncDate("completed_at"))
        .values("service", "accepted_day", "completed_day")
        .annotate(n=Count("id"))
        .order_by()
    )
    days = _working_days(list(durations))
    rows: dict[int, dict[str, Any]] = {}

    def row(r: dict[str, Any]) -> dict[str, Any]:
        return rows.setdefault(
            r["service"],
            {
                "service_id": r["service"],
                "service": r["service__name"],
                "department": r["service__department__name"],
                "received": 0,
                "supplemented": 0,
                "completed": 0,
                "on_time": 0,
            },
        )

    for r in received:
        row(r).update(received=r["received"], supplemented=r["supplemented"])
    for r in completed:
        row(r).update(completed=r["completed"], on_time=r["on_time"])
    for r in rows.values():
        n, total, provisional = days.get(r["service_id"], (0, 0, False))
        r["on_time_rate"] = share(r["on_time"], r["completed"])
        r["supplement_rate"] = share(r["supplemented"], r["received"])
        r["average_working_days"] = round(total / n, 1) if n else None
        r["provisional"] = provisional
    return sorted(rows.values(), key=lambda r: (r["department"], r["service"]))


def totals(rows: Iterable[dict[str, Any]], keys: Iterable[str]) -> dict[str, int]:
    """Column sums of a table's rows (the table's last line)."""
    rows = list(rows)
    return {key: sum(r.get(key) or 0 for r in rows) for key in keys}


def ratings(scope: Scope) -> QuerySet[Evaluation]:
    """The ratings in scope that count (those overturned on appeal do not)."""
    return Evaluation.objects.filter(
        scope.dates("created_on"), scope.departments("department"), excluded=False
    )


RATING_COUNTS = {
    "ratings": Count("id"),
    "satisfied": Count("id", filter=Q(level__in=sorted(SATISFIED_LEVELS))),
    "bad": Count("id", filter=Q(level__in=sorted(BAD_LEVELS))),
    "defaulted": Count("id", filter=Q(defaulted=True)),
}


def satisfaction(scope: Scope, by: str = "department") -> list[dict[str, Any]]:
    """Satisfaction rate and bad-rating count per department, service, hall, window or staff
    member (ratings without that attribute are left out of that grouping)."""
    key, name = RATING_GROUPS[by]
    fields = [key, name] + (["window__hall__name"] if by == "window" else [])
    rows = (
        ratings(scope)
        .filter(**{f"{key}__isnull": False})
        .values(*fields)
        .annotate(**RATING_COUNTS)
        .order_by(*fields)
    )
    out = []
    for r in rows:
        label = r[name]
        if by == "window":
            label = f"{r['window__hall__name']} {label}"
        out.append(
            {
                "id": r[key],
                "name": label,
                "ratings": r["ratings"],
                "satisfied": r["satisfied"],
                "bad": r["bad"],
                "defaulted": r["defaulted"],
                "satisfaction_rate": share(r["satisfied"], r["ratings"]),
            }
        )
    return out


def rating_totals(scope: Scope) -> dict[str, Any]:
    """All ratings in scope in one row, plus how many were overturned and left out."""
    counted = Q(excluded=False)
    row = Evaluation.objects.filter(
        scope.dates("created_on"), scope.departments("department")
    ).aggregate(
        overturned=Count("id", filter=Q(excluded=True)),
        ratings=Count("id", filter=counted),
        satisfied=Count("id", filter=counted & Q(level__in=sorted(SATISFIED_LEVELS))),
        bad=Count("id", filter=counted & Q(level__in=sorted(BAD_LEVELS))),
        defaulted=Count("id", filter=counted & Q(defaulted=True)),
    )
    row["satisfaction_rate"] = share(row["satisfied"], row["ratings"])
    return row


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


def halls(scope: Scope) -> list[dict[str, Any]]:
    """Per hall: bookings for days in the range, no-shows, tickets called and the average wait
    in minutes from the ticket's issue to its call. Department scope: bookings and tickets for
    the department's services."""
    bookings = (
        Booking.objects.filter(scope.dates("day"), scope.departments("service__department"))
        .values("hall", "hall__name")
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
        .values("hall", "hall__name")
        .annotate(called=Count("id"), wait=Avg(wait))
        .order_by()
    )
    rows: dict[int, dict[str, Any]] = {}
    for r in bookings:
        rows.setdefault(r["hall"], {"id": r["hall"], "name": r["hall__name"]}).update(
            bookings=r["bookings"], no_shows=r["no_shows"]
        )
    for r in tickets:
        waited = r["wait"]
        minutes = round(waited.total_seconds() / 60, 1) if waited is not None else None
        rows.setdefault(r["hall"], {"id": r["hall"], "name": r["hall__name"]}).update(
            called=r["called"], average_wait_minutes=minutes
        )
    for r in rows.values():
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
    ).filter(scope.dates("submitted_at__date"))
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


# --- Public figures (transparency pages, open data, the public API) -------------------------

PUBLIC_GROUPS = {
    "departments": ("department", "department__code", "department__name"),
    "services": ("service", "service__code", "service__name"),
}
CASE_GROUPS = {
    "departments": ("service__department", "service__department__code"),
    "services": ("service", "service__code"),
}


def public_figures(which: str, scope: Scope, *, daily: bool = False) -> list[dict[str, Any]]:
    """Per department or service (and per day if ``daily``): ratings, satisfied, bad,
    defaulted, satisfaction rate, cases completed and completed on time. No personal data and
    no free text: counts and the unit's public code and name only."""
    key, code, name = PUBLIC_GROUPS[which]
    rating_fields = [key, code, name] + (["created_on"] if daily else [])
    rated = (
        ratings(scope)
        .filter(**{f"{key}__isnull": False})
        .values(*rating_fields)
        .annotate(**RATING_COUNTS)
        .order_by()
    )
    case_key, case_code = CASE_GROUPS[which]
    done = (
        _cases(scope)
        .filter(scope.dates("completed_at__date"))
        .annotate(day=TruncDate("completed_at"))
    )
    case_fields = [case_key, case_code, f"{case_code[: -len('code')]}name"] + (
        ["day"] if daily else []
    )
    completed = (
        done.values(*case_fields)
        .annotate(
            completed=Count("id"),
            on_time=Count("id", filter=Q(due_date__isnull=False, due_date__gte=F("day"))),
        )
        .order_by()
    )
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}

    def row(unit: int, unit_code: str, unit_name: str, day: dt.date | None) -> dict[str, Any]:
        base: dict[str, Any] = {"date": day.isoformat()} if daily and day else {}
        base.update({"code": unit_code, "name": unit_name, "id": unit})
        base.update(ratings=0, satisfied=0, bad=0, defaulted=0, completed=0, on_time=0)
        return rows.setdefault((day, unit), base)

    for r in rated:
        row(r[key], r[code], r[name], r.get("created_on")).update(
            ratings=r["ratings"],
            satisfied=r["satisfied"],
            bad=r["bad"],
            defaulted=r["defaulted"],
        )
    for r in completed:
        day = r.get("day")
        if isinstance(day, dt.datetime):
            day = day.date()
        row(r[case_key], r[case_code], r[case_fields[2]], day).update(
            completed=r["completed"], on_time=r["on_time"]
        )
    for r in rows.values():
        r["satisfaction_rate"] = share(r["satisfied"], r["ratings"])
        r["on_time_rate"] = share(r["on_time"], r["completed"])
    return sorted(rows.values(), key=lambda r: (r.get("date", ""), r["code"]))


def answered_bad_ratings(scope: Scope, *, service_id: int | None = None, limit: int = 10) -> Any:
    """The latest answered bad ratings, for the public pages: dates, level, service, the
    classification and whether the answer was on time and accepted; never the rater, the
    comment or the answer's text (ADR 0014)."""
    qs = Rectification.objects.filter(
        scope.departments("department"),
        answered_at__isnull=False,
        evaluation__excluded=False,
    )
    if service_id is not None:
        qs = qs.filter(evaluation__service_id=service_id)
    return (
        qs.annotate(answered_day=TruncDate("answered_at"))
        .values(
            "evaluation__created_on",
            "evaluation__level",
            "evaluation__service__name",
            "evaluation__channel",
            "classification",
            "answered_day",
            "due_date",
            "applicant_satisfied",
        )
        .order_by("-answered_at", "-id")[:limit]
    )
