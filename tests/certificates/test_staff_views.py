import datetime
import re

import pytest
from django.utils import timezone

from certificates import issuing, selectors
from certificates.models import Certificate, CertificateStatus, CertificateUse, ValidityRule
from portal.models import StaffAssignment, StaffRole
from tests.certificates.conftest import make_type
from tests.certificates.demo_types import demo_type
from tests.factories import make_staff


@pytest.fixture
def admin(issuer, settings):
    settings.STAFF_MFA_REQUIRED = False
    user = make_staff(StaffRole.DEPARTMENT_ADMIN)
    StaffAssignment.objects.filter(user=user).update(department=issuer)
    return user


def test_an_administrator_issues_once_even_if_the_form_is_sent_twice(client, admin, ctype, person):
    client.force_login(admin)
    page = client.get(f"/staff/certificates/issue/{ctype.pk}/")
    assert page.status_code == 200
    key = page.context["form"].initial["idempotency_key"]
    data = {
        "holder_name": "张三",
        "holder_code": person.reveal_id_number(),
        "surface_address": "广州市天河区",
        "idempotency_key": key,
        "confirm": "1",  # sent from the preview
    }
    first = client.post(f"/staff/certificates/issue/{ctype.pk}/", data)
    second = client.post(f"/staff/certificates/issue/{ctype.pk}/", data)
    assert first.status_code == second.status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.surface == {"address": "广州市天河区"}
    assert selectors.holder_account(certificate) == person.user
    assert person.reveal_id_number() not in client.get("/staff/certificates/").content.decode()
    # The same form sent again with other details (the browser's back button): said, not issued.
    changed = client.post(f"/staff/certificates/issue/{ctype.pk}/", {**data, "holder_name": "李四"})
    assert changed.status_code == 200
    assert "already issued a certificate with other details" in changed.content.decode()
    assert Certificate.objects.count() == 1


def test_an_administrator_revokes_and_a_second_revocation_is_refused(client, admin, certificate):
    client.force_login(admin)
    client.post(f"/staff/certificates/{certificate.pk}/revoke/", {"reason": "证照信息有误"})
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    response = client.post(
        f"/staff/certificates/{certificate.pk}/cancel/", {"reason": "x"}, follow=True
    )
    assert "cannot be" in response.content.decode()


def test_other_departments_and_citizens_see_nothing(client, settings, certificate, person):
    settings.STAFF_MFA_REQUIRED = False
    client.force_login(make_staff(StaffRole.DEPARTMENT_ADMIN))
    assert client.get(f"/staff/certificates/{certificate.pk}/").status_code == 404
    client.force_login(person.user)
    assert client.get("/staff/certificates/").status_code == 404


def test_a_surface_value_of_the_wrong_type_is_shown_and_nothing_is_issued(
    client, admin, ctype, person
):
    client.force_login(admin)
    data = {
        "holder_name": "张三",
        "holder_code": person.reveal_id_number(),
        "surface_birth_date": "1990年3月7日",
        "idempotency_key": "k",
    }
    page = client.post(f"/staff/certificates/issue/{ctype.pk}/", data)
    assert page.status_code == 200
    assert "birth_date: enter a date as YYYY-MM-DD." in page.content.decode()
    assert not Certificate.objects.exists()


