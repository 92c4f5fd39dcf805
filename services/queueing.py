"""THE ONLY CODE THAT CHANGES TICKETS: check-in → ticket, call, recall, no-show, finish.

A booking checked in within its slot gets a ticket that goes before walk-ins; arriving later
than the grace period gives an ordinary walk-in ticket. A clerk calls from a window he staffs
today, the next waiting ticket of the queues that window serves (two clerks calling at once get
two different tickets: the row is taken with ``SKIP LOCKED``). Finishing returns what counter
intake needs. The booking's own moves are made through ``services.booking``; the booking to
check in is found by ``services.booking_lookup``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from portal import identity, roles
from portal.errors import Conflict, IllegalMove, Invalid, NotAllowed
from portal.models import Organisation, ServiceHall, StaffRole, User
from services import booking as booking_moves
from services import booking_rules, hallcodes, slots
from services.booking_lookup import find_booking
from services.models.bundles import Bundle
from services.models.catalogue import Service
from services.models.reservations import (
    Booking,
    BookingStatus,
    ReservationEvent,
    Ticket,
    TicketStatus,
    Window,
    WindowGroup,
    WindowShift,
)

T = TicketStatus

# (from status, action) -> to status. Nothing else changes a ticket's status.
MOVES: dict[tuple[str, str], str] = {
    (T.WAITING, "call"): T.CALLED,
    (T.CALLED, "recall"): T.CALLED,
    (T.CALLED, "no_show"): T.NO_SHOW,
    (T.CALLED, "finish"): T.DONE,
    (T.WAITING, "cancel"): T.CANCELLED,
}

ACTION_WORDS = {
    "call": pgettext_lazy("ticket move", "called"),
    "recall": pgettext_lazy("ticket move", "called again"),
    "no_show": pgettext_lazy("ticket move", "marked as not there"),
    "finish": pgettext_lazy("ticket move", "finished"),
    "cancel": pgettext_lazy("ticket move", "cancelled"),
}


@dataclass(frozen=True)
class Intake:
    """What counter intake needs when a clerk finishes a ticket: who, and for what."""

    ticket: Ticket
    person: User | None
    organisation: Organisation | None
    service: Service | None
    bundle: Bundle | None
    booking: Booking | None


def _early() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "QUEUE_CHECK_IN_EARLY_MINUTES", 60))


def _grace() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "QUEUE_LATE_GRACE_MINUTES", 15))


def _time(moment: dt.datetime) -> str:
    return formats.time_format(timezone.localtime(moment), "H:i")


# --- Tickets ------------------------------------------------------------------------------


def _issue(
    hall: ServiceHall,
    group: WindowGroup,
    *,
    priority: bool,
    booking: Booking | None = None,
    person: User | None = None,
    service: Service | None = None,
    bundle: Bundle | None = None,
    by: User | None,
) -> Ticket:
    day = timezone.localdate()
    serial, number = hallcodes.ticket_number(group.pk, group.letter, day)
    ticket = Ticket.objects.create(
        hall=hall,
        group=group,
        day=day,
        serial=serial,
        number=number,
        booking=booking,
        priority=priority,
        person=person,
        service=service,
        bundle=bundle,
    )
    _record(ticket, "issue", by=by, from_status="", booked=priority)
    return ticket


@transaction.atomic
def check_in(
    hall: ServiceHall,
    *,
    code: str = "",
    qr: str = "",
    id_number: str = "",
    by: User | None = None,
    request: HttpRequest | None = None,
) -> Ticket:
    """Check a booking in at the hall (kiosk: ``by=None``; a clerk's desk: ``by=clerk``) and
    give its ticket: before walk-ins within the slot, as a walk-in after the grace period.

    Raises the refusals of ``find_booking``, Conflict (too_early, already_checked_in) and
    IllegalMove (a cancelled or missed booking)."""
    now = timezone.now()
    found = find_booking(hall, code=code, qr=qr, id_number=id_number, by=by, request=request)
    locked = Booking.objects.select_for_update().select_related("slot").get(pk=found.pk)
    if locked.status in (BookingStatus.CHECKED_IN, BookingStatus.LATE):
        number = Ticket.objects.filter(booking=locked).values_list("number", flat=True).first()
        raise Conflict(
            _("This booking is already checked in: ticket %(number)s.") % {"number": number},
            code="already_checked_in",
        )
    opens = locked.slot.starts_at - _early()
    if now < opens:
        raise Conflict(
            _("Check-in for this booking opens at %(time)s.") % {"time": _time(opens)},
            code="too_early",
        )
    late = now > locked.slot.starts_at + _grace()
    booking_moves.check_in(locked, by=by, late=late)
    return _issue(
        hall,
        locked.slot.group,
        priority=not late,
        booking=locked,
        person=locked.person,
        service=locked.service,
        bundle=locked.bundle,
        by=by,
    )


@transaction.atomic
def walk_in(
    hall: ServiceHall,
    *,
    service: Service | None = None,
    bundle: Bundle | None = None,
    group: WindowGroup | None = None,
    person: User | None = None,
    holder: str = "",
    by: User | None = None,
) -> Ticket:
    """A walk-in ticket for a service, a bundle or straight for a queue (e.g. the results
    window). ``holder`` is the ID or mobile number a kiosk visitor typed (canonical form): one
    holder has at most ``live_tickets_per_holder()`` tickets waiting or called in a queue.
    Raises Invalid (not_offered_here, no_queue) and Conflict (too_many_tickets)."""
    if group is None:
        groups = slots.groups_for(hall, service=service, bundle=bundle)
        if not groups:
            subject = service or bundle
            raise Invalid(
                _("%(hall)s does not take “%(name)s”.")
                % {"hall": hall.name, "name": subject.display_name if subject else "—"},
                code="not_offered_here",
            )
        group = groups[0]
    elif group.hall_id != hall.pk:
        raise Invalid(_("This queue is not at this hall."), code="no_queue")
    index = identity.blind_index(holder, purpose=HOLDER_PURPOSE) if holder else ""
    if index:
        _refuse_too_many(group, index)
    ticket = _issue(
        hall, group, priority=False, person=person, service=service, bundle=bundle, by=by
    )
    if index:
        Ticket.objects.filter(pk=ticket.pk).update(holder_index=index)
        ticket.holder_index = index
    return ticket


HOLDER_PURPOSE = "ticket_holder"


def live_tickets_per_holder() -> int:
    return int(settings.QUEUE_LIVE_TICKETS_PER_HOLDER)


def _refuse_too_many(group: WindowGroup, index: str) -> None:
    # The queue's row is locked so that two kiosks cannot both give the last ticket allowed.
    WindowGroup.objects.select_for_update().filter(pk=group.pk).first()
    live = list(
        Ticket.objects.filter(
            group=group,
            day=timezone.localdate(),
            holder_index=index,
            status__in=(T.WAITING, T.CALLED),
        )
        .order_by("serial")
        .values_list("number", flat=True)
    )
    if len(live) >= live_tickets_per_holder():
        raise Conflict(
            ngettext(
                "You already hold ticket %(numbers)s for this queue. Please wait to be called; "
                "the front desk helps if you need another.",
                "You already hold tickets %(numbers)s for this queue. Please wait to be called; "
                "the front desk helps if you need another.",
                len(live),
            )
            % {"numbers": ", ".join(live)},
            code="too_many_tickets",
        )


# --- Windows ------------------------------------------------------------------------------


def staffs(clerk: User, window: Window, day: dt.date | None = None) -> bool:
    """Whether the clerk staffs the window on the day (today)."""
    return WindowShift.objects.filter(
        window=window, clerk=clerk, day=day or timezone.localdate()
    ).exists()


@transaction.atomic
def take_window(window: Window, *, clerk: User, by: User | None = None) -> WindowShift:
    """The clerk staffs the window today (he signs on himself, or a hall manager puts him
    there). Only a clerk of the window's hall."""
    if by is not None and by.pk != clerk.pk and not roles.is_system_admin(by):
        raise NotAllowed(_("Only the clerk himself or an administrator can do this."))
    if not clerk.staff_assignments.filter(
        role=StaffRole.CLERK, service_hall_id=window.hall_id
    ).exists():
        raise NotAllowed(
            _("Only a window clerk of %(hall)s can staff its windows.") % {"hall": window.hall},
            code="not_a_clerk_here",
        )
    return WindowShift.objects.get_or_create(window=window, clerk=clerk, day=timezone.localdate())[
        0
    ]


@transaction.atomic
def leave_window(window: Window, *, clerk: User) -> None:
    WindowShift.objects.filter(window=window, clerk=clerk, day=timezone.localdate()).delete()


def _require_staffing(window: Window, by: User) -> None:
    if not staffs(by, window):
        raise NotAllowed(
            _("You are not staffing window %(number)s today.") % {"number": window.number},
            code="not_your_window",
        )


@transaction.atomic
def call_next(window: Window, *, by: User) -> Ticket:
    """Call the next ticket of the window's queues: booked ones first, then by arrival.
    Raises NotAllowed (not_your_window), Conflict (ticket_open, queue_empty)."""
    _require_staffing(window, by)
    today = timezone.localdate()
    open_here = Ticket.objects.filter(window=window, day=today, status=T.CALLED).first()
    if open_here is not None:
        raise Conflict(
            _("Finish ticket %(number)s or mark it as not there before calling the next.")
            % {"number": open_here.number},
            code="ticket_open",
        )
    waiting = Ticket.objects.filter(
        group__in=window.groups.all(), day=today, status=T.WAITING
    ).order_by("-priority", "issued_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        waiting = waiting.select_for_update(skip_locked=True, of=("self",))
    ticket = waiting.first()
    if ticket is None:
        raise Conflict(_("Nobody is waiting for this window."), code="queue_empty")

    def changes(t: Ticket) -> None:
        t.window, t.called_by, t.called_at, t.calls = window, by, timezone.now(), 1

    return _move(ticket, "call", by=by, changes=changes, window=window.number)


def _ticket_at_window(ticket: Ticket, by: User) -> Ticket:
    locked = _lock(ticket)
    window = locked.window
    if window is None or not staffs(by, window):
        raise NotAllowed(
            _("Ticket %(number)s was called at another window.") % {"number": locked.number},
            code="not_your_window",
        )
    return locked


@transaction.atomic
def recall(ticket: Ticket, *, by: User) -> Ticket:
    """Call the same ticket again (the display shows it again)."""
    locked = _ticket_at_window(ticket, by)

    def changes(t: Ticket) -> None:
        t.called_at, t.calls = timezone.now(), t.calls + 1

    return _move(locked, "recall", by=by, changes=changes)


@transaction.atomic
def no_show(ticket: Ticket, *, by: User) -> Ticket:
    """Called and not there: a booked visitor's booking counts as missed, and so does a walk-in
    ticket of a known person (both towards a block of online booking)."""
    locked = _ticket_at_window(ticket, by)

    def changes(t: Ticket) -> None:
        t.finished_at = timezone.now()

    moved = _move(locked, "no_show", by=by, changes=changes)
    if moved.booking_id is not None:
        booking_moves.no_show(Booking(pk=moved.booking_id), by=by)
    elif moved.person is not None:
        booking_rules.block_if_due(moved.person)
    return moved


@transaction.atomic
def finish(ticket: Ticket, *, by: User) -> Intake:
    """The visit is done at this window; returns who and what for counter intake."""
    locked = _ticket_at_window(ticket, by)

    def changes(t: Ticket) -> None:
        t.finished_at = timezone.now()

    done = _move(locked, "finish", by=by, changes=changes)
    booked = None
    if done.booking_id is not None:
        booked = booking_moves.served(Booking(pk=done.booking_id), by=by)
    return Intake(
        ticket=done,
        person=done.person,
        organisation=booked.organisation if booked is not None else None,
        service=done.service,
        bundle=done.bundle,
        booking=booked,
    )


@transaction.atomic
def cancel(ticket: Ticket, *, by: User | None) -> Ticket:
    """A waiting ticket given up (the visitor left, or the day ended)."""
    return _move(ticket, "cancel", by=by)


def cancel_left_over(day: dt.date) -> int:
    """At the end of a day: every ticket still waiting is cancelled, and the day's holder
    indexes, which only limit live tickets of the day, are forgotten. Returns how many."""
    cancelled = 0
    for pk in Ticket.objects.filter(day__lte=day, status=T.WAITING).values_list("pk", flat=True):
        with transaction.atomic():
            cancel(Ticket(pk=pk), by=None)
            cancelled += 1
    Ticket.objects.filter(day__lte=day).exclude(holder_index="").update(holder_index="")
    return cancelled


# --- The table ----------------------------------------------------------------------------


def _illegal(status: str, action: str) -> IllegalMove:
    return IllegalMove(
        _("A ticket that is “%(status)s” cannot be %(action)s.")
        % {"status": T(status).label, "action": ACTION_WORDS.get(action, action)},
        status=status,
        action=action,
    )


def _lock(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("window", "group", "person", "service", "bundle")
        .get(pk=ticket.pk)
    )


def _record(
    ticket: Ticket, action: str, *, by: User | None, from_status: str, **detail: Any
) -> ReservationEvent:
    return ReservationEvent.objects.create(
        ticket=ticket,
        booking_id=ticket.booking_id,
        action=action,
        actor=by if by is not None and by.is_authenticated else None,
        from_status=from_status,
        to_status=ticket.status,
        detail=detail,
    )


def _move(
    ticket: Ticket,
    action: str,
    *,
    by: User | None,
    changes: Callable[[Ticket], None] | None = None,
    **detail: Any,
) -> Ticket:
    """Lock, check the table, apply ``changes``, save, write the event. Inside a transaction."""
    locked = _lock(ticket)
    target = MOVES.get((locked.status, action))
    if target is None:
        raise _illegal(locked.status, action)
    before = locked.status
    locked.status = target
    if changes is not None:
        changes(locked)
    locked.save()
    _record(locked, action, by=by, from_status=before, **detail)
    return locked
