from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from certificates import issuing, keys, signing, verification
from certificates.models import SigningKey


def test_private_keys_are_encrypted_at_rest(issuer):
    key = keys.active_key(issuer)
    private = keys.private_key(key)
    assert private.hex() not in key.private_key_encrypted
    assert signing.b64url(private) not in key.private_key_encrypted


def test_the_master_key_setting_is_used_and_rotates(settings, issuer):
    old = Fernet.generate_key().decode()
    settings.CERTIFICATE_MASTER_KEYS = [old]
    key = keys.active_key(issuer)
    private = keys.private_key(key)
    new = Fernet.generate_key().decode()
    settings.CERTIFICATE_MASTER_KEYS = [new, old]
    assert keys.reencrypt_all() == 1
    settings.CERTIFICATE_MASTER_KEYS = [new]
    assert keys.private_key(SigningKey.objects.get(pk=key.pk)) == private


def test_rotation_signs_new_certificates_with_the_new_key_and_old_ones_still_verify(
    certificate, issuer, ctype, person
):
    old_key = certificate.key
    new_key = keys.rotate(issuer)
    assert new_key.kid != old_key.kid
    renewed = issuing.renew(certificate, by=None, reason="换证")
    assert renewed.key == new_key
    certificate.refresh_from_db()
    assert verification.signature_valid(certificate)
    assert verification.signature_valid(renewed)


def test_a_department_may_choose_sm2(issuer, ctype, person):
    keys.rotate(issuer, alg="SM2SM3")
    certificate = issuing.issue(
        type=ctype,
        issuer=issuer,
        holder_name="张三",
        holder_code=person.reveal_id_number(),
        surface={},
        by=None,
    )
    assert certificate.key.alg == "SM2SM3"
    assert verification.verify_certificate(certificate).is_valid


def test_the_public_key_document_lists_the_key_history(client, certificate, issuer):
    keys.rotate(issuer, alg="SM2SM3")
    response = client.get("/certificates/keys.json")
    assert response.status_code == 200
    published = response.json()["keys"]
    assert [k["status"] for k in published] == ["retired", "active"]
    assert published[0]["kty"] == "OKP" and published[0]["crv"] == "Ed25519"
    assert published[1]["crv"] == "SM2" and published[1]["issuer_code"] == issuer.code
    assert "private" not in response.content.decode().lower()


def test_an_operator_rotates_a_department_to_sm2_and_re_encrypts_keys(
    settings, certificate, issuer, ctype, person
):
    old_master = settings.CERTIFICATE_MASTER_KEYS[0]
    out = StringIO()
    call_command("signing_keys", "rotate", issuer.code.lower(), "--alg", "SM2SM3", stdout=out)
    assert "SM2SM3" in out.getvalue()
    renewed = issuing.renew(certificate, by=None, reason="换证")
    assert renewed.key.alg == "SM2SM3" and renewed.key != certificate.key
    assert verification.verify_certificate(certificate).genuine  # signed by the retired key
    assert verification.verify_certificate(renewed).genuine
    settings.CERTIFICATE_MASTER_KEYS = [Fernet.generate_key().decode(), old_master]
    call_command("signing_keys", "reencrypt", stdout=out)
    settings.CERTIFICATE_MASTER_KEYS = settings.CERTIFICATE_MASTER_KEYS[:1]  # old one removed
    assert verification.verify_certificate(issuing.renew(renewed, by=None, reason="r")).genuine
    call_command("signing_keys", "list", stdout=out)
    assert out.getvalue().count("retired") == 1 and renewed.key.kid in out.getvalue()


def test_rotating_an_unknown_department_says_so(db):
    with pytest.raises(CommandError, match="no department"):
        call_command("signing_keys", "rotate", "91440101MA0000000X")
