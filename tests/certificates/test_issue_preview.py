"""Issuing in the staff area goes through a preview of what will be signed; a second valid
certificate of the same type for the same holder needs a renewal or a deliberate tick."""

import pytest

from certificates.models import Certificate, HolderKind, ValidityRule
from portal.models import StaffAssignment, StaffRole
from tests.certificates.conftest import make_type
from tests.factories import make_id_number, make_staff


@pytest.fixture
def admin(issuer, settings):
    settings.STAFF_MFA_REQUIRED = False
    user = make_staff(StaffRole.DEPARTMENT_ADMIN)
    StaffAssignment.objects.filter(user=user).update(department=issuer)
    return user


def _data(client, ctype, person, **extra):
    key = (
        client.get(f"/staff/certificates/issue/{ctype.pk}/")
        .context["form"]
        .initial["idempotency_key"]
    )
    return {
        "holder_name": "张三",
        "holder_code": person.reveal_id_number(),
        "surface_address": "广州市天河区",
        "idempotency_key": key,
        **extra,
    }


def test_the_form_shows_a_preview_and_only_the_confirmation_signs(client, admin, ctype, person):
    client.force_login(admin)
    url = f"/staff/certificates/issue/{ctype.pk}/"
    data = _data(client, ctype, person)

    preview = client.post(url, data)

    assert preview.status_code == 200 and not Certificate.objects.exists()
    body = preview.content.decode()
    assert "What will be signed" in body and "广州市天河区" in body
    assert person.reveal_id_number() not in body.split("<form")[0]  # masked where shown
    assert f'value="{data["idempotency_key"]}"' in body and 'name="confirm"' in body
    assert client.post(url, {**data, "confirm": "1"}).status_code == 302
    assert Certificate.objects.count() == 1


def test_a_second_certificate_of_the_type_asks_renewal_or_a_deliberate_tick(
    client, admin, ctype, person, certificate
):
    client.force_login(admin)
    url = f"/staff/certificates/issue/{ctype.pk}/"
    data = _data(client, ctype, person)

    preview = client.post(url, data).content.decode()
    assert "This holder already has a valid certificate of this type" in preview
    assert f"/staff/certificates/{certificate.pk}/renew/" in preview

    refused = client.post(url, {**data, "confirm": "1"})
    assert refused.status_code == 200
    assert "Tick the box to issue a second certificate" in refused.content.decode()
    assert Certificate.objects.count() == 1

    on_purpose = client.post(url, {**data, "confirm": "1", "second_on_purpose": "on"})
    assert on_purpose.status_code == 302
    assert Certificate.objects.count() == 2
    # The same confirmation sent again (a double click) is the same certificate.
    again = client.post(url, {**data, "confirm": "1"})
    assert again.status_code == 302 and Certificate.objects.count() == 2


def test_the_holder_field_is_asked_and_checked_by_the_types_holder_kind(client, admin, issuer):
    client.force_login(admin)
    licence = make_type(issuer, kind=HolderKind.ORGANISATION, rule=ValidityRule.LONG_TERM, seq=2)
    form = client.get(f"/staff/certificates/issue/{licence.pk}/").content.decode()
    assert "Holder&#x27;s unified social credit code" in form
    assert "resident ID number" not in form

    page = client.post(
        f"/staff/certificates/issue/{licence.pk}/",
        {"holder_name": "张三", "holder_code": make_id_number(), "idempotency_key": "k"},
    )
    assert page.status_code == 200
    errors = page.context["form"].errors["holder_code"]
    assert any("resident ID number" in e and "credit code" in e for e in errors)
    assert not Certificate.objects.exists()


def test_a_person_type_asks_for_the_resident_id_number(client, admin, ctype):
    client.force_login(admin)
    form = client.get(f"/staff/certificates/issue/{ctype.pk}/").content.decode()
    assert "Holder&#x27;s resident ID number" in form
    assert "unified social credit code" not in form
