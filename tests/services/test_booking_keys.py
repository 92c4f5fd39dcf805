"""A booking request's Idempotency-Key lives with the booking in the database: a retry gets the
first answer even after the cache is flushed, another body with the key is a 409, and a key
is a person's own."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from services import booking
from services.api.reservations import BookingSerializer, booking_answer
from services.models.reservations import Booking, BookingKey, BookingStatus
from tests.factories import UserFactory
from tests.services.booking_cases import make_hall

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _book(client, slot, service, key):
    return client.post(
        reverse("services_api:booking_list"),
        {"slot": slot.pk, "service": service.code},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_a_retry_after_the_cache_is_flushed_answers_the_first_booking():
    h = make_hall()
    client = api(UserFactory())
    slot = h.slot()
    key = str(uuid.uuid4())
    first = _book(client, slot, h.service, key)
    assert first.status_code == 201

    cache.clear()
    again = _book(client, slot, h.service, key)

    assert again.status_code == 200
    assert again.json() == first.json()
    assert Booking.objects.count() == 1


def test_the_key_stays_spent_after_its_booking_is_cancelled():
    h = make_hall()
    citizen = UserFactory()
    client = api(citizen)
    slot = h.slot()
    key = str(uuid.uuid4())
    first = _book(client, slot, h.service, key)
    booking.cancel(Booking.objects.get(pk=first.json()["id"]), by=citizen)

    again = _book(client, slot, h.service, key)
    other = _book(client, h.slot(starts_in=dt.timedelta(days=2)), h.service, key)

    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"
    assert list(Booking.objects.values_list("status", flat=True)) == [BookingStatus.CANCELLED]


def test_another_person_may_send_the_same_key():
    h = make_hall()
    key = "same-key"
    mine = _book(api(UserFactory()), h.slot(), h.service, key)
    theirs = _book(api(UserFactory()), h.slot(), h.service, key)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    assert BookingKey.objects.count() == 2


def test_a_refused_booking_stores_no_key():
    h = make_hall()
    slot = h.slot(capacity=1)
    booking.book(person=UserFactory(), slot=slot, service=h.service)
    refused = _book(api(UserFactory()), slot, h.service, str(uuid.uuid4()))
    assert refused.status_code == 409 and refused.json()["code"] == "fully_booked"
    assert not BookingKey.objects.exists()


def test_the_answer_is_the_booking_as_the_list_shows_it():
    h = make_hall()
    citizen = UserFactory()
    made = _book(api(citizen), h.slot(), h.service, str(uuid.uuid4())).json()
    stored = Booking.objects.select_related("slot", "service", "bundle").get(pk=made["id"])
    assert made == booking_answer(stored) == BookingSerializer(stored).data
