"""Routing in batches: one transaction routes a case and the others waiting with it, each to
the least busy reviewer of its queue, counting the cases given earlier in the batch."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from portal.models import StaffRole
from services import routing, tasks
from services.models import Application, ApplicationEvent
from services.models.applications import ApplicationStatus
from tests.services.cases import World, staff, world
from tests.services.factories import ReviewStepFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def waiting(w: World, count: int, *, service=None, step=None, ago=dt.timedelta(0)) -> list[int]:
    """``count`` cases as acceptance leaves them for routing (in review, not routed)."""
    began = timezone.now() - ago
    rows = Application.objects.bulk_create(
        Application(
            service=service or w.service,
            applicant=w.applicant,
            hall=w.hall,
            status=ApplicationStatus.IN_REVIEW,
            answers={"applicant_name": "张小明"},
            submitted_at=began,
            accepted_at=began,
            review_step=step or w.step,
            step_started_at=began,
        )
        for _ in range(count)
    )
    return [row.pk for row in rows]


def open_cases(*reviewers) -> list[int]:
    counts = Counter(
        Application.objects.filter(status__in=routing.OPEN_REVIEW).values_list(
            "assigned_to", flat=True
        )
    )
    return [counts[r.pk] for r in reviewers]


def route_events(cases: list[int]) -> Counter[int]:
    return Counter(
        ApplicationEvent.objects.filter(application_id__in=cases, action="route").values_list(
            "application_id", flat=True
        )
    )


@pytest.fixture
def w() -> World:
    return world()


def test_one_task_routes_its_case_and_those_waiting_with_it_each_once(w):
    cases = waiting(w, 30)

    assert tasks.route_application(cases[7]) == 30

    assert route_events(cases) == Counter(dict.fromkeys(cases, 1))
    assert not Application.objects.filter(pk__in=cases, routed_at__isnull=True).exists()
    # Their own tasks, and a redelivered one, find nothing left to do.
    assert [tasks.route_application(pk) for pk in (cases[0], cases[7], cases[29])] == [0, 0, 0]
    assert route_events(cases) == Counter(dict.fromkeys(cases, 1))


def test_a_batch_fills_up_the_least_busy_reviewers_first_and_then_spreads_evenly(w):
    second = staff(StaffRole.REVIEWER, department=w.department, categories=[w.category])
    third = staff(StaffRole.REVIEWER, department=w.department, categories=[w.category])
    busy = waiting(w, 4)
    Application.objects.filter(pk__in=busy).update(assigned_to=w.reviewer, routed_at=timezone.now())
    assert open_cases(w.reviewer, second, third) == [4, 0, 0]

    cases = waiting(w, 11)
    assert routing.route(cases[0], limit=routing.BATCH) == 11

    # 4 to each of the two idle reviewers, then one more each in turn: 5, 5, 5.
    assert open_cases(w.reviewer, second, third) == [5, 5, 5]
    given = Counter(
        ApplicationEvent.objects.filter(application_id__in=cases, action="route").values_list(
            "detail__assigned_to", flat=True
        )
    )
    assert given == {w.reviewer.pk: 1, second.pk: 5, third.pk: 5}


def test_a_batch_gives_each_case_to_a_reviewer_of_its_own_queue(w):
    other_category_service = ServiceFactory(department=w.department)
    other_step = ReviewStepFactory(service=other_category_service, order=1, name="审核")
    other_reviewer = staff(
        StaffRole.REVIEWER,
        department=w.department,
        categories=[other_category_service.category],
    )
    mine = waiting(w, 3)
    theirs = waiting(w, 3, service=other_category_service, step=other_step)

    assert routing.route(theirs[0], limit=routing.BATCH) == 6

    assigned = dict(
        Application.objects.filter(pk__in=mine + theirs).values_list("pk", "assigned_to")
    )
    assert {assigned[pk] for pk in mine} == {w.reviewer.pk}
    assert {assigned[pk] for pk in theirs} == {other_reviewer.pk}


def test_an_approval_steps_cases_go_to_its_department_administrators_in_the_same_batch(w):
    approval = ReviewStepFactory(
        service=w.service, order=2, name="审批", role=StaffRole.DEPARTMENT_ADMIN
    )
    reviewed = waiting(w, 2)
    to_approve = waiting(w, 2, step=approval)

    assert routing.route(reviewed[0], limit=routing.BATCH) == 4

    assigned = dict(
        Application.objects.filter(pk__in=reviewed + to_approve).values_list("pk", "assigned_to")
    )
    assert {assigned[pk] for pk in reviewed} == {w.reviewer.pk}
    assert {assigned[pk] for pk in to_approve} == {w.department_admin.pk}


def test_a_queue_without_an_active_reviewer_leaves_its_cases_routed_but_unassigned(w):
    w.reviewer.is_active = False
    w.reviewer.save()
    cases = waiting(w, 3)

    assert routing.route(cases[0], limit=routing.BATCH) == 3

    rows = Application.objects.filter(pk__in=cases)
    assert {(row.assigned_to_id, row.routed_at is not None) for row in rows} == {(None, True)}


def test_a_case_no_longer_in_review_is_not_routed(w):
    withdrawn, waiting_one = waiting(w, 2)
    Application.objects.filter(pk=withdrawn).update(status=ApplicationStatus.WITHDRAWN)

    assert routing.route(withdrawn, limit=routing.BATCH) == 0  # and takes no other case with it
    assert routing.route(waiting_one, limit=routing.BATCH) == 1

    assert route_events([withdrawn]) == Counter()


def test_the_sweep_routes_only_late_cases_in_batches_and_then_nothing(w):
    late = waiting(w, 25, ago=dt.timedelta(minutes=5))
    fresh = waiting(w, 3)

    assert routing.route_unrouted(dt.timedelta(minutes=2), limit=10) == 25
    assert routing.route_unrouted(dt.timedelta(minutes=2), limit=10) == 0

    assert route_events(late + fresh) == Counter(dict.fromkeys(late, 1))


def test_cases_a_reviewer_has_closed_do_not_count_as_his_load(w):
    second = staff(StaffRole.REVIEWER, department=w.department, categories=[w.category])
    done = waiting(w, 5)
    Application.objects.filter(pk__in=done).update(
        assigned_to=w.reviewer, routed_at=timezone.now(), status=ApplicationStatus.APPROVED
    )
    busy = waiting(w, 1)
    Application.objects.filter(pk__in=busy).update(assigned_to=second, routed_at=timezone.now())

    [case] = waiting(w, 1)
    assert routing.route(case) == 1

    assert Application.objects.get(pk=case).assigned_to == w.reviewer


def test_a_reviewer_of_two_queues_counts_the_cases_a_batch_gives_him_in_either(w):
    other_service = ServiceFactory(department=w.department)
    other_step = ReviewStepFactory(service=other_service, order=1, name="审核")
    both = w.reviewer
    both_assignment = both.staff_assignments.get()
    both_assignment.categories.add(other_service.category)
    first_only = staff(StaffRole.REVIEWER, department=w.department, categories=[w.category])
    other_only = staff(
        StaffRole.REVIEWER, department=w.department, categories=[other_service.category]
    )
    cases = waiting(w, 4) + waiting(w, 4, service=other_service, step=other_step)

    assert routing.route(cases[0], limit=routing.BATCH) == 8

    # Not 4 to the reviewer of both and 2 to each of the others.
    loads = open_cases(both, first_only, other_only)
    assert sum(loads) == 8
    assert max(loads) - min(loads) <= 1


def test_a_task_whose_batch_is_full_goes_on_to_route_every_case_waiting(w, monkeypatch):
    monkeypatch.setattr(routing, "BATCH", 10)
    cases = waiting(w, 25)

    assert tasks.route_application(cases[3]) == 25

    assert route_events(cases) == Counter(dict.fromkeys(cases, 1))
    assert [tasks.route_application(pk) for pk in cases[:5]] == [0] * 5


def test_routing_a_batch_costs_the_same_queries_however_many_cases_queues_and_reviewers(
    w, django_assert_max_num_queries
):
    def batch_of(cases: list[int]) -> int:
        with django_assert_max_num_queries(12) as captured:
            assert routing.route(cases[0], limit=routing.BATCH) == len(cases)
        return len(captured)

    one_reviewer_two_cases = batch_of(waiting(w, 2))

    many: list[int] = []
    for _ in range(3):
        service = ServiceFactory(department=w.department)
        step = ReviewStepFactory(service=service, order=1, name="审核")
        for _ in range(4):
            staff(StaffRole.REVIEWER, department=w.department, categories=[service.category])
        many += waiting(w, 40, service=service, step=step)
    assert batch_of(many) == one_reviewer_two_cases
