"""Booking a slot: places, rules, refusals, cancelling, moving, closing (services.booking)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from portal.errors import Conflict, IllegalMove, Invalid, NotAllowed, NotFound
from portal.models import Notification, Organisation, OrganisationAgent
from services import booking, hallcodes, reservation_notices, slots
from services.models import CalendarDay
from services.models.catalogue import ApplicantKind
from services.models.reservations import (
    Booking,
    BookingBlock,
    BookingStatus,
    ReservationEvent,
    Slot,
    Window,
)
from tests.factories import UserFactory, make_uscc
from tests.services.booking_cases import make_hall
from tests.services.factories import BundleMemberFactory, ServiceFactory

pytestmark = pytest.mark.django_db
B = BookingStatus


def test_booking_takes_a_place_and_gives_a_code_and_a_qr():
    h = make_hall()
    slot = h.slot()
    citizen = UserFactory()

    made = booking.book(person=citizen, slot=slot, service=h.service)

    slot.refresh_from_db()
    assert slot.booked == 1
    assert made.status == B.BOOKED
    assert hallcodes.normalise_booking_code(made.code) == made.code
    assert hallcodes.code_from_qr(hallcodes.qr_payload(made.code)) == made.code
    assert made.events.get().action == "book"


def test_a_made_up_or_altered_qr_is_not_a_booking():
    payload = hallcodes.qr_payload("0123456789")
    assert hallcodes.code_from_qr(payload.replace("0123456789", "0123456788")) is None
    assert hallcodes.code_from_qr("0123456789") is None


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
    assert Booking.objects.get(pk=made.pk).status == B.CANCELLED


def test_a_cancelled_place_can_be_booked_again():
    h = make_hall()
    slot = h.slot(capacity=1)
    first, second = UserFactory(), UserFactory()
    booking.cancel(booking.book(person=first, slot=slot, service=h.service), by=first)

    booking.book(person=second, slot=slot, service=h.service)

    assert Slot.objects.get(pk=slot.pk).booked == 1


def test_a_full_slot_is_refused_as_fully_booked():
    h = make_hall()
    slot = h.slot(capacity=1)
    booking.book(person=UserFactory(), slot=slot, service=h.service)

    with pytest.raises(Conflict) as refused:
        booking.book(person=UserFactory(), slot=slot, service=h.service)

    assert refused.value.code == "fully_booked"
    assert "fully booked" in refused.value.message
    assert Slot.objects.get(pk=slot.pk).booked == 1


# --- Each refusal has its own message and changes nothing --------------------------------


def _refusal(h, **overrides):
    """Book with one thing wrong; returns the refusal."""
    kwargs = {"service": h.service, **overrides}
    kwargs.setdefault("person", UserFactory())
    if "slot" not in kwargs:
        kwargs["slot"] = h.slot()
    with pytest.raises((Invalid, Conflict, NotAllowed, NotFound)) as refused:
        booking.book(**kwargs)
    return refused.value


def test_a_slot_already_begun_is_refused():
    h = make_hall()
    refused = _refusal(h, slot=h.slot(starts_in=dt.timedelta(minutes=-5)))
    assert (refused.code, refused.status) == ("slot_started", 400)
    assert "already begun" in refused.message


def test_a_closed_slot_is_refused_with_the_reason():
    h = make_hall()
    slot = h.slot()
    booking.close_slot(slot, by=None, reason="system maintenance")
    refused = _refusal(h, slot=slot)
    assert (refused.code, refused.status) == ("slot_closed", 409)
    assert "system maintenance" in refused.message


def test_a_service_the_hall_does_not_offer_is_refused():
    h = make_hall()
    elsewhere = ServiceFactory()
    refused = _refusal(h, service=elsewhere)
    assert refused.code == "not_offered_here"
    assert h.hall.name in refused.message


def test_a_service_that_cannot_be_booked_is_refused():
    h = make_hall()
    h.service.bookable = False
    h.service.save()
    assert _refusal(h).code == "not_offered_here"


def test_beyond_the_booking_window_is_refused_saying_how_far_ahead():
    h = make_hall()
    refused = _refusal(h, slot=h.slot(starts_in=dt.timedelta(days=15)))
    assert refused.code == "beyond_booking_window"
    assert "14 days ahead" in refused.message


def test_the_booking_window_is_a_setting(settings):
    settings.BOOKING_DAYS_AHEAD = 30
    h = make_hall()
    booking.book(
        person=UserFactory(), slot=h.slot(starts_in=dt.timedelta(days=20)), service=h.service
    )


def test_one_live_booking_per_person_service_and_day():
    h = make_hall()
    citizen = UserFactory()
    booking.book(person=citizen, slot=h.slot(), service=h.service)

    refused = _refusal(h, person=citizen, slot=h.slot(starts_in=dt.timedelta(days=1, hours=1)))

    assert (refused.code, refused.status) == ("one_a_day", 409)
    assert "already have a booking" in refused.message


def test_the_one_a_day_rule_is_also_the_databases():
    h = make_hall()
    citizen = UserFactory()
    made = booking.book(person=citizen, slot=h.slot(), service=h.service)
    twin = Booking(
        code="0000000001",
        slot=made.slot,
        day=made.day,
        hall=h.hall,
        service=h.service,
        person=citizen,
    )
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_at_most_n_live_bookings(settings):
    settings.BOOKING_MAX_LIVE = 2
    h = make_hall()
    citizen = UserFactory()
    for day in (1, 2):
        booking.book(
            person=citizen, slot=h.slot(starts_in=dt.timedelta(days=day)), service=h.service
        )

    refused = _refusal(h, person=citizen, slot=h.slot(starts_in=dt.timedelta(days=3)))

    assert refused.code == "too_many_bookings"
    assert "2 bookings" in refused.message


def test_a_blocked_person_is_told_until_when():
    h = make_hall()
    citizen = UserFactory()
    until = timezone.now() + dt.timedelta(days=10)
    BookingBlock.objects.create(person=citizen, until=until)

    refused = _refusal(h, person=citizen)

    assert (refused.code, refused.status) == ("booking_blocked", 403)
    assert f"{timezone.localtime(until):%Y}" in refused.message
    assert "until" in refused.message


def test_an_organisation_service_is_booked_on_behalf_of_one_the_person_acts_for():
    h = make_hall(applicant_kind=ApplicantKind.ORGANISATION)
    agent, boss = UserFactory(), UserFactory()
    company = Organisation.objects.create(
        uscc=make_uscc(), name="示例公司", legal_representative=boss
    )

    assert _refusal(h, person=agent).code == "wrong_applicant_kind"
    assert _refusal(h, person=agent, organisation=company).code == "not_an_agent"

    OrganisationAgent.objects.create(organisation=company, user=agent, authorised_by=boss)
    made = booking.book(person=agent, slot=h.slot(), service=h.service, organisation=company)
    # The legal representative may cancel what his agent booked for the company.
    booking.cancel(made, by=boss)
    assert Booking.objects.get(pk=made.pk).status == B.CANCELLED


def test_a_bundle_is_booked_at_a_queue_taking_one_of_its_services():
    h = make_hall()
    member = BundleMemberFactory(service=h.service)
    made = booking.book(person=UserFactory(), slot=h.slot(), bundle=member.bundle)
    assert made.bundle == member.bundle and made.service is None


def test_refusals_change_nothing():
    h = make_hall()
    slot = h.slot(starts_in=dt.timedelta(minutes=-1))
    with pytest.raises(Invalid):
        booking.book(person=UserFactory(), slot=slot, service=h.service)
    assert Slot.objects.get(pk=slot.pk).booked == 0
    assert not Booking.objects.exists()
    assert not ReservationEvent.objects.exists()


# --- Cancel and move ---------------------------------------------------------------------


def test_someone_elses_booking_is_not_there_for_him():
    h = make_hall()
    made = booking.book(person=UserFactory(), slot=h.slot(), service=h.service)
    with pytest.raises(NotFound):
        booking.cancel(made, by=UserFactory())
    assert Booking.objects.get(pk=made.pk).status == B.BOOKED


def test_cancelling_after_the_cutoff_is_refused_saying_until_when(settings):
    settings.BOOKING_CHANGE_CUTOFF_MINUTES = 120
    h = make_hall()
    citizen = UserFactory()
    made = booking.book(
        person=citizen, slot=h.slot(starts_in=dt.timedelta(minutes=90)), service=h.service
    )
    with pytest.raises(Conflict) as refused:
        booking.cancel(made, by=citizen)
    assert refused.value.code == "past_cutoff"
    assert Slot.objects.get(pk=made.slot_id).booked == 1


def test_moving_takes_the_new_place_and_frees_the_old():
    h = make_hall()
    citizen = UserFactory()
    old, new = h.slot(), h.slot(starts_in=dt.timedelta(days=2))
    made = booking.book(person=citizen, slot=old, service=h.service)

    moved = booking.move(made, to=new, by=citizen)

    assert moved.slot == new and moved.day == new.day
    assert (Slot.objects.get(pk=old.pk).booked, Slot.objects.get(pk=new.pk).booked) == (0, 1)
    assert moved.code == made.code


def test_moving_to_a_full_slot_keeps_the_booking_where_it_was():
    h = make_hall()
    citizen = UserFactory()
    old, full = h.slot(), h.slot(starts_in=dt.timedelta(days=2), capacity=1)
    booking.book(person=UserFactory(), slot=full, service=h.service)
    made = booking.book(person=citizen, slot=old, service=h.service)

    with pytest.raises(Conflict) as refused:
        booking.move(made, to=full, by=citizen)

    assert refused.value.code == "fully_booked"
    assert Booking.objects.get(pk=made.pk).slot_id == old.pk
    assert (Slot.objects.get(pk=old.pk).booked, Slot.objects.get(pk=full.pk).booked) == (1, 1)


# --- Closing, generating, reminding, missing --------------------------------------------


def test_closing_a_slot_cancels_its_bookings_and_tells_each_holder(commit_now):
    h = make_hall()
    slot = h.slot()
    holders = [UserFactory(), UserFactory()]
    for holder in holders:
        booking.book(person=holder, slot=slot, service=h.service)

    cancelled = booking.close_slot(slot, by=None, reason="power cut")

    assert cancelled == 2
    assert set(Booking.objects.values_list("status", flat=True)) == {B.CLOSED}
    told = Notification.objects.filter(key__contains=":close:")
    assert {n.user_id for n in told} == {h.pk for h in holders}
    assert "power cut" in told[0].rendered_body()


def test_closing_asks_for_a_reason():
    h = make_hall()
    with pytest.raises(Invalid):
        booking.close_slot(h.slot(), by=None, reason=" ")


def _working_day_ahead(days: int) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=days)
    CalendarDay.objects.update_or_create(date=day, defaults={"is_workday": True})
    return day


def test_slots_are_made_on_working_days_with_places_from_the_windows():
    h = make_hall()
    second = Window.objects.create(hall=h.hall, number="2")
    second.groups.add(h.group)
    workday = _working_day_ahead(3)
    holiday = workday + dt.timedelta(days=1)
    CalendarDay.objects.update_or_create(date=holiday, defaults={"is_workday": False})

    made = slots.generate_slots(h.hall, first=workday, last=holiday)

    intake = Slot.objects.filter(group=h.group)
    assert made == 6 * 2  # 9:00-12:00 in 30 minutes, two queues each with a window
    assert set(intake.values_list("day", flat=True)) == {workday}
    assert set(intake.values_list("capacity", flat=True)) == {2 * 2}  # two windows × 2
    assert slots.generate_slots(h.hall, first=workday, last=holiday) == 0


def test_closing_a_day_closes_every_slot_and_later_generation_keeps_it_closed():
    h = make_hall()
    day = _working_day_ahead(4)
    booking.close_day(h.hall, day, by=None, reason="staff training")
    slots.generate_slots(h.hall, first=day, last=day)
    made = Slot.objects.filter(hall=h.hall, day=day)
    assert made.exists()
    assert not made.filter(closed_at__isnull=True).exists()


def test_reminders_go_out_the_day_before_once(commit_now):
    h = make_hall()
    citizen = UserFactory()
    tomorrow = h.slot(starts_in=dt.timedelta(days=1))
    booking.book(person=citizen, slot=tomorrow, service=h.service)
    today = timezone.localdate(tomorrow.starts_at) - dt.timedelta(days=1)

    assert reservation_notices.remind_tomorrow(today) == 1
    assert reservation_notices.remind_tomorrow(today) == 0
    assert Notification.objects.filter(user=citizen, key__contains=":remind:").count() == 1


def test_missed_bookings_block_online_booking_after_three_within_ninety_days(commit_now):
    h = make_hall()
    citizen = UserFactory()
    for n in range(3):
        slot = h.slot(starts_in=dt.timedelta(days=n + 1))
        made = booking.book(person=citizen, slot=slot, service=h.service)
        Slot.objects.filter(pk=slot.pk).update(
            starts_at=timezone.now() - dt.timedelta(hours=2 + n),
            ends_at=timezone.now() - dt.timedelta(hours=1 + n),
        )
        assert made.pk
    assert booking.sweep_missed() == 3

    block = BookingBlock.objects.get(person=citizen)
    assert block.until - block.starts_at == dt.timedelta(days=30)
    refused = _refusal(h, person=citizen)
    assert refused.code == "booking_blocked"
    assert Notification.objects.filter(user=citizen, key__startswith="booking-block:").exists()
    assert booking.sweep_missed() == 0


# --- The table ---------------------------------------------------------------------------


ACTIONS = sorted({action for _status, action in booking.MOVES})


@pytest.mark.parametrize(("status", "action"), list(itertools.product(B.values, ACTIONS)))
def test_every_status_against_every_action(status, action):
    h = make_hall()
    made = booking.book(person=UserFactory(), slot=h.slot(), service=h.service)
    Booking.objects.filter(pk=made.pk).update(status=status)
    target = booking.MOVES.get((status, action))
    from django.db import transaction

    if target is None:
        with pytest.raises(IllegalMove), transaction.atomic():
            booking._move(made, action, by=None)
        assert Booking.objects.get(pk=made.pk).status == status
    else:
        with transaction.atomic():
            booking._move(made, action, by=None)
        assert Booking.objects.get(pk=made.pk).status == target
        event = ReservationEvent.objects.filter(booking=made).latest("id")
        assert (event.action, event.from_status, event.to_status) == (action, status, target)


def test_notices_lost_with_the_broker_are_sent_by_the_sweep_once():
    from services import tasks

    h = make_hall()
    citizen = UserFactory()
    made = booking.book(person=citizen, slot=h.slot(), service=h.service)
    booking.cancel(made, by=citizen)  # no commit in this test: no notice went out

    assert tasks.notify_untold_bookings() == 2
    assert tasks.notify_untold_bookings() == 0
    keys = set(Notification.objects.filter(user=citizen).values_list("key", flat=True))
    assert {key.split(":")[2] for key in keys} == {"book", "cancel"}


def test_a_new_window_adds_places_to_future_slots_and_a_closed_one_keeps_bookings():
    h = make_hall()
    day = _working_day_ahead(5)
    slots.generate_slots(h.hall, first=day, last=day)
    nine = Slot.objects.get(group=h.group, day=day, starts_at__time=dt.time(9, 0))
    assert nine.capacity == 2
    second = Window.objects.create(hall=h.hall, number="2")
    second.groups.add(h.group)

    assert slots.refresh_capacity(h.hall) == 6  # the queue's six morning slots
    nine.refresh_from_db()
    assert nine.capacity == 4

    for _n in range(3):
        booking.book(person=UserFactory(), slot=nine, service=h.service)
    Window.objects.filter(pk=second.pk).update(is_open=False)
    slots.refresh_capacity(h.hall)
    nine.refresh_from_db()
    assert (nine.capacity, nine.booked) == (3, 3)  # not below the places booked
