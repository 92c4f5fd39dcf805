"""Forms of the back office's decisions. They only carry what the reviewer wrote; the
workflow decides whether the move is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.errors import Invalid
from portal.models import User


class ApproveForm(forms.Form):
    """The opinion, and when this approval issues an e-certificate, its surface fields as the
    deciding reviewer confirms them (prefilled from the answers)."""

    prefix = "approve"

    opinion = forms.CharField(
        label=_("Opinion"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the history; the applicant sees it."),
    )

    def __init__(
        self,
        *args: Any,
        surface_fields: list[dict[str, Any]] = (),  # type: ignore[assignment]
        prefilled: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        english = get_language() == "en"
        for spec in surface_fields:
            label = (spec.get("label_en") if english else None) or spec.get("label") or spec["name"]
            widget = (
                forms.DateInput(attrs={"type": "date"})
                if spec.get("type") == "date"
                else forms.TextInput()
            )
            self.fields[f"surface_{spec['name']}"] = forms.CharField(
                label=_("Certificate: %(field)s") % {"field": label},
                required=bool(spec.get("required")),
                max_length=500,
                initial=(prefilled or {}).get(spec["name"], ""),
                widget=widget,
            )

    def surface(self) -> dict[str, str]:
        return {
            name.removeprefix("surface_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("surface_") and value
        }


class DenyForm(forms.Form):
    prefix = "deny"

    reason = forms.CharField(
        label=_("Reason for the denial"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required: the applicant reads it in the decision."),
    )


class SupplementForm(forms.Form):
    prefix = "supplement"

    items = forms.CharField(
        label=_("What is missing or wrong"),
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One item a line; the applicant gets them all in one notice."),
    )
    opinion = forms.CharField(
        label=_("Note to the applicant (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def item_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class ReviewerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        open_cases = getattr(obj, "open_cases", None)
        if open_cases is None:
            return str(obj.display_name)
        return _("%(name)s (%(count)s open cases)") % {
            "name": obj.display_name,
            "count": open_cases,
        }


class ReassignForm(forms.Form):
    prefix = "reassign"

    reviewer = ReviewerChoice(label=_("Reviewer"), queryset=User.objects.none())

    def __init__(self, *args: Any, reviewers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reviewer"]
        assert isinstance(field, ReviewerChoice)
        field.queryset = User.objects.filter(pk__in=[r.pk for r in reviewers])
        # The queue's order (fewest open cases first) and counts, without querying again.
        field.choices = [("", "---------")] + [
            (r.pk, field.label_from_instance(r)) for r in reviewers
        ]


def refusal_onto(form: forms.Form, refusal: Invalid) -> None:
    """Put a domain Invalid's field errors onto the form's fields of the same name."""
    for name, errors in refusal.fields.items():
        form.add_error(name if name in form.fields else None, errors)
