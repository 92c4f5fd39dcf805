"""PostgreSQL stores and compares no text holding a NUL character: a %00 in an address's path,
a query parameter or a form field reached a look-up (a service code, a tracking token, a
search, a kiosk's progress number) as a database error, a 500. Such a request is a 400."""

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
        "detail": "The request holds a NUL character (%00), which no text may contain.",
    }


def test_an_ordinary_address_is_untouched(client):
    assert client.get("/services/?q=a%2500b").status_code == 200


QUERIES = [
    "/search/?q=a%00b",
    "/services/?category=a%00b",
    "/services/?department=a%00b",
    "/services/?q%00=x",
]


@pytest.mark.parametrize("url", QUERIES)
def test_a_query_parameter_holding_a_nul_is_a_400_page(client, url, english):
    response = client.get(url)
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/api/v1/search/?q=a%00b", "/api/v1/slots/?service=a%00b", "/api/v1/services/?q=%00"]
)
def test_an_api_query_holding_a_nul_is_a_400_in_the_api_shape(client, url, english):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"


def test_a_form_field_holding_a_nul_is_a_400(client, english):
    response = client.post(
        "/accounts/login/",
        "login=a%00b&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


def test_a_form_without_a_nul_is_untouched(client):
    response = client.post(
        "/accounts/login/",
        "login=a%25b&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200  # the sign-in form again, with its error
