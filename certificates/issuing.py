"""Issuing and the lifecycle: the only code that changes a certificate's state.

Every change runs atomically with the certificate row locked and writes one CertificateEvent.
The allowed moves are one table, checked in ``_move``; anything else raises IllegalMove.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certificates import canonical, identifiers, keys, signing
from certificates import surface as surface_fields
from certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateStatus,
    CertificateType,
    HolderCodeType,
    HolderKind,
    ValidityRule,
)
from portal import errors, identity, roles
from portal.models import Department, StaffRole, User

S = CertificateStatus

# (from status, action) -> to status. Revoked, cancelled and superseded are final.
MOVES: dict[tuple[str, str], str] = {
    (S.VALID, "revoke"): S.REVOKED,
    (S.VALID, "cancel"): S.CANCELLED,
    (S.VALID, "expire"): S.EXPIRED,
    (S.VALID, "supersede"): S.SUPERSEDED,
    (S.EXPIRED, "supersede"): S.SUPERSEDED,
    (S.EXPIRED, "cancel"): S.CANCELLED,
}


class IdempotencyConflict(errors.Conflict):
    """An idempotency key came back with a different request (409)."""

    code = "idempotency_conflict"

    def __init__(self) -> None:
        super().__init__(
            _("This idempotency key was already used for a different request. Use a new key.")
        )


class IllegalMove(errors.IllegalMove):
    """A state change the certificate lifecycle does not allow (409); ``from_status`` and
    ``action`` say which."""

    def __init__(self, status: str, action: str) -> None:
        super().__init__(
            _("A %(status)s certificate cannot be %(action)s.")
            % {"status": str(S(status).label).lower(), "action": _ACTION_WORDS.get(action, action)},
            status=status,
            action=action,
        )


_ACTION_WORDS = {
    "revoke": gettext_lazy("revoked"),
    "cancel": gettext_lazy("cancelled"),
    "expire": gettext_lazy("expired"),
    "supersede": gettext_lazy("renewed"),
}


def may_issue_for(user: User | None, department: Department) -> bool:
    """None is the system (the applications workflow, periodic tasks). A system administrator
    is not an issuer: certificates are signed in a department's name by its own staff."""
    if user is None:
        return True
    return department.pk in roles.department_ids(user, StaffRole.DEPARTMENT_ADMIN)


def _require_authority(user: User | None, department: Department) -> None:
    if not may_issue_for(user, department):
        raise errors.NotAllowed(
            _("Only an administrator of the issuing department may do this."),
            code="permission_denied",
        )


def _event(
    certificate: Certificate,
    action: str,
    *,
    from_status: str,
    by: User | None,
    reason: str = "",
    **detail: Any,
) -> None:
    CertificateEvent.objects.create(
        certificate=certificate,
        action=action,
        from_status=from_status,
        to_status=certificate.status,
        actor=by if by is not None and by.is_authenticated else None,
        reason=reason[:200],
        detail=detail,
    )


def _move(
    certificate: Certificate, action: str, *, by: User | None, reason: str = "", via: str = ""
) -> Certificate:
    """Lock, check the table, change the status and write the event. Inside a transaction."""
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    target = MOVES.get((locked.status, action))
    if target is None:
        raise IllegalMove(locked.status, action)
    before = locked.status
    locked.status, locked.status_reason = target, reason[:200]
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=["status", "status_reason", "status_changed_at"])
    _event(locked, action, from_status=before, by=by, reason=reason, **_via(via))
    return locked


def _via(via: str) -> dict[str, str]:
    """How the change came in (a department system's client id), for the event row."""
    return {"via": via} if via else {}


def _holder_code(kind: str, code: str) -> tuple[str, str]:
    if kind == HolderKind.PERSON:
        return identity.validate_id_number(code), HolderCodeType.RESIDENT_ID
    return identity.validate_uscc(code), HolderCodeType.USCC


def _validity(
    ctype: CertificateType, valid_from: datetime.date, valid_until: datetime.date | None
) -> datetime.date | None:
    """The last valid day by the type's rule; an end date is given for, and only for, types
    whose validity is given at issue."""
    if ctype.validity_rule != ValidityRule.GIVEN:
        if valid_until is not None:
            raise ValidationError(
                {"valid_until": _("This type's validity is set by its rule: give no end date.")},
                code="validity",
            )
        if ctype.validity_rule == ValidityRule.LONG_TERM:
            return None
        return _add_years(valid_from, ctype.validity_years or 1) - datetime.timedelta(days=1)
    if valid_until is None:
        raise ValidationError(
            {"valid_until": _("Give the date this certificate is valid until.")}, code="validity"
        )
    if valid_until < valid_from:
        raise ValidationError(
            {"valid_until": _("A certificate cannot end before it starts.")}, code="validity"
        )
    return valid_until


