"""The printed receipt (受理回执, page and PDF) and notices of a case, for the applicant and for
staff who may see the case (their read is audited: a receipt names the applicant)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from certificates.rendering import FontMissing
from portal.auth import signed_in_user
from services import application_selectors as selectors
from services import documents, staff_reads
from services.models.applications import Application


def _visible(request: HttpRequest, pk: int) -> tuple[Application, HttpResponse | None]:
    """The case, if he may see it, and for staff the second-factor redirect if one is due
    (the read is audited: a receipt names the applicant)."""
    user = signed_in_user(request)
    application = selectors.visible_application(user, pk)
    refused = staff_reads.guard(
        request, user, application, fields=["legal_name", "id_number"], reason="receipt"
    )
    return application, refused


@login_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    application, refused = _visible(request, pk)
    if refused is not None:
        return refused
    return render(
        request,
        "services/counter/document.html",
        {"application": application, "document": documents.receipt(application), "pdf": True},
    )


@login_required
def receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    application, refused = _visible(request, pk)
    if refused is not None:
        return refused
    document = documents.receipt(application)
    try:
        content = documents.pdf(document)
    except FontMissing:
        messages.error(request, _("The PDF cannot be made on this server: a font is missing."))
        return redirect("services:receipt", pk=application.pk)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{document.number}.pdf"'
    return response


@login_required
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    application, refused = _visible(request, pk)
    if refused is not None:
        return refused
    if application.service_id is None:
        raise Http404  # a bundle's parent has no notice of its own: its children have
    return render(
        request,
        "services/counter/document.html",
        {"application": application, "document": documents.notice(application), "pdf": False},
    )
