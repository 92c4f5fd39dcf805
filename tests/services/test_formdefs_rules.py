"""Each rule of a form field refuses on its own, exactly at its limit, and answers come back
with the type they mean: a "no" is False, a whole number an int (see docs/mutation.md)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from services import formdefs
from tests.services.factories import field


def _refusal(spec: dict, value) -> tuple[str, str]:
    """The one (code, English message) that ``value`` earns as the answer to ``spec``."""
    with pytest.raises(ValidationError) as info:
        formdefs.validate_submission({"fields": [spec]}, {spec["key"]: value})
    ((error,),) = info.value.error_dict.values()
    return error.code, " ".join(error.messages)


def _answer(spec: dict, value):
    return formdefs.validate_submission({"fields": [spec]}, {spec["key"]: value})[spec["key"]]


@pytest.mark.parametrize("said", ["否", "no", "No", " NO ", "false", "False", "off", "0"])
def test_a_no_answer_is_false(said):
    assert _answer(field("agree", "boolean"), said) is False


@pytest.mark.parametrize("said", ["是", "yes", "YES", " true ", "on", "1"])
def test_a_yes_answer_is_true(said):
    assert _answer(field("agree", "boolean"), said) is True


def test_a_boolean_sent_as_json_is_kept_and_anything_else_refused():
    assert _answer(field("agree", "boolean"), False) is False
    assert _answer(field("agree", "boolean"), True) is True
    assert _refusal(field("agree", "boolean"), "maybe") == ("invalid_boolean", "Answer yes or no.")


def test_the_html_form_reads_no_as_false():
    form = formdefs.build_form({"fields": [field("agree", "boolean")]}, {"agree": "no"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"agree": False}


def test_the_pattern_rule_refuses_what_does_not_match_in_full():
    spec = field("postcode", rules={"pattern": r"\d{6}"})
    assert _answer(spec, "510000") == "510000"
    refused = ("pattern", "The value is not in the expected format.")
    assert _refusal(spec, "51000A") == refused
    assert _refusal(spec, "5100001") == refused  # a match must cover the whole answer


def test_the_min_length_rule_refuses_one_character_short():
    spec = field("name", rules={"min_length": 3})
    assert _answer(spec, "欧阳锋") == "欧阳锋"
    assert _refusal(spec, "张三") == ("min_length", "Enter at least 3 characters.")


def test_the_max_length_rule_refuses_one_character_over():
    spec = field("name", rules={"max_length": 4})
    assert _answer(spec, "司马相如") == "司马相如"
    assert _refusal(spec, "司马相如子") == (
        "max_length",
        "Enter at most 4 characters (you entered 5).",
    )


def test_text_without_a_max_length_rule_is_limited_to_500_characters():
    spec = field("story")
    assert _answer(spec, "字" * 500) == "字" * 500
    assert _refusal(spec, "字" * 501) == (
        "max_length",
        "Enter at most 500 characters (you entered 501).",
    )


def test_an_address_without_a_max_length_rule_is_limited_to_200_characters():
    spec = field("home", "address")
    assert _answer(spec, "路" * 200) == "路" * 200
    assert _refusal(spec, "路" * 201) == (
        "max_length",
        "Enter at most 200 characters (you entered 201).",
    )


def test_the_min_rule_refuses_a_number_just_below():
    spec = field("age", "number", rules={"min": 18})
    assert _answer(spec, "18") == 18
    assert _refusal(spec, "17") == ("min_value", "Enter a number of at least 18.")
    assert _refusal(spec, "17.5") == ("min_value", "Enter a number of at least 18.")


def test_the_max_rule_refuses_a_number_just_above():
    spec = field("age", "number", rules={"max": 150})
    assert _answer(spec, "150") == 150
    assert _refusal(spec, "150.5") == ("max_value", "Enter a number of at most 150.")


def test_the_min_date_rule_refuses_the_day_before():
    spec = field("born", "date", rules={"min_date": "2000-01-01"})
    assert _answer(spec, "2000-01-01") == "2000-01-01"
    assert _refusal(spec, "1999-12-31") == ("min_date", "Enter a date on or after 2000-01-01.")


def test_the_max_date_rule_refuses_the_day_after():
    spec = field("born", "date", rules={"max_date": "2026-12-31"})
    assert _answer(spec, "2026-12-31") == "2026-12-31"
    assert _refusal(spec, "2027-01-01") == ("max_date", "Enter a date on or before 2026-12-31.")


@pytest.mark.parametrize(
    ("typed", "number"),
    [("42", 42), ("42.0", 42), ("1,000", 1000), ("-7", -7), ("0", 0)],
)
def test_whole_numbers_come_back_as_ints(typed, number):
    value = _answer(field("count", "number"), typed)
    assert value == number and type(value) is int


def test_fractions_come_back_as_floats():
    value = _answer(field("area", "number"), "89.5")
    assert value == 89.5 and type(value) is float


def test_the_integer_rule_refuses_a_fraction_and_takes_a_whole_number_written_as_one():
    spec = field("count", "number", rules={"integer": True})
    assert _refusal(spec, "2.5") == ("invalid_integer", "Enter a whole number.")
    value = _answer(spec, "2.0")
    assert value == 2 and type(value) is int


def test_a_number_of_thirty_characters_is_read_and_a_longer_one_or_a_non_finite_one_refused():
    spec = field("count", "number")
    assert _answer(spec, "1" * 30) == int("1" * 30)
    refused = ("invalid_number", "Enter a number.")
    for typed in ("1" * 31, "NaN", "Infinity", "-inf", "twelve"):
        assert _refusal(spec, typed) == refused, typed


def test_a_date_not_written_as_yyyy_mm_dd_is_refused():
    spec = field("born", "date")
    refused = ("invalid_date", "Enter a real date as YYYY-MM-DD, e.g. 2026-03-07.")
    for typed in ("2000-1-1", "20000101", "2000/01/01", "2000-02-30"):
        assert _refusal(spec, typed) == refused, typed


@pytest.mark.parametrize("bound", [20000101, "2000-1-1", None])
def test_a_definition_whose_date_rule_is_not_a_yyyy_mm_dd_text_is_refused(bound):
    bad = {"fields": [field("born", "date", rules={"min_date": bound})]}
    with pytest.raises(ValidationError) as info:
        formdefs.validate_definition(bad)
    assert "min_date must be a date, YYYY-MM-DD." in " ".join(info.value.messages)
