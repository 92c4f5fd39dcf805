"""The window clerk's intake pages: the intake queue, counter intake (窗口收件) for a walk-in
applicant, and deciding on intake (accept, one supplement notice, refuse). The printed receipt
and notices are in ``documents``, the results window (统一窗口出件) in ``pickup``.

Thin: each view validates, calls one domain function and renders. A clerk may take in, accept,
ask for supplement and refuse at his halls; he never reviews or decides (the workflow refuses).
"""

from __future__ import annotations

from typing import IO, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal import desk
from portal import organisations as orgs
from portal.errors import Refusal
from portal.forms import IdentifyForm
from portal.models import Organisation, User
from services import application_selectors as selectors
from services import counter, drafts, formdefs, materials, workflow
from services.application_display import answer_rows, timeline
from services.forms.counter import (
    ACCEPT,
    REFUSE,
    SUPPLEMENT,
    IdentifyAccountForm,
    RefuseForm,
    ServiceSearchForm,
    SupplementForm,
)
from services.models.applications import Application, ApplicationStatus, Channel
from services.views.catalogue import paginate

A = ApplicationStatus


def clerk_of(request: HttpRequest) -> User:
    return desk.require_clerk(request, _("Only window clerks take applications in."))


# --- The intake queue ---------------------------------------------------------------------


@login_required
def intake_queue(request: HttpRequest) -> HttpResponse:
    clerk = clerk_of(request)
    queue = (
        selectors.intake_queue(clerk)
        .select_related("applicant__person_profile", "organisation")
        .order_by("submitted_at", "id")
    )
    return render(
        request,
        "services/counter/intake_queue.html",
        {
            "page": paginate(request, queue),
            "drafts": list(
                counter.my_counter_drafts(clerk).select_related("applicant__person_profile")[:20]
            ),
        },
    )


# --- Counter intake: the applicant, the service, the draft ------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def counter_start(request: HttpRequest) -> HttpResponse:
    """Identify the walk-in applicant (audited look-up by ID number or by his account), then
    choose for whom (himself or an organisation he acts for) and the service."""
    clerk = clerk_of(request)
    by_account = request.method == "POST" and "account-account" in request.POST
    identify_form = IdentifyForm(
        request.POST if request.method == "POST" and not by_account else None
    )
    account_form = IdentifyAccountForm(request.POST if by_account else None)
    status = 200
    if request.method == "POST":
        if by_account and account_form.is_valid():
            return _look_up_account(request, clerk, account_form)
        if not by_account and identify_form.is_valid():
            person, warning = desk.look_up(
                request,
                identify_form.cleaned_data["id_number"],
                by=clerk,
                reason=identify_form.cleaned_data["reason"],
            )
            if warning:
                messages.warning(request, warning)
            if person is None:
                messages.error(
                    request,
                    _(
                        "No account is registered with this ID number. Help the citizen sign "
                        "up and declare the number, then look it up again."
                    ),
                )
            return redirect("services:counter_start")
        status = 400
    person = desk.identified(request)
    search = ServiceSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    organisations = list(orgs.for_user(person.user)) if person else []
    acting = _chosen_organisation(organisations, request.GET.get("as", ""))
    return render(
        request,
        "services/counter/counter_start.html",
        {
            "person": person,
            "identify_form": identify_form,
            "account_form": account_form,
            "organisations": organisations,
            "acting": acting,
            "search": search,
            "query": query,
            "services": list(counter.services_at_halls(clerk, query)[:30]),
        },
        status=status,
    )


def _look_up_account(request: HttpRequest, clerk: User, form: IdentifyAccountForm) -> HttpResponse:
    user, person = desk.look_up_account(
        request, form.cleaned_data["account"], by=clerk, reason=form.cleaned_data["reason"]
    )
    if user is None:
        messages.error(
            request,
            _(
                "No account signs in with this verified mobile number or e-mail. Look the "
                "citizen up by the number on their ID card instead."
            ),
        )
    elif person is None:
        messages.error(
            request,
            _(
                "This account has not declared a real name yet. Help the citizen declare it "
                "(name and ID number), then look them up again."
            ),
        )
    return redirect("services:counter_start")


