"""Finding the booking to check in at a hall: from its QR payload, its code, or the holder's
ID number (a clerk's look-up of an ID number is an audited read, through ``portal.desk``).
Reads only; ``services.queueing.check_in`` makes the moves.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from portal import desk, identity, realname, roles
from portal.errors import Conflict, Invalid, NotFound
from portal.models import PersonProfile, ServiceHall, StaffRole, User
from services import hallcodes
from services.models.reservations import Booking, BookingStatus

ID_NUMBER_REASON = "hall check-in by ID number"


def find_booking(
    hall: ServiceHall,
    *,
    code: str = "",
    qr: str = "",
    id_number: str = "",
    by: User | None = None,
    request: HttpRequest | None = None,
) -> Booking:
    """The booking to check in, from its QR payload, its code, or the holder's ID number (today's
    booking at this hall). A clerk's look-up by ID number is an audited read (portal.desk).

    Raises Invalid (malformed_code, bad_qr, bad_id_number), NotFound (no_booking), Conflict
    (other_hall, not_today)."""
    today = timezone.localdate()
    if qr:
        found_code = hallcodes.code_from_qr(qr)
        if found_code is None:
            raise Invalid(_("This QR code is not a booking of this portal."), code="bad_qr")
        code = found_code
    if code:
        normal = hallcodes.normalise_booking_code(code)
        if normal is None:
            raise Invalid(
                _("A booking code has %(digits)s digits: check it and try again.")
                % {"digits": hallcodes.BOOKING_CODE_DIGITS},
                code="malformed_code",
                fields={"code": [_("Enter the booking code's digits.")]},
            )
        found = Booking.objects.select_related("hall", "slot").filter(code=normal).first()
        if found is None:
            raise NotFound(_("There is no booking with this code."), code="no_booking")
    elif id_number:
        person = _person_by_id_number(id_number, by=by, request=request)
        found = (
            Booking.objects.select_related("hall", "slot")
            .filter(person=person.user, day=today, status=BookingStatus.BOOKED)
            .filter(hall=hall)
            .order_by("slot__starts_at")
            .first()
            if person is not None
            else None
        )
        if found is None:
            raise NotFound(
                _("There is no booking today at this hall for this ID number."), code="no_booking"
            )
    else:
        raise Invalid(
            _("Scan the booking's QR code, or type its code or your ID number."),
            code="nothing_to_look_up",
        )
    if found.hall_id != hall.pk:
        raise Conflict(
            _("This booking is for %(hall)s.") % {"hall": found.hall.name}, code="other_hall"
        )
    if found.day != today:
        raise Conflict(
            _("This booking is for %(day)s, not today.")
            % {"day": formats.date_format(found.day, "DATE_FORMAT")},
            code="not_today",
        )
    return found


def _person_by_id_number(
    id_number: str, *, by: User | None, request: HttpRequest | None
) -> PersonProfile | None:
    try:
        if by is not None and roles.has_role(by, StaffRole.CLERK):
            if request is not None:
                return desk.look_up(request, id_number, by=by, reason=ID_NUMBER_REASON)[0]
            return realname.find_person(id_number, by=by, reason=ID_NUMBER_REASON)
        # At the kiosk the visitor types his own number: matched by its blind index only.
        number = identity.validate_id_number(id_number)
    except ValidationError:
        raise Invalid(
            _("This is not a valid resident ID number."),
            code="bad_id_number",
            fields={"id_number": [_("This is not a valid resident ID number.")]},
        ) from None
    return (
        PersonProfile.objects.select_related("user")
        .filter(id_number_index=identity.blind_index(number))
        .first()
    )
