"""Resident ID numbers, USCCs and phone numbers: what is accepted, what is refused and why.

The tables build numbers with their correct check character, so that each row tests one rule
(the province, the date, the characters), not the arithmetic of a single example.
"""

import datetime
import inspect
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from stdnum.cn import ric, uscc

from portal import identity
from portal.logging import mask_text
from tests.factories import make_id_number

VALID = make_id_number(7)
# GB 11643 province-level codes, and 81/82/83 of the residence permits of Hong Kong, Macao and
# Taiwan residents.
PROVINCES = {
    str(n) for n in (*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55))
} | {str(n) for n in (*range(61, 66), 71, 81, 82, 83)}
WIDE = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


def number(area: str = "440106", birth: str | datetime.date = "19900307", seq: str = "123") -> str:
    """An 18-character number with its correct check character."""
    if isinstance(birth, datetime.date):
        birth = birth.strftime("%Y%m%d")
    body = f"{area}{birth}{seq}"
    return body + ric.calc_check_digit(body + "0")


def wrong_check(value: str) -> str:
    return value[:-1] + ("1" if value[-1] != "1" else "2")


def _code(value: str, validator=identity.validate_id_number) -> str:
    with pytest.raises(ValidationError) as info:
        validator(value)
    return info.value.code


TODAY = timezone.localdate()
ENDING_IN_X = next(n for n in (number(seq=f"{i:03d}") for i in range(100)) if n.endswith("X"))


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        (VALID, VALID),
        (f" {VALID[:6]} {VALID[6:14]} {VALID[14:]} ", VALID),
        (f"{VALID[:6]}-{VALID[6:14]}-{VALID[14:]}", VALID),
        (VALID.translate(WIDE), VALID),  # a Chinese keyboard in full-width mode
        (f"{VALID[:6]}\u3000{VALID[6:]}".translate(WIDE), VALID),  # with an ideographic space
        (f"{VALID[:6]}\u00a0{VALID[6:]}", VALID),  # a no-break space pasted from a web page
        (ENDING_IN_X.lower(), ENDING_IN_X),
        (ENDING_IN_X.translate(WIDE).lower(), ENDING_IN_X),
        # Areas created after the holder's birth: numbers people really hold.
        (number("310115", "19850101"), number("310115", "19850101")),  # Pudong
        (number("440113", "19780615"), number("440113", "19780615")),  # Panyu
        (number("440118", "20050301"), number("440118", "20050301")),  # Zengcheng
        (number("440307", "19900101"), number("440307", "19900101")),  # Longgang
        (number("440105", "19750909"), number("440105", "19750909")),  # Haizhu
        # An area code we do not know, in a known province: accepted (the clerk is warned).
        (number("440199"), number("440199")),
        # Residence permits of Hong Kong, Macao and Taiwan residents.
        (number("810000"), number("810000")),
        (number("820000"), number("820000")),
        (number("830000"), number("830000")),
        # Foreigner's Permanent Residence ID Cards (2023): 9, the issuing province, nationality.
        (number("933156", "19900101", "002"), number("933156", "19900101", "002")),  # 浙江
        (number("944840", "19851224", "011"), number("944840", "19851224", "011")),  # 广东
        # Leap days, today and the earliest birth date accepted.
        (number(birth="20000229"), number(birth="20000229")),
        (number(birth="20240229"), number(birth="20240229")),
        (number(birth=TODAY), number(birth=TODAY)),
        (number(birth=identity.EARLIEST_BIRTH_DATE), number(birth=identity.EARLIEST_BIRTH_DATE)),
    ],
)
def test_numbers_people_hold_are_accepted_in_canonical_form(value, canonical):
    assert identity.validate_id_number(value) == canonical


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "id_number_length"),
        (VALID[:-1], "id_number_length"),
        (VALID + "1", "id_number_length"),
        ("440106900307123", "legacy_id_number"),
        (VALID[:10] + "A" + VALID[11:], "id_number_characters"),
        (VALID[:10] + "X" + VALID[11:], "id_number_format"),
        (VALID[:10] + "\x00" + VALID[11:], "id_number_characters"),
        ("440106¹⁹⁹⁰03071231", "id_number_characters"),  # superscripts: not digits of a card
        ("440106①⑨⑨⓪03071231", "id_number_characters"),  # circled digits
        ("440106١٩٩٠03071231", "id_number_characters"),  # Arabic-Indic digits
        ("440106𝟏𝟗𝟗𝟎03071231", "id_number_characters"),  # mathematical bold digits
        (number(birth="20230229"), "id_number_birth_date"),  # not a leap year
        (number(birth="19000229"), "id_number_birth_date"),  # 1900 was not a leap year
        (number(birth="19900230"), "id_number_birth_date"),
        (number(birth="19901301"), "id_number_birth_date"),
        (number(birth="19900001"), "id_number_birth_date"),
        (number(birth="19900100"), "id_number_birth_date"),
        (number(birth="00000000"), "id_number_birth_date"),
        (number(birth=TODAY + datetime.timedelta(days=1)), "id_number_birth_in_future"),
        (number(birth="20991231"), "id_number_birth_in_future"),
        (
            number(birth=identity.EARLIEST_BIRTH_DATE - datetime.timedelta(days=1)),
            "id_number_birth_too_early",
        ),
        (number(birth="10900307"), "id_number_birth_too_early"),
        (wrong_check(VALID), "id_number_checksum"),
        (number("990000"), "id_number_province"),
        (number("000000"), "id_number_province"),
    ],
)
def test_each_kind_of_wrong_id_number_has_its_own_message(value, code):
    assert _code(value) == code


