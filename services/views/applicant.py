"""The applicant's pages: apply online (a service or a bundle), 我的办件, one application with
its supplement and withdrawal, and the public progress page. Thin: read, call one domain
function, render; a refusal is shown as its message with its HTTP status."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from certificates import selectors as certificate_selectors
from certificates.models import CertificateStatus
from portal import organisations
from portal.auth import signed_in_user
from portal.errors import Invalid, Refusal
from portal.models import Organisation, User
from services import application_display as display
from services import application_selectors as selectors
from services import deadlines, drafts, formdefs, materials, permissions, staff_reads, workflow
from services import selectors as catalogue
from services.forms.applicant import (
    MaterialSlot,
    StartForm,
    StatusFilterForm,
    WithdrawForm,
    bundle_choices_form,
    material_choices,
    slot_for,
)
from services.models import ApplicantKind, Bundle, Service
from services.models.applications import Application, ApplicationStatus

A = ApplicationStatus
PAGE_SIZE = 20
START_TOKENS = "services_start_tokens"
SUPPLEMENT_STATUSES = (A.AWAITING_SUPPLEMENT, A.REVIEW_SUPPLEMENT)


# --- Starting -----------------------------------------------------------------------------


def _organisation_for(request: HttpRequest, kind: str) -> Organisation | None:
    """The organisation applied for: the one the session acts for, where the service is open
    to organisations; a person's service is always applied for in his own name."""
    if kind == ApplicantKind.PERSON:
        return None
    return organisations.acting_organisation(request)


def _start_page(
    request: HttpRequest,
    *,
    service: Service | None = None,
    bundle: Bundle | None = None,
) -> HttpResponse:
    user = signed_in_user(request)
    kind = service.applicant_kind if service else _bundle_kind(bundle)
    organisation = _organisation_for(request, kind)
    needs_organisation = kind == ApplicantKind.ORGANISATION and organisation is None
    status = 200
    if request.method == "POST" and not needs_organisation:
        form = StartForm(request.POST)
        if form.is_valid():
            tokens: dict[str, int] = request.session.get(START_TOKENS, {})
            earlier = tokens.get(form.cleaned_data["token"])
            if earlier is not None:  # a double click or the back button: the same draft
                return redirect("services:application_edit", earlier)
            try:
                application = drafts.start(
                    by=user, service=service, bundle=bundle, organisation=organisation
                )
            except Refusal as exc:
                messages.error(request, exc.message)
                status = exc.status
            else:
                tokens[form.cleaned_data["token"]] = application.pk
                request.session[START_TOKENS] = dict(list(tokens.items())[-20:])
                return redirect("services:application_edit", application.pk)
        else:
            status = 400
    open_drafts = selectors.mine(user).filter(
        status=A.DRAFT, service=service, bundle=bundle, organisation=organisation
    )
    return render(
        request,
        "services/applications/application_start.html",
        {
            "service": service,
            "bundle": bundle,
            "title": service.display_name if service else bundle.display_name,  # type: ignore[union-attr]
            "organisation": organisation,
            "needs_organisation": needs_organisation,
            "drafts": list(open_drafts[:5]),
            "form": StartForm.new(),
        },
        status=400 if needs_organisation and request.method == "POST" else status,
    )


