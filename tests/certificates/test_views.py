import datetime
import re

import pytest

from certificates import consents, rendering, sharing
from certificates.models import CertificateUse
from portal.models import AuditAction, AuditEvent, StaffAssignment, StaffRole
from tests.factories import PersonFactory, make_staff


def test_the_wallet_lists_the_holders_certificates(client, certificate, person):
    client.force_login(person.user)
    body = client.get("/wallet/").content.decode()
    assert ("居民身份证" in body and "Valid" in body) or "有效" in body
    detail = client.get(f"/wallet/{certificate.pk}/")
    assert detail.status_code == 200
    assert person.reveal_id_number() not in detail.content.decode()


def test_the_wallet_pages_in_constant_queries(client, certificate, person, issuer, ctype):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from certificates import issuing

    client.force_login(person.user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/wallet/").status_code == 200
        return len(captured)

    one = queries()
    for _ in range(5):
        issuing.issue(
            type=ctype,
            issuer=issuer,
            holder_name="张三",
            holder_code=person.reveal_id_number(),
            surface={},
            by=None,
        )
    assert queries() == one


def test_a_citizen_fetching_anothers_certificate_or_pdf_gets_404(client, certificate):
    other = PersonFactory()
    client.force_login(other.user)
    for path in (f"/wallet/{certificate.pk}/", f"/wallet/{certificate.pk}/pdf/"):
        assert client.get(path).status_code == 404
    assert client.post(f"/wallet/{certificate.pk}/share/", {"lifetime": "60"}).status_code == 404


def test_sharing_from_the_wallet_shows_a_qr_code_as_a_data_uri(client, certificate, person):
    client.force_login(person.user)
    response = client.post(
        f"/wallet/{certificate.pk}/share/", {"lifetime": "60", "one_time": "on"}, follow=True
    )
    body = response.content.decode()
    assert 'src="data:image/png;base64,' in body
    share = certificate.shares.get()
    assert share.one_time and share.token in body


def test_the_pdf_embeds_a_chinese_font(client, certificate, person):
    if rendering.cjk_font() is None:
        pytest.skip("no CJK font installed: apt-get install fonts-noto-cjk")
    client.force_login(person.user)
    response = client.get(f"/wallet/{certificate.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"FontFile" in response.content


@pytest.fixture
def reviewer(issuer):
    user = make_staff(StaffRole.REVIEWER)
    StaffAssignment.objects.filter(user=user).update(department=issuer)
    return user


def test_a_reviewer_reads_through_a_live_consent_and_the_read_is_logged(
    client, settings, certificate, person, issuer, reviewer
):
    settings.STAFF_MFA_REQUIRED = False
    grant = consents.grant(
        certificate,
        by=person.user,
        department=issuer,
        purpose="办理户籍迁移",
        case_reference="CASE-1",
    )
    client.force_login(reviewer)
    assert "居民身份证" in client.get("/staff/certificates/grants/").content.decode()
    response = client.get(f"/staff/certificates/grants/{grant.pk}/")
    assert response.status_code == 200
    assert "广州市天河区天河路1号" in response.content.decode()
    use = CertificateUse.objects.get()
    assert (use.reader, use.department, use.purpose) == (reviewer, issuer, "办理户籍迁移")
    assert AuditEvent.objects.filter(
        action=AuditAction.PERSONAL_DATA_VIEWED, actor=reviewer, subject=person.user
    ).exists()
    # The holder sees the use log.
    client.force_login(person.user)
    assert "办理户籍迁移" in client.get(f"/wallet/{certificate.pk}/").content.decode()


def test_a_reviewer_without_a_live_consent_gets_404_and_no_log(
    client, settings, certificate, person, issuer, reviewer
):
    settings.STAFF_MFA_REQUIRED = False
    client.force_login(reviewer)
    grant = consents.grant(
        certificate, by=person.user, department=issuer, purpose="p", case_reference="C"
    )
    consents.withdraw(grant, by=person.user)
    assert client.get(f"/staff/certificates/grants/{grant.pk}/").status_code == 404
    other_dept = consents.grant(
        certificate,
        by=person.user,
        department=make_staff(StaffRole.REVIEWER).staff_assignments.get().department,
        purpose="p",
        case_reference="C",
    )
    assert client.get(f"/staff/certificates/grants/{other_dept.pk}/").status_code == 404
    expired = consents.grant(
        certificate,
        by=person.user,
        department=issuer,
        purpose="p",
        case_reference="C",
        lifetime=datetime.timedelta(hours=1),
    )
    type(expired).objects.filter(pk=expired.pk).update(expires_at=expired.created_at)
    assert client.get(f"/staff/certificates/grants/{expired.pk}/").status_code == 404
    assert not CertificateUse.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED).exists()


def test_the_holder_withdraws_a_consent_from_the_wallet(client, certificate, person, issuer):
    grant = consents.grant(
        certificate, by=person.user, department=issuer, purpose="p", case_reference="C"
    )
    client.force_login(person.user)
    client.post(f"/wallet/grants/{grant.pk}/withdraw/")
    grant.refresh_from_db()
    assert grant.withdrawn_at is not None


def test_the_wallet_says_what_a_consent_for_an_application_is_for_not_its_code(
    client, certificate, person, issuer, english
):
    from services.materials import CONSENT_PURPOSE

    consents.grant(
        certificate, by=person.user, department=issuer, purpose=CONSENT_PURPOSE, case_reference="C"
    )
    consents.grant(
        certificate, by=person.user, department=issuer, purpose="租房备案", case_reference="D"
    )
    client.force_login(person.user)
    page = client.get(f"/wallet/{certificate.pk}/").content.decode()
    assert "To handle the application (no copy handed in)" in page
    assert "租房备案" in page  # what the holder typed, as typed
    assert f">{CONSENT_PURPOSE}<" not in page


def test_the_holder_withdraws_a_share(client, certificate, person):
    share = sharing.create(certificate, by=person.user, lifetime=datetime.timedelta(hours=1))
    client.force_login(person.user)
    client.post(f"/wallet/shares/{share.pk}/withdraw/")
    share.refresh_from_db()
    assert not share.is_live()


def test_the_printed_qr_page_verifies_by_identifier_and_explains_bad_ones(client, certificate):
    ok = client.get(f"/verify/id/{certificate.identifier}/")
    assert ok.status_code == 200 and "genuine and valid" in ok.content.decode()
    assert "张*" in ok.content.decode()
    bad = client.get(f"/verify/id/{certificate.identifier[:-1]}/")
    assert bad.status_code == 400
    assert "five parts" in bad.content.decode() or "last character" in bad.content.decode()


def test_an_organisations_representative_and_agent_see_its_certificates(client, issuer):
    from certificates import issuing, selectors
    from certificates.models import HolderKind, ValidityRule
    from portal import organisations
    from portal.models import StaffRole
    from tests.certificates.conftest import make_type
    from tests.factories import make_staff, make_uscc

    representative, agent = PersonFactory(verified=True), PersonFactory()
    code = make_uscc()
    organisation = organisations.register(representative.user, uscc=code, name="广州测试有限公司")
    organisations.confirm_at_window(organisation, by=make_staff(StaffRole.CLERK))
    organisations.authorise_agent(organisation, phone=agent.user.phone, by=representative.user)
    ctype = make_type(issuer, kind=HolderKind.ORGANISATION, rule=ValidityRule.LONG_TERM, seq=2)
    licence = issuing.issue(
        type=ctype,
        issuer=issuer,
        holder_name=organisation.name,
        holder_code=code,
        surface={},
        by=None,
    )
    assert selectors.holder_organisation(licence) == organisation
    assert licence.holder_code_type == "001"
    for person in (representative, agent):
        client.force_login(person.user)
        assert client.get(f"/wallet/{licence.pk}/").status_code == 200
    client.force_login(PersonFactory().user)
    assert client.get(f"/wallet/{licence.pk}/").status_code == 404


def _b64url_decode(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_the_holder_downloads_the_signed_document_and_it_verifies_offline(
    client, certificate, person
):
    import json

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from certificates import verification

    client.force_login(person.user)
    detail = client.get(f"/wallet/{certificate.pk}/").content.decode()
    assert f'href="/wallet/{certificate.pk}/document/"' in detail
    response = client.get(f"/wallet/{certificate.pk}/document/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jose"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{certificate.identifier}.jws"'
    )
    assert "no-store" in response["Cache-Control"]
    document = response.content.decode("ascii")
    assert verification.verify_document(document).is_valid

    # Offline, as a third party would: only keys.json and a generic Ed25519 implementation.
    published = json.loads(client.get("/certificates/keys.json").content)
    header_b64, payload_b64, signature_b64 = document.split(".")
    header = json.loads(_b64url_decode(header_b64))
    payload = json.loads(_b64url_decode(payload_b64))
    [jwk] = [k for k in published["keys"] if k["kid"] == header["kid"]]
    assert (header["alg"], jwk["kty"], jwk["crv"]) == ("EdDSA", "OKP", "Ed25519")
    assert jwk["issuer_code"] == payload["issuer_code"]
    public = Ed25519PublicKey.from_public_bytes(_b64url_decode(jwk["x"]))
    public.verify(_b64url_decode(signature_b64), f"{header_b64}.{payload_b64}".encode("ascii"))
    assert payload["identifier"] == certificate.identifier
    assert payload["holder_code"] == person.reveal_id_number()
    assert payload["surface"] == {"address": "广州市天河区天河路1号", "birth_date": "1990-03-07"}


def test_an_sm2_signed_document_verifies_offline_with_the_default_user_id(
    client, issuer, ctype, person
):
    import json

    import gmssl_pyx

    from certificates import issuing, keys

    keys.rotate(issuer, alg="SM2SM3")
    certificate = issuing.issue(
        type=ctype,
        issuer=issuer,
        holder_name="张三",
        holder_code=person.reveal_id_number(),
        surface={},
        by=None,
    )
    client.force_login(person.user)
    document = client.get(f"/wallet/{certificate.pk}/document/").content.decode("ascii")
    header_b64, payload_b64, signature_b64 = document.split(".")
    published = json.loads(client.get("/certificates/keys.json").content)
    kid = json.loads(_b64url_decode(header_b64))["kid"]
    [jwk] = [k for k in published["keys"] if k["kid"] == kid]
    assert (jwk["crv"], published["sm2_user_id"]) == ("SM2", "1234567812345678")
    public = _b64url_decode(jwk["x"]) + _b64url_decode(jwk["y"])
    assert gmssl_pyx.sm2_verify(
        public,
        f"{header_b64}.{payload_b64}".encode("ascii"),
        _b64url_decode(signature_b64),
        published["sm2_user_id"].encode("ascii"),
    )


def test_another_citizen_cannot_download_the_signed_document(client, certificate):
    client.force_login(PersonFactory().user)
    assert client.get(f"/wallet/{certificate.pk}/document/").status_code == 404
    client.logout()
    assert client.get(f"/wallet/{certificate.pk}/document/").status_code == 302


def test_the_holder_sees_every_scan_of_his_link_and_nobody_else_does(client, certificate, person):
    from certificates.models import ScanResult

    one_time = sharing.create(
        certificate, by=person.user, lifetime=datetime.timedelta(hours=1), one_time=True
    )
    lasting = sharing.create(certificate, by=person.user, lifetime=datetime.timedelta(hours=1))
    for _ in range(3):
        client.get(f"/verify/{lasting.token}/")
    assert client.get(f"/verify/{one_time.token}/").status_code == 200
    assert "already" in client.get(f"/verify/{one_time.token}/").content.decode()
    assert [s.result for s in one_time.scans.order_by("at", "id")] == [
        ScanResult.SHOWN,
        ScanResult.USED,
    ]
    assert lasting.scans.count() == 3

    client.force_login(person.user)
    detail = client.get(f"/wallet/{certificate.pk}/").content.decode()
    assert "3 times, last" in detail and "2 times, last" in detail
    page = client.get(f"/wallet/shares/{one_time.pk}/").content.decode()
    assert "Opened 2 times" in page and "Refused: already used" in page
    assert "This link has ended" in page and "data:image/png" not in page  # no QR when ended

    client.force_login(PersonFactory().user)
    assert client.get(f"/wallet/shares/{one_time.pk}/").status_code == 404


def test_withdrawn_and_expired_links_record_refused_scans(certificate, person):
    from certificates.models import ScanResult

    share = sharing.create(certificate, by=person.user, lifetime=datetime.timedelta(hours=1))
    later = share.expires_at + datetime.timedelta(seconds=1)
    assert sharing.open_token(share.token, now=later).outcome == "share_expired"
    sharing.withdraw(share, by=person.user)
    assert sharing.open_token(share.token).outcome == "share_withdrawn"
    assert sorted(share.scans.values_list("result", flat=True)) == [
        ScanResult.EXPIRED,
        ScanResult.WITHDRAWN,
    ]


def test_the_certificate_page_counts_scans_in_constant_queries(client, certificate, person):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(person.user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/wallet/{certificate.pk}/").status_code == 200
        return len(captured)

    share = sharing.create(certificate, by=person.user, lifetime=datetime.timedelta(hours=1))
    sharing.open_token(share.token)
    one = queries()
    for _ in range(4):
        share = sharing.create(certificate, by=person.user, lifetime=datetime.timedelta(hours=1))
        sharing.open_token(share.token)
        sharing.open_token(share.token)
    assert queries() == one


def test_a_head_request_neither_uses_up_a_one_time_link_nor_counts_as_a_scan(
    client, certificate, person
):
    share = sharing.create(
        certificate, by=person.user, lifetime=datetime.timedelta(hours=1), one_time=True
    )
    assert client.head(f"/verify/{share.token}/").status_code == 200
    share.refresh_from_db()
    assert share.used_at is None and share.scans.count() == 0
    assert "genuine" in client.get(f"/verify/{share.token}/").content.decode()
    assert share.scans.get().result == "shown"


def test_a_scan_of_an_altered_certificate_is_recorded_as_not_genuine(certificate, person):
    from certificates.models import Certificate

    share = sharing.create(certificate, by=person.user, lifetime=datetime.timedelta(hours=1))
    Certificate.objects.filter(pk=certificate.pk).update(holder_name="李四")
    assert not sharing.open_token(share.token).genuine
    assert share.scans.get().get_result_display() == "Shown as not genuine"


def test_the_certificate_page_has_one_headed_section_for_each_part(client, certificate, person):
    client.force_login(person.user)
    body = client.get(f"/wallet/{certificate.pk}/").content.decode()
    sections = re.findall(
        r'<section class="cert-section" aria-labelledby="([a-z]+)-heading">\s*<h2 id="\1-heading">',
        body,
    )
    assert sections == ["details", "download", "share", "grant", "uses"]
    # The new-consent form sits in its section, after the consents it adds to.
    grant_section = body.split('aria-labelledby="grant-heading"')[1].split("</section>")[0]
    assert f'action="/wallet/{certificate.pk}/grant/"' in grant_section


def test_a_consent_names_one_of_the_applicants_own_cases_or_a_typed_reference(
    client, certificate, person, issuer
):
    from services.models import Application
    from tests.services.factories import ServiceFactory

    service = ServiceFactory(name="户口迁移登记")
    case = Application.objects.create(service=service, applicant=person.user, status="submitted")
    Application.objects.create(service=service, applicant=PersonFactory().user, status="submitted")
    client.force_login(person.user)

    page = client.get(f"/wallet/{certificate.pk}/")
    choices = dict(page.context["grant_form"].fields["case"].choices)
    assert list(choices)[1:] == [case.reference]
    assert "户口迁移登记" in choices[case.reference]

    data = {"department": issuer.pk, "purpose": "户口迁移", "days": 30}
    client.post(f"/wallet/{certificate.pk}/grant/", {**data, "case": case.reference})
    client.post(f"/wallet/{certificate.pk}/grant/", {**data, "case_reference": "粤办-2026-1"})
    refused = client.post(f"/wallet/{certificate.pk}/grant/", data, follow=True)
    assert "Choose one of your applications or type a case reference." in (refused.content.decode())
    references = set(certificate.grants.values_list("case_reference", flat=True))
    assert references == {case.reference, "粤办-2026-1"}
