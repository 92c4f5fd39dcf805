"""A certificate type's declaration (surface fields, layout, validity) is checked before it is
saved, on every path, and the admin says what is wrong."""

import pytest
from django.core.exceptions import ValidationError

from certificates import rendering
from certificates.models import ValidityRule
from portal.models import StaffRole
from tests.certificates.conftest import TYPE_FIELDS
from tests.factories import PASSWORD, make_staff

pytestmark = pytest.mark.django_db


def _messages(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"name": "address"}, "list of objects"),
        (["address"], "Field 1: not an object"),
        ([{"name": "Address", "label": "住址"}], "Field 1: the name must be lower-case"),
        ([{"name": "address"}], "Field 1: label must be text"),
        ([{"name": "address", "label": "  "}], "Field 1: label must be text"),
        ([{"name": "address", "label": "住址", "label_en": 5}], "label_en must be text"),
        ([{"name": "address", "label": "住址", "type": "colour"}], "the type must be one of"),
        ([{"name": "address", "label": "住址", "required": "yes"}], "required is true or false"),
        ([{"name": "address", "label": "住址", "width": 3}], "unknown keys width"),
        (
            [{"name": "address", "label": "住址"}, {"name": "address", "label": "地址"}],
            "Field 2: the name address is used twice",
        ),
    ],
)
def test_bad_surface_field_declarations_are_refused_with_the_reason(ctype, fields, expected):
    ctype.fields = fields
    with pytest.raises(ValidationError) as raised:
        ctype.save()
    assert expected in _messages(raised.value)
    ctype.refresh_from_db()
    assert ctype.fields == TYPE_FIELDS  # nothing half-saved


def test_every_problem_is_named_at_once(ctype):
    ctype.fields = [{"name": "1st", "label": ""}, {"name": "ok", "label": "好", "type": "x"}]
    ctype.layout = {"colour": "red"}
    with pytest.raises(ValidationError) as raised:
        ctype.full_clean()
    errors = raised.value.message_dict
    assert len(errors["fields"]) == 3 and errors["layout"] == [
        "The colour is written #RRGGBB, such as #b22222."
    ]


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        ({"colour": "#12345"}, "#RRGGBB"),
        ({"colour": "blue"}, "#RRGGBB"),
        ({"title": ""}, "title is text"),
        ({"font": "宋体"}, "Unknown layout keys: font"),
        ([], "The layout is an object"),
    ],
)
def test_a_layout_that_would_break_the_pdf_is_refused(ctype, layout, expected):
    ctype.layout = layout
    with pytest.raises(ValidationError) as raised:
        ctype.save()
    assert expected in _messages(raised.value)


def test_a_valid_layout_renders(certificate):
    certificate.type.layout = {"colour": "#B22222", "title": "居民身份证"}
    certificate.type.save()
    assert rendering.pdf(certificate, verify_url="https://example.test/v/").startswith(b"%PDF")


def test_the_validity_rule_and_years_agree(ctype):
    ctype.validity_rule, ctype.validity_years = ValidityRule.FIXED_YEARS, None
    with pytest.raises(ValidationError, match="number of years"):
        ctype.save()
    ctype.validity_rule, ctype.validity_years = ValidityRule.LONG_TERM, 5
    with pytest.raises(ValidationError, match="only for a fixed number"):
        ctype.save()
    ctype.validity_rule, ctype.validity_years = ValidityRule.FIXED_YEARS, 32767
    with pytest.raises(ValidationError, match="at most 100 years"):
        ctype.save()


def test_a_malformed_type_code_is_refused(ctype):
    ctype.code = "NOT-A-TYPE-CODE"
    with pytest.raises(ValidationError) as raised:
        ctype.save()
    assert "code" in raised.value.message_dict


def test_the_admin_says_why_a_declaration_is_refused(client, ctype, settings):
    settings.STAFF_MFA_REQUIRED = False
    admin = make_staff(StaffRole.SYSTEM_ADMIN)
    client.cookies["django_language"] = "en"
    assert client.post("/accounts/login/", {"login": admin.email, "password": PASSWORD})
    data = {
        "code": ctype.code,
        "name": ctype.name,
        "name_en": "",
        "defining_department": ctype.defining_department_id,
        "issuing_departments": [d.pk for d in ctype.issuing_departments.all()],
        "holder_kind": ctype.holder_kind,
        "fields": '[{"name": "address", "label": "住址", "type": "colour"}]',
        "validity_rule": ctype.validity_rule,
        "validity_years": ctype.validity_years,
        "layout": "{}",
    }
    page = client.post(f"/admin/certificates/certificatetype/{ctype.pk}/change/", data)
    assert page.status_code == 200
    assert "Field 1: the type must be one of text, date, number." in page.content.decode()
    ctype.refresh_from_db()
    assert ctype.fields == TYPE_FIELDS
    data["fields"] = '[{"name": "address", "label": "住址", "type": "text", "required": true}]'
    saved = client.post(f"/admin/certificates/certificatetype/{ctype.pk}/change/", data)
    assert saved.status_code == 302
    ctype.refresh_from_db()
    assert ctype.fields[0]["required"] is True


def test_names_and_colours_must_match_whole_and_an_empty_english_label_is_absent(ctype):
    ctype.fields = [{"name": "address\n", "label": "住址"}]
    with pytest.raises(ValidationError, match="the name must be lower-case"):
        ctype.save()
    ctype.fields = [{"name": "address", "label": "住址", "label_en": ""}]
    ctype.layout = {"colour": "#b22222\n"}
    with pytest.raises(ValidationError, match="#RRGGBB"):
        ctype.save()
    ctype.layout = {"colour": "#b22222"}
    ctype.save()


def test_a_lower_case_type_code_is_saved_upper_case(ctype):
    ctype.code = ctype.code.lower()
    ctype.save()
    ctype.refresh_from_db()
    assert ctype.code == ctype.code.upper()


def test_the_type_code_cannot_change_once_certificates_cover_it(certificate):
    from tests.factories import make_uscc

    ctype = certificate.type
    ctype.code = f"{make_uscc()}002"
    with pytest.raises(ValidationError, match="can no longer change"):
        ctype.save()
    ctype.refresh_from_db()
    ctype.name = "居民身份证（新版）"
    ctype.save()  # other changes stay possible
