"""The application lifecycle: the table of moves, who may make each, and what each move does."""

import datetime as dt
import itertools
import re

import pytest
from django.db import transaction

from portal.errors import IllegalMove, Invalid, NotAllowed
from services import workflow
from services.models import Application, ApplicationEvent, ApplicationStatus
from tests.services.cases import at, freeze, world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]
A = ApplicationStatus
ACTIONS = sorted({action for _status, action in workflow.MOVES})


@pytest.fixture
def w():
    return world()


class _Undo(Exception):
    pass


def test_every_status_and_action_follows_the_table(w, monkeypatch):
    """Exhaustive: each (status, action) either moves to the table's target with one event,
    or is refused as an illegal move with nothing changed."""
    for action in ACTIONS:
        monkeypatch.setitem(workflow.ACTORS, action, lambda by, app: True)
    app = w.submitted()
    for status, action in itertools.product(A.values, ACTIONS):
        target = workflow.MOVES.get((status, action))
        try:
            with transaction.atomic():
                Application.objects.filter(pk=app.pk).update(status=status)
                events_before = ApplicationEvent.objects.filter(application=app).count()
                if target is None:
                    with pytest.raises(IllegalMove), transaction.atomic():
                        workflow._move(app, action, by=None)
                    assert Application.objects.get(pk=app.pk).status == status
                    assert ApplicationEvent.objects.filter(application=app).count() == (
                        events_before
                    ), (status, action)
                else:
                    moved = workflow._move(app, action, by=w.clerk, opinion="ok")
                    assert moved.status == target, (status, action)
                    event = ApplicationEvent.objects.filter(application=app, action=action).latest(
                        "id"
                    )
                    assert (event.action, event.from_status, event.to_status, event.actor) == (
                        action,
                        status,
                        target,
                        w.clerk,
                    ), (status, action)
                raise _Undo
        except _Undo:
            pass


def test_final_statuses_have_no_way_out():
    for status in (A.NOT_ACCEPTED, A.DENIED, A.COMPLETED, A.WITHDRAWN):
        assert not [a for (s, a) in workflow.MOVES if s == status]


def test_an_illegal_move_says_what_in_words(w, english):
    app = w.submitted()
    with pytest.raises(IllegalMove) as refused:
        workflow.approve(app, by=w.reviewer)
    assert str(refused.value) == (
        "An application that is “Submitted, awaiting acceptance” cannot be approved."
    )


def test_acceptance_gives_a_dated_number_a_deadline_and_a_reviewer(w, monkeypatch):
    freeze(monkeypatch, at(dt.date(2026, 9, 30)))
    app = workflow.accept(w.submitted(), by=w.clerk)
    assert re.fullmatch(rf"SL20260930-{w.department.pk:04d}-00001", app.acceptance_number)
    # 5 working days after 30 September 2026: 1-7 Oct off; 8, 9, 10 (make-up Saturday),
    # 12 and 13 October.
    assert (app.due_date, app.due_provisional) == (dt.date(2026, 10, 13), False)
    app.refresh_from_db()
    assert app.status == A.IN_REVIEW
    assert app.assigned_to == w.reviewer  # routed by the task on commit (eager here)
    assert app.routed_at is not None
    second = workflow.accept(w.submitted(), by=w.clerk)
    assert second.acceptance_number.endswith("-00002")


