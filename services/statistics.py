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
- satisfaction rate: ratings 5, 4 or 3 over all ratings, leaving out those overturned on appeal
  (``excluded``); defaulted ratings (level 4 by default) count and are shown on their own.
- rectified on time: answered on or before the due date.
- waiting time: from a ticket's issue to its call, for tickets called in the range.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
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
from services.models.evaluations import BAD_LEVELS, SATISFIED_LEVELS, Evaluation, Rectification
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


class Figures:
    """One page's figures of a scope, each counted at most once however many tables use it."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    @cached_property
    def rating_groups(self) -> list[dict[str, Any]]:
        return rating_groups(self.scope)

    @cached_property
    def case_rows(self) -> QuerySet[CaseDay]:
        return case_rows(self.scope)


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


RATING_KEYS = ("department", "service", "hall", "window", "staff")


def rating_groups(scope: Scope) -> list[dict[str, Any]]:
    """The ratings in scope counted once per (department, service, hall, window, staff member,
    overturned or not): one scan of the ratings serves every satisfaction table and the totals,
    which add these few hundred rows up by one key (``satisfaction``, ``rating_totals``)."""
    return list(
        Evaluation.objects.filter(scope.dates("created_on"), scope.departments("department"))
        .values(*RATING_KEYS, "excluded")
        .annotate(**RATING_COUNTS)
        .order_by()
    )


def _names(by: str, ids: list[int]) -> dict[int, str]:
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
    return dict(User.objects.filter(pk__in=ids).values_list("pk", "email"))


def satisfaction(
    scope: Scope, by: str = "department", groups: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Satisfaction rate and bad-rating count per department, service, hall, window or staff
    member (ratings without that attribute are left out of that grouping). ``groups``: the
    scope's ``rating_groups`` when the caller already has them."""
    if by not in RATING_KEYS:
        raise KeyError(by)
    counted: dict[int, dict[str, int]] = {}
    for g in rating_groups(scope) if groups is None else groups:
        if g["excluded"] or g[by] is None:
            continue
        row = counted.setdefault(g[by], dict.fromkeys(RATING_COUNTS, 0))
        for key in RATING_COUNTS:
            row[key] += g[key]
    names = _names(by, sorted(counted))
    return [
        {
            "id": pk,
            "name": names.get(pk, ""),
            **row,
            "satisfaction_rate": share(row["satisfied"], row["ratings"]),
        }
        for pk, row in sorted(counted.items())
    ]


def rating_totals(scope: Scope, groups: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """All ratings in scope in one row, plus how many were overturned and left out."""
    row: dict[str, Any] = {"overturned": 0, **dict.fromkeys(RATING_COUNTS, 0)}
    for g in rating_groups(scope) if groups is None else groups:
        if g["excluded"]:
            row["overturned"] += g["ratings"]
            continue
        for key in RATING_COUNTS:
            row[key] += g[key]
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
    names = _names("hall", sorted(rows))
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


# --- Public figures (transparency pages, open data, the public API) -------------------------

PUBLIC_GROUPS = {
    "departments": ("department", "department__code", "department__name"),
    "services": ("service", "service__code", "service__name"),
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
    unit_fields = {
        "departments": (
            "service__department",
            "service__department__code",
            "service__department__name",
        ),
        "services": ("service", "service__code", "service__name"),
    }[which]
    completed = (
        case_rows(scope)
        .filter(completed__gt=0)
        .values(*unit_fields, *(["day"] if daily else []))
        .annotate(completed=Sum("completed"), on_time=Sum("on_time"))
        .order_by()
    )
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}

    def row(unit: int, unit_code: str, unit_name: str, day: dt.date | None) -> dict[str, Any]:
        base: dict[str, Any] = {"date": day.isoformat()} if daily and day else {}
        base.update({"code": unit_code, "name": unit_name, "id": unit})
        base.update(ratings=0, satisfied=0, bad=0, defaulted=0, completed=0, on_time=0)
        return rows.setdefault((day if daily else None, unit), base)

    for r in rated:
        row(r[key], r[code], r[name], r.get("created_on")).update(
            ratings=r["ratings"],
            satisfied=r["satisfied"],
            bad=r["bad"],
            defaulted=r["defaulted"],
        )
    unit, unit_code, unit_name = unit_fields
    for r in completed:
        target = row(r[unit], r[unit_code], r[unit_name], r.get("day"))
        target["completed"] += r["completed"]
        target["on_time"] += r["on_time"]
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
