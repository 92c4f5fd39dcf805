"""A booked visit from end to end: a citizen books a visit from the service guide and cancels
it; on the day he books again, checks in at the hall's kiosk with his code, the clerk calls his
ticket at her window, the hall display shows it, and finishing the visit opens counter intake
for the booked service with him on the desk."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from services.models.reservations import (
    Booking,
    BookingStatus,
    Slot,
    Ticket,
    Window,
    WindowGroup,
    WindowShift,
)
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD
from tests.services.cases import world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("HALL_SHOTS", "/tmp/shots/hall/journey"))


def _slot(group: WindowGroup, starts_in: dt.timedelta) -> Slot:
    start = (timezone.now() + starts_in).replace(second=0, microsecond=0)
    return Slot.objects.create(
        hall=group.hall,
        group=group,
        day=timezone.localdate(start),
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=30),
        capacity=3,
    )


def test_book_cancel_then_check_in_be_called_and_taken_in(new_page, shoot, settings):
    settings.STAFF_MFA_REQUIRED = False  # the second factor has its own journey
    w = world()
    w.applicant.person_profile.legal_name = "王小红"
    w.applicant.person_profile.save()
    group = WindowGroup.objects.create(hall=w.hall, letter="A", name="综合受理", name_en="General")
    group.services.add(w.service)
    window = Window.objects.create(hall=w.hall, number="3")
    window.groups.add(group)
    WindowShift.objects.create(window=window, clerk=w.clerk)
    tomorrow = _slot(group, dt.timedelta(days=1))
    today = _slot(group, dt.timedelta(minutes=10))  # "the day" is today: check-in is open

    # The citizen books from the guide, then cancels.
    citizen = new_page()
    citizen.goto(f"/services/{w.service.code}/")
    citizen.get_by_role("link", name="Book a visit").click()
    sign_in(citizen, w.applicant.email, PASSWORD)
    expect(citizen.get_by_role("heading", name="Day", exact=True)).to_be_visible()
    citizen.goto(f"/book/service/{w.service.code}/?hall={w.hall.pk}&day={tomorrow.day.isoformat()}")
    shoot(citizen, "choose")
    citizen.locator(f"a[href$='?slot={tomorrow.pk}']").click()
    citizen.get_by_role("button", name="Book this time").click()
    first = Booking.objects.get(slot=tomorrow)
    expect(citizen.get_by_text(first.code)).to_be_visible()
    expect(citizen.get_by_role("img", name="QR code of the booking")).to_be_visible()
    shoot(citizen, "booked")
    citizen.get_by_role("link", name="Cancel the booking").click()
    citizen.get_by_role("button", name="Yes, cancel it").click()
    expect(citizen.get_by_text("The booking is cancelled.")).to_be_visible()
    expect(citizen.get_by_role("cell", name="Cancelled")).to_be_visible()
    first.refresh_from_db()
    assert first.status == BookingStatus.CANCELLED

    # On the day: booked for today's slot.
    citizen.goto(f"/book/service/{w.service.code}/confirm/?slot={today.pk}")
    citizen.get_by_role("button", name="Book this time").click()
    booked = Booking.objects.get(slot=today)

    # At the hall: the clerk enrols the kiosk (and is signed out of it); the kiosk, nobody
    # signed in, checks the booking in by its code.
    kiosk = new_page()
    kiosk.goto("/staff/hall/kiosks/")
    sign_in(kiosk, w.clerk.email, PASSWORD)
    kiosk.get_by_role("button", name="Enrol this browser as its kiosk").click()
    expect(kiosk).to_have_url(f"{kiosk.url.split('/kiosk/')[0]}/kiosk/{w.hall.pk}/")
    kiosk.get_by_role("link", name="I have a booking").click()
    kiosk.get_by_label("Booking code").fill(booked.code)  # as the QR scanner types it
    kiosk.get_by_role("button", name="Get my ticket").click()
    ticket = Ticket.objects.get(booking=booked)
    expect(kiosk.locator(".kiosk-ticket-number")).to_have_text(ticket.number)
    expect(kiosk.locator("main")).to_contain_text("王*红")
    expect(kiosk.locator("main")).not_to_contain_text("王小红")
    shoot(kiosk, "kiosk-ticket")

    # The hall display is on; the clerk calls the next ticket at her window and the display,
    # polling its feed, shows it with the window without being reloaded.
    display = new_page()
    display.set_viewport_size({"width": 1920, "height": 1080})
    display.goto(f"/halls/{w.hall.pk}/display/")
    expect(display.locator("[data-role=called]")).not_to_contain_text(ticket.number)
    clerk = new_page()
    clerk.goto("/staff/")
    sign_in(clerk, w.clerk.email, PASSWORD)
    clerk.get_by_role("link", name="My window today").click()
    expect(clerk.get_by_role("heading", name="Window 3")).to_be_visible()
    clerk.get_by_role("button", name="Call next").click()
    expect(clerk.get_by_text(f"Calling {ticket.number}.")).to_be_visible()
    shoot(clerk, "window")
    called = display.locator("[data-role=called] tr").first
    expect(called).to_contain_text(ticket.number)
    expect(called).to_contain_text("3")
    expect(display.locator("body")).not_to_contain_text("王")

    # Finishing the visit opens counter intake for the booked service, the holder on the desk.
    clerk.get_by_role("button", name="Finish and take in the application").click()
    expect(clerk.get_by_text("王小红")).to_be_visible()
    clerk.get_by_role("button", name=f"Start {w.service.name}").click()
    expect(clerk.get_by_role("heading", name="Material checklist")).to_be_visible()
    booked.refresh_from_db()
    assert booked.status == BookingStatus.SERVED


def test_the_kiosk_checks_a_scanned_certificate_on_its_own_screen(new_page, shoot):
    from django.urls import reverse

    from tests.services.booking_cases import make_hall
    from tests.services.test_kiosk_verify import _issued

    hall = make_hall().hall
    certificate = _issued()
    kiosk = new_page()
    kiosk.goto(f"/kiosk/{hall.pk}/verify/")
    link = reverse("certificates:verify_identifier", args=[certificate.identifier])
    kiosk.get_by_label("Certificate QR code").fill(f"https://onewindow.example{link}")
    kiosk.get_by_role("button", name="Check").click()

    expect(kiosk.locator(".verdict-word")).to_have_text("Valid")
    expect(kiosk.locator("main")).not_to_contain_text("张三丰")
    expect(kiosk.get_by_role("link", name="Done")).to_be_visible()
    shoot(kiosk, "kiosk-certificate")
