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
from functools import cached_property
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek
from django.utils import timezone

from portal.models import Department, ServiceHall, User
from services import calendar
from services.models import Application, ApplicationEvent, Service
from services.models.applications import ApplicationStatus
from services.models.evaluations import BAD_LEVELS, SATISFIED_LEVELS, Evaluation, Rectification
from services.models.reservations import Booking, BookingStatus, Ticket, Window

UNITS = {"day": TruncDate, "week": TruncWeek, "month": TruncMonth}
SUPPLEMENT_STATUSES = (ApplicationStatus.AWAITING_SUPPLEMENT, ApplicationStatus.REVIEW_SUPPLEMENT)


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
        return moments(field, self.first, self.last)


def moments(field: str, first: dt.date, last: dt.date) -> Q:
    """``field`` on local days ``first``..``last`` (see ``Scope.moments``)."""
    zone = timezone.get_current_timezone()
    begin = dt.datetime.combine(first, dt.time.min, zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, zone)
    return Q(**{f"{field}__gte": begin, f"{field}__lt": end})


class Figures:
    """One page's figures of a scope, each counted at most once however many tables use it."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    @cached_property
    def rating_groups(self) -> list[dict[str, Any]]:
        return rating_groups(self.scope)

    @cached_property
    def case_days(self) -> CaseDays:
        return _scoped_case_days(self.scope)


def share(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to 4 places, or None when there is nothing to divide."""
    return round(part / whole, 4) if whole else None


def _cases(scope: Scope) -> QuerySet[Application]:
    return Application.objects.filter(service__isnull=False).filter(
        scope.departments("service__department")
    )


# --- Case figures per (day, service), kept in the cache ---------------------------------------
# The cases' submitted/accepted/completed timestamps are indexed (migration 0010), so a short
# range (today, the default 30 days) is an index range scan; a year is still a million rows.
# The figures of a past day hardly change, so each day's rows per service are computed in bulk
# once, kept in the cache, and refreshed nightly by services.tasks.refresh_statistics; today's
# after five minutes. Pages say how fresh they are.

CASE_DAY_KEY = "statistics:cases:v1:{day}"
CASE_DAY_SECONDS = 3 * 24 * 3600
TODAY_SECONDS = 300  # today changes: recounted after five minutes
CASE_FIELDS = ("received", "accepted", "completed", "on_time", "supplemented", "wd_n", "wd_sum")


