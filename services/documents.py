"""The window's printed documents: the acceptance receipt (受理回执), the refusal notice
(不予受理通知书) and the supplement notice (一次性告知书).

Each is a list of facts read here once, shown by a print page (HTML with print CSS) and, for
the receipt, by a PDF with the CJK font embedded as the certificate PDFs are
(``certificates.rendering``). No ID number is printed in clear: the applicant's name and the
masked number only. The QR code carries the public tracking link, which shows no personal data.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.conf import settings
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from certificates.rendering import FontMissing, cjk_font, qr_data_uri, qr_png
from portal.models import PersonProfile
from services import kiosk_devices
from services.models.applications import Application, ApplicationEvent, MaterialSource

NOTICE_ACTIONS = ("refuse", "request_supplement")


@dataclass(frozen=True)
class Document:
    """What a printed document says: its title, facts as (label, value), and lists."""

    title: str
    number: str
    facts: list[tuple[str, str]]
    materials: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    reason: str = ""
    tracking_url: str = ""
    hall: str = ""
    hall_address: str = ""
    issued_on: str = ""

    def qr_data_uri(self) -> str:
        return qr_data_uri(self.tracking_url) if self.tracking_url else ""


def tracking_url(application: Application) -> str:
    """The absolute public progress link (办件进度查询) of the case."""
    try:
        path = reverse("services:track", args=[application.tracking_token])
    except NoReverseMatch:  # the progress page is not routed (yet): keep the link's form
        path = f"/track/{application.tracking_token}/"
    return settings.SITE_URL.rstrip("/") + path


def _applicant(application: Application) -> str:
    if application.organisation_id is not None:
        return application.organisation.name  # type: ignore[union-attr]
    profile = PersonProfile.objects.filter(user_id=application.applicant_id).first()
    if profile is None or not profile.legal_name:
        return application.applicant.display_name
    return (
        f"{profile.legal_name}（{profile.id_number_masked}）"
        if profile.id_number_masked
        else (profile.legal_name)
    )


def _material_line(material: object) -> str:
    from services.models.applications import Material

    assert isinstance(material, Material)
    if material.source == MaterialSource.PAPER:
        held = [
            str(word)
            for word, ticked in (
                (_("original seen"), material.original_seen),
                (_("copy taken"), material.copy_taken),
            )
            if ticked
        ]
        return f"{material.requirement.name}（{'，'.join(held)}）"
    return f"{material.requirement.name}（{MaterialSource(material.source).label}）"


def _common(application: Application) -> list[tuple[str, str]]:
    service = application.service
    assert service is not None
    return [
        (_("Service"), service.display_name),
        (_("Department"), service.department.name),
        (_("Applicant"), _applicant(application)),
    ]


def _hall(application: Application) -> tuple[str, str]:
    hall = application.hall
    return (hall.display_name, hall.display_address) if hall is not None else ("", "")


def receipt(application: Application) -> Document:
    """受理回执: 404 for a case not (yet) accepted."""
    if not application.acceptance_number or application.accepted_at is None:
        raise Http404
    due = ""
    if application.due_date is not None:
        due = application.due_date.isoformat()
        if application.due_provisional:
            due += "（" + _("provisional: next year's holidays are not published yet") + "）"
    facts = [
        (_("Acceptance number"), application.acceptance_number),
        # Beside the number: with it, the hall's kiosk looks the progress up (the number alone
        # is sequential, so it is not enough; the QR code's link is the other way).
        (_("Check code"), kiosk_devices.check_code(application)),
        *_common(application),
        (_("Accepted on"), timezone.localtime(application.accepted_at).strftime("%Y-%m-%d %H:%M")),
        (_("Promised by"), due or "—"),
    ]
    hall, address = _hall(application)
    return Document(
        title=_("Acceptance receipt"),
        number=application.acceptance_number,
        facts=facts,
        materials=[_material_line(m) for m in application.materials.select_related("requirement")],
        tracking_url=tracking_url(application),
        hall=hall,
        hall_address=address,
        issued_on=timezone.localdate(application.accepted_at).isoformat(),
    )


def notice_event(application: Application) -> ApplicationEvent:
    """The latest refusal or supplement request at intake, or 404."""
    event = (
        application.events.filter(action__in=NOTICE_ACTIONS, from_status="submitted")
        .order_by("-at", "-id")
        .first()
    )
    if event is None:
        raise Http404
    return event


def notice(application: Application) -> Document:
    """不予受理通知书 (with the reason) or 一次性告知书 (with every item), as given at intake."""
    event = notice_event(application)
    hall, address = _hall(application)
    facts = [
        (_("Application reference"), application.reference),
        *_common(application),
        (_("Date"), timezone.localdate(event.at).isoformat()),
    ]
    if event.action == "refuse":
        return Document(
            title=_("Notice of non-acceptance"),
            number=application.reference,
            facts=facts,
            reason=event.opinion,
            hall=hall,
            hall_address=address,
            issued_on=timezone.localdate(event.at).isoformat(),
        )
    items = event.detail.get("items", []) if isinstance(event.detail, dict) else []
    return Document(
        title=_("One-time notice of materials to supplement"),
        number=application.reference,
        facts=facts,
        items=[str(item) for item in items],
        tracking_url=tracking_url(application),
        hall=hall,
        hall_address=address,
        issued_on=timezone.localdate(event.at).isoformat(),
    )


# --- PDF ----------------------------------------------------------------------------------


class _Page(FPDF):
    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("cjk", size=7)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"{self.title_text}  {self.page_no()}/{{nb}}", align="C")

    title_text = ""


def pdf(document: Document) -> bytes:
    """An A4 page: title, the facts, the materials, the hall, and the tracking QR code."""
    font = cjk_font()
    if font is None:
        raise FontMissing("no CJK font installed: apt-get install fonts-noto-cjk")
    path, face = font
    doc = _Page(orientation="portrait", unit="mm", format="A4")
    doc.title_text = f"{document.title} {document.number}"
    doc.set_title(document.title)
    doc.set_creator("One Window")
    doc.add_font("cjk", "", str(path), collection_font_number=face)
    doc.set_auto_page_break(auto=True, margin=20)
    doc.add_page()
    doc.set_font("cjk", size=18)
    doc.cell(0, 12, document.title, align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", size=10)
    if document.tracking_url:
        doc.image(io.BytesIO(qr_png(document.tracking_url, box_size=6)), x=160, y=28, w=36, h=36)
    doc.set_y(30)
    for label, value in document.facts:
        doc.set_x(14)
        doc.cell(40, 7, label)
        doc.multi_cell(100, 7, value, new_x="LMARGIN", new_y="NEXT")
    _list(doc, _("Materials received"), document.materials)
    _list(doc, _("To supplement"), document.items)
    if document.reason:
        _list(doc, _("Reason"), [document.reason])
    if document.tracking_url:
        doc.set_y(max(doc.get_y(), 70) + 4)
        doc.set_font("cjk", size=9)
        doc.multi_cell(
            0,
            6,
            _("Follow the progress: scan the code or open %(url)s")
            % {"url": document.tracking_url},
            new_x="LMARGIN",
            new_y="NEXT",
        )
    if document.hall:
        doc.ln(4)
        doc.set_font("cjk", size=10)
        doc.multi_cell(
            0, 6, f"{document.hall}  {document.hall_address}  {document.issued_on}", align="R"
        )
    return bytes(doc.output())


def _list(doc: FPDF, heading: str, lines: list[str]) -> None:
    if not lines:
        return
    doc.ln(3)
    doc.set_font("cjk", size=12)
    doc.cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", size=10)
    for number, line in enumerate(lines, 1):
        doc.set_x(14)
        doc.multi_cell(180, 6, f"{number}. {line}", new_x="LMARGIN", new_y="NEXT")
