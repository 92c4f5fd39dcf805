"""A hall with queues, windows and slots for the booking and queueing tests."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from django.utils import timezone

from portal import roles
from portal.models import ServiceHall, StaffAssignment, StaffRole, User
from services.models import Service
from services.models.reservations import Slot, SlotTemplate, Window, WindowGroup, WindowShift
from tests.factories import ServiceHallFactory, UserFactory
from tests.services.factories import ServiceFactory

_apart = itertools.count()


@dataclass
class Hall:
    hall: ServiceHall
    service: Service
    group: WindowGroup
    results: WindowGroup
    window: Window
    results_window: Window
    template: SlotTemplate

    def slot(
        self,
        *,
        starts_in: dt.timedelta = dt.timedelta(days=1),
        capacity: int = 4,
        minutes: int = 30,
        group: WindowGroup | None = None,
    ) -> Slot:
        """A slot starting ``starts_in`` from now (not bound to the working-day calendar)."""
        # Apart by a microsecond at least, so that two slots asked for at once are two slots.
        start = timezone.now() + starts_in + dt.timedelta(microseconds=next(_apart) % 1000)
        return Slot.objects.create(
            hall=self.hall,
            group=group or self.group,
            day=timezone.localdate(start),
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=minutes),
            capacity=capacity,
        )

    def clerk(self, *, at: Window | None = None) -> User:
        """A window clerk of this hall, staffing ``at`` today (the intake window by default)."""
        user = UserFactory()
        roles.grant(
            StaffAssignment(user=user, role=StaffRole.CLERK, service_hall=self.hall), by=None
        )
        WindowShift.objects.create(window=at or self.window, clerk=user)
        user.refresh_from_db()
        return user


def make_hall(**service_kwargs) -> Hall:
    hall = ServiceHallFactory()
    service = ServiceFactory(**service_kwargs)
    service.halls.add(hall)
    group = WindowGroup.objects.create(hall=hall, letter="A", name="综合受理")
    group.services.add(service)
    results = WindowGroup.objects.create(
        hall=hall, letter="C", name="统一出件", takes_results=True, order=2
    )
    window = Window.objects.create(hall=hall, number="1")
    window.groups.add(group)
    results_window = Window.objects.create(hall=hall, number="9", kind="results")
    results_window.groups.add(results)
    template = SlotTemplate.objects.create(
        hall=hall,
        starts_at=dt.time(9, 0),
        ends_at=dt.time(12, 0),
        minutes=30,
        places_per_window=2,
    )
    return Hall(hall, service, group, results, window, results_window, template)
