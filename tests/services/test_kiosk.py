"""The hall's kiosk is a device staff enrol: only an enrolled kiosk of the hall gives tickets,
checks bookings in and looks progress up; each is limited per kiosk and per address; a progress
look-up needs the receipt (its QR code, or the number with the check code printed beside it)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from portal.models import AuditAction, AuditEvent, StaffRole
from services import documents, kiosk_devices
from services.models.reservations import Ticket
from tests.services.booking_cases import make_hall
from tests.services.cases import at, freeze, staff, world
from tests.services.pdf_text import text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.STAFF_MFA_REQUIRED = False  # the second factor is tested in test_staff_mfa


def enrolled(hall, client: Client | None = None) -> Client:
    """A browser holding the kiosk cookie of ``hall``, as the staff page sets it."""
    client = client or Client()
    value = kiosk_devices.cookie_value(hall)
    signer = signing.get_cookie_signer(salt=kiosk_devices.COOKIE_NAME + kiosk_devices.COOKIE_SALT)
    client.cookies[kiosk_devices.COOKIE_NAME] = signer.sign(value)
    return client


def _url(name: str, hall) -> str:
    return reverse(f"services:{name}", args=[hall.pk])


_phones = itertools.count(13800138000)


def _walk_in(h, holder: str = "", group=None) -> dict:
    """The walk-in form: the queue's tile and a holder (a new mobile number unless given)."""
    return {"group": (group or h.group).pk, "holder": holder or str(next(_phones))}


# --- Enrolment ----------------------------------------------------------------------------------


def test_a_browser_that_is_no_kiosk_of_the_hall_gets_a_clear_403_and_takes_no_ticket(english):
    h = make_hall()
    anyone = Client()
    for name in ("kiosk", "kiosk_check_in", "kiosk_walk_in", "kiosk_progress"):
        page = anyone.get(_url(name, h.hall))
        assert page.status_code == 403, name
        assert "This page works on the hall's kiosks" in page.content.decode()
        assert 'class="kiosk-home"' not in page.content.decode()  # its start is refused too
    refused = anyone.post(_url("kiosk_walk_in", h.hall), _walk_in(h))
    assert refused.status_code == 403
    assert not Ticket.objects.exists()
    # Another hall's kiosk, and a cookie not signed by the portal, are no kiosk of it either.
    assert enrolled(make_hall().hall).get(_url("kiosk", h.hall)).status_code == 403
    forged = Client()
    forged.cookies[kiosk_devices.COOKIE_NAME] = f"{h.hall.pk}:0:abc"
    assert forged.post(_url("kiosk_walk_in", h.hall), _walk_in(h)).status_code == 403
    assert not Ticket.objects.exists()
    # The certificate check stays public (as /verify/ is).
    assert anyone.get(_url("kiosk_verify", h.hall)).status_code == 200


