"""Staff need a second factor for the staff pages and for /admin/."""

import pytest

from portal.models import AuditAction, AuditEvent, StaffRole
from tests.factories import PASSWORD, UserFactory, activate_totp, make_staff, totp_code

pytestmark = pytest.mark.django_db


def _sign_in(client, user):
    return client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})


@pytest.mark.parametrize("path", ["/staff/", "/admin/"])
@pytest.mark.parametrize("role", [StaffRole.CLERK, StaffRole.SYSTEM_ADMIN])
def test_staff_without_mfa_are_sent_to_set_it_up(client, path, role):
    user = make_staff(role)
    _sign_in(client, user)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")


@pytest.mark.parametrize("path", ["/staff/", "/admin/"])
def test_staff_who_signed_in_with_their_second_factor_get_in(client, path):
    user = make_staff(StaffRole.SYSTEM_ADMIN)
    secret = activate_totp(user)
    response = _sign_in(client, user)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get(path).status_code == 302  # half signed in: not yet
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(path).status_code == 200


def test_a_wrong_totp_code_keeps_the_clerk_out(client):
    user = make_staff(StaffRole.CLERK)
    secret = activate_totp(user)
    _sign_in(client, user)
    good = totp_code(secret)
    bad = f"{(int(good) + 1) % 1000000:06d}"
    client.post("/accounts/2fa/authenticate/", {"code": bad})
    assert client.get("/staff/").status_code == 302


def test_a_clerk_who_just_activated_totp_must_prove_it_before_entering(client):
    user = make_staff(StaffRole.CLERK)
    _sign_in(client, user)
    activate_totp(user)  # activated in another tab; this session has not used it
    response = client.get("/staff/")
    assert response["Location"].startswith("/accounts/reauthenticate/") or response[
        "Location"
    ].startswith("/accounts/2fa/reauthenticate/")


def test_citizens_are_refused_the_staff_pages(client):
    user = UserFactory()
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert client.get("/staff/").status_code == 403


def test_citizens_cannot_reach_the_admin(client):
    user = UserFactory()
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert client.get("/admin/", follow=True).status_code == 403


def test_anonymous_visitors_to_admin_are_sent_to_the_portal_sign_in(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")


def test_the_development_setting_relaxes_mfa(client, settings):
    settings.STAFF_MFA_REQUIRED = False
    user = make_staff(StaffRole.CLERK)
    _sign_in(client, user)
    assert client.get("/staff/").status_code == 200


def test_mfa_changes_are_audited(client, django_capture_on_commit_callbacks):
    user = make_staff(StaffRole.CLERK)
    _sign_in(client, user)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    secret = page.context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.MFA_CHANGED, subject=user).exists()
