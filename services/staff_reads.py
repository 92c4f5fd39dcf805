"""A staff member reading a citizen's case outside /staff/ (the case page, the receipt, a
material): in a session confirmed with a second factor, as every /staff/ page requires
(portal.middleware.StaffMFAMiddleware), and audited after the permission check."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse

from portal import audit
from portal.middleware import second_factor_redirect
from portal.models import User
from services import permissions
from services.models.applications import Application


def guard(
    request: HttpRequest,
    user: User,
    application: Application,
    *,
    fields: Iterable[str],
    reason: str,
    **detail: Any,
) -> HttpResponse | None:
    """Nothing for the applicant himself; for anyone else (staff the selectors let see the
    case) the second factor first, then one audit row. Returns the redirect if one is due."""
    if permissions.is_applicant(user, application):
        return None
    if (refused := second_factor_redirect(request, user)) is not None:
        return refused
    audit.personal_data_viewed(
        actor=user,
        subject=application.applicant,
        fields=fields,
        reason=reason,
        request=request,
        application_id=application.pk,
        **detail,
    )
    return None
