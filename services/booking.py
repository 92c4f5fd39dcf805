"""THE ONLY CODE THAT CHANGES BOOKINGS AND A SLOT'S PLACES.

A place is taken by one conditional UPDATE (``booked = booked + 1 WHERE booked < capacity``)
and given back by one conditional UPDATE of the booking's own status, so that under any
interleaving of requests a slot is never overbooked and a place is freed exactly once; the
database's check constraints back both (ADR 0012). Never read a count and then write it.

Every booking move goes through ``_move`` (the MOVES table, the row locked, one
``ReservationEvent``); notifications leave through tasks on commit. Refusals are
``portal.errors`` types, each with its own message. The rules and checks are in
``services.booking_rules``; slots are made in ``services.slots``.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from portal.db import prepared_cursor, rows
from portal.errors import Conflict, IllegalMove, Invalid, NotFound
from portal.models import Organisation, ServiceHall, User
from services import booking_rules, hallcodes, slots
from services.models.bundles import Bundle
from services.models.catalogue import Service
from services.models.reservations import Booking, BookingStatus, ReservationEvent, Slot

logger = logging.getLogger(__name__)

B = BookingStatus

# (from status, action) -> to status. Nothing else changes a booking's status.
MOVES: dict[tuple[str, str], str] = {
    (B.BOOKED, "cancel"): B.CANCELLED,
    (B.BOOKED, "move"): B.BOOKED,
    (B.BOOKED, "close"): B.CLOSED,
    (B.BOOKED, "check_in"): B.CHECKED_IN,
    (B.BOOKED, "check_in_late"): B.LATE,
    (B.BOOKED, "miss"): B.NO_SHOW,
    (B.CHECKED_IN, "no_show"): B.NO_SHOW,
    (B.CHECKED_IN, "serve"): B.SERVED,
    (B.LATE, "no_show"): B.NO_SHOW,
    (B.LATE, "serve"): B.SERVED,
}
# Moves that give the slot's place back (the place is held by BOOKED only: checked in, the
# visitor is in the hall and the place was used).
FREES_PLACE = frozenset({"cancel", "close"})

ACTION_WORDS = {
    "cancel": pgettext_lazy("booking move", "cancelled"),
    "move": pgettext_lazy("booking move", "moved"),
    "close": pgettext_lazy("booking move", "cancelled by the hall"),
    "check_in": pgettext_lazy("booking move", "checked in"),
    "check_in_late": pgettext_lazy("booking move", "checked in"),
    "miss": pgettext_lazy("booking move", "marked as missed"),
    "no_show": pgettext_lazy("booking move", "marked as missed"),
    "serve": pgettext_lazy("booking move", "served"),
}


@transaction.atomic
def close_slot(slot: Slot, *, by: User | None, reason: str) -> int:
    """Close one slot: nobody can book it, and each of its bookings is cancelled and its holder
    told. Returns how many bookings were cancelled."""
    reason = _required_reason(reason)
    Slot.objects.filter(pk=slot.pk, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_reason=reason
    )
    cancelled = 0
    for booking in Booking.objects.filter(slot=slot, status=B.BOOKED).order_by("pk"):
        _move(booking, "close", by=by, reason=reason)
        cancelled += 1
    return cancelled


@transaction.atomic
def close_day(hall: ServiceHall, day: dt.date, *, by: User | None, reason: str) -> int:
    """Close a hall's day (slots made first if they were not yet, so that none appear later):
    every slot closed, every booking cancelled and its holder told."""
    reason = _required_reason(reason)
    slots.generate_slots(hall, first=day, last=day)
    cancelled = 0
    for slot in Slot.objects.filter(hall=hall, day=day).order_by("starts_at", "pk"):
        cancelled += close_slot(slot, by=by, reason=reason)
    return cancelled


@transaction.atomic
def reopen_slot(slot: Slot, *, by: User | None) -> Slot:
    """Open a closed slot again for booking (its cancelled bookings stay cancelled)."""
    Slot.objects.filter(pk=slot.pk).update(closed_at=None, closed_reason="")
    slot.refresh_from_db()
    return slot


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()[:200]
    if not reason:
        raise Invalid(
            _("Give a reason: each holder of a booking reads it."),
            code="reason_required",
            fields={"reason": [_("This field is required.")]},
        )
    return reason


# --- Booking --------------------------------------------------------------------------------


@functools.cache
def _take_place_sql() -> str:
    slot = rows.quoted_table(Slot)
    booked, capacity = rows.name(Slot, "booked"), rows.name(Slot, "capacity")
    return (
        f"UPDATE {slot} SET {booked} = {booked} + 1 "  # noqa: S608 (names only)
        f"WHERE {rows.name(Slot, 'id')} = %s AND {booked} < {capacity} "
        f"AND {rows.name(Slot, 'closed_at')} IS NULL AND {rows.name(Slot, 'starts_at')} > %s"
    )


def _take_place(slot: Slot, now: dt.datetime) -> None:
    """Take one place of the slot in one statement, or refuse saying why it could not."""
    with prepared_cursor() as cursor:
        cursor.execute(_take_place_sql(), [slot.pk, connection.ops.adapt_datetimefield_value(now)])
        taken = cursor.rowcount
    if taken:
        return
    current = Slot.objects.filter(pk=slot.pk).first()
    if current is None:
        raise NotFound(_("That time is not offered any more."), code="no_such_slot")
    if current.closed_at is not None:
        raise Conflict(
            _("The hall is closed at that time (%(reason)s): choose another time.")
            % {"reason": current.closed_reason},
            code="slot_closed",
        )
    if current.starts_at <= now:
        raise Invalid(_("That time has already begun: choose a later one."), code="slot_started")
    raise Conflict(_("That time is fully booked: choose another time."), code="fully_booked")


def _free_place(slot_id: int) -> None:
    # Only called after the booking's own status moved away from BOOKED in this transaction,
    # which happens once per booking; the condition keeps the count off zero regardless.
    Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


class _CodeTaken(Exception):
    """The random booking code is someone else's: the whole booking is tried again."""


