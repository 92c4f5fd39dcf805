"""What a hall offers, and its slots: the queues that take a service, slots cut from the
hall's templates on working days, and their places from the windows in service.

Only ``services.booking`` changes a slot's ``booked`` count and closes slots; here slots are
made and their capacity refreshed.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from portal.models import ServiceHall
from services import calendar
from services.booking_rules import rules
from services.models.bundles import Bundle
from services.models.catalogue import Service
from services.models.reservations import Slot, SlotTemplate, Window, WindowGroup

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
