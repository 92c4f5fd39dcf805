"""The canonical form of a certificate: what is signed, and the compact JWS that carries it.

Only values held on the certificate row and stable codes go in (no department or type names,
which may be renamed later without breaking old signatures); see docs/adr/0005.
"""

from __future__ import annotations

from typing import Any

from certificates.models import Certificate, SigningKey
from portal import identity

FORMAT_VERSION = 1
CERTIFICATE_TYP = "onewindow-certificate+jws"
SHARE_TYP = "onewindow-share+jws"


def payload(certificate: Certificate) -> dict[str, Any]:
    """The signed metadata (GB/T 36903 fields). Holds the holder code in clear: build it
    only in memory, to sign or verify, never log it."""
    return {
        "v": FORMAT_VERSION,
        "identifier": certificate.identifier,
        "number": certificate.number,
        "type_code": certificate.type.code,
        "holder_name": certificate.holder_name,
        "holder_code": identity.decrypt(certificate.holder_code_encrypted),
        "holder_code_type": certificate.holder_code_type,
        "issuer_code": certificate.issuer.code,
        "issued_on": certificate.issued_on.isoformat(),
        "valid_from": certificate.valid_from.isoformat(),
        "valid_until": certificate.valid_until.isoformat() if certificate.valid_until else None,
        "version": f"{certificate.version:03d}",
        "previous": certificate.previous.identifier if certificate.previous else None,
        "surface": dict(certificate.surface),
    }


def header(key: SigningKey, typ: str = CERTIFICATE_TYP) -> dict[str, str]:
    return {"alg": key.alg, "kid": key.kid, "typ": typ}
