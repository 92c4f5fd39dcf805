"""Real-name identity: declaring it, verifying it at a window, and audited look-ups.

Verifying at a window takes two proofs: the clerk sees the ID card (the person is the
number's holder) and the person reads back a code sent to the account's verified phone (the
account is his). A self-declared account whose holder cannot give the code is not the card
holder's: the clerk releases the number from it, so the real holder can declare it himself.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal import audit, identity, roles, sms
from portal.errors import NotAllowed, Refusal
from portal.models import (
    AuditAction,
    PersonProfile,
    RealNameLevel,
    StaffRole,
    User,
    WindowCode,
)

CODE_VALID_FOR = timedelta(minutes=10)
MAX_CODES_PER_DAY = 10
# Each code allows WindowCode.MAX_ATTEMPTS guesses; capping the codes sent per account caps
# the guesses a clerk (or anyone at his screen) gets at a million-code space.
MAX_CODES_PER_HOUR = 5


def _duplicate_error() -> ValidationError:
    # Never say whose account holds the number: only how the owner can sort it out.
    message = _(
        "This ID number is already linked to another account. If it is yours, bring your "
        "ID card and your mobile phone to a service window: the clerk can release the "
        "number so that you can add it to your own account."
    )
    return ValidationError({"id_number": ValidationError(message, code="duplicate_id_number")})


# The audit action of a declaration refused because the number is another account's: many of
# them from one account is someone probing whose numbers are registered.
DUPLICATE_REFUSED = AuditAction.REALNAME_DUPLICATE_REFUSED


class TooManyDeclarations(Refusal):
    """An account declared a real name more often than REALNAME_DECLARATIONS_PER_HOUR or
    _PER_DAY allow (429): each declaration says whether a number is registered elsewhere."""

    status = 429
    code = "too_many_declarations"


class _NumberHeldElsewhere(Exception):
    def __init__(self, holder: User | None) -> None:
        self.holder = holder


def _count_declaration(user: User) -> None:
    """Count one declaration of the account; refuse it when the hour's or the day's limit is
    used up. Counters live in the cache (shared by every process), in fixed windows."""
    now = _clock()
    limits = (
        (60 * 60, settings.REALNAME_DECLARATIONS_PER_HOUR),
        (24 * 60 * 60, settings.REALNAME_DECLARATIONS_PER_DAY),
    )
    for window, limit in limits:
        start = now - now % window
        key = f"realname-declarations:{user.pk}:{window}:{start}"
        cache.add(key, 0, timeout=window)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            used = 1
        if used > limit:
            raise TooManyDeclarations(_too_many_message(start + window - now))


def _clock() -> int:
    return int(time.time())


def _too_many_message(seconds: int) -> str:
    minutes = -(-seconds // 60)
    if minutes <= 90:
        return ngettext(
            "You have declared a real name too many times. Try again in %(count)d minute, "
            "or declare it at a service window.",
            "You have declared a real name too many times. Try again in %(count)d minutes, "
            "or declare it at a service window.",
            minutes,
        ) % {"count": minutes}
    hours = -(-minutes // 60)
    return ngettext(
        "You have declared a real name too many times. Try again in %(count)d hour, "
        "or declare it at a service window.",
        "You have declared a real name too many times. Try again in %(count)d hours, "
        "or declare it at a service window.",
        hours,
    ) % {"count": hours}


def declare(
    user: User, *, legal_name: str, id_number: str, request: HttpRequest | None = None
) -> PersonProfile:
    """Record the name and ID number a user gives for himself (self-declared level).

    An account may declare REALNAME_DECLARATIONS_PER_HOUR and _PER_DAY times (429 beyond); a
    number another account holds is refused, and the refusal is audited (DUPLICATE_REFUSED,
    with that account as the subject) so that administrators can see probing."""
    number = identity.validate_id_number(id_number)
    try:
        legal_name = identity.validate_legal_name(legal_name)
    except ValidationError as exc:
        raise ValidationError({"legal_name": exc}) from None
    _count_declaration(user)
    try:
        return _declare(user, legal_name=legal_name, number=number)
    except _NumberHeldElsewhere as held:
        audit.record(
            DUPLICATE_REFUSED,
            actor=user,
            subject=held.holder,
            fields=["id_number"],
            reason="Declared an ID number another account holds",
            request=request,
        )
        raise _duplicate_error() from None


def _declare(user: User, *, legal_name: str, number: str) -> PersonProfile:
    with transaction.atomic():
        profile, _created = PersonProfile.objects.select_for_update().get_or_create(user=user)
        if profile.released_index and profile.released_index == identity.blind_index(number):
            raise ValidationError(
                {
                    "id_number": ValidationError(
                        _(
                            "A service window released this ID number from your account. "
                            "If it is yours, bring your ID card to a service window."
                        ),
                        code="released_id_number",
                    )
                }
            )
        if profile.is_verified:
            raise ValidationError(
                _("Your identity has been verified; to change it, visit a service window."),
                code="realname_locked",
            )
        holder = _holder(number, besides=profile)
        if holder is not None:
            raise _NumberHeldElsewhere(holder)
        profile.legal_name = legal_name
        profile.set_id_number(number)
        profile.realname_level = RealNameLevel.SELF_DECLARED
        profile.realname_verified_at = None
        profile.realname_verified_by = None
        try:
            with transaction.atomic():
                profile.save()
        except IntegrityError:  # a concurrent declaration of the same number won the race
            raise _NumberHeldElsewhere(_holder(number, besides=profile)) from None
        _end_codes(profile)  # a code sent for the old declaration must not verify the new one
    return profile


def _holder(number: str, *, besides: PersonProfile) -> User | None:
    """The account, other than ``besides``'s, that holds the ID number."""
    other = (
        PersonProfile.objects.filter(id_number_index=identity.blind_index(number))
        .exclude(pk=besides.pk)
        .select_related("user")
        .first()
    )
    return other.user if other else None


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


