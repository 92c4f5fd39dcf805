"""Demo of the hall: queues and windows at the main hall, two weeks of slots, the next working
day partly booked, the demo citizen's booking, and today's queue with waiting and called
tickets. Safe to load twice (it adds nothing the second time on the same day)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from portal import roles
from portal.errors import Refusal
from portal.models import (
    Department,
    ServiceCategory,
    ServiceHall,
    StaffAssignment,
    StaffRole,
    User,
)
from services import booking, booking_rules, calendar, queueing, slots
from services.models import Service
from services.models.reservations import (
    Booking,
    Slot,
    SlotTemplate,
    Ticket,
    Window,
    WindowGroup,
    WindowKind,
    WindowShift,
)

MAIN_HALL = "广州市政务服务中心"
MARKET = ("business-registration", "food-licensing")
CITIZEN_SERVICE = "44010090001C0004"  # 居民身份证换领
VISITOR_SERVICES = ["44010090001C0004", "44010090003P0002", "44010090002C0001", "44010090005L0002"]
VISITORS = 12


def _queues(hall: ServiceHall) -> dict[str, WindowGroup]:
    general, _ = WindowGroup.objects.get_or_create(
        hall=hall,
        letter="A",
        defaults={"name": "综合受理", "name_en": "General intake", "order": 1},
    )
    market, _ = WindowGroup.objects.get_or_create(
        hall=hall,
        letter="B",
        defaults={"name": "市场监管", "name_en": "Market regulation", "order": 2},
    )
    results, _ = WindowGroup.objects.get_or_create(
        hall=hall,
        letter="C",
        defaults={
            "name": "统一出件",
            "name_en": "Results",
            "order": 3,
            "takes_results": True,
        },
    )
    general.categories.set(ServiceCategory.objects.exclude(code__in=MARKET))
    market.categories.set(ServiceCategory.objects.filter(code__in=MARKET))
    return {"A": general, "B": market, "C": results}


def _windows(hall: ServiceHall, queues: dict[str, WindowGroup]) -> dict[str, Window]:
    market_department = Department.objects.filter(name="广州市市场监督管理局").first()
    rows = [
        ("1", WindowKind.GENERAL, None, "A"),
        ("2", WindowKind.GENERAL, None, "A"),
        ("3", WindowKind.GENERAL, None, "A"),
        ("4", WindowKind.DEPARTMENT, market_department, "B"),
        ("5", WindowKind.RESULTS, None, "C"),
    ]
    windows = {}
    for number, kind, department, letter in rows:
        if kind == WindowKind.DEPARTMENT and department is None:
            kind = WindowKind.GENERAL
        window, _ = Window.objects.get_or_create(
            hall=hall, number=number, defaults={"kind": kind, "department": department}
        )
        window.groups.add(queues[letter])
        windows[number] = window
    return windows


def _person(email: str, name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None)
        user.set_unusable_password()
        user.save()
    return user


def _clerk(email: str, hall: ServiceHall) -> User:
    user = _person(email, "")
    if not StaffAssignment.objects.filter(
        user=user, role=StaffRole.CLERK, service_hall=hall
    ).exists():
        roles.grant(StaffAssignment(user=user, role=StaffRole.CLERK, service_hall=hall), by=None)
    return user


def _next_working_day(today: dt.date) -> dt.date:
    return calendar.add_working_days(today, 1).due


def _slot_at(
    hall: ServiceHall, group: WindowGroup, day: dt.date, hour: int, minute: int
) -> Slot | None:
    tz = timezone.get_current_timezone()
    return Slot.objects.filter(
        hall=hall, group=group, starts_at=dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)
    ).first()


def _book(person: User, slot: Slot | None, code: str) -> bool:
    service = Service.objects.filter(code=code).first()
    if slot is None or service is None:
        return False
    if Booking.objects.filter(person=person, status="booked").exists():
        return False
    try:
        booking.book(person=person, slot=slot, service=service)
    except Refusal:
        return False
    return True


def _queue_today(
    hall: ServiceHall,
    queues: dict[str, WindowGroup],
    windows: dict[str, Window],
    clerks: list[User],
) -> int:
    """Walk-ins since the morning: some served, one called at window 2 and one at window 4,
    the rest waiting. Timestamps spread over the last hour so the wait estimate reads true."""
    if Ticket.objects.filter(hall=hall, day=timezone.localdate()).exists():
        return 0
    general_clerk, market_clerk = clerks
    for window, clerk in ((windows["2"], general_clerk), (windows["4"], market_clerk)):
        WindowShift.objects.get_or_create(window=window, clerk=clerk, day=timezone.localdate())
    general_service = Service.objects.filter(code=CITIZEN_SERVICE).first()
    made: list[Ticket] = []
    for _n in range(8):
        made.append(queueing.walk_in(hall, service=general_service, group=queues["A"]))
    for _n in range(3):
        made.append(queueing.walk_in(hall, group=queues["B"]))
    for _n in range(2):
        made.append(queueing.walk_in(hall, group=queues["C"]))
    now = timezone.now()
    for n, ticket in enumerate(made):
        Ticket.objects.filter(pk=ticket.pk).update(issued_at=now - dt.timedelta(minutes=70 - 5 * n))
    # Served: three of A at window 2, one of B at window 4, seven minutes each.
    served = 0
    for window, clerk, count in ((windows["2"], general_clerk, 3), (windows["4"], market_clerk, 1)):
        for _n in range(count):
            ticket = queueing.call_next(window, by=clerk)
            queueing.finish(ticket, by=clerk)
            started = now - dt.timedelta(minutes=50 - 8 * served)
            Ticket.objects.filter(pk=ticket.pk).update(
                called_at=started, finished_at=started + dt.timedelta(minutes=7)
            )
            served += 1
        queueing.call_next(window, by=clerk)
    return len(made)


@transaction.atomic
def load() -> str:
    hall = ServiceHall.objects.filter(name=MAIN_HALL).order_by("pk").first()
    citizen = User.objects.filter(email="citizen@demo.onewindow").first()
    if hall is None or citizen is None:
        return "no main hall or demo citizen: no hall demo"
    queues = _queues(hall)
    windows = _windows(hall, queues)
    for start, end in ((dt.time(9, 0), dt.time(12, 0)), (dt.time(13, 0), dt.time(17, 0))):
        SlotTemplate.objects.get_or_create(
            hall=hall,
            starts_at=start,
            ends_at=end,
            defaults={"minutes": 30, "places_per_window": 2},
        )
    today = timezone.localdate()
    made = slots.generate_slots(
        hall, first=today, last=today + dt.timedelta(days=booking_rules.rules().days_ahead)
    )
    day = _next_working_day(today)
    booked = 0
    for n in range(VISITORS):
        visitor = _person(f"visitor{n + 1}@demo.onewindow", "")
        letter = "B" if VISITOR_SERVICES[n % 4].startswith("44010090005") else "A"
        slot = _slot_at(hall, queues[letter], day, 9 + n // 4, 30 * (n % 2))
        booked += _book(visitor, slot, VISITOR_SERVICES[n % 4])
    mine = _book(citizen, _slot_at(hall, queues["A"], day, 10, 0), CITIZEN_SERVICE)
    clerks = [_clerk("clerk2@demo.onewindow", hall), _clerk("clerk3@demo.onewindow", hall)]
    tickets = _queue_today(hall, queues, windows, clerks)
    return (
        f"hall {hall.name}: {len(windows)} windows, {made} new slots, {booked + mine} new bookings "
        f"on {day} (the demo citizen's at 10:00), {tickets} tickets today; no kiosk is "
        f"enrolled: in the kiosk's browser sign in as clerk@demo.onewindow, open "
        f"/staff/hall/kiosks/ and enrol it, then /kiosk/{hall.pk}/ works"
    )
