"""Form definitions: the schema check and server-side validation per field type."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from services import formdefs
from tests.factories import make_id_number, make_uscc
from tests.services.factories import field


def definition(*fields):
    return {"fields": list(fields)}


def errors_of(definition_, data):
    with pytest.raises(ValidationError) as info:
        formdefs.validate_submission(definition_, data)
    return {
        key: [(e.code, str(m)) for e in errs for m in e.messages]
        for key, errs in info.value.error_dict.items()
    }


def test_a_well_formed_definition_passes():
    good = definition(
        field("name", max_length=20) | {"rules": {"max_length": 20}},
        field("kind", "choice", rules={"choices": [{"value": "a", "label": "甲"}]}),
        field("age", "number", rules={"min": 0, "max": 150, "integer": True}),
        field("born", "date", rules={"min_date": "1900-01-01"}),
        field("agree", "boolean"),
    )
    good["fields"][0].pop("max_length")
    assert formdefs.validate_definition(good) == good


def test_empty_definitions_become_an_empty_form():
    assert formdefs.validate_definition(None) == {"fields": []}
    assert formdefs.validate_definition("") == {"fields": []}


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ([1, 2], "one key"),
        ({"fields": "x"}, "must be a list"),
        (definition(field("Bad Key")), "lower-case"),
        (definition(field("a"), field("a")), "used twice"),
        (definition(field("a", "colour")), "type must be one of"),
        (definition(field("a") | {"label": ""}), "label is required"),
        (definition(field("a", "choice")), "lists its choices"),
        (definition(field("a", "text", rules={"pattern": "("})), "regular expression"),
        (definition(field("a", "number", rules={"min": 5, "max": 1})), "minimum is above"),
        (definition(field("a", "date", rules={"max_length": 3})), "not allowed"),
        (definition(field("a") | {"colour": "red"}), "unknown attributes"),
        (definition(field("a", required="yes")), "true or false"),
    ],
)
def test_a_malformed_definition_is_refused_saying_why(bad, words):
    with translation.override("en"), pytest.raises(ValidationError) as info:
        formdefs.validate_definition(bad)
    assert words in " ".join(info.value.messages)


def test_every_problem_is_reported_with_its_field():
    with translation.override("en"), pytest.raises(ValidationError) as info:
        formdefs.validate_definition(definition(field("ok"), field("x", "nope"), field("A")))
    messages = info.value.messages
    assert len(messages) == 2
    assert messages[0].startswith("Field 2 (x):") and messages[1].startswith("Field 3 (A):")


FORM = definition(
    field("name", rules={"max_length": 4}),
    field("age", "number", rules={"min": 0, "max": 150, "integer": True}),
    field("born", "date", rules={"max_date": "2026-12-31"}),
    field("kind", "choice", rules={"choices": [{"value": "new", "label": "新办"}]}),
    field("id_number", "id_number"),
    field("uscc", "uscc", required=False),
    field("phone", "phone"),
    field("address", "address", required=False),
    field("agree", "boolean"),
)


def test_valid_answers_come_back_typed_and_canonical():
    number = make_id_number()
    code = make_uscc()
    cleaned = formdefs.validate_submission(
        FORM,
        {
            "name": "张三",
            "age": "30",
            "born": "1996-02-29",
            "kind": "new",
            "id_number": number.lower(),
            "uscc": code,
            "phone": "138 0013 8000",
            "address": "",
            "agree": "yes",
        },
    )
    assert cleaned == {
        "name": "张三",
        "age": 30,
        "born": "1996-02-29",
        "kind": "new",
        "id_number": number.upper(),
        "uscc": code,
        "phone": "+8613800138000",
        "agree": True,
    }


@pytest.mark.parametrize(
    ("key", "value", "code", "words"),
    [
        ("name", "张三丰之子", "max_length", "at most 4 characters"),
        ("age", "thirty", "invalid_number", "Enter a number"),
        ("age", "3.5", "invalid_integer", "whole number"),
        ("age", "200", "max_value", "at most 150"),
        ("born", "2026-02-30", "invalid_date", "real date"),
        ("born", "2027-01-01", "max_date", "on or before 2026-12-31"),
        ("kind", "old", "invalid_choice", "one of the options"),
        ("id_number", "44010619900307123", "id_number_length", "18 characters"),
        ("uscc", "91440101MA0000001X", "uscc_checksum", "does not match"),
        ("phone", "12345", "invalid_phone", "11-digit"),
        ("agree", "maybe", "invalid_boolean", "yes or no"),
    ],
)
def test_each_field_type_reports_its_own_translated_error(key, value, code, words):
    data = {
        "name": "张三",
        "age": "1",
        "born": "2000-01-01",
        "kind": "new",
        "id_number": make_id_number(),
        "phone": "13800138000",
        "agree": "no",
        key: value,
    }
    with translation.override("en"):
        errors = errors_of(FORM, data)
    assert list(errors) == [key]
    ((got_code, message),) = errors[key]
    assert got_code == code and words in message


def test_messages_follow_the_language():
    with translation.override("zh-hans"):
        zh = errors_of(FORM, {})["name"][0][1]
    with translation.override("en"):
        en = errors_of(FORM, {})["name"][0][1]
    assert en == "This field is required."
    assert zh  # translated by the translators; the msgid is the English text


def test_missing_required_answers_and_unknown_fields_are_reported_by_key():
    with translation.override("en"):
        errors = errors_of(FORM, {"extra": "1"})
    assert errors["extra"] == [("unknown_field", "This form has no such field.")]
    required = {k for k, v in errors.items() if v[0][0] == "required"}
    assert required == {"name", "age", "born", "kind", "id_number", "phone", "agree"}


def test_a_non_scalar_answer_is_refused_not_crashed():
    with translation.override("en"):
        errors = errors_of(definition(field("name")), {"name": ["a", "b"]})
    assert errors["name"][0][0] == "invalid"


def test_the_html_form_validates_like_the_api_and_labels_follow_the_language():
    with translation.override("en"):
        form = formdefs.build_form(FORM, {"name": "张三", "phone": "123", "agree": "yes"})
        assert not form.is_valid()
        assert form.errors["phone"] == [
            "Enter an 11-digit mainland mobile number, e.g. 13800138000."
        ]
        assert form.fields["id_number"].label == "id number"
        html = form.as_div()
    assert 'type="date"' in html and 'inputmode="tel"' in html and 'type="radio"' in html
