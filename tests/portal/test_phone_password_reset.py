"""A phone-only account resets its password by an SMS code; a code sign-in may set a new one."""

import re

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW = "New-Secret-2026"


def _code(outbox) -> str:
    return re.search(r"(?<![0-9A-Z])([0-9A-Z]{6})(?![0-9A-Z])", outbox[-1].message).group(1)


def test_a_phone_only_user_resets_his_password_by_sms_and_signs_in_with_it(
    client, sms_outbox, django_capture_on_commit_callbacks, english
):
    user = UserFactory(email="", phone="+8613900001111")
    page = client.get("/accounts/password/reset/").content.decode()
    assert "/accounts/password/reset/phone/" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/phone/", {"phone": "139 0000 1111"})
    assert response.status_code == 302
    assert sms_outbox[-1].phone == "+8613900001111"
    page = client.get(response["Location"]).content.decode()
    assert "139****1111" in page
    response = client.post(response["Location"], {"code": _code(sms_outbox)})
    assert response.status_code == 302
    response = client.post(response["Location"], {"password1": NEW, "password2": NEW})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    client.logout()
    response = client.post("/accounts/login/", {"login": "13900001111", "password": NEW})
    assert response.status_code == 302
    assert client.get("/profile/").status_code == 200


def test_an_unknown_number_gets_the_same_answer_and_no_text(
    client, sms_outbox, django_capture_on_commit_callbacks, english
):
    UserFactory(email="", phone="+8613900001111")
    answers = []
    for phone in ("13900001111", "13900002222"):
        c = client.__class__()
        with django_capture_on_commit_callbacks(execute=True):
            response = c.post("/accounts/password/reset/phone/", {"phone": phone})
        answers.append((response.status_code, response["Location"]))
        page = c.get(response["Location"]).content.decode()
        assert phone[:3] + "****" + phone[-4:] in page
    assert answers[0] == answers[1]
    assert [sms.phone for sms in sms_outbox] == ["+8613900001111"]


def test_an_unverified_number_is_not_sent_a_reset_code(
    client, sms_outbox, django_capture_on_commit_callbacks
):
    UserFactory(email="", phone="+8613900003333", phone_verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/phone/", {"phone": "13900003333"})
    assert response.status_code == 302
    assert sms_outbox == []


def test_too_many_reset_requests_for_one_number_are_refused(
    client, sms_outbox, django_capture_on_commit_callbacks, english
):
    UserFactory(email="", phone="+8613900001111")
    statuses = []
    for _ in range(7):
        with django_capture_on_commit_callbacks(execute=True):
            statuses.append(
                client.post("/accounts/password/reset/phone/", {"phone": "13900001111"}).status_code
            )
    assert statuses[:5] == [302] * 5
    assert statuses[5:] == [429, 429]
    assert len(sms_outbox) == 5


def test_a_user_signed_in_by_code_sets_a_new_password_after_a_fresh_code(
    client, sms_outbox, django_capture_on_commit_callbacks, english
):
    user = UserFactory(email="", phone="+8613900004444")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/login/code/", {"phone": "13900004444"})
    client.post(response["Location"], {"code": _code(sms_outbox)})
    assert client.get("/profile/").status_code == 200

    page = client.get("/accounts/password/change/").content.decode()
    assert "/accounts/password/new/" in page
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] -= 3600  # the code sign-in was an hour ago
    session.save()
    response = client.get("/accounts/password/new/")
    assert response.status_code == 302  # a fresh code first
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(response["Location"], {"recipient": "+8613900004444"})
    response = client.post(response["Location"], {"code": _code(sms_outbox)})
    assert response["Location"].endswith("/accounts/password/new/")
    response = client.post("/accounts/password/new/", {"password1": NEW, "password2": NEW})
    assert response.status_code == 302 and response["Location"] == "/profile/"
    user.refresh_from_db()
    assert user.check_password(NEW) and not user.check_password(PASSWORD)


def test_a_password_sign_in_alone_does_not_set_a_new_password_without_the_old_one(client):
    UserFactory(email="pw@example.cn")
    client.post("/accounts/login/", {"login": "pw@example.cn", "password": PASSWORD})
    response = client.post("/accounts/password/new/", {"password1": NEW, "password2": NEW})
    assert response.status_code == 302 and "/reauthenticate/code/" in response["Location"]
