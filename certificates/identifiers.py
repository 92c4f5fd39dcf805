"""Certificate identifiers (证照标识, GB/T 36904): generated strictly, parsed leniently.

``1.2.156.3005.2.{type code}.{issuer code}.{serial}.{version}.{check}``; the check character is
ISO/IEC 7064 MOD 37,36 over type + issuer + serial + version with the dots removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.iso7064 import mod_37_36

from portal import identity

ROOT = "1.2.156.3005.2"
_TYPE_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}\d{3}$")
_SERIAL = re.compile(r"^[0-9A-Z]{1,40}$")
_VERSION = re.compile(r"^\d{3}$")
# Lenient issuer codes seen in public data: a USCC, or an area code (6 to 12 digits).
_LENIENT_ISSUER = re.compile(r"^(?:[0-9A-Z]{18}|\d{6,12})$")


class InvalidIdentifier(ValidationError):
    """An identifier that is not well-formed; the message says why in plain words."""


@dataclass(frozen=True)
class Identifier:
    type_code: str
    issuer_code: str
    serial: str
    version: str
    check: str

    def __str__(self) -> str:
        return ".".join(
            [ROOT, self.type_code, self.issuer_code, self.serial, self.version, self.check]
        )


def check_character(type_code: str, issuer_code: str, serial: str, version: str) -> str:
    return str(mod_37_36.calc_check_digit(f"{type_code}{issuer_code}{serial}{version}"))


def validate_type_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not _TYPE_CODE.match(code):
        raise InvalidIdentifier(
            _(
                "A certificate type code is the defining department's 18-character code "
                "and 3 digits."
            ),
            code="invalid_type_code",
        )
    identity.validate_uscc(code[:18])
    return code


def make(*, type_code: str, issuer_code: str, serial: str, version: int) -> str:
    """A new identifier, strictly: a valid type code, issuer USCC, serial and version."""
    type_code = validate_type_code(type_code)
    issuer_code = identity.validate_uscc(issuer_code)
    if not _SERIAL.match(serial):
        raise InvalidIdentifier(
            _("A serial is upper-case letters and digits."), code="invalid_serial"
        )
    if not 1 <= version <= 999:
        raise InvalidIdentifier(_("A version is between 001 and 999."), code="invalid_version")
    v = f"{version:03d}"
    return str(
        Identifier(
            type_code, issuer_code, serial, v, check_character(type_code, issuer_code, serial, v)
        )
    )


def parse(value: str) -> Identifier:
    """Read an identifier leniently (case, spaces, area codes as issuer) but always checked."""
    text = re.sub(r"\s", "", value or "").upper()
    if not text.startswith(ROOT + "."):
        raise InvalidIdentifier(
            _("A certificate identifier starts with %(root)s."),
            code="identifier_root",
            params={"root": ROOT},
        )
    parts = text[len(ROOT) + 1 :].split(".")
    if len(parts) != 5:
        raise InvalidIdentifier(
            _(
                "A certificate identifier has five parts after %(root)s: type, issuer, "
                "serial, version and check character."
            ),
            code="identifier_parts",
            params={"root": ROOT},
        )
    type_code, issuer_code, serial, version, check = parts
    if not _TYPE_CODE.match(type_code):
        raise InvalidIdentifier(
            _("The certificate type code in this identifier is not well-formed."),
            code="identifier_type_code",
        )
    if not _LENIENT_ISSUER.match(issuer_code):
        raise InvalidIdentifier(
            _("The issuer code in this identifier is not well-formed."),
            code="identifier_issuer_code",
        )
    if not _SERIAL.match(serial):
        raise InvalidIdentifier(
            _("The serial in this identifier is not well-formed."), code="identifier_serial"
        )
    if not _VERSION.match(version) or version == "000":
        raise InvalidIdentifier(
            _("The version in this identifier must be three digits from 001."),
            code="identifier_version",
        )
    if len(check) != 1 or check != check_character(type_code, issuer_code, serial, version):
        raise InvalidIdentifier(
            _(
                "The last character of this identifier does not match the rest; check it for "
                "a typing error."
            ),
            code="identifier_checksum",
        )
    return Identifier(type_code, issuer_code, serial, version, check)
