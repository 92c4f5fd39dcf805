"""Booking races on the real database: many threads, each with its own PostgreSQL connection.

Fifty people booking the last place of a slot at once: exactly one gets it, forty-nine are
told it is fully booked, and the slot's count never passes its capacity. Cancels racing each
other and new bookings free each place once and never take the count below zero. Races are
made certain: the test holds the slot's row lock until every contender waits on it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections, transaction

from portal.errors import Conflict, IllegalMove, Refusal
from services import booking
from services.models.reservations import Booking, BookingStatus, Slot
from tests.factories import UserFactory
from tests.polling import wait_for
from tests.services.booking_cases import make_hall
from tests.worker.test_application_concurrency import lock_waiters, run_together

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CONTENDERS = 50
ROUNDS = 20


@pytest.fixture(autouse=True)
def _postgresql(celery_broker_url, english) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("races need PostgreSQL (set DATABASE_URL)")


def room() -> int:
    """Connections this test may hold at once (both test processes may be at it)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        return (int(cursor.fetchone()[0]) - 30) // 2


def race_on(slot: Slot, calls: list[Callable[[], Any]]) -> list[Any]:
    """Start every call while the slot's row is locked, wait until they all wait for it, then
    let them go at the same instant."""
    gate = threading.BoundedSemaphore(min(len(calls), room()))

    def gated(call: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with gate:
                try:
                    return call()
                finally:
                    connections.close_all()

        return run

    results: list[Any] = []
    runner = threading.Thread(target=lambda: results.extend(run_together(list(map(gated, calls)))))
    with transaction.atomic():
        Slot.objects.select_for_update().get(pk=slot.pk)
        runner.start()
        waiting = min(len(calls), room())
        wait_for(
            lambda: lock_waiters() >= waiting,
            timeout=30,
            what=f"{waiting} contenders to wait for the slot's lock",
        )
    runner.join(timeout=120)
    assert len(results) == len(calls)
    return results


def test_fifty_people_for_the_last_place_one_gets_it_forty_nine_are_told_it_is_full():
    h = make_hall()
    people = [UserFactory() for _n in range(CONTENDERS)]
    for round_ in range(ROUNDS):
        slot = h.slot(starts_in=dt.timedelta(days=1, minutes=30 * round_), capacity=3)
        for _n in range(2):  # one place left
            booking.book(person=UserFactory(), slot=slot, service=h.service)

        results = race_on(
            slot,
            [
                lambda person=person, slot=slot: booking.book(
                    person=person, slot=slot, service=h.service
                )
                for person in people
            ],
        )

        made = [r for r in results if isinstance(r, Booking)]
        refused = [r for r in results if isinstance(r, Refusal)]
        assert len(made) == 1, f"round {round_}: {len(made)} bookings"
        assert len(refused) == CONTENDERS - 1
        assert {(r.code, r.status) for r in refused} == {("fully_booked", 409)}
        assert all("fully booked" in r.message for r in refused)
        slot.refresh_from_db()
        assert slot.booked == slot.capacity == 3
        assert Booking.objects.filter(slot=slot, status=BookingStatus.BOOKED).count() == 3
        # The winner may race again next round (one live booking per service and day).
        booking.cancel(made[0], by=made[0].person)


def test_racing_cancels_free_each_place_once_and_bookings_never_overfill():
    h = make_hall()
    # One place free, so that new bookings wait on the slot's lock too (an UPDATE whose WHERE
    # fails on the snapshot does not wait; it is refused at once).
    slot = h.slot(capacity=6)
    holders = [UserFactory() for _n in range(5)]
    held = [booking.book(person=p, slot=slot, service=h.service) for p in holders]
    newcomers = [UserFactory() for _n in range(24)]

    # Every holder cancels twice at once, while 24 others try to book.
    calls: list[Callable[[], Any]] = []
    for made, person in zip(held, holders, strict=True):
        calls += [lambda made=made, person=person: booking.cancel(made, by=person)] * 2
    calls += [
        lambda person=person: booking.book(person=person, slot=slot, service=h.service)
        for person in newcomers
    ]
    results = race_on(slot, calls)

    errors = [r for r in results if isinstance(r, Exception) and not isinstance(r, Refusal)]
    assert errors == []
    cancels = results[:10]
    assert sum(isinstance(r, Booking) for r in cancels) == 5
    assert all(isinstance(r, IllegalMove) for r in cancels if not isinstance(r, Booking))
    new = [r for r in results[10:] if isinstance(r, Booking)]
    assert all(isinstance(r, Conflict) for r in results[10:] if not isinstance(r, Booking))
    slot.refresh_from_db()
    live = Booking.objects.filter(slot=slot, status=BookingStatus.BOOKED).count()
    assert 0 <= slot.booked <= slot.capacity
    assert slot.booked == live == len(new)
    assert 1 <= len(new) <= slot.capacity
    assert Booking.objects.filter(slot=slot, status=BookingStatus.CANCELLED).count() == 5


def test_one_key_sent_ten_times_at_once_books_once_and_answers_each_the_same():
    from services import booking_keys
    from services.api.reservations import booking_answer

    h = make_hall()
    person = UserFactory()
    slot = h.slot(capacity=20)
    body = {"slot": slot.pk, "service": h.service.code}
    key = booking_keys.RequestKey.of("retry-storm", body)
    other = booking_keys.RequestKey.of("retry-storm", {**body, "slot": slot.pk + 1})

    def send(key: booking_keys.RequestKey) -> Any:
        return booking_keys.book_once(
            person=person, key=key, answer=booking_answer, slot=slot, service=h.service
        )

    answers = race_on(slot, [lambda: send(key)] * 10)

    assert all(isinstance(r, tuple) for r in answers), answers
    assert sum(created for _answer, created in answers) == 1
    assert len({answer["id"] for answer, _created in answers}) == 1
    with pytest.raises(Conflict) as refused:
        send(other)
    assert refused.value.code == "idempotency_conflict"
    slot.refresh_from_db()
    assert slot.booked == 1 == Booking.objects.filter(person=person).count()
