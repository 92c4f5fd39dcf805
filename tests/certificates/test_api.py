from certificates.models import Certificate
from portal.models import StaffAssignment, StaffRole
from tests.factories import make_staff


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
        f"/api/v1/certificates/{pk}/cancel/", {}, content_type="application/json"
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
