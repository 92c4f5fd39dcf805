"""The rectification of bad ratings (差评整改): its table of moves exhaustively, the deadline in
working days, the appeal and its deadline, the overdue sweep and who may act."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portal.errors import IllegalMove, Invalid, NotAllowed
from portal.models import Notification, StaffRole
from services import rating, rectification, rectification_notices, workflow
from services.models import Appeal, Evaluation, Rectification
from services.models.calendar import CalendarDay
from services.models.evaluations import (
    AppealDecision,
    Classification,
    RectificationStatus,
)
from tests.services.cases import staff, world

pytestmark = pytest.mark.django_db
R = RectificationStatus


@pytest.fixture
def w():
    return world()


@pytest.fixture
def admin():
    return staff(StaffRole.SYSTEM_ADMIN)


def bad_rating(w, level=1) -> Rectification:
    done = workflow.approve(w.accepted(), by=w.department_admin)
    evaluation = rating.rate_application(done, by=w.applicant, level=level, comment="态度差")
    return evaluation.rectification


def call(action: str, rect: Rectification, w, admin) -> Rectification:
    """Make one move with the right person and input."""
    dept = w.department_admin
    calls = {
        "investigate": lambda: rectification.investigate(rect, by=dept),
        "classify": lambda: rectification.classify(
            rect, by=dept, classification=Classification.REASONABLE, finding="窗口人员解释不清"
        ),
        "act": lambda: rectification.act(rect, by=dept, action_taken="组织业务培训"),
        "call_back": lambda: rectification.call_back(rect, by=dept, note="申请人表示理解"),
        "answer": lambda: rectification.answer(rect, by=dept, text="已整改，感谢监督"),
        "appeal": lambda: rectification.appeal(rect, by=dept, reason="与办件无关的辱骂"),
        "accept_answer": lambda: rectification.accept_answer(rect, by=w.applicant),
        "reject_answer": lambda: rectification.reject_answer(rect, by=w.applicant),
        "uphold": lambda: rectification.uphold(rect, by=admin, note="评价属实"),
        "overturn": lambda: rectification.overturn(rect, by=admin, note="恶意差评"),
    }
    return calls[action]()


def force(rect: Rectification, status: str, w) -> Rectification:
    Rectification.objects.filter(pk=rect.pk).update(status=status)
    if status == R.APPEALED:
        Appeal.objects.get_or_create(
            rectification=rect, defaults={"reason": "恶意", "made_by": w.department_admin}
        )
    rect.refresh_from_db()
    return rect


@pytest.mark.parametrize("status", R.values)
@pytest.mark.parametrize("action", list(rectification.ACTORS))
def test_every_move_in_every_status_follows_the_table(w, admin, status, action):
    rect = force(bad_rating(w), status, w)
    events = rect.events.count()
    target = rectification.MOVES.get((status, action))
    if target is None:
        with pytest.raises(IllegalMove):
            call(action, rect, w, admin)
        rect.refresh_from_db()
        assert rect.status == status
        assert rect.events.count() == events
    else:
        moved = call(action, rect, w, admin)
        assert moved.status == target
        last = moved.events.order_by("-id").first()
        assert (last.action, last.from_status, last.to_status) == (action, status, target)


@pytest.mark.parametrize(
    ("action", "who"),
    [
        ("investigate", "other_admin"),
        ("investigate", "reviewer"),
        ("investigate", "applicant"),
        ("accept_answer", "department_admin"),
        ("accept_answer", "stranger"),
        ("uphold", "department_admin"),
    ],
)
def test_only_the_right_person_makes_a_move(w, admin, action, who):
    other = world()
    people = {
        "other_admin": other.department_admin,
        "reviewer": w.reviewer,
        "applicant": w.applicant,
        "department_admin": w.department_admin,
        "stranger": w.stranger,
    }
    start = {"investigate": R.OPEN, "accept_answer": R.ANSWERED, "uphold": R.APPEALED}[action]
    rect = force(bad_rating(w), start, w)
    mover = getattr(rectification, action)
    with pytest.raises(NotAllowed):
        mover(rect, by=people[who])
    rect.refresh_from_db()
    assert rect.status == start


def test_the_whole_flow_to_a_satisfied_applicant(w):
    rect = bad_rating(w)
    dept = w.department_admin
    rectification.investigate(rect, by=dept)
    rectification.classify(
        rect, by=dept, classification=Classification.NO_LEGAL_BASIS, finding="诉求无法律依据"
    )
    rectification.act(rect, by=dept, action_taken="向申请人解释政策")
    rectification.call_back(rect, by=dept, note="电话回访")
    rectification.answer(rect, by=dept, text="依据《条例》第十条，无法办理，已当面解释。")
    rectification.accept_answer(rect, by=w.applicant)
    rect.refresh_from_db()
    assert rect.status == R.CLOSED and rect.applicant_satisfied is True
    assert rect.answered_on_time() is True
    assert rect.classification == Classification.NO_LEGAL_BASIS
    assert [e.action for e in rect.events.all()] == [
        "open",
        "investigate",
        "classify",
        "act",
        "call_back",
        "answer",
        "accept_answer",
    ]


def test_texts_are_required(w):
    rect = rectification.investigate(bad_rating(w), by=w.department_admin)
    with pytest.raises(Invalid):
        rectification.classify(rect, by=w.department_admin, classification="reasonable", finding="")
    with pytest.raises(Invalid):
        rectification.classify(rect, by=w.department_admin, classification="nonsense", finding="x")
    rect.refresh_from_db()
    assert rect.status == R.INVESTIGATING


def _workdays(first: dt.date, days: int) -> None:
    for n in range(days):
        CalendarDay.objects.update_or_create(
            date=first + dt.timedelta(days=n), defaults={"is_workday": True}
        )


def test_the_deadline_is_a_setting_in_working_days(w, settings):
    today = timezone.localdate()
    _workdays(today, 40)
    settings.RECTIFICATION_DAYS = 5
    assert bad_rating(w).due_date == today + dt.timedelta(days=5)
    settings.RECTIFICATION_DAYS = 15
    assert bad_rating(w, level=2).due_date == today + dt.timedelta(days=15)


def test_a_complex_case_gets_a_later_deadline_within_the_limit(w, settings):
    today = timezone.localdate()
    _workdays(today, 60)
    settings.RECTIFICATION_DAYS, settings.RECTIFICATION_COMPLEX_MAX_DAYS = 10, 30
    rect = rectification.investigate(bad_rating(w), by=w.department_admin)
    with pytest.raises(Invalid):
        rectification.classify(
            rect,
            by=w.department_admin,
            classification=Classification.COMPLEX,
            finding="涉及多部门",
            due_date=today + dt.timedelta(days=31),
        )
    rect = rectification.classify(
        rect,
        by=w.department_admin,
        classification=Classification.COMPLEX,
        finding="涉及多部门",
        due_date=today + dt.timedelta(days=25),
    )
    assert rect.due_date == today + dt.timedelta(days=25)


def test_an_appeal_after_its_deadline_is_refused(w):
    rect = bad_rating(w)
    Rectification.objects.filter(pk=rect.pk).update(
        appeal_by=timezone.localdate() - dt.timedelta(days=1)
    )
    with pytest.raises(IllegalMove) as refused:
        rectification.appeal(rect, by=w.department_admin, reason="恶意")
    assert "appeal" in refused.value.message
    rect.refresh_from_db()
    assert rect.status == R.OPEN and not Appeal.objects.exists()


def test_an_overturned_rating_is_kept_but_excluded(w, admin):
    rect = rectification.appeal(bad_rating(w), by=w.department_admin, reason="与本事项无关")
    rectification.overturn(rect, by=admin, note="经核实为恶意差评")
    evaluation = Evaluation.objects.get()
    assert evaluation.excluded and evaluation.level == 1
    appeal = Appeal.objects.get()
    assert appeal.decision == AppealDecision.OVERTURNED and appeal.decided_by == admin


def test_an_upheld_rating_stays_and_the_work_goes_on_with_the_appeal_days_added(w, admin):
    today = timezone.localdate()
    _workdays(today - dt.timedelta(days=10), 60)
    rect = rectification.appeal(bad_rating(w), by=w.department_admin, reason="恶意")
    due = rect.due_date
    Appeal.objects.update(made_at=timezone.now() - dt.timedelta(days=3))
    rect = rectification.uphold(rect, by=admin)
    assert rect.status == R.INVESTIGATING
    assert rect.due_date == due + dt.timedelta(days=3)
    assert not Evaluation.objects.get().excluded
    assert Appeal.objects.get().decision == AppealDecision.UPHELD


def test_the_sweep_flags_overdue_rectifications_once_and_tells_the_department(w, commit_now):
    rect = bad_rating(w)
    late = rect.due_date + dt.timedelta(days=1)
    assert rectification.flag_overdue(rect.due_date) == []
    assert rectification.flag_overdue(late) == [rect.pk]
    assert rectification.flag_overdue(late) == []
    rect.refresh_from_db()
    assert rect.overdue
    rectification_notices.tell(rect.pk, "overdue")
    rectification_notices.tell(rect.pk, "overdue")
    assert (
        Notification.objects.filter(
            user=w.department_admin, key__startswith=f"rectification:{rect.pk}:overdue"
        ).count()
        == 1
    )


def test_opening_tells_the_department_and_answering_tells_the_applicant(w, commit_now):
    rect = bad_rating(w)
    assert Notification.objects.filter(
        user=w.department_admin, key__startswith=f"rectification:{rect.pk}:open"
    ).exists()
    for move in ("investigate", "classify", "act", "call_back", "answer"):
        rect = call(move, rect, w, None)
    told = Notification.objects.get(user=w.applicant, key__startswith="rectification:")
    assert told.link.endswith(f"/applications/{rect.evaluation.application_id}/")
