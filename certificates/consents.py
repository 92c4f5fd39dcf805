"""Consented use (用证授权, 材料免提交): the holder lets one department read a certificate for
one case; its reviewers read it (verified on read) while the consent lasts; each read is logged
(record_read, which also logs the issuing department's own staff reading it).

Applications arrive with a later issue: until then a grant names the department, the purpose
and an opaque reference of the case it serves.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates import selectors
from certificates.models import Certificate, CertificateGrant, CertificateUse
from certificates.verification import Result, verify_certificate
from portal import audit
from portal.db import rows
from portal.errors import NotFound
from portal.models import AuditAction, AuditEvent, Department, User

DEFAULT_LIFETIME = datetime.timedelta(days=30)
MAX_LIFETIME = datetime.timedelta(days=180)
# The purpose of a read by the issuing department's own staff, stored as a code: audit rows and
# the use log are read in either language (portal/admin.py and the holder's page translate it).
ISSUER_ADMINISTRATION = "issuer_administration"


@transaction.atomic
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
        raise NotFound(_("This certificate is not among yours."))
    purpose, case_reference = _checked(purpose, case_reference, lifetime)
    consent = CertificateGrant.objects.create(
        certificate=certificate,
        granted_by=by,
        department=department,
        purpose=purpose,
        case_reference=case_reference,
        expires_at=timezone.now() + lifetime,
    )
    _audit(AuditAction.CONSENT_GRANTED, consent, by=by)
    return consent


def grant_many(
    certificates: Sequence[Certificate],
    *,
    holdings: selectors.Holdings,
    department_id: int,
    purpose: str,
    case_reference: str,
    lifetime: datetime.timedelta = DEFAULT_LIFETIME,
) -> list[CertificateGrant]:
    """``grant`` for several certificates of one case and department at once, by the holder
    ``holdings`` was worked out for: one insert of the consents and one of their audit rows
    (fixed statements, portal.db.rows). Runs in the caller's transaction (an application's
    submit), without a savepoint."""
    by = holdings.user
    if not all(holdings.holds(certificate) for certificate in certificates):
        raise NotFound(_("This certificate is not among yours."))
    purpose, case_reference = _checked(purpose, case_reference, lifetime)
    expires_at = timezone.now() + lifetime
    consents = rows.insert(
        [
            CertificateGrant(
                certificate=certificate,
                granted_by=by,
                department_id=department_id,
                purpose=purpose,
                case_reference=case_reference,
                expires_at=expires_at,
            )
            for certificate in certificates
        ]
    )
    audit_rows = []
    for consent in consents:
        certificate = consent.certificate
        detail: dict[str, Any] = {
            "certificate_id": certificate.pk,
            "grant_id": consent.pk,
            "department_id": department_id,
        }
        # The same row as _audit writes, without its two reads for a person's own certificate.
        if holdings.holds_as_person(certificate):
            subject: User | None = by
        else:
            if (organisation := selectors.holder_organisation(certificate)) is not None:
                detail["organisation_id"] = organisation.pk
            subject = selectors.holder_account(certificate)
        audit_rows.append(
            AuditEvent(
                actor=by if by.is_authenticated else None,
                action=AuditAction.CONSENT_GRANTED,
                subject=subject,
                detail=detail,
            )
        )
    rows.insert(audit_rows)
    return consents


def _checked(purpose: str, case_reference: str, lifetime: datetime.timedelta) -> tuple[str, str]:
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
    return purpose, case_reference


@transaction.atomic
def withdraw(grant: CertificateGrant, *, by: User) -> None:
    """Whoever holds the certificate now (an organisation's representative or any live agent)
    withdraws any consent to its use, whoever gave it."""
    if not selectors.holds(by, grant.certificate):
        raise NotFound(_("This consent is not among yours."))
    grant = CertificateGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.withdrawn_at is None:
        grant.withdrawn_at = timezone.now()
        grant.save(update_fields=["withdrawn_at"])
        _audit(AuditAction.CONSENT_WITHDRAWN, grant, by=by)


def _audit(action: AuditAction, grant: CertificateGrant, *, by: User) -> None:
    """A consent changes who may read a certificate: the holder's account is the subject (an
    organisation's certificate has none; its id goes into the detail)."""
    certificate = grant.certificate
    detail: dict[str, Any] = {
        "certificate_id": certificate.pk,
        "grant_id": grant.pk,
        "department_id": grant.department_id,
    }
    if (organisation := selectors.holder_organisation(certificate)) is not None:
        detail["organisation_id"] = organisation.pk
    audit.record(action, actor=by, subject=selectors.holder_account(certificate), **detail)


def granter_holds(grant: CertificateGrant) -> bool:
    """A consent lasts only while whoever gave it still holds the certificate (see
    sharing.creator_holds): checked on every read, so a revoked agency ends it at once."""
    return selectors.holds(grant.granted_by, grant.certificate, since=grant.created_at)


@transaction.atomic
def read(grant_id: int, *, reader: User, request: HttpRequest | None = None) -> Result:
    """A reviewer reads a certificate through a live grant to his department.

    Raises CertificateGrant.DoesNotExist (a 404 to the caller, nothing logged) when there is
    no such live grant for him, or its giver no longer holds the certificate; otherwise logs
    the use for the holder and audits the read.
    """
    grant = (
        selectors.live_grants_for_reviewer(reader)
        .select_related("certificate__issuer", "certificate__key", "granted_by")
        .get(pk=grant_id)
    )
    if not granter_holds(grant):
        raise CertificateGrant.DoesNotExist
    record_read(
        grant.certificate,
        reader=reader,
        department=grant.department,
        reason=grant.purpose,
        grant=grant,
        request=request,
    )
    return verify_certificate(grant.certificate)


@transaction.atomic
def record_read(
    certificate: Certificate,
    *,
    reader: User,
    reason: str,
    department: Department | None = None,
    grant: CertificateGrant | None = None,
    request: HttpRequest | None = None,
) -> None:
    """Log a read of a certificate by someone who does not hold it: in the holder's use log
    (用证记录) when a department reads it, and always in the audit log, whose subject is the
    holder's account (none for an organisation: its id goes into the detail instead)."""
    if selectors.holds(reader, certificate):
        return  # reading one's own certificate is not logged, as in audit.personal_data_viewed
    if department is not None:
        CertificateUse.objects.create(
            certificate=certificate,
            grant=grant,
            reader=reader,
            department=department,
            purpose=reason[:200],
        )
    detail: dict[str, int] = {"certificate_id": certificate.pk}
    if (organisation := selectors.holder_organisation(certificate)) is not None:
        detail["organisation_id"] = organisation.pk
    if grant is not None:
        detail["grant_id"] = grant.pk
    audit.record(
        AuditAction.PERSONAL_DATA_VIEWED,
        actor=reader,
        subject=selectors.holder_account(certificate),
        fields=["certificate"],
        reason=reason,
        request=request,
        **detail,
    )
