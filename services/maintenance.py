"""Who maintains which part of the catalogue, and the audit row for every change.

Department administrators maintain their own departments' services (with materials, forms
and review steps); system administrators maintain everything, bundles included.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Model
from django.http import HttpRequest

from portal import audit, roles
from portal.models import AuditAction, AuditEvent, StaffRole, User


def is_system_admin(user: User) -> bool:
    return roles.is_system_admin(user)


def administered_departments(user: User) -> set[int]:
    """Ids of the departments whose services the user maintains."""
    return roles.department_ids(user, StaffRole.DEPARTMENT_ADMIN)


def may_maintain_catalogue(user: User) -> bool:
    return is_system_admin(user) or bool(administered_departments(user))


def may_maintain_department(user: User, department_id: int | None) -> bool:
    """Whether the user may change services of this department (None: a new service)."""
    if is_system_admin(user):
        return True
    departments = administered_departments(user)
    return bool(departments) if department_id is None else department_id in departments


def record_change(
    obj: Model,
    *,
    by: User,
    change: str,
    fields: Iterable[str] = (),
    request: HttpRequest | None = None,
    **detail: Any,
) -> AuditEvent:
    """One audit row for a created, changed or deleted catalogue row."""
    return audit.record(
        AuditAction.CATALOGUE_CHANGED,
        actor=by,
        fields=fields,
        request=request,
        model=obj._meta.label_lower,
        object_id=obj.pk if isinstance(obj.pk, int) else str(obj.pk),
        object=str(obj)[:100],
        change=change,
        **detail,
    )
