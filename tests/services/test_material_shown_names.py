"""A material stored before names were made safe (a path, control characters, a right-to-left
override, a name far too long) is shown everywhere in its safe form: the applicant's form and case
page, the counter, the reviewer's workbench, the API and the download's file name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from services import materials
from services.models import Application, Material
from tests.services.cases import attach_pdf, profile_of, world
from tests.services.review_cases import sign_in
from tests.services.test_material_names import download_name

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]

# Shows as "…证书exe.pdf" in a right-to-left run; the path and the bell must not reach a page.
HOSTILE = "..\\..\\Windows\\System32\\证书\u202efdp.exe\x07" + "长" * 150 + ".pdf.hta"


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_MFA_REQUIRED = False


def _hostile(material: Material) -> str:
    Material.objects.filter(pk=material.pk).update(file_name=HOSTILE)
    safe = materials.safe_file_name(HOSTILE, material.content_type)
    assert safe.startswith("证书fdp.exe") and safe.endswith(".pdf") and len(safe) <= 104
    return safe


def _shows_only_the_safe_name(page: str, safe: str) -> None:
    assert safe in page
    for raw in ("\u202e", "\x07", "System32", "长" * 101, ".hta"):
        assert raw not in page


def test_the_model_shows_an_uploads_safe_name_and_a_certificates_own_name():
    w = world()
    material = w.submitted().materials.get()
    safe = _hostile(material)
    material.refresh_from_db()
    assert material.shown_name == safe == str(material)
    material.source = "certificate"
    material.file_name = "居民身份证"
    assert material.shown_name == "居民身份证"  # the catalogue's name, not a file's


def test_the_applicants_form_shows_the_safe_name(client, english):
    w = world()
    app = w.draft()
    material = attach_pdf(app, w.material, w.applicant)
    safe = _hostile(material)
    sign_in(client, w.applicant)
    page = client.get(reverse("services:application_edit", args=[app.pk])).content.decode()
    assert f"Handed in: {safe}" in page
    _shows_only_the_safe_name(page, safe)


def test_the_applicants_case_page_shows_the_safe_name(client):
    w = world()
    submitted = w.submitted()
    safe = _hostile(submitted.materials.get())
    sign_in(client, w.applicant)
    page = client.get(reverse("services:application_detail", args=[submitted.pk]))
    assert page.status_code == 200
    _shows_only_the_safe_name(page.content.decode(), safe)


def test_the_counter_shows_a_scanned_materials_safe_name(client):
    w = world()
    sign_in(client, w.clerk)
    number = profile_of(w.applicant).reveal_id_number()
    client.post("/staff/counter/new/", {"id_number": number, "reason": "窗口收件"})
    client.post("/staff/counter/new/draft/", {"service": w.service.code})
    draft = Application.objects.get(applicant=w.applicant, channel="counter")
    safe = _hostile(attach_pdf(draft, w.material, w.clerk))
    page = client.get(reverse("services:counter_intake", args=[draft.pk]))
    assert page.status_code == 200
    _shows_only_the_safe_name(page.content.decode(), safe)


def test_the_workbench_shows_the_safe_name_and_downloads_under_it(client):
    w = world()
    accepted = w.accepted()
    material = accepted.materials.get()
    safe = _hostile(material)
    sign_in(client, w.reviewer)
    case = client.get(reverse("services:workbench_case", args=[accepted.pk]))
    assert case.status_code == 200
    _shows_only_the_safe_name(case.content.decode(), safe)
    download = client.get(reverse("services:material_download", args=[material.pk]))
    assert download.status_code == 200
    assert download_name(download) == safe
    assert "\u202e" not in download["Content-Disposition"]


def test_the_api_gives_the_safe_name(client):
    w = world()
    submitted = w.submitted()
    safe = _hostile(submitted.materials.get())
    client.force_login(w.applicant)
    case = client.get(f"/api/v1/applications/{submitted.pk}/")
    assert case.status_code == 200, case.content
    assert [m["file_name"] for m in case.json()["materials"]] == [safe]
