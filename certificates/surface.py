"""Surface fields: values checked against the types a CertificateType declares, and normalised.

A type declares its fields as ``[{"name", "label", "label_en", "type", "required"?}, ...]``.
Values are signed as strings (docs/adr/0005), so each is normalised to the one string form a
verifier will see: text stripped, a date as ``YYYY-MM-DD``, a number as plain decimal digits.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 500
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


class _Invalid(Exception):
    """One value refused: the message (with ``%(name)s``) and its code."""

    def __init__(self, message: Any, code: str) -> None:
        self.message, self.code = message, code
        super().__init__(code)


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise _Invalid(_("%(name)s: enter text."), "invalid_text")
    text = str(value).strip()
    if "\x00" in text:
        raise _Invalid(_("%(name)s: enter text."), "invalid_text")
    return text


def _date(value: Any) -> str:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    text = value.strip() if isinstance(value, str) else ""
    try:
        if not _ISO_DATE.match(text):
            raise ValueError(text)
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise _Invalid(_("%(name)s: enter a date as YYYY-MM-DD."), "invalid_date") from None


def _number(value: Any) -> str:
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        value = str(value)
    text = value.strip() if isinstance(value, str) else ""
    if not _NUMBER.match(text):
        raise _Invalid(_("%(name)s: enter a number, such as 12 or 89.5."), "invalid_number")
    return text.removeprefix("+")


# Declared type -> normaliser; a field without "type" is text.
NORMALISERS: dict[str, Callable[[Any], str]] = {"text": _text, "date": _date, "number": _number}


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean(fields: list[dict[str, Any]], values: Mapping[str, Any]) -> dict[str, str]:
    """The values, checked and normalised in the type's field order; blank optional values
    are left out. Raises one ValidationError under "surface" naming every bad field."""
    declared = {field["name"]: field for field in fields}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise ValidationError(
            {"surface": _("Unknown surface fields: %(names)s.") % {"names": ", ".join(unknown)}},
            code="unknown_fields",
        )
    cleaned: dict[str, str] = {}
    problems: list[ValidationError] = []
    for name, field in declared.items():
        value = values.get(name)
        try:
            if _is_blank(value):
                if field.get("required"):
                    raise _Invalid(_("%(name)s: this field is required."), "required")
                continue
            normalise = NORMALISERS.get(field.get("type") or "text")
            if normalise is None:
                raise _Invalid(
                    _("%(name)s: this certificate type declares an unknown field type."),
                    "unknown_type",
                )
            text = normalise(value)
            if len(text) > MAX_LENGTH:
                raise _Invalid(_("%(name)s: enter at most 500 characters."), "max_length")
        except _Invalid as invalid:
            problems.append(
                ValidationError(invalid.message, code=invalid.code, params={"name": name})
            )
            continue
        cleaned[name] = text
    if problems:
        raise ValidationError({"surface": problems})
    return cleaned
