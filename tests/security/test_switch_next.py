"""The header's "act for" switcher goes back to the page it was used on; anything in ``next``
that is not a path on this site goes to the account page, never to a server error."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "next_url", ["-1", "abc", "portal:home", "services:catalogue", "１２", "2026-02-30", "\\\\x"]
)
def test_a_next_that_is_no_path_goes_to_the_account_page(client, next_url):
    client.force_login(UserFactory())
    response = client.post("/profile/act-for/", {"organisation": "", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/profile/"


def test_a_path_on_this_site_is_followed(client):
    client.force_login(UserFactory())
    response = client.post("/profile/act-for/", {"organisation": "", "next": "/wallet/?page=2"})
    assert response["Location"] == "/wallet/?page=2"
