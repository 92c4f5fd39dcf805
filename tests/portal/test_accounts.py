"""Sign-up and sign-in with a mobile number or e-mail; Argon2; limits on failed sign-ins."""

import re
import time

import pytest
from django.contrib.auth.hashers import check_password
from django.test import override_settings

from portal.models import AuditAction, AuditEvent, User
from portal.settings import base
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _code(outbox) -> str:
    return re.search(r"(?<!\d)(\d{6})(?!\d)", outbox[-1].message).group(1)


def test_sign_up_with_a_mobile_number_and_verify_it_by_sms(
    client, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {"phone": "138 0013 8000", "password1": PASSWORD, "password2": PASSWORD},
        )
    assert response.status_code == 302
    user = User.objects.get(phone="+8613800138000")
    assert not user.phone_verified
    assert len(sms_outbox) == 1 and sms_outbox[0].phone == "+8613800138000"

    page = client.get(response["Location"]).content.decode()
    assert "138****8000" in page and "13800138000" not in page

    response = client.post("/accounts/phone/verify/", {"code": _code(sms_outbox)})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.phone_verified
    assert client.get("/profile/").status_code == 200


def test_a_wrong_sms_code_is_refused(client, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/signup/",
            {"phone": "13800138001", "password1": PASSWORD, "password2": PASSWORD},
        )
    wrong = "ZZZZZZ" if _code(sms_outbox) != "ZZZZZZ" else "YYYYYY"
    response = client.post("/accounts/phone/verify/", {"code": wrong})
    assert response.status_code == 200
    assert not User.objects.get(phone="+8613800138001").phone_verified


def test_sign_up_refuses_a_number_that_is_not_a_mainland_mobile(client):
    response = client.post(
        "/accounts/signup/", {"phone": "12345", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 200
    assert "11" in response.context["form"].errors["phone"][0]
    assert not User.objects.exists()


def test_signing_up_with_a_taken_number_does_not_reveal_the_account(
    client, sms_outbox, django_capture_on_commit_callbacks
):
    UserFactory(phone="+8613800138002")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {"phone": "13800138002", "password1": PASSWORD, "password2": PASSWORD},
        )
    # Same answer as a fresh sign-up; the owner gets a text telling him instead.
    assert response.status_code == 302
    assert User.objects.filter(phone="+8613800138002").count() == 1
    assert "already has an account" in sms_outbox[-1].message or "已" in sms_outbox[-1].message


@pytest.mark.parametrize("login", ["user@example.cn", "13900000042", "+86 139 0000 0042"])
def test_sign_in_with_email_or_phone_and_password(client, login):
    UserFactory(email="user@example.cn", phone="+8613900000042")
    response = client.post("/accounts/login/", {"login": login, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/profile/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN).count() == 1


def test_sign_in_by_sms_code(client, sms_outbox, django_capture_on_commit_callbacks):
    UserFactory(phone="+8613900000043")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/login/code/", {"phone": "13900000043"})
    assert response.status_code == 302
    response = client.post(response["Location"], {"code": _code(sms_outbox)})
    assert response.status_code == 302
    assert client.get("/profile/").status_code == 200


@override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)
def test_passwords_are_hashed_with_argon2(client):
    client.post(
        "/accounts/signup/",
        {
            "phone": "13800138003",
            "email": "a@example.cn",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    user = User.objects.get(phone="+8613800138003")
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password(PASSWORD, user.password)


def _fail(client, login, address="10.0.0.1"):
    return client.post(
        "/accounts/login/", {"login": login, "password": "wrong-password"}, REMOTE_ADDR=address
    )


def _message(response) -> str:
    return " ".join(response.context["form"].non_field_errors())


def test_repeated_failures_make_that_address_wait_but_not_the_holder_elsewhere(
    client, settings, english
):
    # A stranger's failures used to lock the account for everyone (ADR 0009).
    UserFactory(email="victim@example.cn")
    for _ in range(settings.LOGIN_FAILED_LIMIT - 1):
        response = _fail(client, "victim@example.cn")
        assert "Try again" not in _message(response)
    response = _fail(client, "victim@example.cn")
    assert "from this network. Try again in 1 minute" in _message(response)

    # The right password from that address waits too ...
    response = client.post(
        "/accounts/login/",
        {"login": "victim@example.cn", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    assert "from this network. Try again in" in _message(response)
    assert client.get("/profile/").status_code == 302
    # ... while the holder, elsewhere, signs in.
    response = client.post(
        "/accounts/login/",
        {"login": "victim@example.cn", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
    )
    assert response.status_code == 302
    assert client.get("/profile/").status_code == 200


@pytest.mark.parametrize("addresses", [1, 25], ids=["one address", "many addresses"])
def test_an_unknown_account_gets_the_same_answers_as_a_known_one(
    client, settings, monkeypatch, addresses, english
):
    # Frozen clock: the waits said must not differ by how long each request took.
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)
    UserFactory(email="known@example.cn")
    answers = {}
    for login in ("known@example.cn", "nobody@example.cn"):
        answers[login] = [
            list(_fail(client, login, address=f"10.1.{n}.1").context["form"].non_field_errors())
            for n in range(addresses)
            for _ in range(settings.LOGIN_FAILED_LIMIT + 1)
        ]
    assert answers["known@example.cn"] == answers["nobody@example.cn"]
    assert any(
        "Try again" in " ".join(a) or "code sent" in " ".join(a)
        for a in answers["known@example.cn"]
    )


def test_many_accounts_from_one_address_are_limited_too(client, english):
    for n in range(20):
        _fail(client, f"probe{n}@example.cn", address="10.9.9.9")
    UserFactory(email="other@example.cn")
    response = client.post(
        "/accounts/login/",
        {"login": "other@example.cn", "password": PASSWORD},
        REMOTE_ADDR="10.9.9.9",
    )
    assert response.status_code == 200
    assert "from this network" in _message(response)
    assert client.get("/profile/").status_code == 302


def test_users_see_and_end_their_other_sessions(client):
    from django.test import Client

    UserFactory(email="two@example.cn")
    other = Client()
    for c in (client, other):
        c.post("/accounts/login/", {"login": "two@example.cn", "password": PASSWORD})
    page = client.get("/accounts/sessions/")
    assert page.status_code == 200
    assert len(page.context["sessions"]) == 2
    client.post("/accounts/sessions/", {})
    assert other.get("/profile/").status_code == 302
    assert client.get("/profile/").status_code == 200


def test_password_reset_by_emailed_code(client, mailoutbox):
    user = UserFactory(email="forgot@example.cn")
    response = client.post("/accounts/password/reset/", {"email": "forgot@example.cn"})
    assert response.status_code == 302
    code = re.search(r"(?<![0-9A-Z])([0-9A-Z]{6})(?![0-9A-Z])", mailoutbox[-1].body).group(1)
    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302
    response = client.post(
        response["Location"], {"password1": "New-Secret-2026", "password2": "New-Secret-2026"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("New-Secret-2026")


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/"])
def test_nul_bytes_in_account_forms_are_refused_with_a_message(client, path):
    data = {
        "login": "a\x00b",
        "password": "x\x00",
        "phone": "138\x0000138000",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    response = client.post(path, data)
    assert response.status_code == 200
    assert response.context["form"].errors


@override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)
def test_a_password_hashed_with_djangos_heavier_defaults_still_works_and_is_rehashed(client):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    user = UserFactory(email="old@example.cn")
    user.password = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    user.save()
    response = client.post("/accounts/login/", {"login": "old@example.cn", "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert "m=19456,t=2,p=1" in user.password
