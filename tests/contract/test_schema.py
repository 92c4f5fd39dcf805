"""The OpenAPI document as a department's developer meets it: valid 3.1, every operation
described with its error answers, JSON bodies, a discoverable token URL.

These rules hold for every operation, so an endpoint added later must keep them too: a
description (docstring or extend_schema), and the error answers portal.api.openapi adds."""

from __future__ import annotations

import functools

import pytest
import yaml
from django.core.management import call_command
from openapi_spec_validator import validate
from openapi_spec_validator.validation import OpenAPIV31SpecValidator

METHODS = ("get", "put", "post", "patch", "delete")
ERROR = {"$ref": "#/components/schemas/Error"}


@functools.cache
def _generated(path: str) -> dict:
    call_command("spectacular", "--file", path)
    with open(path, encoding="utf-8") as schema:
        return yaml.safe_load(schema)


@pytest.fixture
def schema(tmp_path_factory):
    return _generated(str(tmp_path_factory.getbasetemp() / "schema.yaml"))


def operations(schema):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", path, method, item[method]


def test_manage_py_spectacular_writes_a_valid_openapi_3_1_document(schema):
    assert schema["openapi"].startswith("3.1")
    validate(schema, cls=OpenAPIV31SpecValidator)  # raises on the first error
    assert "nullable" not in yaml.safe_dump(schema)


def test_every_operation_says_what_it_does_who_may_call_and_its_limits(schema):
    undescribed = [
        name
        for name, _path, _method, operation in operations(schema)
        if not operation.get("summary")
        or "**Who may call:**" not in operation.get("description", "")
    ]
    assert undescribed == []


def test_every_operation_documents_its_error_answers_in_the_error_shape(schema):
    problems = []
    for name, path, _method, operation in operations(schema):
        responses = operation["responses"]
        errors = {status: r for status, r in responses.items() if status[0] == "4"}
        wanted = {"429"}
        if "requestBody" in operation:
            wanted |= {"400", "413"}
        if "{" in path and "x-plain-django" not in operation:
            wanted.add("404")
        if {} not in operation.get("security", [{}]):
            wanted |= {"401", "403"}
        if not path.startswith("/api/v1/"):
            wanted = set()
        missing = wanted - set(errors)
        if missing:
            problems.append(f"{name}: no {sorted(missing)}")
        for status, response in errors.items():
            if response["content"]["application/json"]["schema"] != ERROR:
                problems.append(f"{name} {status}: not the Error shape")
    assert problems == []
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "detail"}
    assert {"code", "detail", "fields", "retry_after"} <= set(error["properties"])


def test_error_answers_name_their_codes(schema):
    operation = schema["paths"]["/api/v1/certificates/issue/"]["post"]
    assert "`idempotency_conflict`" in operation["responses"]["409"]["description"]
    assert "`insufficient_scope`" in operation["responses"]["403"]["description"]
    assert "`throttled`" in operation["responses"]["429"]["description"]


def test_request_bodies_are_json_and_multipart_only_for_uploads(schema):
    kinds = {
        name: set(operation["requestBody"]["content"])
        for name, _path, _method, operation in operations(schema)
        if "requestBody" in operation
    }
    uploads = {name for name, types in kinds.items() if types == {"multipart/form-data"}}
    assert "POST /api/v1/applications/{id}/materials/" in uploads
    assert {name: types for name, types in kinds.items() if name not in uploads} == {
        name: {"application/json"} for name in kinds if name not in uploads
    }


def test_the_token_url_and_scopes_are_in_the_security_schemes(schema, client, db):
    scheme = schema["components"]["securitySchemes"]["departmentClient"]
    flow = scheme["flows"]["clientCredentials"]
    assert {"certificates", "applications"} <= set(flow["scopes"])
    issue = schema["paths"]["/api/v1/certificates/issue/"]["post"]
    assert {"departmentClient": ["certificates"]} in issue["security"]
    services = schema["paths"]["/api/v1/services/"]["get"]
    assert {"departmentClient": []} in services["security"] and {} in services["security"]
    # The URL is the provider's real token endpoint: without a client it says so in OAuth words.
    assert client.post(flow["tokenUrl"], {"grant_type": "client_credentials"}).status_code in (
        400,
        401,
    )


def test_lists_document_the_page_size_cap_and_nullable_links(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/services/"]["get"]["parameters"]}
    assert parameters["page_size"]["schema"]["maximum"] == 100
    assert parameters["page_size"]["schema"]["minimum"] == 1
    page = schema["components"]["schemas"]["PaginatedServiceSummaryList"]["properties"]
    assert page["next"]["type"] == ["string", "null"]
    wallet = schema["paths"]["/api/v1/certificates/"]["get"]["responses"]["200"]
    assert wallet["content"]["application/json"]["schema"]["$ref"].endswith(
        "PaginatedCertificateList"
    )
    certificate = schema["components"]["schemas"]["Certificate"]["properties"]
    assert certificate["previous"]["type"] == ["string", "null"]


def test_revoking_documents_a_required_body_with_its_reason(schema):
    revoke = schema["paths"]["/api/v1/certificates/{id}/revoke/"]["post"]
    assert revoke["requestBody"]["required"] is True
    body = revoke["requestBody"]["content"]["application/json"]
    assert body["examples"]


def test_the_signing_keys_and_the_verifiers_discovery_are_documented(schema):
    assert "/certificates/keys.json" in schema["paths"]
    assert "/.well-known/certificate-verification" in schema["paths"]
    assert "SigningKey" in schema["components"]["schemas"]
    for path in ("departments", "service-categories", "halls", "certificate-types"):
        assert f"/api/v1/{path}/" in schema["paths"]


def test_the_main_requests_have_examples(schema):
    for path in (
        "/api/v1/certificates/issue/",
        "/api/v1/certificates/verify/",
        "/api/v1/organisations/",
    ):
        body = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        assert body.get("examples"), path
