from urllib.parse import urlencode

import pytest

from certificates.models import Certificate, ValidityRule
from portal.models import StaffAssignment, StaffRole
from tests.certificates.conftest import make_type
from tests.certificates.demo_types import demo_type
from tests.factories import make_staff


@pytest.fixture(autouse=True)
def _second_factor_tested_apart(settings):
    """A password-only session is refused: tests/certificates/test_api_second_factor.py."""
    settings.STAFF_MFA_REQUIRED = False


def _admin(issuer):
    user = make_staff(StaffRole.DEPARTMENT_ADMIN)
    StaffAssignment.objects.filter(user=user).update(department=issuer)
    return user


def test_a_department_administrator_issues_idempotently_and_revokes(client, issuer, ctype, person):
    client.force_login(_admin(issuer))
    body = {
        "type_code": ctype.code,
        "issuer_code": issuer.code,
        "holder_name": "张三",
        "holder_code": person.reveal_id_number(),
        "surface": {"address": "广州"},
        "idempotency_key": "retry-1",
    }
    first = client.post("/api/v1/certificates/issue/", body, content_type="application/json")
    assert first.status_code == 201, first.json()
    again = client.post("/api/v1/certificates/issue/", body, content_type="application/json")
    assert again.json()["id"] == first.json()["id"]
    assert person.reveal_id_number() not in first.content.decode()
    pk = first.json()["id"]
    revoked = client.post(
        f"/api/v1/certificates/{pk}/revoke/",
        {"reason": "错误发证"},
        content_type="application/json",
    )
    assert revoked.json()["status"] == "revoked"
    conflict = client.post(
        f"/api/v1/certificates/{pk}/cancel/", {"reason": "注销"}, content_type="application/json"
    )
    assert conflict.status_code == 409 and conflict.json()["code"] == "illegal_move"