def _bundle_kind(bundle: Bundle | None) -> str:
    assert bundle is not None
    kinds = {m.service.applicant_kind for m in bundle.members.all()}  # prefetched
    return (
        ApplicantKind.ORGANISATION if ApplicantKind.ORGANISATION in kinds else ApplicantKind.PERSON
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def apply_service(request: HttpRequest, code: str) -> HttpResponse:
    try:
        service = catalogue.service(code)
    except Service.DoesNotExist:
        raise Http404(_("No such service.")) from None
    return _start_page(request, service=service)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def apply_bundle(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        bundle = catalogue.bundle(slug)
    except Bundle.DoesNotExist:
        raise Http404(_("No such bundle.")) from None
    return _start_page(request, bundle=bundle)


# --- Filling in, handing in, supplementing --------------------------------------------------


def _own_application(request: HttpRequest, pk: int) -> Application:
    """The case if the signed-in person applied for it (or acts for its organisation)."""
    user = signed_in_user(request)
    application = selectors.visible_application(user, pk)
    if not permissions.is_applicant(user, application):
        raise Http404
    return application


def _slots(application: Application, user: User) -> list[MaterialSlot]:
    held = list(
        certificate_selectors.wallet(user).filter(status=CertificateStatus.VALID)
        if user.is_active
        else []
    )
    handed_in = list(application.materials.select_related("requirement", "certificate__type"))
    return slot_for(application, materials.requirements_of(application), handed_in, held)


def _initial(answers: dict[str, Any]) -> dict[str, Any]:
    # Stored answers are typed after submitting; the form shows booleans as its radio values.
    return {k: ("yes" if v is True else "no" if v is False else v) for k, v in answers.items()}


def _bundle_form(application: Application, data: Any = None) -> Any:
    if not application.is_bundle:
        return None
    optional = [
        (m.service.code, m.service.display_name)
        for m in application.bundle.members.filter(required=False).select_related("service")  # type: ignore[union-attr]
    ]
    if not optional:
        return None
    return bundle_choices_form(optional, list(application.bundle_choices), data)


def edit_context(
    application: Application,
    user: User,
    *,
    form: Any = None,
    bundle_form: Any = None,
    slots: list[MaterialSlot] | None = None,
    summary: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    definition = drafts.definition_of(application)
    if form is None:
        form = formdefs.build_form(definition)
        form.initial = _initial(application.answers)
    return {
        "application": application,
        "form": form,
        "bundle_form": bundle_form if bundle_form is not None else _bundle_form(application),
        "slots": slots if slots is not None else _slots(application, user),
        "summary": summary or [],
        "supplement": application.status in SUPPLEMENT_STATUSES,
    }


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    user = signed_in_user(request)
    if application.status not in materials.EDITABLE:
        if request.method == "POST":
            messages.info(request, _("This application has already been handed in."))
        return redirect("services:application_detail", application.pk)
    if request.method == "GET":
        return render(
            request,
            "services/applications/application_edit.html",
            edit_context(application, user),
        )
    return _save_and_maybe_submit(request, application, user)


def _save_and_maybe_submit(
    request: HttpRequest, application: Application, user: User
) -> HttpResponse:
    definition = drafts.definition_of(application)
    keys = [f["key"] for f in definition.get("fields", [])]
    answers = {k: request.POST.get(k, "") for k in keys if request.POST.get(k, "").strip()}
    bundle_form = _bundle_form(application, request.POST)
    chosen = (
        bundle_form.cleaned_data["bundle_choices"]
        if bundle_form is not None and bundle_form.is_valid()
        else None
    )
    form = formdefs.build_form(definition, request.POST)
    slots = _slots(application, user)
    summary: list[tuple[str, str]] = []
    try:
        application = drafts.save_answers(
            application, by=user, answers=answers, bundle_choices=chosen
        )
    except Refusal as exc:
        summary.append(("", exc.message))
    for choice in material_choices(slots, request.POST, request.FILES):
        try:
            if choice.upload is not None:
                choice.slot.current = materials.attach_upload(
                    application,
                    choice.slot.requirement,
                    choice.upload,
                    name=choice.upload.name or "upload",
                    by=user,
                )
            elif choice.certificate is not None:
                choice.slot.current = materials.attach_certificate(
                    application, choice.slot.requirement, choice.certificate, by=user
                )
        except Refusal as exc:
            fields = exc.fields.get("file") or exc.fields.get("certificate") or [exc.message]
            choice.slot.errors.extend(str(m) for m in fields)
    for slot in slots:
        summary.extend((f"#{slot.anchor}", f"{slot.requirement.name}: {e}") for e in slot.errors)
    handing_in = request.POST.get("_do") == "submit"
    if not summary and handing_in:
        try:
            done = _hand_in(application, user, request.POST.get("_note", ""))
        except Invalid as exc:
            summary = _problems(exc, form, slots, application)
        except Refusal as exc:
            summary = [("", exc.message)]
        else:
            if done.status == A.SUBMITTED and done.submitted_at and done.parent_id is None:
                messages.success(request, _("Your application has been handed in."))
            else:
                messages.success(request, _("Your supplement has been handed in."))
            return redirect("services:application_detail", done.pk)
    if summary:
        if not handing_in:  # a draft may be incomplete: only the save's own problems show
            form = formdefs.build_form(definition)
            form.initial = request.POST
        context = edit_context(
            application, user, form=form, bundle_form=bundle_form, slots=slots, summary=summary
        )
        return render(request, "services/applications/application_edit.html", context, status=400)
    messages.success(request, _("Your draft has been saved."))
    return redirect("services:application_edit", application.pk)


def _hand_in(application: Application, user: User, note: str) -> Application:
    if application.status == A.DRAFT:
        return drafts.submit_draft(application, by=user)
    return drafts.resubmit(application, by=user, note=note)


def _problems(
    exc: Invalid, form: Any, slots: list[MaterialSlot], application: Application
) -> list[tuple[str, str]]:
    """Every missing answer and material at once, each linking to its place on the page."""
    summary: list[tuple[str, str]] = []
    form.is_valid()  # the same check as the domain's: the messages show beside each field
    for key, errors in exc.fields.items():
        if key == "materials":
            continue
        if key in form.fields:
            summary.extend((f"#{form[key].auto_id}", f"{form[key].label}: {e}") for e in errors)
        elif key == "bundle_choices":
            summary.extend(("#bundle-choices", str(e)) for e in errors)
        else:
            summary.extend(("", str(e)) for e in errors)
    if "materials" in exc.fields:
        absent = {r.key for r in materials.missing(application)}
        for slot in slots:
            if slot.requirement.key in absent:
                message = _("Upload a file or choose an e-certificate.")
                slot.errors.append(message)
                summary.append((f"#{slot.anchor}", f"{slot.requirement.name}: {message}"))
    return summary or [("", exc.message)]


# --- 我的办件 ------------------------------------------------------------------------------


@login_required
@never_cache
def my_applications(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    filter_form = StatusFilterForm(request.GET)
    cases = selectors.mine(user).select_related("organisation")
    status = filter_form.cleaned_data["status"] if filter_form.is_valid() else ""
    if status:
        cases = cases.filter(status=status)
    page = Paginator(cases.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    left = deadlines.remaining(rows)
    return render(
        request,
        "services/applications/application_list.html",
        {
            "page": page,
            "rows": [(app, left.get(app.pk), display.next_step(app)) for app in rows],
            "filter_form": filter_form,
            "query_string": f"status={status}" if status else "",
        },
    )


# --- One application ------------------------------------------------------------------------


@login_required
@never_cache
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    application = selectors.visible_application(user, pk)
    refused = staff_reads.guard(
        request, user, application, fields=["answers", "materials"], reason="application page"
    )
    if refused is not None:
        return refused
    context = selectors.detail_context(application, user)
    is_applicant = context["is_applicant"]
    context.update(
        {
            "timeline": display.timeline(context["events"], for_applicant=is_applicant),
            "answers": display.answer_rows(drafts.definition_of(application), application.answers),
            # The receipt exists once the case is accepted; the intake notice once it was
            # refused or sent back at intake (services.documents).
            "receipt_url": display.optional_url("services:receipt", application.pk)
            if application.accepted_at and application.acceptance_number
            else "",
            "notice": display.intake_notice(context["events"]),
            "next_step": display.next_step(application),
            "may_withdraw": is_applicant and application.status in workflow.WITHDRAWABLE,
        }
    )
    for material in context["materials"]:
        material.download_url = display.optional_url("services:material_download", material.pk)
    if is_applicant and application.status in SUPPLEMENT_STATUSES:
        context["edit"] = edit_context(application, user)
    return render(request, "services/applications/application_detail.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                workflow.withdraw(
                    application, by=signed_in_user(request), reason=form.cleaned_data["reason"]
                )
            except Refusal as exc:
                messages.error(request, exc.message)
                return redirect("services:application_detail", application.pk)
            messages.success(request, _("Your application has been withdrawn."))
            return redirect("services:application_detail", application.pk)
        status = 400
    if application.status not in workflow.WITHDRAWABLE:
        messages.info(request, workflow.illegal(application.status, "withdraw").message)
        return redirect("services:application_detail", application.pk)
    return render(
        request,
        "services/applications/application_withdraw.html",
        {"application": application, "form": form},
        status=status,
    )


# --- Public progress ------------------------------------------------------------------------


@never_cache
def track(request: HttpRequest, token: str) -> HttpResponse:
    """办件进度查询 for anyone with the link: the status and dates, nothing personal."""
    application = (
        Application.objects.select_related("service", "bundle")
        .filter(tracking_token=token[:32])
        .exclude(status=A.DRAFT)
        .first()
    )
    if application is None:
        raise Http404(_("No application has this tracking link."))
    response = render(
        request,
        "services/applications/application_track.html",
        {
            "application": application,
            "left": deadlines.remaining([application]).get(application.pk),
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