def _renewal(client, certificate, **changes):
    """The renewal page's own prefilled values, as a browser would send them back."""
    page = client.get(f"/staff/certificates/{certificate.pk}/renew/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    return {**data, "reason": "住址变更", **changes}


def test_an_administrator_changes_the_address_and_gets_a_new_version(client, admin, certificate):
    client.force_login(admin)
    detail = client.get(f"/staff/certificates/{certificate.pk}/").content.decode()
    assert f"/staff/certificates/{certificate.pk}/renew/" in detail
    reads = CertificateUse.objects.filter(certificate=certificate).count()
    data = _renewal(client, certificate, surface_address="广州市越秀区中山路2号")
    # The prefilled form is a read of the holder's data, recorded like the detail page's.
    assert CertificateUse.objects.filter(certificate=certificate).count() == reads + 1
    assert data["holder_name"] == "张三"
    assert data["surface_birth_date"] == "1990-03-07"
    assert "valid_until" not in data  # a fixed-years type: the rule sets the end date

    response = client.post(f"/staff/certificates/{certificate.pk}/renew/", data)

    new = Certificate.objects.get(previous=certificate)
    assert response.status_code == 302
    assert response.url == f"/staff/certificates/{new.pk}/"
    assert (new.version, new.status) == (2, CertificateStatus.VALID)
    assert new.surface == {"address": "广州市越秀区中山路2号", "birth_date": "1990-03-07"}
    assert new.events.get().reason == "住址变更"
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.SUPERSEDED
    page = client.get(response.url).content.decode()
    assert "The new version has been issued and signed." in page


def test_a_cleared_surface_field_is_left_out_of_the_new_version(client, admin, certificate):
    client.force_login(admin)
    data = _renewal(client, certificate, surface_birth_date="")
    client.post(f"/staff/certificates/{certificate.pk}/renew/", data)
    assert Certificate.objects.get(previous=certificate).surface == {
        "address": "广州市天河区天河路1号"
    }


def test_a_renewal_sent_twice_makes_one_new_version(client, admin, certificate):
    client.force_login(admin)
    data = _renewal(client, certificate, surface_address="广州市越秀区中山路2号")
    first = client.post(f"/staff/certificates/{certificate.pk}/renew/", data)
    second = client.post(f"/staff/certificates/{certificate.pk}/renew/", data)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Certificate.objects.filter(previous=certificate).count() == 1
    # Sent once more with another address (the back button): said on the form, not dropped.
    changed = client.post(
        f"/staff/certificates/{certificate.pk}/renew/", {**data, "surface_address": "广州市海珠区"}
    )
    assert changed.status_code == 200
    assert "already renewed the certificate with other details" in changed.content.decode()
    assert (
        Certificate.objects.get(previous=certificate).surface["address"] == "广州市越秀区中山路2号"
    )


def test_renewing_a_revoked_certificate_is_refused_on_the_form(client, admin, certificate):
    client.force_login(admin)
    data = _renewal(client, certificate)
    issuing.revoke(certificate, by=admin, reason="证照信息有误")

    response = client.post(f"/staff/certificates/{certificate.pk}/renew/", data)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "A revoked certificate cannot be renewed."
    ]
    assert Certificate.objects.count() == 1
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    # Neither the detail page nor the renewal page offers it any more.
    detail = client.get(f"/staff/certificates/{certificate.pk}/").content.decode()
    assert f"/staff/certificates/{certificate.pk}/renew/" not in detail
    page = client.get(f"/staff/certificates/{certificate.pk}/renew/", follow=True)
    assert page.redirect_chain == [(f"/staff/certificates/{certificate.pk}/", 302)]
    assert "A revoked certificate cannot be renewed." in page.content.decode()


def test_another_departments_administrator_cannot_renew(client, settings, certificate):
    settings.STAFF_MFA_REQUIRED = False
    client.force_login(make_staff(StaffRole.DEPARTMENT_ADMIN))
    url = f"/staff/certificates/{certificate.pk}/renew/"
    data = {"holder_name": "李四", "reason": "x", "idempotency_key": "k"}
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    assert Certificate.objects.count() == 1
    assert not CertificateUse.objects.exists()


def test_a_type_with_a_given_validity_asks_for_the_end_date(client, admin, issuer, person):
    ctype = make_type(issuer, rule=ValidityRule.GIVEN, seq=5)
    today = timezone.localdate()
    certificate = issuing.issue(
        type=ctype,
        issuer=issuer,
        holder_name="张三",
        holder_code=person.reveal_id_number(),
        surface={"address": "广州市天河区"},
        valid_until=today + datetime.timedelta(days=30),
        by=None,
    )
    client.force_login(admin)
    data = _renewal(client, certificate)
    assert data["valid_until"] == ""  # asked afresh, not carried over

    missing = client.post(f"/staff/certificates/{certificate.pk}/renew/", data)
    assert missing.status_code == 200
    assert missing.context["form"].errors["valid_until"] == ["This field is required."]
    assert Certificate.objects.count() == 1

    # The domain's own check comes back on the field.
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    ended = client.post(
        f"/staff/certificates/{certificate.pk}/renew/", {**data, "valid_until": yesterday}
    )
    assert ended.context["form"].errors["valid_until"] == [
        "A certificate cannot end before it starts."
    ]
    assert Certificate.objects.count() == 1

    until = today + datetime.timedelta(days=365)
    client.post(
        f"/staff/certificates/{certificate.pk}/renew/", {**data, "valid_until": until.isoformat()}
    )
    assert Certificate.objects.get(previous=certificate).valid_until == until


