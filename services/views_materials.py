"""Uploaded materials, served only through this permission-checked view: always as a download,
never rendered inline by the browser, whatever the file holds."""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse

from portal import audit, roles
from portal.auth import signed_in_user
from portal.middleware import session_has_mfa
from portal.models import User
from services import application_selectors as selectors
from services import permissions
from services.models.applications import Material, MaterialSource

# Nothing in the file may run, load or be framed, should a browser render it after all.
SANDBOX = "sandbox; default-src 'none'; frame-ancestors 'none'"


def _second_factor_first(request: HttpRequest, user: User) -> HttpResponse | None:
    """Staff read a citizen's file only in a session confirmed with a second factor, as on
    every /staff/ page (portal.middleware.StaffMFAMiddleware)."""
    if not settings.STAFF_MFA_REQUIRED or not (user.is_staff or roles.is_staff_member(user)):
        return None
    query = urlencode({"next": request.get_full_path()})
    if not is_mfa_enabled(user):
        return HttpResponseRedirect(f"{reverse('mfa_activate_totp')}?{query}")
    if not session_has_mfa(request):
        return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
    return None


@login_required
def material_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = signed_in_user(request)
    material = Material.objects.filter(pk=pk).first()
    if material is None:
        raise Http404
    # The same 404 as for a material that does not exist, for anyone who may not see the case.
    application = selectors.visible_application(user, material.application_id)
    if material.source != MaterialSource.UPLOAD or not material.file:
        raise Http404  # a certificate or paper seen at the counter has no file
    if not permissions.is_applicant(user, application):
        if (refused := _second_factor_first(request, user)) is not None:
            return refused
        audit.personal_data_viewed(
            actor=user,
            subject=application.applicant,
            fields=["materials"],
            reason="application material",
            request=request,
            application_id=application.pk,
            material_id=material.pk,
        )
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        # Django quotes the name, or encodes it (RFC 6266) when it holds anything unsafe.
        filename=material.file_name or "material",
        content_type=material.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