def test_a_clerk_of_the_hall_enrols_the_kiosk_which_then_holds_no_session(english):
    h = make_hall()
    clerk = h.clerk()
    kiosk = Client()
    kiosk.force_login(clerk)
    page = kiosk.get(reverse("services:kiosk_devices"))
    assert page.status_code == 200 and h.hall.name in page.content.decode()
    response = kiosk.post(reverse("services:kiosk_devices"), {"hall": h.hall.pk, "action": "enrol"})
    assert response.status_code == 302 and response["Location"] == _url("kiosk", h.hall)
    cookie = response.cookies[kiosk_devices.COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert int(cookie["max-age"]) >= 300 * 24 * 3600
    assert "_auth_user_id" not in kiosk.session  # the clerk is signed out of the kiosk
    enrolment = AuditEvent.objects.get(action=AuditAction.KIOSK_ENROLLED)
    assert enrolment.actor == clerk and enrolment.detail == {"hall_id": h.hall.pk}
    assert kiosk.get(_url("kiosk", h.hall)).status_code == 200
    ticket = kiosk.post(_url("kiosk_walk_in", h.hall), _walk_in(h))
    assert ticket.status_code == 200 and "A001" in ticket.content.decode()


def test_the_staff_home_leads_a_clerk_to_the_kiosk_enrolment(english):
    clerk = make_hall().clerk()
    client = Client()
    client.force_login(clerk)
    home = client.get(reverse("portal:staff_home")).content.decode()
    assert f'href="{reverse("services:kiosk_devices")}"' in home
    assert "Hall kiosks" in home


def test_only_the_halls_staff_may_enrol_or_revoke_its_kiosks(english):
    h = make_hall()
    other = make_hall()
    outsider = Client()
    outsider.force_login(other.clerk())
    refused = outsider.post(
        reverse("services:kiosk_devices"), {"hall": h.hall.pk, "action": "enrol"}
    )
    assert refused.status_code == 403
    assert kiosk_devices.COOKIE_NAME not in refused.cookies
    citizen = Client()
    citizen.force_login(world().applicant)
    assert citizen.get(reverse("services:kiosk_devices")).status_code == 403
    # A system administrator manages every hall's kiosks.
    admin = Client()
    admin.force_login(staff(StaffRole.SYSTEM_ADMIN))
    page = admin.get(reverse("services:kiosk_devices")).content.decode()
    assert h.hall.name in page and other.hall.name in page


def test_revoking_a_halls_kiosks_stops_every_one_until_enrolled_again(english):
    h = make_hall()
    kiosk = enrolled(h.hall)
    assert kiosk.get(_url("kiosk", h.hall)).status_code == 200
    manager = Client()
    manager.force_login(h.clerk())
    asked = manager.post(reverse("services:kiosk_devices"), {"hall": h.hall.pk, "action": "revoke"})
    # The first press only asks, naming the hall; nothing is revoked yet.
    page = asked.content.decode()
    assert asked.status_code == 200 and "Revoke all kiosks of this hall?" in page
    assert h.hall.name in page and 'value="revoke_confirmed"' in page
    assert not AuditEvent.objects.filter(action=AuditAction.KIOSK_REVOKED).exists()
    assert kiosk.get(_url("kiosk", h.hall)).status_code == 200
    done = manager.post(
        reverse("services:kiosk_devices"),
        {"hall": h.hall.pk, "action": "revoke_confirmed"},
        follow=True,
    )
    assert "has to be enrolled again" in done.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.KIOSK_REVOKED).count() == 1
    assert kiosk.get(_url("kiosk", h.hall)).status_code == 403
    assert kiosk.post(_url("kiosk_walk_in", h.hall), _walk_in(h)).status_code == 403
    assert enrolled(h.hall, kiosk).get(_url("kiosk", h.hall)).status_code == 200


def test_the_revoke_question_warns_when_this_browser_is_one_of_the_kiosks(english):
    h = make_hall()
    browser = enrolled(h.hall)
    browser.force_login(h.clerk())
    page = browser.post(
        reverse("services:kiosk_devices"), {"hall": h.hall.pk, "action": "revoke"}
    ).content.decode()
    assert "This browser is one of its kiosks and stops too." in page


def test_an_outsider_cannot_confirm_revoking_another_halls_kiosks():
    h = make_hall()
    outsider = Client()
    outsider.force_login(make_hall().clerk())
    refused = outsider.post(
        reverse("services:kiosk_devices"), {"hall": h.hall.pk, "action": "revoke_confirmed"}
    )
    assert refused.status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.KIOSK_REVOKED).exists()
    assert kiosk_devices.generation(h.hall.pk) == 0


def test_the_kiosk_home_button_says_home(english):
    h = make_hall()
    page = enrolled(h.hall).get(_url("kiosk_walk_in", h.hall)).content.decode()
    assert "</span> Home</a>" in page


# --- Rate limits --------------------------------------------------------------------------------


def test_a_kiosk_taking_tickets_too_fast_is_told_to_wait(settings, english):
    settings.KIOSK_THROTTLE_DEVICE = "3/min"
    h = make_hall()
    kiosk = enrolled(h.hall)
    for _ in range(3):
        assert kiosk.post(_url("kiosk_walk_in", h.hall), _walk_in(h)).status_code == 200
    refused = kiosk.post(_url("kiosk_walk_in", h.hall), _walk_in(h))
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "This kiosk is being used too often" in refused.content.decode()
    assert Ticket.objects.count() == 3
    # Another kiosk of the hall is counted on its own.
    assert enrolled(h.hall).post(_url("kiosk_walk_in", h.hall), _walk_in(h)).status_code == 200


