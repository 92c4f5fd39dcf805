"""The header says whom the user acts for (himself or an organisation) and lets him switch."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import Organisation
from tests.factories import UserFactory, make_uscc

pytestmark = pytest.mark.django_db


def _header(html: str) -> str:
    return re.search(r"<header.*?</header>", html, re.S).group(0)


def _acting_now(html: str) -> str:
    text = re.search(r'class="acting-now"[^>]*>(.*?)</', _header(html), re.S).group(1)
    return re.sub(r"<[^>]+>", "", text).strip()


def _organisation(representative, name):
    return Organisation.objects.create(
        uscc=make_uscc(), name=name, legal_representative=representative
    )


def test_the_header_names_the_organisation_after_switching_and_himself_after_switching_back(
    client, english
):
    user = UserFactory(phone="+8613911112222")
    org = _organisation(user, "广州示例科技有限公司")
    _organisation(user, "深圳样例贸易有限公司")
    client.force_login(user)

    header = _header(client.get("/").content.decode())
    assert 'action="/profile/act-for/"' in header
    assert "广州示例科技有限公司" in header and "深圳样例贸易有限公司" in header
    assert "139****2222" in _acting_now(client.get("/").content.decode())

    response = client.post("/profile/act-for/", {"organisation": org.pk, "next": "/wallet/"})
    assert response["Location"] == "/wallet/"
    assert _acting_now(client.get("/").content.decode()) == "广州示例科技有限公司"

    client.post("/profile/act-for/", {"organisation": ""})
    now = _acting_now(client.get("/").content.decode())
    assert "139****2222" in now and "广州" not in now


def test_someone_who_acts_for_no_organisation_sees_no_switcher(client, english):
    client.force_login(UserFactory())
    header = _header(client.get("/").content.decode())
    assert "act-for" not in header and "acting-now" not in header


def test_the_switcher_costs_the_same_queries_for_one_organisation_or_many(client, english):
    user = UserFactory()
    _organisation(user, "一号公司")
    client.force_login(user)
    client.get("/")
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    for n in range(5):
        _organisation(user, f"{n}号公司")
    with CaptureQueriesContext(connection) as six:
        page = client.get("/").content.decode()
    assert "4号公司" in _header(page)
    assert len(six) == len(one)


def test_an_unsafe_next_after_switching_goes_to_the_account_page(client):
    user = UserFactory()
    org = _organisation(user, "一号公司")
    client.force_login(user)
    response = client.post(
        "/profile/act-for/", {"organisation": org.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/profile/"
