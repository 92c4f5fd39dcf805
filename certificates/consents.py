"""Consented use (用证授权, 材料免提交): the holder lets one department read a certificate for
one case; its reviewers read it (verified on read) while the consent lasts; each read is logged.

Applications arrive with a later issue: until then a grant names the department, the purpose
and an opaque reference of the case it serves.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates import selectors
from certificates.models import Certificate, CertificateGrant, CertificateUse
from certificates.verification import Result, verify_certificate
from portal import audit
from portal.models import Department, User

DEFAULT_LIFETIME = datetime.timedelta(days=30)
MAX_LIFETIME = datetime.timedelta(days=180)


def grant(
    certificate: Certificate,
    *,
    by: User,
    department: Department,
    purpose: str,
    case_reference: str,
    lifetime: datetime.timedelta = DEFAULT_LIFETIME,
) -> CertificateGrant:
    """The holder consents that ``department`` may use ``certificate`` for one case."""
    if not selectors.holds(by, certificate):
        raise PermissionError("only the holder grants the use of a certificate")
    purpose, case_reference = purpose.strip(), case_reference.strip()
    errors = {}
    if not purpose or len(purpose) > 200 or "\x00" in purpose:
        errors["purpose"] = _("State the purpose in at most 200 characters.")
    if not case_reference or len(case_reference) > 64 or "\x00" in case_reference:
        errors["case_reference"] = _("Give the case reference (at most 64 characters).")
    if not datetime.timedelta(hours=1) <= lifetime <= MAX_LIFETIME:
        errors["lifetime"] = _("A consent lasts between one hour and 180 days.")
    if errors:
        raise ValidationError(errors, code="invalid_grant")
    return CertificateGrant.objects.create(
        certificate=certificate,
        granted_by=by,
        department=department,
        purpose=purpose,
        case_reference=case_reference,
        expires_at=timezone.now() + lifetime,
    )


def withdraw(grant: CertificateGrant, *, by: User) -> None:
    if grant.granted_by_id != by.pk:
        raise PermissionError("only the holder withdraws his consent")
    if grant.withdrawn_at is None:
        grant.withdrawn_at = timezone.now()
        grant.save(update_fields=["withdrawn_at"])


@transaction.atomic
def read(grant_id: int, *, reader: User, request: HttpRequest | None = None) -> Result:
    """A reviewer reads a certificate through a live grant to his department.

    Raises CertificateGrant.DoesNotExist (a 404 to the caller, nothing logged) when there is
    no such live grant for him; otherwise logs the use and audits the personal data read.
    """
    grant = (
        selectors.live_grants_for_reviewer(reader)
        .select_related("certificate__issuer", "certificate__key", "certificate__holder_user")
        .get(pk=grant_id)
    )
    certificate = grant.certificate
    CertificateUse.objects.create(
        certificate=certificate,
        grant=grant,
        reader=reader,
        department=grant.department,
        purpose=grant.purpose,
    )
    if certificate.holder_user is not None:
        audit.personal_data_viewed(
            actor=reader,
            subject=certificate.holder_user,
            fields=["certificate"],
            reason=grant.purpose,
            request=request,
            certificate_id=certificate.pk,
            grant_id=grant.pk,
        )
    return verify_certificate(certificate)
