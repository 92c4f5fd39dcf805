"""THE ONLY CODE THAT CHANGES SLOTS AND BOOKINGS.

A place is taken by one conditional UPDATE (``booked = booked + 1 WHERE booked < capacity``)
and given back by one conditional UPDATE of the booking's own status, so that under any
interleaving of requests a slot is never overbooked and a place is freed exactly once; the
database's check constraints back both (ADR 0012). Never read a count and then write it.

Every booking move goes through ``_move`` (the MOVES table, the row locked, one
``ReservationEvent``); notifications leave through tasks on commit. Refusals are
``portal.errors`` types, each with its own message.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from portal import organisations
from portal.db import prepared_cursor
from portal.errors import Conflict, IllegalMove, Invalid, NotAllowed, NotFound
from portal.models import Organisation, ServiceHall, User
from services import calendar, hallcodes
from services.models.bundles import Bundle
from services.models.catalogue import ApplicantKind, Service
from services.models.reservations import (
    LIVE_BOOKING_STATUSES,
    Booking,
    BookingBlock,
    BookingStatus,
    ReservationEvent,
    Slot,
    SlotTemplate,
    Window,
    WindowGroup,
)

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


@dataclass(frozen=True)
class Rules:
    """The booking rules, from settings (names in brackets)."""

    days_ahead: int  # BOOKING_DAYS_AHEAD
    change_cutoff: dt.timedelta  # BOOKING_CHANGE_CUTOFF_MINUTES
    max_live: int  # BOOKING_MAX_LIVE
    no_show_limit: int  # BOOKING_NO_SHOW_LIMIT
    no_show_window: dt.timedelta  # BOOKING_NO_SHOW_WINDOW_DAYS
    block_for: dt.timedelta  # BOOKING_BLOCK_DAYS


def rules() -> Rules:
    return Rules(
        days_ahead=getattr(settings, "BOOKING_DAYS_AHEAD", 14),
        change_cutoff=dt.timedelta(minutes=getattr(settings, "BOOKING_CHANGE_CUTOFF_MINUTES", 60)),
        max_live=getattr(settings, "BOOKING_MAX_LIVE", 3),
        no_show_limit=getattr(settings, "BOOKING_NO_SHOW_LIMIT", 3),
        no_show_window=dt.timedelta(days=getattr(settings, "BOOKING_NO_SHOW_WINDOW_DAYS", 90)),
        block_for=dt.timedelta(days=getattr(settings, "BOOKING_BLOCK_DAYS", 30)),
    )


def _when(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _day(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


# --- What a hall offers ---------------------------------------------------------------------


def group_serves(group: WindowGroup, service: Service) -> bool:
    """Whether the queue takes the service (named, or by its category)."""
    return (
        group.services.filter(pk=service.pk).exists()
        or group.categories.filter(pk=service.category_id).exists()
    )


def offered_services(
    hall: ServiceHall, *, service: Service | None, bundle: Bundle | None
) -> list[Service]:
    """The published, bookable services the hall takes for a service or a bundle (its members
    the hall takes); empty if it takes none."""
    if service is not None:
        candidates = Service.objects.filter(pk=service.pk)
    elif bundle is not None:
        if not bundle.is_published:
            return []
        candidates = Service.objects.filter(bundles=bundle)
    else:
        return []
    return list(
        candidates.filter(is_published=True, bookable=True, halls=hall).distinct().order_by("pk")
    )


def groups_for(
    hall: ServiceHall, *, service: Service | None = None, bundle: Bundle | None = None
) -> list[WindowGroup]:
    """The hall's queues that take the service (or one of the bundle's members), with at least
    one window in service."""
    services = offered_services(hall, service=service, bundle=bundle)
    if not services:
        return []
    ids = [s.pk for s in services]
    categories = {s.category_id for s in services}
    return list(
        WindowGroup.objects.filter(hall=hall, windows__is_open=True)
        .filter(Q(services__in=ids) | Q(categories__in=categories))
        .distinct()
        .order_by("order", "letter")
    )


# --- Slots ----------------------------------------------------------------------------------


def capacity_of(group: WindowGroup, template: SlotTemplate) -> int:
    """Places of one slot of the queue: the template's places for every window in service
    that serves the queue."""
    windows = Window.objects.filter(groups=group, is_open=True).count()
    return windows * template.places_per_window


def generate_slots(hall: ServiceHall, *, first: dt.date, last: dt.date) -> int:
    """Cut the hall's working days from ``first`` to ``last`` into slots per queue from its
    active templates. Slots already there are kept as they are (booked or closed); returns how
    many were made."""
    templates = list(SlotTemplate.objects.filter(hall=hall, is_active=True))
    groups = list(WindowGroup.objects.filter(hall=hall))
    capacities = {(g.pk, t.pk): capacity_of(g, t) for g in groups for t in templates}
    window = calendar.Window(first - dt.timedelta(days=1), last)
    tz = timezone.get_current_timezone()
    new: list[Slot] = []
    day = first
    while day <= last:
        if window.between(day - dt.timedelta(days=1), day).days == 1:  # a working day
            for template in templates:
                for start, end in template.times():
                    for group in groups:
                        places = capacities[(group.pk, template.pk)]
                        if places <= 0:
                            continue
                        new.append(
                            Slot(
                                hall=hall,
                                group=group,
                                day=day,
                                starts_at=dt.datetime.combine(day, start, tzinfo=tz),
                                ends_at=dt.datetime.combine(day, end, tzinfo=tz),
                                capacity=places,
                            )
                        )
        day += dt.timedelta(days=1)
    before = Slot.objects.filter(hall=hall, day__gte=first, day__lte=last).count()
    Slot.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    return Slot.objects.filter(hall=hall, day__gte=first, day__lte=last).count() - before


def refresh_capacity(hall: ServiceHall) -> int:
    """Slots not yet started take the places their queue's windows in service give now (after
    a window opened, closed or changed its queues); a slot never drops below the places already
    booked (those bookings stand). Returns how many slots changed."""
    now = timezone.now()
    changed = 0
    for template in SlotTemplate.objects.filter(hall=hall, is_active=True):
        for group in WindowGroup.objects.filter(hall=hall):
            places = capacity_of(group, template)
            changed += (
                Slot.objects.filter(
                    group=group,
                    starts_at__gt=now,
                    starts_at__time__gte=template.starts_at,
                    starts_at__time__lt=template.ends_at,
                )
                .exclude(capacity=places)
                .update(capacity=Greatest(Value(places), F("booked")))
            )
    return changed


def generate_ahead(today: dt.date | None = None) -> int:
    """Slots for every hall with a template, from today to the end of the booking window."""
    today = today or timezone.localdate()
    last = today + dt.timedelta(days=rules().days_ahead)
    halls = ServiceHall.objects.filter(slot_templates__is_active=True).distinct()
    return sum(generate_slots(hall, first=today, last=last) for hall in halls)


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
    generate_slots(hall, first=day, last=day)
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


def active_block(person: User, now: dt.datetime | None = None) -> BookingBlock | None:
    """The block that stops the person booking online now, if any."""
    now = now or timezone.now()
    return (
        BookingBlock.objects.filter(
            person=person, lifted_at__isnull=True, starts_at__lte=now, until__gt=now
        )
        .order_by("-until")
        .first()
    )


def blocked_message(block: BookingBlock | dt.datetime) -> str:
    """The refusal a blocked person reads: why, and until when."""
    until = block.until if isinstance(block, BookingBlock) else block
    return _(
        "You missed %(count)s booked visits, so you cannot book online until %(until)s. "
        "You can still take a ticket in the hall."
    ) % {"count": rules().no_show_limit, "until": _when(until)}


@dataclass(frozen=True)
class _PersonNow:
    blocked_until: dt.datetime | None
    same_day: bool
    live: int
    offered: bool


# Everything ``_check_may_book`` reads, in one statement run on every booking: written out
# because the ORM spent more CPU compiling these subqueries than the database spent running
# them, and sent with server-side binding so that PostgreSQL plans it once per connection
# (portal.db.prepared_cursor). The count of live bookings stops at the limit.
_CHECKS_SQL = """
SELECT
  (SELECT k.until FROM services_bookingblock k
    WHERE k.person_id = u.id AND k.lifted_at IS NULL AND k.starts_at <= %s AND k.until > %s
    ORDER BY k.until DESC LIMIT 1),
  EXISTS (SELECT 1 FROM services_booking b
    WHERE b.person_id = u.id AND b.status IN ({live}) AND b.day = %s AND b.{subject}_id = %s
      AND b.id <> %s),
  (SELECT COUNT(*) FROM (SELECT 1 FROM services_booking b
    JOIN services_slot s ON s.id = b.slot_id
    WHERE b.person_id = u.id AND b.status IN ({live}) AND s.ends_at > %s AND b.id <> %s
    LIMIT %s) coming),
  EXISTS (SELECT 1 FROM services_service v
    JOIN services_service_halls h ON h.service_id = v.id AND h.servicehall_id = %s
    WHERE v.is_published AND v.bookable AND {offered}
      AND (EXISTS (SELECT 1 FROM services_windowgroup_services g
                   WHERE g.windowgroup_id = %s AND g.service_id = v.id)
           OR EXISTS (SELECT 1 FROM services_windowgroup_categories c
                      WHERE c.windowgroup_id = %s AND c.servicecategory_id = v.category_id)))
