from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import Department

LIFETIMES = [
    ("10", _("10 minutes")),
    ("60", _("1 hour")),
    ("1440", _("1 day")),
    ("10080", _("7 days")),
]


class ShareForm(forms.Form):
    lifetime = forms.TypedChoiceField(
        label=_("Link valid for"), choices=LIFETIMES, coerce=int, initial="60"
    )
    one_time = forms.BooleanField(label=_("Can be opened only once"), required=False)
    shown_fields = forms.MultipleChoiceField(
        label=_("Also show"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Without a choice, the holder's name and number are shown masked."),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shown_fields"].choices = choices  # type: ignore[attr-defined]

    def lifetime_delta(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.cleaned_data["lifetime"])


class GrantForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.filter(is_active=True)
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    case_reference = forms.CharField(label=_("Case reference"), max_length=64)
    days = forms.IntegerField(label=_("Days valid"), min_value=1, max_value=180, initial=30)


class IssueForm(forms.Form):
    """Issuing in the staff area; the type's surface fields are added as text fields."""

    holder_name = forms.CharField(label=_("Holder's name"), max_length=200)
    holder_code = forms.CharField(
        label=_("Holder's resident ID number or unified social credit code"), max_length=32
    )
    number = forms.CharField(label=_("Certificate number"), max_length=64, required=False)
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        help_text=_("Only for types whose validity is given at issue (YYYY-MM-DD)."),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, surface_fields: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.surface_names = []
        for field in surface_fields:
            name = f"surface_{field['name']}"
            self.fields[name] = forms.CharField(
                label=field.get("label", field["name"]), max_length=500, required=False
            )
            self.surface_names.append(field["name"])

    def surface(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[f"surface_{name}"]
            for name in self.surface_names
            if self.cleaned_data.get(f"surface_{name}")
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
