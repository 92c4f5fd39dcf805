"""The booking rules (settings), every check a booking must pass before it takes a place, and
the block of online booking after repeated no-shows.

``check_may_book`` reads everything it needs in one statement that also locks the person's
row; ``services.booking`` calls it inside the booking's transaction. Refusals are
``portal.errors`` types, each with its own message.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from portal import organisations
from portal.db import prepared_cursor, rows
from portal.errors import Conflict, Invalid, NotAllowed, NotFound
from portal.models import Organisation, User
from services.models.bundles import Bundle
from services.models.catalogue import ApplicantKind, Service
from services.models.reservations import (
    LIVE_BOOKING_STATUSES,
    Booking,
    BookingBlock,
    ReservationEvent,
    Slot,
)


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


# --- Checks before a booking -------------------------------------------------------------


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


# Everything ``check_may_book`` reads, in one statement run on every booking: written out
# because the ORM spent more CPU compiling these subqueries than the database spent running
# them, and sent with server-side binding so that PostgreSQL plans it once per connection
# (portal.db.prepared_cursor). The count of live bookings stops at the limit. The slot's day,
# hall and queue and the subject's id are parameters, or the columns of the slot and the
# service read by the same statement (``checked_slot_and_service``).
_CHECKS = """
  (SELECT k.until FROM services_bookingblock k
    WHERE k.person_id = u.id AND k.lifted_at IS NULL AND k.starts_at <= %s AND k.until > %s
    ORDER BY k.until DESC LIMIT 1),
  EXISTS (SELECT 1 FROM services_booking b
    WHERE b.person_id = u.id AND b.status IN ({live}) AND b.day = {day}
      AND b.{subject}_id = {subject_id} AND b.id <> %s),
  (SELECT COUNT(*) FROM (SELECT 1 FROM services_booking b
    JOIN services_slot s2 ON s2.id = b.slot_id
    WHERE b.person_id = u.id AND b.status IN ({live}) AND s2.ends_at > %s AND b.id <> %s
    LIMIT %s) coming),
  EXISTS (SELECT 1 FROM services_service v
    JOIN services_service_halls h ON h.service_id = v.id AND h.servicehall_id = {hall}
    WHERE v.is_published AND v.bookable AND {offered}
      AND (EXISTS (SELECT 1 FROM services_windowgroup_services g
                   WHERE g.windowgroup_id = {group} AND g.service_id = v.id)
           OR EXISTS (SELECT 1 FROM services_windowgroup_categories c
                      WHERE c.windowgroup_id = {group} AND c.servicecategory_id = v.category_id)))
"""
_LIVE = ", ".join(["%s"] * len(LIVE_BOOKING_STATUSES))
_OFFERED_BUNDLE = (
    "v.id IN (SELECT m.service_id FROM services_bundlemember m WHERE m.bundle_id = %s)"
)
_CHECKS_SQL = {
    subject: "SELECT"
    + _CHECKS.format(
        live=_LIVE,
        day="%s",
        subject=subject,
        subject_id="%s",
        hall="%s",
        offered="v.id = %s" if subject == "service" else _OFFERED_BUNDLE,
        group="%s",
    )
    + "FROM portal_user u WHERE u.id = %s"
    for subject in ("service", "bundle")
}


def _checks_params(now: dt.datetime, other: int) -> tuple[list[Any], list[Any]]:
    """The parameters of ``_CHECKS`` before the slot's day and after it, up to the hall."""
    ops = connection.ops
    moment = ops.adapt_datetimefield_value(now)
    live = [status.value for status in LIVE_BOOKING_STATUSES]
    return [moment, moment, *live], [other, *live, moment, other, rules().max_live]


def _state(blocked_until: Any, same_day: Any, count: Any, offered: Any) -> _PersonNow:
    """What the checks read, as ``_CHECKS`` answers it (its last four columns)."""
    if isinstance(blocked_until, str):  # SQLite answers text
        blocked_until = parse_datetime(blocked_until)
    if blocked_until is not None and timezone.is_naive(blocked_until):
        blocked_until = timezone.make_aware(blocked_until, dt.UTC)
    return _PersonNow(blocked_until, bool(same_day), int(count), bool(offered))


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
    subject = service.pk if service is not None else bundle.pk if bundle is not None else 0
    sql = _CHECKS_SQL["service" if service is not None else "bundle"]
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    before, after = _checks_params(now, ignore.pk if ignore is not None else 0)
    params = [
        *before,
        connection.ops.adapt_datefield_value(slot.day),
        subject,
        *after,
        *(slot.hall_id, subject, slot.group_id, slot.group_id),
        person.pk,
    ]
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return _state(*cursor.fetchone())


