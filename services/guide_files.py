"""What a service guide's blank form or filled sample (uploaded in the admin) may be: a document
a citizen opens to print or copy, judged by its content, never by its name."""

from __future__ import annotations

import filetype
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext_lazy as _

MAX_BYTES = 20 * 1024 * 1024
_OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")  # .doc and .xls of Office 97-2003
ACCEPTED = frozenset(
    {
        "application/pdf",
        "image/jpeg",
        "image/png",
        "application/ofd",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)


def validate_guide_document(value: File) -> None:
    """Refuse anything but PDF, JPEG, PNG, OFD and Word or Excel documents, or over 20 MB."""
    if value.size is not None and value.size > MAX_BYTES:
        raise ValidationError(
            _("A blank form or sample may be at most %(mb)d MB."),
            code="guide_document_size",
            params={"mb": MAX_BYTES // (1024 * 1024)},
        )
    from services.materials import sniff  # services.materials imports the models

    value.seek(0)
    head = value.read(8192)
    value.seek(0)
    kind = sniff(head, value) if head else None
    if kind is None and head:
        office = filetype.guess(head)
        kind = office.mime if office is not None else None
    value.seek(0)
    if kind in ACCEPTED or head.startswith(_OLE2):
        return
    raise ValidationError(
        _(
            "A blank form or sample must be a PDF, JPEG, PNG, OFD, Word or Excel file; the "
            "content of this file is none of them."
        ),
        code="guide_document_type",
    )
