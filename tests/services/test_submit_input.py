"""Applying through the API checks the usual body without DRF's serializer and hands every
other body to it (services.api.application_serializers.create_input): both answer alike. The
idempotency key is not looked up before a new application: a retry is still answered."""

from __future__ import annotations

import uuid

import pytest

from services.models import Application
from tests.services.test_submit_queries import LIST, bench_like  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _apply(client, body, key=None):
    return client.post(
        LIST, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4())
    )


def test_an_unknown_service_is_refused_by_its_field(client, bench_like, english):  # noqa: F811
    w, body = bench_like
    client.force_login(w.applicant)
    response = _apply(client, {**body, "service": "NO-SUCH-CODE"})
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["service"]
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"submit": "true"},  # a string the serializer reads as true
        {"hall": None, "organisation": None, "bundle": None},
    ],
)
def test_bodies_the_serializer_accepts_are_accepted(client, bench_like, change):  # noqa: F811
    w, body = bench_like
    client.force_login(w.applicant)
    response = _apply(client, {**body, **change})
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "submitted"


def test_a_certificate_reference_is_trimmed_and_a_number_is_its_id(client, bench_like):  # noqa: F811
    w, body = bench_like
    client.force_login(w.applicant)
    first, second = body["materials"]
    from certificates.models import Certificate

    pk = Certificate.objects.get(identifier=second["certificate"]).pk
    materials = [
        {**first, "certificate": f"  {first['certificate']} "},
        {**second, "certificate": pk},
    ]
    response = _apply(client, {**body, "materials": materials})
    assert response.status_code == 201, response.json()
    assert sorted(m["certificate"] for m in response.json()["materials"]) == sorted(
        m["certificate"] for m in body["materials"]
    )


@pytest.mark.parametrize(
    ("materials", "where"),
    [
        ([{"requirement": "id-card"}], "certificate"),
        ([{"requirement": "id-card", "certificate": "  "}], "certificate"),
        ([{"requirement": "x" * 61, "certificate": "1"}], "requirement"),
        ("id-card", None),
    ],
)
def test_a_malformed_material_is_refused_by_the_serializer(
    client,
    bench_like,  # noqa: F811
    materials,
    where,
):
    w, body = bench_like
    client.force_login(w.applicant)
    response = _apply(client, {**body, "materials": materials})
    assert response.status_code == 400
    fields = response.json()["fields"]["materials"]
    if where:
        assert where in fields["0"]
    assert not Application.objects.exists()


def test_a_retry_is_answered_even_when_the_service_closed_meanwhile(client, bench_like):  # noqa: F811
    """The key is looked up when applying is refused: the first answer, not the refusal."""
    w, body = bench_like
    client.force_login(w.applicant)
    first = _apply(client, body, key="retry")
    w.service.online = False
    w.service.save()
    again = _apply(client, body, key="retry")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    other = _apply(client, {**body, "answers": {**body["answers"], "purpose": "别的"}}, key="retry")
    assert other.status_code == 409
    assert _apply(client, body).status_code == 400  # a new key: the service is closed
    assert Application.objects.count() == 1


def test_the_first_hall_offering_the_service_takes_the_application_in(client, bench_like):  # noqa: F811
    from tests.factories import ServiceHallFactory

    w, body = bench_like
    w.service.halls.add(ServiceHallFactory())
    client.force_login(w.applicant)
    response = _apply(client, body)
    assert response.status_code == 201, response.json()
    assert response.json()["hall"] == min(w.service.halls.values_list("pk", flat=True))
    w.service.halls.clear()
    refused = _apply(client, body)
    assert refused.status_code == 400
    assert refused.json()["code"] == "no_hall"
