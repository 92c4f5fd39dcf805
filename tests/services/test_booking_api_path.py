"""The usual booking request (a slot by id, a service by code, for oneself) is answered from the
rows it wrote and checked without the serializer: its answer is the booking as a later read
shows it, and every refusal and every unusual body is answered as ``services.booking`` and
``BookingCreateSerializer`` word them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portal.errors import Refusal
from services import booking
from services.api.reservations import BookingCreateSerializer
from services.models.catalogue import ApplicantKind
from services.models.reservations import Booking, BookingBlock, BookingKey, BookingStatus
from tests.factories import UserFactory
from tests.services.booking_cases import Hall, make_hall
from tests.services.factories import ServiceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _post(client: APIClient, body: Any, key: str | None = None):
    return client.post(
        reverse("services_api:booking_list"),
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()),
    )


def test_the_answer_equals_a_later_read_of_the_booking_and_the_stored_answer():
    h = make_hall()
    citizen = UserFactory()
    client = api(citizen)
    key = str(uuid.uuid4())

    made = _post(client, {"slot": h.slot().pk, "service": h.service.code}, key)

    assert made.status_code == 201
    listed = client.get(reverse("services_api:booking_list")).json()["results"]
    assert listed == [made.json()]
    assert BookingKey.objects.get(key=key).answer == made.json()
    again = _post(client, {"slot": made.json()["slot"], "service": h.service.code}, key)
    assert (again.status_code, again.json()) == (200, made.json())


def test_the_booking_is_stored_as_the_service_layer_stores_one():
    h = make_hall()
    citizen = UserFactory()
    slot = h.slot()
    made = _post(api(citizen), {"slot": slot.pk, "service": h.service.code}).json()

    stored = Booking.objects.get(pk=made["id"])
    assert (stored.slot_id, stored.day, stored.hall_id) == (slot.pk, slot.day, h.hall.pk)
    assert (stored.service_id, stored.bundle_id, stored.organisation_id) == (
        h.service.pk,
        None,
        None,
    )
    assert (stored.person_id, stored.status) == (citizen.pk, BookingStatus.BOOKED)
    assert stored.created_at is not None and stored.changed_at is not None
    event = stored.events.get()
    assert (event.action, event.from_status, event.to_status) == ("book", "", "booked")
    assert (event.actor_id, event.detail) == (citizen.pk, {"slot": slot.pk})
    slot.refresh_from_db()
    assert slot.booked == 1


def _started(h: Hall, person) -> dict[str, Any]:
    return {"slot": h.slot(starts_in=dt.timedelta(minutes=-5)), "service": h.service}


def _closed(h: Hall, person) -> dict[str, Any]:
    slot = h.slot()
    booking.close_slot(slot, by=None, reason="system maintenance")
    return {"slot": slot, "service": h.service}


def _elsewhere(h: Hall, person) -> dict[str, Any]:
    return {"slot": h.slot(), "service": ServiceFactory()}


def _not_bookable(h: Hall, person) -> dict[str, Any]:
    h.service.bookable = False
    h.service.save()
    return {"slot": h.slot(), "service": h.service}


def _too_far(h: Hall, person) -> dict[str, Any]:
    return {"slot": h.slot(starts_in=dt.timedelta(days=15)), "service": h.service}


def _twice_a_day(h: Hall, person) -> dict[str, Any]:
    booking.book(person=person, slot=h.slot(), service=h.service)
    return {"slot": h.slot(starts_in=dt.timedelta(days=1, hours=1)), "service": h.service}


def _too_many(h: Hall, person) -> dict[str, Any]:
    for day in (1, 2, 3):
        booking.book(
            person=person, slot=h.slot(starts_in=dt.timedelta(days=day)), service=h.service
        )
    return {"slot": h.slot(starts_in=dt.timedelta(days=4)), "service": h.service}


def _blocked(h: Hall, person) -> dict[str, Any]:
    BookingBlock.objects.create(person=person, until=timezone.now() + dt.timedelta(days=10))
    return {"slot": h.slot(), "service": h.service}


def _for_organisations(h: Hall, person) -> dict[str, Any]:
    h.service.applicant_kind = ApplicantKind.ORGANISATION
    h.service.save()
    return {"slot": h.slot(), "service": h.service}


def _full(h: Hall, person) -> dict[str, Any]:
    slot = h.slot(capacity=1)
    booking.book(person=UserFactory(), slot=slot, service=h.service)
    return {"slot": slot, "service": h.service}


@pytest.mark.parametrize(
    ("case", "code"),
    [
        (_started, "slot_started"),
        (_closed, "slot_closed"),
        (_elsewhere, "not_offered_here"),
        (_not_bookable, "not_offered_here"),
        (_too_far, "beyond_booking_window"),
        (_twice_a_day, "one_a_day"),
        (_too_many, "too_many_bookings"),
        (_blocked, "booking_blocked"),
        (_for_organisations, "wrong_applicant_kind"),
        (_full, "fully_booked"),
    ],
)
def test_each_refusal_is_the_service_layers(case: Callable[..., dict[str, Any]], code: str):
    h = make_hall()
    citizen = UserFactory()
    details = case(h, citizen)
    before = Booking.objects.count()

    answer = _post(api(citizen), {"slot": details["slot"].pk, "service": details["service"].code})

    with pytest.raises(Refusal) as refused:
        booking.book(person=citizen, **details)
    assert (answer.status_code, answer.json()["code"]) == (refused.value.status, code)
    assert answer.json()["detail"] == refused.value.message
    assert Booking.objects.count() == before
    assert not BookingKey.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"slot": 987654, "service": "{code}"},
        {"slot": "{slot}", "service": "NO-SUCH-CODE"},
        {"slot": 2**70, "service": "{code}"},
        {"slot": True, "service": "{code}"},
        {"slot": "{slot}", "service": ""},
        {"slot": "{slot}", "service": None},
        {"service": "{code}"},
        {"slot": "{slot}", "service": "{code}", "bundle": None},
        {"slot": "{slot}", "service": "{code}", "organisation": 987654},
        ["{slot}", "{code}"],
    ],
)
def test_an_unusual_or_wrong_body_is_refused_as_the_serializer_words_it(body: Any):
    h = make_hall()
    slot = h.slot()

    def filled(value: Any) -> Any:
        if value == "{slot}":
            return slot.pk
        if value == "{code}":
            return h.service.code
        return value

    body = (
        {name: filled(value) for name, value in body.items()}
        if isinstance(body, dict)
        else [filled(value) for value in body]
    )
    answer = _post(api(UserFactory()), body)

    serializer = BookingCreateSerializer(data=body)
    assert not serializer.is_valid()
    assert answer.status_code == 400
    fields = answer.json().get("fields", {})
    for name, messages in serializer.errors.items():
        if name in fields:
            assert fields[name] == [str(message) for message in messages]
        else:  # a body that is not an object: the message is the detail
            assert answer.json()["detail"] == str(messages[0])
    assert not Booking.objects.exists()


def test_a_slot_given_as_text_is_booked_and_a_slot_alone_is_refused_as_before():
    h = make_hall()
    client = api(UserFactory())
    neither = _post(client, {"slot": h.slot().pk})
    assert (neither.status_code, neither.json()["code"]) == (400, "service_or_bundle")
    answer = _post(client, {"slot": str(h.slot().pk), "service": h.service.code})
    assert answer.status_code == 201
    assert Booking.objects.get().pk == answer.json()["id"]