def _check_dates(issued_on: datetime.date, valid_from: datetime.date) -> None:
    today = timezone.localdate()
    if issued_on > today:
        raise ValidationError(
            {"issued_on": _("The issue date cannot be in the future.")}, code="issued_on"
        )
    if not issued_on <= valid_from <= today:
        raise ValidationError(
            {"valid_from": _("A certificate starts between its issue date and today.")},
            code="valid_from",
        )


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def _surface(ctype: CertificateType, values: dict[str, Any]) -> dict[str, str]:
    """Checked against the declared field types and normalised (see certificates.surface)."""
    return surface_fields.clean(ctype.fields, values)


def _sign(certificate: Certificate) -> None:
    key = keys.active_key(certificate.issuer)
    certificate.key = key
    signer = signing.signer_for(key.alg)
    message = signing.signing_input(canonical.header(key), canonical.payload(certificate))
    certificate.signature = signing.b64url(
        signer.sign(keys.private_key(key), keys.public_key(key), message)
    )


def _holder_name(name: str | None, kind: str) -> str:
    """A person's legal name by the rule of identity.validate_legal_name (it lands on the
    certificate as written); an organisation's registered name as given."""
    name = (name or "").strip()
    if not name or len(name) > 200 or "\x00" in name:
        raise ValidationError({"holder_name": _("Enter the holder's name.")}, code="holder_name")
    if kind == HolderKind.PERSON:
        try:
            return identity.validate_legal_name(name)
        except ValidationError as exc:
            raise ValidationError({"holder_name": exc.messages}, code="holder_name") from None
    return name


def _earlier(issuer: Department, idempotency_key: str | None) -> Certificate | None:
    if not idempotency_key:
        return None
    return Certificate.objects.filter(issuer=issuer, idempotency_key=idempotency_key).first()


def _same_issue(
    earlier: Certificate, certificate: Certificate, asked: dict[str, Any]
) -> Certificate:
    """A retry gets the first result; the same key for a different request is refused.
    Values the caller left to defaults (today, a random serial) are not compared: a retry on
    another day is still the same request."""
    fields = ("type_id", "holder_code_type", "holder_code_index", "holder_name", "surface")
    if (
        earlier.previous_id is not None
        or any(getattr(earlier, f) != getattr(certificate, f) for f in fields)
        or any(getattr(earlier, f) != value for f, value in asked.items() if value)
    ):
        raise IdempotencyConflict
    return earlier


def issue(
    *,
    type: CertificateType,
    issuer: Department,
    holder_name: str,
    holder_code: str,
    surface: dict[str, Any],
    by: User | None,
    idempotency_key: str | None = None,
    number: str = "",
    issued_on: datetime.date | None = None,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    serial: str | None = None,
    via: str = "",
) -> Certificate:
    """Issue and sign a certificate. The same ``idempotency_key`` again returns the first one."""
    _require_authority(by, issuer)
    if not type.issuing_departments.filter(pk=issuer.pk).exists():
        raise ValidationError(
            {"type": _("This department does not issue this type of certificate.")},
            code="not_an_issuer",
        )
    holder_name = _holder_name(holder_name, type.holder_kind)
    code, code_type = _holder_code(type.holder_kind, holder_code)
    if code_type == HolderCodeType.RESIDENT_ID and code in "".join(number.split()).upper():
        # The number is shown unmasked wherever the certificate is (shares, staff lists).
        raise ValidationError(
            {"number": _("The certificate number must not contain the holder's ID number.")},
            code="number",
        )
    cleaned_surface = _surface(type, surface)
    asked = {
        "number": number,
        "issued_on": issued_on,
        "valid_from": valid_from,
        "valid_until": valid_until,
        "serial": serial,
    }
    issued_on = issued_on or timezone.localdate()
    valid_from = valid_from or issued_on
    _check_dates(issued_on, valid_from)
    serial = serial or f"{issued_on:%Y}{secrets.token_hex(5).upper()}"
    certificate = Certificate(
        identifier=identifiers.make(
            type_code=type.code, issuer_code=issuer.code, serial=serial, version=1
        ),
        type=type,
        serial=serial,
        version=1,
        holder_name=holder_name,
        holder_code_type=code_type,
        holder_code_encrypted=identity.encrypt(code),
        holder_code_index=identity.blind_index(code, purpose="holder_code"),
        holder_code_masked=identity.mask_id_number(code),
        issuer=issuer,
        issued_on=issued_on,
        valid_from=valid_from,
        valid_until=_validity(type, valid_from, valid_until),
        surface=cleaned_surface,
        idempotency_key=idempotency_key or None,
    )
    certificate.number = number or serial
    earlier = _earlier(issuer, idempotency_key)
    if earlier is not None:
        return _same_issue(earlier, certificate, asked)
    try:
        with transaction.atomic():
            _sign(certificate)
            certificate.save()
            _event(certificate, "issue", from_status="", by=by, **_via(via))
    except IntegrityError:
        # A concurrent retry with the same idempotency key won the race: return its result.
        earlier = _earlier(issuer, idempotency_key)
        if earlier is not None:
            return _same_issue(earlier, certificate, asked)
        raise
    return certificate