def test_an_administrator_of_another_department_cannot_issue_or_revoke(
    client, issuer, ctype, person, certificate
):
    client.force_login(make_staff(StaffRole.DEPARTMENT_ADMIN))
    body = {
        "type_code": ctype.code,
        "issuer_code": issuer.code,
        "holder_name": "张三",
        "holder_code": person.reveal_id_number(),
        "idempotency_key": "x",
    }
    assert (
        client.post(
            "/api/v1/certificates/issue/", body, content_type="application/json"
        ).status_code
        == 403
    )
    response = client.post(
        f"/api/v1/certificates/{certificate.pk}/revoke/",
        {"reason": "r"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert Certificate.objects.get(pk=certificate.pk).status == "valid"


def test_the_holder_lists_his_certificates(client, certificate, person):
    client.force_login(person.user)
    body = client.get("/api/v1/certificates/").json()
    assert body["count"] == 1 and body["results"][0]["identifier"] == certificate.identifier


def _department_system(department, scopes=("certificates",)):
    from allauth.idp.oidc.adapter import get_adapter
    from allauth.idp.oidc.models import Client

    from certificates.models import IssuingSystem

    client = Client(name="发证系统", type=Client.Type.CONFIDENTIAL)
    client.set_scopes(list(scopes))
    client.set_grant_types([Client.GrantType.CLIENT_CREDENTIALS])
    client.set_response_types([])
    client.set_redirect_uris([])
    secret = get_adapter().generate_client_secret()
    client.set_secret(secret)
    client.save()
    if department is not None:
        IssuingSystem.objects.create(client=client, department=department)
    return client, secret


def _client_token(client_obj, secret, scope="certificates"):
    from django.test import Client as HttpClient

    from tests.portal.oidc_client import basic_auth

    response = HttpClient().post(
        "/identity/o/api/token",
        {"grant_type": "client_credentials", "scope": scope},
        **basic_auth(client_obj.id, secret),
    )
    assert response.status_code == 200, response.content
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}


def test_a_department_system_issues_and_revokes_with_a_client_credentials_token(
    client, issuer, ctype, person
):
    system, secret = _department_system(issuer)
    auth = _client_token(system, secret)
    body = {
        "type_code": ctype.code,
        "issuer_code": issuer.code,
        "holder_name": "张三",
        "holder_code": person.reveal_id_number(),
        "idempotency_key": "sys-1",
    }
    issued = client.post(
        "/api/v1/certificates/issue/", body, content_type="application/json", **auth
    )
    assert issued.status_code == 201, issued.json()
    certificate = Certificate.objects.get(pk=issued.json()["id"])
    assert certificate.events.get().detail == {"via": f"client:{system.id}"}
    revoked = client.post(
        f"/api/v1/certificates/{certificate.pk}/revoke/",
        {"reason": "系统撤销"},
        content_type="application/json",
        **auth,
    )
    assert revoked.json()["status"] == "revoked"


def test_a_department_system_is_scoped_to_its_department(
    client, issuer, ctype, person, certificate
):
    from tests.factories import DepartmentFactory

    other = DepartmentFactory()
    system, secret = _department_system(other)
    auth = _client_token(system, secret)
    body = {
        "type_code": ctype.code,
        "issuer_code": issuer.code,
        "holder_name": "张三",
        "holder_code": person.reveal_id_number(),
        "idempotency_key": "sys-2",
    }
    response = client.post(
        "/api/v1/certificates/issue/", body, content_type="application/json", **auth
    )
    assert response.status_code == 403
    response = client.post(
        f"/api/v1/certificates/{certificate.pk}/revoke/",
        {"reason": "x"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 404


def test_an_unregistered_client_or_a_bad_token_is_refused(client, issuer, ctype):
    system, secret = _department_system(None)
    auth = _client_token(system, secret)
    response = client.post(
        "/api/v1/certificates/issue/", {}, content_type="application/json", **auth
    )
    assert response.status_code == 403
    response = client.post(
        "/api/v1/certificates/issue/",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer not-a-token",
    )
    assert response.status_code == 401


def _issue_body(ctype, issuer, person, **changes):
    body = {
        "type_code": ctype.code,
        "issuer_code": issuer.code,
        "holder_name": "张三",
        "holder_code": person.reveal_id_number(),
        "idempotency_key": "k-1",
    }
    return {**body, **changes}


def test_an_idempotency_key_reused_for_another_request_is_a_conflict(
    client, issuer, ctype, person, certificate
):
    client.force_login(_admin(issuer))
    post = client.post
    first = post(
        "/api/v1/certificates/issue/", _issue_body(ctype, issuer, person), "application/json"
    )
    assert first.status_code == 201
    other_holder = _issue_body(ctype, issuer, person, holder_name="李四")
    conflict = post("/api/v1/certificates/issue/", other_holder, "application/json")
    assert conflict.status_code == 409 and conflict.json()["code"] == "idempotency_conflict"
    # The key of an issue, given to renew another certificate: refused, nothing renewed.
    renew = post(
        f"/api/v1/certificates/{certificate.pk}/renew/",
        {"idempotency_key": "k-1", "reason": "换证"},
        "application/json",
    )
    assert renew.status_code == 409 and renew.json()["code"] == "idempotency_conflict"
    assert Certificate.objects.get(pk=certificate.pk).status == "valid"
    assert Certificate.objects.filter(issuer=issuer).count() == 2


def test_a_renewal_retried_with_its_key_returns_the_new_version(client, issuer, certificate):
    client.force_login(_admin(issuer))
    url = f"/api/v1/certificates/{certificate.pk}/renew/"
    body = {"idempotency_key": "renew-1", "reason": "换证"}
    first = client.post(url, body, "application/json")
    again = client.post(url, body, "application/json")
    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert again.json()["version"] == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"issued_on": "9999-12-31"}, "issued_on"),
        ({"issued_on": "2999-01-01"}, "issued_on"),
        ({"valid_until": "2040-01-01"}, "valid_until"),  # the type's rule is ten years
        ({"number": "PLACEHOLDER"}, "number"),  # the ID number, shown in clear everywhere
    ],
)
def test_impossible_dates_are_refused_with_a_message(client, issuer, ctype, person, changes, field):
    client.force_login(_admin(issuer))
    if changes.get("number") == "PLACEHOLDER":
        changes = {"number": f"No. {person.reveal_id_number().lower()}"}
    body = _issue_body(ctype, issuer, person, **changes)
    response = client.post("/api/v1/certificates/issue/", body, "application/json")
    assert response.status_code == 400
    assert field in response.json()["fields"] and response.json()["detail"]
    assert not Certificate.objects.exists()


def test_a_type_whose_validity_is_given_at_issue_needs_an_end_date(client, issuer, person):
    given = make_type(issuer, rule=ValidityRule.GIVEN, seq=3)
    client.force_login(_admin(issuer))
    body = _issue_body(given, issuer, person)
    response = client.post("/api/v1/certificates/issue/", body, "application/json")
    assert response.status_code == 400 and "valid_until" in response.json()["fields"]
    body["valid_until"] = "2030-06-30"
    response = client.post("/api/v1/certificates/issue/", body, "application/json")
    assert response.status_code == 201 and response.json()["valid_until"] == "2030-06-30"


