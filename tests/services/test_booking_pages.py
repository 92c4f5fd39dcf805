"""The citizen's booking pages: from the guide's button to a booking with its code and QR
code, my bookings, cancel and move with confirmation, and every refusal said on the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import Organisation, OrganisationAgent
from portal.organisations import ACTING_SESSION_KEY
from services import booking
from services.models.catalogue import ApplicantKind
from services.models.reservations import Booking, BookingBlock, BookingStatus
from tests.factories import UserFactory, make_uscc
from tests.services.booking_cases import make_hall

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]
B = BookingStatus


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_guide_book_button_leads_to_days_and_times_with_places():
    h = make_hall()
    slot = h.slot(starts_in=dt.timedelta(days=1), capacity=2)
    full = h.slot(starts_in=dt.timedelta(days=1, hours=1), capacity=1)
    booking.book(person=UserFactory(), slot=full, service=h.service)
    client = signed_in(UserFactory())

    guide = client.get(reverse("services:service_detail", args=[h.service.code]))
    start_url = reverse("services:book_start", args=["service", h.service.code])
    assert start_url in guide.content.decode()

    page = client.get(start_url)
    assert page.status_code == 200
    body = page.content.decode()
    confirm = reverse("services:book_confirm", args=["service", h.service.code])
    assert f"{confirm}?slot={slot.pk}" in body
    assert f"?slot={full.pk}" not in body  # a full time is shown, not offered
    assert "Fully booked" in body


def test_a_citizen_books_sees_the_code_and_qr_then_cancels_after_confirming():
    h = make_hall()
    slot = h.slot()
    citizen = UserFactory()
    client = signed_in(citizen)
    confirm = reverse("services:book_confirm", args=["service", h.service.code])

    check = client.get(confirm, {"slot": slot.pk})
    assert check.status_code == 200 and "Book this time" in check.content.decode()
    assert not Booking.objects.exists()  # looking is not booking

    done = client.post(confirm, {"slot": slot.pk}, follow=True)
    made = Booking.objects.get(person=citizen)
    body = done.content.decode()
    assert made.code in body
    assert 'src="data:image/png;base64,' in body  # the QR code
    assert reverse("services:booking_cancel", args=[made.pk]) in body

    ask = client.get(reverse("services:booking_cancel", args=[made.pk]))
    assert "Cancel the booking?" in ask.content.decode()
    made.refresh_from_db()
    assert made.status == B.BOOKED

    client.post(reverse("services:booking_cancel", args=[made.pk]))
    made.refresh_from_db()
    assert made.status == B.CANCELLED


def test_a_fully_booked_time_is_refused_with_the_domains_message():
    h = make_hall()
    slot = h.slot(capacity=1)
    booking.book(person=UserFactory(), slot=slot, service=h.service)
    client = signed_in(UserFactory())

    response = client.post(
        reverse("services:book_confirm", args=["service", h.service.code]),
        {"slot": slot.pk},
        follow=True,
    )
    assert response.status_code == 200
    assert any("full" in m.lower() for m in _messages(response))
    assert Booking.objects.count() == 1


def test_a_blocked_citizen_is_told_until_when():
    h = make_hall()
    citizen = UserFactory()
    BookingBlock.objects.create(
        person=citizen,
        until=booking.timezone.now() + dt.timedelta(days=30),
        reason="missed",
    )
    response = signed_in(citizen).post(
        reverse("services:book_confirm", args=["service", h.service.code]),
        {"slot": h.slot().pk},
        follow=True,
    )
    assert any("until" in m for m in _messages(response))
    assert not Booking.objects.exists()


def test_past_the_cutoff_cancel_and_move_are_not_offered_and_refused():
    h = make_hall()
    citizen = UserFactory()
    made = booking.book(
        person=citizen, slot=h.slot(starts_in=dt.timedelta(minutes=30)), service=h.service
    )
    client = signed_in(citizen)

    page = client.get(reverse("services:booking_detail", args=[made.pk]))
    assert reverse("services:booking_cancel", args=[made.pk]) not in page.content.decode()
    refused = client.post(reverse("services:booking_cancel", args=[made.pk]), follow=True)
    assert any("cancelled or moved until" in m for m in _messages(refused))
    made.refresh_from_db()
    assert made.status == B.BOOKED


def test_moving_a_booking_asks_then_moves_it():
    h = make_hall()
    citizen = UserFactory()
    made = booking.book(person=citizen, slot=h.slot(), service=h.service)
    later = h.slot(starts_in=dt.timedelta(days=2))
    client = signed_in(citizen)
    url = reverse("services:booking_move", args=[made.pk])

    ask = client.get(url, {"slot": later.pk})
    assert "Move to this time?" in ask.content.decode()
    client.post(url, {"slot": later.pk})
    made.refresh_from_db()
    assert made.slot_id == later.pk


def test_someone_elses_booking_is_not_there():
    h = make_hall()
    made = booking.book(person=UserFactory(), slot=h.slot(), service=h.service)
    client = signed_in(UserFactory())
    for name in ("booking_detail", "booking_cancel", "booking_move"):
        assert client.get(reverse(f"services:{name}", args=[made.pk])).status_code == 404
    assert client.post(reverse("services:booking_cancel", args=[made.pk])).status_code == 404


def test_an_agent_books_for_the_organisation_he_acts_for():
    h = make_hall(applicant_kind=ApplicantKind.ORGANISATION)
    agent, boss = UserFactory(), UserFactory()
    company = Organisation.objects.create(
        uscc=make_uscc(), name="示例公司", legal_representative=boss
    )
    OrganisationAgent.objects.create(organisation=company, user=agent, authorised_by=boss)
    client = signed_in(agent)
    session = client.session
    session[ACTING_SESSION_KEY] = company.pk
    session.save()

    confirm = reverse("services:book_confirm", args=["service", h.service.code])
    slot = h.slot()
    assert "示例公司" in client.get(confirm, {"slot": slot.pk}).content.decode()
    client.post(confirm, {"slot": slot.pk})
    assert Booking.objects.get().organisation == company


def test_my_bookings_lists_them_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    h = make_hall()
    citizen = UserFactory()
    for days in (1, 2, 3):
        made = booking.book(
            person=citizen, slot=h.slot(starts_in=dt.timedelta(days=days)), service=h.service
        )
        booking.cancel(made, by=citizen)
    client = signed_in(citizen)
    client.get(reverse("services:my_bookings"))  # warm the session and the site's caches
    with django_assert_max_num_queries(12):
        page = client.get(reverse("services:my_bookings"))
    assert page.content.decode().count("Cancelled") >= 3
    for days in (4, 5, 6, 7):
        booking.cancel(
            booking.book(
                person=citizen, slot=h.slot(starts_in=dt.timedelta(days=days)), service=h.service
            ),
            by=citizen,
        )
    with django_assert_max_num_queries(12):
        client.get(reverse("services:my_bookings"))


def test_the_booking_pages_need_a_sign_in():
    h = make_hall()
    response = Client().get(reverse("services:book_start", args=["service", h.service.code]))
    assert response.status_code == 302 and "login" in response["Location"]
