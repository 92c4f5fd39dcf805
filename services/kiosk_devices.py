"""Enrolled kiosks (智慧晓屋 devices) of a hall, their rate limits, the receipt's check code.

A hall's staff (a window clerk of the hall, an administrator of a department whose services the
hall offers, or a system administrator) enrols a kiosk browser from a staff page: it gets a
long-lived signed cookie (HttpOnly, SameSite=Strict) naming the hall, the hall's enrolment
generation and a random device id. It is not a session: the kiosk still holds nobody's account.
The kiosk's actions that change or reveal anything (a walk-in ticket, a check-in, a progress
look-up) refuse a browser without a valid cookie for that hall.

Revoking bumps the hall's generation (a ``NumberSequence`` row, ``kiosk-enrolment:<hall>``):
every cookie of the older generation stops working at once and each kiosk is enrolled again.

The limits (per device and per client address) are DRF's ``SimpleRateThrottle`` in the cache,
as the public verification pages' (``portal.api.throttles``), with their own settings
``KIOSK_THROTTLE_DEVICE`` and ``KIOSK_THROTTLE_ADDRESS``. They stop a script, not a busy
hall: one kiosk serves a line of visitors one after another, so the device limit (20 a minute)
stays well above a visitor every few seconds. What stops one person taking a pile of tickets
is the limit per person (ID or mobile number) and queue in ``queueing.walk_in``.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare
from rest_framework.throttling import SimpleRateThrottle

from portal import audit, roles
from portal.models import AuditAction, ServiceHall, StaffRole, User
from services.codes import next_in_sequence
from services.models.applications import Application, NumberSequence

logger = logging.getLogger(__name__)

COOKIE_NAME = "ow_kiosk"
COOKIE_SALT = "services.kiosk_devices"
CHECK_CODE_LENGTH = 6


def _generation_key(hall_id: int) -> str:
    return f"kiosk-enrolment:{hall_id}"


def generation(hall_id: int) -> int:
    """The hall's current enrolment generation (0 until first revoked)."""
    value = (
        NumberSequence.objects.filter(key=_generation_key(hall_id))
        .values_list("value", flat=True)
        .first()
    )
    return int(value or 0)


@dataclass(frozen=True)
class Device:
    hall_id: int
    generation: int
    device_id: str


def _read_cookie(request: HttpRequest) -> Device | None:
    raw = request.get_signed_cookie(
        COOKIE_NAME, default=None, salt=COOKIE_SALT, max_age=settings.KIOSK_DEVICE_MAX_AGE
    )
    if not raw:
        return None
    try:
        hall, gen, device_id = raw.split(":", 2)
        return Device(int(hall), int(gen), device_id)
    except ValueError:
        return None


def device(request: HttpRequest, hall: ServiceHall) -> Device | None:
    """The enrolled kiosk of ``hall`` this browser is, or None (no cookie, a forged or expired
    one, another hall's, or one of a revoked generation). Cached on the request."""
    cached: dict[int, Device | None] = request.__dict__.setdefault("_kiosk_devices", {})
    if hall.pk not in cached:
        found = _read_cookie(request)
        if found is not None and (
            found.hall_id != hall.pk or found.generation != generation(hall.pk)
        ):
            found = None
        cached[hall.pk] = found
    return cached[hall.pk]


def enrolled_hall_id(request: HttpRequest) -> int | None:
    """The hall whose valid kiosk cookie this browser holds, or None (for the staff page)."""
    found = _read_cookie(request)
    if found is None or found.generation != generation(found.hall_id):
        return None
    return found.hall_id


def cookie_value(hall: ServiceHall) -> str:
    """What the signed cookie holds: hall, generation, a random device id."""
    return f"{hall.pk}:{generation(hall.pk)}:{secrets.token_urlsafe(12)}"


