"""The staff home shows the links each app contributes, to the roles that may use them."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client

from portal.models import StaffRole
from portal.staff_links import StaffLink
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(settings, english):
    settings.STAFF_MFA_REQUIRED = False

    def signed_in(role: StaffRole):
        client = Client()
        client.force_login(make_staff(role))
        return client

    return signed_in


def _links(response) -> dict[str, str]:
    import re

    html = response.content.decode()
    section = html[html.index('id="staff-links"') :]
    return {label: href for href, label in re.findall(r'<a href="([^"]+)">([^<]+)</a>', section)}


def test_a_clerk_sees_the_window_pages_and_not_the_back_office(staff_client):
    links = _links(staff_client(StaffRole.CLERK).get("/staff/"))
    assert links["Identify a citizen"] == "/staff/identify/"
    assert "Electronic certificates" not in links
    assert "Administration" not in links


def test_a_department_administrator_sees_administration_and_certificates(staff_client):
    links = _links(staff_client(StaffRole.DEPARTMENT_ADMIN).get("/staff/"))
    assert links["Administration"] == "/admin/"
    assert "Electronic certificates" in links
    assert "Identify a citizen" not in links


def test_a_reviewer_sees_the_certificates_shared_with_his_department(staff_client):
    links = _links(staff_client(StaffRole.REVIEWER).get("/staff/"))
    assert "Certificates shared with my department" in links
    assert "Identify a citizen" not in links


def test_an_app_contributes_its_own_link_and_an_unrouted_one_is_left_out(staff_client, monkeypatch):
    config = apps.get_app_config("services")
    monkeypatch.setattr(
        config,
        "staff_links",
        (
            StaffLink("services:catalogue", "Catalogue for clerks", frozenset({"clerk"})),
            StaffLink("services:not_built_yet", "Not built yet", frozenset({"clerk"})),
        ),
        raising=False,
    )
    links = _links(staff_client(StaffRole.CLERK).get("/staff/"))
    assert links["Catalogue for clerks"] == "/services/"
    assert "Not built yet" not in links
