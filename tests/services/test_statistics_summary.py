"""The per-day case summary behind the dashboard (services.case_days, ADR 0014): a past day is
counted once and kept until the nightly recount, today is recounted after five minutes, and the
page says when the past days were counted."""

import datetime as dt

import pytest
from django.utils import timezone

from services import case_days, statistics
from services.models import Application, CaseDay, CountedDay
from services.statistics import Scope
from tests.factories import UserFactory
from tests.services.factories import ServiceFactory
from tests.services.test_statistics import case

pytestmark = pytest.mark.django_db
MARCH = Scope(dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def received(scope: Scope) -> int:
    return sum(r["received"] for r in statistics.applications_over_time(scope))


def test_a_past_day_is_counted_once_and_recounted_by_the_nightly_task():
    service, who = ServiceFactory(), UserFactory()
    case(service, who, submitted="2026-03-02")
    assert received(MARCH) == 1
    assert CountedDay.objects.filter(day__gte=MARCH.first, day__lte=MARCH.last).count() == 31
    case(service, who, submitted="2026-03-02")  # e.g. imported later
    assert received(MARCH) == 1  # the page reads the summary, not the cases
    case_days.refresh(days=400, today=dt.date(2026, 4, 1))
    assert received(MARCH) == 2
    assert CaseDay.objects.get(day=dt.date(2026, 3, 2), service=service).received == 2


def test_today_is_recounted_once_its_count_is_five_minutes_old():
    service, who = ServiceFactory(), UserFactory()
    day = timezone.localdate()
    today = Scope(day, day)
    submitted = timezone.localtime().replace(hour=0, minute=5)

    def submit() -> None:
        Application.objects.create(
            service=service, applicant=who, status="in_review", submitted_at=submitted
        )

    submit()
    assert received(today) == 1
    submit()
    assert received(today) == 1  # counted a moment ago
    CountedDay.objects.filter(day=day).update(counted_at=timezone.now() - dt.timedelta(minutes=6))
    assert received(today) == 2


def test_the_dashboard_says_when_the_past_days_were_counted():
    case(ServiceFactory(), UserFactory(), submitted="2026-03-02")
    assert statistics.freshness(MARCH) is None  # nothing counted yet
    statistics.applications_over_time(MARCH)
    counted = statistics.freshness(MARCH)
    assert counted is not None and counted <= timezone.now()


def test_counting_the_same_days_again_leaves_one_row_per_day_and_service():
    service, who = ServiceFactory(), UserFactory()
    case(service, who, submitted="2026-03-02", accepted="2026-03-02", completed="2026-03-03")
    case_days.refresh(days=60, today=dt.date(2026, 4, 1))
    case_days.refresh(days=60, today=dt.date(2026, 4, 1))
    rows = CaseDay.objects.filter(service=service).order_by("day")
    assert [(r.day.day, r.received, r.completed) for r in rows] == [(2, 1, 0), (3, 0, 1)]
