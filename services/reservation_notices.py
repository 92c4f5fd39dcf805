"""What a booking's holder is told, and when (sent by tasks through portal.notifications)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_noop as _

from portal import notifications
from services.models.reservations import Booking, BookingBlock

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


def tell_holder(booking_id: int, action: str) -> bool:
    """Notify the booking's holder of one change (in-app, SMS, e-mail); once per change."""
    booking = (
        Booking.objects.select_related("slot", "hall", "service", "bundle", "person")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None or action not in TELL_HOLDER:
        return False
    event = (
        booking.events.filter(action=action).order_by("-id").values_list("pk", flat=True).first()
    )
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
