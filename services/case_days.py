"""The case figures per day and service behind the statistics dashboard (ADR 0014), kept in
the ``CaseDay`` summary table: the only code that writes it.

A past day is counted once, when a page first needs it, and recounted every night
(``services.tasks.refresh_statistics``: a case submitted that day may since have been asked for
a supplement); today is recounted when its count is more than five minutes old. Counting locks
the days' ``CountedDay`` rows, so two pages needing the same days count them once.

Counting rules (see ``services.statistics``): received, accepted and completed by the local day
of the timestamp; a bundle's parent case is not counted, its member cases are; on time: completed
on or before the due date; working days from acceptance to completion on the official calendar,
summed per (service, accepted day, completed day) group, so Python walks groups of dates, not
cases.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from services import calendar
from services.models import Application, ApplicationEvent
from services.models.applications import ApplicationStatus
from services.models.statistics import CaseDay, CountedDay

TODAY_SECONDS = 300  # today changes: recounted after five minutes
CASE_FIELDS = ("received", "accepted", "completed", "on_time", "supplemented", "wd_n", "wd_sum")
SUPPLEMENT_STATUSES = (ApplicationStatus.AWAITING_SUPPLEMENT, ApplicationStatus.REVIEW_SUPPLEMENT)


def moments(field: str, first: dt.date, last: dt.date) -> Q:
    """``field`` (a timestamp) on local days ``first``..``last``, as a half-open range so that
    an index on the column serves it (``__date`` would compute every row's date)."""
    zone = timezone.get_current_timezone()
    begin = dt.datetime.combine(first, dt.time.min, zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, zone)
    return Q(**{f"{field}__gte": begin, f"{field}__lt": end})


def _day(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def compute(first: dt.date, last: dt.date) -> dict[dt.date, dict[int, dict[str, Any]]]:
    """Per day and service, the case figures of ``first``..``last`` (four grouped queries)."""
    cases = Application.objects.filter(service__isnull=False)
    days: dict[dt.date, dict[int, dict[str, Any]]] = {}

    def cell(day: Any, service: int) -> dict[str, Any]:
        per_service = days.setdefault(_day(day), {})
        return per_service.setdefault(
            service, {**dict.fromkeys(CASE_FIELDS, 0), "provisional": False}
        )

    for key, field in (("received", "submitted_at"), ("accepted", "accepted_at")):
        rows = (
            cases.filter(moments(field, first, last))
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
        .filter(moments("application__submitted_at", first, last))
        .annotate(day=TruncDate("application__submitted_at"))
        .values("day", "application__service")
        .annotate(n=Count("application", distinct=True))
        .order_by()
    )
    for r in supplemented:
        cell(r["day"], r["application__service"])["supplemented"] = r["n"]
    done = (
        cases.filter(moments("completed_at", first, last))
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


def _stale(day: dt.date, counted_at: Any, today: dt.date, now: dt.datetime) -> bool:
    if counted_at is None:
        return True
    return day >= today and counted_at < now - dt.timedelta(seconds=TODAY_SECONDS)


def _recount(days: list[dt.date], *, force: bool = False) -> int:
    """Count ``days`` into the summary, each under its locked CountedDay row; a day another
    process counted meanwhile is left alone unless ``force`` (the nightly recount)."""
    if not days:
        return 0
    today, now = timezone.localdate(), timezone.now()
    with transaction.atomic():
        CountedDay.objects.bulk_create(
            [CountedDay(day=d, counted_at=None) for d in days], ignore_conflicts=True
        )
        locked = dict(
            CountedDay.objects.select_for_update()
            .filter(day__in=days)
            .values_list("day", "counted_at")
        )
        todo = sorted(d for d in days if force or _stale(d, locked.get(d), today, now))
        if not todo:
            return 0
        fresh = compute(todo[0], todo[-1])
        CaseDay.objects.filter(day__in=todo).delete()
        CaseDay.objects.bulk_create(
            [
                CaseDay(day=d, service_id=service, **figures)
                for d in todo
                for service, figures in fresh.get(d, {}).items()
            ],
            batch_size=2000,
        )
        CountedDay.objects.filter(day__in=todo).update(counted_at=now)
    return len(todo)


def ensure(first: dt.date, last: dt.date) -> None:
    """Make the summary hold ``first``..``last`` (up to today): count the days never counted and
    today if its count is stale."""
    today, now = timezone.localdate(), timezone.now()
    last = min(last, today)
    if first > last:
        return
    counted = dict(
        CountedDay.objects.filter(day__gte=first, day__lte=last).values_list("day", "counted_at")
    )
    wanted = (first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    _recount([d for d in wanted if _stale(d, counted.get(d), today, now)])


def counted_at(first: dt.date, last: dt.date) -> Any:
    """When the oldest counted past day of ``first``..``last`` was counted (None: none)."""
    today = timezone.localdate()
    return (
        CountedDay.objects.filter(day__gte=first, day__lte=min(last, today - dt.timedelta(days=1)))
        .exclude(counted_at=None)
        .order_by("counted_at")
        .values_list("counted_at", flat=True)
        .first()
    )


def refresh(days: int = 400, today: dt.date | None = None) -> int:
    """Recount the past ``days`` days (the nightly task), a month per transaction."""
    today = today or timezone.localdate()
    first = today - dt.timedelta(days=days)
    counted = 0
    while first < today:
        last = min(first + dt.timedelta(days=30), today - dt.timedelta(days=1))
        span = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        counted += _recount(span, force=True)
        first = last + dt.timedelta(days=1)
    return counted