def _insert(booking: Booking, subject: Service | Bundle) -> Booking:
    """Insert with a fresh code. No savepoint: a second booking of the day (two requests racing
    past the check) or a code collision aborts the whole booking, which is refused or tried
    again by ``book``."""
    booking.code = hallcodes.booking_code()
    try:
        rows.insert([booking])
    except IntegrityError as exc:
        if "one_live_booking" in str(exc) or "booking.person_id" in str(exc):
            message = booking_rules.one_a_day_message(subject, booking.day)
            raise Conflict(message, code="one_a_day") from None
        raise _CodeTaken from exc
    return booking


def book(
    *,
    person: User,
    slot: Slot,
    service: Service | None = None,
    bundle: Bundle | None = None,
    organisation: Organisation | None = None,
    remember: Callable[[Booking], None] | None = None,
) -> Booking:
    """Book a place in ``slot`` for the person (or the organisation he acts for), for one
    service or one bundle; ``remember`` runs inside the booking's transaction (the request's
    key is stored there, ``services.booking_keys``). Returns the booking with its code;
    raises a refusal otherwise:
    Invalid (slot_started, beyond_booking_window, not_offered_here, wrong_applicant_kind),
    Conflict (fully_booked, slot_closed, one_a_day, too_many_bookings), NotAllowed
    (booking_blocked, not_an_agent)."""
    for _attempt in range(3):
        try:
            made = _book(
                person=person,
                slot=slot,
                service=service,
                bundle=bundle,
                organisation=organisation,
                remember=remember,
            )
        except _CodeTaken:
            continue
        return made
    raise RuntimeError("no free booking code after 3 attempts")


