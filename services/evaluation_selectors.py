"""Who sees which ratings and rectifications: a department's administrators their department's,
the staff member named his own (read only), system administrators all; the rater his own."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from portal import roles
from portal.models import StaffRole, User
from services.models.applications import Application
from services.models.evaluations import (
    RECTIFICATION_OPEN,
    AppealDecision,
    Evaluation,
    Rectification,
    RectificationStatus,
)

LIST_FILTERS = ("open", "overdue", "appealed", "answered", "closed", "all")


def _base() -> QuerySet[Rectification]:
    return Rectification.objects.select_related(
        "department",
        "staff",
        "evaluation",
        "evaluation__service",
        "evaluation__application",
        "evaluation__ticket",
        "evaluation__hall",
    )


def handled_by(user: User) -> QuerySet[Rectification]:
    """The rectifications the user answers for: his departments' (as their administrator);
    for a system administrator, every one."""
    if roles.is_system_admin(user):
        return _base()
    departments = roles.department_ids(user, StaffRole.DEPARTMENT_ADMIN)
    return _base().filter(department_id__in=departments)


def visible_to(user: User) -> QuerySet[Rectification]:
    """What the user may read: what he handles, and the ones naming him."""
    if not user.is_authenticated:
        return Rectification.objects.none()
    if roles.is_system_admin(user):
        return _base()
    departments = roles.department_ids(user, StaffRole.DEPARTMENT_ADMIN)
    return _base().filter(Q(department_id__in=departments) | Q(staff=user))


def filtered(rectifications: QuerySet[Rectification], which: str) -> QuerySet[Rectification]:
    """One tab of the list: open (the department's turn), overdue, appealed, answered, closed."""
    if which == "open":
        return rectifications.filter(status__in=RECTIFICATION_OPEN)
    if which == "overdue":
        return rectifications.filter(status__in=RECTIFICATION_OPEN, overdue=True)
    if which == "appealed":
        return rectifications.filter(status=RectificationStatus.APPEALED)
    if which == "answered":
        return rectifications.filter(status=RectificationStatus.ANSWERED)
    if which == "closed":
        return rectifications.filter(
            status__in=[RectificationStatus.CLOSED, RectificationStatus.OVERTURNED]
        )
    return rectifications


def rated_by(user: User) -> QuerySet[Rectification]:
    """The rectifications of the user's own ratings (he reads the answer and replies)."""
    if not user.is_authenticated:
        return Rectification.objects.none()
    return _base().filter(evaluation__rater=user, evaluation__defaulted=False)


def visible_rectification(user: User, pk: int) -> Rectification:
    found = visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def overdue_count(user: User) -> int:
    """The overdue rectifications the user answers for (the workbench's reminder)."""
    return filtered(handled_by(user), "overdue").count()


def pending_appeals(user: User) -> QuerySet[Rectification]:
    """For a system administrator: the appeals awaiting his decision."""
    if not roles.is_system_admin(user):
        return Rectification.objects.none()
    return _base().filter(
        status=RectificationStatus.APPEALED, appeal__decision=AppealDecision.PENDING
    )


def of_application(application: Application) -> Evaluation | None:
    """The case's rating with its rectification and appeal, if any (one query)."""
    return (
        Evaluation.objects.select_related("rectification", "rectification__appeal")
        .filter(application=application)
        .first()
    )
