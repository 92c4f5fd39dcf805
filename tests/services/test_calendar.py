"""Working-day deadlines on the official calendar, checked against the published schedules.

The expected dates below were counted by hand from the State Council's notices for 2025 and
2026 (国办发明电), not from the library the calendar is seeded with.
"""

import datetime as dt

import pytest

from services import calendar
from services.models import CalendarDay
from services.models.calendar import CalendarSource

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Spring Festival 2026: off 15-23 Feb; Saturday 14 Feb and Saturday 28 Feb are worked.
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 13), 2, D(2026, 2, 24)),
        (D(2026, 2, 13), 5, D(2026, 2, 27)),
        (D(2026, 2, 13), 6, D(2026, 2, 28)),
        (D(2026, 2, 14), 1, D(2026, 2, 24)),
        (D(2026, 2, 20), 7, D(2026, 3, 3)),
        # May Day 2026: off 1-5 May; Saturday 9 May is worked.
        (D(2026, 4, 30), 1, D(2026, 5, 6)),
        (D(2026, 4, 30), 3, D(2026, 5, 8)),
        (D(2026, 4, 30), 4, D(2026, 5, 9)),
        (D(2026, 4, 30), 5, D(2026, 5, 11)),
        # National Day and Mid-Autumn 2026: off 25-27 Sep and 1-7 Oct; Sunday 20 Sep and
        # Saturday 10 Oct are worked.
        (D(2026, 9, 18), 1, D(2026, 9, 20)),
        (D(2026, 9, 24), 1, D(2026, 9, 28)),
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),
        (D(2026, 9, 30), 10, D(2026, 10, 20)),
        # National Day 2025: off 1-8 Oct; Sunday 28 Sep and Saturday 11 Oct are worked.
        (D(2025, 9, 26), 1, D(2025, 9, 28)),
        (D(2025, 9, 30), 1, D(2025, 10, 9)),
        (D(2025, 9, 30), 3, D(2025, 10, 11)),
        # An ordinary weekend, and zero days.
        (D(2026, 3, 6), 1, D(2026, 3, 9)),
        (D(2026, 3, 6), 0, D(2026, 3, 6)),
        # Twenty working days across two holidays: Qingming (4-6 Apr) and May Day.
        (D(2026, 4, 3), 20, D(2026, 5, 7)),
    ],
)
def test_due_date_counts_only_working_days_of_the_official_calendar(start, days, due):
    deadline = calendar.add_working_days(start, days)
    assert deadline == calendar.Deadline(due=due, provisional=False)


def test_a_year_without_a_schedule_counts_weekdays_and_says_so():
    # 2027's schedule is not in the calendar: New Year's Day counts as a Friday like any other.
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    deadline = calendar.add_working_days(D(2026, 12, 30), 2)
    assert deadline == calendar.Deadline(due=D(2027, 1, 1), provisional=True)
    # A deadline that stays inside the published year is exact.
    assert calendar.add_working_days(D(2026, 12, 28), 2).provisional is False


def test_a_deadline_becomes_exact_once_the_year_is_entered():
    CalendarDay.objects.bulk_create(
        CalendarDay(date=D(2027, 1, 1) + dt.timedelta(days=n), is_workday=(n >= 3 and n % 7 < 5))
        for n in range(40)
    )
    # 1-3 Jan off (Fri-Sun); Mon 4 Jan is the first working day of 2027 in this schedule.
    assert calendar.add_working_days(D(2026, 12, 30), 2) == calendar.Deadline(
        due=D(2027, 1, 4), provisional=False
    )


def test_an_administrators_edit_moves_the_deadline():
    CalendarDay.objects.filter(date=D(2026, 3, 9)).update(
        is_workday=False, name="Typhoon", source=CalendarSource.ADMINISTRATOR
    )
    assert calendar.add_working_days(D(2026, 3, 6), 1).due == D(2026, 3, 10)
    assert calendar.is_workday(D(2026, 3, 9)) is False


def test_working_days_between_counts_the_days_after_the_start():
    # 13 Feb (Fri) to 24 Feb 2026: the make-up Saturday 14 Feb and Tuesday 24 Feb.
    assert calendar.working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == (
        calendar.WorkingDayCount(2, False)
    )
    assert calendar.working_days_between(D(2026, 2, 24), D(2026, 2, 13)).days == -2
    assert calendar.working_days_between(D(2026, 3, 9), D(2026, 3, 9)).days == 0
    assert calendar.working_days_between(D(2026, 12, 31), D(2027, 1, 5)).provisional is True


def test_day_counts_beyond_the_limit_are_refused():
    with pytest.raises(ValueError):
        calendar.add_working_days(D(2026, 1, 5), calendar.MAX_DAYS + 1)
    with pytest.raises(ValueError):
        calendar.add_working_days(D(2026, 1, 5), -1)


def test_from_1_november_a_missing_next_year_is_reported():
    assert calendar.missing_next_year(D(2026, 10, 31)) is None
    assert calendar.missing_next_year(D(2026, 11, 1)) == 2027
    assert calendar.missing_next_year(D(2025, 11, 1)) is None  # 2026 is loaded
    CalendarDay.objects.bulk_create(
        CalendarDay(date=D(2027, 1, 1) + dt.timedelta(days=n), is_workday=True) for n in range(364)
    )
    assert calendar.missing_next_year(D(2026, 12, 6)) == 2027  # one day still missing
    CalendarDay.objects.create(date=D(2027, 12, 31), is_workday=True)
    assert calendar.missing_next_year(D(2026, 12, 6)) is None


def test_loading_the_official_year_again_keeps_administrators_edits():
    CalendarDay.objects.filter(date=D(2026, 3, 9)).update(
        is_workday=False, source=CalendarSource.ADMINISTRATOR
    )
    CalendarDay.objects.filter(date=D(2026, 3, 10)).delete()
    written = calendar.load_official_year(2026)
    assert written == 364
    assert CalendarDay.objects.get(date=D(2026, 3, 9)).is_workday is False
    assert CalendarDay.objects.get(date=D(2026, 3, 10)).is_workday is True
    calendar.load_official_year(2026, replace_edits=True)
    assert CalendarDay.objects.get(date=D(2026, 3, 9)).is_workday is True


def test_a_year_the_package_does_not_know_is_a_lookup_error():
    with pytest.raises(LookupError):
        calendar.official_schedule(max(calendar.official_years()) + 1)
