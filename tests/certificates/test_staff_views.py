import pytest

from certificates import selectors
from certificates.models import Certificate, CertificateStatus
from portal.models import StaffAssignment, StaffRole
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
