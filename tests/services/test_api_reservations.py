"""The reservations API: slots, bookings (idempotent), cancel and move, tickets, a window's
calls and the display; refusals in the shared error shape with their codes, documented."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from services import booking, hallcodes, queueing
from services.models.reservations import Booking, BookingStatus, Ticket, TicketStatus
from tests.factories import PersonFactory, UserFactory
from tests.services.booking_cases import make_hall

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.STAFF_MFA_REQUIRED = False


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def _book(client, slot, service, key=None, **extra):
    return client.post(
        reverse("services_api:booking_list"),
        {"slot": slot.pk, "service": service.code, **extra},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()),
    )


def test_slots_are_public_and_say_the_places_left():
    h = make_hall()
    slot = h.slot(capacity=2)
    booking.book(person=UserFactory(), slot=slot, service=h.service)
    response = api().get(
        reverse("services_api:slot_list"), {"hall": h.hall.pk, "service": h.service.code}
    )
    assert response.status_code == 200
    assert [(s["id"], s["places_left"]) for s in response.json()] == [(slot.pk, 1)]
    bad = api().get(reverse("services_api:slot_list"), {"hall": h.hall.pk})
    assert bad.status_code == 400 and bad.json()["code"] == "service_or_bundle"


def test_booking_answers_the_code_and_qr_and_a_retry_answers_the_same_booking():
    h = make_hall()
    citizen = UserFactory()
    client = api(citizen)
    slot = h.slot()
    key = str(uuid.uuid4())

    first = _book(client, slot, h.service, key)
    assert first.status_code == 201
    body = first.json()
    assert hallcodes.code_from_qr(body["qr"]) == body["code"]

    again = _book(client, slot, h.service, key)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Booking.objects.count() == 1

    other = client.post(
        reverse("services_api:booking_list"),
        {"slot": h.slot().pk, "service": h.service.code},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"

    missing = client.post(
        reverse("services_api:booking_list"),
        {"slot": slot.pk, "service": h.service.code},
        format="json",
    )
    assert missing.status_code == 400

    mine = client.get(reverse("services_api:booking_list")).json()
    assert [b["code"] for b in mine["results"]] == [body["code"]]


def test_a_full_slot_is_409_fully_booked():
    h = make_hall()
    slot = h.slot(capacity=1)
    booking.book(person=UserFactory(), slot=slot, service=h.service)
    response = _book(api(UserFactory()), slot, h.service)
    assert response.status_code == 409
    assert response.json()["code"] == "fully_booked"
    assert response.json()["detail"]


def test_a_refused_booking_can_be_sent_again_with_its_key():
    h = make_hall()
    slot = h.slot(capacity=1)
    other = booking.book(person=UserFactory(), slot=slot, service=h.service)
    client = api(UserFactory())
    key = str(uuid.uuid4())
    assert _book(client, slot, h.service, key).status_code == 409
    booking.cancel(other, by=other.person)
    assert _book(client, slot, h.service, key).status_code == 201


def test_cancel_and_move_through_the_api_and_their_refusals():
    h = make_hall()
    citizen = UserFactory()
    client = api(citizen)
    made = booking.book(person=citizen, slot=h.slot(), service=h.service)
    later = h.slot(starts_in=dt.timedelta(days=2))

    moved = client.post(
        reverse("services_api:booking_move", args=[made.pk]), {"slot": later.pk}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["slot"] == later.pk

    stranger = api(UserFactory()).post(reverse("services_api:booking_cancel", args=[made.pk]))
    assert stranger.status_code == 404

    cancelled = client.post(reverse("services_api:booking_cancel", args=[made.pk]))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == BookingStatus.CANCELLED
    twice = client.post(reverse("services_api:booking_cancel", args=[made.pk]))
    assert twice.status_code == 409

    soon = booking.book(
        person=citizen, slot=h.slot(starts_in=dt.timedelta(minutes=20)), service=h.service
    )
    late = client.post(reverse("services_api:booking_cancel", args=[soon.pk]))
    assert late.status_code == 409 and late.json()["code"] == "past_cutoff"


def test_my_bookings_take_a_fixed_number_of_queries(django_assert_max_num_queries):
    h = make_hall()
    citizen = UserFactory()
    for days in range(1, 4):
        booking.cancel(
            booking.book(
                person=citizen, slot=h.slot(starts_in=dt.timedelta(days=days)), service=h.service
            ),
            by=citizen,
        )
    client = api(citizen)
    client.get(reverse("services_api:booking_list"))
    with django_assert_max_num_queries(8):
        few = client.get(reverse("services_api:booking_list"))
    for days in range(4, 10):
        booking.cancel(
            booking.book(
                person=citizen, slot=h.slot(starts_in=dt.timedelta(days=days)), service=h.service
            ),
            by=citizen,
        )
    with django_assert_max_num_queries(8):
        many = client.get(reverse("services_api:booking_list"))
    assert (few.json()["count"], many.json()["count"]) == (3, 9)


def test_the_desk_gives_tickets_and_a_window_calls_and_finishes_them():
    h = make_hall()
    person = PersonFactory().user
    made = booking.book(
        person=person, slot=h.slot(starts_in=dt.timedelta(minutes=10)), service=h.service
    )
    clerk = h.clerk()
    client = api(clerk)

    checked = client.post(
        reverse("services_api:ticket_list"), {"hall": h.hall.pk, "code": made.code}, format="json"
    )
    assert checked.status_code == 201 and checked.json()["booked"] is True
    walk = client.post(
        reverse("services_api:ticket_list"),
        {"hall": h.hall.pk, "service": h.service.code},
        format="json",
    )
    assert walk.status_code == 201 and walk.json()["booked"] is False
    both = client.post(
        reverse("services_api:ticket_list"),
        {"hall": h.hall.pk, "code": made.code, "group": h.group.pk},
        format="json",
    )
    assert both.status_code == 400

    called = client.post(reverse("services_api:window_call_next", args=[h.window.pk]))
    assert called.status_code == 200 and called.json()["number"] == checked.json()["number"]
    busy = client.post(reverse("services_api:window_call_next", args=[h.window.pk]))
    assert busy.status_code == 409 and busy.json()["code"] == "ticket_open"
    recalled = client.post(reverse("services_api:window_recall", args=[h.window.pk]))
    assert recalled.json()["calls"] == 2
    finished = client.post(reverse("services_api:window_finish", args=[h.window.pk]))
    assert finished.status_code == 200
    assert finished.json()["ticket"]["status"] == TicketStatus.DONE
    assert h.service.code in finished.json()["counter_intake"]

    nobody = client.post(reverse("services_api:window_no_show", args=[h.window.pk]))
    assert nobody.status_code == 409 and nobody.json()["code"] == "no_ticket_called"


def test_window_calls_need_a_clerk_staffing_the_window():
    h = make_hall()
    queueing.walk_in(h.hall, group=h.results)
    citizen = api(UserFactory())
    assert (
        citizen.post(reverse("services_api:window_call_next", args=[h.window.pk])).status_code
        == 403
    )
    assert (
        citizen.post(
            reverse("services_api:ticket_list"),
            {"hall": h.hall.pk, "group": h.group.pk},
            format="json",
        ).status_code
        == 403
    )
    clerk = api(h.clerk())  # staffs window 1, not the results window
    refused = clerk.post(reverse("services_api:window_call_next", args=[h.results_window.pk]))
    assert refused.status_code == 403 and refused.json()["code"] == "not_your_window"
    assert Ticket.objects.get().status == TicketStatus.WAITING


def test_the_display_is_public_and_numbers_only():
    h = make_hall()
    queueing.walk_in(h.hall, group=h.group)
    response = api().get(reverse("services_api:hall_display", args=[h.hall.pk]))
    assert response.status_code == 200
    assert response.json()["queues"][0] == {
        "letter": "A",
        "name": "综合受理",
        "waiting": 1,
        "estimated_minutes": response.json()["queues"][0]["estimated_minutes"],
    }
    assert api().get(reverse("services_api:hall_display", args=[999999])).status_code == 404


def test_every_reservations_operation_is_documented_with_its_errors(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    if schema.status_code != 200:
        schema = client.get("/api/schema/?format=json")
    doc = schema.json()
    paths = {
        p: ops
        for p, ops in doc["paths"].items()
        if any(seg in p for seg in ("/slots/", "/bookings/", "/tickets/", "/windows/", "/halls/"))
    }
    assert len(paths) >= 8
    for path, ops in paths.items():
        for method, op in ops.items():
            if method not in ("get", "post"):
                continue
            assert op.get("description"), f"{method} {path}"
            assert any(code.startswith("4") for code in op["responses"]), f"{method} {path}"
    booking_post = doc["paths"]["/api/v1/bookings/"]["post"]
    assert "409" in booking_post["responses"]
    assert any(p["name"] == "Idempotency-Key" for p in booking_post["parameters"])


def test_booking_and_the_slots_list_take_a_fixed_number_of_queries(
    django_assert_num_queries, django_assert_max_num_queries, monkeypatch
):
    from django.db import transaction

    # The holder's notice is sent by a task after commit, not by the request.
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: None)
    h = make_hall()
    citizen = UserFactory()
    client = api(citizen)
    for hours in range(1, 30):
        h.slot(starts_in=dt.timedelta(hours=hours))
    _book(client, h.slot(), h.service)
    # session, user; in the transaction: the slot and the service with the checks, the place,
    # the booking, its event, its key (and the test's savepoint around them)
    later = h.slot(starts_in=dt.timedelta(days=3))
    with django_assert_num_queries(9):
        made = _book(client, later, h.service)
    assert made.status_code == 201
    with django_assert_max_num_queries(3):  # hall, service, slots (one statement on PostgreSQL)
        listed = api().get(
            reverse("services_api:slot_list"), {"hall": h.hall.pk, "service": h.service.code}
        )
    assert len(listed.json()) == 31


def test_slots_of_an_unknown_hall_or_service_are_a_400_naming_the_parameter():
    h = make_hall()
    h.slot()
    url = reverse("services_api:slot_list")
    no_hall = api().get(url, {"hall": h.hall.pk + 1000, "service": h.service.code})
    no_service = api().get(url, {"hall": h.hall.pk, "service": "NO-SUCH-CODE"})
    assert no_hall.status_code == 400 and "hall" in no_hall.json()["fields"]
    assert no_service.status_code == 400 and "service" in no_service.json()["fields"]
    found = api().get(url, {"hall": h.hall.pk, "service": h.service.code})
    assert found.status_code == 200 and len(found.json()) == 1