def _day(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _compute_case_days(first: dt.date, last: dt.date) -> dict[dt.date, dict[int, dict[str, Any]]]:
    """Per day and service, the case figures of ``first``..``last`` (four grouped queries)."""
    everything = Scope(first, last)
    days: dict[dt.date, dict[int, dict[str, Any]]] = {}

    def cell(day: Any, service: int) -> dict[str, Any]:
        per_service = days.setdefault(_day(day), {})
        return per_service.setdefault(
            service, {**dict.fromkeys(CASE_FIELDS, 0), "provisional": False}
        )

    for key, field in (("received", "submitted_at"), ("accepted", "accepted_at")):
        rows = (
            _cases(everything)
            .filter(everything.moments(field))
            .annotate(day=TruncDate(field))
            .values("day", "service")
            .annotate(n=Count("id"))
            .order_by()
        )
        for r in rows:
            cell(r["day"], r["service"])[key] = r["n"]
    supplemented = (
        ApplicationEvent.objects.filter(
            to_status__in=SUPPLEMENT_STATUSES,
            application__service__isnull=False,
        )
        .filter(everything.moments("application__submitted_at"))
        .annotate(day=TruncDate("application__submitted_at"))
        .values("day", "application__service")
        .annotate(n=Count("application", distinct=True))
        .order_by()
    )
    for r in supplemented:
        cell(r["day"], r["application__service"])["supplemented"] = r["n"]
    done = (
        _cases(everything)
        .filter(everything.moments("completed_at"))
        .annotate(day=TruncDate("completed_at"), accepted_day=TruncDate("accepted_at"))
        .values("day", "accepted_day", "service")
        .annotate(
            n=Count("id"),
            on_time=Count("id", filter=Q(due_date__isnull=False, due_date__gte=F("day"))),
        )
        .order_by()
    )
    groups = list(done)
    with_dates = [g for g in groups if g["accepted_day"] is not None]
    window = None
    if with_dates:
        low = min(g["accepted_day"] for g in with_dates)
        high = max(max(g["day"] for g in with_dates), low)
        window = calendar.Window(low, high)
    for g in groups:
        c = cell(g["day"], g["service"])
        c["completed"] += g["n"]
        c["on_time"] += g["on_time"]
        if window is not None and g["accepted_day"] is not None and g["day"] >= g["accepted_day"]:
            count = window.between(g["accepted_day"], g["day"])
            c["wd_n"] += g["n"]
            c["wd_sum"] += count.days * g["n"]
            c["provisional"] = c["provisional"] or count.provisional
    return days


def case_days(
    first: dt.date, last: dt.date
) -> tuple[dict[dt.date, dict[int, dict[str, Any]]], Any]:
    """The case figures per day and service of ``first``..``last``: past days from the cache
    (computed in one bulk pass for those missing), today live. Also the oldest computation
    time among the cached days (None if all were counted now)."""
    today = timezone.localdate()
    past_last = min(last, today - dt.timedelta(days=1))
    wanted = [first + dt.timedelta(days=i) for i in range((past_last - first).days + 1)]
    keys = {CASE_DAY_KEY.format(day=d.isoformat()): d for d in wanted}
    cached = cache.get_many(list(keys)) if keys else {}
    days: dict[dt.date, dict[int, dict[str, Any]]] = {}
    oldest = None
    for key, entry in cached.items():
        days[keys[key]] = entry["services"]
        oldest = entry["at"] if oldest is None or entry["at"] < oldest else oldest
    missing = [d for d in wanted if d not in days]
    if missing:
        fresh = _compute_case_days(min(missing), max(missing))
        now = timezone.now()
        cache.set_many(
            {
                CASE_DAY_KEY.format(day=d.isoformat()): {"at": now, "services": fresh.get(d, {})}
                for d in missing
            },
            CASE_DAY_SECONDS,
        )
        for d in missing:
            days[d] = fresh.get(d, {})
    if last >= today >= first:
        key = CASE_DAY_KEY.format(day=today.isoformat())
        entry = cache.get(key)
        if entry is None:
            entry = {
                "at": timezone.now(),
                "services": _compute_case_days(today, today).get(today, {}),
            }
            cache.set(key, entry, TODAY_SECONDS)
        days[today] = entry["services"]
        oldest = entry["at"] if oldest is None or entry["at"] < oldest else oldest
    return days, oldest


def refresh_case_days(days: int = 400, today: dt.date | None = None) -> int:
    """Recount the cached case figures of the past ``days`` days (the nightly task)."""
    today = today or timezone.localdate()
    first, last = today - dt.timedelta(days=days), today - dt.timedelta(days=1)
    fresh = _compute_case_days(first, last)
    now = timezone.now()
    cache.set_many(
        {
            CASE_DAY_KEY.format(day=(first + dt.timedelta(days=i)).isoformat()): {
                "at": now,
                "services": fresh.get(first + dt.timedelta(days=i), {}),
            }
            for i in range(days)
        },
        CASE_DAY_SECONDS,
    )
    return days


def _service_departments() -> dict[int, tuple[int, str, str, str, str]]:
    """service id -> (department id, service code, service name, department code, name)."""
    return {
        r[0]: (r[1], r[2], r[3], r[4], r[5])
        for r in Service.objects.values_list(
            "id", "department_id", "code", "name", "department__code", "department__name"
        )
    }


CaseDays = tuple[
    list[tuple[dt.date, int, dict[str, Any]]], dict[int, tuple[int, str, str, str, str]], Any
]


def _scoped_case_days(scope: Scope) -> CaseDays:
    days, oldest = case_days(scope.first, scope.last)
    services = _service_departments()
    rows = [
        (day, service, figures)
        for day, per_service in days.items()
        for service, figures in per_service.items()
        if scope.department_ids is None
        or (service in services and services[service][0] in scope.department_ids)
    ]
    return rows, services, oldest


def freshness(scope: Scope) -> Any:
    """When the oldest cached day of the scope was counted (None: everything counted now)."""
    return case_days(scope.first, scope.last)[1]


def _period(day: dt.date, unit: str) -> dt.date:
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def applications_over_time(
    scope: Scope, unit: str = "day", days: CaseDays | None = None
) -> list[dict[str, Any]]:
    """Cases received, accepted and completed per day, week or month (``days``: the scope's
    case figures when the caller already has them)."""
    rows, _services, _oldest = days or _scoped_case_days(scope)
    counts: dict[dt.date, dict[str, int]] = {}
    for day, _service, figures in rows:
        if not (figures["received"] or figures["accepted"] or figures["completed"]):
            continue
        period = counts.setdefault(
            _period(day, unit), {"received": 0, "accepted": 0, "completed": 0}
        )
        for key in period:
            period[key] += figures[key]
    return [{"period": period, **counts[period]} for period in sorted(counts)]


def service_performance(scope: Scope, days: CaseDays | None = None) -> list[dict[str, Any]]:
    """Per service: received, completed, completed on time, on-time rate, average working days
    from acceptance to completion, supplement rate of the cases received."""
    rows, services, _oldest = days or _scoped_case_days(scope)
    out: dict[int, dict[str, Any]] = {}
    for _when, service, figures in rows:
        if service not in services:
            continue
        row = out.setdefault(
            service,
            {
                "service_id": service,
                "service": services[service][2],
                "department": services[service][4],
                **dict.fromkeys(CASE_FIELDS, 0),
                "provisional": False,
            },
        )
        for key in CASE_FIELDS:
            row[key] += figures[key]
        row["provisional"] = row["provisional"] or figures["provisional"]
    for r in out.values():
        r["on_time_rate"] = share(r["on_time"], r["completed"])
        r["supplement_rate"] = share(r["supplemented"], r["received"])
        r["average_working_days"] = round(r["wd_sum"] / r["wd_n"], 1) if r["wd_n"] else None
    return sorted(
        (r for r in out.values() if r["received"] or r["completed"]),
        key=lambda r: (r["department"], r["service"]),
    )


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
    case_days_rows, services, _oldest = _scoped_case_days(scope)
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
    for day, service, figures in case_days_rows:
        if not figures["completed"] or service not in services:
            continue
        department, service_code, service_name, department_code, department_name = services[service]
        if which == "departments":
            target = row(department, department_code, department_name, day)
        else:
            target = row(service, service_code, service_name, day)
        target["completed"] += figures["completed"]
        target["on_time"] += figures["on_time"]
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
