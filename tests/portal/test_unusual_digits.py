"""Numbers in query strings and forms written with superscript, Arabic-Indic or full-width
digits: str.isdigit() says yes and int() then fails; every such place answers, none with 500."""

import pytest

from tests.factories import PASSWORD, PersonFactory

pytestmark = pytest.mark.django_db
ODD = ["²", "٣", "³⁴", "①", "１２"]


@pytest.mark.parametrize("value", ODD)
@pytest.mark.parametrize(
    "url",
    [
        "/services/?page_size={}",
        "/services/?department={}",
        "/api/v1/services/?department={}",
        "/api/v1/services/?page={}",
    ],
)
def test_catalogue_queries_with_unusual_digits_answer_without_a_server_error(client, url, value):
    response = client.get(url.format(value))
    assert response.status_code in (200, 400, 404)


@pytest.mark.parametrize("value", ODD)
def test_acting_for_an_organisation_given_in_unusual_digits_is_not_a_server_error(client, value):
    user = PersonFactory().user
    assert (
        client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}).status_code
        == 302
    )
    response = client.post("/profile/act-for/", {"organisation": value})
    assert response.status_code in (302, 404)
