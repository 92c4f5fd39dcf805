"""An uploaded material is stored and downloaded under a name whose extension is the type its
content really is: a PDF named 不动产权证书.pdf.hta (a PDF header with HTML after it, which
Windows runs as an HTML application) reaches the clerk as 不动产权证书.pdf, also when it was
stored before names were made safe."""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse

from services import materials
from services.models import Material
from tests.services.cases import world
from tests.services.review_cases import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]

POLYGLOT = b"%PDF-1.4\n<html><hta:application><script>alert(1)</script></html>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\0" * 40


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_MFA_REQUIRED = False


def download_name(response) -> str:
    """The file name a browser saves the download under."""
    disposition = response["Content-Disposition"]
    encoded = re.search(r"filename\*=utf-8''([^;]+)", disposition, re.I)
    if encoded:
        return unquote(encoded.group(1))
    return re.search(r'filename="([^"]*)"', disposition).group(1)


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ("不动产权证书.pdf.hta", "不动产权证书.pdf"),
        ("x.pdf.html", "x.pdf"),
        ("passwd.pdf.html", "passwd.pdf"),
        ("scan.PDF.exe", "scan.pdf"),
        ("invoice.pdf .exe", "invoice.pdf"),
        ("证书。hta", "证书.pdf"),
        ("invoice\u202efdp.hta", "invoicefdp.pdf"),  # right-to-left override: shows as "...ath.pdf"
        ("C:\\Users\\张三\\Desktop\\户口本 2024.05.pdf", "户口本 2024.05.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ('a<b>"c|d?.pdf', "abcd.pdf"),
        ("CON.pdf", "CON_.pdf"),
        ("", "material.pdf"),
        ("...", "material.pdf"),
    ],
)
def test_an_upload_is_named_for_what_it_is(client, given, named):
    w = world()
    app = w.draft()
    material = materials.attach_upload(
        app, w.material, io.BytesIO(POLYGLOT), name=given, by=w.applicant
    )
    assert material.content_type == "application/pdf"
    assert material.file_name == named
    sign_in(client, w.applicant)
    response = client.get(reverse("services:material_download", args=[material.pk]))
    assert response.status_code == 200
    assert download_name(response) == named


def test_the_extension_is_the_contents_not_the_names(client):
    w = world()
    w.material.file_types = "pdf,png"
    w.material.save()
    app = w.draft()
    material = materials.attach_upload(
        app, w.material, io.BytesIO(PNG), name="身份证.pdf", by=w.applicant
    )
    assert (material.content_type, material.file_name) == ("image/png", "身份证.png")


def test_a_material_stored_before_is_downloaded_under_a_safe_name_too(client):
    w = world()
    app = w.draft()
    material = materials.attach_upload(
        app, w.material, io.BytesIO(POLYGLOT), name="x.pdf", by=w.applicant
    )
    Material.objects.filter(pk=material.pk).update(file_name="不动产权证书.pdf.hta")
    sign_in(client, w.applicant)
    response = client.get(reverse("services:material_download", args=[material.pk]))
    assert response.status_code == 200
    assert download_name(response) == "不动产权证书.pdf"
    assert response["Content-Disposition"].startswith("attachment;")
