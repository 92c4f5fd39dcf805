"""Identity numbers: validation with plain messages, masking, encryption at rest, blind index.

Resident ID numbers (GB 11643) and USCCs (GB 32100) are checked with python-stdnum. A
resident ID number is stored encrypted (Fernet, keys rotate) and found through a keyed
hash (HMAC-SHA256 blind index), so the database never holds it in clear and a lookup
never needs to decrypt.
"""

import hashlib
import hmac
import re
import unicodedata
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９ＸｘＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＹ",
    "0123456789XxABCDEFGHJKLMNPQRTUWY",
)


def _compact(value: str) -> str:
    return re.sub(r"[\s\-]", "", (value or "").translate(_FULLWIDTH)).upper()


def validate_id_number(value: str) -> str:
    """Return the resident ID number in canonical form or raise a ValidationError saying why."""
    number = _compact(value)
    if "\x00" in number:
        raise ValidationError(
            _("The ID number contains invalid characters."), code="invalid_id_number"
        )
    if len(number) == 15 and number.isdigit():
        raise ValidationError(
            _(
                "15-digit ID numbers are no longer valid; enter the 18-character number on your "
                "current ID card."
            ),
            code="legacy_id_number",
        )
    if len(number) != 18:
        raise ValidationError(
            _("A resident ID number has 18 characters; you entered %(count)d."),
            code="id_number_length",
            params={"count": len(number)},
        )
    if not (number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")):
        raise ValidationError(
            _("A resident ID number is 17 digits followed by a digit or X."),
            code="id_number_format",
        )
    try:
        ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _("The birth date in this ID number (%(date)s) does not exist."),
            code="id_number_birth_date",
            params={"date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}"},
        ) from None
    try:
        return ric.validate(number)
    except stdnum_errors.InvalidComponent:
        raise ValidationError(
            _(
                "The first six digits (%(area)s) are not an area code in use when the holder "
                "was born."
            ),
            code="id_number_area",
            params={"area": number[:6]},
        ) from None
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(
            _(
                "The last character of this ID number does not match the others; please check "
                "the number for a typing error."
            ),
            code="id_number_checksum",
        ) from None
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _("This is not a valid resident ID number."), code="invalid_id_number"
        ) from None


def validate_uscc(value: str) -> str:
    """Return the unified social credit code in canonical form or raise a ValidationError."""
    code = _compact(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; you entered %(count)d."),
            code="uscc_length",
            params={"count": len(code)},
        )
    try:
        return uscc.validate(code)
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(
            _("The last character of this unified social credit code does not match the others."),
            code="uscc_checksum",
        ) from None
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _("This is not a valid unified social credit code."), code="invalid_uscc"
        ) from None


_CN_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(value: str) -> str:
    """Return a mainland mobile number as E.164 (+86…) or raise a ValidationError."""
    digits = re.sub(r"[\s\-()]", "", (value or "").translate(_FULLWIDTH))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not _CN_MOBILE.match(digits):
        raise ValidationError(
            _("Enter an 11-digit mainland mobile number, e.g. 13800138000."), code="invalid_phone"
        )
    return "+86" + digits


def mask_id_number(number: str) -> str:
    """4401**********123X: area prefix and last four only."""
    if not number:
        return ""
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str) -> str:
    """138****8000."""
    if not phone:
        return ""
    local = phone[3:] if phone.startswith("+86") else phone
    return local[:3] + "****" + local[-4:]


def mask_name(name: str) -> str:
    """张*明 / *明: keep the family name and, for 3+ characters, the last character."""
    if not name:
        return ""
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS])


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # a wrong or removed key: fail loudly, never return garbage
        raise RuntimeError("personal data cannot be decrypted with the configured keys") from exc


def blind_index(value: str, *, purpose: str = "id_number") -> str:
    """Keyed hash for equality lookups; the purpose separates indexes of different fields."""
    key = f"{settings.BLIND_INDEX_KEY}:{purpose}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


# An ID number (18 or 15 characters) or a mainland mobile number inside free text.
_PERSONAL_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15}|1[3-9][0-9]{9})(?![0-9])")


def mentions_personal_numbers(text: str) -> bool:
    """Whether free text (a reason, a note) holds an ID or phone number, which would then be
    stored and shown in clear. Full-width digits count too."""
    return bool(_PERSONAL_NUMBER.search(unicodedata.normalize("NFKC", text).replace(" ", "")))


def personal_numbers_error() -> ValidationError:
    return ValidationError(
        _("Do not type ID or phone numbers here: the reason is kept in the audit log."),
        code="personal_number_in_text",
    )
