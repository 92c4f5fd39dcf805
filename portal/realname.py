"""Real-name identity: declaring it, verifying it at a window, and audited look-ups."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import audit, identity
from portal.models import AuditAction, PersonProfile, RealNameLevel, User


def _duplicate_error() -> ValidationError:
    # Never say whose account holds the number: only how the owner can sort it out.
    message = _(
        "This ID number is already linked to another account. If it is yours, bring "
        "your ID card to a service window to have it moved."
    )
    return ValidationError({"id_number": ValidationError(message, code="duplicate_id_number")})


def declare(user: User, *, legal_name: str, id_number: str) -> PersonProfile:
    """Record the name and ID number a user gives for himself (self-declared level)."""
    number = identity.validate_id_number(id_number)
    legal_name = legal_name.strip()
    if not legal_name or "\x00" in legal_name or len(legal_name) > 64:
        raise ValidationError(
            {
                "legal_name": ValidationError(
                    _("Enter your legal name as on your ID card (at most 64 characters)."),
                    code="invalid_legal_name",
                )
            }
        )
    with transaction.atomic():
        profile, _created = PersonProfile.objects.select_for_update().get_or_create(user=user)
        if profile.is_verified:
            raise ValidationError(
                _("Your identity has been verified; to change it, visit a service window."),
                code="realname_locked",
            )
        if (
            PersonProfile.objects.filter(id_number_index=identity.blind_index(number))
            .exclude(pk=profile.pk)
            .exists()
        ):
            raise _duplicate_error()
        profile.legal_name = legal_name
        profile.set_id_number(number)
        profile.realname_level = RealNameLevel.SELF_DECLARED
        profile.realname_verified_at = None
        profile.realname_verified_by = None
        try:
            with transaction.atomic():
                profile.save()
        except IntegrityError:  # a concurrent declaration of the same number won the race
            raise _duplicate_error() from None
    return profile


def find_person(
    id_number: str, *, by: User, reason: str, request: HttpRequest | None = None
) -> PersonProfile | None:
    """A clerk identifies a citizen by ID number; every hit is an audited read."""
    number = identity.validate_id_number(id_number)
    profile = (
        PersonProfile.objects.select_related("user")
        .filter(id_number_index=identity.blind_index(number))
        .first()
    )
    if profile is not None:
        audit.personal_data_viewed(
            actor=by,
            subject=profile.user,
            request=request,
            reason=reason,
            fields=["legal_name", "id_number", "phone", "realname_level"],
        )
    return profile


@transaction.atomic
def verify_at_window(
    profile: PersonProfile, *, by: User, request: HttpRequest | None = None
) -> PersonProfile:
    """A clerk has seen the ID card: raise the profile to window-verified."""
    profile = PersonProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.realname_level != RealNameLevel.E_CERTIFICATE:
        profile.realname_level = RealNameLevel.WINDOW
        profile.realname_verified_at = timezone.now()
        profile.realname_verified_by = by
        profile.save(
            update_fields=["realname_level", "realname_verified_at", "realname_verified_by"]
        )
        audit.record(
            AuditAction.REALNAME_VERIFIED,
            actor=by,
            subject=profile.user,
            request=request,
            level=profile.realname_level,
        )
    return profile
