"""A JSON number too large for a float (1e400) or the literals NaN and Infinity are no JSON a
database can store: the API refuses the body with a 400, never a server error."""

import pytest

from tests.factories import ServiceHallFactory, UserFactory
from tests.services.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def _apply(client, answers: str, key: str):
    """A citizen saves a draft whose answers are the given JSON text, as sent."""
    service = ServiceFactory(online=True)
    service.halls.add(ServiceHallFactory())
    client.force_login(UserFactory())
    body = f'{{"service": "{service.code}", "answers": {answers}, "submit": false}}'
    return client.post(
        "/api/v1/applications/",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.mark.parametrize("number", ["1e400", "-1e999", "NaN", "Infinity", "-Infinity"])
def test_a_number_no_float_holds_is_a_400(client, number):
    response = _apply(client, f'{{"name": {number}}}', "k-1")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "parse_error"


def test_an_ordinary_large_number_still_parses(client):
    response = _apply(client, '{"name": 1e300}', "k-2")
    assert response.status_code == 201, response.content[:300]
    assert response.json()["answers"] == {"name": 1e300}


@pytest.mark.parametrize(
    "answers", ['{"name": "a\\u0000b"}', '{"\\u0000": "x"}', '{"name": "\\\\\\u0000"}']
)
def test_a_nul_character_is_a_400_as_postgresql_stores_none(client, answers):
    response = _apply(client, answers, "k-3")
    assert response.status_code == 400, response.content[:300]
    assert response.json() == {
        "code": "nul_character",
        "detail": "The request body holds a NUL character, which no text may contain.",
    }


def test_an_escaped_backslash_before_u0000_is_text(client):
    response = _apply(client, '{"name": "C:\\\\u0000"}', "k-4")
    assert response.status_code == 201, response.content[:300]
    assert response.json()["answers"] == {"name": "C:\\u0000"}