@pytest.mark.parametrize("prefix", [f"{n:02d}" for n in range(100)])
def test_the_first_two_digits_must_be_a_province_level_code(prefix):
    value = number(f"{prefix}0101")
    foreigner = value[0] == "9" and value[1:3] in PROVINCES  # a permanent residence ID card
    if prefix in PROVINCES or foreigner:
        assert identity.validate_id_number(value) == value
    else:
        assert _code(value) == "id_number_province"


@pytest.mark.parametrize("body", [VALID[:17], ENDING_IN_X[:17], number("310115", "19850101")[:17]])
def test_exactly_one_check_character_fits_each_number(body):
    accepted = []
    for last in "0123456789X":
        try:
            accepted.append(identity.validate_id_number(body + last))
        except ValidationError as exc:
            assert exc.code == "id_number_checksum"
    assert accepted == [body + ric.calc_check_digit(body + "0")]


def test_today_is_the_date_in_china_not_in_utc(monkeypatch):
    """At 00:30 in Beijing it is still yesterday in UTC: a child born that day is accepted."""
    half_past_midnight_in_beijing = datetime.datetime(2025, 5, 31, 16, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: half_past_midnight_in_beijing)
    assert identity.validate_id_number(number(birth="20250601"))
    assert _code(number(birth="20250602")) == "id_number_birth_in_future"


@pytest.mark.parametrize(
    ("area", "warned"),
    [
        ("440106", False),  # Tianhe, in the list
        ("310115", False),  # Pudong: created after many holders' birth, still known
        ("810000", False),
        ("830000", False),  # Taiwan residents' residence permits
        ("944840", False),  # a foreigner's permanent residence ID: no area, a nationality
        ("440199", True),  # not a Guangzhou district
        ("129999", True),
    ],
)
def test_an_unknown_area_code_warns_the_clerk_but_is_accepted(english, area, warned):
    value = identity.validate_id_number(number(area))
    warning = identity.id_number_area_warning(value)
    if warned:
        assert area in warning and "not in the list" in warning
    else:
        assert warning == ""


def _uscc(body: str) -> str:
    return body + uscc.calc_check_digit(body)


