"""The citizen's booking pages (预约): choose a hall, a day and a time, confirm, see the
booking with its code and QR code, list one's bookings, cancel or move one until the cut-off.

Thin: each view reads through ``services.reservation_selectors``, makes its one change through
``services.booking`` and shows a refusal's message as it is.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from certificates.rendering import qr_data_uri
from portal import organisations as orgs
from portal.auth import signed_in_user
from portal.errors import Refusal
from portal.models import ServiceHall
from services import booking, booking_rules, hallcodes
from services import reservation_selectors as reads
from services.forms.booking import SlotChoiceForm
from services.models.bundles import Bundle
from services.models.catalogue import Service
from services.models.reservations import Booking, BookingStatus, Slot
from services.views.catalogue import paginate


def _subject(kind: str, key: str) -> tuple[Service | None, Bundle | None]:
    if kind == "service":
        return get_object_or_404(Service, code=key, is_published=True, bookable=True), None
    if kind == "bundle":
        return None, get_object_or_404(Bundle, slug=key, is_published=True)
    raise Http404


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _slot_times(slots: list[Slot]) -> list[dict[str, Any]]:
    """Each time of the day once, with the slot that still has places (the first queue with
    room), so a hall with two queues for the service shows one row per time."""
    rows = []
    for starts_at, same in groupby(slots, key=lambda s: s.starts_at.replace(microsecond=0)):
        group = list(same)
        free = next((s for s in group if s.places_left > 0), None)
        rows.append(
            {
                "starts_at": starts_at,
                "ends_at": group[0].ends_at,
                "slot": free or group[0],
                "left": sum(s.places_left for s in group),
                "full": free is None,
            }
        )
    return rows


def _choice(
    request: HttpRequest,
    *,
    service: Service | None,
    bundle: Bundle | None,
    halls: list[ServiceHall],
    hall: ServiceHall | None,
) -> dict[str, Any]:
    """The hall, day and time choices of the booking and moving pages."""
    days = reads.days_with_places(hall, service=service, bundle=bundle) if hall else []
    day = _day(request.GET.get("day"))
    if day is None or day not in {d for d, _left in days}:
        day = next((d for d, left in days if left), None)
    slots = (
        list(reads.available_slots(hall, service=service, bundle=bundle, day=day))
        if hall and day
        else []
    )
    return {
        "halls": halls,
        "hall": hall,
        "days": days,
        "day": day,
        "times": _slot_times(slots),
        "today": timezone.localdate(),
    }


@login_required
def book_start(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    """Choose the hall, the day and the time (GET only: the choice is a link or a GET form)."""
    service, bundle = _subject(kind, key)
    halls = reads.bookable_halls(service=service, bundle=bundle)
    chosen = _int(request.GET.get("hall"))
    hall = next((h for h in halls if h.pk == chosen), halls[0] if len(halls) == 1 else None)
    context = _choice(request, service=service, bundle=bundle, halls=halls, hall=hall)
    context.update(
        {
            "subject": service or bundle,
            "kind": kind,
            "key": key,
            "acting": orgs.acting_organisation(request),
            "days_ahead": booking_rules.rules().days_ahead,
        }
    )
    return render(request, "services/booking/book_start.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def book_confirm(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    """Check the chosen time and book it (for the organisation the session acts for, if any)."""
    user = signed_in_user(request)
    service, bundle = _subject(kind, key)
    form = SlotChoiceForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        messages.error(request, _("Choose a time first."))
        return redirect("services:book_start", kind=kind, key=key)
    slot = Slot.objects.select_related("hall", "group").filter(pk=form.cleaned_data["slot"]).first()
    if slot is None:
        messages.error(request, _("That time is no longer offered: choose another."))
        return redirect("services:book_start", kind=kind, key=key)
    acting = orgs.acting_organisation(request)
    if request.method == "POST":
        try:
            made = booking.book(
                person=user, slot=slot, service=service, bundle=bundle, organisation=acting
            )
        except Refusal as exc:
            messages.error(request, exc.message)
            return redirect(
                f"{_start_url(kind, key)}?hall={slot.hall_id}&day={slot.day.isoformat()}"
            )
        messages.success(request, _("Booked. Show the booking code or its QR code on arrival."))
        return redirect("services:booking_detail", pk=made.pk)
    return render(
        request,
        "services/booking/book_confirm.html",
        {"subject": service or bundle, "kind": kind, "key": key, "slot": slot, "acting": acting},
    )


def _start_url(kind: str, key: str) -> str:
    from django.urls import reverse

    return reverse("services:book_start", kwargs={"kind": kind, "key": key})


@login_required
def my_bookings(request: HttpRequest) -> HttpResponse:
    """我的预约: newest first, the live ones marked."""
    user = signed_in_user(request)
    return render(
        request,
        "services/booking/my_bookings.html",
        {"page": paginate(request, reads.my_bookings(user))},
    )


def _mine(request: HttpRequest, pk: int) -> Booking:
    found = reads.booking_of(signed_in_user(request), pk)
    if found is None:
        raise Http404(_("There is no such booking."))
    return found


def _changeable(found: Booking) -> bool:
    """Whether cancel and move are still offered (the domain decides when asked)."""
    return (
        found.status == BookingStatus.BOOKED
        and timezone.now() < found.slot.starts_at - booking_rules.rules().change_cutoff
    )


@login_required
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = _mine(request, pk)
    ticket = getattr(found, "ticket", None) if found.status != BookingStatus.BOOKED else None
    return render(
        request,
        "services/booking/booking_detail.html",
        {
            "booking": found,
            "qr": qr_data_uri(hallcodes.qr_payload(found.code)) if found.is_live() else "",
            "changeable": _changeable(found),
            "cutoff": found.slot.starts_at - booking_rules.rules().change_cutoff,
            "ticket": ticket,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then cancel (the place goes back to others)."""
    found = _mine(request, pk)
    if request.method == "POST":
        try:
            booking.cancel(found, by=signed_in_user(request))
        except Refusal as exc:
            messages.error(request, exc.message)
            return redirect("services:booking_detail", pk=found.pk)
        messages.success(request, _("The booking is cancelled."))
        return redirect("services:my_bookings")
    return render(request, "services/booking/booking_cancel.html", {"booking": found})


@login_required
@require_http_methods(["GET", "POST"])
def booking_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose another day and time at the same hall, confirm, move."""
    found = _mine(request, pk)
    service, bundle = found.service, found.bundle
    chosen = _int(request.POST.get("slot") if request.method == "POST" else request.GET.get("slot"))
    slot = (
        Slot.objects.select_related("hall", "group").filter(pk=chosen).first() if chosen else None
    )
    if request.method == "POST":
        if slot is None:
            messages.error(request, _("Choose a time first."))
            return redirect("services:booking_move", pk=found.pk)
        try:
            booking.move(found, to=slot, by=signed_in_user(request))
        except Refusal as exc:
            messages.error(request, exc.message)
            return redirect("services:booking_move", pk=found.pk)
        messages.success(request, _("The booking is moved."))
        return redirect("services:booking_detail", pk=found.pk)
    context = _choice(request, service=service, bundle=bundle, halls=[found.hall], hall=found.hall)
    context.update({"booking": found, "slot": slot, "changeable": _changeable(found)})
    return render(request, "services/booking/booking_move.html", context)
