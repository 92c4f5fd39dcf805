"""Reservation benchmarks (issue 12): booking a slot and reading the slots through the API.

* ``book`` (``python -m bench --only book``): the signed-in bench citizen books a slot through
  ``POST /api/v1/bookings/`` with a new ``Idempotency-Key`` each request. The bench hall has 200
  slots a day (four queues, 08:00 to 16:20 every 10 minutes) on every working day of the
  booking window, and 200 bench services, 50 a queue; each request of a run books another
  (service, day), so the one-a-day rule never refuses, and every booking of the bench citizen
  is cancelled (through ``services.booking.cancel``) before each run, so places remain.
  Compared with the insert floor.
* ``slots``: ``GET /api/v1/slots/?hall=…&service=…&day=…``, the 200 slots of the next working
  day for one service (a public read; its p95 is in the JSON results).

The bench settings raise BOOKING_MAX_LIVE (portal/settings/bench.py): the rule is still checked
on every request but never trips, as the sign-in rate limit is kept and never trips.
"""

from __future__ import annotations

import datetime as dt
import json
import os

from bench.config import RESULTS_DIR
from bench.spec import Endpoint

# A fixed id, so that the endpoints' paths can name the hall before the database exists.
BENCH_HALL_ID = 990001
BENCH_HALL_NAME = "基准测试预约大厅"
QUEUES = "ABCD"
PER_QUEUE = 50  # services a queue, and its slots a day (08:00 to 16:20, every 10 minutes)
SERVICES = len(QUEUES) * PER_QUEUE
SERVICE_CODE = "BENCH-BOOK-{:03d}"
SLOT_MINUTES = 10
PAIRS_FILE = RESULTS_DIR / "book_pairs.txt"
# Read by bench/lua/book*.lua.
PAIRS_ENV = "BENCH_BOOK_PAIRS"
SLOTS_PATH_ENV = "BENCH_SLOTS_PATH"

_prepared = False


def _ensure_hall() -> None:
    """The bench hall, its queue and window, 200 services, the template and the slots."""
    from bench.certificates import BENCH_ISSUER_CODE, ensure_bench_certificate
    from portal.models import Department, ServiceCategory, ServiceHall
    from services import slots
    from services.models import Service
    from services.models.reservations import SlotTemplate, Window, WindowGroup

    ensure_bench_certificate()  # makes the bench department
    department = Department.objects.get(code=BENCH_ISSUER_CODE)
    hall, _ = ServiceHall.objects.update_or_create(
        pk=BENCH_HALL_ID, defaults={"name": BENCH_HALL_NAME, "address": "广州市"}
    )
    categories = []
    for number, letter in enumerate(QUEUES):
        category, _ = ServiceCategory.objects.get_or_create(
            code=f"bench-booking-{letter.lower()}", defaults={"name": f"基准测试预约{letter}"}
        )
        group, _ = WindowGroup.objects.get_or_create(
            hall=hall, letter=letter, defaults={"name": f"基准{letter}", "order": number}
        )
        group.categories.add(category)
        window, _ = Window.objects.get_or_create(hall=hall, number=str(number + 1))
        window.groups.add(group)
        categories.append(category)
    SlotTemplate.objects.get_or_create(
        hall=hall,
        starts_at=dt.time(8, 0),
        ends_at=dt.time(16, 20),
        defaults={"minutes": SLOT_MINUTES, "places_per_window": 2},
    )
    existing = set(
        Service.objects.filter(code__startswith="BENCH-BOOK-").values_list("code", flat=True)
    )
    for n in range(SERVICES):
        code = SERVICE_CODE.format(n)
        if code in existing:
            continue
        service = Service.objects.create(
            code=code,
            name=f"基准预约事项{n:03d}",
            department=department,
            category=categories[n // PER_QUEUE],
            statutory_limit_days=20,
            promised_limit_days=5,
        )
        service.halls.add(hall)
    slots.generate_ahead()


def _write_pairs() -> tuple[int, str]:
    """One request body per (service, day): service n of queue g books slot n of g's day.
    Returns how many, and the slots path of the next working day."""
    from django.utils import timezone

    from services.models.reservations import Slot

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    rows = list(
        Slot.objects.filter(hall_id=BENCH_HALL_ID, day__gte=tomorrow)
        .order_by("day", "group__letter", "starts_at")
        .values_list("pk", "day", "group__letter")
    )
    by_day: dict[dt.date, dict[str, list[int]]] = {}
    for pk, day, letter in rows:
        by_day.setdefault(day, {}).setdefault(letter, []).append(pk)
    lines = [
        json.dumps({"slot": slots[n], "service": SERVICE_CODE.format(g * PER_QUEUE + n)})
        for n in range(PER_QUEUE)
        for g, letter in enumerate(QUEUES)
        for queues in by_day.values()
        if n < len(slots := queues.get(letter, []))
    ]
    PAIRS_FILE.parent.mkdir(parents=True, exist_ok=True)
    PAIRS_FILE.write_text("\n".join(lines) + "\n")
    first_day = min(by_day) if by_day else tomorrow
    path = f"/api/v1/slots/?hall={BENCH_HALL_ID}&service={SERVICE_CODE.format(0)}&day={first_day}"
    return len(lines), path


def cancel_bench_bookings() -> int:
    """Cancel every live booking of the bench citizen at the bench hall, through the domain, so
    that each run finds its places and (service, day) pairs free. Returns how many."""
    from bench.accounts import BENCH_EMAIL
    from portal.models import User
    from services import booking
    from services.models.reservations import Booking, BookingStatus

    citizen = User.objects.filter(email=BENCH_EMAIL).first()
    if citizen is None:
        return 0
    live = Booking.objects.filter(
        person=citizen, hall_id=BENCH_HALL_ID, status=BookingStatus.BOOKED
    ).order_by("pk")
    cancelled = 0
    for made in live:
        booking.cancel(made, by=citizen)
        cancelled += 1
    return cancelled


def prepare() -> dict[str, str]:
    """Before each run (and the preflight) of a reservation endpoint: the hall once, then free
    places. Returns the template values of the preflight's body (bench/client.py)."""
    global _prepared
    if not _prepared:
        _ensure_hall()
        count, path = _write_pairs()
        os.environ[PAIRS_ENV] = str(PAIRS_FILE)
        os.environ[SLOTS_PATH_ENV] = path
        _prepared = True
        print(f"  bench hall: {count} (service, day) pairs to book", flush=True)
    cancel_bench_bookings()
    first = json.loads(PAIRS_FILE.read_text().splitlines()[0])
    return {"book_slot": str(first["slot"]), "book_service": first["service"]}


BOOK_ENDPOINT = Endpoint(
    "book",
    "/api/v1/bookings/",
    method="POST",
    # The preflight's body; wrk's script sends another pair with every request.
    body='{{"slot": {book_slot}, "service": "{book_service}"}}',
    headers={
        "Content-Type": "application/json",
        "Cookie": "csrftoken={csrf_cookie}",
        "X-CSRFToken": "{csrf_token}",
        "Idempotency-Key": "bench-preflight-{session_cookie}",
    },
    floor="insert",
    needs_login=True,
    expect_status=201,
    script="book.lua",
    prepare=prepare,
)

SLOTS_ENDPOINT = Endpoint(
    "slots",
    f"/api/v1/slots/?hall={BENCH_HALL_ID}&service={SERVICE_CODE.format(0)}",
    floor="ping",
    script="book_slots.lua",
    prepare=prepare,
)

RESERVATION_ENDPOINTS = [BOOK_ENDPOINT, SLOTS_ENDPOINT]
