"""The printable certificate (PDF with an embedded CJK font) and verification QR codes.

fpdf2 embeds a subset of a TrueType/OpenType font. The CJK font comes from Debian's
``fonts-noto-cjk`` (Noto Sans CJK SC, face 2 of the collection) or ``fonts-wqy-zenhei``.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import qrcode
from django.utils.translation import gettext as _
from fpdf import FPDF

from certificates.models import Certificate

# (path, face index in a collection): the first one present is used.
CJK_FONTS = [
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),
    (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0),
]


class FontMissing(RuntimeError):
    """No font with Chinese glyphs is installed (apt-get install fonts-noto-cjk)."""


def cjk_font() -> tuple[Path, int] | None:
    return next(((path, face) for path, face in CJK_FONTS if path.exists()), None)


def qr_png(text: str, *, box_size: int = 10) -> bytes:
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=2
    )
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_data_uri(text: str) -> str:
    """A PNG data URI: the CSP allows ``img-src data:`` and no inline script or style."""
    return "data:image/png;base64," + base64.b64encode(qr_png(text)).decode("ascii")


def pdf(certificate: Certificate, *, verify_url: str) -> bytes:
    """An A5 landscape certificate with its surface fields and a verification QR code."""
    font = cjk_font()
    if font is None:
        raise FontMissing("no CJK font installed: apt-get install fonts-noto-cjk")
    path, face = font
    doc = FPDF(orientation="landscape", unit="mm", format=(148, 210))  # A5
    doc.set_title(certificate.type.name)
    doc.set_creator("One Window")
    doc.add_font("cjk", "", str(path), collection_font_number=face)
    doc.add_page()
    colour = str(certificate.type.layout.get("colour", "#1f4e79")).lstrip("#")
    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    doc.set_draw_color(r, g, b)
    doc.set_line_width(1.2)
    doc.rect(8, 8, 194, 132)
    doc.set_text_color(r, g, b)
    doc.set_font("cjk", size=20)
    doc.set_xy(12, 14)
    doc.cell(150, 12, str(certificate.type.layout.get("title", certificate.type.name)))
    doc.set_text_color(0, 0, 0)
    doc.set_font("cjk", size=10)
    labels = {f["name"]: f.get("label", f["name"]) for f in certificate.type.fields}
    rows = [
        (_("Holder"), certificate.holder_name),
        (_("Holder code"), certificate.holder_code_masked),
        (_("Certificate number"), certificate.number),
    ]
    rows += [(labels.get(k, k), str(v)) for k, v in certificate.surface.items()]
    rows += [
        (_("Issued by"), certificate.issuer.name),
        (_("Issue date"), certificate.issued_on.isoformat()),
        (
            _("Valid until"),
            certificate.valid_until.isoformat() if certificate.valid_until else _("long-term"),
        ),
    ]
    y = 32.0
    for label, value in rows:
        doc.set_xy(14, y)
        doc.cell(36, 7, str(label))
        doc.cell(104, 7, str(value)[:60])
        y += 7.5
    doc.image(io.BytesIO(qr_png(verify_url, box_size=6)), x=158, y=34, w=38, h=38)
    doc.set_font("cjk", size=6)
    doc.set_xy(12, 128)
    doc.cell(186, 5, certificate.identifier)
    return bytes(doc.output())
