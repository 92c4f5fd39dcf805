"""Who may act on an application: plain checks over the roles, used by the workflow's table
and by the selectors that decide what each person sees."""

from __future__ import annotations

from portal import organisations
from portal.models import StaffAssignment, StaffRole, User
from services.models.applications import Application, ApplicationStatus


def is_system(by: User | None, application: Application) -> bool:
    """Moves only the portal itself makes (issuing the result, closing a bundle)."""
    return by is None


def is_applicant(by: User | None, application: Application) -> bool:
    """The applicant himself, or anyone who may act now for the organisation that applied."""
    if by is None or not by.is_authenticated or not by.is_active:
        return False
    if application.organisation_id is not None:
        return organisations.for_user(by).filter(pk=application.organisation_id).exists()
    return application.applicant_id == by.pk


def clerk_hall_ids(user: User) -> set[int]:
    if not user.is_authenticated or not user.is_active:
        return set()
    return set(
        StaffAssignment.objects.filter(
            user=user, role=StaffRole.CLERK, service_hall__isnull=False
        ).values_list("service_hall_id", flat=True)
    )


def is_intake_clerk(by: User | None, application: Application) -> bool:
    """A clerk of the hall that takes the application in (a bundle's parent is taken in
    through its children, never itself)."""
    return (
        by is not None
        and application.service_id is not None
        and application.hall_id in clerk_hall_ids(by)
    )


def may_apply(by: User | None, application: Application) -> bool:
    """The applicant, or the clerk taking a walk-in application in at the counter."""
    if is_applicant(by, application):
        return True
    return application.channel == "counter" and is_intake_clerk(by, application)


def reviews(user: User, department_id: int, category_id: int) -> bool:
    """A reviewer of the department for the category, or the department's administrator."""
    if not user.is_authenticated or not user.is_active:
        return False
    assignments = StaffAssignment.objects.filter(user=user, department_id=department_id)
    if assignments.filter(role=StaffRole.DEPARTMENT_ADMIN).exists():
        return True
    return assignments.filter(role=StaffRole.REVIEWER, categories__id=category_id).exists()


def is_department_admin(user: User, department_id: int) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and StaffAssignment.objects.filter(
            user=user, department_id=department_id, role=StaffRole.DEPARTMENT_ADMIN
        ).exists()
    )


def works_step(user: User, department_id: int, category_id: int, role: str) -> bool:
    """In the queue of a step: its department's administrators always; reviewers of the
    category only for a reviewer's step (审核), never for an administrator's (审批), so one
    person cannot both check and approve."""
    if is_department_admin(user, department_id):
        return True
    return role == StaffRole.REVIEWER and reviews(user, department_id, category_id)


def is_step_reviewer(by: User | None, application: Application) -> bool:
    """The reviewer the current step is assigned to (still in its queue), or the step's
    department administrator."""
    step, service = application.review_step, application.service
    if by is None or step is None or service is None:
        return False
    if is_department_admin(by, step.department_id):
        return True
    return application.assigned_to_id == by.pk and works_step(
        by, step.department_id, service.category_id, step.role
    )


def may_request_supplement(by: User | None, application: Application) -> bool:
    if application.status == ApplicationStatus.SUBMITTED:
        return is_intake_clerk(by, application)
    return is_step_reviewer(by, application)


def may_complete(by: User | None, application: Application) -> bool:
    """The system when nothing is to be collected; else a clerk of the application's hall."""
    if by is None:
        return application.pickup_code is None
    return is_intake_clerk(by, application)
