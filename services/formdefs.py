"""Application form definitions: the schema check, validation of submitted data, HTML forms.

A definition is data, kept on the service as JSON::

    {"fields": [{"key": "child_name", "label": "新生儿姓名", "label_en": "Newborn's name",
                 "type": "text", "required": true, "help": "…", "help_en": "…",
                 "rules": {"max_length": 20}}]}

``key`` is shared between services: a bundle asks once for a key several members use.

A person's name (an applicant's, an agent's, a legal representative's, a newborn's) is of type
``person_name``: it takes the legal-name rule of the profile, the API and certificates
(``identity.validate_legal_name``). An organisation's name stays ``text``: it has its own rules.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal import identity

FIELD_TYPES: dict[str, Any] = {
    "text": _("Text"),
    "person_name": _("A person's legal name"),
    "number": _("Number"),
    "date": _("Date"),
    "choice": _("Choice"),
    "id_number": _("Resident ID number"),
    "uscc": _("Unified social credit code"),
    "phone": _("Mobile number"),
    "address": _("Address"),
    "boolean": _("Yes/no"),
}
# Which validation rules each type takes.
RULES: dict[str, set[str]] = {
    "text": {"min_length", "max_length", "pattern"},
    "person_name": {"max_length"},
    "address": {"min_length", "max_length"},
    "number": {"min", "max", "integer"},
    "date": {"min_date", "max_date"},
    "choice": {"choices"},
    "id_number": set(),
    "uscc": set(),
    "phone": set(),
    "boolean": set(),
}
FIELD_KEYS = {"key", "label", "label_en", "type", "required", "help", "help_en", "rules"}
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELDS = 100
MAX_TEXT = 500


def empty_definition() -> dict[str, list[Any]]:
    return {"fields": []}


# --- The schema check -------------------------------------------------------------------


def validate_definition(definition: Any) -> dict[str, Any]:
    """Return the definition if it is well formed, else raise one ValidationError listing
    every problem, each naming the field it is about."""
    if definition in (None, "", []):
        return empty_definition()
    if not isinstance(definition, dict) or set(definition) != {"fields"}:
        raise ValidationError(
            _('A form definition is an object with one key, "fields", holding a list.'),
            code="form_shape",
        )
    fields = definition["fields"]
    if not isinstance(fields, list):
        raise ValidationError(_('"fields" must be a list.'), code="form_shape")
    if len(fields) > MAX_FIELDS:
        raise ValidationError(
            _("A form has at most %(max)d fields."), code="form_size", params={"max": MAX_FIELDS}
        )
    problems: list[ValidationError] = []
    seen: set[str] = set()
    for number, field in enumerate(fields, start=1):
        for message in _field_problems(field, seen):
            problems.append(
                ValidationError(
                    _("Field %(number)d (%(key)s): %(problem)s"),
                    code="form_field",
                    params={
                        "number": number,
                        "key": field.get("key", "?") if isinstance(field, dict) else "?",
                        "problem": message,
                    },
                )
            )
    if problems:
        raise ValidationError(problems)
    return definition


def _field_problems(field: Any, seen: set[str]) -> list[Any]:
    if not isinstance(field, dict):
        return [_("each field is an object.")]
    problems: list[Any] = []
    unknown = set(field) - FIELD_KEYS
    if unknown:
        problems.append(_("unknown attributes: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    key = field.get("key")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        problems.append(
            _("the key must be lower-case letters, digits and underscores, starting with a letter.")
        )
    elif key in seen:
        problems.append(_("the key is used twice."))
    else:
        seen.add(key)
    for name in ("label", "label_en", "help", "help_en"):
        value = field.get(name, "")
        if not isinstance(value, str) or len(value) > 200:
            problems.append(_("%(name)s must be text of up to 200 characters.") % {"name": name})
    if not field.get("label"):
        problems.append(_("a label is required."))
    kind = field.get("type")
    if kind not in FIELD_TYPES:
        problems.append(_("the type must be one of %(types)s.") % {"types": ", ".join(FIELD_TYPES)})
        return problems
    if not isinstance(field.get("required", False), bool):
        problems.append(_('"required" must be true or false.'))
    rules = field.get("rules", {})
    if not isinstance(rules, dict):
        return [*problems, _('"rules" must be an object.')]
    extra = set(rules) - RULES[kind]
    if extra:
        problems.append(
            _("rules not allowed for this type: %(names)s.") % {"names": ", ".join(sorted(extra))}
        )
    problems.extend(_rule_problems(kind, rules))
    return problems


def _rule_problems(kind: str, rules: dict[str, Any]) -> list[Any]:
    problems: list[Any] = []
    for name in ("min_length", "max_length"):
        if name in rules and (not isinstance(rules[name], int) or rules[name] < 0):
            problems.append(_("%(name)s must be a whole number.") % {"name": name})
    for name in ("min", "max"):
        if name in rules and (
            isinstance(rules[name], bool) or not isinstance(rules[name], int | float)
        ):
            problems.append(_("%(name)s must be a number.") % {"name": name})
    if "integer" in rules and not isinstance(rules["integer"], bool):
        problems.append(_('"integer" must be true or false.'))
    for name in ("min_date", "max_date"):
        if name in rules and _parse_date(rules[name]) is None:
            problems.append(_("%(name)s must be a date, YYYY-MM-DD.") % {"name": name})
    if "pattern" in rules:
        try:
            re.compile(str(rules["pattern"]))
        except re.error:
            problems.append(_("the pattern is not a valid regular expression."))
    low, high = rules.get("min", rules.get("min_length")), rules.get("max", rules.get("max_length"))
    if isinstance(low, int | float) and isinstance(high, int | float) and low > high:
        problems.append(_("the minimum is above the maximum."))
    if kind == "choice":
        choices = rules.get("choices")
        if not isinstance(choices, list) or not choices:
            problems.append(_("a choice field lists its choices."))
        else:
            values = [c.get("value") if isinstance(c, dict) else None for c in choices]
            if not all(isinstance(c, dict) and c.get("value") and c.get("label") for c in choices):
                problems.append(_("each choice has a value and a label."))
            elif len(set(values)) != len(values):
                problems.append(_("two choices have the same value."))
    return problems


# --- Validating submitted data --------------------------------------------------------


def validate_submission(definition: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """Return the submitted answers cleaned and typed, or raise a ValidationError whose
    ``error_dict`` is keyed by field key (unknown keys are refused too)."""
    errors: dict[str, list[ValidationError]] = {}
    cleaned: dict[str, Any] = {}
    fields = definition.get("fields", [])
    known = {f["key"] for f in fields}
    for key in data:
        if key not in known:
            errors[str(key)[:40]] = [
                ValidationError(_("This form has no such field."), code="unknown_field")
            ]
    for field in fields:
        raw = data.get(field["key"])
        if _is_empty(raw):
            if field.get("required"):
                errors[field["key"]] = [
                    ValidationError(_("This field is required."), code="required")
                ]
            continue
        try:
            cleaned[field["key"]] = clean_value(field, raw)
        except ValidationError as exc:
            errors[field["key"]] = exc.error_list
    if errors:
        raise ValidationError(errors)
    return cleaned


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_value(field: Mapping[str, Any], raw: Any) -> Any:
    """One answer, typed (int/float, ISO date, bool, canonical numbers), or a ValidationError."""
    kind, rules = field["type"], field.get("rules", {})
    if kind == "boolean":
        return _clean_boolean(raw)
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise ValidationError(_("Enter a single value."), code="invalid")
    value = str(raw).strip()
    if "\x00" in value:
        raise ValidationError(_("Text may not contain NUL bytes."), code="null_characters")
    if kind == "person_name":
        return _clean_person_name(value, rules)
    if kind == "id_number":
        return identity.validate_id_number(value)
    if kind == "uscc":
        return identity.validate_uscc(value)
    if kind == "phone":
        return identity.normalise_phone(value)
    if kind == "number":
        return _clean_number(value, rules)
    if kind == "date":
        return _clean_date(value, rules)
    if kind == "choice":
        values = [str(c["value"]) for c in rules.get("choices", [])]
        if value not in values:
            raise ValidationError(_("Choose one of the options offered."), code="invalid_choice")
        return value
    return _clean_text(value, rules, kind)


def _clean_text(value: str, rules: Mapping[str, Any], kind: str) -> str:
    limit = rules.get("max_length", 200 if kind == "address" else MAX_TEXT)
    if len(value) > limit:
        raise ValidationError(
            _("Enter at most %(limit)d characters (you entered %(count)d)."),
            code="max_length",
            params={"limit": limit, "count": len(value)},
        )
    if len(value) < rules.get("min_length", 0):
        raise ValidationError(
            _("Enter at least %(limit)d characters."),
            code="min_length",
            params={"limit": rules["min_length"]},
        )
    if rules.get("pattern") and not re.fullmatch(rules["pattern"], value):
        raise ValidationError(_("The value is not in the expected format."), code="pattern")
    return value


def _clean_person_name(value: str, rules: Mapping[str, Any]) -> str:
    """A person's name as the profile, the API and certificates take it (``identity.
    validate_legal_name``), then the field's own shorter limit if it has one."""
    name = identity.validate_legal_name(value)
    limit = rules.get("max_length")
    if limit is not None and len(name) > limit:
        raise ValidationError(
            _("Enter at most %(limit)d characters (you entered %(count)d)."),
            code="max_length",
            params={"limit": limit, "count": len(name)},
        )
    return name


