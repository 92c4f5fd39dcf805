"""The back office (后台分类审批): the reviewer's queue, the department administrator's cases,
and one case with its decisions. Each action validates a form and calls one domain function;
a refusal is shown as a message on the case page with its HTTP status."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import audit
from portal.auth import signed_in_user
from portal.errors import Invalid, Refusal
from portal.models import User
from services import application_display as display
from services import application_selectors as selectors
from services import drafts, permissions, results, routing, workbench, workflow
from services.forms.workbench import (
    ApproveForm,
    DenyForm,
    ReassignForm,
    SupplementForm,
    refusal_onto,
)
from services.models.applications import Application, ApplicationStatus

PAGE_SIZE = 20
A = ApplicationStatus
DEPARTMENT_STATUSES = [s for s in A if s != A.DRAFT]


def _page(request: HttpRequest, rows: QuerySet[Application]) -> dict[str, Any]:
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page": page, "rows": workbench.rows(list(page.object_list))}


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The reviewer's queue: his department's cases of his categories, by tab and filter."""
    user = signed_in_user(request)
    admin_of, pairs = selectors.review_scopes(user)
    if not admin_of and not pairs:
        raise PermissionDenied(_("This page is for reviewers and department administrators."))
    cases = selectors.review_queue(user)
    decided = request.GET.get("tab") == "decided"
    statuses = workbench.DECIDED_STATUSES if decided else workbench.QUEUE_STATUSES
    filters = workbench.read_filters(request.GET, workbench.QUEUE_TABS, statuses)
    if decided:
        listed = selectors.decided_by(user)
        rows = workbench.decided_rows(listed, filters)
    else:
        listed, rows = cases, workbench.queue_rows(cases, user, filters)
    context = {
        "filters": filters,
        "tabs": workbench.QUEUE_TABS,
        "statuses": [(s.value, s.label) for s in statuses],
        "services": workbench.services_in(listed),
        "counts": workbench.sla_counts(cases),
        "is_department_admin": bool(admin_of),
        "query_string": _query_without_page(request),
        **_page(request, rows),
    }
    return render(request, "services/workbench/queue.html", context)


@login_required
def department(request: HttpRequest) -> HttpResponse:
    """All the cases of the departments he administers, with the unassigned and overdue."""
    user = signed_in_user(request)
    cases = selectors.department_cases(user)
    admin_of, _pairs = selectors.review_scopes(user)
    if not admin_of:
        raise PermissionDenied(_("This page is for department administrators."))
    filters = workbench.read_filters(
        request.GET, workbench.DEPARTMENT_TABS, [s.value for s in DEPARTMENT_STATUSES]
    )
    context = {
        "filters": filters,
        "tabs": workbench.DEPARTMENT_TABS,
        "statuses": [(s.value, s.label) for s in DEPARTMENT_STATUSES],
        "services": workbench.services_in(cases),
        "reviewers": workbench.department_reviewers(user),
        "counts": workbench.sla_counts(cases),
        "query_string": _query_without_page(request),
        **_page(request, workbench.department_rows(cases, filters)),
    }
    return render(request, "services/workbench/department.html", context)


# --- One case ------------------------------------------------------------------------------


def _case_page(
    request: HttpRequest, application: Application, *, status: int = 200, **forms: Any
) -> HttpResponse:
    user = signed_in_user(request)
    # Logged after the permission check (reviewable_application) and before anything is shown.
    audit.personal_data_viewed(
        actor=user,
        subject=application.applicant,
        fields=["answers", "id_number", "legal_name", "materials"],
        reason="application review",
        request=request,
        application_id=application.pk,
    )
    profile = getattr(application.applicant, "person_profile", None)
    step, service = application.review_step, application.service
    open_review = application.status in routing.OPEN_REVIEW
    is_admin = step is not None and permissions.is_department_admin(user, step.department_id)
    may_decide = application.status == A.IN_REVIEW and permissions.is_step_reviewer(
        user, application
    )
    context: dict[str, Any] = {
        "application": application,
        "profile": profile,
        "answers": display.answer_rows(drafts.definition_of(application), application.answers),
        "materials": workbench.material_rows(application, reader=user, request=request),
        "events": workbench.history(application),
        "row": workbench.rows([application])[0],
        # A case he decided may be in another queue now: he reads it, and may not claim it.
        "may_claim": open_review
        and application.assigned_to_id != user.pk
        and step is not None
        and service is not None
        and permissions.works_step(user, step.department_id, service.category_id, step.role),
        "may_release": open_review
        and application.assigned_to_id is not None
        and (application.assigned_to_id == user.pk or is_admin),
        "may_decide": may_decide,
        "approve_form": forms.get("approve_form") or _approve_form(application),
        "deny_form": forms.get("deny_form") or DenyForm(),
        "supplement_form": forms.get("supplement_form") or SupplementForm(),
    }
    if is_admin and open_review and step is not None and service is not None:
        reviewers = routing.queue_reviewers(step.department_id, service.category_id, step.role)
        context["reassign_form"] = forms.get("reassign_form") or ReassignForm(reviewers=reviewers)
    return render(request, "services/workbench/case.html", context, status=status)


