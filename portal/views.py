"""Site pages: home, profile, real-name, organisations, the staff entry and the clerk's
look-up, with window verification (by a code the account's holder reads back), releasing a
number from an account that is not the card holder's, and confirming organisations."""

from __future__ import annotations

from allauth.account.forms import SetPasswordForm
from allauth.account.internal.flows import password_change
from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import desk, organisations, password_reset, realname, staff_links
from portal.auth import signed_in_user
from portal.forms import (
    AgentForm,
    IdentifyForm,
    OrganisationAtWindowForm,
    OrganisationForm,
    PhonePasswordResetForm,
    RealNameForm,
    ReleaseForm,
    WindowCodeForm,
    apply_errors,
)
from portal.models import Organisation, OrganisationAgent, PersonProfile, User


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    acting_for = list(organisations.for_user(user))
    return render(
        request,
        "portal/profile.html",
        {
            "person": PersonProfile.objects.filter(user=user).first(),
            "organisations": acting_for,
            "unconfirmed_represented": any(
                org.legal_representative_id == user.pk and not org.is_confirmed
                for org in acting_for
            ),
            "acting": organisations.acting_organisation(request),
        },
    )


def password_reset_by_phone(request: HttpRequest) -> HttpResponse:
    """Text a reset code; allauth's pages then take the code and the new password."""
    form = PhonePasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        # allauth's limit for reset requests (per address and per login typed), so a number
        # is texted at most a few codes a minute, known or not.
        refused = ratelimit.consume_or_429(request, action="reset_password", key=phone)
        if refused:
            return refused
        password_reset.start_by_phone(request, phone)
        return redirect("account_confirm_password_reset_code")
    return render(request, "account/password_reset_by_phone.html", {"form": form})


