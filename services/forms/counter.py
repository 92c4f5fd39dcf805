"""Forms of the window clerk's pages: finding a service, deciding on intake, finding a result."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal import identity
from portal.forms import IdentifyForm, ReasonField

# How a clerk may decide on a handed-in application at intake (never review or decide it).
ACCEPT, SUPPLEMENT, REFUSE = "accept", "supplement", "refuse"


class ServiceSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Service name or code"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class IdentifyAccountForm(forms.Form):
    """Find the walk-in applicant by the account he signs in with (no ID card at hand)."""

    account = forms.CharField(
        label=_("Mobile number or e-mail of the account"),
        max_length=254,
        help_text=_("Only a verified mobile number or e-mail address finds an account."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = ReasonField(label=_("Reason"), max_length=200, initial=_("Counter service"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "account")
        super().__init__(*args, **kwargs)

    def clean_account(self) -> str:
        account = self.cleaned_data["account"].strip()
        if "@" not in account:
            identity.normalise_phone(account)  # a clear message for a malformed number
        return account


class SupplementForm(forms.Form):
    items = forms.CharField(
        label=_("Everything missing or wrong, one item a line"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The applicant receives one notice listing every item (一次性告知)."),
    )

    def item_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for not accepting"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Printed on the notice of non-acceptance: the applicant reads it."),
    )


class PickupCodeForm(forms.Form):
    pickup_code = forms.RegexField(
        label=_("Pickup code"),
        regex=r"^\d{8}$",
        max_length=8,
        error_messages={"invalid": _("A pickup code has 8 digits.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "code")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class PickupIdentifyForm(IdentifyForm):
    """The applicant's resident ID number (an audited look-up), for a forgotten pickup code."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "person")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
