"""Notifications read in the reader's language; their SMS copy goes out in the portal's (Chinese)
whatever language the person who caused them was using; sent once per key."""

import pytest
from django.utils import translation
from django.utils.translation import gettext_noop

from portal import notifications
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _tell(user):
    return notifications.notify(
        user,
        key="test:1",
        title=gettext_noop("Application accepted"),
        body=gettext_noop("%(title)s was accepted, number %(number)s; due by %(due)s."),
        params={"title": "居住证申领", "number": "SL20261207-0001-00001", "due": "2026-12-14"},
        by_sms=True,
    )


def test_the_list_speaks_the_readers_language_and_the_sms_the_portals(
    client, sms_outbox, django_capture_on_commit_callbacks
):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        with translation.override("en"):  # the clerk who accepted was using English
            assert _tell(user) is not None
        assert _tell(user) is None  # the same event again: nothing more
    assert len(sms_outbox) == 1
    assert sms_outbox[0].message.startswith("申请已受理")
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    client.cookies["django_language"] = "en"
    english = client.get("/notifications/").content.decode()
    assert "居住证申领 was accepted, number SL20261207-0001-00001; due by 2026-12-14." in english
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get("/notifications/").content.decode()
    assert (
        "“居住证申领”已受理，受理编号 SL20261207-0001-00001，承诺于 2026-12-14 前办结。" in chinese
    )


def test_within_in_app_only_no_copies_are_sent(sms_outbox, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True), notifications.in_app_only():
        assert _tell(user) is not None
    assert sms_outbox == []
    assert user.notifications.count() == 1