@login_required
def password_new_after_code(request: HttpRequest) -> HttpResponse:
    """A new password without the old one, for whoever just proved the phone with a code."""
    if not password_reset.signed_in_by_fresh_code(request):
        query = urlencode({"next": reverse("portal:password_new")})
        return redirect(f"{reverse('account_request_reauthentication_code')}?{query}")
    user = signed_in_user(request)
    form = SetPasswordForm(user=user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        password_change.finalize_password_change(request, user)
        return redirect("portal:profile")
    return render(request, "account/password_new_after_code.html", {"form": form})


@login_required
def realname_declare(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = RealNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            realname.declare(user, **form.cleaned_data, request=request)
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
            messages.success(
                request,
                _(
                    "The organisation has been registered. Bring its business licence and "
                    "your ID card to a service window to have it confirmed."
                ),
            )
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
    # One he may not act for is refused NotFound: the 404 page (portal.middleware).
    organisation = organisations.act_for(
        request, int(raw) if raw.isascii() and raw.isdigit() else None
    )
    if organisation:
        messages.info(request, _("You are now acting for %(name)s.") % {"name": organisation})
    else:
        messages.info(request, _("You are now acting for yourself."))
    # The header's switcher comes back to the page it was used on.
    next_url = request.POST.get("next", "")
    # A path of this site only: redirect() would take any other word for a view's name.
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(next_url)
    return redirect("portal:profile")


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    user = desk.require_staff(request)
    assignments = user.staff_assignments.select_related(
        "department", "service_hall"
    ).prefetch_related("categories")
    return render(
        request,
        "portal/staff_home.html",
        {"assignments": assignments, "links": staff_links.links_for(user)},
    )


def _look_up_first(request: HttpRequest) -> HttpResponse:
    messages.error(request, _("Look the citizen up by the number on their ID card first."))
    return redirect("portal:staff_identify")


def _identify_page(
    request: HttpRequest,
    clerk: User,
    *,
    form: IdentifyForm | None = None,
    person: PersonProfile | None = None,
    searched: bool = False,
    code_form: WindowCodeForm | None = None,
    release_form: ReleaseForm | None = None,
    org_form: OrganisationAtWindowForm | None = None,
) -> HttpResponse:
    if not searched:
        person = desk.identified(request)
    context: dict[str, object] = {
        "form": form or IdentifyForm(),
        "person": person,
        "searched": searched,
    }
    if person is not None:
        context.update(
            can_send_code=realname.has_verified_phone(person),
            live_code=realname.live_code(person, by=clerk),
            code_form=code_form or WindowCodeForm(),
            release_form=release_form or ReleaseForm(),
            org_form=org_form or OrganisationAtWindowForm(),
            organisations=organisations.represented_by(person.user),
        )
    return render(request, "portal/staff_identify.html", context)


@login_required
def staff_identify(request: HttpRequest) -> HttpResponse:
    user = desk.require_clerk(request, _("Only window clerks identify citizens."))
    form = IdentifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person, warning = desk.look_up(
            request,
            form.cleaned_data["id_number"],
            by=user,
            reason=form.cleaned_data["reason"],
        )
        if warning:
            messages.warning(request, warning)
        # A fresh form: the number typed is not echoed back in clear.
        form = IdentifyForm(initial={"reason": form.cleaned_data["reason"]})
        return _identify_page(request, user, form=form, person=person, searched=True)
    return _identify_page(request, user, form=form)


@login_required
@require_POST
def staff_identify_done(request: HttpRequest) -> HttpResponse:
    desk.require_clerk(request, _("Only window clerks identify citizens."))
    desk.forget(request)
    return redirect("portal:staff_identify")


@login_required
@require_POST
def staff_send_code(request: HttpRequest, pk: int) -> HttpResponse:
    user = desk.require_clerk(request, _("Only window clerks verify identities."))
    person = desk.identified(request, pk)
    if person is None:
        return _look_up_first(request)
    try:
        realname.send_window_code(person, by=user, request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("A code has been sent to %(phone)s. Ask the citizen to read it to you.")
            % {"phone": person.user.masked_phone},
        )
    return redirect("portal:staff_identify")


@login_required
@require_POST
def staff_verify_identity(request: HttpRequest, pk: int) -> HttpResponse:
    user = desk.require_clerk(request, _("Only window clerks verify identities."))
    person = desk.identified(request, pk)
    if person is None:
        return _look_up_first(request)
    code_form = WindowCodeForm(request.POST)
    if code_form.is_valid():
        try:
            realname.verify_with_code(
                person, code=code_form.cleaned_data["code"], by=user, request=request
            )
        except ValidationError as exc:
            code_form.add_error("code", exc)
        else:
            messages.success(request, _("Identity verified at the window."))
            return redirect("portal:staff_identify")
    return _identify_page(request, user, code_form=code_form)


@login_required
@require_POST
def staff_release_number(request: HttpRequest, pk: int) -> HttpResponse:
    user = desk.require_clerk(request, _("Only window clerks verify identities."))
    person = desk.identified(request, pk)
    if person is None:
        return _look_up_first(request)
    release_form = ReleaseForm(request.POST)
    if release_form.is_valid():
        try:
            realname.release_id_number(
                person,
                by=user,
                reason=release_form.cleaned_data["reason"],
                expected_index=desk.identified_index(request) or "",
                request=request,
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # about the account, not the form
                for message in exc.messages:
                    messages.error(request, message)
                return redirect("portal:staff_identify")
            apply_errors(release_form, exc)
        else:
            desk.forget(request)
            messages.success(
                request,
                _(
                    "The ID number has been released from that account. The citizen can now "
                    "enter it in their own account and be verified here with a code."
                ),
            )
            return redirect("portal:staff_identify")
    return _identify_page(request, user, release_form=release_form)


@login_required
@require_POST
def staff_confirm_representative(request: HttpRequest) -> HttpResponse:
    user = desk.require_clerk(request, _("Only window clerks confirm organisations."))
    person = desk.identified(request)
    if person is None:
        return _look_up_first(request)
    org_form = OrganisationAtWindowForm(request.POST)
    if org_form.is_valid():
        try:
            organisation = organisations.confirm_representative_at_window(
                uscc=org_form.cleaned_data["uscc"],
                name=org_form.cleaned_data["name"],
                representative=person,
                by=user,
                request=request,
            )
        except ValidationError as exc:
            apply_errors(org_form, exc)
        else:
            messages.success(
                request, _("%(name)s has been confirmed.") % {"name": organisation.name}
            )
            return redirect("portal:staff_identify")
    return _identify_page(request, user, org_form=org_form)


@login_required
@require_POST
def staff_confirm_organisation(request: HttpRequest, pk: int) -> HttpResponse:
    user = desk.require_clerk(request, _("Only window clerks confirm organisations."))
    organisation = get_object_or_404(Organisation, pk=pk)
    person = desk.identified(request)
    if person is None or organisation.legal_representative_id != person.user_id:
        return _look_up_first(request)
    try:
        organisations.confirm_at_window(organisation, by=user, request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(name)s has been confirmed.") % {"name": organisation.name})
    return redirect("portal:staff_identify")
