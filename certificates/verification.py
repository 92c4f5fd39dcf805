"""Verifying certificates (核验): genuine (signature against the published key) and status.

Three ways in: a stored certificate, a signed certificate document (compact JWS, e.g. taken
offline and brought back), and an identifier. Each answer is an Outcome in plain words.
"""

from __future__ import annotations

import datetime
import functools
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.utils.translation import gettext_lazy as _

from certificates import canonical, identifiers, keys, signing
from certificates.models import (
    Certificate,
    CertificateShare,
    CertificateStatus,
    CertificateType,
    SigningKey,
)
from portal.models import Department


class Outcome(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    SUPERSEDED = "superseded", _("Superseded")
    TAMPERED = "tampered", _("Tampered")
    FORGED = "forged", _("Not signed by the issuer")
    UNKNOWN_KEY = "unknown_key", _("Unknown key")
    NOT_FOUND = "not_found", _("Not found")
    SHARE_EXPIRED = "share_expired", _("Link expired")
    SHARE_USED = "share_used", _("Link already used")
    SHARE_WITHDRAWN = "share_withdrawn", _("Link withdrawn")


MESSAGES = {
    Outcome.VALID: _("This certificate is genuine and valid."),
    Outcome.REVOKED: _("This certificate is genuine but has been revoked by its issuer."),
    Outcome.CANCELLED: _("This certificate is genuine but has been cancelled by its issuer."),
    Outcome.EXPIRED: _("This certificate is genuine but has expired."),
    Outcome.SUPERSEDED: _("This certificate is genuine but has been replaced by a newer version."),
    Outcome.TAMPERED: _("This certificate or link has been altered or damaged: do not rely on it."),
    Outcome.FORGED: _(
        "This certificate or link was not signed by the department that issued it: "
        "do not rely on it."
    ),
    Outcome.UNKNOWN_KEY: _(
        "This certificate or link was signed with a key that no department has published: "
        "do not rely on it."
    ),
    Outcome.NOT_FOUND: _("No such certificate is held in the certificate store."),
    Outcome.SHARE_EXPIRED: _("This link has expired. Ask the holder for a new one."),
    Outcome.SHARE_USED: _("This link could be used only once and has been used."),
    Outcome.SHARE_WITHDRAWN: _("The holder has withdrawn this link."),
}


@dataclass
class Result:
    outcome: Outcome
    certificate: Certificate | None = None
    share: CertificateShare | None = None

    @property
    def genuine(self) -> bool:
        return self.outcome in _STATUS_OUTCOMES.values()

    @property
    def is_valid(self) -> bool:
        return self.outcome == Outcome.VALID

    @property
    def message(self) -> str:
        return str(MESSAGES[self.outcome])


_STATUS_OUTCOMES = {
    CertificateStatus.VALID: Outcome.VALID,
    CertificateStatus.REVOKED: Outcome.REVOKED,
    CertificateStatus.CANCELLED: Outcome.CANCELLED,
    CertificateStatus.EXPIRED: Outcome.EXPIRED,
    CertificateStatus.SUPERSEDED: Outcome.SUPERSEDED,
}


class Rejected(Exception):
    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome
        super().__init__(outcome)


def signature_valid(certificate: Certificate) -> bool:
    """Does the stored signature match the certificate's canonical form under its key?"""
    key = certificate.key
    message = signing.signing_input(canonical.header(key), canonical.payload(certificate))
    try:
        signature = signing.b64url_decode(certificate.signature)
    except signing.MalformedToken:
        return False
    return signing.signer_for(key.alg).verify(keys.public_key(key), message, signature)


def verify_certificate(certificate: Certificate, today: datetime.date | None = None) -> Result:
    if not signature_valid(certificate):
        return Result(Outcome.TAMPERED, certificate)
    return Result(
        _STATUS_OUTCOMES[CertificateStatus(certificate.effective_status(today))], certificate
    )


def document(certificate: Certificate) -> str:
    """The signed certificate as a compact JWS: what a holder carries and anyone verifies."""
    header = signing.b64url(signing.canonical_json(canonical.header(certificate.key)))
    body = signing.b64url(signing.canonical_json(canonical.payload(certificate)))
    return f"{header}.{body}.{certificate.signature}"


def verified_jws(token: str, typ: str) -> tuple[dict[str, Any], SigningKey]:
    """Decode a compact JWS and check it against a published key; raises Rejected."""
    try:
        jws = signing.decode(token)
    except signing.MalformedToken:
        raise Rejected(Outcome.TAMPERED) from None
    alg, kid = jws.header.get("alg"), jws.header.get("kid")
    if jws.header.get("typ") != typ or not isinstance(kid, str):
        raise Rejected(Outcome.TAMPERED)
    if alg not in signing.SIGNERS:  # "none" and anything we do not sign with
        raise Rejected(Outcome.FORGED)
    key = SigningKey.objects.select_related("department").filter(kid=kid).order_by().first()
    if key is None:
        raise Rejected(Outcome.UNKNOWN_KEY)
    if key.alg != alg:
        raise Rejected(Outcome.FORGED)
    if not signing.signer_for(alg).verify(keys.public_key(key), jws.signing_input, jws.signature):
        raise Rejected(Outcome.TAMPERED)
    return jws.payload, key


# Verifying by identifier is the hottest public path. Through the ORM, compiling the four-way
# select costs Django several times the signature check; so the SELECT is built once from the
# models' metadata and run as a raw query (always one fresh row: the status is never cached).
# Only what verifying needs is read: the canonical payload, status, the masked answer and the
# page's field labels; every other column is deferred (loaded only if something asks for it).
_CERTIFICATE_COLUMNS = (
    "id",
    "identifier",
    "number",
    "type_id",
    "version",
    "previous_id",
    "holder_name",
    "holder_code_type",
    "holder_code_encrypted",
    "holder_code_masked",
    "issuer_id",
    "issued_on",
    "valid_from",
    "valid_until",
    "surface",
    "status",
    "key_id",
    "signature",
)
# relation -> (model, columns besides the primary key); "previous" is an outer join.
_RELATED: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "type": (CertificateType, ("code", "name", "fields")),
    "issuer": (Department, ("code", "name")),
    "key": (SigningKey, ("kid", "alg", "public_key", "department_id")),
    "previous": (Certificate, ("identifier",)),
}
_JSON_COLUMNS = {"fields"}