def _case(request: HttpRequest, pk: int) -> Application:
    application = selectors.reviewable_application(signed_in_user(request), pk)
    # The applicant's profile for the masked name and number, in the same query.
    return Application.objects.select_related(
        "service__department",
        "service__category",
        "review_step__department",
        "assigned_to__person_profile",
        "applicant__person_profile",
        "organisation",
        "result_certificate",
    ).get(pk=application.pk)


@login_required
def workbench_case(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, _case(request, pk))


def _refused(
    request: HttpRequest, application: Application, refusal: Refusal, **forms: Any
) -> HttpResponse:
    messages.error(request, refusal.message)
    if isinstance(refusal, Invalid):
        for form in forms.values():
            refusal_onto(form, refusal)
    return _case_page(request, _case(request, application.pk), status=refusal.status, **forms)


def _done(request: HttpRequest, application: Application, message: str) -> HttpResponse:
    """Back to the case while it is in his queue or department; else to his queue, saying
    where it went."""
    messages.success(
        request,
        message % {"reference": application, "status": application.get_status_display()},
    )
    try:
        selectors.reviewable_application(signed_in_user(request), application.pk, decided=False)
    except Http404:
        return redirect("services:workbench")
    return redirect("services:workbench_case", pk=application.pk)


def _approve_form(application: Application, data: Any = None) -> ApproveForm:
    fields = results.fields_to_confirm(application)
    return ApproveForm(
        data,
        surface_fields=fields,
        prefilled=results.surface_values(application, fields),
    )


@login_required
@require_POST
def case_approve(request: HttpRequest, pk: int) -> HttpResponse:
    application = _case(request, pk)
    form = _approve_form(application, request.POST)
    if not form.is_valid():
        return _case_page(request, application, status=400, approve_form=form)
    try:
        moved = workflow.approve(
            application,
            by=signed_in_user(request),
            opinion=form.cleaned_data["opinion"],
            surface=form.surface() or None,
        )
    except Refusal as refusal:
        return _refused(request, application, refusal, approve_form=form)
    return _done(request, moved, _("%(reference)s approved: now “%(status)s”."))


@login_required
@require_POST
def case_deny(request: HttpRequest, pk: int) -> HttpResponse:
    application = _case(request, pk)
    form = DenyForm(request.POST)
    if not form.is_valid():
        return _case_page(request, application, status=400, deny_form=form)
    try:
        moved = workflow.deny(
            application, by=signed_in_user(request), reason=form.cleaned_data["reason"]
        )
    except Refusal as refusal:
        return _refused(request, application, refusal, deny_form=form)
    return _done(request, moved, _("%(reference)s denied: now “%(status)s”."))


@login_required
@require_POST
def case_supplement(request: HttpRequest, pk: int) -> HttpResponse:
    application = _case(request, pk)
    form = SupplementForm(request.POST)
    if not form.is_valid():
        return _case_page(request, application, status=400, supplement_form=form)
    try:
        moved = workflow.request_supplement(
            application,
            by=signed_in_user(request),
            items=form.item_list(),
            opinion=form.cleaned_data["opinion"],
        )
    except Refusal as refusal:
        return _refused(request, application, refusal, supplement_form=form)
    return _done(request, moved, _("%(reference)s sent back for supplement: now “%(status)s”."))


def _back(request: HttpRequest, application: Application) -> HttpResponse:
    """Where a claim or release was made from: the queue (with its filters) or the case."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect("services:workbench_case", pk=application.pk)


@login_required
@require_POST
def case_claim(request: HttpRequest, pk: int) -> HttpResponse:
    application = _case(request, pk)
    try:
        routing.claim(application, by=signed_in_user(request))
    except Refusal as refusal:
        return _refused(request, application, refusal)
    messages.success(request, _("%(reference)s is now yours.") % {"reference": application})
    return _back(request, application)


@login_required
@require_POST
def case_release(request: HttpRequest, pk: int) -> HttpResponse:
    application = _case(request, pk)
    try:
        routing.release(application, by=signed_in_user(request))
    except Refusal as refusal:
        return _refused(request, application, refusal)
    messages.success(
        request, _("%(reference)s is back in the queue, unassigned.") % {"reference": application}
    )
    return _back(request, application)


@login_required
@require_POST
def case_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    application = _case(request, pk)
    step, service = application.review_step, application.service
    if step is None or service is None:
        return _refused(request, application, workflow.illegal(application.status, "reassign"))
    reviewers = routing.queue_reviewers(step.department_id, service.category_id, step.role)
    form = ReassignForm(request.POST, reviewers=reviewers)
    if not form.is_valid():
        return _case_page(request, application, status=400, reassign_form=form)
    to: User = form.cleaned_data["reviewer"]
    try:
        routing.reassign(application, to=to, by=signed_in_user(request))
    except Refusal as refusal:
        return _refused(request, application, refusal, reassign_form=form)
    messages.success(
        request,
        _("%(reference)s is now assigned to %(name)s.")
        % {"reference": application, "name": to.display_name},
    )
    return redirect(reverse("services:workbench_case", args=[application.pk]))
