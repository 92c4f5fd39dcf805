"""What a booking's holder is told, and when (sent by tasks through portal.notifications)."""

from __future__ import annotations

import datetime as dt

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_noop as _

from portal import notifications
from portal.models import Notification
from services.models.reservations import Booking, BookingBlock, BookingStatus, ReservationEvent

TELL_HOLDER = frozenset({"book", "cancel", "move", "close", "remind", "miss"})

TEXTS = {
    "book": (
        _("Booking confirmed"),
        _("%(title)s at %(hall)s, %(when)s. Booking code %(code)s: show it at the hall."),
    ),
    "cancel": (
        _("Booking cancelled"),
        _("Your booking %(code)s (%(title)s, %(when)s) is cancelled."),
    ),
    "move": (
        _("Booking moved"),
        _("%(title)s at %(hall)s is now at %(when)s. Booking code %(code)s."),
    ),
    "close": (
        _("The hall cancelled your booking"),
        _(
            "%(hall)s is closed at %(when)s (%(reason)s): your booking %(code)s for %(title)s is "
            "cancelled. Please book another time."
        ),
    ),
    "remind": (
        _("Your visit tomorrow"),
        _("Tomorrow %(when)s: %(title)s at %(hall)s, %(address)s. Booking code %(code)s."),
    ),
    "miss": (
        _("Booking missed"),
        _("Nobody checked in for booking %(code)s (%(title)s, %(when)s)."),
    ),
}


def _link() -> str:
    # The hall helper names the citizen's booking list; until it exists there is no link.
    try:
        return reverse("services:my_bookings")
    except NoReverseMatch:
        return ""


def tell_holder(booking_id: int, action: str, event_id: int | None = None) -> bool:
    """Notify the booking's holder of one change (the latest of that action, or ``event_id``)
    in-app, by SMS and e-mail; once per change."""
    booking = (
        Booking.objects.select_related("slot", "hall", "service", "bundle", "person")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None or action not in TELL_HOLDER:
        return False
    events = booking.events.filter(action=action, ticket__isnull=True)
    if event_id is not None:
        events = events.filter(pk=event_id)
    event = events.order_by("-id").values_list("pk", flat=True).first()
    key = f"booking:{booking.pk}:{action}:{event or booking.reminded_at or ''}"
    title, body = TEXTS[action]
    subject = booking.service or booking.bundle
    when = f"{timezone.localtime(booking.slot.starts_at):%Y-%m-%d %H:%M}"
    sent = notifications.notify(
        booking.person,
        key=key,
        title=title,
        body=body,
        params={
            "title": subject.name if subject is not None else "",
            "hall": booking.hall.name,
            "address": booking.hall.address,
            "when": when,
            "code": booking.code,
            "reason": booking.slot.closed_reason,
        },
        link=_link(),
        by_sms=action in ("book", "move", "close", "remind"),
        by_email=True,
    )
    return sent is not None


def tell_blocked(block_id: int) -> bool:
    """Tell the person that online booking is blocked, and until when."""
    block = BookingBlock.objects.select_related("person").filter(pk=block_id).first()
    if block is None:
        return False
    sent = notifications.notify(
        block.person,
        key=f"booking-block:{block.pk}",
        title=_("Online booking paused"),
        body=_(
            "You missed several booked visits, so you cannot book online until %(until)s. "
            "You can still take a ticket in the hall."
        ),
        params={"until": f"{timezone.localtime(block.until):%Y-%m-%d %H:%M}"},
        link=_link(),
        by_sms=True,
    )
    return sent is not None


def untold(since: dt.datetime, limit: int = 5000) -> list[tuple[int, str, int]]:
    """(booking, action, event) of recent changes whose notice was never sent (its task was
    lost with the broker). Reminders are not here: their sweep is their own periodic task."""
    events = list(
        ReservationEvent.objects.filter(
            at__gte=since, ticket__isnull=True, action__in=TELL_HOLDER - {"remind"}
        )
        .order_by("id")
        .values_list("booking_id", "action", "pk")[:limit]
    )
    keys = {f"booking:{booking}:{action}:{event}" for booking, action, event in events}
    sent = set(Notification.objects.filter(key__in=keys).values_list("key", flat=True))
    return [e for e in events if f"booking:{e[0]}:{e[1]}:{e[2]}" not in sent]


def tell_untold(since: dt.datetime) -> int:
    """Send every notice ``untold`` finds; returns how many were sent."""
    return sum(tell_holder(booking, action, event) for booking, action, event in untold(since))


# --- Reminders, the day before ----------------------------------------------------------------


def due_reminders(day: dt.date) -> list[int]:
    """Ids of the day's bookings not reminded yet."""
    return list(
        Booking.objects.filter(day=day, status=BookingStatus.BOOKED, reminded_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def remind(booking_id: int) -> bool:
    """Send one booking's reminder once (the conditional update claims it)."""
    claimed = Booking.objects.filter(
        pk=booking_id, status=BookingStatus.BOOKED, reminded_at__isnull=True
    ).update(reminded_at=timezone.now())
    if not claimed:
        return False
    tell_holder(booking_id, "remind")
    return True


def remind_tomorrow(today: dt.date | None = None) -> int:
    """The reminders of tomorrow's bookings, the day before; returns how many were sent."""
    today = today or timezone.localdate()
    return sum(remind(pk) for pk in due_reminders(today + dt.timedelta(days=1)))
