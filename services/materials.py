"""Materials (申请材料): uploads checked by their content, and e-certificates instead of copies.

An upload is sniffed from its bytes (never the name or the browser's type) against the
requirement's accepted types, capped in size, and stored under a random name in the private
"materials" storage. A certificate the applicant holds replaces a material (材料免提交): choosing
it records his consent (用证授权) for the handling department, with the case as reference.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import filetype
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates import consents, selectors
from certificates.models import Certificate, CertificateStatus, CertificateType
from portal.db import rows
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
# The extension a material is named with, from the type its content really is: never the one
# the citizen's file name claims (a "证书.pdf.hta" runs when a clerk opens it on Windows).
EXTENSION_OF = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/ofd": ".ofd",
}
# An extension to drop from the end of a name: ".pdf", ".hta", ".7z", "。exe", not the ".05" of
# "户口本 2024.05".
_EXTENSION = re.compile(
    r"[.\uff0e\u3002](?=[^.]*[A-Za-z\uff21-\uff3a\uff41-\uff5a])"
    r"[0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]{1,10}$"
)
# Characters Windows (or a shell, or Content-Disposition) treats specially.
_UNSAFE_IN_NAME = frozenset("<>:\"/\\|?*%;'`$&{}[]~^")
_RESERVED_STEMS = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{d}{n}" for d in ("COM", "LPT") for n in range(10)]
)
STEM_MAX_LENGTH = 100
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


def safe_file_name(name: str, content_type: str) -> str:
    """The name a material is stored and downloaded under: what the citizen called the file,
    as a stem only (any path, every extension, control and invisible characters and characters
    unsafe in a file name dropped), with the extension of the type its content really is.

    不动产权证书.pdf.hta → 不动产权证书.pdf; x.pdf.html → x.pdf; 张三 2024.05 户口本.png stays.
    """
    stem = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = "".join(
        " " if unicodedata.category(char).startswith("Z") else char
        for char in stem
        if char not in _UNSAFE_IN_NAME and not unicodedata.category(char).startswith("C")
    )
    while True:
        shorter = _EXTENSION.sub("", stem.strip(" .\u3002\uff0e"))
        if shorter == stem:
            break
        stem = shorter
    stem = " ".join(stem.split())[:STEM_MAX_LENGTH].strip(" .") or "material"
    if stem.upper() in _RESERVED_STEMS:
        stem += "_"
    return stem + EXTENSION_OF.get(content_type, ".bin")


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
        table = rows.table(MaterialRequirement, "r")
        return [
            table.load(row) for row in rows.fetch(_requirements_sql(), [application.service_id])
        ]
    from services import fanout

    services = [m.service_id for m in fanout.needed_members(application)]
    found = MaterialRequirement.objects.filter(service_id__in=services)
    return list(found.select_related("service__department"))


@functools.cache
def _requirements_sql() -> str:
    """One service's requirements in their order (``MaterialRequirement.Meta.ordering``)."""
    name = functools.partial(rows.name, MaterialRequirement)
    return (
        f"SELECT {rows.table(MaterialRequirement, 'r').columns} "  # noqa: S608 (names only)
        f"FROM {rows.quoted_table(MaterialRequirement)} r WHERE r.{name('service_id')} = %s "
        f"ORDER BY r.{name('order')}, r.{name('id')}"
    )


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
        file_name=safe_file_name(name, mime),
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
    holdings = selectors.Holdings(by)
    if not holdings.holds(certificate) and by.pk != application.applicant_id:
        holdings = selectors.Holdings(application.applicant)
    _check_certificate(requirement, certificate, holdings)
    grant = consents.grant_many(
        [certificate],
        holdings=holdings,
        department_id=_department_of(application, requirement),
        purpose=CONSENT_PURPOSE,
        case_reference=application.reference,
        # Long enough for draft, intake, supplements and review: not the 30-day default.
        lifetime=consents.MAX_LIFETIME,
    )[0]
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


def _check_certificate(
    requirement: MaterialRequirement, certificate: Certificate, holdings: selectors.Holdings
) -> None:
    """The holder's own valid certificate of the type that replaces the material."""
    if (
        requirement.certificate_type_id is None
        or certificate.type_id != requirement.certificate_type_id
    ):
        raise Invalid(
            _("That certificate cannot replace this material."),
            code="certificate_type",
            fields={"certificate": [_("Choose a certificate of the type this material names.")]},
        )
    if not holdings.holds(certificate):
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


@dataclass(frozen=True)
class CertificateChoice:
    """One e-certificate checked to replace one material of a new application."""

    requirement: MaterialRequirement
    certificate: Certificate


def _certificates_by_reference(references: set[str]) -> dict[str, Certificate]:
    """Certificates by identifier, or by id (the API accepts both), in one read."""
    ids = {int(r) for r in references if r.isascii() and r.isdigit() and len(r) < 19}
    if not references:
        return {}
    if not ids:  # the usual: identifiers only, one prepared statement (portal.db.rows)
        return _certificates_by_identifier(sorted(references))
    match = Q(identifier__in=references) | Q(pk__in=ids) if ids else Q(identifier__in=references)
    found: dict[str, Certificate] = {}
    for certificate in Certificate.objects.select_related("type").filter(match):
        found[certificate.identifier] = certificate
        found.setdefault(str(certificate.pk), certificate)
    return found


def _certificates_by_identifier(identifiers: list[str]) -> dict[str, Certificate]:
    certificates, types = rows.table(Certificate, "c"), rows.table(CertificateType, "t")
    link = Certificate._meta.get_field("type")
    found: dict[str, Certificate] = {}
    width = len(certificates.attnames)
    for row in rows.fetch(_certificates_sql(len(identifiers)), identifiers):
        certificate: Certificate = certificates.load(row[:width])
        link.set_cached_value(certificate, types.load(row[width:]))
        found[certificate.identifier] = certificate
        found.setdefault(str(certificate.pk), certificate)
    return found


