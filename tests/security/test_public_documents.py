"""A service guide's blank forms and samples are uploaded in /admin/ by department
administrators and served to anyone: whatever a file holds, it must not run on the portal's
origin (an HTML form loading a "sample" .js from the same origin passes script-src 'self')."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.services.factories import MaterialFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def guide(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return ServiceFactory()


def _url(service, which="blank-form", key="application"):
    return f"/services/{service.code}/materials/{key}/{which}/"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("form.html", b"<html><script src='../sample/'></script></html>"),
        ("form.svg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
        ("form.js", b"alert(document.cookie)"),
        ("form.pdf", b"<html><script>alert(1)</script></html>"),  # named .pdf, holds HTML
    ],
)
def test_a_document_that_is_not_a_pdf_or_image_is_only_ever_downloaded(
    client, guide, name, content
):
    MaterialFactory(service=guide, key="application", blank_form=SimpleUploadedFile(name, content))
    response = client.get(_url(guide))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_real_pdf_opens_in_the_browser_as_a_pdf(client, guide):
    MaterialFactory(
        service=guide, key="application", sample=SimpleUploadedFile("样表.pdf", b"%PDF-1.4 x")
    )
    response = client.get(_url(guide, "sample"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4 x"


def test_a_document_missing_from_storage_is_a_404_not_a_500(client, guide):
    material = MaterialFactory(
        service=guide, key="application", blank_form=SimpleUploadedFile("a.pdf", b"%PDF-1.4")
    )
    material.blank_form.storage.delete(material.blank_form.name)
    assert client.get(_url(guide)).status_code == 404
