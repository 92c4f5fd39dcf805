import pytest
from django.core.exceptions import ValidationError

from portal import identity
from portal.logging import mask_text
from tests.factories import make_id_number

VALID = make_id_number(7)


def _with_check(body: str) -> str:
    from stdnum.cn import ric

    return body + ric.calc_check_digit(body + "0")


def _code(value: str, validator=identity.validate_id_number) -> str:
    with pytest.raises(ValidationError) as info:
        validator(value)
    return info.value.code


def test_a_valid_number_is_returned_in_canonical_form():
    assert identity.validate_id_number(VALID) == VALID
    assert identity.validate_id_number(f" {VALID[:6]} {VALID[6:14]} {VALID[14:]} ") == VALID


def test_lower_case_x_is_accepted_as_upper_case():
    number = next(n for n in (make_id_number(i) for i in range(200)) if n.endswith("X"))
    assert identity.validate_id_number(number.lower()) == number


def test_full_width_digits_typed_with_a_chinese_keyboard_are_accepted():
    wide = VALID.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert identity.validate_id_number(wide) == VALID


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (VALID[:-1], "id_number_length"),
        (VALID + "1", "id_number_length"),
        ("440106900307123", "legacy_id_number"),
        (VALID[:10] + "A" + VALID[11:], "id_number_format"),
        ("44010619900230123" + "0", "id_number_birth_date"),
        (VALID[:-1] + ("1" if VALID[-1] != "1" else "2"), "id_number_checksum"),
        (_with_check("99999919900307007"), "id_number_area"),
    ],
)
def test_each_kind_of_wrong_id_number_has_its_own_message(value, code):
    assert _code(value) == code


def test_messages_say_what_is_wrong_in_plain_words():
    with pytest.raises(ValidationError) as info:
        identity.validate_id_number("44010619900230" + "1234")
    assert "1990-02-30" in info.value.messages[0]


def test_uscc_validation():
    from tests.factories import make_uscc

    code = make_uscc(5)
    assert identity.validate_uscc(code.lower()) == code
    assert _code(code[:-1], identity.validate_uscc) == "uscc_length"
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert _code(bad, identity.validate_uscc) == "uscc_checksum"


@pytest.mark.parametrize(
    "raw", ["13800138000", "138 0013 8000", "+86 138-0013-8000", "008613800138000"]
)
def test_mainland_mobile_numbers_normalise_to_e164(raw):
    assert identity.normalise_phone(raw) == "+8613800138000"


@pytest.mark.parametrize("raw", ["12800138000", "1380013800", "+12025550123", "", "abc"])
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
