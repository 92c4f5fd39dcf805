"""The numbers of the hall: booking codes, the booking QR payload and queue ticket numbers.

Kept beside ``services.codes`` (which mints the case numbers) and built on its sequence.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.core import signing
from django.db import connection

from services.models.applications import NumberSequence

BOOKING_CODE_DIGITS = 10
# Digits only: the kiosk offers a number pad, and a code read out over the phone stays clear.
BOOKING_CODE_PATTERN = re.compile(rf"^\d{{{BOOKING_CODE_DIGITS}}}$")
QR_PREFIX = "OWBK:"
_QR_SALT = "services.booking.qr"


def booking_code() -> str:
    """Ten random digits: too many to guess one of the day's codes at a kiosk; unique (a
    database constraint, retried by the caller on collision)."""
    return f"{secrets.randbelow(10**BOOKING_CODE_DIGITS):0{BOOKING_CODE_DIGITS}d}"


def normalise_booking_code(text: str) -> str | None:
    """The code typed with spaces or dashes removed, or None if it cannot be a booking code."""
    code = re.sub(r"[\s-]", "", text or "")
    return code if BOOKING_CODE_PATTERN.match(code) else None


def qr_payload(code: str) -> str:
    """What the booking's QR code holds: the code, signed, so that a made-up QR is refused
    without a database look-up."""
    return QR_PREFIX + signing.Signer(salt=_QR_SALT).sign(code)


def code_from_qr(payload: str) -> str | None:
    """The booking code of a genuine QR payload, or None."""
    payload = (payload or "").strip()
    if not payload.startswith(QR_PREFIX):
        return None
    try:
        code = signing.Signer(salt=_QR_SALT).unsign(payload[len(QR_PREFIX) :])
    except signing.BadSignature:
        return None
    return normalise_booking_code(code)


def _next(key: str) -> int:
    """One more than the last number under ``key``, in one statement (safe under concurrency).

    Not ``services.codes.next_in_sequence``: that one binds the quoted column name instead of
    the key, so every key shares one counter (reported to its owner)."""
    table = connection.ops.quote_name(NumberSequence._meta.db_table)
    column = connection.ops.quote_name("key")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({column}, value) VALUES (%s, 1) "  # noqa: S608 (our table)
            f"ON CONFLICT ({column}) DO UPDATE SET value = {table}.value + 1 RETURNING value",
            [key],
        )
        return int(cursor.fetchone()[0])


def ticket_number(group_id: int, letter: str, day: dt.date) -> tuple[int, str]:
    """(serial, number) of the next ticket of a queue on a day: A001, A002 … (daily)."""
    serial = _next(f"ticket:{group_id}:{day.isoformat()}")
    return serial, f"{letter}{serial:03d}"