def check_issue(
    *,
    type: CertificateType,
    holder_name: str,
    holder_code: str,
    surface: dict[str, Any],
    number: str = "",
    valid_until: datetime.date | None = None,
) -> None:
    """Raise the ValidationError ``issue`` would for these details, changing nothing: what a
    preview checks before it shows what will be signed."""
    _holder_name(holder_name, type.holder_kind)
    code, code_type = _holder_code(type.holder_kind, holder_code)
    if code_type == HolderCodeType.RESIDENT_ID and code in "".join(number.split()).upper():
        raise ValidationError(
            {"number": _("The certificate number must not contain the holder's ID number.")},
            code="number",
        )
    _surface(type, surface)
    _validity(type, timezone.localdate(), valid_until)


@transaction.atomic
def renew(
    certificate: Certificate,
    *,
    by: User | None,
    surface: dict[str, Any] | None = None,
    holder_name: str | None = None,
    valid_until: datetime.date | None = None,
    reason: str = "",
    idempotency_key: str | None = None,
    via: str = "",
) -> Certificate:
    """A new version (renewal or change), linked to the old one, which is superseded."""
    _require_authority(by, certificate.issuer)
    # Locked first, so that a concurrent retry waits here and then finds the first result.
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    # A new name is checked; the one it was issued with stays as it is.
    new_holder_name = (
        _holder_name(holder_name, certificate.type.holder_kind)
        if holder_name
        else certificate.holder_name
    )
    # Checked before the old version is superseded; a certificate's surface never changes.
    cleaned_surface = _surface(certificate.type, {**certificate.surface, **(surface or {})})
    earlier = _earlier(certificate.issuer, idempotency_key)
    if earlier is not None:  # a retry gets the first result; a changed request is refused
        if (
            earlier.previous_id != certificate.pk
            or (earlier.holder_name, earlier.surface) != (new_holder_name, cleaned_surface)
            or valid_until not in (None, earlier.valid_until)
        ):
            raise IdempotencyConflict
        return earlier
    old = _move(certificate, "supersede", by=by, reason=reason, via=via)
    today = timezone.localdate()
    new = Certificate(
        identifier=identifiers.make(
            type_code=old.type.code,
            issuer_code=old.issuer.code,
            serial=old.serial,
            version=old.version + 1,
        ),
        number=old.number,
        type=old.type,
        serial=old.serial,
        version=old.version + 1,
        previous=old,
        holder_name=new_holder_name,
        holder_code_type=old.holder_code_type,
        holder_code_encrypted=old.holder_code_encrypted,
        holder_code_index=old.holder_code_index,
        holder_code_masked=old.holder_code_masked,
        issuer=old.issuer,
        issued_on=today,
        valid_from=today,
        valid_until=_validity(old.type, today, valid_until),
        surface=cleaned_surface,
        idempotency_key=idempotency_key or None,
    )
    _sign(new)
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError:  # the key taken meanwhile by another request: all rolled back
        raise IdempotencyConflict from None
    _event(new, "issue", from_status="", by=by, reason=reason, previous=old.identifier, **_via(via))
    return new


@transaction.atomic
def revoke(certificate: Certificate, *, by: User | None, reason: str, via: str = "") -> Certificate:
    """吊销: the issuing department withdraws the certificate, saying why."""
    _require_authority(by, certificate.issuer)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for revoking.")}, code="reason")
    return _move(certificate, "revoke", by=by, reason=reason, via=via)


@transaction.atomic
def cancel(certificate: Certificate, *, by: User | None, reason: str, via: str = "") -> Certificate:
    """注销: the certificate ends at the holder's request or because its subject ended."""
    _require_authority(by, certificate.issuer)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for cancelling.")}, code="reason")
    return _move(certificate, "cancel", by=by, reason=reason, via=via)


def expire_due(today: datetime.date | None = None) -> int:
    """Mark every valid certificate past its last day as expired; safe to run twice."""
    today = today or timezone.localdate()
    count = 0
    due = Certificate.objects.filter(status=S.VALID, valid_until__lt=today).values_list(
        "pk", flat=True
    )
    for pk in list(due.iterator()):
        with transaction.atomic():
            try:
                _move(Certificate(pk=pk), "expire", by=None)
            except IllegalMove:
                continue  # changed meanwhile (revoked, renewed): nothing to do
            count += 1
    return count
