"""The kiosk checks a scanned certificate on its own screen (which returns to the start after
a minute) and says so clearly when the check cannot be made."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from certificates import issuing, verification
from tests.certificates.conftest import make_type
from tests.factories import DepartmentFactory, PersonFactory
from tests.services.booking_cases import make_hall

pytestmark = pytest.mark.django_db


def _scan(hall, scanned: str):
    return Client().post(reverse("services:kiosk_verify", args=[hall.pk]), {"scanned": scanned})


def _issued():
    issuer = DepartmentFactory(name="广州市公安局")
    person = PersonFactory(legal_name="张三丰", verified=True)
    return issuing.issue(
        type=make_type(issuer),
        issuer=issuer,
        holder_name=person.legal_name,
        holder_code=person.reveal_id_number(),
        surface={"address": "广州市天河区天河路1号", "birth_date": "1990-03-07"},
        by=None,
    )


def test_a_scanned_certificate_is_verified_on_the_kiosk_screen(english):
    hall = make_hall().hall
    certificate = _issued()
    link = reverse("certificates:verify_identifier", args=[certificate.identifier])

    response = _scan(hall, f"https://onewindow.example{link}")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Valid" in page
    assert f'data-home="{reverse("services:kiosk", args=[hall.pk])}"' in page
    assert "张三丰" not in page  # masked


def test_a_malformed_identifier_and_a_foreign_address_are_refused_clearly(english):
    hall = make_hall().hall
    malformed = _scan(
        hall, "https://onewindow.example" + reverse("certificates:verify_identifier", args=["X1"])
    )
    assert malformed.status_code == 400
    assert "Not a certificate identifier" in malformed.content.decode()
    elsewhere = _scan(hall, "https://evil.example/login/")
    assert elsewhere.status_code == 400
    assert "not a certificate of this portal" in elsewhere.content.decode()


def test_a_check_that_fails_or_times_out_is_a_message_not_an_error_page(english, monkeypatch):
    hall = make_hall().hall
    certificate = _issued()

    def cancelled(*args, **kwargs):
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(verification, "verify_identifier", cancelled)
    link = reverse("certificates:verify_identifier", args=[certificate.identifier])

    response = _scan(hall, link)

    assert response.status_code == 503
    assert "could not be checked just now" in response.content.decode()
    assert 'name="scanned"' in response.content.decode()
