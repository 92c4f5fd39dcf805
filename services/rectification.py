"""THE ONLY CODE THAT CHANGES A RECTIFICATION'S STATE (差评整改).

Every bad rating opens one rectification for the department that handled the case. The
department investigates, classifies (reasonable → rectify; complex → rectify by a later
deadline; without legal basis → explain), acts, calls the applicant back and answers him; he
says whether he is satisfied. Before ``appeal_by`` the department may appeal a malicious rating
to a system administrator, who upholds it (the work goes on, the days of the appeal added to
the deadline) or overturns it (the rating is kept but excluded from the figures).

Every move runs atomically with the row locked, checks the table below and who is acting,
writes one ``RectificationEvent`` and tells people only after the transaction commits.
Anything else raises ``portal.errors.IllegalMove``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from portal import roles
from portal.errors import IllegalMove, Invalid, NotAllowed
from portal.models import StaffRole, User
from services import calendar
from services.models.evaluations import (
    RECTIFICATION_OPEN,
    Appeal,
    AppealDecision,
    Classification,
    Evaluation,
    Rectification,
    RectificationEvent,
    RectificationStatus,
)
from services.rectification_notices import tell  # noqa: F401  (services.tasks calls it here)

R = RectificationStatus

# (from status, action) -> to status. Who may make each move: ACTORS below.
MOVES: dict[tuple[str, str], str] = {
    (R.OPEN, "investigate"): R.INVESTIGATING,
    (R.INVESTIGATING, "classify"): R.CLASSIFIED,
    (R.CLASSIFIED, "act"): R.ACTED,
    (R.ACTED, "call_back"): R.CALLED_BACK,
    (R.CALLED_BACK, "answer"): R.ANSWERED,
    (R.ANSWERED, "accept_answer"): R.CLOSED,
    (R.ANSWERED, "reject_answer"): R.CLOSED,
    (R.OPEN, "appeal"): R.APPEALED,
    (R.INVESTIGATING, "appeal"): R.APPEALED,
    (R.APPEALED, "uphold"): R.INVESTIGATING,
    (R.APPEALED, "overturn"): R.OVERTURNED,
}


def handles(user: User | None, rectification: Rectification) -> bool:
    """The administrators of the rectification's department; system administrators answer
    for a visit no department served."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if rectification.department_id is None:
        return roles.is_system_admin(user)
    return rectification.department_id in roles.department_ids(user, StaffRole.DEPARTMENT_ADMIN)


def is_rater(user: User | None, rectification: Rectification) -> bool:
    """The person who gave the rating."""
    return (
        user is not None
        and user.is_authenticated
        and rectification.evaluation.rater_id == user.pk
        and not rectification.evaluation.defaulted
    )


def decides_appeals(user: User | None, rectification: Rectification) -> bool:
    return user is not None and roles.is_system_admin(user)


ACTORS: dict[str, Callable[[User | None, Rectification], bool]] = {
    "investigate": handles,
    "classify": handles,
    "act": handles,
    "call_back": handles,
    "answer": handles,
    "appeal": handles,
    "accept_answer": is_rater,
    "reject_answer": is_rater,
    "uphold": decides_appeals,
    "overturn": decides_appeals,
}

ACTION_WORDS = {
    "open": pgettext_lazy("rectification move", "opened"),
    "investigate": pgettext_lazy("rectification move", "investigated"),
    "classify": pgettext_lazy("rectification move", "classified"),
    "act": pgettext_lazy("rectification move", "acted on"),
    "call_back": pgettext_lazy("rectification move", "called back"),
    "answer": pgettext_lazy("rectification move", "answered"),
    "accept_answer": pgettext_lazy("rectification move", "closed with the applicant satisfied"),
    "reject_answer": pgettext_lazy("rectification move", "closed with the applicant dissatisfied"),
    "appeal": pgettext_lazy("rectification move", "appealed"),
    "uphold": pgettext_lazy("rectification move", "upheld on appeal"),
    "overturn": pgettext_lazy("rectification move", "overturned on appeal"),
    "overdue": pgettext_lazy("rectification move", "flagged overdue"),
}
# The moves a user may make, by who he is; pages show these as buttons.
DEPARTMENT_MOVES = ("investigate", "classify", "act", "call_back", "answer", "appeal")
RATER_MOVES = ("accept_answer", "reject_answer")
ADMIN_MOVES = ("uphold", "overturn")


def illegal(status: str, action: str) -> IllegalMove:
    return IllegalMove(
        _("A rectification that is “%(status)s” cannot be %(action)s.")
        % {"status": R(status).label, "action": ACTION_WORDS.get(action, action)},
        status=status,
        action=action,
    )


