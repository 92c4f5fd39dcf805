"""A guide's blank form or sample, uploaded in the admin, must be a document citizens can open:
the admin's form refuses an HTML page, a script or an SVG whatever its name says."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import modelform_factory

from services.admin import MaterialInline
from services.models import MaterialRequirement
from tests.services.factories import ServiceFactory

pytestmark = pytest.mark.django_db

InlineForm = modelform_factory(MaterialRequirement, fields=MaterialInline.fields)


def _docx() -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return data.getvalue()


def _form(field: str, name: str, content: bytes):
    service = ServiceFactory()
    data = {
        "order": 1,
        "key": "application",
        "name": "申请表",
        "requirement": "required",
        "form": "original",
        "copies": 1,
        "file_types": "pdf",
        "max_size_mb": 10,
    }
    form = InlineForm(
        data=data,
        files={field: SimpleUploadedFile(name, content)},
        instance=MaterialRequirement(service=service),
    )
    return form


@pytest.mark.parametrize("field", ["blank_form", "sample"])
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("申请表.pdf", b"<html><script>alert(1)</script></html>"),
        ("样表.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("form.js", b"alert(document.cookie)"),
    ],
)
def test_a_file_that_is_no_document_is_refused_with_a_reason(field, name, content, english):
    form = _form(field, name, content)
    assert not form.is_valid()
    assert "must be a PDF, JPEG, PNG, OFD, Word or Excel file" in str(form.errors[field])


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("申请表.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
        ("申请表.docx", _docx()),
        ("申请表.doc", bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)),
    ],
)
def test_a_pdf_or_office_document_is_taken(name, content):
    form = _form("blank_form", name, content)
    assert form.is_valid(), form.errors


def test_a_file_over_20_mb_is_refused(english):
    form = _form("sample", "big.pdf", b"%PDF-1.7\n" + bytes(20 * 1024 * 1024))
    assert not form.is_valid()
    assert "at most 20 MB" in str(form.errors["sample"])
