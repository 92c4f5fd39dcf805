"""The hall's pages: the clerk's window (call, again, not there, finish → counter intake with
the visitor on the desk), the check-in desk, the public display and the kiosk."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from portal import desk
from portal.models import AuditAction, AuditEvent, RealNameLevel
from services import booking, hallcodes, queueing
from services.models import Application, ApplicationStatus
from services.models.reservations import BookingStatus, Ticket, TicketStatus
from tests.factories import PersonFactory, UserFactory
from tests.services.booking_cases import make_hall
from tests.services.test_kiosk import enrolled

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]
T = TicketStatus


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.STAFF_MFA_REQUIRED = False  # the second factor is tested in test_staff_mfa


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _booked_now(h, person=None):
    """A booking for a slot starting now-ish (check-in is open), for a real-name citizen."""
    person = person or PersonFactory(realname_level=RealNameLevel.WINDOW, legal_name="王小明").user
    slot = h.slot(starts_in=dt.timedelta(minutes=10))
    return booking.book(person=person, slot=slot, service=h.service)


# --- The clerk's window ---------------------------------------------------------------------


def test_a_clerk_with_one_window_goes_straight_to_it_and_only_sees_his_windows():
    h = make_hall()
    clerk = h.clerk()
    client = signed_in(clerk)
    response = client.get(reverse("services:hall_windows"))
    assert response.status_code == 302
    assert response["Location"] == reverse("services:hall_window", args=[h.window.pk])
    # The results window is not his today.
    assert (
        client.get(reverse("services:hall_window", args=[h.results_window.pk])).status_code == 404
    )


def test_not_a_clerk_cannot_open_the_window_pages():
    h = make_hall()
    client = signed_in(UserFactory())
    assert client.get(reverse("services:hall_windows")).status_code == 403
    assert client.get(reverse("services:hall_check_in")).status_code == 403
    assert client.get(reverse("services:hall_window", args=[h.window.pk])).status_code == 403


def test_calling_recalling_and_finishing_opens_counter_intake_for_the_booked_service():
    h = make_hall()
    made = _booked_now(h)
    ticket = queueing.check_in(h.hall, code=made.code)
    walk_in = queueing.walk_in(h.hall, service=h.service)
    clerk = h.clerk()
    client = signed_in(clerk)
    window_url = reverse("services:hall_window", args=[h.window.pk])

    page = client.get(window_url)
    body = page.content.decode()
    assert ticket.number in body and walk_in.number in body
    assert body.index(ticket.number) < body.index(walk_in.number)  # booked first

    called = client.post(
        reverse("services:hall_window_move", args=[h.window.pk, "call"]), follow=True
    )
    assert f"Calling {ticket.number}." in _messages(called)
    ticket.refresh_from_db()
    assert ticket.status == T.CALLED

    # A second call while one is open is refused with the queue's message.
    again = client.post(
        reverse("services:hall_window_move", args=[h.window.pk, "call"]), follow=True
    )
    assert any("Finish ticket" in m for m in _messages(again))

    client.post(
        reverse("services:hall_window_move", args=[h.window.pk, "recall"]), {"ticket": ticket.pk}
    )
    ticket.refresh_from_db()
    assert ticket.calls == 2

    finished = client.post(
        reverse("services:hall_window_move", args=[h.window.pk, "finish"]), {"ticket": ticket.pk}
    )
    assert finished.status_code == 302
    assert finished["Location"].startswith(reverse("services:counter_start"))
    assert f"q={h.service.code}" in finished["Location"]
    ticket.refresh_from_db()
    made.refresh_from_db()
    assert ticket.status == T.DONE and made.status == BookingStatus.SERVED
    # The holder is on the desk, and putting him there is recorded as a read of his data.
    assert client.session[desk.IDENTIFIED_SESSION_KEY]["pk"] == made.person.person_profile.pk
    assert AuditEvent.objects.filter(
        action=AuditAction.PERSONAL_DATA_VIEWED, actor=clerk, subject=made.person
    ).exists()

    # Counter intake shows the service with its start button; starting makes the draft.
    intake = client.get(finished["Location"])
    assert h.service.code in intake.content.decode()
    started = client.post(reverse("services:counter_new_draft"), {"service": h.service.code})
    assert started.status_code == 302
    draft = Application.objects.get(applicant=made.person)
    assert (draft.service, draft.status) == (h.service, ApplicationStatus.DRAFT)


def test_not_there_marks_the_ticket_and_the_booking_missed():
    h = make_hall()
    made = _booked_now(h)
    ticket = queueing.check_in(h.hall, code=made.code)
    clerk = h.clerk()
    client = signed_in(clerk)
    client.post(reverse("services:hall_window_move", args=[h.window.pk, "call"]))
    client.post(
        reverse("services:hall_window_move", args=[h.window.pk, "no_show"]), {"ticket": ticket.pk}
    )
    ticket.refresh_from_db()
    made.refresh_from_db()
    assert ticket.status == T.NO_SHOW
    assert made.status == BookingStatus.NO_SHOW


def test_an_empty_queue_is_said():
    h = make_hall()
    client = signed_in(h.clerk())
    response = client.post(
        reverse("services:hall_window_move", args=[h.window.pk, "call"]), follow=True
    )
    assert "Nobody is waiting for this window." in _messages(response)


# --- The check-in desk -------------------------------------------------------------------------


def test_the_desk_checks_in_by_code_or_qr_and_says_why_not():
    h = make_hall()
    clerk = h.clerk()
    client = signed_in(clerk)
    made = _booked_now(h)
    url = reverse("services:hall_check_in")

    ok = client.post(url, {"hall": h.hall.pk, "code": hallcodes.qr_payload(made.code)})
    assert ok.status_code == 200
    ticket = Ticket.objects.get(booking=made)
    assert f"Ticket {ticket.number}" in ok.content.decode()

    twice = client.post(url, {"hall": h.hall.pk, "code": made.code})
    assert twice.status_code == 409
    assert "already checked in" in twice.content.decode()

    unknown = client.post(url, {"hall": h.hall.pk, "code": "0000000000"})
    assert unknown.status_code == 404
    assert "There is no booking with this code." in unknown.content.decode()

    empty = client.post(url, {"hall": h.hall.pk})
    assert empty.status_code == 400


def test_the_desk_finds_todays_booking_by_id_number_as_an_audited_read():
    h = make_hall()
    clerk = h.clerk()
    made = _booked_now(h)
    number = made.person.person_profile.reveal_id_number()
    response = signed_in(clerk).post(
        reverse("services:hall_check_in"), {"hall": h.hall.pk, "id_number": number}
    )
    assert response.status_code == 200
    assert Ticket.objects.filter(booking=made).exists()
    assert AuditEvent.objects.filter(actor=clerk, subject=made.person).exists()


# --- The display -------------------------------------------------------------------------------


def test_the_display_shows_called_tickets_and_queues_without_personal_data():
    h = make_hall()
    made = _booked_now(h)
    ticket = queueing.check_in(h.hall, code=made.code)
    queueing.walk_in(h.hall, service=h.service)
    clerk = h.clerk()
    queueing.call_next(h.window, by=clerk)

    page = Client().get(reverse("services:hall_display", args=[h.hall.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert ticket.number in body and ">1<" in body  # the window's number
    assert "王" not in body and made.code not in body
    assert "<script src=" in body and "<script>" not in body  # no inline script (CSP)

    feed = Client().get(reverse("services_api:hall_display", args=[h.hall.pk])).json()
    assert feed["called"][0] == {
        "number": ticket.number,
        "window": "1",
        "called_at": feed["called"][0]["called_at"],
        "calls": 1,
    }
    assert {q["letter"]: q["waiting"] for q in feed["queues"]} == {"A": 1, "C": 0}


# --- The kiosk ---------------------------------------------------------------------------------


def test_the_kiosk_checks_a_booking_in_by_its_qr_and_shows_a_masked_name():
    h = make_hall()
    made = _booked_now(h)
    kiosk = enrolled(h.hall)
    start = kiosk.get(reverse("services:kiosk", args=[h.hall.pk]))
    assert start.status_code == 200
    response = kiosk.post(
        reverse("services:kiosk_check_in", args=[h.hall.pk]),
        {"code": hallcodes.qr_payload(made.code)},
    )
    ticket = Ticket.objects.get(booking=made)
    body = response.content.decode()
    assert ticket.number in body
    assert "王*明" in body and "王小明" not in body
    assert "_auth_user_id" not in kiosk.session  # nobody is signed in


def test_the_kiosk_says_why_a_code_is_refused():
    h = make_hall()
    made = booking.book(
        person=UserFactory(), slot=h.slot(starts_in=dt.timedelta(days=1)), service=h.service
    )
    url = reverse("services:kiosk_check_in", args=[h.hall.pk])
    response = enrolled(h.hall).post(url, {"code": made.code})
    assert response.status_code == 409
    assert "not today" in response.content.decode()
    assert enrolled(h.hall).post(url, {"code": "12"}).status_code == 400


def test_the_kiosk_gives_a_walk_in_ticket_for_a_queue():
    h = make_hall()
    response = enrolled(h.hall).post(
        reverse("services:kiosk_walk_in", args=[h.hall.pk]),
        {"group": h.group.pk, "holder": "13800138000"},
    )
    ticket = Ticket.objects.get()
    assert (ticket.number, ticket.priority, ticket.person) == ("A001", False, None)
    assert "A001" in response.content.decode()
    other = make_hall()
    refused = enrolled(h.hall).post(
        reverse("services:kiosk_walk_in", args=[h.hall.pk]),
        {"group": other.group.pk, "holder": "13800138000"},
    )
    assert refused.status_code == 400


def test_the_kiosk_returns_to_its_start_without_js():
    hall = make_hall().hall
    page = enrolled(hall).get(reverse("services:kiosk_check_in", args=[hall.pk])).content.decode()
    assert (
        f'http-equiv="refresh" content="60;url={reverse("services:kiosk", args=[hall.pk])}"' in page
    )
    assert 'src="/static/js/kiosk.js"' in page


def test_the_window_page_takes_a_fixed_number_of_queries(django_assert_max_num_queries):
    h = make_hall()
    client = signed_in(h.clerk())
    url = reverse("services:hall_window", args=[h.window.pk])
    queueing.walk_in(h.hall, service=h.service)
    client.get(url)
    with django_assert_max_num_queries(14):
        few = client.get(url)
    for _ in range(15):
        queueing.walk_in(h.hall, service=h.service)
    with django_assert_max_num_queries(14):
        many = client.get(url)
    assert "A001" in few.content.decode() and "A016" in many.content.decode()


def test_after_finishing_the_window_page_offers_the_visit_rating_qr_code():
    h = make_hall()
    made = _booked_now(h)
    ticket = queueing.check_in(h.hall, code=made.code)
    client = signed_in(h.clerk())
    window_url = reverse("services:hall_window", args=[h.window.pk])
    qr_url = reverse("services:visit_rating_qr", args=[ticket.pk])
    assert qr_url not in client.get(window_url).content.decode()
    client.post(reverse("services:hall_window_move", args=[h.window.pk, "call"]))
    client.post(
        reverse("services:hall_window_move", args=[h.window.pk, "finish"]), {"ticket": ticket.pk}
    )
    assert qr_url in client.get(window_url).content.decode()
    assert client.get(qr_url).status_code == 200