USCC = _uscc("91440101MA5CXXXX0")
# Every message the module can give, with an input that gives it and its English wording.
MESSAGES = {
    "id_number_characters": (
        identity.validate_id_number,
        "440106¹⁹⁹⁰03071231",
        "A resident ID number holds only the digits 0 to 9 and a final X; “¹” is not one of them.",
    ),
    "legacy_id_number": (
        identity.validate_id_number,
        "440106900307123",
        "15-digit ID numbers are no longer valid; enter the 18-character number on your "
        "current ID card.",
    ),
    "id_number_length": (
        identity.validate_id_number,
        VALID[:-2],
        "A resident ID number has 18 characters; you entered 16.",
    ),
    "id_number_format": (
        identity.validate_id_number,
        "X" + VALID[1:],
        "A resident ID number is 17 digits followed by a digit or X.",
    ),
    "id_number_province": (
        identity.validate_id_number,
        number("990101"),
        "The first two digits (99) are not a province code; please check the number for a "
        "typing error.",
    ),
    "id_number_birth_date": (
        identity.validate_id_number,
        number(birth="19900230"),
        "The birth date in this ID number (1990-02-30) does not exist.",
    ),
    "id_number_birth_in_future": (
        identity.validate_id_number,
        number(birth="20991231"),
        "The birth date in this ID number (2099-12-31) is in the future; please check the "
        "number for a typing error.",
    ),
    "id_number_birth_too_early": (
        identity.validate_id_number,
        number(birth="18600101"),
        f"The birth date in this ID number (1860-01-01) is before "
        f"{identity.EARLIEST_BIRTH_DATE.year}; please check the number for a typing error.",
    ),
    "id_number_checksum": (
        identity.validate_id_number,
        wrong_check(VALID),
        "The last character of this ID number does not match the others; please check the "
        "number for a typing error.",
    ),
    "uscc_characters": (
        identity.validate_uscc,
        "91440101MA5CIIII0X",
        "A unified social credit code holds only the digits 0 to 9 and the capital letters A "
        "to Y without I, O, S, V and Z; “I” is not one of them.",
    ),
    "uscc_length": (
        identity.validate_uscc,
        USCC[:-1],
        "A unified social credit code has 18 characters; you entered 17.",
    ),
    "uscc_area": (
        identity.validate_uscc,
        _uscc("9144A101MA5CXXXX0"),
        "Characters 3 to 8 of a unified social credit code are the digits of an area code.",
    ),
    "uscc_checksum": (
        identity.validate_uscc,
        wrong_check(USCC),
        "The last character of this unified social credit code does not match the others.",
    ),
    "invalid_phone": (
        identity.normalise_phone,
        "12800138000",
        "Enter an 11-digit mainland mobile number, e.g. 13800138000.",
    ),
    "invalid_legal_name": (
        identity.validate_legal_name,
        " \u3000 ",
        "Enter your legal name as on your ID card (at most 64 characters).",
    ),
    "legal_name_characters": (
        identity.validate_legal_name,
        "<b>x</b>",
        "A legal name holds Chinese characters, or Latin letters, with · between its parts; "
        "“<” cannot be part of one.",
    ),
    "legal_name_dots": (
        identity.validate_legal_name,
        "阿依古丽··买买提",
        "In a legal name, · stands between two parts of the name, one at a time.",
    ),
    "legal_name_length": (
        identity.validate_legal_name,
        "张" * 65,
        "A legal name has at most 64 characters; this one has 65.",
    ),
}


def test_the_message_table_covers_every_code_the_module_gives():
    source = inspect.getsource(identity)
    codes = set(re.findall(r'code="(\w+)"', source)) - {"personal_number_in_text"}
    assert codes == set(MESSAGES)


@pytest.mark.parametrize("code", MESSAGES)
def test_every_message_renders_in_english_with_its_details(english, code):
    validator, value, text = MESSAGES[code]
    with pytest.raises(ValidationError) as info:
        validator(value)
    assert info.value.code == code
    assert info.value.messages == [text]