def _chosen_organisation(organisations: list[Organisation], value: str) -> Organisation | None:
    """The organisation the applicant acts for at the desk, if he acts for it (else himself)."""
    return next((o for o in organisations if str(o.pk) == value.strip()), None)


@login_required
@require_POST
def counter_new_draft(request: HttpRequest) -> HttpResponse:
    """Create the counter draft for the citizen on the desk (one per citizen and service)."""
    clerk = clerk_of(request)
    person = desk.identified(request)
    if person is None:
        messages.error(request, _("Look the applicant up by the number on their ID card first."))
        return redirect("services:counter_start")
    service = get_object_or_404(
        counter.services_at_halls(clerk), code=request.POST.get("service", "")[:40]
    )
    organisation = _chosen_organisation(
        list(orgs.for_user(person.user)), request.POST.get("organisation", "")
    )
    if request.POST.get("organisation") and organisation is None:
        messages.error(request, _("The applicant does not act for this organisation."))
        return redirect("services:counter_start")
    earlier = counter.my_counter_drafts(clerk).filter(
        applicant=person.user, service=service, organisation=organisation
    )
    if (draft := earlier.first()) is not None:  # a double click or the back button
        return redirect("services:counter_intake", pk=draft.pk)
    try:
        draft = drafts.start(
            by=clerk,
            service=service,
            applicant=person.user,
            organisation=organisation,
            hall=counter.hall_for(clerk, service),
            channel=Channel.COUNTER,
        )
    except Refusal as exc:
        messages.error(request, exc.message)
        return redirect("services:counter_start")
    return redirect("services:counter_intake", pk=draft.pk)


# --- The intake page: fill in, check materials, hand in; then decide --------------------


def _answer_form(application: Application, data: Any = None) -> formdefs.DefinedForm:
    form = formdefs.build_form(drafts.definition_of(application), data)
    if data is None:
        form.initial = {
            key: ("yes" if value is True else "no" if value is False else value)
            for key, value in application.answers.items()
        }
    return form


def _material_rows(application: Application, errors: dict[int, str]) -> list[dict[str, Any]]:
    held = {m.requirement_id: m for m in application.materials.all()}
    rows = []
    for requirement in materials.requirements_of(application):
        material = held.get(requirement.pk)
        download = ""
        if material is not None and material.file:
            try:
                download = reverse("services:material_download", args=[material.pk])
            except NoReverseMatch:
                download = ""
        rows.append(
            {
                "requirement": requirement,
                "material": material,
                "download": download,
                "error": errors.get(requirement.pk, ""),
            }
        )
    return rows


