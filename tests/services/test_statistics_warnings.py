"""Early warnings (ADR 0014): a clear rise of the bad-rating share over the last week against
the four weeks before is listed and sent once a day to the department administrator."""

import datetime as dt

import pytest

from portal import roles
from portal.models import Notification, StaffAssignment, StaffRole
from services import warnings
from services.models import Application
from services.models.evaluations import Evaluation
from tests.factories import UserFactory
from tests.services.factories import ServiceFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 31)


def ratings(service, levels, day):
    who = UserFactory()
    for level in levels:
        Evaluation.objects.create(
            application=Application.objects.create(
                service=service, applicant=who, status="completed"
            ),
            channel="online",
            level=level,
            created_on=day,
            department=service.department,
            service=service,
        )


@pytest.fixture
def service():
    return ServiceFactory()


def test_a_clear_rise_of_bad_ratings_is_a_warning(service):
    ratings(service, [5, 5, 5, 5, 5, 5, 5, 5, 5, 2], TODAY - dt.timedelta(days=20))  # 10%
    ratings(service, [5, 5, 5, 2, 1], TODAY - dt.timedelta(days=2))  # 40%
    [found] = warnings.current(None, TODAY)
    assert (found.kind, found.subject_id, found.before, found.now) == (
        "bad_share",
        service.pk,
        0.1,
        0.4,
    )
    assert warnings.current(frozenset({service.department_id + 1}), TODAY) == []


def test_a_small_rise_or_too_few_ratings_is_not(service):
    ratings(service, [5, 5, 5, 5, 5, 5, 5, 5, 5, 2], TODAY - dt.timedelta(days=20))  # 10%
    ratings(service, [5, 5, 5, 5, 2], TODAY - dt.timedelta(days=2))  # 20%: only 10 points up
    ratings(ServiceFactory(department=service.department), [1, 1, 1, 1], TODAY)  # 4 ratings
    assert [w.kind for w in warnings.current(None, TODAY)] == ["bad_share"]
    Evaluation.objects.filter(level=2, created_on=TODAY - dt.timedelta(days=2)).update(level=5)
    assert warnings.current(None, TODAY) == []


def test_the_department_administrator_is_told_once_a_day(service):
    head = UserFactory()
    roles.grant(
        StaffAssignment(user=head, role=StaffRole.DEPARTMENT_ADMIN, department=service.department),
        by=None,
    )
    other = UserFactory()
    roles.grant(
        StaffAssignment(
            user=other, role=StaffRole.DEPARTMENT_ADMIN, department=ServiceFactory().department
        ),
        by=None,
    )
    ratings(service, [1, 1, 2, 5, 5], TODAY)
    assert warnings.send_daily(TODAY) == 1
    assert warnings.send_daily(TODAY) == 0
    note = Notification.objects.get(user=head)
    assert service.name in note.rendered_body()
    assert not Notification.objects.filter(user=other).exists()


def test_a_clear_rise_of_cases_completed_late_is_a_warning(service):
    who = UserFactory()

    def done(day, late):
        at = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
        due = day - dt.timedelta(days=1) if late else day
        Application.objects.create(
            service=service, applicant=who, status="completed", completed_at=at, due_date=due
        )

    for _ in range(10):
        done(TODAY - dt.timedelta(days=15), late=False)
    for late in (True, True, False, False, False):
        done(TODAY - dt.timedelta(days=1), late=late)
    [found] = warnings.current(None, TODAY)
    assert (found.kind, found.subject_id, found.before, found.now) == (
        "overdue_share",
        service.pk,
        0.0,
        0.4,
    )
