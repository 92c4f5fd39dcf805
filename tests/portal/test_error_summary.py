"""After a failed submit, an error summary at the top of the form links to each field in error."""

from html.parser import HTMLParser

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


class _Summary(HTMLParser):
    """Collects the ids on the page and the links and heading of the error summary."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.summary_attrs: dict[str, str | None] | None = None
        self.links: list[str] = []
        self.text = ""
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if self._depth:
            self._depth += tag != "br"
            if tag == "a":
                self.links.append(attrs["href"])
        elif "error-summary" in (attrs.get("class") or "").split():
            self.summary_attrs = attrs
            self._depth = 1

    def handle_endtag(self, tag):
        if self._depth:
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.text += data


def _summary(html: str) -> _Summary:
    parser = _Summary()
    parser.feed(html)
    return parser


def test_an_invalid_form_shows_a_summary_linking_to_each_field_in_error(client, english):
    client.force_login(UserFactory())
    response = client.post("/profile/realname/", {"legal_name": "", "id_number": "123"})
    assert response.status_code == 200
    page = _summary(response.content.decode())
    assert page.summary_attrs is not None
    assert page.summary_attrs["tabindex"] == "-1" and "autofocus" in page.summary_attrs
    assert page.summary_attrs["role"] == "alert"
    assert "There is a problem" in page.text
    assert page.links == ["#id_legal_name", "#id_id_number"]
    assert all(link[1:] in page.ids for link in page.links)
    assert "Legal name" in page.text and "Resident ID number" in page.text


def test_an_allauth_form_gets_the_summary_too(client, english):
    response = client.post(
        "/accounts/signup/", {"phone": "12", "password1": PASSWORD, "password2": "other"}
    )
    assert response.status_code == 200
    page = _summary(response.content.decode())
    assert page.summary_attrs is not None
    assert page.links and all(link[1:] in page.ids for link in page.links)
    assert "#id_phone" in page.links


def test_a_valid_page_has_no_summary(client, english):
    client.force_login(UserFactory())
    response = client.get("/profile/realname/")
    assert _summary(response.content.decode()).summary_attrs is None
