"""An uploaded material leaves the private storage only through the permission-checked view,
always as a download, never rendered inline; a staff member's download is audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.models import AuditAction, AuditEvent
from services.models import Material
from tests.factories import PersonFactory
from tests.services.cases import PDF, attach_pdf, world
from tests.services.review_cases import sign_in, with_certificate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_MFA_REQUIRED = False  # tested on its own below


@pytest.fixture
def w():
    return world()


def url(material: Material) -> str:
    return reverse("services:material_download", args=[material.pk])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_applicant_downloads_his_upload_as_an_attachment(client, w):
    app = w.submitted()
    material = app.materials.get()
    sign_in(client, w.applicant)

    response = client.get(url(material))

    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="scan.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert "private" in response["Cache-Control"]
    # His own file: not an audited read of someone else's data.
    assert not AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED).exists()


def test_citizen_b_cannot_download_citizen_a_material(client, w):
    material = w.submitted().materials.get()
    sign_in(client, PersonFactory().user)
    assert client.get(url(material)).status_code == 404


def test_a_material_that_does_not_exist_is_the_same_404(client, w):
    sign_in(client, w.applicant)
    assert client.get(reverse("services:material_download", args=[999_999])).status_code == 404


def test_signing_in_comes_first(client, w):
    material = w.submitted().materials.get()
    response = client.get(url(material))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_reviewer_downloads_it_and_the_read_is_audited(client, w):
    app = w.accepted()
    material = app.materials.get()
    sign_in(client, w.reviewer)

    response = client.get(url(material))

    assert response.status_code == 200 and body(response) == PDF
    audit = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_VIEWED, actor=w.reviewer)
    assert audit.subject == w.applicant
    assert audit.detail == {"application_id": app.pk, "material_id": material.pk}


def test_the_intake_clerk_of_the_hall_may_download_it_too(client, w):
    material = w.submitted().materials.get()
    sign_in(client, w.clerk)
    assert client.get(url(material)).status_code == 200
    assert AuditEvent.objects.filter(actor=w.clerk).count() == 1


def test_staff_of_another_department_get_404_and_no_audit_row(client, w):
    material = w.accepted().materials.get()
    other = world()
    for user in (other.reviewer, other.department_admin, other.clerk):
        sign_in(client, user)
        assert client.get(url(material)).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED).exists()


def test_a_certificate_material_has_no_file_to_download(client, w):
    app, _form, _certificate = with_certificate(w)
    material = app.materials.get(source="certificate")
    sign_in(client, w.reviewer)
    assert client.get(url(material)).status_code == 404
    sign_in(client, w.applicant)
    assert client.get(url(material)).status_code == 404


def test_a_file_name_with_control_characters_is_encoded_not_split(client, w):
    app = w.draft()
    material = attach_pdf(app, w.material, w.applicant)
    Material.objects.filter(pk=material.pk).update(file_name='a"\r\nSet-Cookie: x=1\\..pdf')
    sign_in(client, w.applicant)

    response = client.get(url(material))

    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert disposition.startswith("attachment;")
    assert "Set-Cookie" not in response.headers or "x=1" not in response.headers["Set-Cookie"]


def test_even_html_is_sent_as_a_download_never_inline(client, w):
    material = w.submitted().materials.get()
    Material.objects.filter(pk=material.pk).update(content_type="text/html", file_name="page.html")
    sign_in(client, w.applicant)
    response = client.get(url(material))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_staff_need_their_second_factor_to_download(client, w, settings):
    settings.STAFF_MFA_REQUIRED = True
    material = w.accepted().materials.get()
    sign_in(client, w.reviewer)

    response = client.get(url(material))

    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED).exists()


def test_the_applicant_needs_no_second_factor_for_his_own_file(client, w, settings):
    settings.STAFF_MFA_REQUIRED = True
    material = w.submitted().materials.get()
    sign_in(client, w.applicant)
    assert client.get(url(material)).status_code == 200
