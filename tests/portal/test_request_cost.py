"""Every signed-in request reads its session and user as fixed statements
(portal/request_reads.py); who is signed in, and when a session stops counting, are as before."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _signed_in(email: str = "me@example.cn") -> Client:
    client = Client()
    assert (
        client.post("/accounts/login/", {"login": email, "password": PASSWORD}).status_code == 302
    )
    return client


def _me(client: Client) -> int:
    return client.get("/api/v1/me/").status_code


@pytest.fixture
def person():
    return UserFactory(email="me@example.cn")


def test_a_signed_in_api_call_reads_the_session_and_the_user_once_each(person):
    client = _signed_in()
    client.get("/api/v1/bookings/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/bookings/")
    assert response.status_code == 200
    tables = [q["sql"].split(" FROM ")[1].split()[0] for q in queries]
    assert tables.count('"django_session"') == 1
    assert tables.count('"portal_user"') == 1


def test_signing_out_ends_the_session_for_the_api(person):
    client = _signed_in()
    assert _me(client) == 200
    client.post("/accounts/logout/")
    assert _me(client) == 401


def test_ending_other_sessions_signs_the_other_browser_out_of_the_api(person):
    here, there = _signed_in(), _signed_in()
    assert _me(there) == 200
    here.post("/accounts/sessions/", {})
    assert _me(there) == 401
    assert _me(here) == 200


def test_a_deactivated_account_is_signed_out(person):
    client = _signed_in()
    person.is_active = False
    person.save()
    assert _me(client) == 401


def test_a_password_changed_elsewhere_signs_this_session_out_and_removes_it(person):
    client = _signed_in()
    key = client.cookies["sessionid"].value
    person.set_password("Another-Password-2026")
    person.save()
    assert _me(client) == 401
    assert not Session.objects.filter(session_key=key).exists()


def test_an_expired_session_is_not_signed_in(person):
    client = _signed_in()
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert _me(client) == 401


def test_a_session_signed_with_a_retired_secret_key_still_counts(person, settings):
    client = _signed_in()
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-only-" + "x" * 30
    assert _me(client) == 200
    assert _me(client) == 200
