"""Each check of a signature stands on its own: a certificate or token wrong in only one way
is refused, so that losing any single check would be noticed (see docs/mutation.md)."""

from __future__ import annotations

import datetime
import json

import pytest

from certificates import canonical, identifiers, issuing, keys, sharing, signing, verification
from certificates.models import Certificate
from certificates.verification import Outcome
from tests.factories import DepartmentFactory

HOUR = datetime.timedelta(hours=1)


def _signed(header: dict, payload: dict, key) -> str:
    """A compact JWS of exactly this header and payload, properly signed with ``key``."""
    message = signing.signing_input(header, payload)
    signature = signing.signer_for(key.alg).sign(
        keys.private_key(key), keys.public_key(key), message
    )
    return f"{message.decode()}.{signing.b64url(signature)}"


@pytest.mark.parametrize(
    "stored",
    [
        "!!!not base64url!!!",  # not base64 at all
        "a",  # a length no base64 encoding has
        "padding==",  # padded: not the canonical unpadded form
        "abc+/def",  # the standard alphabet, not the URL-safe one
    ],
)
def test_a_stored_signature_that_is_not_base64url_is_tampered_not_genuine(
    client, certificate, stored
):
    Certificate.objects.filter(pk=certificate.pk).update(signature=stored)
    certificate.refresh_from_db()
    assert verification.signature_valid(certificate) is False
    assert verification.verify_certificate(certificate).outcome == Outcome.TAMPERED
    assert verification.verify_identifier(certificate.identifier).outcome == Outcome.TAMPERED
    page = client.get(f"/api/v1/certificates/verification/{certificate.identifier}/")
    assert page.json()["outcome"] == "tampered"


def test_a_stored_signature_with_a_changed_unused_bit_is_tampered(certificate):
    """Two texts can decode to the same bytes; only the canonical one is the signature."""
    last = certificate.signature[-1]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    neighbour = alphabet[alphabet.index(last) ^ 1]
    Certificate.objects.filter(pk=certificate.pk).update(
        signature=certificate.signature[:-1] + neighbour
    )
    certificate.refresh_from_db()
    assert verification.verify_certificate(certificate).outcome == Outcome.TAMPERED


def test_a_document_correct_but_for_its_type_is_not_genuine(certificate):
    key = certificate.key
    payload = canonical.payload(certificate)
    genuine = _signed(canonical.header(key), payload, key)
    assert verification.verify_document(genuine).outcome == Outcome.VALID

    as_share = _signed(canonical.header(key, canonical.SHARE_TYP), payload, key)
    untyped = _signed({"alg": key.alg, "kid": key.kid}, payload, key)
    for token in (as_share, untyped):
        result = verification.verify_document(token)
        assert result.outcome == Outcome.TAMPERED and not result.genuine


def test_a_share_token_correct_but_for_its_type_is_not_genuine(certificate, person):
    share = sharing.create(certificate, by=person.user, lifetime=HOUR)
    key = certificate.key
    body = json.loads(signing.b64url_decode(share.token.split(".")[1]))
    assert sharing.open_token(
        _signed(canonical.header(key, canonical.SHARE_TYP), body, key)
    ).genuine
    as_certificate = _signed(canonical.header(key), body, key)
    assert sharing.open_token(as_certificate).outcome == Outcome.TAMPERED


def test_a_key_id_that_is_not_text_is_tampered(certificate):
    key = certificate.key
    header = {**canonical.header(key), "kid": 7}
    token = _signed(header, canonical.payload(certificate), key)
    assert verification.verify_document(token).outcome == Outcome.TAMPERED


def test_another_department_signing_a_copy_that_names_itself_the_issuer_is_forged(certificate):
    """The copy names the signing department as issuer (so the first issuer check passes)
    but points at a certificate the other department issued: only the second check sees it."""
    other = DepartmentFactory(name="冒名局")
    other_key = keys.active_key(other)
    payload = {**canonical.payload(certificate), "issuer_code": other.code}
    forged = _signed(canonical.header(other_key), payload, other_key)
    result = verification.verify_document(forged)
    assert result.outcome == Outcome.FORGED and not result.genuine
    assert verification.verify_document(verification.document(certificate)).is_valid


def test_the_forged_issuer_checks_hold_for_a_revoked_certificate_too(certificate):
    """A forgery is reported as forged, not as the real certificate's status."""
    issuing.revoke(certificate, by=None, reason="骗取登记")
    certificate.refresh_from_db()
    other = DepartmentFactory()
    other_key = keys.active_key(other)
    payload = {**canonical.payload(certificate), "issuer_code": other.code}
    assert (
        verification.verify_document(_signed(canonical.header(other_key), payload, other_key))
    ).outcome == Outcome.FORGED
    assert verification.verify_document(verification.document(certificate)).outcome == (
        Outcome.REVOKED
    )


def test_a_genuine_document_or_identifier_of_a_certificate_not_in_the_store_is_not_found(
    certificate,
):
    unknown = identifiers.make(
        type_code=certificate.type.code,
        issuer_code=certificate.issuer.code,
        serial="2026NOTISSUED",
        version=1,
    )
    key = certificate.key
    payload = {**canonical.payload(certificate), "identifier": unknown}
    for result in (
        verification.verify_document(_signed(canonical.header(key), payload, key)),
        verification.verify_identifier(unknown),
    ):
        assert result.outcome == Outcome.NOT_FOUND and result.certificate is None
        assert result.message == "No such certificate is held in the certificate store."


def test_a_document_and_an_identifier_are_verified_as_of_the_day_asked(certificate):
    next_day = certificate.valid_until + datetime.timedelta(days=1)
    document = verification.document(certificate)
    assert verification.verify_document(document, certificate.valid_until).is_valid
    assert verification.verify_document(document, next_day).outcome == Outcome.EXPIRED
    assert verification.verify_identifier(certificate.identifier, next_day).outcome == (
        Outcome.EXPIRED
    )
