"""Forms of the hall pages: the clerk's check-in desk and the kiosk's fields.

They only check the input's shape; the booking and queueing rules refuse the rest.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


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


class AcceptanceNumberForm(forms.Form):
    number = forms.CharField(label=_("Acceptance number"), max_length=40)


class VerifyScanForm(forms.Form):
    scanned = forms.CharField(label=_("Certificate QR code"), max_length=500)
