"""Forms of ratings and rectifications: they check the shape; services.rating and
services.rectification check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from services.models.evaluations import (
    INDICATOR_LABELS,
    ON_SITE_INDICATORS,
    ONLINE_INDICATORS,
    Classification,
    Level,
)
from services.rating import COMMENT_MAX, TAGS

LEVEL_CHOICES = [(str(value), label) for value, label in Level.choices]


class RatingForm(forms.Form):
    """The overall level, the channel's indicators (optional), a comment and tags."""

    level = forms.TypedChoiceField(
        label=_("Overall, how satisfied are you?"),
        choices=LEVEL_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how satisfied you are overall.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    tags = forms.MultipleChoiceField(
        label=_("What stood out (optional)"),
        required=False,
        choices=list(TAGS.items()),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, on_site: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicator_names = ON_SITE_INDICATORS if on_site else ONLINE_INDICATORS
        for name in self.indicator_names:
            self.fields[name] = forms.TypedChoiceField(
                label=INDICATOR_LABELS[name],
                choices=LEVEL_CHOICES,
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
            )
        # The level first, then the indicators, then comment and tags.
        order = ["level", *self.indicator_names, "comment", "tags"]
        self.order_fields(order)

    def indicators(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.indicator_names}

    def level_fields(self) -> list[forms.BoundField]:
        return [self["level"], *(self[name] for name in self.indicator_names)]


class FollowUpForm(forms.Form):
    text = forms.CharField(
        label=_("Your follow-up comment"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("You can add one follow-up comment; your rating stays as it is."),
    )


class AnswerResponseForm(forms.Form):
    satisfied = forms.TypedChoiceField(
        label=_("Are you satisfied with the answer?"),
        choices=[("yes", _("Yes, satisfied")), ("no", _("No, not satisfied"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Anything to add (optional)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _text(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=help_text,
    )


class InvestigateForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ClassifyForm(forms.Form):
    classification = forms.ChoiceField(
        label=_("What kind of complaint is it?"),
        choices=Classification.choices,
        widget=forms.RadioSelect,
    )
    finding = _text(_("What the investigation found"))
    due_date = forms.DateField(
        label=_("Later deadline (complex cases only)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty to keep the current deadline."),
    )


class ActForm(forms.Form):
    action_taken = _text(
        _("What was done"),
        _("The rectification; for a complaint without legal basis, the explanation given."),
    )


class CallBackForm(forms.Form):
    note = _text(_("What the applicant said on the call"))


class AnswerForm(forms.Form):
    text = _text(_("Answer to the applicant"), _("The applicant reads this on his case page."))


class AppealForm(forms.Form):
    reason = _text(
        _("Why the rating is malicious"),
        _("A system administrator decides; an overturned rating is left out of the figures."),
    )


class DecideForm(forms.Form):
    note = _text(_("Reasons for the decision"))


# The form of each department or administrator move, by action.
MOVE_FORMS: dict[str, type[forms.Form]] = {
    "investigate": InvestigateForm,
    "classify": ClassifyForm,
    "act": ActForm,
    "call_back": CallBackForm,
    "answer": AnswerForm,
    "appeal": AppealForm,
    "uphold": DecideForm,
    "overturn": DecideForm,
}
