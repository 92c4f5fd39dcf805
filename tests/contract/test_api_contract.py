"""What a department's developer meets at run time: reference data, tokens and scopes, limits,
page sizes, field names, discovery of the keys, and the API docs page."""

from __future__ import annotations

import re

import pytest
from allauth.idp.oidc.adapter import get_adapter
from allauth.idp.oidc.models import Client
from rest_framework.throttling import SimpleRateThrottle

from certificates.models import IssuingSystem
from tests.certificates.conftest import TYPE_FIELDS, make_type
from tests.factories import DepartmentFactory, PersonFactory
from tests.portal.oidc_client import basic_auth

pytestmark = pytest.mark.django_db
ISSUE = "/api/v1/certificates/issue/"


def client_token(client, department, scopes=("certificates",)):
    """A department system's client-credentials token, as docs/integration.md gets one."""
    registered = Client(name="证照系统", type=Client.Type.CONFIDENTIAL)
    registered.set_scopes(list(scopes))
    registered.set_grant_types([Client.GrantType.CLIENT_CREDENTIALS])
    registered.set_response_types([])
    registered.set_redirect_uris([])
    secret = get_adapter().generate_client_secret()
    registered.set_secret(secret)
    registered.save()
    if department is not None:
        IssuingSystem.objects.create(client=registered, department=department)
    response = client.post(
        "/identity/o/api/token",
        {"grant_type": "client_credentials", "scope": " ".join(scopes)},
        **basic_auth(registered.id, secret),
    )
    assert response.status_code == 200, response.content
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}


def test_reference_data_names_the_codes_other_operations_take(client, django_assert_num_queries):
    issuer = DepartmentFactory(name="广州市公安局")
    ctype = make_type(issuer)
    departments = client.get("/api/v1/departments/")
    assert departments.status_code == 200
    assert "public" in departments["Cache-Control"]
    assert issuer.code in {d["code"] for d in departments.json()}
    [listed] = client.get("/api/v1/certificate-types/").json()
    assert listed["code"] == ctype.code and listed["issuing_departments"] == [issuer.code]
    assert [f["name"] for f in listed["surface_fields"]] == [f["name"] for f in TYPE_FIELDS]
    assert listed["surface_fields"][1]["type"] == "date"
    assert client.get("/api/v1/service-categories/").status_code == 200
    assert client.get("/api/v1/halls/").status_code == 200
    with django_assert_num_queries(0):  # cached: the second reader costs no query
        assert client.get("/api/v1/certificate-types/").json() == [listed]


def test_a_client_token_is_accepted_on_public_reads_at_the_clients_own_limit(client, monkeypatch):
    rates = {"anon": "2/min", "user": "100/min", "client": "5/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    auth = client_token(client, DepartmentFactory())
    answers = [client.get("/api/v1/departments/", **auth).status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
    anonymous = [client.get("/api/v1/departments/").status_code for _ in range(3)]
    assert anonymous == [200, 200, 429]  # the client's calls did not count for the address


def test_a_token_without_the_scope_is_a_403_naming_it(client):
    issuer = DepartmentFactory()
    auth = client_token(client, issuer, scopes=("applications",))
    response = client.post(ISSUE, {}, content_type="application/json", **auth)
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert "certificates" in response.json()["detail"]


def test_a_client_token_where_a_person_is_needed_is_a_403_not_a_401(client):
    auth = client_token(client, DepartmentFactory())
    assert client.get("/api/v1/me/", **auth).status_code == 403
    bad = client.get("/api/v1/services/", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert bad.status_code == 401 and bad.json()["code"] == "invalid_token"


@pytest.mark.parametrize("size", ["0", "-1", "abc", "101", "١٢"])
def test_a_nonsense_page_size_is_refused(client, size):
    response = client.get("/api/v1/services/", {"page_size": size})
    assert response.status_code == 400
    assert "page_size" in response.json()["fields"]


def test_the_largest_page_size_is_answered(client):
    assert client.get("/api/v1/services/", {"page_size": "100"}).status_code == 200


def test_a_type_the_department_does_not_issue_is_named_type_code(client, english):
    issuer = DepartmentFactory()
    other_type = make_type(DepartmentFactory())
    auth = client_token(client, issuer)
    body = {
        "type_code": other_type.code,
        "issuer_code": issuer.code,
        "holder_name": "张三",
        "holder_code": PersonFactory().reveal_id_number(),
        "idempotency_key": "k-1",
    }
    response = client.post(ISSUE, body, content_type="application/json", **auth)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"type_code"}


def test_the_verifiers_discovery_leads_to_the_keys_and_the_token_url(client):
    discovery = client.get("/.well-known/certificate-verification")
    assert discovery.status_code == 200
    document = discovery.json()
    assert document["jwks_uri"].endswith("/certificates/keys.json")
    assert document["token_endpoint"].endswith("/identity/o/api/token")
    assert "EdDSA" in document["signing_alg_values_supported"]
    assert "keys" in client.get("/certificates/keys.json").json()


def test_the_discovery_documents_each_address_in_the_form_it_has(client):
    from urllib.parse import urlsplit

    schema = client.get("/api/schema/", {"format": "json"}).json()
    answer = schema["paths"]["/.well-known/certificate-verification"]["get"]["responses"]["200"]
    properties = answer["content"]["application/json"]["schema"]["properties"]
    document = client.get("/.well-known/certificate-verification").json()
    for name, value in document.items():
        form = properties[name].get("format")
        if form == "uri":
            assert urlsplit(value).scheme in ("http", "https") and "{" not in value, name
    template = document["identifier_verification_endpoint"]
    assert properties["identifier_verification_endpoint"]["format"] == "uri-template"
    assert "{identifier}" in template
    url = template.replace("{identifier}", "1.2.156.3005.2.NOSUCH")
    # The verification view itself answers (an unrouted address would be a 404 not_found).
    assert client.get(urlsplit(url).path).status_code == 400


def test_the_api_docs_page_needs_no_inline_style_or_script(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "unsafe-inline" not in page.get("Content-Security-Policy", "")


@pytest.mark.parametrize("path", ["/api/v1/applications/", "/api/v1/rectifications/"])
@pytest.mark.parametrize("size", ["0", "1000"])
def test_signed_in_lists_refuse_a_nonsense_page_size_too(client, path, size):
    from tests.factories import PersonFactory

    client.force_login(PersonFactory(verified=True).user)
    assert client.get(path, {"page_size": "5"}).status_code == 200
    response = client.get(path, {"page_size": size})
    assert response.status_code == 400
    assert "page_size" in response.json()["fields"]
