"""Reading applications: who sees which, and the lists each person works from.

Anyone without a right to a case gets the same 404 as for a case that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from portal import organisations
from portal.models import StaffAssignment, StaffRole, User
from services import deadlines, permissions
from services.models.applications import (
    CLOCK_STATUSES,
    FINAL_STATUSES,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Channel,
)

A = ApplicationStatus
INTAKE_STATUSES = (A.SUBMITTED, A.AWAITING_SUPPLEMENT)
PICKUP_STATUSES = (A.RESULT_ISSUED,)
# A reviewer's decisions on a step: the case leaves his queue after each.
DECISIONS = ("pass_step", "approve", "deny")


def _base() -> QuerySet[Application]:
    return Application.objects.select_related(
        "service", "service__department", "bundle", "review_step", "assigned_to", "hall"
    )


def mine(user: User) -> QuerySet[Application]:
    """The user's own cases and those of organisations he acts for now (not drafts' children)."""
    acting_for = organisations.for_user(user).values("pk")
    return _base().filter(
        Q(applicant=user, organisation__isnull=True) | Q(organisation__in=acting_for),
        parent__isnull=True,
    )


def review_scopes(user: User) -> tuple[set[int], list[tuple[int, int]]]:
    """(departments he administers, (department, category) pairs he reviews)."""
    admin_of = set(
        StaffAssignment.objects.filter(user=user, role=StaffRole.DEPARTMENT_ADMIN).values_list(
            "department_id", flat=True
        )
    )
    pairs = list(
        StaffAssignment.objects.filter(user=user, role=StaffRole.REVIEWER)
        .exclude(categories=None)
        .values_list("department_id", "categories__id")
    )
    return admin_of, pairs


def review_queue(user: User) -> QuerySet[Application]:
    """Cases in review at a step of his department and category (his queue), any assignee."""
    admin_of, pairs = review_scopes(user)
    scope = Q(review_step__department_id__in=admin_of)
    for department_id, category_id in pairs:
        scope |= Q(
            review_step__department_id=department_id,
            service__category_id=category_id,
            review_step__role=StaffRole.REVIEWER,
        )
    if not admin_of and not pairs:
        return Application.objects.none()
    return _base().filter(scope, status__in=CLOCK_STATUSES)


def decided_by(user: User) -> QuerySet[Application]:
    """Cases he decided a review step of (passed on, approved, denied), whatever became of
    them, with his latest decision on each (``my_decision``, ``my_decision_at``)."""
    his = ApplicationEvent.objects.filter(actor=user, action__in=DECISIONS)
    latest = his.filter(application=OuterRef("pk")).order_by("-at", "-id")
    return (
        _base()
        .filter(pk__in=his.values("application_id"))
        .annotate(
            my_decision=Subquery(latest.values("action")[:1]),
            my_decision_at=Subquery(latest.values("at")[:1]),
        )
    )


def department_cases(user: User) -> QuerySet[Application]:
    """Every handed-in case of the departments he administers (their services or their review
    steps); drafts are still the applicant's own."""
    admin_of, _pairs = review_scopes(user)
    if not admin_of:
        return Application.objects.none()
    return (
        _base()
        .filter(Q(service__department_id__in=admin_of) | Q(review_step__department_id__in=admin_of))
        .exclude(status=ApplicationStatus.DRAFT)
    )


def cases_of_department(department_id: int) -> QuerySet[Application]:
    """Every case handed in to one department (its services or its review steps), for its own
    system; drafts are still the applicant's own."""
    return _base().filter(
        Q(service__department_id=department_id) | Q(review_step__department_id=department_id),
        submitted_at__isnull=False,
    )


def intake_queue(user: User) -> QuerySet[Application]:
    return _base().filter(
        hall_id__in=permissions.clerk_hall_ids(user),
        status__in=INTAKE_STATUSES,
        service__isnull=False,
    )


def hall_cases(user: User) -> QuerySet[Application]:
    """Everything taken in or to be handed out at his halls; an online draft is still the
    applicant's own, and a bundle's parent is handled through its children."""
    return (
        _base()
        .filter(hall_id__in=permissions.clerk_hall_ids(user), service__isnull=False)
        .exclude(status=ApplicationStatus.DRAFT, channel=Channel.ONLINE)
    )


def visible_application(user: User, pk: int) -> Application:
    """The case, if he applied for it, acts for its organisation, or handles it as staff."""
    for queryset in (mine(user), hall_cases(user), review_queue(user), department_cases(user)):
        found = queryset.filter(pk=pk).first()
        if found is not None:
            return found
    child = _base().filter(pk=pk, parent__in=mine(user)).first()
    if child is not None:
        return child
    raise Http404


def reviewable_application(user: User, pk: int, *, decided: bool = True) -> Application:
    """A case of his queue or his department's, or (``decided``) one he decided, to read."""
    scopes = [review_queue(user), department_cases(user)]
    for queryset in [*scopes, decided_by(user)] if decided else scopes:
        found = queryset.filter(pk=pk).first()
        if found is not None:
            return found
    raise Http404


def detail_context(application: Application, user: User) -> dict[str, Any]:
    events = list(application.events.select_related("actor").order_by("at", "id"))
    return {
        "application": application,
        "events": events,
        "materials": list(application.materials.select_related("requirement", "certificate")),
        "children": list(  # in the bundle's order, as they were created
            application.children.select_related("service", "service__department").order_by("id")
        ),
        "remaining": deadlines.remaining([application]).get(application.pk),
        "is_applicant": permissions.is_applicant(user, application),
    }


def case_choices(user: User) -> list[tuple[str, str]]:
    """(reference, "title · acceptance number or status") of the user's open cases: what a
    consent to use a certificate may name (settings.CERTIFICATE_CASE_CHOICES)."""
    cases = mine(user).exclude(status__in=FINAL_STATUSES).order_by("-created_at", "-id")
    return [
        (case.reference, f"{case.title()} · {case.acceptance_number or case.get_status_display()}")
        for case in cases
    ]
