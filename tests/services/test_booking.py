"""Booking a slot: places, rules, refusals, cancelling and moving (services.booking)."""

from __future__ import annotations

import pytest

from portal.errors import Conflict, IllegalMove
from services import booking, hallcodes
from services.models.reservations import Booking, BookingStatus, Slot
from tests.factories import UserFactory
from tests.services.booking_cases import make_hall

pytestmark = pytest.mark.django_db


def test_booking_takes_a_place_and_gives_a_code_and_a_qr():
    h = make_hall()
    slot = h.slot()
    citizen = UserFactory()

    made = booking.book(person=citizen, slot=slot, service=h.service)

    slot.refresh_from_db()
    assert slot.booked == 1
    assert made.status == BookingStatus.BOOKED
    assert hallcodes.normalise_booking_code(made.code) == made.code
    assert hallcodes.code_from_qr(hallcodes.qr_payload(made.code)) == made.code
    assert made.events.get().action == "book"


def test_cancelling_frees_the_place_once():
    h = make_hall()
    slot = h.slot()
    citizen = UserFactory()
    made = booking.book(person=citizen, slot=slot, service=h.service)

    booking.cancel(made, by=citizen)
    with pytest.raises(IllegalMove):
        booking.cancel(made, by=citizen)

    slot.refresh_from_db()
    assert slot.booked == 0
    assert Booking.objects.get(pk=made.pk).status == BookingStatus.CANCELLED


def test_a_full_slot_is_refused_as_fully_booked():
    h = make_hall()
    slot = h.slot(capacity=1)
    booking.book(person=UserFactory(), slot=slot, service=h.service)

    with pytest.raises(Conflict) as refused:
        booking.book(person=UserFactory(), slot=slot, service=h.service)

    assert refused.value.code == "fully_booked"
    assert "fully booked" in refused.value.message
    assert Slot.objects.get(pk=slot.pk).booked == 1