@pytest.mark.parametrize(
    "code",
    list(MESSAGES),
)
def test_every_message_has_a_chinese_translation_with_the_same_details(code):
    validator, value, text = MESSAGES[code]
    details = re.findall(r"\d{4}-\d{2}-\d{2}|(?<=\()\d+(?=\))|“.”|\d+(?=\.$)", text)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        validator(value)
    (message,) = info.value.messages
    assert re.search(r"[\u4e00-\u9fff]", message), message
    assert "%(" not in message
    for detail in details:
        assert detail.strip("“”") in message


def test_the_personal_numbers_message_and_the_area_warning_render_in_both_languages():
    with translation.override("en"):
        assert str(identity.personal_numbers_error().message).startswith("Do not type ID")
        assert identity.id_number_area_warning(number("440199")).startswith("The area code 440199")
    with translation.override("zh-hans"):
        assert re.search(r"[\u4e00-\u9fff]", str(identity.personal_numbers_error().message))
        warning = identity.id_number_area_warning(number("440199"))
        assert "440199" in warning and re.search(r"[\u4e00-\u9fff]", warning)


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        (USCC, USCC),
        (USCC.lower(), USCC),
        (f"{USCC[:8]} {USCC[8:]}", USCC),
        (f"{USCC[:8]}-{USCC[8:]}", USCC),
        (USCC.translate(str.maketrans("0123456789ACMX", "０１２３４５６７８９ＡＣＭＸ")), USCC),
        # Registered by agriculture departments (rural collectives) and other authorities.
        (_uscc("N2440106MF1234567"), _uscc("N2440106MF1234567")),
        (_uscc("Y1110000MA0012345"), _uscc("Y1110000MA0012345")),
        (_uscc("12100000400000624"), _uscc("12100000400000624")),
    ],
)
def test_unified_social_credit_codes_are_accepted_in_canonical_form(value, canonical):
    assert identity.validate_uscc(value) == canonical


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "uscc_length"),
        (USCC[:-1], "uscc_length"),
        (USCC + "0", "uscc_length"),
        (wrong_check(USCC), "uscc_checksum"),
        ("9144¹¹01MA5CXXXX0X", "uscc_characters"),  # superscripts
        ("9144٠١٠١MA5CXXXX0X", "uscc_characters"),  # Arabic-Indic digits
        (USCC[:10] + "O" + USCC[11:], "uscc_characters"),  # O, I, S, V, Z are never used
        (USCC[:10] + "\x00" + USCC[11:], "uscc_characters"),
        (_uscc("9144A101MA5CXXXX0"), "uscc_area"),
    ],
)
def test_each_kind_of_wrong_uscc_has_its_own_message(value, code):
    assert _code(value, identity.validate_uscc) == code


@pytest.mark.parametrize("letter", "IOSVZ")
def test_letters_never_used_in_a_uscc_are_refused(letter):
    assert _code(USCC[:12] + letter + USCC[13:], identity.validate_uscc) == "uscc_characters"


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        (f"核对 {VALID} 的身份", True),
        (f"holder {ENDING_IN_X.lower()}", True),
        ("old card 440106900307123 seen", True),  # 15 digits
        ("call 13800138000 back", True),
        ("call 138 0013 8000 back", True),
        ("call 138-0013-8000 back", True),
        ("call １３８００１３８０００ back", True),  # full-width digits
        (f"{VALID[:6]}\u3000{VALID[6:]}", True),
        ("申请人当场出示了身份证原件", False),
        ("counter service on 2026-01-04", False),
        ("acceptance number 440100202600001", True),  # 15 digits look like an old ID number
        ("acceptance number 4401002026000012", False),  # 16 digits: neither
        ("ticket A023, code 123456", False),
        ("12800138000", False),  # not a mobile prefix
        ("", False),
    ],
)
def test_mentions_personal_numbers_finds_id_and_phone_numbers_in_free_text(text, mentions):
    assert identity.mentions_personal_numbers(text) is mentions


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "138 0013 8000",
        "+86 138-0013-8000",
        "008613800138000",
        "１３８００１３８０００",
    ],
)
def test_mainland_mobile_numbers_normalise_to_e164(raw):
    assert identity.normalise_phone(raw) == "+8613800138000"