def _intake_page(
    request: HttpRequest,
    application: Application,
    *,
    answer_form: formdefs.DefinedForm | None = None,
    material_errors: dict[int, str] | None = None,
    supplement_form: SupplementForm | None = None,
    refuse_form: RefuseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "application": application,
        "materials": _material_rows(application, material_errors or {}),
        "timeline": timeline(
            application.events.select_related("actor__person_profile").order_by("at", "id"),
            for_applicant=False,
        ),
    }
    if application.status == A.DRAFT:
        context["answer_form"] = answer_form or _answer_form(application)
    else:
        context["answers"] = answer_rows(drafts.definition_of(application), application.answers)
    if application.status == A.SUBMITTED:
        context["supplement_form"] = supplement_form or SupplementForm()
        context["refuse_form"] = refuse_form or RefuseForm()
    return render(request, "services/counter/intake.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def counter_intake(request: HttpRequest, pk: int) -> HttpResponse:
    clerk = clerk_of(request)
    application = counter.intake_case(clerk, pk)
    if request.method == "GET":
        return _intake_page(request, application)
    if application.status != A.DRAFT:
        messages.error(request, _("This application has been handed in already."))
        return redirect("services:counter_intake", pk=pk)
    form = _answer_form(application, request.POST)
    form.is_valid()  # the errors show on the page; the answers are kept as typed
    answers = {
        key: value
        for key in form.fields
        if (value := request.POST.get(key, "").strip()) and "\x00" not in value
    }
    try:
        drafts.save_answers(application, by=clerk, answers=answers)
    except Refusal as exc:
        messages.error(request, exc.message)
        return _intake_page(request, application, answer_form=form, status=exc.status)
    material_errors = counter.apply_checklist(
        application,
        by=clerk,
        ticks={
            r.pk: counter.Tick(
                request.POST.get(f"seen-{r.pk}") == "on", request.POST.get(f"copy-{r.pk}") == "on"
            )
            for r in materials.requirements_of(application)
        },
        files=_scans(request),
    )
    if material_errors:
        return _intake_page(
            request, application, answer_form=form, material_errors=material_errors, status=400
        )
    if request.POST.get("action") != "hand_in":
        messages.success(request, _("Saved."))
        return redirect("services:counter_intake", pk=pk)
    try:
        drafts.submit_draft(application, by=clerk)
    except Refusal as exc:
        for key, problems in exc.fields.items():
            if key in form.fields and not form.has_error(key):
                form.add_error(key, ValidationError(problems))
        messages.error(request, exc.message)
        application.refresh_from_db()
        return _intake_page(request, application, answer_form=form, status=exc.status)
    messages.success(
        request, _("Handed in. Check the materials, then accept, ask for more, or refuse.")
    )
    return redirect("services:counter_intake", pk=pk)


def _scans(request: HttpRequest) -> dict[int, tuple[IO[bytes], str]]:
    """The scans sent, by requirement id (inputs named ``file-<id>``)."""
    scans: dict[int, tuple[IO[bytes], str]] = {}
    for key in request.FILES:
        pk = key.removeprefix("file-")
        upload = request.FILES.get(key)
        if key.startswith("file-") and pk.isdigit() and upload is not None:
            scans[int(pk)] = (upload, upload.name or "scan")  # type: ignore[arg-type]
    return scans


@login_required
@require_POST
def counter_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """受理 / 一次性告知 / 不予受理 at once, at the counter or for an online application."""
    clerk = clerk_of(request)
    application = counter.intake_case(clerk, pk)
    action = request.POST.get("action", "")
    supplement_form = SupplementForm(request.POST if action == SUPPLEMENT else None)
    refuse_form = RefuseForm(request.POST if action == REFUSE else None)
    try:
        if action == ACCEPT:
            workflow.accept(application, by=clerk)
            messages.success(request, _("Accepted. Print the receipt for the applicant."))
            return redirect("services:receipt", pk=pk)
        if action == SUPPLEMENT and supplement_form.is_valid():
            workflow.request_supplement(application, by=clerk, items=supplement_form.item_list())
            messages.success(request, _("The applicant has been told what to supplement."))
            return redirect("services:notice", pk=pk)
        if action == REFUSE and refuse_form.is_valid():
            workflow.refuse(application, by=clerk, reason=refuse_form.cleaned_data["reason"])
            messages.success(request, _("Not accepted. Print the notice for the applicant."))
            return redirect("services:notice", pk=pk)
        if action not in (ACCEPT, SUPPLEMENT, REFUSE):
            messages.error(request, _("At the window you may accept, ask for more, or refuse."))
    except Refusal as exc:
        messages.error(request, exc.message)
        application.refresh_from_db()
        return _intake_page(
            request,
            application,
            supplement_form=supplement_form,
            refuse_form=refuse_form,
            status=exc.status,
        )
    return _intake_page(
        request, application, supplement_form=supplement_form, refuse_form=refuse_form, status=400
    )
