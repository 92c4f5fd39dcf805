"""``/.well-known/certificate-verification``: where a verifier finds everything it needs.

In the manner of OIDC discovery: the public signing keys (JWKS with every key ever used),
the verification endpoints, the algorithms, and where an issuing system gets its token.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from certificates.signing import SIGNERS, SM2_DEFAULT_USER_ID

DISCOVERY_SECONDS = 3600


def document(request: HttpRequest) -> dict[str, Any]:
    """The discovery document; every URL absolute, for this server."""

    def url(name: str, *args: str) -> str:
        return request.build_absolute_uri(reverse(name, args=args))

    placeholder = "IDENTIFIER"
    return {
        "issuer": request.build_absolute_uri("/"),
        "jwks_uri": url("certificates:keys"),
        "signing_alg_values_supported": sorted(SIGNERS),
        "sm2_user_id": SM2_DEFAULT_USER_ID.decode(),
        "canonical_form": "docs/adr/0005-certificate-keys-and-canonical-form.md",
        "identifier_verification_endpoint": url(
            "certificates_api:verify_identifier", placeholder
        ).replace(placeholder, "{identifier}"),
        "document_verification_endpoint": url("certificates_api:verify_document"),
        "certificate_types_endpoint": url("certificates_api:certificate_types"),
        "issuers_endpoint": url("api:departments"),
        "token_endpoint": url("idp:oidc:token"),
        "openid_configuration": request.build_absolute_uri(reverse("idp:oidc:configuration")),
        "openapi": url("schema"),
        "scopes_supported": ["certificates", "applications"],
    }


@require_safe
def certificate_verification(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(document(request))
    response["Cache-Control"] = f"public, max-age={DISCOVERY_SECONDS}"
    return response
