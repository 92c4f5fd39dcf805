"""Issuing, renewing, revoking and cancelling through the API from a department
administrator's browser session need the second factor, as /staff/certificates/ does: a
password alone (guessed, phished) signs nothing in a department's name."""

import pytest

from certificates.models import Certificate, CertificateStatus
from portal.models import StaffAssignment, StaffRole
from tests.factories import PASSWORD, activate_totp, make_staff, totp_code


def _admin(issuer):
    user = make_staff(StaffRole.DEPARTMENT_ADMIN)
    StaffAssignment.objects.filter(user=user).update(department=issuer)
    return user


def _issue_body(issuer, ctype, person):
    return {
        "type_code": ctype.code,
        "issuer_code": issuer.code,
        "holder_name": "张三",
        "holder_code": person.reveal_id_number(),
        "surface": {"address": "广州"},
        "idempotency_key": "mfa-1",
    }


@pytest.mark.parametrize("move", ["revoke", "cancel", "renew"])
def test_a_password_only_session_changes_no_certificate(client, issuer, certificate, move):
    client.force_login(_admin(issuer))  # a password-only session
    response = client.post(
        f"/api/v1/certificates/{certificate.pk}/{move}/",
        {"reason": "错误发证", "idempotency_key": "k1"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    assert Certificate.objects.count() == 1


def test_a_password_only_session_issues_nothing(client, issuer, ctype, person):
    client.force_login(_admin(issuer))
    response = client.post(
        "/api/v1/certificates/issue/",
        _issue_body(issuer, ctype, person),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"
    assert not Certificate.objects.exists()


def test_with_the_second_factor_the_administrator_issues(client, issuer, ctype, person):
    user = _admin(issuer)
    secret = activate_totp(user)
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert (
        client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)}).status_code == 302
    )
    response = client.post(
        "/api/v1/certificates/issue/",
        _issue_body(issuer, ctype, person),
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
