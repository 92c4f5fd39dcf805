"""Verifying certificates (核验): genuine (signature against the published key) and status.

Three ways in: a stored certificate, a signed certificate document (compact JWS, e.g. taken
offline and brought back), and an identifier. Each answer is an Outcome in plain words.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models.base import ModelState
from django.utils.translation import gettext_lazy as _

from certificates import canonical, identifiers, keys, signing
from certificates.models import (
    Certificate,
    CertificateShare,
    CertificateStatus,
    CertificateType,
    SigningKey,
)
from portal.db import prepared_cursor
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
    return signing.verify(key.alg, keys.public_key(key), message, signature)


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
    if not signing.verify(alg, keys.public_key(key), jws.signing_input, jws.signature):
        raise Rejected(Outcome.TAMPERED)
    return jws.payload, key


# Verifying by identifier is the hottest public path. Through the ORM, compiling the four-way
# select costs Django several times the signature check; so the SELECT is built once from the
# models' metadata, run through a prepared-statement cursor (portal.db) and its one row turned
# into model instances as ``Model.from_db`` would (always one fresh row: the status is never
# cached). Only what verifying needs is read: the canonical payload, status and the masked
# answer; every other column is deferred (loaded only if asked for).
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
    "type": (CertificateType, ("code", "name")),
    "issuer": (Department, ("code", "name")),
    "key": (SigningKey, ("kid", "alg", "public_key", "department_id")),
    "previous": (Certificate, ("identifier",)),
}


@dataclass(frozen=True)
class _Part:
    """One model's share of the row: its columns (attnames, in field order) and slice."""

    model: type[models.Model]
    relation: str | None  # None: the certificate itself
    attnames: tuple[str, ...]
    start: int
    # Values that need Python conversion (JSON arrives as text): index in the part -> field.
    converted: tuple[tuple[int, models.JSONField], ...]
    link: models.ForeignKey | None  # the certificate's foreign key to this part


def _fields(model: type[models.Model]) -> dict[str, models.Field]:
    """attname -> field, in the model's field order."""
    return {field.attname: field for field in model._meta.concrete_fields}


@functools.cache
def _parts() -> tuple[_Part, ...]:
    parts, start = [], 0
    wanted = [(Certificate, None, _CERTIFICATE_COLUMNS)] + [
        (model, relation, ("id", *names)) for relation, (model, names) in _RELATED.items()
    ]
    for model, relation, names in wanted:
        fields = _fields(model)
        attnames = tuple(name for name in fields if name in names)
        converted = tuple(
            (index, field)
            for index, name in enumerate(attnames)
            if isinstance(field := fields[name], models.JSONField)
        )
        link = Certificate._meta.get_field(relation) if relation else None
        assert link is None or isinstance(link, models.ForeignKey)
        parts.append(_Part(model, relation, attnames, start, converted, link))
        start += len(attnames)
    return tuple(parts)


@functools.cache
def _stored_sql() -> str:
    quote = connection.ops.quote_name
    select, joins = [], []
    for part in _parts():
        alias = part.relation or "c"
        fields = _fields(part.model)
        select += [f"{alias}.{quote(fields[name].column)}" for name in part.attnames]
        if part.relation is not None:
            join = "LEFT OUTER JOIN" if part.relation == "previous" else "INNER JOIN"
            own = _fields(Certificate)[f"{part.relation}_id"].column
            joins.append(
                f"{join} {quote(part.model._meta.db_table)} {part.relation} "
                f"ON {part.relation}.{quote(fields['id'].column)} = c.{quote(own)}"
            )
    identifier = _fields(Certificate)["identifier"].column
    # Only names from the models' metadata, quoted, go into the text; the identifier is a
    # parameter, so the text never changes and PostgreSQL plans it once per connection.
    return (
        f"SELECT {', '.join(select)} FROM {quote(Certificate._meta.db_table)} c "  # noqa: S608
        f"{' '.join(joins)} WHERE c.{quote(identifier)} = %s"
    )


def _loaded(model: type[models.Model], db: str, attnames: tuple[str, ...], values: list) -> Any:
    """``model.from_db(db, attnames, values)`` without running ``__init__`` (and its pre/post
    init signals, which none of these models use): a third of the cost of loading the row.
    Unread columns stay deferred, loaded on access as usual."""
    instance = model.__new__(model)
    instance.__dict__.update(zip(attnames, values, strict=True))
    state = ModelState()
    state.adding, state.db = False, db
    instance._state = state
    return instance


def _stored(identifier: str) -> Certificate | None:
    db = connections[DEFAULT_DB_ALIAS]
    with prepared_cursor() as cursor:
        cursor.execute(_stored_sql(), [identifier])
        row = cursor.fetchone()
    if row is None:
        return None
    parts = _parts()
    certificate = _loaded(Certificate, db.alias, parts[0].attnames, _values(parts[0], row, db))
    for part in parts[1:]:
        values = _values(part, row, db)
        if part.link is not None and values[0] is not None:  # None: no previous version
            related = _loaded(part.model, db.alias, part.attnames, values)
            part.link.set_cached_value(certificate, related)
    return certificate


def _values(part: _Part, row: tuple[Any, ...], db: Any) -> list[Any]:
    values = list(row[part.start : part.start + len(part.attnames)])
    for index, field in part.converted:
        # A whole column, not a key lookup: no expression to pass.
        values[index] = field.from_db_value(values[index], None, db)  # type: ignore[arg-type]
    return values


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