def test_a_system_administrator_does_not_sign_in_a_departments_name(client, issuer, ctype, person):
    client.force_login(make_staff(StaffRole.SYSTEM_ADMIN, mfa=True))
    body = _issue_body(ctype, issuer, person)
    assert client.post("/api/v1/certificates/issue/", body, "application/json").status_code == 403
    assert not Certificate.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [{"number": "粤A-0002"}, {"issued_on": "2026-01-05"}, {"holder_name": "李四"}],
)
def test_a_retry_must_repeat_every_detail_it_gave(client, issuer, ctype, person, changes):
    client.force_login(_admin(issuer))
    body = _issue_body(ctype, issuer, person, number="粤A-0001", issued_on="2026-01-04")
    assert client.post("/api/v1/certificates/issue/", body, "application/json").status_code == 201
    retry = client.post("/api/v1/certificates/issue/", body, "application/json")
    assert retry.status_code == 201  # the same request: the first result
    changed = client.post("/api/v1/certificates/issue/", {**body, **changes}, "application/json")
    assert changed.status_code == 409 and changed.json()["code"] == "idempotency_conflict"
    assert Certificate.objects.get().number == "粤A-0001"


def test_a_retry_of_an_end_date_given_at_issue_must_repeat_it(client, issuer, person):
    given = make_type(issuer, rule=ValidityRule.GIVEN, seq=3)
    client.force_login(_admin(issuer))
    body = _issue_body(given, issuer, person, valid_until="2030-06-30")
    assert client.post("/api/v1/certificates/issue/", body, "application/json").status_code == 201
    body["valid_until"] = "2031-06-30"
    changed = client.post("/api/v1/certificates/issue/", body, "application/json")
    assert changed.status_code == 409


# --- request bodies: nested fields in form bodies, required surface fields, reasons ----------


@pytest.mark.parametrize("encoding", ["form", "multipart"])
def test_a_surface_sent_as_text_in_a_form_body_is_refused_not_dropped(
    client, issuer, ctype, person, encoding
):
    client.force_login(_admin(issuer))
    body = _issue_body(ctype, issuer, person, surface="address=广州市天河区")
    if encoding == "form":
        response = client.post(
            "/api/v1/certificates/issue/",
            urlencode(body),
            content_type="application/x-www-form-urlencoded",
        )
    else:
        response = client.post("/api/v1/certificates/issue/", body)
    assert response.status_code == 400, response.content
    message = (
        "Send this field as an object: in a form body, one surface.<name> entry for each "
        "of its names; or send the request as JSON."
    )
    assert response.json() == {
        "code": "not_an_object",
        "detail": message,
        "fields": {"surface": [message]},
    }
    assert not Certificate.objects.exists()


def test_a_surface_in_a_form_body_is_sent_one_entry_per_name(client, issuer, ctype, person):
    client.force_login(_admin(issuer))
    body = _issue_body(ctype, issuer, person, **{"surface.address": "广州市天河区"})
    response = client.post(
        "/api/v1/certificates/issue/",
        urlencode(body),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 201, response.content
    assert response.json()["surface"] == {"address": "广州市天河区"}


def test_a_renewal_surface_sent_as_text_in_a_form_body_is_refused(client, issuer, certificate):
    client.force_login(_admin(issuer))
    response = client.post(
        f"/api/v1/certificates/{certificate.pk}/renew/",
        {"surface": "address=广州市越秀区", "reason": "住址变更", "idempotency_key": "r-1"},
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["surface"]
    assert Certificate.objects.count() == 1


def test_a_marriage_certificate_with_an_empty_surface_is_refused(client, issuer, person):
    client.force_login(_admin(issuer))
    ctype = demo_type(issuer)
    response = client.post(
        "/api/v1/certificates/issue/",
        _issue_body(ctype, issuer, person, surface={}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "surface": [
            "spouse_name: this field is required.",
            "registered_on: this field is required.",
        ]
    }
    assert not Certificate.objects.exists()
    full = {"spouse_name": "王丽", "registered_on": "2019-05-20"}
    response = client.post(
        "/api/v1/certificates/issue/",
        _issue_body(ctype, issuer, person, surface=full),
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["surface"] == full


def test_cancelling_without_a_reason_is_refused_and_changes_nothing(client, issuer, certificate):
    client.force_login(_admin(issuer))
    url = f"/api/v1/certificates/{certificate.pk}/cancel/"
    for body in ({}, {"reason": "   "}):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 400, response.content
        assert list(response.json()["fields"]) == ["reason"]
    assert client.post(url).status_code == 400  # no body at all
    certificate.refresh_from_db()
    assert certificate.status == "valid"
    assert list(certificate.events.values_list("action", flat=True)) == ["issue"]
    response = client.post(url, {"reason": "持证人申请注销"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert certificate.events.get(action="cancel").reason == "持证人申请注销"