FROM portal_user u WHERE u.id = %s
"""
_OFFERED_SERVICE = "v.id = %s"
_OFFERED_BUNDLE = (
    "v.id IN (SELECT m.service_id FROM services_bundlemember m WHERE m.bundle_id = %s)"
)


def _person_now(
    person: User,
    *,
    slot: Slot,
    service: Service | None,
    bundle: Bundle | None,
    now: dt.datetime,
    ignore: Booking | None,
    lock: bool,
) -> _PersonNow:
    """The person's block, a live booking of the same thing that day, his live bookings to
    come (counted up to the limit), and whether the slot's queue takes the service (or one of
    the bundle's members): one query, which also locks his row when booking so that his
    bookings are made one at a time ("at most N live" holds under concurrency too)."""
    ops = connection.ops
    moment = ops.adapt_datetimefield_value(now)
    live = [status.value for status in LIVE_BOOKING_STATUSES]
    subject = service.pk if service is not None else bundle.pk if bundle is not None else 0
    other = ignore.pk if ignore is not None else 0
    sql = _CHECKS_SQL.format(
        live=", ".join(["%s"] * len(live)),
        subject="service" if service is not None else "bundle",
        offered=_OFFERED_SERVICE if service is not None else _OFFERED_BUNDLE,
    )
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    params = [
        *(moment, moment),
        *(*live, ops.adapt_datefield_value(slot.day), subject, other),
        *(*live, moment, other, rules().max_live),
        *(slot.hall_id, subject, slot.group_id, slot.group_id),
        person.pk,
    ]
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        blocked_until, same_day, count, offered = cursor.fetchone()
    if isinstance(blocked_until, str):  # SQLite answers text
        blocked_until = parse_datetime(blocked_until)
    if blocked_until is not None and timezone.is_naive(blocked_until):
        blocked_until = timezone.make_aware(blocked_until, dt.UTC)
    return _PersonNow(blocked_until, bool(same_day), int(count), bool(offered))


def _check_may_book(
    person: User,
    slot: Slot,
    *,
    service: Service | None,
    bundle: Bundle | None,
    organisation: Organisation | None,
    now: dt.datetime,
    ignore: Booking | None = None,
) -> None:
    """Every refusal that does not depend on the place being free, each with its message.
    The slot's state is read as the caller holds it: the conditional UPDATE that takes the
    place has the last word on a slot closed or started meanwhile."""
    if (service is None) == (bundle is None):
        raise Invalid(_("Book either one service or one bundle."), code="service_or_bundle")
    state = _person_now(
        person,
        slot=slot,
        service=service,
        bundle=bundle,
        now=now,
        ignore=ignore,
        lock=ignore is None,
    )
    if state.blocked_until is not None:
        raise NotAllowed(blocked_message(state.blocked_until), code="booking_blocked")
    if (
        organisation is not None
        and not organisations.for_user(person).filter(pk=organisation.pk).exists()
    ):
        raise NotAllowed(_("You do not act for this organisation."), code="not_an_agent")
    subject = service or bundle
    assert subject is not None
    allowed = (
        ApplicantKind.ORGANISATION if organisation else ApplicantKind.PERSON,
        ApplicantKind.BOTH,
    )
    if subject.applicant_kind not in allowed:
        message = (
            _("“%(name)s” is for organisations: book it on behalf of one.")
            if organisation is None
            else _("“%(name)s” is for individuals: book it for yourself.")
        )
        raise Invalid(message % {"name": subject.display_name}, code="wrong_applicant_kind")
    if not state.offered or (bundle is not None and not bundle.is_published):
        raise Invalid(
            _("%(hall)s does not take bookings for “%(name)s”.")
            % {"hall": slot.hall.name, "name": subject.display_name},
            code="not_offered_here",
        )
    if slot.closed_at is not None:
        raise Conflict(
            _("The hall is closed at that time (%(reason)s): choose another time.")
            % {"reason": slot.closed_reason},
            code="slot_closed",
        )
    if slot.starts_at <= now:
        raise Invalid(_("That time has already begun: choose a later one."), code="slot_started")
    last_day = timezone.localdate(now) + dt.timedelta(days=rules().days_ahead)
    if slot.day > last_day:
        raise Invalid(
            _("You can book up to %(days)s days ahead, until %(day)s.")
            % {"days": rules().days_ahead, "day": _day(last_day)},
            code="beyond_booking_window",
        )
    if state.same_day:
        raise Conflict(_one_a_day_message(subject, slot.day), code="one_a_day")
    if ignore is None and state.live >= rules().max_live:
        raise Conflict(
            _(
                "You already have %(count)s bookings coming up, the most one person may hold: "
                "cancel one to book another."
            )
            % {"count": rules().max_live},
            code="too_many_bookings",
        )


def _one_a_day_message(subject: Service | Bundle, day: dt.date) -> str:
    return _("You already have a booking for “%(name)s” on %(day)s.") % {
        "name": subject.display_name,
        "day": _day(day),
    }


def _take_place(slot: Slot, now: dt.datetime) -> None:
    """Take one place of the slot in one statement, or refuse saying why it could not."""
    taken = Slot.objects.filter(
        pk=slot.pk, booked__lt=F("capacity"), closed_at__isnull=True, starts_at__gt=now
    ).update(booked=F("booked") + 1)
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
        booking.save(force_insert=True)
    except IntegrityError as exc:
        if "one_live_booking" in str(exc) or "booking.person_id" in str(exc):
            raise Conflict(_one_a_day_message(subject, booking.day), code="one_a_day") from None
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
    _check_may_book(
        person, slot, service=service, bundle=bundle, organisation=organisation, now=now
    )
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


def _check_cutoff(booking: Booking, action: str, now: dt.datetime) -> None:
    cutoff = booking.slot.starts_at - rules().change_cutoff
    if now >= cutoff:
        raise Conflict(
            _(
                "A booking can be cancelled or moved until %(cutoff)s. If you cannot come, it "
                "counts as missed, and repeated misses pause booking online."
            )
            % {"cutoff": _when(cutoff)}
            if action == "cancel"
            else _("A booking can be moved until %(cutoff)s.") % {"cutoff": _when(cutoff)},
            code="past_cutoff",
        )


def _check_holder(booking: Booking, by: User) -> None:
    """The person who booked, or one who acts now for its organisation; others are told it
    does not exist."""
    if booking.person_id == by.pk:
        return
    if booking.organisation_id is not None and (
        organisations.for_user(by).filter(pk=booking.organisation_id).exists()
    ):
        return
    raise NotFound(_("There is no such booking."), code="not_found")


@transaction.atomic
def cancel(booking: Booking, *, by: User, reason: str = "") -> Booking:
    """The holder cancels until the cut-off before the slot; the place is freed once.
    Raises NotFound (someone else's), Conflict (past_cutoff), IllegalMove (not booked)."""
    locked = _lock(booking)
    _check_holder(locked, by)
    if locked.status == B.BOOKED:
        _check_cutoff(locked, "cancel", timezone.now())
    return _move(locked, "cancel", by=by, reason=reason.strip()[:200])


@transaction.atomic
def move(booking: Booking, *, to: Slot, by: User) -> Booking:
    """Move a booking to another slot of the same hall (a place is taken there first, then the
    old one freed). Same refusals as ``book`` and ``cancel``."""
    now = timezone.now()
    locked = _lock(booking)
    _check_holder(locked, by)
    if locked.status != B.BOOKED:
        raise _illegal(locked.status, "move")
    _check_cutoff(locked, "move", now)
    target = Slot.objects.select_related("hall", "group").get(pk=to.pk)
    if target.pk == locked.slot_id:
        return locked
    if target.hall_id != locked.hall_id:
        raise Invalid(
            _("A booking moves within its hall: cancel it and book at the other hall."),
            code="other_hall",
        )
    _check_may_book(
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
        raise Conflict(_one_a_day_message(subject, target.day), code="one_a_day") from None
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
    block_if_due(moved.person)
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
            block_if_due(locked.person)
            missed += 1
    return missed


def block_if_due(person: User) -> BookingBlock | None:
    """Block online booking when the person has missed the limit within the window: booked
    visits missed, and walk-in tickets of his not answered when called (counting only misses
    since his last block began, so that one block is not followed by another for the same
    misses)."""
    r = rules()
    now = timezone.now()
    since = now - r.no_show_window
    last = BookingBlock.objects.filter(person=person).order_by("-starts_at").first()
    if last is not None:
        if last.is_active(now):
            return None
        since = max(since, last.starts_at)
    # A booking's own events (a booked ticket's no-show event names the booking too, and is
    # counted through the booking's), and the no-shows of his walk-in tickets.
    missed = (
        ReservationEvent.objects.filter(at__gte=since, action__in=("miss", "no_show"))
        .filter(
            Q(booking__person=person, ticket__isnull=True)
            | Q(ticket__person=person, booking__isnull=True)
        )
        .count()
    )
    if missed < r.no_show_limit:
        return None
    block = BookingBlock.objects.create(
        person=person,
        starts_at=now,
        until=now + r.block_for,
        reason=f"{missed} no-shows",
    )
    transaction.on_commit(lambda: _enqueue_notice("block", block.pk))
    return block


@transaction.atomic
def lift_block(block: BookingBlock, *, by: User) -> BookingBlock:
    """An administrator lifts a block early (e.g. the visits were missed for a good reason)."""
    BookingBlock.objects.filter(pk=block.pk, lifted_at__isnull=True).update(
        lifted_at=timezone.now(), lifted_by=by
    )
    block.refresh_from_db()
    return block


def due_reminders(day: dt.date) -> list[int]:
    """Ids of the day's bookings not reminded yet."""
    return list(
        Booking.objects.filter(day=day, status=B.BOOKED, reminded_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def remind(booking_id: int) -> bool:
    """Send one booking's reminder once (the conditional update claims it)."""
    claimed = Booking.objects.filter(
        pk=booking_id, status=B.BOOKED, reminded_at__isnull=True
    ).update(reminded_at=timezone.now())
    if not claimed:
        return False
    from services import reservation_notices

    reservation_notices.tell_holder(booking_id, "remind")
    return True


def remind_tomorrow(today: dt.date | None = None) -> int:
    """The reminders of tomorrow's bookings, the day before; returns how many were sent."""
    today = today or timezone.localdate()
    return sum(remind(pk) for pk in due_reminders(today + dt.timedelta(days=1)))


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
    return ReservationEvent.objects.create(
        booking=booking,
        action=action,
        actor=by if by is not None and by.is_authenticated else None,
        from_status=from_status,
        to_status=booking.status,
        detail=detail,
    )


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