@pytest.mark.parametrize(
    "raw",
    ["12800138000", "1380013800", "+12025550123", "", "abc", "138٠٠١٣٨٠٠٠", "¹³⁸00138000"],
)
def test_other_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        identity.normalise_phone(raw)


def test_masks():
    assert identity.mask_id_number("44010619900307123X") == "4401**********123X"
    assert identity.mask_phone("+8613800138000") == "138****8000"
    assert identity.mask_name("张小明") == "张*明"
    assert identity.mask_name("张三") == "张*"


def test_encryption_round_trips_and_hides_the_number():
    token = identity.encrypt(VALID)
    assert VALID not in token
    assert identity.decrypt(token) == VALID
    assert identity.encrypt(VALID) != token  # randomised: equal numbers are not linkable


def test_blind_index_is_stable_and_keyed(settings):
    first = identity.blind_index(VALID)
    assert first == identity.blind_index(VALID)
    settings.BLIND_INDEX_KEY = "another-key"
    assert identity.blind_index(VALID) != first


def test_log_filter_masks_id_numbers_and_phones():
    line = f"looked up {VALID} for +8613800138000 and 13900001111"
    masked = mask_text(line)
    assert VALID not in masked and "13800138000" not in masked and "13900001111" not in masked
    assert identity.mask_id_number(VALID) in masked


def test_error_reports_hide_personal_data(rf):
    import sys

    from django.views.debug import ExceptionReporter

    request = rf.post(
        "/profile/realname/",
        {"legal_name": "李四", "id_number": VALID, "note": f"call 13800138000 about {VALID}"},
    )
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        report = ExceptionReporter(request, *sys.exc_info()).get_traceback_text()
    assert VALID not in report and "13800138000" not in report
    assert "李四" in report  # other fields stay readable for debugging


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("张三", "张三"),
        ("  欧阳  娜娜 ", "欧阳娜娜"),  # spaces between Chinese characters are typing, not name
        ("阿卜杜热合曼•买买提", "阿卜杜热合曼·买买提"),
        ("阿卜杜热合曼・买买提", "阿卜杜热合曼·买买提"),
        ("阿卜杜热合曼 ‧ 买买提", "阿卜杜热合曼·买买提"),
        ("𠀋𪚥𫠠", "𠀋𪚥𫠠"),  # extensions B, C, E: names need them
        ("㐱", "㐱"),  # extension A
        ("ＪＯＨＮ　ＳＭＩＴＨ", "JOHN SMITH"),  # full-width, as a Chinese input method types
        ("Anna  Maria   García", "Anna Maria García"),
        ("Jean·Pierre Dupont", "Jean·Pierre Dupont"),
        ("张" * 64, "张" * 64),
    ],
)
def test_legal_names_people_hold_are_accepted_in_canonical_form(typed, name):
    assert identity.validate_legal_name(typed) == name


@pytest.mark.parametrize(
    ("typed", "refused"),
    [
        ("<b>x</b>", "<"),
        ("张三<script>", "<"),
        ("张三&amp;", "&"),
        ("O'Brien", "'"),
        ('张"三', '"'),
        ("张三1", "1"),
        ("张三１", "１"),
        ("张\u200b三", "U+200B"),  # zero-width space: invisible, but on the certificate
        ("张\x00三", "U+0000"),
        ("李四\n王五", "U+000A"),
        ("Ivan_Petrov", "_"),
        ("张三（曾用名）", "（"),
        ("Алексей", "А"),  # Cyrillic is not Latin, though it looks it
        ("김철수", "김"),
        ("やまだ", "や"),
        ("张三🙂", "🙂"),
        ("〇", "〇"),
    ],
)
def test_anything_else_in_a_legal_name_is_refused_naming_the_character(english, typed, refused):
    with pytest.raises(ValidationError) as info:
        identity.validate_legal_name(typed)
    assert info.value.code == "legal_name_characters"
    assert f"“{refused}”" in info.value.messages[0]
