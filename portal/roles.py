"""Staff roles: reading who may do what, and granting or revoking roles with an audit row."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from portal import audit
from portal.models import AuditAction, ServiceCategory, StaffAssignment, StaffRole, User

ADMIN_SITE_ROLES = {StaffRole.DEPARTMENT_ADMIN, StaffRole.SYSTEM_ADMIN}


def _assignments(user: User) -> list[tuple[str, int | None]]:
    """(role, department id) of each of the user's roles; one query, cached on the user object."""
    if not user.is_authenticated:
        return []
    cached: list[tuple[str, int | None]] | None = getattr(user, "_staff_assignments", None)
    if cached is None:
        cached = list(
            StaffAssignment.objects.filter(user=user).values_list("role", "department_id")
        )
        user._staff_assignments = cached  # type: ignore[attr-defined]
    return cached


def roles_of(user: User) -> set[str]:
    """The roles a user holds."""
    return {role for role, _department in _assignments(user)}


def department_ids(user: User, role: StaffRole) -> set[int]:
    """The departments in which the user holds ``role`` (reviewer, department administrator)."""
    return {dept for held, dept in _assignments(user) if held == role and dept is not None}


def is_system_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active) and (
        user.is_superuser or StaffRole.SYSTEM_ADMIN in roles_of(user)
    )


def is_staff_member(user: User) -> bool:
    return bool(roles_of(user)) or bool(user.is_authenticated and user.is_superuser)


def has_role(user: User, role: StaffRole) -> bool:
    return role in roles_of(user)


def _sync_admin_flags(user: User) -> None:
    roles = set(StaffAssignment.objects.filter(user=user).values_list("role", flat=True))
    user.is_staff = bool(roles & ADMIN_SITE_ROLES)
    user.is_superuser = StaffRole.SYSTEM_ADMIN in roles
    user.save(update_fields=["is_staff", "is_superuser"])
    user.__dict__.pop("_staff_assignments", None)


@transaction.atomic
def grant(
    assignment: StaffAssignment,
    *,
    by: User | None,
    categories: Iterable[ServiceCategory] | None = None,
    request: HttpRequest | None = None,
) -> StaffAssignment:
    """Save a new or changed role assignment (with a reviewer's categories) and audit it."""
    assignment.full_clean()
    chosen = list(categories) if categories is not None else None
    if assignment.role == StaffRole.REVIEWER and chosen is not None and not chosen:
        raise ValidationError(
            {
                "categories": ValidationError(
                    _("A reviewer reviews at least one service category."), code="no_categories"
                )
            }
        )
    assignment.save()
    if chosen is not None:
        assignment.categories.set(chosen)
    _sync_admin_flags(assignment.user)
    audit.record(
        AuditAction.ROLE_GRANTED,
        actor=by,
        subject=assignment.user,
        request=request,
        role=assignment.role,
        department_id=assignment.department_id,
        service_hall_id=assignment.service_hall_id,
        categories=sorted(c.code for c in assignment.categories.all()),
    )
    return assignment


@transaction.atomic
def revoke(
    assignment: StaffAssignment, *, by: User | None, request: HttpRequest | None = None
) -> None:
    user, role = assignment.user, assignment.role
    assignment.delete()
    _sync_admin_flags(user)
    audit.record(AuditAction.ROLE_REVOKED, actor=by, subject=user, request=request, role=role)