def book_usual(
    *,
    person: User,
    slot_id: int,
    service_code: str,
    remember: Callable[[Booking], None] | None = None,
) -> Booking | None:
    """``book`` of the usual request (a slot by id, a service by code, for oneself) with one
    read for the slot, the service and every check; None, having changed nothing, if there
    is no such slot or service (the caller words that)."""
    for _attempt in range(3):
        try:
            return _book_usual(
                person=person, slot_id=slot_id, service_code=service_code, remember=remember
            )
        except _CodeTaken:
            continue
    raise RuntimeError("no free booking code after 3 attempts")


@transaction.atomic
def _book_usual(
    *,
    person: User,
    slot_id: int,
    service_code: str,
    remember: Callable[[Booking], None] | None,
) -> Booking | None:
    now = timezone.now()
    found = booking_rules.checked_slot_and_service(person, slot_id, service_code, now)
    if found is None:
        return None
    slot, service = found
    return _make(
        person, slot, service=service, bundle=None, organisation=None, now=now, remember=remember
    )


@transaction.atomic
def _book(
    *,
    person: User,
    slot: Slot,
    service: Service | None,
    bundle: Bundle | None,
    organisation: Organisation | None,
    remember: Callable[[Booking], None] | None,
) -> Booking:
    now = timezone.now()
    booking_rules.check_may_book(
        person, slot, service=service, bundle=bundle, organisation=organisation, now=now
    )
    return _make(
        person,
        slot,
        service=service,
        bundle=bundle,
        organisation=organisation,
        now=now,
        remember=remember,
    )


def _make(
    person: User,
    slot: Slot,
    *,
    service: Service | None,
    bundle: Bundle | None,
    organisation: Organisation | None,
    now: dt.datetime,
    remember: Callable[[Booking], None] | None,
) -> Booking:
    """The place taken, the booking and its event written, inside the checks' transaction."""
    _take_place(slot, now)
    booking = Booking(
        slot=slot,
        day=slot.day,
        hall_id=slot.hall_id,
        service=service,
        bundle=bundle,
        person=person,
        organisation=organisation,
        status=B.BOOKED,
    )
    subject = service or bundle
    assert subject is not None
    _insert(booking, subject)
    _record(booking, "book", by=person, from_status="", slot=slot.pk)
    if remember is not None:
        remember(booking)
    _tell_on_commit(booking.pk, "book")
    return booking


@transaction.atomic
def cancel(booking: Booking, *, by: User, reason: str = "") -> Booking:
    """The holder cancels until the cut-off before the slot; the place is freed once.
    Raises NotFound (someone else's), Conflict (past_cutoff), IllegalMove (not booked)."""
    locked = _lock(booking)
    booking_rules.check_holder(locked, by)
    if locked.status == B.BOOKED:
        booking_rules.check_cutoff(locked, "cancel", timezone.now())
    return _move(locked, "cancel", by=by, reason=reason.strip()[:200])


@transaction.atomic
def move(booking: Booking, *, to: Slot, by: User) -> Booking:
    """Move a booking to another slot of the same hall (a place is taken there first, then the
    old one freed). Same refusals as ``book`` and ``cancel``."""
    now = timezone.now()
    locked = _lock(booking)
    booking_rules.check_holder(locked, by)
    if locked.status != B.BOOKED:
        raise _illegal(locked.status, "move")
    booking_rules.check_cutoff(locked, "move", now)
    target = Slot.objects.select_related("hall", "group").get(pk=to.pk)
    if target.pk == locked.slot_id:
        return locked
    if target.hall_id != locked.hall_id:
        raise Invalid(
            _("A booking moves within its hall: cancel it and book at the other hall."),
            code="other_hall",
        )
    booking_rules.check_may_book(
        locked.person,
        target,
        service=locked.service,
        bundle=locked.bundle,
        organisation=locked.organisation,
        now=now,
        ignore=locked,
    )
    _take_place(target, now)
    old_slot = locked.slot_id

    def changes(b: Booking) -> None:
        b.slot, b.day = target, target.day
        b.reminded_at = None

    try:
        with transaction.atomic():
            moved = _move(
                locked, "move", by=by, changes=changes, from_slot=old_slot, to_slot=target.pk
            )
    except IntegrityError:  # another booking of the day made meanwhile
        subject = locked.service or locked.bundle
        assert subject is not None
        message = booking_rules.one_a_day_message(subject, target.day)
        raise Conflict(message, code="one_a_day") from None
    _free_place(old_slot)
    return moved


