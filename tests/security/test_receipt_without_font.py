"""A server without the CJK font cannot make the receipt's PDF: the clerk is told so and
sent to the printable page, never shown a server error."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.services.cases import world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]


def test_the_receipt_pdf_without_a_font_sends_the_clerk_to_the_printable_page(
    settings, monkeypatch, english
):
    settings.STAFF_MFA_REQUIRED = False
    monkeypatch.setattr("services.documents.cjk_font", lambda: None)
    w = world()
    app = w.accepted()
    client = Client()
    client.force_login(w.clerk)
    response = client.get(f"/applications/{app.pk}/receipt.pdf")
    assert response.status_code == 302
    assert response["Location"] == f"/applications/{app.pk}/receipt/"
    page = client.get(response["Location"]).content.decode()
    assert "The PDF cannot be made on this server: a font is missing." in page
