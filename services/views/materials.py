"""Uploaded materials, served only through this permission-checked view: always as a download,
never rendered inline by the browser, whatever the file holds."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase

from portal.auth import signed_in_user
from services import application_selectors as selectors
from services import staff_reads
from services.models.applications import Material, MaterialSource

# Nothing in the file may run, load or be framed, should a browser render it after all.
SANDBOX = "sandbox; default-src 'none'; frame-ancestors 'none'"


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
    refused = staff_reads.guard(
        request,
        user,
        application,
        fields=["materials"],
        reason="application material",
        material_id=material.pk,
    )
    if refused is not None:
        return refused
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        # The stem of the stored name with the extension of the content's type, also for a
        # material stored before names were made safe ("证书.pdf.hta" → "证书.pdf"), as every
        # page shows it. Django quotes the name, or encodes it (RFC 6266) when it holds anything
        # else.
        filename=material.shown_name,
        content_type=material.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