def _clean_number(value: str, rules: Mapping[str, Any]) -> int | float:
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or len(value) > 30:
        raise ValidationError(_("Enter a number."), code="invalid_number")
    if rules.get("integer") and number != number.to_integral_value():
        raise ValidationError(_("Enter a whole number."), code="invalid_integer")
    if "min" in rules and number < Decimal(str(rules["min"])):
        raise ValidationError(
            _("Enter a number of at least %(min)s."),
            code="min_value",
            params={"min": rules["min"]},
        )
    if "max" in rules and number > Decimal(str(rules["max"])):
        raise ValidationError(
            _("Enter a number of at most %(max)s."), code="max_value", params={"max": rules["max"]}
        )
    return int(number) if number == number.to_integral_value() else float(number)


def _parse_date(value: Any) -> datetime.date | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _clean_date(value: str, rules: Mapping[str, Any]) -> str:
    date = _parse_date(value)
    if date is None:
        raise ValidationError(
            _("Enter a real date as YYYY-MM-DD, e.g. 2026-03-07."), code="invalid_date"
        )
    if "min_date" in rules and date < _parse_date(rules["min_date"]):  # type: ignore[operator]
        raise ValidationError(
            _("Enter a date on or after %(date)s."),
            code="min_date",
            params={"date": rules["min_date"]},
        )
    if "max_date" in rules and date > _parse_date(rules["max_date"]):  # type: ignore[operator]
        raise ValidationError(
            _("Enter a date on or before %(date)s."),
            code="max_date",
            params={"date": rules["max_date"]},
        )
    return date.isoformat()


