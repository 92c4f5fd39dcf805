"""Pages of an application for the applicant and for the staff handling it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.auth import signed_in_user
from services import application_selectors as selectors


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.visible_application(signed_in_user(request), pk)
    return render(
        request,
        "services/applications/application_detail.html",
        selectors.detail_context(application, signed_in_user(request)),
    )


@login_required
def workbench_case(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.reviewable_application(signed_in_user(request), pk)
    return render(
        request,
        "services/applications/application_detail.html",
        selectors.detail_context(application, signed_in_user(request)),
    )