def test_a_renewal_without_a_reason_is_refused_on_the_form(client, admin, certificate):
    client.force_login(admin)
    data = _renewal(client, certificate, reason="")
    response = client.post(f"/staff/certificates/{certificate.pk}/renew/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["This field is required."]
    assert Certificate.objects.count() == 1
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


def test_every_described_by_on_the_staff_forms_names_an_element(client, admin, issuer, person):
    given = make_type(issuer, rule=ValidityRule.GIVEN, seq=6)  # its end date field has help
    certificate = issuing.issue(
        type=given,
        issuer=issuer,
        holder_name="张三",
        holder_code=person.reveal_id_number(),
        surface={},
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
        by=None,
    )
    client.force_login(admin)
    for path in (
        f"/staff/certificates/issue/{given.pk}/",
        f"/staff/certificates/{certificate.pk}/renew/",
    ):
        page = client.get(path).content.decode()
        described = {
            i for ids in re.findall(r'aria-describedby="([^"]+)"', page) for i in ids.split()
        }
        assert described, path
        assert {i for i in described if f'id="{i}"' not in page} == set(), path


def test_cancelling_without_a_reason_shows_the_form_error_and_changes_nothing(
    client, admin, certificate
):
    client.force_login(admin)
    url = f"/staff/certificates/{certificate.pk}/cancel/"
    for reason in ("", "   "):
        page = client.post(url, {"reason": reason})
        assert page.status_code == 200
        assert page.context["form"].errors["reason"] == ["This field is required."]
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    assert list(certificate.events.values_list("action", flat=True)) == ["issue"]

    assert client.post(url, {"reason": "持证人申请注销"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.CANCELLED
    assert certificate.events.get(action="cancel").reason == "持证人申请注销"


def test_a_marriage_certificate_needs_its_required_surface_fields_on_the_form(
    client, admin, issuer, person
):
    ctype = demo_type(issuer)
    client.force_login(admin)
    page = client.get(f"/staff/certificates/issue/{ctype.pk}/")
    assert re.search(r'<input[^>]*name="surface_spouse_name"[^>]*required', page.content.decode())
    data = {
        "holder_name": "张三",
        "holder_code": person.reveal_id_number(),
        "surface_spouse_name": "",
        "surface_registered_on": " ",
        "idempotency_key": "k",
    }
    page = client.post(f"/staff/certificates/issue/{ctype.pk}/", data)
    assert page.status_code == 200
    errors = page.context["form"].errors
    assert (
        errors["surface_spouse_name"]
        == errors["surface_registered_on"]
        == ["This field is required."]
    )
    assert not Certificate.objects.exists()


def test_the_staff_page_shows_the_holder_and_the_fields_masked_like_the_holders_and_audited(
    client, admin, certificate, person
):
    client.force_login(admin)
    body = client.get(f"/staff/certificates/{certificate.pk}/").content.decode()
    assert "张三" in body and "广州市天河区天河路1号" in body and "1990-03-07" in body
    assert certificate.holder_code_masked in body
    assert person.reveal_id_number() not in body
    assert CertificateUse.objects.filter(certificate=certificate, reader=admin).count() == 1


def test_revoking_and_cancelling_each_ask_for_confirmation_and_look_different(
    client, admin, certificate
):
    client.force_login(admin)
    detail = client.get(f"/staff/certificates/{certificate.pk}/").content.decode()
    # No one-click change on the page itself: two differently styled links to their own steps.
    assert f'action="/staff/certificates/{certificate.pk}/revoke/"' not in detail
    revoke_link = re.search(r'<a class="([^"]*)" href="[^"]*/revoke/"', detail)
    cancel_link = re.search(r'<a class="([^"]*)" href="[^"]*/cancel/"', detail)
    assert revoke_link and cancel_link
    assert "button-danger" in revoke_link[1] and "button-warning" in cancel_link[1]

    step = client.get(f"/staff/certificates/{certificate.pk}/revoke/").content.decode()
    assert "every verification shows it as revoked" in step and 'name="reason"' in step
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    cancel_step = client.get(f"/staff/certificates/{certificate.pk}/cancel/").content.decode()
    assert "every verification shows it as cancelled" in cancel_step

    without_reason = client.post(f"/staff/certificates/{certificate.pk}/cancel/", {"reason": ""})
    assert without_reason.status_code == 200
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    client.post(f"/staff/certificates/{certificate.pk}/cancel/", {"reason": "持证人申请注销"})
    certificate.refresh_from_db()
    assert (certificate.status, certificate.status_reason) == ("cancelled", "持证人申请注销")
