"""Forms of the applicant's pages: starting, the materials of a draft, bundle choices,
withdrawing, and the status filter of 我的办件.

Answers are checked by the form definition (``services.formdefs``) and materials by
``services.materials``; these forms only carry what the person chose.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from certificates.models import Certificate
from services.models import MaterialRequirement
from services.models.applications import Application, ApplicationStatus, Material

UPLOAD = ""  # the value of "upload a file instead" among the certificate choices


class StartForm(forms.Form):
    """Starting a draft; the token makes a double click start one draft, not two."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    @staticmethod
    def new() -> StartForm:
        return StartForm(initial={"token": secrets.token_urlsafe(16)})


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("Yes, withdraw this application. It cannot be undone."),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *list(ApplicationStatus.choices)],
    )


def bundle_choices_form(optional: list[tuple[str, str]], chosen: list[str], data: Any = None):  # type: ignore[no-untyped-def]
    """Check boxes for the bundle's optional services (their codes)."""

    class BundleChoicesForm(forms.Form):
        bundle_choices = forms.MultipleChoiceField(
            label=_("Also apply for"),
            required=False,
            choices=optional,
            widget=forms.CheckboxSelectMultiple,
        )

    return BundleChoicesForm(data, initial={"bundle_choices": chosen}, prefix="bundle")


@dataclass
class MaterialSlot:
    """One material on the page: what is asked, what was handed in, the e-certificates that
    may replace it, and the errors of the last try."""

    requirement: MaterialRequirement
    current: Material | None
    certificates: list[Certificate]
    errors: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"material-{self.requirement.pk}"

    @property
    def file_name(self) -> str:
        return f"file-{self.requirement.pk}"

    @property
    def choice_name(self) -> str:
        return f"certificate-{self.requirement.pk}"

    @property
    def required(self) -> bool:
        return self.requirement.requirement == MaterialRequirement.Requirement.REQUIRED

    @property
    def chosen_certificate_id(self) -> int | None:
        return self.current.certificate_id if self.current is not None else None


@dataclass(frozen=True)
class MaterialChoice:
    """What the person asked for one material: an upload, a certificate, or nothing new."""

    slot: MaterialSlot
    upload: UploadedFile | None
    certificate: Certificate | None


def material_choices(
    slots: list[MaterialSlot], data: QueryDict, files: Any
) -> list[MaterialChoice]:
    """The uploads and certificate choices posted, one per slot that changes.

    A certificate already handed in and still chosen changes nothing (no second consent);
    a chosen certificate that is not offered is reported on the slot.
    """
    choices = []
    for slot in slots:
        upload = files.get(slot.file_name)
        raw = data.get(slot.choice_name, UPLOAD)
        certificate = None
        if raw != UPLOAD:
            certificate = next((c for c in slot.certificates if str(c.pk) == raw), None)
            if certificate is None:
                slot.errors.append(str(_("Choose one of the e-certificates offered.")))
                continue
            if certificate.pk == slot.chosen_certificate_id and upload is None:
                continue
        if upload is None and certificate is None:
            continue
        # An upload wins over a certificate choice left ticked: the file is what he just chose.
        choices.append(MaterialChoice(slot, upload, None if upload is not None else certificate))
    return choices


def slot_for(
    application: Application,
    requirements: list[MaterialRequirement],
    handed_in: list[Material],
    certificates: list[Certificate],
) -> list[MaterialSlot]:
    """One slot per material key (a bundle asks each key once)."""
    by_key = {m.requirement.key: m for m in handed_in}
    slots, seen = [], set()
    for requirement in requirements:
        if requirement.key in seen:
            continue
        seen.add(requirement.key)
        offered = (
            [c for c in certificates if c.type_id == requirement.certificate_type_id]
            if requirement.certificate_type_id
            else []
        )
        slots.append(MaterialSlot(requirement, by_key.get(requirement.key), offered))
    return slots
