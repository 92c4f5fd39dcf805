import pytest
from django.core.exceptions import ValidationError

from certificates import identifiers

EXAMPLE = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"


def test_the_check_character_reproduces_the_public_example():
    assert (
        identifiers.check_character(
            "11100000000013338W011", "11430000006122244L", "20230000403", "001"
        )
        == "U"
    )
    assert str(identifiers.parse(EXAMPLE)) == EXAMPLE


def test_make_generates_the_example_strictly():
    made = identifiers.make(
        type_code="11100000000013338W011",
        issuer_code="11430000006122244L",
        serial="20230000403",
        version=1,
    )
    assert made == EXAMPLE


def test_parse_is_lenient_about_case_spaces_and_area_codes():
    assert str(identifiers.parse(" " + EXAMPLE.lower() + "\n")) == EXAMPLE
    area = "1.2.156.3005.2.11100000000013338W011.430000.20230000403.001."
    check = identifiers.check_character("11100000000013338W011", "430000", "20230000403", "001")
    assert identifiers.parse(area + check).issuer_code == "430000"


def test_make_refuses_an_area_code_as_issuer():
    with pytest.raises(ValidationError):
        identifiers.make(
            type_code="11100000000013338W011", issuer_code="430000", serial="1", version=1
        )


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "identifier_root"),
        ("1.2.3", "identifier_root"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.001.U", "identifier_parts"),
        (EXAMPLE.replace(".U", ".V"), "identifier_checksum"),
        (EXAMPLE.replace(".001.", ".000."), "identifier_version"),
        (EXAMPLE.replace("W011", "W01"), "identifier_type_code"),
        (EXAMPLE.replace("20230000403", "2023-403"), "identifier_serial"),
        (EXAMPLE.replace("11430000006122244L", "1143"), "identifier_issuer_code"),
    ],
)
def test_malformed_identifiers_say_why(value, code):
    with pytest.raises(identifiers.InvalidIdentifier) as caught:
        identifiers.parse(value)
    assert caught.value.code == code
    assert caught.value.messages[0]
