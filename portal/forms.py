import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal import identity
from portal.adapters import MainlandPhoneField


class NoNulCharField(forms.CharField):
    """A text field that refuses NUL bytes with a message instead of a database error."""

    default_error_messages = {"null_characters_not_allowed": _("Text may not contain NUL bytes.")}


class ReasonField(NoNulCharField):
    """Why a clerk acts: kept in the audit log, so it may not hold ID or phone numbers."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and identity.mentions_personal_numbers(value):
            raise identity.personal_numbers_error()


class PhonePasswordResetForm(forms.Form):
    """The mobile number to text a password reset code to."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"] = MainlandPhoneField(
            help_text=_("The number you signed up with. We text a code to it if it has an account.")
        )
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"


class RealNameForm(forms.Form):
    legal_name = NoNulCharField(
        label=_("Legal name"), max_length=64, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=24,
        help_text=_("18 characters, as printed on your ID card."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_legal_name(self) -> str:
        return identity.validate_legal_name(self.cleaned_data["legal_name"])

    def clean_id_number(self) -> str:
        return identity.validate_id_number(self.cleaned_data["id_number"])


class OrganisationForm(forms.Form):
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=24)
    name = NoNulCharField(label=_("Registered name"), max_length=200)

    def clean_uscc(self) -> str:
        return identity.validate_uscc(self.cleaned_data["uscc"])


class AgentForm(forms.Form):
    phone = forms.CharField(
        label=_("Agent's mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )

    def clean_phone(self) -> str:
        return identity.normalise_phone(self.cleaned_data["phone"])


class IdentifyForm(forms.Form):
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    reason = ReasonField(label=_("Reason"), max_length=200, initial=_("Counter service"))

    def clean_id_number(self) -> str:
        return identity.validate_id_number(self.cleaned_data["id_number"])


class WindowCodeForm(forms.Form):
    """The code the citizen reads from his phone to the clerk."""

    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=24,
        help_text=_("6 digits. Ask the citizen to read it from their phone."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "window")
        super().__init__(*args, **kwargs)

    def clean_code(self) -> str:
        # A Chinese input method in full-width mode types １２３４５６: the same code.
        code = "".join(unicodedata.normalize("NFKC", self.cleaned_data["code"]).split())
        if not re.fullmatch(r"[0-9]{6}", code):
            raise forms.ValidationError(_("The code has 6 digits."), code="invalid")
        return code


class OrganisationAtWindowForm(forms.Form):
    """From the business licence the citizen shows, naming him as legal representative."""

    uscc = forms.CharField(label=_("Unified social credit code"), max_length=24)
    name = NoNulCharField(label=_("Registered name"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "org")
        super().__init__(*args, **kwargs)

    def clean_uscc(self) -> str:
        return identity.validate_uscc(self.cleaned_data["uscc"])


class ReleaseForm(forms.Form):
    """Why the clerk releases an ID number from an account that is not the card holder's."""

    reason = ReasonField(
        label=_("Reason for releasing the number"),
        max_length=200,
        help_text=_(
            "For example: the holder showed their ID card and cannot give the code sent to "
            "this account."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "release")
        super().__init__(*args, **kwargs)


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a domain ValidationError onto the form, by field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