@functools.cache
def _certificates_sql(count: int) -> str:
    """Certificates with their types by ``count`` identifiers."""
    name = rows.name
    return (
        f"SELECT {rows.table(Certificate, 'c').columns}, "  # noqa: S608 (names only)
        f"{rows.table(CertificateType, 't').columns} FROM {rows.quoted_table(Certificate)} c "
        f"INNER JOIN {rows.quoted_table(CertificateType)} t "
        f"ON t.{name(CertificateType, 'id')} = c.{name(Certificate, 'type_id')} "
        f"WHERE c.{name(Certificate, 'identifier')} IN ({', '.join(['%s'] * count)})"
    )


def choose_certificates(
    requirements: list[MaterialRequirement],
    given: list[tuple[str, str]],
    *,
    holdings: selectors.Holdings,
) -> tuple[list[CertificateChoice], dict[str, list[str]]]:
    """E-certificates given as (requirement key, certificate reference) for a new application,
    checked as ``attach_certificate`` checks one: the choices (the last for a key wins) and
    the problems by requirement key. One read of the certificates for all of them."""
    by_key = {r.key: r for r in reversed(requirements)}  # a bundle's first of a key wins
    certificates = _certificates_by_reference({reference for _key, reference in given})
    chosen: dict[str, CertificateChoice] = {}
    problems: dict[str, list[str]] = {}
    for key, reference in given:
        requirement, certificate = by_key.get(key), certificates.get(reference)
        if requirement is None:
            problems[key] = [_("Choose a material of this service.")]
        elif certificate is None:  # the same answer as for someone else's certificate
            problems[key] = [_("Choose one of your own certificates.")]
        else:
            try:
                _check_certificate(requirement, certificate, holdings)
            except Invalid as exc:
                problems[key] = [str(m) for m in exc.fields.get("certificate", [])]
                continue
            chosen[key] = CertificateChoice(requirement, certificate)
    return list(chosen.values()), problems


def give_certificates(
    application: Application,
    chosen: list[CertificateChoice],
    *,
    holdings: selectors.Holdings,
) -> list[Material]:
    """The materials of a new application (saved, with nothing to replace yet) that its
    applicant's e-certificates replace, with his consent for each department that handles
    them: a few inserts in the caller's transaction, whatever the number of materials."""
    by_department: dict[int, list[CertificateChoice]] = {}
    for choice in chosen:
        department = _department_of(application, choice.requirement)
        by_department.setdefault(department, []).append(choice)
    grants = {}
    for department, group in by_department.items():
        given = consents.grant_many(
            [choice.certificate for choice in group],
            holdings=holdings,
            department_id=department,
            purpose=CONSENT_PURPOSE,
            case_reference=application.reference,
            lifetime=consents.MAX_LIFETIME,
        )
        grants.update({id(choice): grant for choice, grant in zip(group, given, strict=True)})
    return rows.insert(
        [
            Material(
                application=application,
                requirement=choice.requirement,
                source=MaterialSource.CERTIFICATE,
                certificate=choice.certificate,
                grant=grants[id(choice)],
                file_name=choice.certificate.type.name,
                added_by=holdings.user,
            )
            for choice in chosen
        ]
    )


def _department_of(application: Application, requirement: MaterialRequirement) -> int:
    """The department a material is handed to: the case's service's, or in a bundle the
    department of the member service that asks for it."""
    if requirement.service_id == application.service_id and application.service is not None:
        return int(application.service.department_id)
    return int(requirement.service.department_id)


def missing(application: Application) -> list[MaterialRequirement]:
    """Required materials not yet handed in (conditional ones are the applicant's call)."""
    have = set(application.materials.values_list("requirement__key", flat=True))
    return absent(requirements_of(application), have)


def absent(requirements: list[MaterialRequirement], have: set[str]) -> list[MaterialRequirement]:
    """The required ones among ``requirements`` whose key is not in ``have``, once a key."""
    seen: set[str] = set()
    found = []
    for requirement in requirements:
        if requirement.key in seen or requirement.key in have:
            continue
        seen.add(requirement.key)
        if requirement.requirement == MaterialRequirement.Requirement.REQUIRED:
            found.append(requirement)
    return found


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


# An upload's file is stored before its row is committed: a file this young may still be
# about to be referred to, so the sweep leaves it.
ORPHAN_GRACE = datetime.timedelta(hours=6)


def delete_unreferenced_files(
    *, older_than: datetime.timedelta = ORPHAN_GRACE, batch: int = 500
) -> int:
    """Delete stored material files no ``Material`` refers to any more (a replaced upload, a
    draft's upload whose transaction rolled back): a file stays while any row names it, as a
    bundle's children name their parent's files. Returns how many files were deleted."""
    storage = Material._meta.get_field("file").storage
    cutoff = timezone.now() - older_than
    deleted = 0
    for names in _stored_names(storage, "", batch):
        referred = set(
            Material.objects.filter(file__in=names).values_list("file", flat=True).distinct()
        )
        for name in names:
            if name in referred or storage.get_modified_time(name) > cutoff:
                continue
            storage.delete(name)
            deleted += 1
    return deleted


def _stored_names(storage: Storage, folder: str, batch: int) -> Iterator[list[str]]:
    """The names of every file under ``folder``, a batch at a time."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # nothing was ever stored
        return
    names = [f"{folder}/{name}" if folder else name for name in files]
    for start in range(0, len(names), batch):
        yield names[start : start + batch]
    for sub in sorted(folders):
        yield from _stored_names(storage, f"{folder}/{sub}" if folder else sub, batch)
