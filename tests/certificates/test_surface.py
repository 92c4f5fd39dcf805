import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from certificates import issuing, surface
from certificates.models import Certificate, CertificateEvent, SigningKey
from tests.certificates.conftest import TYPE_FIELDS
from tests.certificates.test_api import _admin

FIELDS = [
    {"name": "address", "label": "住址", "type": "text"},
    {"name": "born", "label": "出生", "type": "date"},
    {"name": "area", "label": "面积", "type": "number"},
    {"name": "note", "label": "备注"},  # no declared type: text
    {"name": "class", "label": "准驾车型", "type": "text", "required": True},
]


def _messages(exc: ValidationError) -> list[str]:
    return exc.message_dict["surface"]


@pytest.mark.parametrize(
    ("name", "given", "stored"),
    [
        ("address", "  广州市天河区  ", "广州市天河区"),
        ("address", 42, "42"),
        ("note", " 无 ", "无"),
        ("born", "1990-03-07", "1990-03-07"),
        ("born", " 2000-02-29 ", "2000-02-29"),
        ("born", datetime.date(1990, 3, 7), "1990-03-07"),
        ("area", "89.5", "89.5"),
        ("area", " +12 ", "12"),
        ("area", -3, "-3"),
        ("area", Decimal("0.25"), "0.25"),
    ],
)
def test_each_type_accepts_and_normalises_its_values(name, given, stored):
    cleaned = surface.clean(FIELDS, {name: given, "class": "C1"})
    assert cleaned == {name: stored, "class": "C1"}


@pytest.mark.parametrize(
    ("name", "given", "code"),
    [
        ("address", ["a list"], "invalid_text"),
        ("address", True, "invalid_text"),
        ("address", "x" * 501, "max_length"),
        ("born", "07/03/1990", "invalid_date"),
        ("born", "19900307", "invalid_date"),
        ("born", "1990-02-30", "invalid_date"),
        ("born", 1990, "invalid_date"),
        ("born", datetime.datetime(1990, 3, 7, 12), "invalid_date"),
        ("area", "89.5㎡", "invalid_number"),
        ("area", "1e3", "invalid_number"),
        ("area", "NaN", "invalid_number"),
        ("area", True, "invalid_number"),
    ],
)
def test_each_type_refuses_a_value_of_another_kind_naming_the_field(name, given, code):
    with pytest.raises(ValidationError) as caught:
        surface.clean(FIELDS, {name: given, "class": "C1"})
    [error] = caught.value.error_dict["surface"]
    assert error.code == code
    assert _messages(caught.value)[0].startswith(f"{name}: ")


def test_a_required_field_must_be_given_and_blank_optional_ones_are_left_out():
    with pytest.raises(ValidationError) as caught:
        surface.clean(FIELDS, {"address": "广州", "class": "  "})
    assert _messages(caught.value) == ["class: this field is required."]
    assert surface.clean(FIELDS, {"address": " ", "born": None, "class": "C1"}) == {"class": "C1"}


def test_every_bad_field_is_named_at_once_and_unknown_fields_are_refused():
    with pytest.raises(ValidationError) as caught:
        surface.clean(FIELDS, {"born": "yesterday", "area": "many"})
    assert [m.split(":")[0] for m in _messages(caught.value)] == ["born", "area", "class"]
    with pytest.raises(ValidationError, match="shoe_size"):
        surface.clean(FIELDS, {"shoe_size": "42", "class": "C1"})


def test_an_undeclared_field_type_is_refused_rather_than_signed_unchecked():
    with pytest.raises(ValidationError) as caught:
        surface.clean([{"name": "x", "type": "colour"}], {"x": "red"})
    assert caught.value.error_dict["surface"][0].code == "unknown_type"


def _issue(ctype, issuer, person, values):
    return issuing.issue(
        type=ctype,
        issuer=issuer,
        holder_name="张三",
        holder_code=person.reveal_id_number(),
        surface=values,
        by=None,
        idempotency_key="bad-surface",
    )


def test_issuing_with_a_bad_value_creates_nothing(issuer, ctype, person):
    assert [f["type"] for f in TYPE_FIELDS] == ["text", "date"]
    with pytest.raises(ValidationError, match="birth_date"):
        _issue(ctype, issuer, person, {"address": "广州", "birth_date": "1990/03/07"})
    assert not Certificate.objects.exists()
    assert not CertificateEvent.objects.exists()
    assert not SigningKey.objects.exists()


def test_issue_stores_and_signs_the_normalised_values(issuer, ctype, person):
    from certificates import verification

    certificate = _issue(
        ctype, issuer, person, {"address": " 广州 ", "birth_date": datetime.date(1990, 3, 7)}
    )
    certificate.refresh_from_db()
    assert certificate.surface == {"address": "广州", "birth_date": "1990-03-07"}
    assert verification.verify_certificate(certificate).is_valid


def test_renew_checks_the_new_values_before_superseding(certificate):
    with pytest.raises(ValidationError, match="birth_date"):
        issuing.renew(certificate, by=None, surface={"birth_date": "not a date"})
    certificate.refresh_from_db()
    assert certificate.status == "valid"
    assert Certificate.objects.count() == 1
    new = issuing.renew(certificate, by=None, surface={"address": " 广州市越秀区 "})
    assert new.surface["address"] == "广州市越秀区"


def test_the_api_answers_400_naming_the_bad_field(client, settings, issuer, ctype, person):
    settings.STAFF_MFA_REQUIRED = False
    client.force_login(_admin(issuer))
    body = {
        "type_code": ctype.code,
        "issuer_code": issuer.code,
        "holder_name": "张三",
        "holder_code": person.reveal_id_number(),
        "surface": {"address": "广州", "birth_date": "7 March 1990"},
        "idempotency_key": "bad-date",
    }
    response = client.post("/api/v1/certificates/issue/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_date",
        "detail": "birth_date: enter a date as YYYY-MM-DD.",
        "fields": {"surface": ["birth_date: enter a date as YYYY-MM-DD."]},
    }
    assert not Certificate.objects.exists()