def test_kiosks_behind_one_address_share_its_limit(settings):
    settings.KIOSK_THROTTLE_ADDRESS = "2/min"
    h = make_hall()
    url = _url("kiosk_walk_in", h.hall)
    assert enrolled(h.hall).post(url, _walk_in(h)).status_code == 200
    assert enrolled(h.hall).post(url, _walk_in(h)).status_code == 200
    assert enrolled(h.hall).post(url, _walk_in(h)).status_code == 429
    assert Client().post(_url("kiosk_verify", h.hall), {"scanned": "x"}).status_code == 429


def test_the_certificate_check_is_limited_per_address(settings):
    settings.KIOSK_THROTTLE_ADDRESS = "2/min"
    h = make_hall()
    url = _url("kiosk_verify", h.hall)
    assert Client().post(url, {"scanned": "https://x.example/nothing/"}).status_code == 400
    assert Client().post(url, {"scanned": "https://x.example/nothing/"}).status_code == 400
    assert Client().post(url, {"scanned": "https://x.example/nothing/"}).status_code == 429


# --- Progress: the receipt, not the number alone ------------------------------------------------


def test_a_number_alone_shows_nothing_and_asks_for_the_check_code(english):
    w = world()
    case = w.accepted()
    kiosk = enrolled(w.hall)
    url = _url("kiosk_progress", w.hall)
    asked = kiosk.post(url, {"number": case.acceptance_number})
    assert asked.status_code == 400
    body = asked.content.decode()
    assert "Type the check code" in body and w.service.name not in body
    code = kiosk_devices.check_code(case)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    unknown = kiosk.post(url, {"number": "SL20000101-0001-00001", "check": code})
    mistyped = kiosk.post(url, {"number": case.acceptance_number, "check": wrong})
    assert unknown.status_code == mistyped.status_code == 404
    assert w.service.name not in mistyped.content.decode()
    assert "No application matches this number and check code" in mistyped.content.decode()


def test_the_number_with_its_check_code_typed_as_digits_shows_the_progress(english):
    w = world()
    case = w.accepted()
    number = case.acceptance_number
    assert number is not None
    digits = "".join(c for c in number if c.isdigit())
    found = enrolled(w.hall).post(
        _url("kiosk_progress", w.hall),
        {"number": digits, "check": kiosk_devices.check_code(case)},
    )
    assert found.status_code == 200
    body = found.content.decode()
    assert number in body and w.service.name in body
    assert w.applicant.person_profile.legal_name not in body


def test_the_receipts_scanned_qr_code_shows_the_progress(settings, english):
    settings.SITE_URL = "https://ywt.example.gov.cn"
    w = world()
    case = w.accepted()
    scanned = documents.tracking_url(case)
    found = enrolled(w.hall).post(_url("kiosk_progress", w.hall), {"number": scanned})
    assert found.status_code == 200 and w.service.name in found.content.decode()
    forged = scanned.replace(case.tracking_token, "A" * 22)
    assert (
        enrolled(w.hall).post(_url("kiosk_progress", w.hall), {"number": forged}).status_code == 404
    )


def test_the_receipt_prints_the_check_code_beside_the_number():
    w = world()
    case = w.accepted()
    code = kiosk_devices.check_code(case)
    assert len(code) == 6 and code.isdigit()
    facts = [value for _label, value in documents.receipt(case).facts]
    assert facts[:2] == [case.acceptance_number, code]
    viewer = Client()
    viewer.force_login(w.applicant)
    html = viewer.get(reverse("services:receipt", args=[case.pk])).content.decode()
    assert f"<dd>{code}</dd>" in html
    pdf = viewer.get(reverse("services:receipt_pdf", args=[case.pk]))
    assert code in text(pdf.content)


def test_an_overdue_case_says_how_many_working_days_overdue_on_the_kiosk_and_track_page(
    monkeypatch, english
):
    w = world(promised_days=1)
    freeze(monkeypatch, at(dt.date(2026, 3, 2)))  # a Monday
    case = w.accepted()  # due on Tuesday 3 March
    freeze(monkeypatch, at(dt.date(2026, 3, 6)))  # Friday: 3 working days past it
    kiosk = enrolled(w.hall).post(
        _url("kiosk_progress", w.hall),
        {"number": case.acceptance_number, "check": kiosk_devices.check_code(case)},
    )
    track = Client().get(reverse("services:track", args=[case.tracking_token]))
    for page in (kiosk.content.decode(), track.content.decode()):
        assert "3 working days overdue" in page
        assert "-3" not in page


