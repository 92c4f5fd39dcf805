"""A staff member reading a citizen's case outside /staff/ (the case page, the receipt, a
material): in a session confirmed with a second factor, as every /staff/ page requires
(portal.middleware.StaffMFAMiddleware), and audited after the permission check."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from portal import audit, roles
from portal.middleware import session_has_mfa
from portal.models import User
from services import permissions
from services.models.applications import Application


def second_factor_first(request: HttpRequest, user: User) -> HttpResponse | None:
    """The redirect to set up or confirm the second factor, or None when the session has it."""
    if not settings.STAFF_MFA_REQUIRED or not (user.is_staff or roles.is_staff_member(user)):
        return None
    query = urlencode({"next": request.get_full_path()})
    if not is_mfa_enabled(user):
        return HttpResponseRedirect(f"{reverse('mfa_activate_totp')}?{query}")
    if not session_has_mfa(request):
        return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
    return None


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
    if (refused := second_factor_first(request, user)) is not None:
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
