"""The results window (统一窗口出件): a clerk finds a result waiting at his halls by pickup code
or by the applicant's ID number (an audited look-up) and hands it over, which completes the
case."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal import desk
from portal.errors import Refusal
from services import counter, workflow
from services.forms.counter import PickupCodeForm, PickupIdentifyForm
from services.models.applications import Application
from services.views.counter import clerk_of


@login_required
@require_http_methods(["GET", "POST"])
def pickup(request: HttpRequest) -> HttpResponse:
    """Find a result waiting at his halls by pickup code or by the applicant's ID number."""
    clerk = clerk_of(request)
    by = request.POST.get("by", "")
    code_form = PickupCodeForm(request.POST if by == "code" else None)
    person_form = PickupIdentifyForm(request.POST if by == "person" else None)
    results: list[Application] | None = None
    status = 200
    if request.method == "POST":
        if by == "code" and code_form.is_valid():
            results = list(
                counter.waiting_results(clerk, pickup_code=code_form.cleaned_data["pickup_code"])
            )
        elif by == "person" and person_form.is_valid():
            person, warning = desk.look_up(
                request,
                person_form.cleaned_data["id_number"],
                by=clerk,
                reason=person_form.cleaned_data["reason"],
            )
            if warning:
                messages.warning(request, warning)
            results = (
                list(counter.waiting_results(clerk, applicant=person.user))
                if person is not None
                else []
            )
            person_form = PickupIdentifyForm(initial={"reason": person_form.cleaned_data["reason"]})
        else:
            status = 400
    if results:
        results = list(
            Application.objects.filter(pk__in=[r.pk for r in results])
            .select_related("service", "service__department", "applicant__person_profile")
            .prefetch_related(Prefetch("materials"))
            .order_by("decided_at", "id")
        )
    return render(
        request,
        "services/counter/pickup.html",
        {"code_form": code_form, "person_form": person_form, "results": results},
        status=status,
    )


@login_required
@require_POST
def hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    clerk = clerk_of(request)
    application = counter.waiting_result(clerk, pk)
    try:
        workflow.hand_over(application, by=clerk)
    except Refusal as exc:
        messages.error(request, exc.message)
        return redirect("services:pickup")
    messages.success(
        request,
        _("Handed over: %(service)s, %(number)s. The case is completed.")
        % {"service": application.title(), "number": application.acceptance_number or ""},
    )
    return redirect("services:pickup")
