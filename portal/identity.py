"""Identity numbers: validation with plain messages, masking, encryption at rest, blind index.

Resident ID numbers (GB 11643) and USCCs (GB 32100) are checked with python-stdnum. A
resident ID number is stored encrypted (Fernet, keys rotate) and found through a keyed
hash (HMAC-SHA256 blind index), so the database never holds it in clear and a lookup
never needs to decrypt.
"""

import datetime
import hashlib
import hmac
import re
import unicodedata
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc

# No one alive when 18-digit numbers were introduced (GB 11643-1999) was born much earlier:
# cards of Chinese centenarians record births in the 1880s, so 1900 would refuse real people.
# This bound only catches nonsense such as a year 1090; the check character catches typing errors.
EARLIEST_BIRTH_DATE = datetime.date(1870, 1, 1)

# The first two digits of a resident ID number: a province, region or municipality (GB/T 2260),
# or 81/82/83 in the residence permits of Hong Kong, Macao and Taiwan residents (2018 rules,
# address codes 810000, 820000 and 830000).
# The first digit of a Foreigner's Permanent Residence ID number (2023), then its province.
FOREIGNER_PREFIX = "9"
PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54"}
    | {"61", "62", "63", "64", "65", "71", "81", "82", "83"}
)
_RESIDENCE_PERMIT_AREAS = frozenset({"810000", "820000", "830000"})

_ID_CHARACTERS = frozenset("0123456789Xx")
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
_USCC_CHARACTERS = frozenset(USCC_ALPHABET + USCC_ALPHABET.lower())
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]")


def _compact(value: str) -> str:
    """Undo what keyboards and copying do: full-width forms (a Chinese input method),
    no-break and ideographic spaces, hyphens and dashes between groups.

    Only width and space variants are folded. Full NFKC would also turn superscripts (¹),
    circled digits (①) and the like into digits, accepting text that no card bears.
    """
    folded = "".join(
        unicodedata.normalize("NFKC", char)
        if char.isspace() or unicodedata.decomposition(char).startswith(("<wide>", "<narrow>"))
        else char
        for char in value or ""
    )
    return _SEPARATORS.sub("", folded)


def _shown(char: str) -> str:
    """A character as a message can show it: control characters by their code point."""
    return char if char.isprintable() else f"U+{ord(char):04X}"


def validate_id_number(value: str) -> str:
    """Return the resident ID number in canonical form or raise a ValidationError saying why.

    Checks the characters, the length, the province, the birth date and the check character
    (GB 11643). The Foreigner's Permanent Residence ID Card of 2023 (外国人永久居留身份证) has an
    18-character number of the same shape and check character, a 9 and the issuing province
    first, then the nationality: it is accepted wherever a resident ID number is, as the card is
    meant to be. Deliberately not whether the six-digit area code existed at the birth date
    (python-stdnum's ``ric.validate`` does): numbers are given where the holder was registered
    when the card was issued, and areas are reorganised, so that check refuses real citizens.
    """
    number = _compact(value)
    wrong = next((char for char in number if char not in _ID_CHARACTERS), None)
    if wrong is not None:
        raise ValidationError(
            _(
                "A resident ID number holds only the digits 0 to 9 and a final X; "
                "“%(character)s” is not one of them."
            ),
            code="id_number_characters",
            params={"character": _shown(wrong)},
        )
    number = number.upper()
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
    if "X" in number[:17]:
        raise ValidationError(
            _("A resident ID number is 17 digits followed by a digit or X."),
            code="id_number_format",
        )
    foreigner = number[0] == FOREIGNER_PREFIX and number[1:3] in PROVINCE_CODES
    if number[:2] not in PROVINCE_CODES and not foreigner:
        raise ValidationError(
            _(
                "The first two digits (%(code)s) are not a province code; please check the "
                "number for a typing error."
            ),
            code="id_number_province",
            params={"code": number[:2]},
        )
    _check_birth_date(number)
    if number[17] != ric.calc_check_digit(number):
        raise ValidationError(
            _(
                "The last character of this ID number does not match the others; please check "
                "the number for a typing error."
            ),
            code="id_number_checksum",
        )
    return number


def _check_birth_date(number: str) -> None:
    shown = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date in this ID number (%(date)s) does not exist."),
            code="id_number_birth_date",
            params={"date": shown},
        ) from None
    # Today in the portal's time zone (China), where the birth was registered.
    if born > timezone.localdate():
        raise ValidationError(
            _(
                "The birth date in this ID number (%(date)s) is in the future; please check the "
                "number for a typing error."
            ),
            code="id_number_birth_in_future",
            params={"date": shown},
        )
    if born < EARLIEST_BIRTH_DATE:
        raise ValidationError(
            _(
                "The birth date in this ID number (%(date)s) is before %(year)d; please check "
                "the number for a typing error."
            ),
            code="id_number_birth_too_early",
            params={"date": shown, "year": EARLIEST_BIRTH_DATE.year},
        )


def id_number_area_warning(number: str) -> str:
    """A note for the clerk when a valid number's six-digit area code is not in the list of
    areas (python-stdnum's, dates ignored); empty when it is. Never a reason to refuse."""
    area = number[:6]
    if number.startswith(FOREIGNER_PREFIX) or area in _RESIDENCE_PERMIT_AREAS or _known_area(area):
        return ""
    return gettext(
        "The area code %(area)s of this ID number is not in the list of areas known to the "
        "portal. The number is accepted: compare it with the ID card."
    ) % {"area": area}


@cache
def _known_area(area: str) -> bool:
    from stdnum import numdb

    return any("county" in props for _prefix, props in numdb.get("cn/loc").info(area))


