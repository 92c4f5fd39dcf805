"""The hall's self-service kiosk (政务智慧晓屋): check a booking in, take a walk-in ticket, look
up an application's progress, verify a certificate.

Touch-first; it keeps no citizen's session (no sign-in, nothing remembered between visitors)
and shows nothing personal beyond a masked name. Only an enrolled kiosk of the hall
(``services.kiosk_devices``: a signed device cookie staff set) takes tickets, checks bookings
in and looks progress up; any other browser gets a 403 page saying so. Those actions, and the
certificate check (public, as /verify/ is), are rate-limited per kiosk and per address (429).
A progress look-up needs the receipt's QR code (its random tracking token) or the acceptance
number with the check code printed beside it. kiosk.js returns it to the start
screen after a minute without a touch; a meta refresh does so without JS. A certificate is
checked here, in the kiosk's own page, with its reads bounded by a statement timeout.
"""

from __future__ import annotations

import logging
import math
import re
from typing import Any
from urllib.parse import urlsplit

from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, resolve
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from certificates import identifiers, sharing, verification
from certificates.verification import Result
from portal import identity
from portal.errors import Refusal
from portal.models import PersonProfile, ServiceHall
from services import deadlines, kiosk_devices, queueing
from services.codes import ACCEPTANCE_PREFIX
from services.forms.booking import KioskCodeForm, KioskHolderForm, VerifyScanForm
from services.models.applications import Application, ApplicationStatus
from services.models.reservations import Ticket, WindowGroup

logger = logging.getLogger(__name__)

IDLE_SECONDS = 60
VERIFY_VIEWS = {"certificates:verify", "certificates:verify_identifier"}
# Seconds any one database read of a certificate check may take before the kiosk says so.
CHECK_TIMEOUT = 5


def _hall(pk: int) -> ServiceHall:
    return get_object_or_404(ServiceHall, pk=pk)


def _too_many(request: HttpRequest, hall: ServiceHall, wait: float) -> HttpResponse:
    seconds = max(1, math.ceil(wait))
    response = _page(request, hall, "too_many.html", status=429, wait=seconds)
    response["Retry-After"] = str(seconds)
    return response


def _enrolled(request: HttpRequest, pk: int) -> tuple[ServiceHall, HttpResponse | None]:
    """The hall and None if this browser is an enrolled kiosk of it (a POST counted against
    the limits), else the 403 or 429 page to answer with."""
    hall = _hall(pk)
    found = kiosk_devices.device(request, hall)
    if found is None:
        return hall, _page(request, hall, "refused.html", status=403)
    if request.method == "POST" and (wait := kiosk_devices.throttled(request, found)):
        return hall, _too_many(request, hall, wait)
    return hall, None


def _page(
    request: HttpRequest, hall: ServiceHall, template: str, status: int = 200, **context: Any
) -> HttpResponse:
    return render(
        request,
        f"services/kiosk/{template}",
        {
            "hall": hall,
            "idle_seconds": IDLE_SECONDS,
            "per_holder": queueing.live_tickets_per_holder(),
            **context,
        },
        status=status,
    )


def _ticket_screen(request: HttpRequest, hall: ServiceHall, ticket: Ticket) -> HttpResponse:
    profile = (
        PersonProfile.objects.filter(user_id=ticket.person_id).only("legal_name").first()
        if ticket.person_id
        else None
    )
    ahead = Ticket.objects.filter(
        group=ticket.group, day=ticket.day, status="waiting", issued_at__lt=ticket.issued_at
    )
    if ticket.priority:
        ahead = ahead.filter(priority=True)
    return _page(
        request,
        hall,
        "ticket.html",
        ticket=ticket,
        masked_name=identity.mask_name(profile.legal_name) if profile else "",
        ahead=ahead.count(),
    )


def _acceptance_number(typed: str) -> str:
    """SL20261207-0012-00031 from what was typed: the keypad has digits only."""
    digits = re.sub(r"\D", "", typed)
    if len(digits) == 17:
        return f"{ACCEPTANCE_PREFIX}{digits[:8]}-{digits[8:12]}-{digits[12:]}"
    return typed.strip().upper()


@never_cache
def start(request: HttpRequest, pk: int) -> HttpResponse:
    hall, refused = _enrolled(request, pk)
    return refused or _page(request, hall, "start.html")


@never_cache
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """The booking's QR code (the scanner types it in) or its code typed on the keypad."""
    hall, refused = _enrolled(request, pk)
    if refused:
        return refused
    form = KioskCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        typed = form.cleaned_data["code"].strip()
        is_qr = typed.upper().startswith("OWBK:")
        try:
            ticket = queueing.check_in(
                hall, code="" if is_qr else typed, qr=typed if is_qr else "", by=None
            )
        except Refusal as exc:
            return _page(
                request,
                hall,
                "check_in.html",
                status=exc.status,
                form=KioskCodeForm(),
                refusal=exc.message,
            )
        return _ticket_screen(request, hall, ticket)
    return _page(request, hall, "check_in.html", status=400 if form.is_bound else 200, form=form)