_TRUE = {"true", "yes", "on", "1", "是"}
_FALSE = {"false", "no", "off", "0", "否"}


def _clean_boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError(_("Answer yes or no."), code="invalid_boolean")


# --- Showing a definition --------------------------------------------------------------


def localised(field: Mapping[str, Any], name: str) -> str:
    """A field's label or help text in the current language, falling back to Chinese."""
    if get_language() == "en" and field.get(f"{name}_en"):
        return str(field[f"{name}_en"])
    return str(field.get(name, ""))


def _widget(field: Mapping[str, Any]) -> forms.Widget:
    kind, rules = field["type"], field.get("rules", {})
    attrs: dict[str, Any] = {}
    if field.get("required"):
        attrs["aria-required"] = "true"
    if kind == "number":
        attrs.update({k: rules[k] for k in ("min", "max") if k in rules})
        return forms.NumberInput(attrs={**attrs, "step": "1" if rules.get("integer") else "any"})
    if kind == "date":
        return forms.DateInput(attrs={**attrs, "type": "date"})
    if kind == "address":
        return forms.Textarea(attrs={**attrs, "rows": 2, "autocomplete": "street-address"})
    if kind == "phone":
        return forms.TextInput(attrs={**attrs, "inputmode": "tel", "autocomplete": "tel"})
    if kind in ("id_number", "uscc"):
        return forms.TextInput(attrs={**attrs, "autocomplete": "off", "spellcheck": "false"})
    if kind == "person_name":
        # Whose name depends on the form (a newborn's, a parent's): no autofill of the user's.
        limit = min(rules.get("max_length", identity.LEGAL_NAME_MAX_LENGTH), 200)
        return forms.TextInput(
            attrs={**attrs, "autocomplete": "off", "spellcheck": "false", "maxlength": limit}
        )
    if "max_length" in rules:
        attrs["maxlength"] = rules["max_length"]
    return forms.TextInput(attrs=attrs)


def _form_field(field: Mapping[str, Any]) -> forms.Field:
    label, help_text = localised(field, "label"), localised(field, "help")
    # Django checks nothing itself (required=False): validate_submission gives every
    # message, so the page and the API say the same thing.
    if field["type"] == "choice":
        choices = [("", "—")] + [
            (c["value"], localised(c, "label")) for c in field["rules"]["choices"]
        ]
        return forms.ChoiceField(label=label, help_text=help_text, required=False, choices=choices)
    if field["type"] == "boolean":
        return forms.ChoiceField(
            label=label,
            help_text=help_text,
            required=False,
            choices=[("yes", _("Yes")), ("no", _("No"))],
            widget=forms.RadioSelect,
        )
    return forms.CharField(
        label=label, help_text=help_text, required=False, strip=False, widget=_widget(field)
    )


class DefinedForm(forms.Form):
    """A Django form built from a definition; ``clean`` runs ``validate_submission``."""

    definition: Mapping[str, Any] = empty_definition()

    def clean(self) -> dict[str, Any]:
        submitted = {k: v for k, v in (super().clean() or {}).items() if v not in (None, "")}
        try:
            return validate_submission(self.definition, submitted)
        except ValidationError as exc:
            for key, errors in exc.error_dict.items():
                self.add_error(key if key in self.fields else None, errors)
            return {}


def build_form(definition: Mapping[str, Any], data: Any = None) -> DefinedForm:
    """An HTML form for the definition, bound to ``data`` when given."""
    fields = {f["key"]: _form_field(f) for f in definition.get("fields", [])}
    for key, form_field in fields.items():
        spec = next(f for f in definition["fields"] if f["key"] == key)
        form_field.required_marker = bool(spec.get("required"))  # type: ignore[attr-defined]
    form_class = type("ApplicationForm", (DefinedForm,), {**fields, "definition": definition})
    return form_class(data)  # type: ignore[no-any-return]
