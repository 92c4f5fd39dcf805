"""Working days and deadlines on the official calendar (承诺时限 in 工作日).

Rule: day 1 is the first working day after the start date; weekends are off except make-up
workdays (调休), official holidays are off. The calendar lives in ``CalendarDay`` rows. A day
without a row (a year the State Council has not published yet, or nobody loaded) counts by the
weekday alone, and every answer that rested on such a day says so: it is *provisional*.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.models import CalendarDay
from services.models.calendar import CalendarSource

# The longest run of rest days on the official calendar is 9 (Spring Festival); a window of
# twice the working days plus a margin reaches the answer in one query almost always.
_MARGIN_DAYS = 31
MAX_DAYS = 1000  # statutory limits are counted in tens of working days, never thousands

HOLIDAY_NAMES = {
    "New Year's Day": _("New Year's Day"),
    "Spring Festival": _("Spring Festival"),
    "Tomb-sweeping Day": _("Tomb-sweeping Day"),
    "Labour Day": _("Labour Day"),
    "Dragon Boat Festival": _("Dragon Boat Festival"),
    "National Day": _("National Day"),
    "Mid-autumn Festival": _("Mid-autumn Festival"),
    "Anti-Fascist 70th Day": _("Anti-Fascist 70th Day"),
}


@dataclass(frozen=True)
class Deadline:
    due: dt.date
    provisional: bool


@dataclass(frozen=True)
class WorkingDayCount:
    days: int
    provisional: bool


def _by_weekday(day: dt.date) -> bool:
    return day.weekday() < 5


def _known_days(first: dt.date, last: dt.date) -> dict[dt.date, bool]:
    rows = CalendarDay.objects.filter(date__gte=first, date__lte=last)
    return dict(rows.values_list("date", "is_workday"))


def add_working_days(start: dt.date, days: int) -> Deadline:
    """The date of the ``days``-th working day after ``start`` (``start`` itself for 0)."""
    if not 0 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 0 and {MAX_DAYS}")
    counted, day, provisional = 0, start, False
    while counted < days:
        window_end = day + dt.timedelta(days=2 * (days - counted) + _MARGIN_DAYS)
        known = _known_days(day + dt.timedelta(days=1), window_end)
        while counted < days and day < window_end:
            day += dt.timedelta(days=1)
            workday = known.get(day)
            if workday is None:
                provisional = True
                workday = _by_weekday(day)
            counted += workday
    return Deadline(due=day, provisional=provisional)


def working_days_between(start: dt.date, end: dt.date) -> WorkingDayCount:
    """How many working days lie after ``start`` up to and including ``end`` (negative if
    ``end`` is before ``start``): the days left to a deadline, or the days a pause lasted."""
    first, last = min(start, end), max(start, end)
    return Window(first, last).between(start, end)


class Window:
    """The calendar between two dates, read in one query, for counting many deadlines at once
    (lists, the SLA sweep) without a query per case."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.first, self.last = first, last
        self.known = _known_days(first + dt.timedelta(days=1), last)

    def between(self, start: dt.date, end: dt.date) -> WorkingDayCount:
        if end < start:
            earlier = self.between(end, start)
            return WorkingDayCount(-earlier.days, earlier.provisional)
        if start < self.first or end > self.last:
            raise ValueError("dates outside the window")
        count, provisional, day = 0, False, start
        while day < end:
            day += dt.timedelta(days=1)
            workday = self.known.get(day)
            if workday is None:
                provisional = True
                workday = _by_weekday(day)
            count += workday
        return WorkingDayCount(count, provisional)


def is_workday(day: dt.date) -> bool:
    known = _known_days(day, day)
    return known.get(day, _by_weekday(day))


def loaded_years(years: Iterable[int]) -> set[int]:
    """Those of ``years`` whose every day has a row."""
    years = list(years)
    counts = (
        CalendarDay.objects.annotate(year=ExtractYear("date"))
        .filter(year__in=years)
        .values("year")
        .annotate(n=Count("date"))
        .values_list("year", "n")
    )
    return {year for year, n in counts if n == (366 if _stdlib_calendar.isleap(year) else 365)}


def missing_next_year(today: dt.date) -> int | None:
    """Next year, from 1 November on, while its calendar is not loaded; else None."""
    if today.month < 11:
        return None
    following = today.year + 1
    return None if loaded_years([following]) else following


def official_schedule(year: int) -> list[tuple[dt.date, bool, str]]:
    """The year's days from the chinesecalendar package: (date, working day, holiday name).

    Raises ``LookupError`` for a year the package does not cover yet.
    """
    import chinese_calendar

    day = dt.date(year, 1, 1)
    days = []
    try:
        while day.year == year:
            is_holiday, name = chinese_calendar.get_holiday_detail(day)
            days.append((day, not is_holiday, name or ""))
            day += dt.timedelta(days=1)
    except NotImplementedError as exc:
        raise LookupError(str(exc)) from exc
    return days


def load_official_year(year: int, *, replace_edits: bool = False) -> int:
    """Write the State Council schedule of ``year`` into the calendar; returns rows written.

    Days an administrator edited are kept unless ``replace_edits``.
    """
    schedule = official_schedule(year)
    with transaction.atomic():
        existing = CalendarDay.objects.filter(date__year=year)
        if not replace_edits:
            existing = existing.exclude(source=CalendarSource.ADMINISTRATOR)
        kept = set(
            CalendarDay.objects.filter(date__year=year).values_list("date", flat=True)
        ) - set(existing.values_list("date", flat=True))
        existing.delete()
        rows = [
            CalendarDay(
                date=day, is_workday=workday, name=name, source=CalendarSource.CHINESECALENDAR
            )
            for day, workday, name in schedule
            if day not in kept
        ]
        CalendarDay.objects.bulk_create(rows)
    return len(rows)


def official_years() -> list[int]:
    """The years the chinesecalendar package covers."""
    from chinese_calendar.constants import holidays

    return sorted({day.year for day in holidays})


def missing_year_message(year: int) -> str:
    return str(
        _(
            "The working-day calendar for %(year)s is not loaded: deadlines reaching into it are "
            "counted on weekdays only and marked provisional. Load the State Council schedule "
            "(manage.py calendar load --year %(year)s) or enter the holidays in the admin."
        )
        % {"year": year}
    )


def health_warnings() -> list[str]:
    """For /healthz: next year's calendar missing from 1 November on."""
    missing = missing_next_year(timezone.localdate())
    return [f"calendar: {missing} not loaded"] if missing else []
