"""Rating rules (好差评): once per case, only one's own finished case, five levels with the online
indicators, immutable with one follow-up, satisfied by default after the set working days."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.errors import Conflict, IllegalMove, Invalid, NotFound
from services import rating, workflow
from services.models import Evaluation, Rectification
from services.models.calendar import CalendarDay
from services.models.evaluations import EvaluationChannel, Level, RectificationStatus
from tests.services.cases import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


@pytest.fixture
def done(w):
    return workflow.approve(w.accepted(), by=w.department_admin)


def test_the_applicant_rates_his_completed_case_with_the_online_indicators(w, done):
    evaluation = rating.rate_application(
        done,
        by=w.applicant,
        level=5,
        indicators={"efficiency": 5, "guide_accuracy": 4, "convenience": "3", "platform_ease": 5},
        comment="  很快  ",
        tags=["quick", "quick", "one_visit"],
    )
    evaluation.refresh_from_db()
    assert evaluation.channel == EvaluationChannel.ONLINE
    assert (evaluation.level, evaluation.efficiency, evaluation.guide_accuracy) == (5, 5, 4)
    assert (evaluation.convenience, evaluation.platform_ease) == (3, 5)
    assert evaluation.service_level is None and evaluation.attitude is None
    assert evaluation.comment == "很快"
    assert evaluation.tags == ["quick", "one_visit"]
    assert not evaluation.defaulted and not evaluation.excluded
    # Where the service was given is on the row, for the figures.
    assert evaluation.department_id == w.department.pk
    assert evaluation.service_id == w.service.pk
    assert evaluation.staff_id == w.department_admin.pk
    assert evaluation.rater_id == w.applicant.pk
    assert not Rectification.objects.exists()


def test_a_case_is_rated_once_only(w, done):
    rating.rate_application(done, by=w.applicant, level=4)
    with pytest.raises(Conflict):
        rating.rate_application(done, by=w.applicant, level=1)
    assert list(Evaluation.objects.values_list("level", flat=True)) == [4]
    assert not Rectification.objects.exists()


def test_the_database_refuses_a_second_rating_of_one_case(w, done):
    rating.rate_application(done, by=w.applicant, level=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(application=done, channel="online", level=3)


def test_someone_elses_case_is_not_found(w, done):
    for person in (w.stranger, w.clerk, w.department_admin):
        with pytest.raises(NotFound):
            rating.rate_application(done, by=person, level=5)
    assert not Evaluation.objects.exists()


def test_a_case_not_finished_cannot_be_rated(w):
    for case in (w.submitted(), w.accepted()):
        with pytest.raises(IllegalMove):
            rating.rate_application(case, by=w.applicant, level=5)
    assert not Evaluation.objects.exists()


def test_a_case_refused_at_intake_can_be_rated_and_names_the_clerk(w):
    refused = workflow.refuse(w.submitted(), by=w.clerk, reason="材料不全")
    evaluation = rating.rate_application(refused, by=w.applicant, level=2)
    assert evaluation.staff_id == w.clerk.pk


@pytest.mark.parametrize("level", [0, 6, -1, "x", "", None, 4.5, True])
def test_a_level_outside_one_to_five_is_refused(w, done, level):
    with pytest.raises(Invalid) as refused:
        rating.rate_application(done, by=w.applicant, level=level)
    assert "level" in refused.value.fields
    assert not Evaluation.objects.exists()


def test_indicators_are_checked_too(w, done):
    with pytest.raises(Invalid) as refused:
        rating.rate_application(done, by=w.applicant, level=5, indicators={"efficiency": 9})
    assert "efficiency" in refused.value.fields
    with pytest.raises(Invalid) as refused:
        rating.rate_application(done, by=w.applicant, level=5, indicators={"attitude": 5})
    assert "attitude" in refused.value.fields  # an on-site indicator, not online
    with pytest.raises(Invalid):
        rating.rate_application(done, by=w.applicant, level=5, tags=["nonsense"])
    with pytest.raises(Invalid):
        rating.rate_application(done, by=w.applicant, level=5, comment="长" * 501)
    assert not Evaluation.objects.exists()


def test_a_bad_rating_opens_a_rectification_for_the_department_naming_the_reviewer(
    w, done, settings
):
    settings.RECTIFICATION_DAYS = 10
    evaluation = rating.rate_application(done, by=w.applicant, level=Level.VERY_DISSATISFIED)
    rect = Rectification.objects.get()
    assert rect.evaluation == evaluation
    assert rect.department_id == w.department.pk
    assert rect.staff_id == w.department_admin.pk
    assert rect.status == RectificationStatus.OPEN
    assert rect.due_date > rect.opened_on
    assert list(rect.events.values_list("action", flat=True)) == ["open"]


def test_a_rating_of_two_is_bad_too_but_three_is_not(w):
    first = workflow.approve(w.accepted(), by=w.department_admin)
    second = workflow.approve(w.accepted(), by=w.department_admin)
    rating.rate_application(first, by=w.applicant, level=3)
    rating.rate_application(second, by=w.applicant, level=2)
    assert Rectification.objects.get().evaluation.application == second


def test_one_follow_up_comment_and_the_rating_stays(w, done):
    evaluation = rating.rate_application(done, by=w.applicant, level=4, comment="还行")
    rating.add_follow_up(evaluation, by=w.applicant, text="后来又顺利办了别的事")
    with pytest.raises(Conflict):
        rating.add_follow_up(evaluation, by=w.applicant, text="再说一句")
    with pytest.raises(NotFound):
        rating.add_follow_up(evaluation, by=w.stranger, text="我也说")
    evaluation.refresh_from_db()
    assert (evaluation.level, evaluation.comment) == (4, "还行")
    assert evaluation.follow_up == "后来又顺利办了别的事"


def _workdays(first: dt.date, days: int) -> None:
    """Make ``days`` days from ``first`` all working days (no weekend surprises)."""
    for n in range(days):
        CalendarDay.objects.update_or_create(
            date=first + dt.timedelta(days=n), defaults={"is_workday": True}
        )


def test_unrated_cases_count_as_satisfied_after_the_set_working_days(w, done, settings):
    settings.EVALUATION_DEFAULT_DAYS = 5
    rated = workflow.approve(w.accepted(), by=w.department_admin)
    rating.rate_application(rated, by=w.applicant, level=2)
    finished = timezone.localdate(done.completed_at)
    _workdays(finished, 20)

    assert rating.default_unrated(finished + dt.timedelta(days=4)) == 0
    assert not Evaluation.objects.filter(application=done).exists()

    rating.default_unrated(finished + dt.timedelta(days=5))
    defaulted = Evaluation.objects.get(application=done)
    assert defaulted.defaulted and defaulted.level == Level.SATISFIED
    assert defaulted.department_id == w.department.pk
    # The applicant's own rating is left alone, and a second run changes nothing.
    assert Evaluation.objects.get(application=rated).level == 2
    assert rating.default_unrated(finished + dt.timedelta(days=6)) == 0
    assert Evaluation.objects.count() == 2
    # Once defaulted, the case is rated.
    with pytest.raises(Conflict):
        rating.rate_application(done, by=w.applicant, level=1)


def test_the_default_counts_working_days_not_calendar_days(w, done, settings):
    settings.EVALUATION_DEFAULT_DAYS = 5
    finished = timezone.localdate(done.completed_at)
    _workdays(finished, 20)
    holiday = finished + dt.timedelta(days=2)
    CalendarDay.objects.filter(date=holiday).update(is_workday=False)
    rating.default_unrated(finished + dt.timedelta(days=5))
    assert not Evaluation.objects.exists()
    rating.default_unrated(finished + dt.timedelta(days=6))
    assert Evaluation.objects.get().defaulted


def test_may_rate_only_his_own_finished_unrated_case(w, done):
    assert rating.may_rate(done, w.applicant)
    assert not rating.may_rate(done, w.stranger)
    assert not rating.may_rate(w.accepted(), w.applicant)
    rating.rate_application(done, by=w.applicant, level=5)
    assert not rating.may_rate(done, w.applicant)
