"""Site pages: home, profile, real-name, organisations, the staff entry and the clerk's look-up."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import organisations, realname, roles
from portal.auth import signed_in_user
from portal.forms import AgentForm, IdentifyForm, OrganisationForm, RealNameForm, apply_errors
from portal.models import OrganisationAgent, PersonProfile, StaffRole, User


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "portal/profile.html",
        {
            "person": PersonProfile.objects.filter(user=user).first(),
            "organisations": organisations.for_user(user).select_related("legal_representative"),
            "acting": organisations.acting_organisation(request),
        },
    )


@login_required
def realname_declare(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = RealNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            realname.declare(user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your real-name information has been saved."))
            return redirect("portal:profile")
    person = PersonProfile.objects.filter(user=user).first()
    return render(request, "portal/realname_form.html", {"form": form, "person": person})


@login_required
def organisation_register(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisations.register(signed_in_user(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The organisation has been registered."))
            return redirect("portal:profile")
    return render(request, "portal/organisation_form.html", {"form": form})


@login_required
def organisation_agents(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(
        organisations.for_user(signed_in_user(request)),
        pk=pk,
        legal_representative=signed_in_user(request),
    )
    form = AgentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisations.authorise_agent(
                organisation,
                phone=form.cleaned_data["phone"],
                by=signed_in_user(request),
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The agent has been authorised."))
            return redirect("portal:organisation_agents", pk=pk)
    agents = organisation.agents.filter(revoked_at__isnull=True).select_related(
        "user__person_profile"
    )
    return render(
        request,
        "portal/organisation_agents.html",
        {"organisation": organisation, "agents": agents, "form": form},
    )


@login_required
@require_POST
def organisation_agent_revoke(request: HttpRequest, pk: int, agent_pk: int) -> HttpResponse:
    agent = get_object_or_404(
        OrganisationAgent.objects.select_related("organisation"),
        pk=agent_pk,
        organisation_id=pk,
        organisation__legal_representative=signed_in_user(request),
    )
    organisations.revoke_agent(agent, by=signed_in_user(request), request=request)
    messages.success(request, _("The agent's authorisation has been withdrawn."))
    return redirect("portal:organisation_agents", pk=pk)


@login_required
@require_POST
def act_for(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("organisation", "")
    try:
        organisation = organisations.act_for(request, int(raw) if raw.isdigit() else None)
    except PermissionError:
        raise Http404 from None
    if organisation:
        messages.info(request, _("You are now acting for %(name)s.") % {"name": organisation})
    else:
        messages.info(request, _("You are now acting for yourself."))
    return redirect("portal:profile")


def _require_staff(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not roles.is_staff_member(user):
        raise PermissionDenied(_("This page is for staff only."))
    return user


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    user = _require_staff(request)
    assignments = user.staff_assignments.select_related(
        "department", "service_hall"
    ).prefetch_related("categories")
    return render(request, "portal/staff_home.html", {"assignments": assignments})


@login_required
def staff_identify(request: HttpRequest) -> HttpResponse:
    user = _require_staff(request)
    if not roles.has_role(user, StaffRole.CLERK):
        raise PermissionDenied(_("Only window clerks identify citizens."))
    form = IdentifyForm(request.POST or None)
    person = None
    searched = False
    if request.method == "POST" and form.is_valid():
        searched = True
        person = realname.find_person(
            form.cleaned_data["id_number"],
            by=user,
            reason=form.cleaned_data["reason"],
            request=request,
        )
        # A fresh form: the number typed is not echoed back in clear.
        form = IdentifyForm(initial={"reason": form.cleaned_data["reason"]})
    return render(
        request,
        "portal/staff_identify.html",
        {"form": form, "person": person, "searched": searched},
    )


@login_required
@require_POST
def staff_verify_identity(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require_staff(request)
    if not roles.has_role(user, StaffRole.CLERK):
        raise PermissionDenied(_("Only window clerks verify identities."))
    profile = get_object_or_404(PersonProfile, pk=pk)
    realname.verify_at_window(profile, by=user, request=request)
    messages.success(request, _("Identity verified at the window."))
    return redirect("portal:staff_identify")
