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


class _Sheet(FPDF):
    """A5 landscape; every page framed in the type's colour. Long values wrap onto more pages."""

    def __init__(self, colour: tuple[int, int, int], identifier: str) -> None:
        super().__init__(orientation="landscape", unit="mm", format=(148, 210))
        self.colour, self.identifier = colour, identifier
        self.set_auto_page_break(auto=True, margin=22)  # the identifier line stays clear

    def header(self) -> None:
        self.set_draw_color(*self.colour)
        self.set_line_width(1.2)
        self.rect(8, 8, 194, 132)
        self.set_y(16 if self.page_no() > 1 else 14)

    def footer(self) -> None:
        """Every page names its certificate, so that a page alone can be checked."""
        self.set_font("cjk", size=6)
        self.set_xy(12, 128)
        self.cell(186, 5, f"{self.identifier}  {self.page_no()}/{{nb}}")


def _colour(certificate: Certificate) -> tuple[int, int, int]:
    colour = str(certificate.type.layout.get("colour", "#1f4e79")).lstrip("#")
    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return r, g, b


def _rows(certificate: Certificate) -> list[tuple[str, str]]:
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
    return [(str(label), str(value)) for label, value in rows]


def pdf(certificate: Certificate, *, verify_url: str) -> bytes:
    """An A5 landscape certificate with its surface fields and a verification QR code."""
    font = cjk_font()
    if font is None:
        raise FontMissing("no CJK font installed: apt-get install fonts-noto-cjk")
    path, face = font
    doc = _Sheet(_colour(certificate), certificate.identifier)
    doc.set_title(certificate.type.name)
    doc.set_creator("One Window")
    doc.add_font("cjk", "", str(path), collection_font_number=face)
    doc.add_page()
    doc.set_text_color(*doc.colour)
    doc.set_font("cjk", size=20)
    doc.set_x(12)
    doc.cell(150, 12, str(certificate.type.layout.get("title", certificate.type.name)))
    doc.image(io.BytesIO(qr_png(verify_url, box_size=6)), x=158, y=34, w=38, h=38)
    doc.set_text_color(0, 0, 0)
    doc.set_font("cjk", size=10)
    doc.set_y(32)
    for label, value in _rows(certificate):
        doc.set_x(14)
        doc.cell(36, 7, label)
        doc.multi_cell(104, 7, value, new_x="LMARGIN", new_y="NEXT")  # wraps, never cut
        doc.set_y(doc.get_y() + 0.5)
    return bytes(doc.output())
