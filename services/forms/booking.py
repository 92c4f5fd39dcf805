"""Forms of the hall pages: the clerk's check-in desk and the kiosk's fields.

They only check the input's shape; the booking and queueing rules refuse the rest.
"""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from portal import identity


class SlotChoiceForm(forms.Form):
    """The slot picked on the booking pages (a number; the domain checks the rest)."""

    slot = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class CheckInDeskForm(forms.Form):
    """The clerk's check-in desk: a booking code or the visitor's resident ID number."""

    code = forms.CharField(
        label=_("Booking code"),
        required=False,
        max_length=200,
        help_text=_("Scan the booking's QR code or type its 10 digits."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    id_number = forms.CharField(
        label=_("Or the visitor's resident ID number"),
        required=False,
        max_length=18,
        help_text=_("Looking a person up by ID number is recorded."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if not (data.get("code", "").strip() or data.get("id_number", "").strip()):
            raise forms.ValidationError(_("Enter a booking code or an ID number."))
        return data


class KioskCodeForm(forms.Form):
    """What the kiosk's scanner or keypad typed: a booking QR payload or its code."""

    code = forms.CharField(label=_("Booking code"), max_length=200)


class KioskHolderForm(forms.Form):
    """Who takes a walk-in ticket at the kiosk: his ID number (the card reader types it) or his
    mobile number, so that one person cannot take a pile of tickets for the same queue."""

    holder = forms.CharField(label=_("Your ID number or mobile number"), max_length=40)

    def clean_holder(self) -> str:
        typed = self.cleaned_data["holder"]
        digits = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", typed)).upper()
        local = re.sub(r"^(\+86|0086)", "", digits)
        if len(local) == 11 and local.startswith("1") and local.isdigit():
            return identity.normalise_phone(digits)
        if len(digits) >= 15 or "X" in digits:
            return identity.validate_id_number(typed)
        raise forms.ValidationError(
            _("Enter your 18-character ID number or your 11-digit mobile number."),
            code="holder",
        )


class AcceptanceNumberForm(forms.Form):
    number = forms.CharField(label=_("Acceptance number"), max_length=40)


class VerifyScanForm(forms.Form):
    scanned = forms.CharField(label=_("Certificate QR code"), max_length=500)
