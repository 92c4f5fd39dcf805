"""In the hall: check-in, walk-in tickets, calling, recalling, no-shows, finishing, the display
(services.queueing, services.reservation_selectors)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone

from portal.errors import Conflict, IllegalMove, Invalid, NotAllowed, NotFound
from portal.models import AuditAction, AuditEvent
from services import booking, hallcodes, queueing, reservation_selectors
from services.models.reservations import (
    BookingBlock,
    BookingStatus,
    ReservationEvent,
    Slot,
    Ticket,
    TicketStatus,
)
from tests.factories import PersonFactory, UserFactory, make_id_number
from tests.services.booking_cases import make_hall

pytestmark = pytest.mark.django_db
T = TicketStatus


def _booked(h, *, starts_in=dt.timedelta(minutes=10), person=None):
    """A booking whose slot starts ``starts_in`` from now (booked ahead, then the clock moved)."""
    person = person or UserFactory()
    slot = h.slot()
    made = booking.book(person=person, slot=slot, service=h.service)
    start = timezone.now() + starts_in
    Slot.objects.filter(pk=slot.pk).update(
        starts_at=start, ends_at=start + dt.timedelta(minutes=30), day=timezone.localdate(start)
    )
    made.refresh_from_db()
    made.day = timezone.localdate(start)
    made.save(update_fields=["day"])
    return made


# --- Check-in ----------------------------------------------------------------------------


def test_checking_in_within_the_slot_gives_a_ticket_before_walk_ins():
    h = make_hall()
    made = _booked(h)

    ticket = queueing.check_in(h.hall, code=made.code)

    assert (ticket.number, ticket.priority, ticket.status) == ("A001", True, T.WAITING)
    assert ticket.person == made.person and ticket.service == h.service
    made.refresh_from_db()
    assert made.status == BookingStatus.CHECKED_IN


def test_the_qr_code_checks_in_like_the_code():
    h = make_hall()
    made = _booked(h)
    ticket = queueing.check_in(h.hall, qr=hallcodes.qr_payload(made.code))
    assert ticket.booking == made


def test_arriving_after_the_grace_period_gives_a_walk_in_ticket():
    h = make_hall()
    made = _booked(h, starts_in=dt.timedelta(minutes=-20))

    ticket = queueing.check_in(h.hall, code=made.code)

    assert ticket.priority is False
    made.refresh_from_db()
    assert made.status == BookingStatus.LATE


@pytest.mark.parametrize(
    ("lookup", "code", "refusal"),
    [
        ({"code": "12345"}, "malformed_code", Invalid),
        ({"code": "0000000000"}, "no_booking", NotFound),
        ({"qr": "OWBK:1234567890:forged"}, "bad_qr", Invalid),
        ({"id_number": "440106199003070000"}, "bad_id_number", Invalid),
        ({}, "nothing_to_look_up", Invalid),
    ],
)
def test_a_bad_look_up_is_refused_with_its_own_message(lookup, code, refusal):
    h = make_hall()
    with pytest.raises(refusal) as refused:
        queueing.check_in(h.hall, **lookup)
    assert refused.value.code == code
    assert not Ticket.objects.exists()


def test_a_booking_for_another_hall_or_day_or_later_is_refused():
    h, other = make_hall(), make_hall()
    elsewhere = _booked(other)
    with pytest.raises(Conflict) as refused:
        queueing.check_in(h.hall, code=elsewhere.code)
    assert refused.value.code == "other_hall"
    assert other.hall.name in refused.value.message

    tomorrow = booking.book(person=UserFactory(), slot=h.slot(), service=h.service)
    with pytest.raises(Conflict) as refused:
        queueing.check_in(h.hall, code=tomorrow.code)
    assert refused.value.code == "not_today"

    later = _booked(h, starts_in=dt.timedelta(hours=3))
    with pytest.raises(Conflict) as refused:
        queueing.check_in(h.hall, code=later.code)
    assert refused.value.code == "too_early"
    assert not Ticket.objects.exists()


def test_checking_in_twice_names_the_ticket_already_given():
    h = make_hall()
    made = _booked(h)
    first = queueing.check_in(h.hall, code=made.code)
    with pytest.raises(Conflict) as refused:
        queueing.check_in(h.hall, code=made.code)
    assert first.number in refused.value.message
    assert Ticket.objects.count() == 1


def test_a_cancelled_booking_cannot_be_checked_in():
    h = make_hall()
    made = _booked(h, starts_in=dt.timedelta(hours=2))
    booking.cancel(made, by=made.person)
    Slot.objects.filter(pk=made.slot_id).update(
        starts_at=timezone.now() + dt.timedelta(minutes=5),
        ends_at=timezone.now() + dt.timedelta(minutes=35),
    )
    with pytest.raises(IllegalMove):
        queueing.check_in(h.hall, code=made.code)


def test_at_the_kiosk_the_id_number_finds_todays_booking():
    h = make_hall()
    number = make_id_number()
    person = PersonFactory(id_number=number)
    made = _booked(h, person=person.user)

    ticket = queueing.check_in(h.hall, id_number=number)

    assert ticket.booking == made
    assert not AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED).exists()


def test_a_clerks_look_up_by_id_number_is_audited():
    h = make_hall()
    clerk = h.clerk()
    number = make_id_number()
    person = PersonFactory(id_number=number)
    _booked(h, person=person.user)
    request = RequestFactory().post("/")
    request.session = {}  # type: ignore[attr-defined]

    queueing.check_in(h.hall, id_number=number, by=clerk, request=request)

    read = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_VIEWED)
    assert (read.actor, read.subject) == (clerk, person.user)


# --- Walk-ins and calling -----------------------------------------------------------------


def test_walk_in_tickets_are_numbered_per_queue_and_day():
    h = make_hall()
    first = queueing.walk_in(h.hall, service=h.service)
    second = queueing.walk_in(h.hall, service=h.service)
    pickup = queueing.walk_in(h.hall, group=h.results)
    assert [first.number, second.number, pickup.number] == ["A001", "A002", "C001"]


def test_one_holder_gets_at_most_two_live_tickets_a_queue_until_the_day_ends():
    h = make_hall()
    first = queueing.walk_in(h.hall, service=h.service, holder="+8613800138000")
    queueing.walk_in(h.hall, service=h.service, holder="+8613800138000")
    with pytest.raises(Conflict) as refused:
        queueing.walk_in(h.hall, service=h.service, holder="+8613800138000")
    assert refused.value.code == "too_many_tickets"
    assert "+8613800138000" not in first.holder_index  # a keyed hash, not the number
    # Without a holder (the front desk's walk-ins) there is no such limit.
    queueing.walk_in(h.hall, service=h.service)
    # At the end of the day the waiting tickets are cancelled and the holders forgotten.
    assert queueing.cancel_left_over(timezone.localdate()) == 3
    assert not Ticket.objects.exclude(holder_index="").exists()


def test_a_walk_in_for_a_service_the_hall_does_not_take_is_refused():
    h, other = make_hall(), make_hall()
    with pytest.raises(Invalid) as refused:
        queueing.walk_in(h.hall, service=other.service)
    assert refused.value.code == "not_offered_here"


def test_booked_tickets_are_called_before_earlier_walk_ins():
    h = make_hall()
    clerk = h.clerk()
    walk_in = queueing.walk_in(h.hall, service=h.service)
    booked = queueing.check_in(h.hall, code=_booked(h).code)

    called = queueing.call_next(h.window, by=clerk)
    assert called == booked
    assert (called.status, called.window, called.called_by) == (T.CALLED, h.window, clerk)
    queueing.finish(called, by=clerk)
    assert queueing.call_next(h.window, by=clerk) == walk_in


def test_a_window_calls_only_from_the_queues_it_serves():
    h = make_hall()
    results_clerk = h.clerk(at=h.results_window)
    queueing.walk_in(h.hall, service=h.service)
    with pytest.raises(Conflict) as refused:
        queueing.call_next(h.results_window, by=results_clerk)
    assert refused.value.code == "queue_empty"
    pickup = queueing.walk_in(h.hall, group=h.results)
    assert queueing.call_next(h.results_window, by=results_clerk) == pickup


def test_calling_from_a_window_one_does_not_staff_is_refused_and_changes_nothing():
    h = make_hall()
    elsewhere = h.clerk(at=h.results_window)
    ticket = queueing.walk_in(h.hall, service=h.service)

    with pytest.raises(NotAllowed) as refused:
        queueing.call_next(h.window, by=elsewhere)

    assert refused.value.code == "not_your_window"
    assert "window 1" in refused.value.message
    assert Ticket.objects.get(pk=ticket.pk).status == T.WAITING


def test_another_windows_ticket_cannot_be_finished_here():
    h = make_hall()
    clerk, other = h.clerk(), h.clerk(at=h.results_window)
    queueing.walk_in(h.hall, service=h.service)
    called = queueing.call_next(h.window, by=clerk)
    with pytest.raises(NotAllowed):
        queueing.finish(called, by=other)
    assert Ticket.objects.get(pk=called.pk).status == T.CALLED


def test_the_next_waits_until_the_called_ticket_is_dealt_with():
    h = make_hall()
    clerk = h.clerk()
    queueing.walk_in(h.hall, service=h.service)
    queueing.walk_in(h.hall, service=h.service)
    first = queueing.call_next(h.window, by=clerk)
    with pytest.raises(Conflict) as refused:
        queueing.call_next(h.window, by=clerk)
    assert refused.value.code == "ticket_open"
    assert first.number in refused.value.message


def test_recalling_calls_the_same_ticket_again():
    h = make_hall()
    clerk = h.clerk()
    queueing.walk_in(h.hall, service=h.service)
    called = queueing.call_next(h.window, by=clerk)
    again = queueing.recall(called, by=clerk)
    assert (again.pk, again.calls, again.status) == (called.pk, 2, T.CALLED)


def test_finishing_returns_who_and_what_for_counter_intake():
    h = make_hall()
    clerk = h.clerk()
    made = _booked(h)
    queueing.check_in(h.hall, code=made.code)

    intake = queueing.finish(queueing.call_next(h.window, by=clerk), by=clerk)

    assert (intake.person, intake.service, intake.booking) == (made.person, h.service, made)
    assert intake.ticket.status == T.DONE
    made.refresh_from_db()
    assert made.status == BookingStatus.SERVED


def test_a_booked_no_show_counts_towards_the_block(settings):
    settings.BOOKING_NO_SHOW_LIMIT = 1
    h = make_hall()
    clerk = h.clerk()
    made = _booked(h)
    queueing.check_in(h.hall, code=made.code)

    queueing.no_show(queueing.call_next(h.window, by=clerk), by=clerk)

    made.refresh_from_db()
    assert made.status == BookingStatus.NO_SHOW
    assert BookingBlock.objects.filter(person=made.person).exists()


def test_a_known_walk_in_who_misses_his_call_counts_towards_the_block_like_a_booking(settings):
    settings.BOOKING_NO_SHOW_LIMIT = 2
    h = make_hall()
    clerk = h.clerk()
    visitor = UserFactory()
    missed = _booked(h, person=visitor)
    queueing.check_in(h.hall, code=missed.code)
    queueing.no_show(queueing.call_next(h.window, by=clerk), by=clerk)
    assert not BookingBlock.objects.filter(person=visitor).exists()

    queueing.walk_in(h.hall, service=h.service, person=visitor)
    queueing.no_show(queueing.call_next(h.window, by=clerk), by=clerk)

    assert BookingBlock.objects.filter(person=visitor).exists()


def test_an_anonymous_walk_in_who_misses_his_call_blocks_nobody(settings):
    settings.BOOKING_NO_SHOW_LIMIT = 1
    h = make_hall()
    clerk = h.clerk()
    queueing.walk_in(h.hall, service=h.service)
    ticket = queueing.no_show(queueing.call_next(h.window, by=clerk), by=clerk)
    assert ticket.status == T.NO_SHOW
    assert not BookingBlock.objects.exists()


def test_a_clerk_of_another_hall_cannot_take_a_window():
    h, other = make_hall(), make_hall()
    stranger = other.clerk()
    with pytest.raises(NotAllowed):
        queueing.take_window(h.window, clerk=stranger, by=stranger)


# --- The table ---------------------------------------------------------------------------


ACTIONS = sorted({action for _status, action in queueing.MOVES})


@pytest.mark.parametrize(("status", "action"), list(itertools.product(T.values, ACTIONS)))
def test_every_ticket_status_against_every_action(status, action):
    h = make_hall()
    ticket = queueing.walk_in(h.hall, service=h.service)
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    target = queueing.MOVES.get((status, action))
    if target is None:
        with pytest.raises(IllegalMove), transaction.atomic():
            queueing._move(ticket, action, by=None)
        assert Ticket.objects.get(pk=ticket.pk).status == status
    else:
        with transaction.atomic():
            queueing._move(ticket, action, by=None)
        assert Ticket.objects.get(pk=ticket.pk).status == target
        event = ReservationEvent.objects.filter(ticket=ticket).latest("id")
        assert (event.from_status, event.to_status) == (status, target)


# --- The display ---------------------------------------------------------------------------


def test_the_display_shows_called_tickets_at_their_windows_and_the_wait_per_queue(settings):
    settings.QUEUE_MINUTES_PER_VISIT = 6
    h = make_hall()
    clerk = h.clerk()
    for _n in range(3):
        queueing.walk_in(h.hall, service=h.service)
    called = queueing.call_next(h.window, by=clerk)

    shown = reservation_selectors.display(h.hall)

    assert [(c.number, c.window) for c in shown.called] == [(called.number, "1")]
    intake = next(q for q in shown.queues if q.letter == "A")
    assert (intake.waiting, intake.estimated_minutes) == (2, 12)  # 2 waiting × 6 min, 1 window
    assert next(q for q in shown.queues if q.letter == "C").waiting == 0


def test_the_display_reads_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    h = make_hall()
    clerk = h.clerk()
    for _n in range(5):
        queueing.walk_in(h.hall, service=h.service)
    queueing.call_next(h.window, by=clerk)
    with django_assert_max_num_queries(4):
        reservation_selectors.display(h.hall)


def test_available_slots_read_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    h = make_hall()
    for n in range(10):
        h.slot(starts_in=dt.timedelta(days=1, minutes=30 * n))
    with django_assert_max_num_queries(6):
        slots = list(reservation_selectors.available_slots(h.hall, service=h.service))
        assert len(slots) == 10
        assert all(s.group.letter == "A" for s in slots)


def test_tickets_still_waiting_at_night_are_cancelled():
    from services import tasks

    h = make_hall()
    clerk = h.clerk()
    queueing.walk_in(h.hall, service=h.service)
    called = queueing.call_next(h.window, by=clerk)
    waiting = queueing.walk_in(h.hall, service=h.service)

    assert tasks.cancel_waiting_tickets() == 1

    assert Ticket.objects.get(pk=waiting.pk).status == T.CANCELLED
    assert Ticket.objects.get(pk=called.pk).status == T.CALLED
    assert tasks.cancel_waiting_tickets() == 0