@functools.cache
def _slot_and_service_sql(locks: bool) -> str:
    slot, service = rows.table(Slot, "s"), rows.table(Service, "sv")
    checks = _CHECKS.format(
        live=_LIVE,
        day="s.day",
        subject="service",
        subject_id="sv.id",
        hall="s.hall_id",
        offered="v.id = sv.id",
        group="s.group_id",
    )
    return (
        f"SELECT {slot.columns}, {service.columns},{checks}"
        f"FROM portal_user u JOIN {rows.quoted_table(Slot)} s ON s.{rows.name(Slot, 'id')} = %s "
        f"JOIN {rows.quoted_table(Service)} sv ON sv.{rows.name(Service, 'code')} = %s "
        f"WHERE u.id = %s" + (" FOR UPDATE OF u" if locks else "")
    )


def checked_slot_and_service(
    person: User, slot_id: int, service_code: str, now: dt.datetime
) -> tuple[Slot, Service] | None:
    """The usual booking's one read, inside its transaction: the slot and the service by its
    code with everything ``check_may_book`` reads, the person's row locked as there; then the
    same checks, for himself (no organisation). None if there is no such slot or service (the
    caller lets the API's serializer word that)."""
    before, after = _checks_params(now, 0)
    sql = _slot_and_service_sql(connection.features.has_select_for_update)
    found = rows.fetch(sql, [*before, *after, slot_id, service_code, person.pk])
    if not found:
        return None
    slot_table, service_table = rows.table(Slot, "s"), rows.table(Service, "sv")
    values = found[0]
    split = len(slot_table.attnames)
    end = split + len(service_table.attnames)
    slot = slot_table.load(values[:split])
    service = service_table.load(values[split:end])
    state = _state(*values[end:])
    _judge(state, person, slot, service=service, bundle=None, organisation=None, now=now)
    return slot, service


def check_may_book(
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
    _judge(
        state,
        person,
        slot,
        service=service,
        bundle=bundle,
        organisation=organisation,
        now=now,
        ignore=ignore,
    )


def _judge(
    state: _PersonNow,
    person: User,
    slot: Slot,
    *,
    service: Service | None,
    bundle: Bundle | None,
    organisation: Organisation | None,
    now: dt.datetime,
    ignore: Booking | None = None,
) -> None:
    """``check_may_book``'s refusals, in its order, from what it read."""
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
        raise Conflict(one_a_day_message(subject, slot.day), code="one_a_day")
    if ignore is None and state.live >= rules().max_live:
        raise Conflict(
            _(
                "You already have %(count)s bookings coming up, the most one person may hold: "
                "cancel one to book another."
            )
            % {"count": rules().max_live},
            code="too_many_bookings",
        )


def one_a_day_message(subject: Service | Bundle, day: dt.date) -> str:
    return _("You already have a booking for “%(name)s” on %(day)s.") % {
        "name": subject.display_name,
        "day": _day(day),
    }


def check_cutoff(booking: Booking, action: str, now: dt.datetime) -> None:
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


def check_holder(booking: Booking, by: User) -> None:
    """The person who booked, or one who acts now for its organisation; others are told it
    does not exist."""
    if booking.person_id == by.pk:
        return
    if booking.organisation_id is not None and (
        organisations.for_user(by).filter(pk=booking.organisation_id).exists()
    ):
        return
    raise NotFound(_("There is no such booking."), code="not_found")


# --- Blocks ----------------------------------------------------------------------------------


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
    transaction.on_commit(lambda: _enqueue_block_notice(block.pk))
    return block


@transaction.atomic
def lift_block(block: BookingBlock, *, by: User) -> BookingBlock:
    """An administrator lifts a block early (e.g. the visits were missed for a good reason)."""
    BookingBlock.objects.filter(pk=block.pk, lifted_at__isnull=True).update(
        lifted_at=timezone.now(), lifted_by=by
    )
    block.refresh_from_db()
    return block


def _enqueue_block_notice(block_id: int) -> None:
    from services import tasks

    tasks.enqueue_booking_notice(block_id, "block")
