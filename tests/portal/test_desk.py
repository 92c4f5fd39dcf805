"""The window desk (portal.desk): the citizen a clerk looked up, shared by every app's clerk
pages, kept only while recent and while the account still holds the number looked up."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from portal import desk
from portal.models import AuditAction, AuditEvent, PersonProfile, StaffRole
from tests.factories import PersonFactory, make_id_number, make_staff

pytestmark = pytest.mark.django_db


def _request():
    request = RequestFactory().get("/")
    request.session = SessionStore()
    return request


def test_a_look_up_is_audited_and_keeps_the_citizen_on_the_desk():
    clerk = make_staff(StaffRole.CLERK)
    person = PersonFactory()
    request = _request()
    found, warning = desk.look_up(request, person.reveal_id_number(), by=clerk, reason="窗口收件")
    assert found == person and warning == ""
    assert desk.identified(request) == person
    assert desk.identified(request, pk=person.pk + 1) is None
    audit = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_VIEWED, subject=person.user)
    assert audit.actor == clerk


def test_the_desk_forgets_a_citizen_after_thirty_minutes(monkeypatch):
    person = PersonFactory()
    request = _request()
    desk.remember(request, person)
    later = time.time() + desk.IDENTIFIED_FOR_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert desk.identified(request) is None
    assert desk.IDENTIFIED_SESSION_KEY not in request.session


def test_the_desk_forgets_an_account_that_no_longer_holds_the_number():
    person = PersonFactory()
    request = _request()
    desk.remember(request, person)
    PersonProfile.objects.filter(pk=person.pk).update(id_number_index="other")
    assert desk.identified(request) is None


def test_an_unknown_number_clears_the_desk():
    clerk = make_staff(StaffRole.CLERK)
    request = _request()
    desk.remember(request, PersonFactory())
    found, _warning = desk.look_up(request, make_id_number(), by=clerk, reason="窗口收件")
    assert found is None and desk.identified(request) is None
