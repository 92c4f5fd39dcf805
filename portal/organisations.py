"""Organisation accounts: registering, confirming at a window, authorising agents, acting for one.

Registering is only a claim; a window clerk who has seen the business licence and the legal
representative's ID card confirms it (``confirm_at_window``). The certificate store gives an
organisation's certificates only to confirmed organisations.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import audit, identity, roles, sms
from portal.errors import NotAllowed, NotFound
from portal.models import (
    AuditAction,
    Organisation,
    OrganisationAgent,
    PersonProfile,
    StaffRole,
    User,
)

ACTING_SESSION_KEY = "portal_acting_organisation"


def _organisation_name(name: str) -> str:
    name = name.strip()
    if not name or "\x00" in name or len(name) > 200:
        raise ValidationError(
            {
                "name": ValidationError(
                    _("Enter the organisation's registered name (at most 200 characters)."),
                    code="invalid_name",
                )
            }
        )
    return name


def register(
    user: User, *, uscc: str, name: str, request: HttpRequest | None = None
) -> Organisation:
    """The legal representative registers his organisation."""
    code = identity.validate_uscc(uscc)
    name = _organisation_name(name)
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(
                uscc=code, name=name, legal_representative=user
            )
            audit.record(
                AuditAction.ORGANISATION_REGISTERED,
                actor=user,
                subject=user,
                request=request,
                organisation_id=organisation.pk,
                uscc=code,  # public register data, not personal data
            )
            return organisation
    except IntegrityError:
        raise ValidationError(
            {
                "uscc": ValidationError(
                    _(
                        "This organisation is already registered. Ask its "
                        "legal representative to authorise you as an agent."
                    ),
                    code="duplicate_uscc",
                )
            }
        ) from None


def represented_by(user: User) -> QuerySet[Organisation]:
    """Organisations whose legal representative is the user, by name."""
    return Organisation.objects.filter(legal_representative=user).order_by("name", "pk")


def _require_verified(representative: PersonProfile | None) -> None:
    if (
        representative is None
        or not representative.is_verified
        or not representative.user.is_active
    ):
        raise ValidationError(
            _(
                "The legal representative's real name is not verified yet: verify it at "
                "the window first, then confirm the organisation."
            ),
            code="representative_not_verified",
        )


def _confirm(
    organisation: Organisation, *, by: User, request: HttpRequest | None, **detail: Any
) -> None:
    organisation.verified_at = timezone.now()
    organisation.verified_by = by
    organisation.save()
    audit.record(
        AuditAction.ORGANISATION_CONFIRMED,
        actor=by,
        subject=organisation.legal_representative,
        request=request,
        organisation_id=organisation.pk,
        uscc=organisation.uscc,  # public register data, not personal data
        **detail,
    )


@transaction.atomic
def confirm_at_window(
    organisation: Organisation, *, by: User, request: HttpRequest | None = None
) -> Organisation:
    """A clerk has seen the business licence and the legal representative's ID card.

    The representative's real name must be verified (window or e-certificate), so that the
    account the organisation hangs on is the card holder's. Confirming twice changes nothing.
    """
    if not roles.has_role(by, StaffRole.CLERK):
        raise NotAllowed(_("Only window clerks confirm organisations."))
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.verified_at is not None:
        return organisation
    representative = (
        PersonProfile.objects.filter(user_id=organisation.legal_representative_id)
        .select_related("user")
        .first()
    )
    _require_verified(representative)
    _confirm(organisation, by=by, request=request)
    return organisation


@transaction.atomic
def confirm_representative_at_window(
    *,
    uscc: str,
    name: str,
    representative: PersonProfile,
    by: User,
    request: HttpRequest | None = None,
) -> Organisation:
    """The clerk has seen a business licence naming this verified citizen as legal
    representative: the organisation is his and confirmed, whoever registered it first.

    Unregistered, it is registered for him. Registered by someone else and not yet confirmed
    (a squatter, or a former representative), it passes to him; the earlier registrant's
    agents lose their agency and he is told by SMS. Confirmed for someone else, it is refused:
    a change of legal representative goes through the business registration first.
    """
    if not roles.has_role(by, StaffRole.CLERK):
        raise NotAllowed(_("Only window clerks confirm organisations."))
    code = identity.validate_uscc(uscc)
    name = _organisation_name(name)
    person = PersonProfile.objects.select_related("user").get(pk=representative.pk)
    _require_verified(person)
    organisation = Organisation.objects.select_for_update().filter(uscc=code).first()
    earlier: User | None = None
    if organisation is None:
        organisation = Organisation(uscc=code, name=name, legal_representative=person.user)
    elif organisation.legal_representative_id != person.user_id:
        if organisation.verified_at is not None:
            raise ValidationError(
                _(
                    "This organisation is confirmed for another legal representative. A change "
                    "of legal representative is registered with the business registry first."
                ),
                code="confirmed_for_another",
            )
        earlier = organisation.legal_representative
        organisation.agents.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        organisation.legal_representative = person.user
        organisation.name = name
    elif organisation.verified_at is not None:
        return organisation
    _confirm(
        organisation,
        by=by,
        request=request,
        taken_from_user_id=earlier.pk if earlier else None,
    )
    if earlier is not None and earlier.phone and earlier.phone_verified:
        sms.queue(
            earlier.phone,
            _(
                "[One Window] %(name)s was confirmed at a service window for the legal "
                "representative on its business licence. You no longer act for it in One Window."
            )
            % {"name": organisation.name},
        )
    return organisation


def for_user(user: User) -> QuerySet[Organisation]:
    """Organisations the user may act for: as representative or as a live agent."""
    return (
        Organisation.objects.filter(
            Q(legal_representative=user) | Q(agents__user=user, agents__revoked_at__isnull=True)
        )
        .distinct()
        .order_by("name")
    )


@transaction.atomic
def authorise_agent(
    organisation: Organisation, *, phone: str, by: User, request: HttpRequest | None = None
) -> OrganisationAgent:
    if organisation.legal_representative_id != by.pk:
        raise NotAllowed(_("Only the legal representative authorises agents."))
    phone = identity.normalise_phone(phone)
    agent_user = User.objects.filter(phone=phone, phone_verified=True).first()
    if agent_user is None:
        raise ValidationError(
            {
                "phone": ValidationError(
                    _(
                        "No account with a verified mobile number matches. "
                        "Ask the agent to sign up first."
                    ),
                    code="unknown_agent",
                )
            }
        )
    if agent_user.pk == by.pk:
        raise ValidationError(
            {
                "phone": ValidationError(
                    _("You already act for this organisation."), code="self_agent"
                )
            }
        )
    agent, _created = OrganisationAgent.objects.get_or_create(
        organisation=organisation, user=agent_user, revoked_at=None, defaults={"authorised_by": by}
    )
    audit.record(
        AuditAction.AGENT_AUTHORISED,
        actor=by,
        subject=agent_user,
        request=request,
        organisation_id=organisation.pk,
    )
    return agent


@transaction.atomic
def revoke_agent(agent: OrganisationAgent, *, by: User, request: HttpRequest | None = None) -> None:
    if agent.organisation.legal_representative_id != by.pk:
        raise NotAllowed(_("Only the legal representative withdraws an agent's authorisation."))
    if agent.revoked_at is None:
        agent.revoked_at = timezone.now()
        agent.save(update_fields=["revoked_at"])
        audit.record(
            AuditAction.AGENT_REVOKED,
            actor=by,
            subject=agent.user,
            request=request,
            organisation_id=agent.organisation_id,
        )


def act_for(request: HttpRequest, organisation_id: int | None) -> Organisation | None:
    """Switch the session between acting for oneself (None) and for an organisation."""
    if organisation_id is None:
        request.session.pop(ACTING_SESSION_KEY, None)
        request.__dict__.pop("_acting_choices", None)
        return None
    organisation = for_user(request.user).filter(pk=organisation_id).first()  # type: ignore[arg-type]
    if organisation is None:
        raise NotFound(_("You may not act for this organisation."))
    request.session[ACTING_SESSION_KEY] = organisation.pk
    request.__dict__.pop("_acting_choices", None)
    return organisation


def acting_choices(request: HttpRequest) -> list[Organisation]:
    """The organisations the signed-in user may act for: one query, kept for the request."""
    if not request.user.is_authenticated:
        return []
    cached: list[Organisation] | None = getattr(request, "_acting_choices", None)
    if cached is None:
        cached = list(for_user(request.user))  # type: ignore[arg-type]
        request._acting_choices = cached  # type: ignore[attr-defined]
    return cached


def acting_organisation(request: HttpRequest) -> Organisation | None:
    """The organisation the session acts for, re-checked so a revoked agency ends at once."""
    org_id = request.session.get(ACTING_SESSION_KEY)
    if not org_id or not request.user.is_authenticated:
        return None
    return next((org for org in acting_choices(request) if org.pk == org_id), None)
