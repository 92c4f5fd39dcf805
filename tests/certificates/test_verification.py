import datetime
import json

import pytest
from django.utils import timezone

from certificates import canonical, issuing, keys, sharing, signing, verification
from certificates.models import Certificate, SigningKey
from certificates.verification import Outcome
from portal.errors import NotFound
from tests.factories import DepartmentFactory


def _flip(text: str, bit: int) -> str:
    raw = bytearray(text.encode("latin-1"))
    raw[bit // 8] ^= 1 << (bit % 8)
    return raw.decode("latin-1")


def test_a_stored_certificate_verifies_and_an_altered_row_is_tampered(certificate):
    assert verification.verify_certificate(certificate).outcome == Outcome.VALID
    Certificate.objects.filter(pk=certificate.pk).update(holder_name="李四")
    certificate.refresh_from_db()
    assert verification.verify_certificate(certificate).outcome == Outcome.TAMPERED


def test_flipping_any_single_bit_of_a_signed_certificate_is_reported_tampered(certificate):
    document = verification.document(certificate)
    assert verification.verify_document(document).outcome == Outcome.VALID
    for bit in range(len(document) * 8):
        result = verification.verify_document(_flip(document, bit))
        assert not result.genuine, bit
        assert result.outcome in {Outcome.TAMPERED, Outcome.FORGED, Outcome.UNKNOWN_KEY}, bit


def test_sm2_signed_documents_and_tokens_resist_bit_flips_too(issuer, ctype, person):
    keys.rotate(issuer, alg="SM2SM3")
    certificate = issuing.issue(
        type=ctype,
        issuer=issuer,
        holder_name="张三",
        holder_code=person.reveal_id_number(),
        surface={},
        by=None,
    )
    document = verification.document(certificate)
    assert verification.verify_document(document).outcome == Outcome.VALID
    share = sharing.create(certificate, by=person.user, lifetime=datetime.timedelta(hours=1))
    # SM2 verifies ~1,600/s: every 7th bit keeps this test at a few seconds.
    for bit in range(0, len(document) * 8, 7):
        assert not verification.verify_document(_flip(document, bit)).genuine, bit
    for bit in range(0, len(share.token) * 8, 7):
        assert not sharing.open_token(_flip(share.token, bit)).genuine, bit
    assert sharing.open_token(share.token).outcome == Outcome.VALID


def test_flipping_any_single_bit_of_a_share_token_is_refused(certificate, person):
    share = sharing.create(certificate, by=person.user, lifetime=datetime.timedelta(hours=1))
    for bit in range(len(share.token) * 8):
        result = sharing.open_token(_flip(share.token, bit))
        assert not result.genuine, bit
    assert sharing.open_token(share.token).outcome == Outcome.VALID


def _forge(header: dict, payload: dict, signer_key: SigningKey | None) -> str:
    message = signing.signing_input(header, payload)
    if signer_key is None:
        return message.decode() + "."
    signer = signing.signer_for(signer_key.alg)
    sig = signer.sign(keys.private_key(signer_key), keys.public_key(signer_key), message)
    return f"{message.decode()}.{signing.b64url(sig)}"


def test_a_document_signed_by_another_departments_key_is_forged(certificate):
    other = keys.active_key(DepartmentFactory())
    payload = canonical.payload(certificate)
    token = _forge(canonical.header(other), payload, other)
    assert verification.verify_document(token).outcome == Outcome.FORGED


def test_a_share_token_signed_by_another_departments_key_is_forged(certificate, person):
    share = sharing.create(certificate, by=person.user, lifetime=datetime.timedelta(hours=1))
    other = keys.active_key(DepartmentFactory())
    body = json.loads(signing.b64url_decode(share.token.split(".")[1]))
    token = _forge(canonical.header(other, canonical.SHARE_TYP), body, other)
    assert sharing.open_token(token).outcome == Outcome.FORGED


def test_alg_none_and_unknown_key_ids_are_rejected(certificate):
    payload = canonical.payload(certificate)
    header = {**canonical.header(certificate.key), "alg": "none"}
    assert verification.verify_document(_forge(header, payload, None)).outcome == Outcome.FORGED
    header = {**canonical.header(certificate.key), "kid": "nobody-1"}
    assert (
        verification.verify_document(_forge(header, payload, certificate.key)).outcome
        == Outcome.UNKNOWN_KEY
    )
    header = {**canonical.header(certificate.key), "alg": "SM2SM3"}
    assert verification.verify_document(_forge(header, payload, None)).outcome == Outcome.FORGED


def test_revocation_shows_at_once_on_the_share_page_and_api(client, certificate, person):
    share = sharing.create(certificate, by=person.user, lifetime=datetime.timedelta(hours=1))
    page = client.get(f"/verify/{share.token}/")
    assert page.status_code == 200 and "no-cache" in page["Cache-Control"]
    assert "genuine and valid" in page.content.decode()
    issuing.revoke(certificate, by=None, reason="吊销")
    assert "has been revoked" in client.get(f"/verify/{share.token}/").content.decode()
    api = client.get(f"/api/v1/certificates/verify/{share.token}/")
    assert api.json()["outcome"] == "revoked" and api["Cache-Control"] == "no-store"


def test_expiry_exactly_at_the_boundary(certificate):
    last = certificate.valid_until
    assert verification.verify_certificate(certificate, last).outcome == Outcome.VALID
    next_day = last + datetime.timedelta(days=1)
    assert verification.verify_certificate(certificate, next_day).outcome == Outcome.EXPIRED


def test_a_share_expires_exactly_at_its_end(certificate, person):
    share = sharing.create(certificate, by=person.user, lifetime=datetime.timedelta(minutes=10))
    just_before = share.expires_at - datetime.timedelta(microseconds=1)
    assert sharing.open_token(share.token, now=just_before).outcome == Outcome.VALID
    assert sharing.open_token(share.token, now=share.expires_at).outcome == Outcome.SHARE_EXPIRED


def test_a_one_time_share_used_twice_is_refused(client, certificate, person):
    share = sharing.create(
        certificate, by=person.user, lifetime=datetime.timedelta(hours=1), one_time=True
    )
    assert client.get(f"/verify/{share.token}/").context["result"].outcome == Outcome.VALID
    second = client.get(f"/verify/{share.token}/")
    assert second.context["result"].outcome == Outcome.SHARE_USED
    assert "only once" in second.content.decode()


def test_a_withdrawn_share_is_refused(certificate, person):
    share = sharing.create(certificate, by=person.user, lifetime=datetime.timedelta(hours=1))
    sharing.withdraw(share, by=person.user)
    assert sharing.open_token(share.token).outcome == Outcome.SHARE_WITHDRAWN


def test_the_verification_page_shows_the_masked_minimum_unless_the_holder_chose_more(
    client, certificate, person
):
    plain = sharing.create(certificate, by=person.user, lifetime=datetime.timedelta(hours=1))
    main = client.get(f"/verify/{plain.token}/").content.decode().split("<main")[1]
    assert "张*" in main and "张三" not in main
    body = main
    assert person.reveal_id_number() not in body
    assert "广州市天河区" not in body
    more = sharing.create(
        certificate,
        by=person.user,
        lifetime=datetime.timedelta(hours=1),
        shown_fields=["holder_name", "address"],
    )
    body = client.get(f"/verify/{more.token}/").content.decode()
    assert "张三" in body and "广州市天河区" in body
    assert person.reveal_id_number() not in body


def test_only_the_holder_shares(certificate):
    from tests.factories import UserFactory

    with pytest.raises(NotFound):
        sharing.create(certificate, by=UserFactory(), lifetime=datetime.timedelta(hours=1))


def test_verification_by_identifier_api(client, certificate):
    url = f"/api/v1/certificates/verification/{certificate.identifier}/"
    body = client.get(url).json()
    assert body["outcome"] == "valid" and body["certificate"]["holder_name"] == "张*"
    assert body["certificate"]["holder_code"] == certificate.holder_code_masked
    bad = client.get("/api/v1/certificates/verification/1.2.156.3005.2.nonsense/")
    assert bad.status_code == 400
    assert bad.json()["code"] == "identifier_parts"
    wrong_check = certificate.identifier[:-1] + ("A" if certificate.identifier[-1] != "A" else "B")
    bad = client.get(f"/api/v1/certificates/verification/{wrong_check}/")
    assert bad.status_code == 400 and "last character" in bad.json()["detail"]


def test_the_verification_api_refuses_other_methods_and_throttles_in_its_error_shape(
    client, certificate, monkeypatch
):
    from rest_framework.throttling import AnonRateThrottle

    url = f"/api/v1/certificates/verification/{certificate.identifier}/"
    refused = client.post(url, {}, content_type="application/json")
    assert refused.status_code == 405 and refused["Allow"] == "GET, HEAD, OPTIONS"
    assert refused.json()["code"] == "method_not_allowed" and "POST" in refused.json()["detail"]
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    throttled = client.get(url)
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0
    assert throttled.json()["code"] == "throttled" and throttled.json()["retry_after"] > 0


def test_the_verification_api_throttles_signed_in_callers_by_address_too(
    client, certificate, person, monkeypatch
):
    from rest_framework.throttling import AnonRateThrottle

    client.force_login(person.user)
    url = f"/api/v1/certificates/verification/{certificate.identifier}/"
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    options = client.options(url)
    assert options.status_code == 200 and options["Allow"] == "GET, HEAD, OPTIONS"


def test_the_public_verification_pages_are_throttled_by_address(client, certificate, person):
    from rest_framework.throttling import AnonRateThrottle

    share = sharing.create(certificate, by=person.user, lifetime=datetime.timedelta(hours=1))
    rates = {"verify_page": "3/min"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AnonRateThrottle, "THROTTLE_RATES", rates)
        statuses = [
            client.get(f"/verify/{share.token}/").status_code,
            client.get(f"/verify/id/{certificate.identifier}/").status_code,
            client.get(f"/verify/{share.token}/").status_code,
        ]
        refused = client.get(f"/verify/id/{certificate.identifier}/")
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Too many pages were opened from your network" in refused.content.decode()
    assert share.scans.count() == 2  # the refused request opened nothing


def test_the_verification_api_speaks_the_requested_language(client, certificate):
    url = "/api/v1/certificates/verification/1.2.156.3005.2.nonsense/"
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-Hans").json()["detail"]
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    assert chinese != english and not chinese.isascii() and english.isascii()
    body = client.get(
        f"/api/v1/certificates/verification/{certificate.identifier}/",
        HTTP_ACCEPT_LANGUAGE="zh-Hans",
    ).json()
    assert body["message"] == "该电子证照真实有效。"


def test_the_verification_by_identifier_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/certificates/verification/{identifier}/"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Verification"
    }
    assert "Verification" in schema["components"]["schemas"]


