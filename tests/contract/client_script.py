"""What a department's system does with a client generated from the OpenAPI document:
list services, get a client-credentials token, issue a certificate, verify it publicly,
revoke it, and see the revocation in public verification.

Runs in the throwaway environment of .ci/client-check with the generated package
``one_window_client`` importable (not with the project's own code), started by
tests/contract/test_generated_client.py against the live test server:

    python client_script.py BASE_URL CLIENT_ID SECRET TYPE_CODE ISSUER_CODE HOLDER_CODE
"""

from __future__ import annotations

import sys

import httpx
from one_window_client import AuthenticatedClient, Client
from one_window_client.api.v1 import (
    v1_certificates_issue_create,
    v1_certificates_revoke_create,
    v1_certificates_verification_retrieve,
    v1_services_list,
)
from one_window_client.models import (
    Certificate,
    IssueRequest,
    IssueRequestSurface,
    PaginatedServiceSummaryList,
    ReasonRequest,
    Verification,
)


def main(base_url: str, client_id: str, secret: str, type_code: str, issuer: str, holder: str):
    token = httpx.post(
        f"{base_url}/identity/o/api/token",
        data={"grant_type": "client_credentials", "scope": "certificates"},
        auth=(client_id, secret),
    )
    token.raise_for_status()
    system = AuthenticatedClient(base_url=base_url, token=token.json()["access_token"])
    anyone = Client(base_url=base_url)

    services = v1_services_list.sync(client=system, page_size=5)
    assert isinstance(services, PaginatedServiceSummaryList), services
    assert services.count >= 1 and services.results[0].code
    print(f"listed {services.count} services with the client's token")

    body = IssueRequest(
        type_code=type_code,
        issuer_code=issuer,
        holder_name="张三",
        holder_code=holder,
        surface=IssueRequestSurface.from_dict({"address": "广州市天河区天河路1号"}),
        idempotency_key="client-check-1",
    )
    issued = v1_certificates_issue_create.sync(client=system, body=body)
    assert isinstance(issued, Certificate), issued
    assert issued.surface["address"] == "广州市天河区天河路1号"  # nested fields kept (JSON)
    again = v1_certificates_issue_create.sync(client=system, body=body)
    assert isinstance(again, Certificate) and again.id == issued.id  # idempotent by key
    print(f"issued {issued.identifier}")

    verified = v1_certificates_verification_retrieve.sync(issued.identifier, client=anyone)
    assert isinstance(verified, Verification), verified
    assert verified.genuine and verified.valid, verified
    print(f"verified publicly: {verified.outcome}")

    revoked = v1_certificates_revoke_create.sync(
        issued.id, client=system, body=ReasonRequest(reason="client check")
    )
    assert isinstance(revoked, Certificate) and revoked.status == "revoked", revoked
    after = v1_certificates_verification_retrieve.sync(issued.identifier, client=anyone)
    assert isinstance(after, Verification) and not after.valid, after
    print(f"revoked; public verification now says {after.outcome}")


if __name__ == "__main__":
    main(*sys.argv[1:7])
    print("generated client: all steps passed")