# --- One person's tickets -----------------------------------------------------------------------


def test_a_walk_in_ticket_needs_an_id_or_mobile_number(english):
    h = make_hall()
    kiosk = enrolled(h.hall)
    page = kiosk.get(_url("kiosk_walk_in", h.hall)).content.decode()
    assert 'name="holder"' in page and 'data-key="X"' in page
    assert "at most 2 unserved tickets per queue" in page
    missing = kiosk.post(_url("kiosk_walk_in", h.hall), {"group": h.group.pk})
    assert missing.status_code == 400 and "This field is required." in missing.content.decode()
    wrong = kiosk.post(_url("kiosk_walk_in", h.hall), _walk_in(h, holder="12345"))
    assert wrong.status_code == 400
    assert "Enter your 18-character ID number or your 11-digit mobile number." in (
        wrong.content.decode()
    )
    typo = kiosk.post(_url("kiosk_walk_in", h.hall), _walk_in(h, holder="11010519491231002Y"))
    assert typo.status_code == 400 and "A resident ID number holds only" in typo.content.decode()
    assert not Ticket.objects.exists()
    taken = kiosk.post(_url("kiosk_walk_in", h.hall), _walk_in(h, holder="11010519491231002x"))
    assert taken.status_code == 200 and "A001" in taken.content.decode()
    # Only a keyed hash of the number is kept.
    ticket = Ticket.objects.get()
    assert ticket.holder_index and "11010519491231002X" not in ticket.holder_index


def test_the_number_sent_alone_by_a_card_reader_asks_for_the_queue_and_takes_no_ticket(english):
    h = make_hall()
    kiosk = enrolled(h.hall)
    page = kiosk.get(_url("kiosk_walk_in", h.hall)).content.decode()
    # Enter (a card reader ends the number with it) presses the form's first button: this one.
    assert page.index('name="group" value=""') < page.index(f'value="{h.group.pk}"')
    asked = kiosk.post(_url("kiosk_walk_in", h.hall), {"group": "", "holder": "13800138000"})
    assert asked.status_code == 200
    assert "Now choose what you came for." in asked.content.decode()
    assert 'value="13800138000"' in asked.content.decode()
    assert not Ticket.objects.exists()


def test_one_person_holds_at_most_two_live_tickets_per_queue(english):
    h = make_hall()
    kiosk = enrolled(h.hall)
    url = _url("kiosk_walk_in", h.hall)
    assert kiosk.post(url, _walk_in(h, holder="138 0013 8000")).status_code == 200
    # The same number typed another way is the same person.
    assert kiosk.post(url, _walk_in(h, holder="+8613800138000")).status_code == 200
    refused = kiosk.post(url, _walk_in(h, holder="13800138000"))
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "You already hold tickets A001, A002 for this queue." in page
    assert Ticket.objects.count() == 2
    # Someone else, and the same person in another queue, still get theirs.
    assert kiosk.post(url, _walk_in(h, holder="13900139000")).status_code == 200
    assert kiosk.post(url, _walk_in(h, holder="13800138000", group=h.results)).status_code == 200
    # Once one of his tickets is served he may take another.
    Ticket.objects.filter(number="A001").update(status="done")
    assert kiosk.post(url, _walk_in(h, holder="13800138000")).status_code == 200


def test_the_limit_of_live_tickets_is_a_setting(settings, english):
    settings.QUEUE_LIVE_TICKETS_PER_HOLDER = 1
    h = make_hall()
    kiosk = enrolled(h.hall)
    url = _url("kiosk_walk_in", h.hall)
    assert "at most 1 unserved ticket per queue" in kiosk.get(url).content.decode()
    assert kiosk.post(url, _walk_in(h, holder="13800138000")).status_code == 200
    assert kiosk.post(url, _walk_in(h, holder="13800138000")).status_code == 409