def test_a_supplement_in_review_pauses_the_clock_and_the_resubmission_resumes_it(w, monkeypatch):
    freeze(monkeypatch, at(dt.date(2026, 2, 10)))  # Tuesday
    app = workflow.accept(w.submitted(), by=w.clerk)
    assert app.due_date == dt.date(2026, 2, 24)  # 11,12,13,14(make-up Sat), then 24 Feb
    app.refresh_from_db()
    freeze(monkeypatch, at(dt.date(2026, 2, 12)))
    app = workflow.request_supplement(app, by=w.reviewer, items=["身份证复印件不清晰"])
    assert (app.status, app.paused_on) == (A.REVIEW_SUPPLEMENT, dt.date(2026, 2, 12))
    freeze(monkeypatch, at(dt.date(2026, 3, 2)))  # 13, 14, 24-28 Feb, 2 Mar: 8 working days
    app = workflow.resubmit(app, by=w.applicant)
    assert app.status == A.IN_REVIEW
    assert app.paused_days == 8
    assert app.due_date == dt.date(2026, 3, 5)  # the 3 days left before the pause: 3-5 Mar
    assert app.paused_on is None


def test_a_supplement_at_intake_lists_everything_once_and_is_required(w, english):
    app = w.submitted()
    with pytest.raises(Invalid):
        workflow.request_supplement(app, by=w.clerk, items=["  ", ""])
    app = workflow.request_supplement(app, by=w.clerk, items=["户口簿原件", "近期照片"])
    assert app.status == A.AWAITING_SUPPLEMENT
    assert app.supplement_items == ["户口簿原件", "近期照片"]
    assert app.due_date is None  # the clock starts at acceptance
    app = workflow.resubmit(app, by=w.applicant)
    assert (app.status, app.supplement_items) == (A.SUBMITTED, [])


def test_refusing_and_denying_need_a_reason(w):
    app = w.submitted()
    with pytest.raises(Invalid):
        workflow.refuse(app, by=w.clerk, reason=" ")
    assert workflow.refuse(app, by=w.clerk, reason="不属于本部门职权").status == A.NOT_ACCEPTED
    app = w.accepted()
    with pytest.raises(Invalid):
        workflow.deny(app, by=w.reviewer, reason="")
    denied = workflow.deny(app, by=w.reviewer, reason="不符合条件")
    assert (denied.status, denied.status_reason) == (A.DENIED, "不符合条件")


def test_who_may_make_each_move(w):
    app = w.submitted()
    for outsider in (w.stranger, w.reviewer, w.department_admin):
        with pytest.raises(NotAllowed):
            workflow.accept(app, by=outsider)
    with pytest.raises(NotAllowed):
        workflow.withdraw(app, by=w.clerk)
    app = workflow.accept(app, by=w.clerk)
    for outsider in (w.clerk, w.stranger, w.applicant):
        with pytest.raises(NotAllowed):
            workflow.approve(app, by=outsider)


def test_a_reviewer_of_another_category_cannot_decide(w):
    from portal.models import StaffRole
    from tests.factories import ServiceCategoryFactory
    from tests.services.cases import staff

    app = w.accepted()
    other = staff(
        StaffRole.REVIEWER, department=w.department, categories=[ServiceCategoryFactory()]
    )
    app.assigned_to = other
    app.save()
    with pytest.raises(NotAllowed):
        workflow.approve(app, by=other)


def test_steps_pass_in_order_then_the_decision(monkeypatch):
    w = world(steps=2)
    app = w.accepted()
    app = workflow.approve(app, by=w.reviewer, opinion="材料齐全")
    assert app.status == A.IN_REVIEW
    assert app.review_step.order == 2
    app.refresh_from_db()
    assert app.assigned_to == w.reviewer  # routed again for step 2 (same queue here)
    done = workflow.approve(app, by=w.reviewer, opinion="同意")
    assert done.status == A.COMPLETED  # no document to hand over
    assert list(done.events.values_list("action", flat=True)) == [
        "create",
        "submit",
        "accept",
        "route",
        "pass_step",
        "route",
        "approve",
        "issue_result",
        "complete",
    ]


def test_withdraw_before_the_decision_only(w):
    app = w.accepted()
    assert workflow.withdraw(app, by=w.applicant, reason="不办了").status == A.WITHDRAWN
    decided = workflow.approve(w.accepted(), by=w.reviewer)
    with pytest.raises(IllegalMove):
        workflow.withdraw(decided, by=w.applicant)
