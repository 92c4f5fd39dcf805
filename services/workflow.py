"""THE ONLY CODE THAT CHANGES AN APPLICATION'S STATE.

Every move runs atomically with the application row locked, checks the table below and who is
acting, writes one ``ApplicationEvent``, and enqueues follow-up work (routing, notifications)
only after the transaction commits. Anything else raises ``portal.errors.IllegalMove``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from portal.db import rows
from portal.errors import IllegalMove, Invalid, NotAllowed
from portal.models import User
from services import calendar, codes, deadlines, permissions, results
from services.models.applications import (
    FINAL_STATUSES,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Material,
)

A = ApplicationStatus
WITHDRAWABLE = (A.SUBMITTED, A.AWAITING_SUPPLEMENT, A.IN_REVIEW, A.REVIEW_SUPPLEMENT)

# (from status, action) -> to status. Who may make each move: ACTORS below.
MOVES: dict[tuple[str, str], str] = {
    (A.DRAFT, "submit"): A.SUBMITTED,
    (A.SUBMITTED, "accept"): A.IN_REVIEW,
    (A.SUBMITTED, "request_supplement"): A.AWAITING_SUPPLEMENT,
    (A.SUBMITTED, "refuse"): A.NOT_ACCEPTED,
    (A.AWAITING_SUPPLEMENT, "resubmit"): A.SUBMITTED,
    (A.IN_REVIEW, "request_supplement"): A.REVIEW_SUPPLEMENT,
    (A.REVIEW_SUPPLEMENT, "resubmit"): A.IN_REVIEW,
    (A.IN_REVIEW, "pass_step"): A.IN_REVIEW,
    (A.IN_REVIEW, "approve"): A.APPROVED,
    (A.IN_REVIEW, "deny"): A.DENIED,
    (A.APPROVED, "issue_result"): A.RESULT_ISSUED,
    (A.RESULT_ISSUED, "complete"): A.COMPLETED,
    **{(status, "withdraw"): A.WITHDRAWN for status in WITHDRAWABLE},
    # A bundle's parent case ends when every child has: completed if any child was granted,
    # denied if none was (each child keeps its own reason), withdrawn if all were withdrawn.
    (A.SUBMITTED, "close_bundle"): A.COMPLETED,
    (A.SUBMITTED, "close_bundle_ungranted"): A.DENIED,
    (A.SUBMITTED, "close_bundle_withdrawn"): A.WITHDRAWN,
}

# Who may make a move, by the kind of check in services.permissions.
ACTORS: dict[str, Callable[[User | None, Application], bool]] = {
    "submit": permissions.may_apply,
    "resubmit": permissions.may_apply,
    "withdraw": permissions.is_applicant,
    "accept": permissions.is_intake_clerk,
    "refuse": permissions.is_intake_clerk,
    "request_supplement": permissions.may_request_supplement,
    "pass_step": permissions.is_step_reviewer,
    "approve": permissions.is_step_reviewer,
    "deny": permissions.is_step_reviewer,
    "issue_result": permissions.is_system,
    "complete": permissions.may_complete,
    "close_bundle": permissions.is_system,
    "close_bundle_ungranted": permissions.is_system,
    "close_bundle_withdrawn": permissions.is_system,
}

ACTION_WORDS = {
    "submit": pgettext_lazy("application move", "submitted"),
    "accept": pgettext_lazy("application move", "accepted"),
    "request_supplement": pgettext_lazy("application move", "sent back for supplement"),
    "refuse": pgettext_lazy("application move", "refused at intake"),
    "resubmit": pgettext_lazy("application move", "resubmitted"),
    "pass_step": pgettext_lazy("application move", "passed to the next review step"),
    "approve": pgettext_lazy("application move", "approved"),
    "deny": pgettext_lazy("application move", "denied"),
    "issue_result": pgettext_lazy("application move", "given its result"),
    "complete": pgettext_lazy("application move", "completed"),
    "withdraw": pgettext_lazy("application move", "withdrawn"),
    "close_bundle": pgettext_lazy("application move", "closed"),
    "close_bundle_ungranted": pgettext_lazy("application move", "closed"),
    "close_bundle_withdrawn": pgettext_lazy("application move", "closed"),
}


def illegal(status: str, action: str) -> IllegalMove:
    return IllegalMove(
        _("An application that is “%(status)s” cannot be %(action)s.")
        % {"status": A(status).label, "action": ACTION_WORDS.get(action, action)},
        status=status,
        action=action,
    )


def record(
    application: Application,
    action: str,
    *,
    by: User | None,
    from_status: str = "",
    opinion: str = "",
    **detail: Any,
) -> ApplicationEvent:
    """One event row; moves write theirs through ``_move``, assignments through this."""
    return ApplicationEvent.objects.create(
        application=application,
        action=action,
        actor=by if by is not None and by.is_authenticated else None,
        from_status=from_status or application.status,
        to_status=application.status,
        opinion=opinion[:2000],
        detail=detail,
    )


def lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("service")
        .get(pk=application.pk)
    )


def _move(
    application: Application,
    action: str,
    *,
    by: User | None,
    opinion: str = "",
    changes: Callable[[Application], None] | None = None,
    **detail: Any,
) -> Application:
    """Lock, check the table and the actor, apply ``changes``, save, write the event.
    Must run inside a transaction."""
    locked = lock(application)
    target = MOVES.get((locked.status, action))
    if target is None:
        raise illegal(locked.status, action)
    if not ACTORS[action](by, locked):
        raise NotAllowed(_("You may not do this to this application."))
    before = locked.status
    locked.status = target
    if changes is not None:
        changes(locked)
    locked.save()
    record(locked, action, by=by, from_status=before, opinion=opinion, **detail)
    transaction.on_commit(lambda: _after_move(locked.pk, action))
    return locked


def _after_move(application_id: int, action: str) -> None:
    from services import tasks

    tasks.enqueue_after_move(application_id, action)


def _required_text(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(
            _("Give a reason: the applicant reads it."),
            code="reason_required",
            fields={field: [_("This field is required.")]},
        )
    return value


# --- Applicant ---------------------------------------------------------------------------


@transaction.atomic
def submit(application: Application, *, by: User | None) -> Application:
    """Hand in a complete draft. Its answers and materials were checked by ``drafts``."""

    def changes(app: Application) -> None:
        app.submitted_at = timezone.now()

    submitted = _move(application, "submit", by=by, changes=changes)
    if submitted.is_bundle:
        from services import fanout

        fanout.create_children(submitted, by=by)
    return submitted


@dataclass(frozen=True)
class Opened:
    """A new application with the rows written with it, for an answer that reads none back."""

    application: Application
    events: list[ApplicationEvent]
    materials: list[Material]


def open_new(
    draft: Application,
    *,
    by: User,
    submit: bool,
    fill: Callable[[Application], list[Material]] | None = None,
) -> Opened:
    """A new application in one go (the API's apply): inserted as a draft, or, its answers and
    materials checked by ``drafts``, already submitted. ``fill`` adds what needs its id (the
    materials) before its events are written: the create event and, for a submit, the move's
    event as ``_move`` writes it, with the table and the actor checked as ``_move`` checks
    them. Nobody else can see the new row before commit, so nothing is locked. Must run inside
    a transaction; writes no savepoint."""
    now = timezone.now()
    steps: list[tuple[str, str, str, dict[str, str]]] = [
        ("create", A.DRAFT, A.DRAFT, {"channel": draft.channel})
    ]
    if submit:
        target = MOVES[(A.DRAFT, "submit")]
        if not ACTORS["submit"](by, draft):
            raise NotAllowed(_("You may not do this to this application."))
        draft.status, draft.submitted_at = target, now
        steps.append(("submit", A.DRAFT, target, {}))
    rows.insert([draft])
    materials = fill(draft) if fill is not None else []
    actor = by if by.is_authenticated else None
    events = rows.insert(
        [
            ApplicationEvent(
                application=draft,
                action=action,
                actor=actor,
                from_status=before,
                to_status=after,
                detail=detail,
            )
            for action, before, after, detail in steps
        ]
    )
    if submit:
        pk = draft.pk
        transaction.on_commit(lambda: _after_move(pk, "submit"))
        if draft.is_bundle:
            from services import fanout

            fanout.create_children(draft, by=by)
    return Opened(draft, events, materials)


@transaction.atomic
def resubmit(application: Application, *, by: User | None, note: str = "") -> Application:
    """The applicant has supplied what was asked; a paused clock resumes."""

    def changes(app: Application) -> None:
        if app.paused_on is not None and app.accepted_at is not None:
            paused = calendar.working_days_between(app.paused_on, timezone.localdate())
            app.paused_days += max(paused.days, 0)
            deadline = deadlines.due_date(app)
            app.due_date, app.due_provisional = deadline.due, deadline.provisional
        app.paused_on = None
        app.supplement_items = []

    return _move(application, "resubmit", by=by, opinion=note, changes=changes)


@transaction.atomic
def withdraw(application: Application, *, by: User, reason: str = "") -> Application:
    def changes(app: Application) -> None:
        app.status_reason = reason.strip()
        app.assigned_to = None

    withdrawn = _move(application, "withdraw", by=by, opinion=reason, changes=changes)
    if withdrawn.is_bundle:
        # Withdrawing the bundle withdraws every service still open; decided ones stay.
        for child in withdrawn.children.filter(status__in=WITHDRAWABLE).order_by("pk"):
            _move(child, "withdraw", by=by, opinion=reason, changes=changes)
    _close_parent_if_done(withdrawn)
    return withdrawn


# --- Window (intake and results) ----------------------------------------------------------


@transaction.atomic
def accept(application: Application, *, by: User, opinion: str = "") -> Application:
    """受理: the acceptance number, the deadline clock and routing to the first review step."""

    def changes(app: Application) -> None:
        service = app.service
        assert service is not None
        now = timezone.now()
        app.accepted_at = now
        app.acceptance_number = codes.acceptance_number(
            service.department_id, timezone.localdate(now)
        )
        app.paused_days = 0
        deadline = deadlines.due_date(app)
        app.due_date, app.due_provisional = deadline.due, deadline.provisional
        app.review_step = service.review_steps.order_by("order", "id").first()
        if app.review_step is None:
            raise Invalid(
                _("This service has no review step yet: its department must add one first."),
                code="no_review_step",
            )
        app.step_started_at, app.routed_at, app.assigned_to = now, None, None
        if app.channel == "counter" or app.taken_in_by_id is None:
            app.taken_in_by = by

    return _move(application, "accept", by=by, opinion=opinion, changes=changes)


@transaction.atomic
def request_supplement(
    application: Application, *, by: User, items: list[str], opinion: str = ""
) -> Application:
    """一次性告知: one notice listing everything missing or wrong. In review, the clock pauses."""
    items = [item.strip()[:300] for item in items if item and item.strip()]
    if not items:
        raise Invalid(
            _("List everything that is missing or wrong, one item a line."),
            code="items_required",
            fields={"items": [_("This field is required.")]},
        )

    def changes(app: Application) -> None:
        app.supplement_items = items
        if app.status == A.REVIEW_SUPPLEMENT:
            app.paused_on = timezone.localdate()

    return _move(
        application, "request_supplement", by=by, opinion=opinion, changes=changes, items=items
    )


@transaction.atomic
def refuse(application: Application, *, by: User, reason: str) -> Application:
    """不予受理, with the reason the notice prints."""
    reason = _required_text(reason, "reason")

    def changes(app: Application) -> None:
        app.status_reason = reason

    refused = _move(application, "refuse", by=by, opinion=reason, changes=changes)
    _close_parent_if_done(refused)
    return refused


@transaction.atomic
def hand_over(application: Application, *, by: User) -> Application:
    """统一窗口出件: the paper result is handed to the applicant; the case completes."""

    def changes(app: Application) -> None:
        app.handed_over_at = app.completed_at = timezone.now()

    done = _move(application, "complete", by=by, changes=changes, handed_over=True)
    _close_parent_if_done(done)
    return done


# --- Back office --------------------------------------------------------------------------


@transaction.atomic
def approve(
    application: Application,
    *,
    by: User,
    opinion: str = "",
    surface: dict[str, Any] | None = None,
) -> Application:
    """Pass the current review step; the last step's approval decides and issues the result.

    ``surface``: the result certificate's fields as the deciding reviewer confirms them (the
    answers whose keys name surface fields are taken as they are).
    """
    locked = lock(application)
    step = locked.review_step
    if locked.status == A.IN_REVIEW and locked.service is not None and step is not None:
        following = step.following()
        if following is not None:

            def next_step(app: Application) -> None:
                app.review_step = following
                app.step_started_at, app.routed_at, app.assigned_to = timezone.now(), None, None

            return _move(
                locked, "pass_step", by=by, opinion=opinion, changes=next_step, step=step.name
            )

    def decided(app: Application) -> None:
        app.decided_at = timezone.now()

    approved = _move(locked, "approve", by=by, opinion=opinion, changes=decided)
    final = results.issue(approved, surface=surface)
    _close_parent_if_done(final)
    return final


@transaction.atomic
def deny(application: Application, *, by: User, reason: str) -> Application:
    """不予许可, with the reason."""
    reason = _required_text(reason, "reason")

    def changes(app: Application) -> None:
        app.decided_at = timezone.now()
        app.status_reason = reason

    denied = _move(application, "deny", by=by, opinion=reason, changes=changes)
    _close_parent_if_done(denied)
    return denied


# --- Result (called by services.results inside approve's transaction) ---------------------


def result_issued(
    application: Application, *, changes: Callable[[Application], None]
) -> Application:
    return _move(application, "issue_result", by=None, changes=changes)


def complete_without_pickup(application: Application) -> Application:
    """Nothing to collect (an e-certificate, or no document): the case completes at once."""

    def changes(app: Application) -> None:
        app.completed_at = timezone.now()

    return _move(application, "complete", by=None, changes=changes)


def _close_parent_if_done(application: Application) -> None:
    if application.parent_id is None or not application.is_final():
        return
    parent = lock(Application(pk=application.parent_id))
    if parent.status != A.SUBMITTED:
        return
    ends = {child.status for child in parent.children.all()}
    if not all(status in FINAL_STATUSES for status in ends):
        return
    if A.COMPLETED in ends:
        action, reason = "close_bundle", ""
    elif ends == {A.WITHDRAWN}:
        action, reason = "close_bundle_withdrawn", ""
    else:
        action, reason = "close_bundle_ungranted", _("No service of the bundle was granted.")

    def changes(app: Application) -> None:
        if action == "close_bundle":
            app.completed_at = timezone.now()
        else:
            app.decided_at = timezone.now()
            app.status_reason = reason

    _move(parent, action, by=None, changes=changes)
