"""OpenAPI entries for the API views that are plain Django (drf-spectacular documents only DRF
views): added to the generated schema by a post-processing hook named in the settings.
portal.api.openapi.finish then adds the error answers and limits every operation has."""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}, "description": description}


VERIFY_IDENTIFIER = {
    "get": {
        "operationId": "v1_certificates_verification_retrieve",
        "summary": "Verify a certificate by its identifier (masked minimum fields)",
        "description": (
            "Anyone may ask; the status is read live (Cache-Control: no-store). "
            "The identifier is the GB/T 36904 one printed beside the certificate's QR code. "
            "An unknown identifier is a 200 whose `outcome` is `not_found`. No token is read: "
            "every caller is throttled per address."
        ),
        "parameters": [
            {
                "in": "path",
                "name": "identifier",
                "schema": {"type": "string"},
                "required": True,
                "example": (
                    "1.2.156.3005.2.11100000MB2C999919001.11440100MB2C999900.BENCH0000001.001.4"
                ),
            }
        ],
        "tags": ["v1"],
        "security": [{}],
        "responses": {
            "200": _json({"$ref": "#/components/schemas/Verification"}, ""),
            "400": _json(_ERROR, "Not a well-formed identifier: the detail says why."),
            "405": _json(_ERROR, "Only GET, HEAD and OPTIONS."),
            "429": _json(_ERROR, "Too many requests from this address (see Retry-After)."),
        },
        "x-error-codes": {
            "400": [
                "identifier_root",
                "identifier_parts",
                "identifier_type_code",
                "identifier_issuer_code",
                "identifier_serial",
                "identifier_version",
                "identifier_checksum",
            ],
            "405": ["method_not_allowed"],
            "429": ["throttled"],
        },
        "x-plain-django": True,
    }
}

SIGNING_KEY = {
    "type": "object",
    "description": "A public JWK with the portal's key history fields.",
    "properties": {
        "kty": {"type": "string", "examples": ["OKP"]},
        "crv": {"type": "string", "examples": ["Ed25519", "SM2"]},
        "x": {"type": "string", "description": "base64url"},
        "y": {"type": "string", "description": "base64url (EC keys)"},
        "kid": {"type": "string"},
        "alg": {"type": "string", "enum": ["EdDSA", "SM2SM3"]},
        "use": {"type": "string", "enum": ["sig"]},
        "issuer_code": {"type": "string", "description": "The signing department's code."},
        "issuer_name": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "retired_at": {"type": ["string", "null"], "format": "date-time"},
        "status": {"type": "string", "enum": ["active", "retired"]},
    },
    "required": ["kty", "kid", "alg", "use", "issuer_code", "status"],
}

KEYS = {
    "get": {
        "operationId": "certificates_keys_retrieve",
        "summary": "The public signing keys (JWKS with history)",
        "description": (
            "Every key any department has signed certificates with, retired ones included, "
            "so that a certificate document (compact JWS) can be verified offline: pick the "
            "key by the JWS header's `kid`, check `alg`, and that the payload's `issuer_code` "
            "is the key's. Anyone may read it; never cached (a key may be retired at any "
            "time). Changes nothing: safe to repeat."
        ),
        "tags": ["keys"],
        "security": [{}],
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "properties": {
                        "keys": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/SigningKey"},
                        },
                        "canonical_form": {"type": "string"},
                        "sm2_user_id": {"type": "string"},
                    },
                    "required": ["keys"],
                },
                "The key set (RFC 7517) with history fields.",
            )
        },
        "x-plain-django": True,
    }
}

DISCOVERY = {
    "get": {
        "operationId": "certificate_verification_discovery",
        "summary": "Discovery document for certificate verifiers",
        "description": (
            "In the manner of OpenID Connect discovery: the URL of the public keys "
            "(`jwks_uri`), the verification endpoints, the signing algorithms, and the token "
            "endpoint and scopes of issuing systems. Anyone may read it; cacheable for an "
            "hour. Changes nothing: safe to repeat."
        ),
        "tags": ["keys"],
        "security": [{}],
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "properties": {
                        name: {"type": "string", "format": "uri"}
                        for name in (
                            "issuer",
                            "jwks_uri",
                            "document_verification_endpoint",
                            "certificate_types_endpoint",
                            "issuers_endpoint",
                            "token_endpoint",
                            "openid_configuration",
                            "openapi",
                        )
                    }
                    | {
                        # RFC 6570: the client puts the identifier in place of {identifier}.
                        "identifier_verification_endpoint": {
                            "type": "string",
                            "format": "uri-template",
                        },
                        "signing_alg_values_supported": {
                            "type": "array",
                            "items": {"type": "string"},
                        },
                        "scopes_supported": {"type": "array", "items": {"type": "string"}},
                        "sm2_user_id": {"type": "string"},
                        "canonical_form": {"type": "string"},
                    },
                    "required": ["issuer", "jwks_uri", "signing_alg_values_supported"],
                },
                "",
            ),
        },
        "x-plain-django": True,
    }
}


def add_plain_views(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    paths = result.setdefault("paths", {})
    paths["/api/v1/certificates/verification/{identifier}/"] = VERIFY_IDENTIFIER
    paths["/certificates/keys.json"] = KEYS
    paths["/.well-known/certificate-verification"] = DISCOVERY
    result.setdefault("components", {}).setdefault("schemas", {})["SigningKey"] = SIGNING_KEY
    return result
