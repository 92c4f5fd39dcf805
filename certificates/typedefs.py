"""What a certificate type declares, checked before the type is saved: its surface fields,
its layout and its validity rule. A broken declaration would break issuing, the wallet and
the PDF for every certificate of the type, so ``CertificateType.save`` refuses it (the admin,
the demo and any code saving a type), with the admin saying why (``clean``); bulk
``update()`` and fixtures bypass ``save`` and are not used for types."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from certificates.surface import NORMALISERS

_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
FIELD_KEYS = {"name", "label", "label_en", "type", "required"}
LAYOUT_KEYS = {"colour", "title"}
MAX_YEARS = 100


def _field_problems(index: int, field: Any, seen: set[str]) -> list[ValidationError]:
    where = {"number": index + 1}
    if not isinstance(field, dict):
        return [ValidationError(_("Field %(number)s: not an object."), "field", where)]
    problems = []
    unknown = sorted(set(field) - FIELD_KEYS)
    if unknown:
        problems.append(
            ValidationError(
                _("Field %(number)s: unknown keys %(keys)s."),
                "unknown_keys",
                {**where, "keys": ", ".join(unknown)},
            )
        )
    name = field.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        problems.append(
            ValidationError(
                _(
                    "Field %(number)s: the name must be lower-case letters, digits and "
                    "underscores, starting with a letter (at most 40)."
                ),
                "name",
                where,
            )
        )
    elif name in seen:
        problems.append(
            ValidationError(
                _("Field %(number)s: the name %(name)s is used twice."),
                "duplicate",
                {**where, "name": name},
            )
        )
    else:
        seen.add(name)
    for key, required in (("label", True), ("label_en", False)):
        label = field.get(key)
        if (label in (None, "") and not required) or (
            isinstance(label, str) and label.strip() and len(label) <= 100
        ):
            continue
        problems.append(
            ValidationError(
                _("Field %(number)s: %(key)s must be text of 1 to 100 characters."),
                "label",
                {**where, "key": key},
            )
        )
    kind = field.get("type", "text")
    if kind not in NORMALISERS:
        problems.append(
            ValidationError(
                _("Field %(number)s: the type must be one of %(types)s."),
                "type",
                {**where, "types": ", ".join(NORMALISERS)},
            )
        )
    if not isinstance(field.get("required", False), bool):
        problems.append(
            ValidationError(_("Field %(number)s: required is true or false."), "required", where)
        )
    return problems


def validate_fields(fields: Any) -> list[dict[str, Any]]:
    """The surface-field declaration, or a ValidationError listing every problem."""
    if not isinstance(fields, list):
        raise ValidationError(_("The surface fields are a list of objects."), "fields")
    seen: set[str] = set()
    problems = [p for i, field in enumerate(fields) for p in _field_problems(i, field, seen)]
    if problems:
        raise ValidationError(problems)
    return fields


def validate_layout(layout: Any) -> dict[str, Any]:
    if not isinstance(layout, dict):
        raise ValidationError(_("The layout is an object."), "layout")
    problems = []
    unknown = sorted(set(layout) - LAYOUT_KEYS)
    if unknown:
        problems.append(
            ValidationError(
                _("Unknown layout keys: %(keys)s."), "unknown_keys", {"keys": ", ".join(unknown)}
            )
        )
    colour = layout.get("colour")
    if colour is not None and not (isinstance(colour, str) and _COLOUR.fullmatch(colour)):
        problems.append(
            ValidationError(_("The colour is written #RRGGBB, such as #b22222."), "colour")
        )
    title = layout.get("title")
    if title is not None and not (isinstance(title, str) and title.strip() and len(title) <= 60):
        problems.append(ValidationError(_("The title is text of 1 to 60 characters."), "title"))
    if problems:
        raise ValidationError(problems)
    return layout


def problems(ctype: Any) -> dict[str, ValidationError]:
    """Every problem of a certificate type's declaration, by field name. The type code is
    normalised (upper case) as it will be saved."""
    from certificates.identifiers import validate_type_code
    from certificates.models import CertificateType, ValidityRule

    found: dict[str, ValidationError] = {}
    try:
        ctype.code = validate_type_code(ctype.code)
    except ValidationError as exc:
        found["code"] = exc
    else:
        stored = CertificateType.objects.filter(pk=ctype.pk).values_list("code", flat=True)
        if ctype.pk and stored.first() not in (None, ctype.code) and ctype.certificates.exists():
            found["code"] = ValidationError(
                _(
                    "Certificates of this type have been issued and their signatures cover the "
                    "type code: it can no longer change."
                ),
                "code_in_use",
            )
    for name, check in (("fields", validate_fields), ("layout", validate_layout)):
        try:
            check(getattr(ctype, name))
        except ValidationError as exc:
            found[name] = exc
    years = ctype.validity_years
    if ctype.validity_rule == ValidityRule.FIXED_YEARS and not years:
        found["validity_years"] = ValidationError(
            _("Give the number of years a certificate of this type is valid."), "years"
        )
    elif years and years > MAX_YEARS:
        found["validity_years"] = ValidationError(
            _("A certificate is valid for at most %(years)d years.") % {"years": MAX_YEARS},
            "years",
        )
    elif ctype.validity_rule != ValidityRule.FIXED_YEARS and years:
        found["validity_years"] = ValidationError(
            _("Years valid are given only for a fixed number of years."), "years"
        )
    return found
