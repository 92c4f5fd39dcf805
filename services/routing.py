"""前台综合受理、后台分类审批: who reviews a case next. The queue of a review step is its
department and the service's category; the reviewer is the one of that queue's active
reviewers with the fewest open cases, or nobody (the department administrator then sees the
case as unassigned)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import Conflict, Invalid, NotAllowed
from portal.models import StaffAssignment, StaffRole, User
from services import permissions, workflow
from services.models.applications import Application, ApplicationStatus

OPEN_REVIEW = (ApplicationStatus.IN_REVIEW, ApplicationStatus.REVIEW_SUPPLEMENT)


def queue_reviewers(department_id: int, category_id: int, role: str) -> list[User]:
    """The active staff of one queue, fewest open cases first (ties by id, for stable tests)."""
    assignments = StaffAssignment.objects.filter(
        department_id=department_id, role=role, user__is_active=True
    )
    if role == StaffRole.REVIEWER:
        assignments = assignments.filter(categories__id=category_id)
    user_ids = assignments.values("user_id")
    return list(
        User.objects.filter(pk__in=user_ids)
        .annotate(
            open_cases=Count(
                "assigned_applications",
                filter=Q(assigned_applications__status__in=OPEN_REVIEW),
            )
        )
        .order_by("open_cases", "pk")
    )


@transaction.atomic
def route(application_id: int) -> bool:
    """Assign the current review step; False when there is nothing to do (already routed,
    no longer in review, gone). Safe to run twice: a redelivered task changes nothing."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .filter(pk=application_id, status=ApplicationStatus.IN_REVIEW, routed_at__isnull=True)
        .select_related("service", "review_step")
        .first()
    )
    if application is None:
        return False
    step, service = application.review_step, application.service
    reviewer = None
    if step is not None and service is not None:
        reviewers = queue_reviewers(step.department_id, service.category_id, step.role)
        reviewer = reviewers[0] if reviewers else None
    application.assigned_to, application.routed_at = reviewer, timezone.now()
    application.save(update_fields=["assigned_to", "routed_at"])
    workflow.record(
        application,
        "route",
        by=None,
        step=step.name if step else "",
        department_id=step.department_id if step else None,
        assigned_to=reviewer.pk if reviewer else None,
    )
    return True


def unrouted(older_than: dt.timedelta) -> list[int]:
    """Cases in review that no routing task has handled in time (the broker was down, a worker
    died): the sweep routes them."""
    cutoff = timezone.now() - older_than
    return list(
        Application.objects.filter(
            status=ApplicationStatus.IN_REVIEW, routed_at__isnull=True, step_started_at__lt=cutoff
        )
        .order_by("step_started_at")
        .values_list("pk", flat=True)[:10_000]
    )


def route_unrouted(older_than: dt.timedelta) -> int:
    """Route every case left unrouted longer than ``older_than``; returns how many."""
    return sum(route(application_id) for application_id in unrouted(older_than))


@transaction.atomic
def claim(application: Application, *, by: User) -> Application:
    """A reviewer of the queue takes an unassigned case (or his department admin any case)."""
    locked = workflow.lock(application)
    if locked.status not in OPEN_REVIEW or locked.review_step is None or locked.service is None:
        raise workflow.illegal(locked.status, "claim")
    step = locked.review_step
    if not permissions.works_step(by, step.department_id, locked.service.category_id, step.role):
        raise NotAllowed(_("This case is not in your review queue."))
    if locked.assigned_to_id not in (None, by.pk) and not permissions.is_department_admin(
        by, step.department_id
    ):
        raise Conflict(_("Another reviewer has this case already."))
    locked.assigned_to, locked.routed_at = by, locked.routed_at or timezone.now()
    locked.save(update_fields=["assigned_to", "routed_at"])
    workflow.record(locked, "claim", by=by)
    return locked


@transaction.atomic
def release(application: Application, *, by: User) -> Application:
    """Give a case back to the queue (unassigned)."""
    locked = workflow.lock(application)
    if locked.status not in OPEN_REVIEW:
        raise workflow.illegal(locked.status, "release")
    step = locked.review_step
    allowed = locked.assigned_to_id == by.pk or (
        step is not None and permissions.is_department_admin(by, step.department_id)
    )
    if not allowed:
        raise NotAllowed(_("This case is not in your review queue."))
    locked.assigned_to = None
    locked.save(update_fields=["assigned_to"])
    workflow.record(locked, "release", by=by)
    return locked


@transaction.atomic
def reassign(application: Application, *, to: User, by: User) -> Application:
    """The department administrator gives a case to a reviewer of its queue."""
    locked = workflow.lock(application)
    if locked.status not in OPEN_REVIEW or locked.review_step is None or locked.service is None:
        raise workflow.illegal(locked.status, "reassign")
    step = locked.review_step
    if not permissions.is_department_admin(by, step.department_id):
        raise NotAllowed(_("This case is not in your review queue."))
    if not permissions.works_step(to, step.department_id, locked.service.category_id, step.role):
        raise Invalid(
            _("That person does not review this category in this department."),
            code="not_a_reviewer",
        )
    locked.assigned_to, locked.routed_at = to, locked.routed_at or timezone.now()
    locked.save(update_fields=["assigned_to", "routed_at"])
    workflow.record(locked, "reassign", by=by, assigned_to=to.pk)
    return locked
