"""The rater's pages: rate a finished case (the form sits on the case page), add the one
follow-up comment, say whether the department's answer satisfies him; rate a window visit from
the QR code shown at the window. Refusals of the domain become messages (RefusalMiddleware)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from certificates.rendering import qr_data_uri
from portal import roles
from portal.auth import signed_in_user
from portal.errors import Invalid
from services import application_selectors, permissions, rating, rectification
from services import evaluation_selectors as selectors
from services.forms.evaluations import AnswerResponseForm, FollowUpForm, RatingForm
from services.models.applications import Application
from services.models.evaluations import Evaluation
from services.models.reservations import Ticket, TicketStatus


def _own_case(request: HttpRequest, pk: int) -> Application:
    """The signed-in person's own case (or his organisation's); anyone else's is a 404."""
    user = signed_in_user(request)
    application = application_selectors.visible_application(user, pk)
    if not permissions.is_applicant(user, application):
        raise Http404
    return application


def _form_errors(form: RatingForm, refusal: Invalid) -> None:
    for name, problems in refusal.fields.items():
        for problem in problems:
            form.add_error(name if name in form.fields else None, str(problem))
    if not refusal.fields:
        form.add_error(None, refusal.message)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def rate_application(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form on a page of its own (the case page shows the same form); POST: rate."""
    application = _own_case(request, pk)
    form = RatingForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                evaluation = rating.rate_application(
                    application,
                    by=signed_in_user(request),
                    level=form.cleaned_data["level"],
                    indicators=form.indicators(),
                    comment=form.cleaned_data["comment"],
                    tags=form.cleaned_data["tags"],
                )
            except Invalid as refusal:
                _form_errors(form, refusal)
            else:
                if evaluation.is_bad:
                    messages.success(
                        request,
                        _(
                            "Thank you for your rating. The department will look into it and "
                            "answer you here."
                        ),
                    )
                else:
                    messages.success(request, _("Thank you for your rating."))
                return redirect("services:application_detail", application.pk)
        status = 400
    elif not rating.may_rate(application, signed_in_user(request)):
        return redirect("services:application_detail", application.pk)
    return render(
        request,
        "services/evaluations/rate_application.html",
        {"application": application, "form": form},
        status=status,
    )


def _own_evaluation(request: HttpRequest, pk: int) -> Evaluation:
    application = _own_case(request, pk)
    evaluation = selectors.of_application(application)
    if evaluation is None or evaluation.rater_id != signed_in_user(request).pk:
        raise Http404
    return evaluation


@login_required
@require_POST
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _own_evaluation(request, pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write your follow-up comment (at most 500 characters)."))
        return redirect("services:application_detail", pk)
    rating.add_follow_up(evaluation, by=signed_in_user(request), text=form.cleaned_data["text"])
    messages.success(request, _("Your follow-up comment has been added."))
    return redirect("services:application_detail", pk)


@login_required
@require_POST
def answer_response(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant says whether the department's answer to his bad rating satisfies him."""
    evaluation = _own_evaluation(request, pk)
    rect = getattr(evaluation, "rectification", None)
    if rect is None:
        raise Http404
    form = AnswerResponseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say whether you are satisfied with the answer."))
        return redirect("services:application_detail", pk)
    move = (
        rectification.accept_answer
        if form.cleaned_data["satisfied"]
        else rectification.reject_answer
    )
    move(rect, by=signed_in_user(request), note=form.cleaned_data["note"])
    messages.success(request, _("Thank you: the department has your reply."))
    return redirect("services:application_detail", pk)


# --- On site: the QR code at the window -----------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def rate_visit(request: HttpRequest, token: str) -> HttpResponse:
    """一次一评 from the visitor's phone; no sign-in: the QR code is the right to rate."""
    ticket = rating.ticket_from_token(token)
    rated = Evaluation.objects.filter(ticket=ticket).first()
    form = RatingForm(request.POST if request.method == "POST" else None, on_site=True)
    status = 200
    if request.method == "POST" and rated is None:
        if form.is_valid():
            try:
                rated = rating.rate_ticket(
                    ticket,
                    by=signed_in_user(request) if request.user.is_authenticated else None,
                    level=form.cleaned_data["level"],
                    indicators=form.indicators(),
                    comment=form.cleaned_data["comment"],
                    tags=form.cleaned_data["tags"],
                    with_token=True,
                )
            except Invalid as refusal:
                _form_errors(form, refusal)
            else:
                messages.success(request, _("Thank you for your rating."))
                return redirect("services:rate_visit", token)
        status = 400
    return render(
        request,
        "services/evaluations/rate_visit.html",
        {
            "ticket": ticket,
            "form": form,
            "rated": rated,
            "finished": ticket.status == TicketStatus.DONE,
        },
        status=status,
    )


@login_required
@never_cache
def visit_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """What the window's screen shows after serving a visitor: the QR code to rate the visit.
    For the clerks of the ticket's hall."""
    user = signed_in_user(request)
    ticket = Ticket.objects.select_related("window", "hall").filter(pk=pk).first()
    if ticket is None or not (
        ticket.hall_id in permissions.clerk_hall_ids(user) or roles.is_system_admin(user)
    ):
        raise Http404
    url = request.build_absolute_uri(
        reverse("services:rate_visit", args=[rating.ticket_token(ticket)])
    )
    return render(
        request,
        "services/evaluations/visit_qr.html",
        {"ticket": ticket, "qr": qr_data_uri(url), "url": url},
    )