# --- Moves made in the hall (called by services.queueing) and by the sweeps -----------------


def check_in(booking: Booking, *, by: User | None, late: bool) -> Booking:
    """Mark the booking checked in (or late: queued as a walk-in). Inside the caller's
    transaction (``services.queueing.check_in``)."""
    return _move(booking, "check_in_late" if late else "check_in", by=by)


def no_show(booking: Booking, *, by: User | None) -> Booking:
    """Called at his window and not there: counts towards the block."""
    moved = _move(booking, "no_show", by=by)
    booking_rules.block_if_due(moved.person)
    return moved


def served(booking: Booking, *, by: User | None) -> Booking:
    return _move(booking, "serve", by=by)


def sweep_missed(now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Bookings nobody checked in for by the end of their slot plus the grace become missed
    (and count towards the block). Safe to run twice; returns how many."""
    now = now or timezone.now()
    grace = dt.timedelta(minutes=getattr(settings, "QUEUE_LATE_GRACE_MINUTES", 15))
    ids = list(
        Booking.objects.filter(status=B.BOOKED, slot__ends_at__lt=now - grace)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    missed = 0
    for pk in ids:
        with transaction.atomic():
            locked = Booking.objects.select_for_update().filter(pk=pk, status=B.BOOKED).first()
            if locked is None:
                continue
            _move(locked, "miss", by=None)
            booking_rules.block_if_due(locked.person)
            missed += 1
    return missed


# --- The table ------------------------------------------------------------------------------


def _illegal(status: str, action: str) -> IllegalMove:
    return IllegalMove(
        _("A booking that is “%(status)s” cannot be %(action)s.")
        % {"status": B(status).label, "action": ACTION_WORDS.get(action, action)},
        status=status,
        action=action,
    )


def _lock(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("slot", "hall", "service", "bundle", "person", "organisation")
        .get(pk=booking.pk)
    )


def _record(
    booking: Booking, action: str, *, by: User | None, from_status: str, **detail: Any
) -> ReservationEvent:
    event = ReservationEvent(
        booking=booking,
        action=action,
        actor=by if by is not None and by.is_authenticated else None,
        from_status=from_status,
        to_status=booking.status,
        detail=detail,
    )
    rows.insert([event])
    return event


def _move(
    booking: Booking,
    action: str,
    *,
    by: User | None,
    changes: Callable[[Booking], None] | None = None,
    **detail: Any,
) -> Booking:
    """Lock, check the table, change the status by a conditional UPDATE (so that a place is
    freed by exactly one of two racing cancels), write the event, tell the holder on commit.
    Must run inside a transaction."""
    locked = _lock(booking)
    target = MOVES.get((locked.status, action))
    if target is None:
        raise _illegal(locked.status, action)
    before = locked.status
    updated = Booking.objects.filter(pk=locked.pk, status=before).update(
        status=target, changed_at=timezone.now()
    )
    if not updated:  # pragma: no cover - the row lock makes this unreachable on PostgreSQL
        raise _illegal(before, action)
    locked.status = target
    if changes is not None:
        changes(locked)
        locked.save()
    if action in FREES_PLACE:
        _free_place(locked.slot_id)
    _record(locked, action, by=by, from_status=before, **detail)
    _tell_on_commit(locked.pk, action)
    return locked


def _tell_on_commit(booking_id: int, action: str) -> None:
    from services import reservation_notices

    if action in reservation_notices.TELL_HOLDER:
        transaction.on_commit(lambda: _enqueue_notice(action, booking_id))


def _enqueue_notice(action: str, object_id: int) -> None:
    from services import tasks

    tasks.enqueue_booking_notice(object_id, action)