def find_person_by_account(
    account: str, *, by: User, reason: str, request: HttpRequest | None = None
) -> tuple[User | None, PersonProfile | None]:
    """A clerk finds a citizen by the account he signs in with: a verified mobile number or a
    verified e-mail address. Returns (the account or None, its real-name profile or None);
    every hit is an audited read. Raises ValidationError for neither a number nor an address."""
    account = account.strip()
    if "@" in account:
        user = (
            User.objects.filter(
                emailaddress__email__iexact=account, emailaddress__verified=True, is_active=True
            )
            .select_related("person_profile")
            .first()
        )
    else:
        user = (
            User.objects.filter(
                phone=identity.normalise_phone(account), phone_verified=True, is_active=True
            )
            .select_related("person_profile")
            .first()
        )
    if user is None:
        return None, None
    profile = getattr(user, "person_profile", None)
    audit.personal_data_viewed(
        actor=by,
        subject=user,
        request=request,
        reason=reason,
        fields=["legal_name", "id_number", "phone", "realname_level"]
        if profile is not None
        else ["phone", "email"],
    )
    return user, profile


@transaction.atomic
def verify_at_window(
    profile: PersonProfile,
    *,
    by: User,
    request: HttpRequest | None = None,
    window_code: WindowCode | None = None,
) -> PersonProfile:
    """Raise the profile to window-verified. The caller has proven both that the person is
    the ID card's holder and that the account is his: the clerk's pages come here only
    through ``verify_with_code``; the demo and tests call it directly."""
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
            window_code_id=window_code.pk if window_code else None,
        )
    return profile


def _require_clerk(user: User) -> None:
    if not roles.has_role(user, StaffRole.CLERK):
        raise NotAllowed(_("Only window clerks do this."))


def _code_hash(profile: PersonProfile, code: str) -> str:
    # Keyed with SECRET_KEY: a million codes are nothing to hash, so a plain hash of a
    # leaked row would give the code away; a keyed one does not.
    return salted_hmac(
        "portal.realname.window_code", f"{profile.pk}:{code}", algorithm="sha256"
    ).hexdigest()


