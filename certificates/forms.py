from __future__ import annotations

import datetime
import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from certificates.models import Certificate, HolderKind, ValidityRule
from portal import identity
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
    """A consent for one case: one of the applicant's own cases chosen from a list, or a
    reference typed (a case of another system, or of someone he acts for on paper)."""

    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.filter(is_active=True)
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    case = forms.ChoiceField(label=_("For which of your applications"), required=False)
    case_reference = forms.CharField(
        label=_("Case reference"),
        max_length=64,
        required=False,
        help_text=_("Or type the reference of a case that is not in the list."),
    )
    days = forms.IntegerField(label=_("Days valid"), min_value=1, max_value=180, initial=30)

    def __init__(
        self, *args: Any, cases: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if cases:
            self.fields["case"].choices = [("", _("Choose an application")), *cases]  # type: ignore[attr-defined]
        else:
            del self.fields["case"]
            self.fields["case_reference"].help_text = ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        typed = (data.get("case_reference") or "").strip()
        reference = typed or data.get("case") or ""
        if not reference:
            self.add_error(
                "case" if "case" in self.fields else "case_reference",
                _("Choose one of your applications or type a case reference."),
            )
        data["case_reference"] = reference
        return data


class SurfaceForm(forms.Form):
    """A form with one text field, ``surface_<name>``, per surface field of a certificate type.

    Only the shape is checked here, and that a required field is not blank (its error beside the
    field): certificates.surface checks the values against the declared field types when the
    domain function runs, and its errors come back under "surface".
    """

    def __init__(self, *args: Any, surface_fields: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.surface_names: list[str] = []
        for field in surface_fields:
            self.fields[f"surface_{field['name']}"] = forms.CharField(
                label=field.get("label", field["name"]),
                max_length=500,
                required=bool(field.get("required")),
            )
            self.surface_names.append(field["name"])

    def surface(self) -> dict[str, str]:
        """Every surface field, blanks included: a blank tells renew to clear a value it would
        otherwise carry over, and certificates.surface.clean leaves blank values out."""
        return {name: self.cleaned_data.get(f"surface_{name}", "") for name in self.surface_names}


class IssueForm(SurfaceForm):
    """Issuing in the staff area; the type's surface fields are added as text fields, and the
    holder's code is asked for, and checked, as the type's holder kind has it."""

    holder_name = forms.CharField(label=_("Holder's name"), max_length=200)
    holder_code = forms.CharField(label=_("Holder's resident ID number"), max_length=32)
    number = forms.CharField(label=_("Certificate number"), max_length=64, required=False)
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        help_text=_("Only for types whose validity is given at issue (YYYY-MM-DD)."),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, holder_kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.holder_kind = holder_kind
        if holder_kind == HolderKind.ORGANISATION:
            self.fields["holder_code"].label = _("Holder's unified social credit code")
            self.fields["holder_name"].label = _("Organisation's name")
        self.order_fields(["holder_name", "holder_code", "number"])

    def clean_holder_name(self) -> str:
        name: str = self.cleaned_data["holder_name"]
        return _holder_name(name) if self.holder_kind == HolderKind.PERSON else name

    def clean_holder_code(self) -> str:
        code: str = self.cleaned_data["holder_code"]
        if self.holder_kind == HolderKind.ORGANISATION:
            try:
                return identity.validate_uscc(code)
            except forms.ValidationError:
                if not _is_id_number(code):
                    raise
                raise forms.ValidationError(
                    _(
                        "This is a resident ID number, but this type is held by organisations: "
                        "enter the organisation's unified social credit code."
                    ),
                    code="holder_kind",
                ) from None
        return identity.validate_id_number(code)


def _holder_name(name: str) -> str:
    """A person's name on a certificate is his legal name, by the same rule as he declares it."""
    return identity.validate_legal_name(name)


def _is_id_number(code: str) -> bool:
    try:
        identity.validate_id_number(code)
    except forms.ValidationError:
        return False
    return True


class IssueConfirmForm(forms.Form):
    """The preview's answer where the holder already has a valid certificate of the type."""

    second_on_purpose = forms.BooleanField(
        label=_("Issue a second certificate of this type to this holder on purpose"),
        required=True,
        error_messages={
            "required": _(
                "Tick the box to issue a second certificate, or renew the one the holder has."
            )
        },
    )


class RenewForm(SurfaceForm):
    """Renewal or change (换证/变更) in the staff area, prefilled from the current version.

    The end date is asked for only where the type's validity is given at issue: for the other
    rules the domain works it out and refuses one.
    """

    holder_name = forms.CharField(label=_("Holder's name"), max_length=200)
    valid_until = forms.DateField(
        label=_("Valid until"), help_text=_("The new version's last valid day (YYYY-MM-DD).")
    )
    reason = forms.CharField(label=_("Reason for the renewal or change"), max_length=200)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, certificate: Certificate, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "holder_name": certificate.holder_name,
                # A new key per page shown, so that sending the same page twice renews once.
                "idempotency_key": uuid.uuid4().hex,
                **{f"surface_{name}": value for name, value in certificate.surface.items()},
            },
        )
        super().__init__(*args, surface_fields=certificate.type.fields, **kwargs)
        self.holder_kind = certificate.type.holder_kind
        if certificate.type.validity_rule != ValidityRule.GIVEN:
            del self.fields["valid_until"]
        self.order_fields(
            ["holder_name", *(f"surface_{name}" for name in self.surface_names), "valid_until"]
        )

    def clean_holder_name(self) -> str:
        name: str = self.cleaned_data["holder_name"]
        return _holder_name(name) if self.holder_kind == HolderKind.PERSON else name


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Recorded with the change and shown in the certificate's history."),
    )