def test_a_remembered_signature_check_never_hides_a_later_tampering(client, certificate):
    url = f"/api/v1/certificates/verification/{certificate.identifier}/"
    # Enough times for PostgreSQL to have prepared the statement (prepare_threshold 5).
    for _ in range(7):
        assert client.get(url).json()["outcome"] == "valid"
    Certificate.objects.filter(pk=certificate.pk).update(holder_name="李四")
    assert client.get(url).json()["outcome"] == "tampered"
    Certificate.objects.filter(pk=certificate.pk).update(holder_name=certificate.holder_name)
    assert client.get(url).json()["outcome"] == "valid"
    issuing.revoke(certificate, by=None, reason="骗取登记")
    assert client.get(url).json()["outcome"] == "revoked"


def test_document_verification_api(client, certificate):
    document = verification.document(certificate)
    ok = client.post(
        "/api/v1/certificates/verify/", {"document": document}, content_type="application/json"
    )
    assert ok.json()["outcome"] == "valid"
    bad = client.post(
        "/api/v1/certificates/verify/",
        {"document": _flip(document, 200)},
        content_type="application/json",
    )
    assert bad.json()["genuine"] is False
    assert timezone.now()


def test_verifying_by_identifier_reads_one_fresh_row_per_request(client, certificate):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    new = issuing.renew(certificate, by=None, surface={"address": "广州市越秀区"}, reason="r")
    url = "/api/v1/certificates/verification/{}/"
    for stored, outcome in ((certificate, "superseded"), (new, "valid")):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url.format(stored.identifier))
        assert len(captured) == 1
        assert response["Cache-Control"] == "no-store"
        assert response.json()["outcome"] == outcome
        assert response.json()["certificate"]["key_id"] == stored.key.kid
    # The same process, the next request: the status is read again, never cached.
    issuing.revoke(new, by=None, reason="骗取登记")
    assert client.get(url.format(new.identifier)).json()["outcome"] == "revoked"


def test_the_stored_row_loads_like_the_orm_would(certificate):
    new = issuing.renew(certificate, by=None, surface={"address": "广州市越秀区"}, reason="r")
    loaded = verification._stored(new.identifier)
    expected = Certificate.objects.select_related("type", "issuer", "key", "previous").get(
        pk=new.pk
    )
    assert canonical.payload(loaded) == canonical.payload(expected)
    assert loaded.previous.identifier == certificate.identifier
    assert loaded.type.fields == expected.type.fields and loaded.issuer.name == expected.issuer.name
    assert (loaded.key.kid, loaded.key.department_id) == (
        expected.key.kid,
        expected.key.department_id,
    )
    assert loaded.status_changed_at == expected.status_changed_at  # deferred, loaded on demand
    assert not loaded._state.adding and loaded._state.db == expected._state.db
    loaded.refresh_from_db()
    assert loaded.holder_code_masked == expected.holder_code_masked
    other_check = "X" if new.identifier[-1] != "X" else "Y"
    assert verification._stored(new.identifier[:-1] + other_check) is None


def test_the_verification_page_by_identifier_uses_one_query(client, certificate):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/verify/id/{certificate.identifier}/")
    assert response.status_code == 200 and len(captured) == 1
