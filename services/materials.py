"""Materials (申请材料): uploads checked by their content, and e-certificates instead of copies.

An upload is sniffed from its bytes (never the name or the browser's type) against the
requirement's accepted types, capped in size, and stored under a random name in the private
"materials" storage. A certificate the applicant holds replaces a material (材料免提交): choosing
it records his consent (用证授权) for the handling department, with the case as reference.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import zipfile
from typing import IO

import filetype
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from certificates import consents, selectors
from certificates.models import Certificate, CertificateStatus
from portal.errors import Invalid, NotAllowed, Refusal
from portal.models import User
from services.models import MaterialRequirement
from services.models.applications import Application, ApplicationStatus, Material, MaterialSource

# What each accepted-type word of a requirement means in content.
MIME_OF = {
    "pdf": {"application/pdf"},
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "png": {"image/png"},
    "ofd": {"application/ofd"},
}
EDITABLE = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.AWAITING_SUPPLEMENT,
    ApplicationStatus.REVIEW_SUPPLEMENT,
)
CONSENT_PURPOSE = "application"


def sniff(head: bytes, data: IO[bytes]) -> str | None:
    """The MIME type the content really is (pdf, jpeg, png, or OFD: a zip with OFD.xml)."""
    kind = filetype.guess(head)
    if kind is None:
        return None
    if kind.mime == "application/zip":
        try:
            data.seek(0)
            with zipfile.ZipFile(data) as archive:
                return "application/ofd" if "OFD.xml" in archive.namelist() else None
        except zipfile.BadZipFile:
            return None
    return kind.mime


def _editable(application: Application, by: User) -> None:
    """May ``by`` change the materials now? Checked on the row locked for the rest of the
    transaction, so a submit racing an upload cannot let the upload land on a submitted case."""
    from services import permissions

    if not permissions.may_apply(by, application):
        raise NotAllowed(_("You may not change this application."))
    locked = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
    if locked.status not in EDITABLE:
        raise Invalid(
            _("Materials can be changed only in a draft or when a supplement was asked for."),
            code="not_editable",
        )


def _requirement(application: Application, requirement: MaterialRequirement) -> None:
    allowed = requirements_of(application)
    if requirement.pk not in {r.pk for r in allowed}:
        raise Invalid(
            _("This application does not ask for that material."),
            code="unknown_material",
            fields={"requirement": [_("Choose a material of this service.")]},
        )


def requirements_of(application: Application) -> list[MaterialRequirement]:
    """The requirements an application answers: its service's, or every needed member's."""
    if application.service_id is not None:
        return list(MaterialRequirement.objects.filter(service_id=application.service_id))
    from services import fanout

    services = [m.service_id for m in fanout.needed_members(application)]
    return list(MaterialRequirement.objects.filter(service_id__in=services))


def _replace(application: Application, requirement: MaterialRequirement) -> None:
    """One material per requirement key: a new one replaces what was there, and the consent a
    replaced e-certificate was given with ends (the department no longer needs it)."""
    replaced = Material.objects.filter(application=application, requirement__key=requirement.key)
    ended = replaced.filter(grant__isnull=False, grant__withdrawn_at__isnull=True)
    for material in ended.select_related("grant"):
        grant = material.grant
        assert grant is not None
        # If its giver no longer holds the certificate, the consent has stopped already.
        with contextlib.suppress(Refusal):
            consents.withdraw(grant, by=grant.granted_by)
    replaced.delete()


@transaction.atomic
def attach_upload(
    application: Application,
    requirement: MaterialRequirement,
    upload: IO[bytes],
    *,
    name: str,
    by: User,
) -> Material:
    _editable(application, by)
    _requirement(application, requirement)
    limit = requirement.max_size_mb * 1024 * 1024
    data = upload.read(limit + 1)
    if not data:
        raise Invalid(
            _("The file is empty."), code="empty_file", fields={"file": [_("The file is empty.")]}
        )
    if len(data) > limit:
        message = _("The file is larger than %(mb)s MB.") % {"mb": requirement.max_size_mb}
        raise Invalid(message, code="file_too_large", fields={"file": [message]})
    mime = sniff(data[:8192], io.BytesIO(data))
    accepted = set().union(*(MIME_OF.get(t, set()) for t in requirement.file_type_list))
    if mime is None or mime not in accepted:
        message = _("This file is not one of the accepted types (%(types)s).") % {
            "types": ", ".join(requirement.file_type_list).upper()
        }
        raise Invalid(message, code="file_type", fields={"file": [message]})
    _replace(application, requirement)
    material = Material(
        application=application,
        requirement=requirement,
        source=MaterialSource.UPLOAD,
        file_name=name.replace("\x00", "")[-200:] or "upload",
        content_type=mime,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        added_by=by,
    )
    material.file.save("upload", ContentFile(data), save=False)
    material.save()
    return material


@transaction.atomic
def attach_certificate(
    application: Application,
    requirement: MaterialRequirement,
    certificate: Certificate,
    *,
    by: User,
) -> Material:
    """The applicant's own valid certificate of the replacing type, with his consent."""
    _editable(application, by)
    _requirement(application, requirement)
    if (
        requirement.certificate_type_id is None
        or certificate.type_id != requirement.certificate_type_id
    ):
        raise Invalid(
            _("That certificate cannot replace this material."),
            code="certificate_type",
            fields={"certificate": [_("Choose a certificate of the type this material names.")]},
        )
    if not selectors.holds(by, certificate) and not selectors.holds(
        application.applicant, certificate
    ):
        raise Invalid(
            _("You do not hold that certificate."),
            code="not_holder",
            fields={"certificate": [_("Choose one of your own certificates.")]},
        )
    if certificate.status != CertificateStatus.VALID:
        raise Invalid(
            _("That certificate is no longer valid."),
            code="certificate_invalid",
            fields={"certificate": [_("Choose a valid certificate.")]},
        )
    holder = by if selectors.holds(by, certificate) else application.applicant
    service = requirement.service
    grant = consents.grant(
        certificate,
        by=holder,
        department=service.department,
        purpose=CONSENT_PURPOSE,
        case_reference=application.reference,
        # Long enough for draft, intake, supplements and review: not the 30-day default.
        lifetime=consents.MAX_LIFETIME,
    )
    _replace(application, requirement)
    return Material.objects.create(
        application=application,
        requirement=requirement,
        source=MaterialSource.CERTIFICATE,
        certificate=certificate,
        grant=grant,
        file_name=certificate.type.name,
        added_by=by,
    )


def missing(application: Application) -> list[MaterialRequirement]:
    """Required materials not yet handed in (conditional ones are the applicant's call)."""
    have = set(application.materials.values_list("requirement__key", flat=True))
    seen: set[str] = set()
    absent = []
    for requirement in requirements_of(application):
        if requirement.key in seen or requirement.key in have:
            continue
        seen.add(requirement.key)
        if requirement.requirement == MaterialRequirement.Requirement.REQUIRED:
            absent.append(requirement)
    return absent


@transaction.atomic
def check_paper(
    application: Application,
    requirement: MaterialRequirement,
    *,
    original_seen: bool,
    copy_taken: bool,
    by: User,
) -> Material | None:
    """The counter clerk's checklist: the original seen, a copy taken (none ticked: removed)."""
    _editable(application, by)
    _requirement(application, requirement)
    _replace(application, requirement)
    if not (original_seen or copy_taken):
        return None
    return Material.objects.create(
        application=application,
        requirement=requirement,
        source=MaterialSource.PAPER,
        file_name=requirement.name,
        original_seen=original_seen,
        copy_taken=copy_taken,
        added_by=by,
    )
