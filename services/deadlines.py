"""Deadlines of accepted applications: remaining working days, the SLA colours, and new due
dates when the calendar changes. Counted on one calendar window per call, not per case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from services import calendar
from services.models.applications import (
    CLOCK_STATUSES,
    Application,
    SlaLevel,
)


@dataclass(frozen=True)
class Remaining:
    days: int
    provisional: bool
    paused: bool

    @property
    def overdue_days(self) -> int:
        """Working days past the due date (0 while it is not past)."""
        return max(-self.days, 0)

    @property
    def level(self) -> str:
        if self.days < 0:
            return SlaLevel.OVERDUE
        return SlaLevel.DUE_SOON if self.days <= 1 else SlaLevel.ON_TIME


def due_date(application: Application) -> calendar.Deadline:
    """The promised limit counted from acceptance, plus the working days spent in supplement."""
    assert application.accepted_at is not None and application.service is not None
    start = timezone.localdate(application.accepted_at)
    return calendar.add_working_days(
        start, application.service.promised_limit_days + application.paused_days
    )


def remaining(
    applications: Sequence[Application], today: dt.date | None = None
) -> dict[int, Remaining]:
    """Working days left for each case whose clock runs or is paused (one query in all)."""
    today = today or timezone.localdate()
    clocked = [a for a in applications if a.status in CLOCK_STATUSES and a.due_date]
    if not clocked:
        return {}
    dates = [today] + [a.due_date for a in clocked] + [a.paused_on for a in clocked if a.paused_on]
    window = calendar.Window(min(d for d in dates if d), max(d for d in dates if d))
    answer = {}
    for app in clocked:
        assert app.due_date is not None
        counted = window.between(app.paused_on or today, app.due_date)
        answer[app.pk] = Remaining(
            counted.days, counted.provisional or app.due_provisional, app.paused_on is not None
        )
    return answer


def refresh_sla(today: dt.date | None = None, batch: int = 2000) -> list[tuple[int, str]]:
    """Colour every open case by its remaining days; returns (id, new level) of cases whose
    colour got worse, for the notifications. A paused clock keeps its colour."""
    worse: list[tuple[int, str]] = []
    order: list[str] = [SlaLevel.ON_TIME, SlaLevel.DUE_SOON, SlaLevel.OVERDUE]
    open_cases = Application.objects.filter(status__in=CLOCK_STATUSES, due_date__isnull=False)
    last_pk = 0
    while True:
        chunk = list(open_cases.filter(pk__gt=last_pk).order_by("pk")[:batch])
        if not chunk:
            return worse
        last_pk = chunk[-1].pk
        changed = []
        for app_id, left in remaining(chunk, today).items():
            app = next(a for a in chunk if a.pk == app_id)
            if left.paused or app.sla == left.level:
                continue
            if order.index(left.level) > order.index(app.sla):
                worse.append((app.pk, left.level))
            app.sla = left.level
            changed.append(app)
        Application.objects.bulk_update(changed, ["sla"])


@transaction.atomic
def recompute(applications: Iterable[Application]) -> int:
    """New due dates after the calendar changed (a year loaded, a day edited)."""
    changed = []
    for app in applications:
        if app.accepted_at is None or app.service is None:
            continue
        deadline = due_date(app)
        if (app.due_date, app.due_provisional) != (deadline.due, deadline.provisional):
            app.due_date, app.due_provisional = deadline.due, deadline.provisional
            changed.append(app)
    Application.objects.bulk_update(changed, ["due_date", "due_provisional"])
    return len(changed)


def recompute_open(batch: int = 500) -> int:
    """Every open case's due date, e.g. once next year's calendar is loaded; a chunk at a time
    with its rows locked, so a resubmission in between is not overwritten with a stale date."""
    changed, last_pk = 0, 0
    while True:
        with transaction.atomic():
            chunk = list(
                Application.objects.select_for_update(of=("self",))
                .select_related("service")
                .filter(status__in=CLOCK_STATUSES, pk__gt=last_pk)
                .order_by("pk")[:batch]
            )
            if not chunk:
                return changed
            last_pk = chunk[-1].pk
            changed += recompute(chunk)
