"""The hall's kiosk as a device: a browser that is no kiosk is refused with a page saying so;
the hall's clerk enrols the kiosk from the staff page (and is signed out of it); the kiosk
then gives a walk-in ticket and, with the receipt's check code, an application's progress."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from services import kiosk_devices
from services.models.reservations import Ticket
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD
from tests.services.booking_cases import make_hall
from tests.services.cases import world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("KIOSK_SHOTS", "/tmp/shots/kiosk"))


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.STAFF_MFA_REQUIRED = False  # the second factor has its own journey


def test_a_kiosk_is_enrolled_by_the_halls_clerk_before_it_gives_tickets(new_page, shoot):
    w = world()
    h = make_hall()
    case = w.accepted()
    # The hall of the case's world is where the walk-in queue is too.
    h.group.hall = w.hall
    h.group.save(update_fields=["hall"])
    h.window.hall = w.hall
    h.window.save(update_fields=["hall"])

    stranger = new_page()
    stranger.goto(f"/kiosk/{w.hall.pk}/ticket/")
    expect(
        stranger.get_by_role("heading", name="This page works on the hall's kiosks")
    ).to_be_visible()
    shoot(stranger, "refused")

    kiosk = new_page()
    kiosk.goto("/staff/hall/kiosks/")
    sign_in(kiosk, str(w.clerk.email), PASSWORD)
    expect(kiosk.get_by_role("heading", name="The hall's kiosks")).to_be_visible()
    shoot(kiosk, "enrol")
    kiosk.get_by_role("button", name="Enrol this browser as its kiosk").click()
    expect(kiosk.get_by_role("heading", name="What would you like to do?")).to_be_visible()
    expect(kiosk.get_by_role("link", name="Home")).to_be_visible()
    cookie = next(c for c in kiosk.context.cookies() if c["name"] == kiosk_devices.COOKIE_NAME)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert not any(c["name"] == "sessionid" for c in kiosk.context.cookies())

    kiosk.get_by_role("link", name="Take a ticket").click()
    # A mobile number typed on the on-screen keypad (one person's live tickets are limited).
    for digit in "13800138000":
        kiosk.locator(f'.kiosk-keypad [data-key="{digit}"]').click()
    holder = kiosk.get_by_label("Your ID number or mobile number")
    expect(holder).to_have_value("13800138000")
    holder.press("Enter")  # as a card reader ends a number: no ticket yet, the queue is asked
    expect(kiosk.get_by_text("Now choose what you came for.")).to_be_visible()
    assert not Ticket.objects.exists()
    kiosk.get_by_role("button", name=h.group.name).click()
    ticket = Ticket.objects.get()
    expect(kiosk.locator(".kiosk-ticket-number")).to_have_text(ticket.number)

    # Progress: the number alone asks for the check code; with it, the progress shows.
    kiosk.goto(f"/kiosk/{w.hall.pk}/progress/")
    kiosk.get_by_label("Acceptance number").fill(case.acceptance_number)
    kiosk.get_by_role("button", name="Look it up").click()
    expect(kiosk.get_by_text("Type the check code printed beside")).to_be_visible()
    expect(kiosk.locator("main")).not_to_contain_text(w.service.name)
    kiosk.get_by_label("Check code").click()
    for digit in kiosk_devices.check_code(case):
        kiosk.locator(".kiosk-keypad").get_by_role("button", name=digit, exact=True).click()
    kiosk.get_by_role("button", name="Look it up").click()
    expect(kiosk.locator("main")).to_contain_text(w.service.name)
    shoot(kiosk, "progress")