def record(
    rectification: Rectification,
    action: str,
    *,
    by: User | None,
    from_status: str = "",
    note: str = "",
    **detail: Any,
) -> RectificationEvent:
    return RectificationEvent.objects.create(
        rectification=rectification,
        action=action,
        actor=by if by is not None and by.is_authenticated else None,
        from_status=from_status,
        to_status=rectification.status,
        note=note[:4000],
        detail=detail,
    )


def lock(rectification: Rectification) -> Rectification:
    return (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("evaluation")
        .get(pk=rectification.pk)
    )


def _move(
    rectification: Rectification,
    action: str,
    *,
    by: User | None,
    note: str = "",
    changes: Callable[[Rectification], None] | None = None,
    **detail: Any,
) -> Rectification:
    """Lock, check the table and the actor, apply ``changes``, save, write the event.
    Must run inside a transaction."""
    locked = lock(rectification)
    target = MOVES.get((locked.status, action))
    if target is None:
        raise illegal(locked.status, action)
    if not ACTORS[action](by, locked):
        raise NotAllowed(_("You may not do this to this rectification."))
    before = locked.status
    locked.status = target
    if changes is not None:
        changes(locked)
    locked.save()
    record(locked, action, by=by, from_status=before, note=note, **detail)
    transaction.on_commit(lambda: _after(locked.pk, action))
    return locked


def _after(rectification_id: int, action: str) -> None:
    from services import tasks

    tasks.enqueue_rectification_notice(rectification_id, action)


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(message, code="text_required", fields={field: [_("This field is required.")]})
    return value[:4000]


# --- Opening (called by services.rating inside the rating's transaction) --------------------


def open_for(evaluation: Evaluation) -> Rectification:
    """Open the follow-up of a bad rating, due in ``RECTIFICATION_DAYS`` working days."""
    today = timezone.localdate()
    due = calendar.add_working_days(today, settings.RECTIFICATION_DAYS)
    appeal_by = calendar.add_working_days(today, settings.RECTIFICATION_APPEAL_DAYS)
    rectification = Rectification.objects.create(
        evaluation=evaluation,
        department_id=evaluation.department_id,
        staff_id=evaluation.staff_id,
        opened_on=today,
        due_date=due.due,
        due_provisional=due.provisional,
        appeal_by=appeal_by.due,
    )
    record(rectification, "open", by=None, level=evaluation.level)
    transaction.on_commit(lambda: _after(rectification.pk, "open"))
    return rectification


# --- The department -------------------------------------------------------------------------


@transaction.atomic
def investigate(rectification: Rectification, *, by: User, note: str = "") -> Rectification:
    """Start the investigation (the department has read the rating and the case)."""
    return _move(rectification, "investigate", by=by, note=(note or "").strip())


@transaction.atomic
def classify(
    rectification: Rectification,
    *,
    by: User,
    classification: str,
    finding: str,
    due_date: dt.date | None = None,
) -> Rectification:
    """What the investigation found, and what kind of complaint it is. A complex one may be
    given a later deadline, at most ``RECTIFICATION_COMPLEX_MAX_DAYS`` working days after
    opening."""
    if classification not in Classification.values:
        raise Invalid(
            _("Choose what kind of complaint this is."),
            code="invalid_classification",
            fields={"classification": [_("Choose one of the listed kinds.")]},
        )
    finding = _text(finding, "finding", _("Write down what the investigation found."))

    def changes(rect: Rectification) -> None:
        rect.classification, rect.finding = classification, finding
        if classification != Classification.COMPLEX or due_date is None:
            return
        latest = calendar.add_working_days(
            rect.opened_on, settings.RECTIFICATION_COMPLEX_MAX_DAYS
        ).due
        if not rect.due_date <= due_date <= latest:
            raise Invalid(
                _("A complex case's deadline lies between %(first)s and %(last)s.")
                % {"first": rect.due_date.isoformat(), "last": latest.isoformat()},
                code="invalid_deadline",
                fields={"due_date": [_("Choose a date in the allowed range.")]},
            )
        rect.due_date = due_date
        rect.overdue = due_date < timezone.localdate()

    return _move(
        rectification,
        "classify",
        by=by,
        note=finding,
        changes=changes,
        classification=classification,
        **({"due_date": due_date.isoformat()} if due_date else {}),
    )


@transaction.atomic
def act(rectification: Rectification, *, by: User, action_taken: str) -> Rectification:
    """What was done: the rectification, or for a complaint without legal basis the
    explanation."""
    text = _text(action_taken, "action_taken", _("Write down what was done."))

    def changes(rect: Rectification) -> None:
        rect.action_taken = text

    return _move(rectification, "act", by=by, note=text, changes=changes)


