"""OpenAPI entries for the API views that are plain Django (drf-spectacular documents only DRF
views): added to the generated schema by a post-processing hook named in the settings."""

from __future__ import annotations

from typing import Any

_ERROR = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "detail": {"type": "string", "description": "in the request's language"},
    },
    "required": ["code", "detail"],
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}, "description": description}


VERIFY_IDENTIFIER = {
    "get": {
        "operationId": "v1_certificates_verification_retrieve",
        "summary": "Verify a certificate by its identifier (masked minimum fields)",
        "description": (
            "Anyone may ask; the status is read live (Cache-Control: no-store). "
            "The identifier is the GB/T 36904 one printed beside the certificate's QR code."
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
    }
}


def add_plain_views(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    result.setdefault("paths", {})["/api/v1/certificates/verification/{identifier}/"] = (
        VERIFY_IDENTIFIER
    )
    return result
