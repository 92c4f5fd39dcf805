"""Reads for the hall pages, the kiosk, the display and the API (no writes here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from portal.db import prepared_cursor
from portal.models import ServiceHall, User
from services import booking_rules, slots
from services.models.bundles import Bundle
from services.models.catalogue import Service
from services.models.reservations import (
    LIVE_BOOKING_STATUSES,
    Booking,
    Slot,
    Ticket,
    TicketStatus,
    Window,
    WindowGroup,
    WindowShift,
)


def bookable_halls(
    *, service: Service | None = None, bundle: Bundle | None = None
) -> list[ServiceHall]:
    """Halls where the service (or one of the bundle's members) can be booked."""
    halls = ServiceHall.objects.filter(window_groups__isnull=False).distinct().order_by("name")
    return [h for h in halls if slots.groups_for(h, service=service, bundle=bundle)]


def booking_days(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and last day one may book now (today to BOOKING_DAYS_AHEAD)."""
    today = today or timezone.localdate()
    return today, today + dt.timedelta(days=booking_rules.rules().days_ahead)


def available_slots(
    hall: ServiceHall,
    *,
    service: Service | None = None,
    bundle: Bundle | None = None,
    day: dt.date | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> QuerySet[Slot]:
    """Slots of the hall's queues for the service or bundle, not started, not closed, within
    the booking window, on ``day`` (or from ``first`` to ``last``); full ones included (their
    ``places_left`` is 0) so that a page can show them greyed. One query (the queues that
    take the service are a subquery of it)."""
    window_first, window_last = booking_days()
    if day is not None:
        first = last = day
    first = max(first or window_first, window_first)
    last = min(last or window_last, window_last)
    return (
        Slot.objects.filter(
            hall=hall,
            group__in=_queues_taking(hall, service=service, bundle=bundle),
            day__gte=first,
            day__lte=last,
            starts_at__gt=timezone.now(),
            closed_at__isnull=True,
        )
        .select_related("group")
        .order_by("starts_at", "group__order")
    )


def _queues_taking(
    hall: ServiceHall, *, service: Service | None, bundle: Bundle | None
) -> QuerySet[WindowGroup, Any]:
    """The ids of the hall's queues with a window in service that take the service (or one
    of the bundle's members), as a subquery: what ``slots.groups_for`` lists."""
    offered = Service.objects.filter(is_published=True, bookable=True, halls=hall)
    if service is not None:
        offered = offered.filter(pk=service.pk)
    elif bundle is not None and bundle.is_published:
        offered = offered.filter(bundles=bundle)
    else:
        offered = offered.none()
    return (
        WindowGroup.objects.filter(hall=hall, windows__is_open=True)
        .filter(
            Q(services__in=offered.values("pk")) | Q(categories__in=offered.values("category_id"))
        )
        .values("pk")
    )


SlotValues = tuple[int, int, str, dt.date, dt.datetime, dt.datetime, int, int]
_SLOT_FIELDS = (
    *("pk", "hall_id", "group__letter", "day"),
    *("starts_at", "ends_at", "capacity", "booked"),
)

# ``available_slots`` for one day as plain rows, the API's busiest public read: written out and
# sent with server-side binding (portal.db.prepared_cursor) because PostgreSQL spent longer
# planning the ORM's version of it than running it, and the ORM longer compiling it.
_SLOTS_SQL = """
WITH offered AS (
  SELECT v.id, v.category_id FROM services_service v
  JOIN services_service_halls h ON h.service_id = v.id AND h.servicehall_id = %s
  WHERE v.is_published AND v.bookable AND {offered}
)
SELECT s.id, s.hall_id, g.letter, s.day, s.starts_at, s.ends_at, s.capacity, s.booked
FROM services_slot s JOIN services_windowgroup g ON g.id = s.group_id
WHERE s.hall_id = %s AND s.day >= %s AND s.day <= %s AND s.starts_at > %s
  AND s.closed_at IS NULL
  AND EXISTS (SELECT 1 FROM services_window_groups wg JOIN services_window w ON w.id = wg.window_id
              WHERE wg.windowgroup_id = g.id AND w.is_open)
  AND (EXISTS (SELECT 1 FROM services_windowgroup_services gs JOIN offered o ON o.id = gs.service_id
               WHERE gs.windowgroup_id = g.id)
       OR EXISTS (SELECT 1 FROM services_windowgroup_categories gc
                  JOIN offered o ON o.category_id = gc.servicecategory_id
                  WHERE gc.windowgroup_id = g.id))
ORDER BY s.starts_at, g."order"
"""
# How the offered services are found: by the objects in hand, or straight from the query's
# service code or bundle slug (the API reads the slots before looking those up).
_OFFERED = {
    "service": "v.id = %s",
    "bundle": "v.id IN (SELECT m.service_id FROM services_bundlemember m "
    "JOIN services_bundle u ON u.id = m.bundle_id WHERE u.id = %s AND u.is_published)",
    "service_code": "v.code = %s",
    "bundle_slug": "v.id IN (SELECT m.service_id FROM services_bundlemember m "
    "JOIN services_bundle u ON u.id = m.bundle_id WHERE u.slug = %s AND u.is_published)",
}


def slot_values(
    hall: ServiceHall,
    *,
    service: Service | None = None,
    bundle: Bundle | None = None,
    day: dt.date | None = None,
) -> list[SlotValues]:
    """(id, hall, queue letter, day, starts, ends, places, booked) of ``available_slots``: one
    statement, planned once per connection on PostgreSQL."""
    if connection.vendor != "postgresql":
        found = available_slots(hall, service=service, bundle=bundle, day=day)
        return list(found.values_list(*_SLOT_FIELDS))
    if service is not None:
        return _slot_values(hall.pk, "service", service.pk, day)
    return _slot_values(hall.pk, "bundle", bundle.pk if bundle is not None else 0, day)


def slot_values_named(
    hall_id: int, *, service_code: str = "", bundle_slug: str = "", day: dt.date | None = None
) -> list[SlotValues] | None:
    """``slot_values`` from the hall's id and the service's code (or the bundle's slug), without
    reading those rows first; None where this cannot be asked in one statement (SQLite)."""
    if connection.vendor != "postgresql":
        return None
    if service_code:
        return _slot_values(hall_id, "service_code", service_code, day)
    return _slot_values(hall_id, "bundle_slug", bundle_slug, day)


def _slot_values(
    hall_id: int, offered: str, subject: int | str, day: dt.date | None
) -> list[SlotValues]:
    first, last = booking_days()
    if day is not None:
        first, last = max(day, first), min(day, last)
    with prepared_cursor() as cursor:
        cursor.execute(
            _SLOTS_SQL.format(offered=_OFFERED[offered]),
            [hall_id, subject, hall_id, first, last, timezone.now()],
        )
        return cursor.fetchall()


def days_with_places(
    hall: ServiceHall, *, service: Service | None = None, bundle: Bundle | None = None
) -> list[tuple[dt.date, int]]:
    """(day, places left) of each bookable day in the window: one query."""
    rows = (
        available_slots(hall, service=service, bundle=bundle)
        .order_by()
        .values("day")
        .annotate(left=Count("pk", filter=Q(booked__lt=F("capacity"))))
        .values_list("day", "left")
    )
    return sorted(rows)


def my_bookings(user: User, *, live_only: bool = False) -> QuerySet[Booking]:
    """The person's bookings, newest slot first (those of organisations he acts for are his
    own bookings: he made them)."""
    found = Booking.objects.filter(person=user)
    if live_only:
        found = found.filter(status__in=LIVE_BOOKING_STATUSES)
    return found.select_related(
        "slot__group", "hall", "service", "bundle", "organisation"
    ).order_by("-slot__starts_at", "-pk")


def booking_of(user: User, pk: int) -> Booking | None:
    """One of the person's bookings, or None (someone else's is not there for him)."""
    return my_bookings(user).filter(pk=pk).first()


def windows_staffed_by(clerk: User, day: dt.date | None = None) -> QuerySet[Window]:
    """The windows the clerk staffs today."""
    return (
        Window.objects.filter(shifts__clerk=clerk, shifts__day=day or timezone.localdate())
        .select_related("hall")
        .prefetch_related("groups")
        .order_by("hall__name", "number")
    )


def current_ticket(window: Window) -> Ticket | None:
    """The ticket called at the window and not finished yet."""
    return (
        Ticket.objects.filter(window=window, day=timezone.localdate(), status=TicketStatus.CALLED)
        .select_related("group", "service", "bundle", "booking")
        .first()
    )


def last_served(window: Window) -> Ticket | None:
    """The ticket this window finished last today: its visitor may rate the visit."""
    return (
        Ticket.objects.filter(window=window, day=timezone.localdate(), status=TicketStatus.DONE)
        .order_by("-finished_at", "-pk")
        .first()
    )


def waiting_for(window: Window) -> QuerySet[Ticket]:
    """Tickets waiting for the window's queues, in calling order."""
    return (
        Ticket.objects.filter(
            group__in=window.groups.all(), day=timezone.localdate(), status=TicketStatus.WAITING
        )
        .select_related("group", "service", "bundle")
        .order_by("-priority", "issued_at", "pk")
    )


@dataclass(frozen=True)
class CalledTicket:
    number: str
    window: str
    called_at: dt.datetime | None
    calls: int


@dataclass(frozen=True)
class QueueState:
    letter: str
    name: str
    waiting: int
    estimated_minutes: int


@dataclass(frozen=True)
class Display:
    """What the hall's screen shows."""

    hall: ServiceHall
    called: list[CalledTicket] = field(default_factory=list)
    queues: list[QueueState] = field(default_factory=list)
    at: dt.datetime = field(default_factory=timezone.now)


def display(hall: ServiceHall, *, called_limit: int = 8) -> Display:
    """Tickets being called (newest first) with their window, and per queue the people
    waiting and an estimated wait: waiting × today's mean visit ÷ windows staffed for it.
    A fixed number of queries whatever the hall's size."""
    today = timezone.localdate()
    called = [
        CalledTicket(number, window, called_at, calls)
        for number, window, called_at, calls in Ticket.objects.filter(
            hall=hall, day=today, status=TicketStatus.CALLED
        )
        .order_by("-called_at")
        .values_list("number", "window__number", "called_at", "calls")[:called_limit]
    ]
    groups = list(
        WindowGroup.objects.filter(hall=hall)
        .annotate(
            waiting=Count(
                "tickets",
                filter=Q(tickets__day=today, tickets__status=TicketStatus.WAITING),
                distinct=True,
            )
        )
        .order_by("order", "letter")
    )
    staffed = dict(
        WindowShift.objects.filter(window__hall=hall, day=today, window__is_open=True)
        .values("window__groups")
        .annotate(n=Count("window", distinct=True))
        .values_list("window__groups", "n")
    )
    spent = dict(
        Ticket.objects.filter(
            hall=hall, day=today, status=TicketStatus.DONE, called_at__isnull=False
        )
        .values("group")
        .annotate(
            mean=Avg(
                ExpressionWrapper(F("finished_at") - F("called_at"), output_field=DurationField())
            )
        )
        .values_list("group", "mean")
    )
    default = dt.timedelta(minutes=getattr(settings, "QUEUE_MINUTES_PER_VISIT", 8))
    queues = []
    for group in groups:
        mean = spent.get(group.pk) or default
        windows = max(staffed.get(group.pk, 0), 1)
        minutes = round(group.waiting * mean.total_seconds() / 60 / windows)
        queues.append(QueueState(group.letter, group.display_name, group.waiting, minutes))
    return Display(hall=hall, called=called, queues=queues)