def validate_uscc(value: str) -> str:
    """Return the unified social credit code in canonical form or raise a ValidationError.

    GB 32100: 18 characters of the alphabet, the registering area's six digits at 3 to 8, and
    the check character. The first character is left to the alphabet: registration authorities
    such as agriculture (N) are newer than python-stdnum's rule that it is a digit.
    """
    code = _compact(value)
    wrong = next((char for char in code if char not in _USCC_CHARACTERS), None)
    if wrong is not None:
        raise ValidationError(
            _(
                "A unified social credit code holds only the digits 0 to 9 and the capital "
                "letters A to Y without I, O, S, V and Z; “%(character)s” is not one of them."
            ),
            code="uscc_characters",
            params={"character": _shown(wrong)},
        )
    code = code.upper()
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; you entered %(count)d."),
            code="uscc_length",
            params={"count": len(code)},
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("Characters 3 to 8 of a unified social credit code are the digits of an area code."),
            code="uscc_area",
        )
    if code[17] != uscc.calc_check_digit(code[:17]):
        raise ValidationError(
            _("The last character of this unified social credit code does not match the others."),
            code="uscc_checksum",
        )
    return code


_CN_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def normalise_phone(value: str) -> str:
    """Return a mainland mobile number as E.164 (+86…) or raise a ValidationError."""
    digits = re.sub(r"[()]", "", _compact(value))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not _CN_MOBILE.fullmatch(digits):
        raise ValidationError(
            _("Enter an 11-digit mainland mobile number, e.g. 13800138000."), code="invalid_phone"
        )
    return "+86" + digits


LEGAL_NAME_MAX_LENGTH = 64
MIDDLE_DOT = "\u00b7"
# Dots people type or paste between the parts of a name (维吾尔族 names, foreigners' names):
# bullet, katakana and half-width katakana middle dots, hyphenation point, bullet operator,
# dot operator, and the full-width one.
_DOT_LOOKALIKES = re.compile("[\u2022\u30fb\uff65\u2027\u2219\u22c5\u00b7]")
# Spaces, not line breaks or tabs: a name with those in it was pasted from somewhere else.
_SPACES = re.compile("[ \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
# CJK unified ideographs: the basic block, extensions A to I, and the twelve in the
# compatibility block that are unified ones (﨑, 﨟 ...).
_IDEOGRAPH_RANGES = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2EE5F),
    (0x30000, 0x323AF),
)
_UNIFIED_IN_COMPATIBILITY = frozenset(
    chr(c) for c in (0xFA0E, 0xFA0F, 0xFA11, 0xFA13, 0xFA14, 0xFA1F, 0xFA21, 0xFA23, 0xFA24)
) | frozenset(chr(c) for c in range(0xFA27, 0xFA2A))


def _is_ideograph(char: str) -> bool:
    code = ord(char)
    return char in _UNIFIED_IN_COMPATIBILITY or any(a <= code <= b for a, b in _IDEOGRAPH_RANGES)


def _is_latin_letter(char: str) -> bool:
    return char.isalpha() and unicodedata.name(char, "").startswith("LATIN ")


def validate_legal_name(value: str) -> str:
    """Return a person's legal name in canonical form or raise a ValidationError saying why.

    A legal name is Chinese characters (CJK unified ideographs, extensions included) or, for a
    foreigner, Latin letters, its parts joined by the middle dot · (•, ・, ‧ and the like become
    it) and Latin words by single spaces; 1 to 64 characters. Full-width letters and runs of
    spaces are folded first, and spaces next to a Chinese character or a dot dropped. Nothing
    else: the name lands on receipts, PDFs and certificates as it is written here.
    """
    folded = "".join(
        unicodedata.normalize("NFKC", char)
        if char.isalpha() and unicodedata.decomposition(char).startswith(("<wide>", "<narrow>"))
        else char
        for char in unicodedata.normalize("NFC", value or "")
    )
    name = _DOT_LOOKALIKES.sub(MIDDLE_DOT, _SPACES.sub(" ", folded)).strip()
    # A space is kept only between two Latin letters: "Anna Maria", not "张 三" or "阿 · 木".
    name = "".join(
        char
        for i, char in enumerate(name)
        if char != " " or (_is_latin_letter(name[i - 1]) and _is_latin_letter(name[i + 1]))
    )
    if not name:
        raise ValidationError(
            _("Enter your legal name as on your ID card (at most 64 characters)."),
            code="invalid_legal_name",
        )
    wrong = next(
        (c for c in name if not (_is_ideograph(c) or _is_latin_letter(c) or c in " \u00b7")),
        None,
    )
    if wrong is not None:
        raise ValidationError(
            _(
                "A legal name holds Chinese characters, or Latin letters, with · between its "
                "parts; “%(character)s” cannot be part of one."
            ),
            code="legal_name_characters",
            params={"character": _shown(wrong)},
        )
    if name[0] == MIDDLE_DOT or name[-1] == MIDDLE_DOT or MIDDLE_DOT * 2 in name:
        raise ValidationError(
            _("In a legal name, · stands between two parts of the name, one at a time."),
            code="legal_name_dots",
        )
    if len(name) > LEGAL_NAME_MAX_LENGTH:
        raise ValidationError(
            _("A legal name has at most %(limit)d characters; this one has %(count)d."),
            code="legal_name_length",
            params={"limit": LEGAL_NAME_MAX_LENGTH, "count": len(name)},
        )
    return name


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
    stored and shown in clear. Full-width digits and numbers split by spaces or hyphens count
    too."""
    return bool(_PERSONAL_NUMBER.search(_SEPARATORS.sub("", unicodedata.normalize("NFKC", text))))


def personal_numbers_error() -> ValidationError:
    return ValidationError(
        _("Do not type ID or phone numbers here: the reason is kept in the audit log."),
        code="personal_number_in_text",
    )