@transaction.atomic
def call_back(rectification: Rectification, *, by: User, note: str) -> Rectification:
    """The applicant was called back (回访); what he said."""
    text = _text(note, "note", _("Write down what the applicant said on the call."))

    def changes(rect: Rectification) -> None:
        rect.call_back_note, rect.called_back_at = text, timezone.now()

    return _move(rectification, "call_back", by=by, note=text, changes=changes)


@transaction.atomic
def answer(rectification: Rectification, *, by: User, text: str) -> Rectification:
    """The written answer the applicant reads on his case page."""
    text = _text(text, "answer", _("Write the answer the applicant will read."))

    def changes(rect: Rectification) -> None:
        rect.answer, rect.answered_at = text, timezone.now()
        rect.overdue = timezone.localdate() > rect.due_date

    return _move(rectification, "answer", by=by, note=text, changes=changes)


@transaction.atomic
def appeal(rectification: Rectification, *, by: User, reason: str) -> Rectification:
    """Claim the rating is malicious; only until ``appeal_by``."""
    text = _text(reason, "reason", _("Say why the rating is malicious."))
    locked = lock(rectification)
    if MOVES.get((locked.status, "appeal")) and timezone.localdate() > locked.appeal_by:
        raise IllegalMove(
            _("The time to appeal ended on %(date)s.") % {"date": locked.appeal_by.isoformat()},
            status=locked.status,
            action="appeal",
        )
    moved = _move(locked, "appeal", by=by, note=text)
    Appeal.objects.create(rectification=moved, reason=text, made_by=by)
    return moved


# --- The applicant --------------------------------------------------------------------------


def _close(satisfied: bool) -> Callable[[Rectification], None]:
    def changes(rect: Rectification) -> None:
        rect.applicant_satisfied, rect.closed_at = satisfied, timezone.now()

    return changes


@transaction.atomic
def accept_answer(rectification: Rectification, *, by: User, note: str = "") -> Rectification:
    """The applicant is satisfied with the answer."""
    return _move(
        rectification, "accept_answer", by=by, note=(note or "").strip(), changes=_close(True)
    )


@transaction.atomic
def reject_answer(rectification: Rectification, *, by: User, note: str = "") -> Rectification:
    """The applicant is not satisfied with the answer; it closes, counted as such."""
    return _move(
        rectification, "reject_answer", by=by, note=(note or "").strip(), changes=_close(False)
    )


# --- The system administrator ---------------------------------------------------------------


def _decide(rect: Rectification, decision: str, by: User, note: str) -> None:
    Appeal.objects.filter(rectification=rect, decision=AppealDecision.PENDING).update(
        decision=decision, decided_by=by, decided_at=timezone.now(), decision_note=note
    )


@transaction.atomic
def uphold(rectification: Rectification, *, by: User, note: str = "") -> Rectification:
    """The rating stands; the department's deadline moves by the working days of the appeal."""
    note = (note or "").strip()

    def changes(rect: Rectification) -> None:
        appealed_on = timezone.localdate(rect.appeal.made_at)
        spent = calendar.working_days_between(appealed_on, timezone.localdate()).days
        moved = calendar.add_working_days(rect.due_date, max(spent, 0))
        rect.due_date, rect.due_provisional = moved.due, moved.provisional
        rect.overdue = rect.due_date < timezone.localdate()
        _decide(rect, AppealDecision.UPHELD, by, note)

    return _move(rectification, "uphold", by=by, note=note, changes=changes)


@transaction.atomic
def overturn(rectification: Rectification, *, by: User, note: str) -> Rectification:
    """The rating was malicious: kept, but excluded from every figure."""
    text = _text(note, "note", _("Give the reasons for overturning the rating."))

    def changes(rect: Rectification) -> None:
        rect.closed_at = timezone.now()
        Evaluation.objects.filter(pk=rect.evaluation_id).update(excluded=True)
        _decide(rect, AppealDecision.OVERTURNED, by, text)

    return _move(rectification, "overturn", by=by, note=text, changes=changes)


# --- The SLA sweep --------------------------------------------------------------------------


def flag_overdue(today: dt.date | None = None) -> list[int]:
    """Mark every rectification past its due date and not yet answered as overdue, with an
    event; returns the ids newly flagged (their department administrators are told)."""
    today = today or timezone.localdate()
    flagged = []
    late = Rectification.objects.filter(
        status__in=RECTIFICATION_OPEN, due_date__lt=today, overdue=False
    )
    for pk in late.values_list("pk", flat=True)[:5000]:
        with transaction.atomic():
            rect = (
                Rectification.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, overdue=False, status__in=RECTIFICATION_OPEN)
                .first()
            )
            if rect is None:
                continue
            rect.overdue = True
            rect.save(update_fields=["overdue"])
            record(rect, "overdue", by=None, from_status=rect.status, due=rect.due_date.isoformat())
            flagged.append(pk)
    return flagged
