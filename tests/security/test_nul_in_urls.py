"""PostgreSQL stores and compares no text holding a NUL character: a %00 in an address's path
reached a look-up (a service code, a tracking token) as a database error, a 500. Such an
address is a 400."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/services/a%00b/",
    "/services/a%00b/form/",
    "/services/a%00b/apply/",
    "/book/service/a%00b/",
    "/track/a%00b/",
    "/satisfaction/services/a%00b/",
]


@pytest.fixture
def citizen(client):
    client.force_login(UserFactory())
    return client


@pytest.mark.parametrize("url", PAGES)
def test_a_page_address_holding_a_nul_is_a_400_page(citizen, url, english):
    response = citizen.get(url)
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


def test_an_api_address_holding_a_nul_is_a_400_in_the_api_shape(citizen, english):
    response = citizen.get("/api/v1/certificates/verification/a%00b/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {
        "code": "nul_character",
        "detail": "The address holds a NUL character (%00), which no text may contain.",
    }


def test_an_ordinary_address_is_untouched(client):
    assert client.get("/services/?q=a%2500b").status_code == 200


def test_search_drops_the_nul_itself(client):
    assert client.get("/search/?q=a%00b").status_code == 200


@pytest.mark.parametrize("query", ["category=a%00b", "department=a%00b"])
def test_a_catalogue_filter_holding_a_nul_finds_nothing_rather_than_failing(client, query):
    assert client.get(f"/services/?{query}").status_code == 200