@never_cache
@require_http_methods(["GET", "POST"])
def walk_in(request: HttpRequest, pk: int) -> HttpResponse:
    """A ticket without a booking: the visitor types his ID or mobile number (the card reader
    types the ID number) and chooses the queue by what he came for. The number limits one
    person's live tickets per queue (``queueing.walk_in``); it is kept only as a keyed hash."""
    hall, refused = _enrolled(request, pk)
    if refused:
        return refused
    groups = list(
        WindowGroup.objects.filter(hall=hall, windows__is_open=True)
        .distinct()
        .order_by("order", "letter")
    )
    form = KioskHolderForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        chosen = request.POST.get("group", "").strip()
        group = next((g for g in groups if str(g.pk) == chosen), None)
        if not chosen and form.is_valid():
            # The card reader (or the Enter key) sent the number alone: now the queue.
            return _page(request, hall, "walk_in.html", groups=groups, form=form, choose_queue=True)
        if group is None or not form.is_valid():
            return _page(request, hall, "walk_in.html", status=400, groups=groups, form=form)
        try:
            ticket = queueing.walk_in(
                hall, group=group, holder=form.cleaned_data["holder"], by=None
            )
        except Refusal as exc:
            return _page(
                request,
                hall,
                "walk_in.html",
                status=exc.status,
                groups=groups,
                form=KioskHolderForm(),
                refusal=exc.message,
            )
        return _ticket_screen(request, hall, ticket)
    return _page(request, hall, "walk_in.html", groups=groups, form=form)


def _scanned_token(typed: str) -> str | None:
    """The tracking token of a scanned receipt QR code (…/track/<token>/), else None."""
    match = re.search(r"/track/([A-Za-z0-9_-]{16,32})/?\s*$", typed.strip())
    return match.group(1) if match else None


def _progress_form(
    request: HttpRequest, hall: ServiceHall, status: int, **context: Any
) -> HttpResponse:
    return _page(request, hall, "progress.html", status=status, **context)


@never_cache
@require_http_methods(["GET", "POST"])
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """办件进度查询: the receipt's QR code (its tracking token), or the acceptance number with
    the check code printed beside it. The public tracking page's facts, nothing personal; a
    number alone, or with a wrong code, finds nothing (the same 404 as an unknown number)."""
    hall, refused = _enrolled(request, pk)
    if refused:
        return refused
    if request.method != "POST":
        return _progress_form(request, hall, 200)
    typed = request.POST.get("number", "")[:200]
    code = re.sub(r"\D", "", request.POST.get("check", ""))[:12]
    cases = Application.objects.select_related("service", "bundle").exclude(
        status=ApplicationStatus.DRAFT
    )
    token = _scanned_token(typed)
    if token is not None:
        application = cases.filter(tracking_token=token).first()
    elif not typed.strip():
        return _progress_form(request, hall, 400, missing_number=True)
    elif not code:
        return _progress_form(request, hall, 400, missing_code=True, number=typed.strip())
    else:
        application = cases.filter(acceptance_number=_acceptance_number(typed)).first()
        if application is not None and not kiosk_devices.check_code_matches(application, code):
            application = None
    if application is None:
        return _progress_form(request, hall, 404, not_found=True)
    left = deadlines.remaining([application]).get(application.pk)
    return _page(
        request,
        hall,
        "progress.html",
        application=application,
        left=left,
        days_overdue=-left.days if left is not None and left.days < 0 else 0,
    )


def _checked(path: str) -> tuple[Result | None, str] | None:
    """The verification of what a certificate's QR code points at (a share link or a printed
    certificate's identifier), made here rather than by sending the kiosk to the public page,
    which has no way back to the start screen. None for an address that is not one. Each read
    is bounded by ``CHECK_TIMEOUT`` (PostgreSQL)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name not in VERIFY_VIEWS:
        return None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # SET cannot take a bound parameter; the value is ours, not the visitor's.
                cursor.execute(f"SET LOCAL statement_timeout = {int(CHECK_TIMEOUT * 1000)}")
        if match.view_name == "certificates:verify":
            return sharing.open_token(match.kwargs["token"]), ""
        try:
            return verification.verify_identifier(match.kwargs["identifier"]), ""
        except identifiers.InvalidIdentifier as exc:
            return None, exc.messages[0]


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    """A certificate's QR code under the scanner: its verification, on the kiosk's screen.
    Public, as /verify/ is, but limited per address (and per kiosk, when enrolled)."""
    hall = _hall(pk)
    if request.method == "POST" and (
        wait := kiosk_devices.throttled(request, kiosk_devices.device(request, hall))
    ):
        return _too_many(request, hall, wait)
    form = VerifyScanForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        path = urlsplit(form.cleaned_data["scanned"].strip()).path
        try:
            checked = _checked(path)
        except DatabaseError:  # a statement past the timeout, or the database away
            logger.warning("kiosk certificate check failed", exc_info=True)
            return _page(
                request, hall, "verify.html", status=503, form=VerifyScanForm(), unavailable=True
            )
        if checked is None:
            return _page(
                request, hall, "verify.html", status=400, form=VerifyScanForm(), unknown=True
            )
        result, invalid = checked
        return _page(
            request,
            hall,
            "verify.html",
            status=400 if invalid else 200,
            result=result,
            rows=sharing.shown(result) if result is not None else [],
            invalid=invalid,
        )
    return _page(request, hall, "verify.html", status=400 if form.is_bound else 200, form=form)