def _declared_hash(profile: PersonProfile) -> str:
    return salted_hmac(
        "portal.realname.window_declared",
        f"{profile.legal_name}\x00{profile.id_number_index or ''}",
        algorithm="sha256",
    ).hexdigest()


def _end_codes(profile: PersonProfile) -> None:
    now = timezone.now()
    WindowCode.objects.filter(profile=profile, used_at=None, expires_at__gt=now).update(
        expires_at=now
    )


def has_verified_phone(profile: PersonProfile) -> bool:
    """Whether a window code can reach the account's holder."""
    return bool(profile.user.phone and profile.user.phone_verified)


def send_window_code(
    profile: PersonProfile, *, by: User, request: HttpRequest | None = None
) -> WindowCode:
    """Text a one-time code to the account's verified phone; the holder reads it to the clerk.

    A new code ends any earlier one for the account. The code exists in clear only in the
    queued message (wiped once sent); the row keeps an HMAC of it.
    """
    _require_clerk(by)
    with transaction.atomic():
        profile = (
            PersonProfile.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=profile.pk)
        )
        if profile.is_verified:
            raise ValidationError(_("This identity is already verified."), code="already_verified")
        if not profile.id_number_index:
            raise ValidationError(
                _("This account has no ID number to verify."), code="no_id_number"
            )
        if not profile.user.is_active or not has_verified_phone(profile):
            raise ValidationError(
                _(
                    "This account has no verified mobile number, so its holder cannot "
                    "confirm the verification. Ask the citizen to add and verify a mobile "
                    "number in their account first."
                ),
                code="no_verified_phone",
            )
        now = timezone.now()
        sent = WindowCode.objects.filter(profile=profile)
        if (
            sent.filter(created_at__gt=now - timedelta(hours=1)).count() >= MAX_CODES_PER_HOUR
            or sent.filter(created_at__gt=now - timedelta(days=1)).count() >= MAX_CODES_PER_DAY
        ):
            raise ValidationError(
                _("Too many codes have been sent to this account; try again later."),
                code="too_many_codes",
            )
        _end_codes(profile)
        code = f"{secrets.randbelow(10**6):06d}"
        window_code = WindowCode.objects.create(
            profile=profile,
            sent_by=by,
            code_hash=_code_hash(profile, code),
            declared_hash=_declared_hash(profile),
            created_at=now,
            expires_at=now + CODE_VALID_FOR,
        )
        assert profile.user.phone  # has_verified_phone
        sms.queue(
            profile.user.phone,
            _(
                "[One Window] Code %(code)s: give it only to the clerk who is verifying your "
                "identity at a service window now. Valid for %(minutes)d minutes. If you are "
                "not at a window, do not give it to anyone."
            )
            % {"code": code, "minutes": CODE_VALID_FOR.seconds // 60},
        )
        audit.record(
            AuditAction.WINDOW_CODE_SENT,
            actor=by,
            subject=profile.user,
            request=request,
            window_code_id=window_code.pk,
        )
    return window_code


def live_code(profile: PersonProfile, *, by: User) -> WindowCode | None:
    """The code this clerk sent to this account that may still be entered, if any."""
    now = timezone.now()
    code = (
        WindowCode.objects.filter(profile=profile, sent_by=by, used_at=None, expires_at__gt=now)
        .order_by("-created_at", "-pk")
        .first()
    )
    return code if code is not None and code.is_live(now) else None


def verify_with_code(
    profile: PersonProfile, *, code: str, by: User, request: HttpRequest | None = None
) -> PersonProfile:
    """The holder has read back the code sent to his phone: verify his identity.

    Only the clerk who sent the code may enter it; a wrong guess is counted (and the count
    kept even though a ValidationError is raised), and after WindowCode.MAX_ATTEMPTS wrong
    guesses a new code is needed.
    """
    _require_clerk(by)
    error: ValidationError | None = None
    with transaction.atomic():
        # The profile first, then the code: the order declare() and release take them in.
        current = PersonProfile.objects.select_for_update().get(pk=profile.pk)
        now = timezone.now()
        window_code = (
            WindowCode.objects.select_for_update()
            .filter(profile=current, sent_by=by, used_at=None, expires_at__gt=now)
            .order_by("-created_at", "-pk")
            .first()
        )
        if (
            window_code is None
            or not window_code.is_live(now)
            or window_code.declared_hash != _declared_hash(current)
        ):
            error = ValidationError(
                _("There is no valid code for this account: send a new code."),
                code="no_window_code",
            )
        elif not constant_time_compare(window_code.code_hash, _code_hash(current, code.strip())):
            window_code.attempts += 1
            window_code.save(update_fields=["attempts"])
            left = WindowCode.MAX_ATTEMPTS - window_code.attempts
            if left:
                message = ngettext(
                    "This code is wrong. %(count)d attempt left.",
                    "This code is wrong. %(count)d attempts left.",
                    left,
                ) % {"count": left}
            else:
                message = _("This code is wrong, and it has been tried too often: send a new code.")
            error = ValidationError(message, code="wrong_window_code")
        else:
            window_code.used_at = now
            window_code.save(update_fields=["used_at"])
            current = verify_at_window(current, by=by, request=request, window_code=window_code)
    if error is not None:  # raised after the block, so the counted attempt is kept
        raise error
    return current


@transaction.atomic
def release_id_number(
    profile: PersonProfile,
    *,
    by: User,
    reason: str,
    expected_index: str,
    request: HttpRequest | None = None,
) -> PersonProfile:
    """The ID card's holder is at the window and this self-declared account is not his:
    clear its name and number, so that he can declare the number on his own account.

    Only after this clerk has sent the account a code that was not given back (its holder
    is then told twice: the code, and the release), and only for the number he looked up
    (``expected_index``). The account cannot declare the number again.
    """
    _require_clerk(by)
    reason = reason.strip()
    if identity.mentions_personal_numbers(reason):
        raise ValidationError({"reason": identity.personal_numbers_error()})
    if not reason or "\x00" in reason or len(reason) > 200:
        raise ValidationError(
            {
                "reason": ValidationError(
                    _("Give the reason for releasing the number (at most 200 characters)."),
                    code="invalid_reason",
                )
            }
        )
    profile = (
        PersonProfile.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=profile.pk)
    )
    if profile.is_verified:
        # A verified holder proved both his card and his account: a window cannot undo that.
        raise ValidationError(
            _(
                "This identity has been verified, so its ID number cannot be released at "
                "the window. A verified identity is corrected only through the separate "
                "identity-correction procedure."
            ),
            code="verified_profile",
        )
    if not profile.id_number_index or profile.id_number_index != expected_index:
        raise ValidationError(_("This account holds no ID number."), code="no_id_number")
    if has_verified_phone(profile) and not WindowCode.objects.filter(
        profile=profile,
        sent_by=by,
        used_at=None,
        created_at__gt=timezone.now() - timedelta(hours=1),
    ):
        raise ValidationError(
            _(
                "Send a code to this account first: release the number only if the citizen "
                "cannot give it."
            ),
            code="no_code_tried",
        )
    released_index = profile.id_number_index
    profile.legal_name = ""
    profile.id_number_encrypted = ""
    profile.id_number_index = None
    profile.id_number_masked = ""
    profile.realname_level = RealNameLevel.NONE
    profile.realname_verified_at = None
    profile.realname_verified_by = None
    profile.released_index = released_index
    profile.save()
    _end_codes(profile)
    audit.record(
        AuditAction.ID_NUMBER_RELEASED,
        actor=by,
        subject=profile.user,
        fields=["legal_name", "id_number"],
        reason=reason,
        request=request,
        id_number_index=released_index,  # a keyed hash: which number, never the number
    )
    if has_verified_phone(profile):
        # Tell the account's holder: a clerk's mistake is then noticed and put right.
        assert profile.user.phone
        sms.queue(
            profile.user.phone,
            _(
                "[One Window] The name and ID number declared on your account were removed "
                "at a service window, because the holder of that ID card showed it there. If "
                "the number is yours, bring your ID card to a service window."
            ),
        )
    return profile