def enrol(response: HttpResponse, hall: ServiceHall, *, by: User) -> None:
    """Make the browser that gets ``response`` a kiosk of ``hall``."""
    response.set_signed_cookie(
        COOKIE_NAME,
        cookie_value(hall),
        salt=COOKIE_SALT,
        max_age=settings.KIOSK_DEVICE_MAX_AGE,
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    logger.info("kiosk enrolled for hall %s by user %s", hall.pk, by.pk)
    audit.record(AuditAction.KIOSK_ENROLLED, actor=by, hall_id=hall.pk)


def unenrol(response: HttpResponse) -> None:
    """This browser is no kiosk any more (the others stay enrolled)."""
    response.delete_cookie(COOKIE_NAME, path="/", samesite="Strict")


def revoke_all(hall: ServiceHall, *, by: User) -> int:
    """Every kiosk of ``hall`` stops working until enrolled again; returns the new generation."""
    new = next_in_sequence(_generation_key(hall.pk))
    logger.info("kiosks of hall %s revoked by user %s (generation %s)", hall.pk, by.pk, new)
    audit.record(AuditAction.KIOSK_REVOKED, actor=by, hall_id=hall.pk, generation=new)
    return new


def halls_for(user: User) -> list[ServiceHall]:
    """The halls whose kiosks ``user`` may enrol and revoke: a clerk's own halls, the halls
    offering a service of a department he administers, every hall for a system administrator."""
    if not (user.is_authenticated and user.is_active):
        return []
    halls = ServiceHall.objects.order_by("name", "pk")
    if roles.is_system_admin(user):
        return list(halls)
    clerk_halls = {
        hall
        for role, hall in user.staff_assignments.values_list("role", "service_hall_id")
        if role == StaffRole.CLERK and hall is not None
    }
    departments = roles.department_ids(user, StaffRole.DEPARTMENT_ADMIN)
    if not clerk_halls and not departments:
        return []
    return list(
        halls.filter(Q(pk__in=clerk_halls) | Q(services__department_id__in=departments)).distinct()
    )


def may_manage(user: User, hall: ServiceHall) -> bool:
    return any(h.pk == hall.pk for h in halls_for(user))


# --- Rate limits ------------------------------------------------------------------------------


class _KioskThrottle(SimpleRateThrottle):
    setting = ""

    def get_rate(self) -> str | None:
        rate: str | None = getattr(settings, self.setting, None)
        return rate


class DeviceThrottle(_KioskThrottle):
    """Per enrolled kiosk (``KIOSK_THROTTLE_DEVICE``)."""

    scope = "kiosk_device"
    setting = "KIOSK_THROTTLE_DEVICE"

    def __init__(self, found: Device | None) -> None:
        super().__init__()
        self.found = found

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if self.found is None:
            return None
        ident = f"{self.found.hall_id}:{self.found.device_id}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AddressThrottle(_KioskThrottle):
    """Per client address (``KIOSK_THROTTLE_ADDRESS``): a hall's kiosks may share one."""

    scope = "kiosk_address"
    setting = "KIOSK_THROTTLE_ADDRESS"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def throttled(request: HttpRequest, found: Device | None) -> float | None:
    """Seconds to wait if this kiosk or this address has done too much, else None (and the
    request is counted against both)."""
    waits = []
    for throttle in (DeviceThrottle(found), AddressThrottle()):
        if throttle.rate is None:
            continue
        if not throttle.allow_request(request, None):  # type: ignore[arg-type]
            waits.append(throttle.wait() or 1)
    return max(waits) if waits else None


# --- The receipt's check code ------------------------------------------------------------------


def check_code(application: Application) -> str:
    """Six digits printed beside the acceptance number (查询码): derived from the case's random
    tracking token, so only the receipt (or the tracking link) gives it, and typed on the
    kiosk's digit keypad. Not keyed by SECRET_KEY: rotating it leaves printed codes valid."""
    digest = hashlib.sha256(f"kiosk-check:{application.tracking_token}".encode()).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**CHECK_CODE_LENGTH:0{CHECK_CODE_LENGTH}d}"


def check_code_matches(application: Application, typed: str) -> bool:
    return constant_time_compare(check_code(application), typed.strip())


__all__ = [
    "COOKIE_NAME",
    "Device",
    "check_code",
    "check_code_matches",
    "device",
    "enrol",
    "halls_for",
    "may_manage",
    "revoke_all",
    "throttled",
]
