"""Booking requests made at most once per Idempotency-Key (ADR 0012).

The key is stored with the booking, in its transaction (``services.models.BookingKey``): a key
exists exactly when the booking it made does, whatever happens to caches or processes. A
request sent again with the same key and body gets the first answer; with another body, a
Conflict. Nothing is read before booking (a retry is rare): a retry is found when its booking
is refused (the first one holds the day's place, or the person's row lock made it wait for
the first to commit) or when its key cannot be stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError
from django.utils.translation import gettext as _

from portal.db import rows
from portal.errors import Conflict, Refusal
from portal.models import User
from services import booking
from services.models.booking_keys import BookingKey
from services.models.reservations import Booking

Answer = dict[str, Any]


@dataclass(frozen=True)
class RequestKey:
    """A booking request's Idempotency-Key and the fingerprint of its body."""

    value: str
    fingerprint: str

    @classmethod
    def of(cls, value: str, body: Any) -> RequestKey:
        canonical = json.dumps(body, sort_keys=True, default=str, separators=(",", ":"))
        return cls(value, hashlib.sha256(canonical.encode()).hexdigest())


def earlier_answer(person: User, key: RequestKey) -> Answer | None:
    """The answer of the booking this key made, or None if it made none. Raises Conflict
    (idempotency_conflict) when the key came with another body."""
    found = (
        BookingKey.objects.filter(person=person, key=key.value)
        .values_list("fingerprint", "answer")
        .first()
    )
    if found is None:
        return None
    if found[0] != key.fingerprint:
        raise Conflict(
            _("This Idempotency-Key was used for another booking."),
            code="idempotency_conflict",
        )
    return found[1]


def book_once(
    *, person: User, key: RequestKey, answer: Callable[[Booking], Answer], **details: Any
) -> tuple[Answer, bool]:
    """``booking.book(person=person, **details)`` unless the key already booked: returns the
    answer (``answer(booking)``, stored with the key) and whether the booking is new."""
    done = _once(
        person,
        key,
        answer,
        lambda remember: booking.book(person=person, remember=remember, **details),
    )
    assert done is not None
    return done


def book_usual_once(
    *,
    person: User,
    key: RequestKey,
    answer: Callable[[Booking], Answer],
    slot_id: int,
    service_code: str,
) -> tuple[Answer, bool] | None:
    """``book_once`` of the usual request (``booking.book_usual``): None, having changed
    nothing, if there is no such slot or service."""
    return _once(
        person,
        key,
        answer,
        lambda remember: booking.book_usual(
            person=person, slot_id=slot_id, service_code=service_code, remember=remember
        ),
    )


def _once(
    person: User,
    key: RequestKey,
    answer: Callable[[Booking], Answer],
    book: Callable[[Callable[[Booking], None]], Booking | None],
) -> tuple[Answer, bool] | None:
    made: list[Answer] = []

    def remember(new: Booking) -> None:
        made.append(answer(new))
        rows.insert(
            [
                BookingKey(
                    person=person,
                    key=key.value,
                    fingerprint=key.fingerprint,
                    booking=new,
                    answer=made[-1],
                )
            ]
        )

    try:
        if book(remember) is None:
            return None
    except (Refusal, IntegrityError):
        # Refused, or the key stored meanwhile by another request: the booking was rolled
        # back. If the key booked before, that is the answer; otherwise the refusal stands.
        earlier = earlier_answer(person, key)
        if earlier is None:
            raise
        return earlier, False
    return made[-1], True
