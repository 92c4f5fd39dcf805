"""The hall's self-service kiosk (政务智慧晓屋): check a booking in, take a walk-in ticket, look
up an application's progress, verify a certificate.

Public and touch-first; it keeps no citizen's session (no sign-in, nothing remembered between
visitors) and shows nothing personal beyond a masked name. kiosk.js returns it to the start
screen after a minute without a touch; a meta refresh does so without JS. A certificate is
checked here, in the kiosk's own page, with its reads bounded by a statement timeout.
"""

from __future__ import annotations

import logging
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
from services import deadlines, queueing
from services.codes import ACCEPTANCE_PREFIX
from services.forms.booking import AcceptanceNumberForm, KioskCodeForm, VerifyScanForm
from services.models.applications import Application, ApplicationStatus
from services.models.reservations import Ticket, WindowGroup

logger = logging.getLogger(__name__)

IDLE_SECONDS = 60
VERIFY_VIEWS = {"certificates:verify", "certificates:verify_identifier"}
# Seconds any one database read of a certificate check may take before the kiosk says so.
CHECK_TIMEOUT = 5


def _hall(pk: int) -> ServiceHall:
    return get_object_or_404(ServiceHall, pk=pk)


def _page(
    request: HttpRequest, hall: ServiceHall, template: str, status: int = 200, **context: Any
) -> HttpResponse:
    return render(
        request,
        f"services/kiosk/{template}",
        {"hall": hall, "idle_seconds": IDLE_SECONDS, **context},
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
    return _page(request, _hall(pk), "start.html")


@never_cache
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """The booking's QR code (the scanner types it in) or its code typed on the keypad."""
    hall = _hall(pk)
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
    """A ticket without a booking: the visitor chooses the queue by what he came for."""
    hall = _hall(pk)
    groups = list(
        WindowGroup.objects.filter(hall=hall, windows__is_open=True)
        .distinct()
        .order_by("order", "letter")
    )
    if request.method == "POST":
        chosen = request.POST.get("group", "").strip()
        group = next((g for g in groups if str(g.pk) == chosen), None)
        if group is None:
            return _page(request, hall, "walk_in.html", status=400, groups=groups)
        try:
            ticket = queueing.walk_in(hall, group=group, by=None)
        except Refusal as exc:
            return _page(
                request, hall, "walk_in.html", status=exc.status, groups=groups, refusal=exc.message
            )
        return _ticket_screen(request, hall, ticket)
    return _page(request, hall, "walk_in.html", groups=groups)


@never_cache
@require_http_methods(["GET", "POST"])
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """办件进度查询 by acceptance number: the public tracking page's facts, nothing personal."""
    hall = _hall(pk)
    form = AcceptanceNumberForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        number = _acceptance_number(form.cleaned_data["number"])
        application = (
            Application.objects.select_related("service", "bundle")
            .filter(acceptance_number=number)
            .exclude(status=ApplicationStatus.DRAFT)
            .first()
        )
        if application is not None:
            return _page(
                request,
                hall,
                "progress.html",
                application=application,
                left=deadlines.remaining([application]).get(application.pk),
            )
        return _page(request, hall, "progress.html", status=404, form=form, not_found=True)
    return _page(request, hall, "progress.html", status=400 if form.is_bound else 200, form=form)


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
    """A certificate's QR code under the scanner: its verification, on the kiosk's screen."""
    hall = _hall(pk)
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