def _column_names(model: type[models.Model]) -> dict[str, str]:
    """attname -> database column, in the model's field order."""
    return {field.attname: field.column for field in model._meta.concrete_fields}


@functools.cache
def _related_columns(relation: str) -> tuple[str, ...]:
    """A relation's columns in its model's field order, as ``Model.from_db`` takes them."""
    model, names = _RELATED[relation]
    return tuple(name for name in _column_names(model) if name in names)


@functools.cache
def _stored_sql() -> str:
    quote = connection.ops.quote_name
    columns = _column_names(Certificate)
    select = [f"c.{quote(columns[name])}" for name in _CERTIFICATE_COLUMNS]
    joins = []
    for relation, (model, _names) in _RELATED.items():
        target = _column_names(model)
        select += [
            f"{relation}.{quote(target[name])} AS {quote(f'{relation}__{name}')}"
            for name in _related_columns(relation)
        ]
        join = "LEFT OUTER JOIN" if relation == "previous" else "INNER JOIN"
        joins.append(
            f"{join} {quote(model._meta.db_table)} {relation} "
            f"ON {relation}.{quote(target['id'])} = c.{quote(columns[f'{relation}_id'])}"
        )
    # Only names from the models' metadata, quoted, go into the text; the identifier is a
    # parameter. The text never changes, so PostgreSQL (via psycopg) prepares it once.
    return (
        f"SELECT {', '.join(select)} FROM {quote(Certificate._meta.db_table)} c "  # noqa: S608
        f"{' '.join(joins)} WHERE c.{quote(columns['identifier'])} = %s"
    )


def _stored(identifier: str) -> Certificate | None:
    certificate = next(iter(Certificate.objects.raw(_stored_sql(), [identifier])), None)
    if certificate is None:
        return None
    for relation, (model, _names) in _RELATED.items():
        pk = getattr(certificate, f"{relation}_id")
        if pk is None:  # no previous version
            continue
        names = _related_columns(relation)
        values = [pk]
        for name in names:
            value = getattr(certificate, f"{relation}__{name}")
            # JSON columns read through raw() come back as text on PostgreSQL and SQLite.
            values.append(json.loads(value) if name in _JSON_COLUMNS else value)
        # from_db: the related row as the ORM would load it, unread columns deferred.
        setattr(certificate, relation, model.from_db(certificate._state.db, ["id", *names], values))
    return certificate


def verify_document(token: str, today: datetime.date | None = None) -> Result:
    """A signed certificate document: genuine under its issuer's key, and its live status."""
    try:
        payload, key = verified_jws(token, canonical.CERTIFICATE_TYP)
    except Rejected as rejected:
        return Result(rejected.outcome)
    if payload.get("issuer_code") != key.department.code:
        return Result(Outcome.FORGED)
    certificate = _stored(str(payload.get("identifier")))
    if certificate is None:
        return Result(Outcome.NOT_FOUND)
    if certificate.issuer_id != key.department_id:
        return Result(Outcome.FORGED)
    return verify_certificate(certificate, today)


def verify_identifier(value: str, today: datetime.date | None = None) -> Result:
    """By identifier; raises identifiers.InvalidIdentifier for a malformed one."""
    parsed = identifiers.parse(value)
    certificate = _stored(str(parsed))
    if certificate is None:
        return Result(Outcome.NOT_FOUND)
    return verify_certificate(certificate, today)
