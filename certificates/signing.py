"""Signatures: the canonical JSON, pluggable signers (Ed25519, SM2 with SM3) and compact JWS.

A certificate is signed as a compact JWS (RFC 7515) whose header and payload are canonical
JSON (see ``canonical_json`` and docs/adr/0005): the same bytes on every platform, so that a
third party holding the published public key can verify offline.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any, Protocol

import gmssl_pyx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SM2_DEFAULT_USER_ID = b"1234567812345678"


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8 unescaped; values are strings, integers, booleans,
    null, lists and objects only (no floats), which makes this RFC 8785 for our data."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class MalformedToken(ValueError):
    """Not a well-formed compact JWS (or not in its one canonical encoding)."""


def b64url_decode(text: str) -> bytes:
    """Strict: only the one canonical encoding is accepted (unused bits must be zero)."""
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise MalformedToken("bad base64url") from exc
    if b64url(data) != text:
        raise MalformedToken("non-canonical base64url")
    return data


class Signer(Protocol):
    alg: str

    def generate(self) -> tuple[bytes, bytes]:
        """A new (private, public) key pair as raw bytes."""
        ...

    def sign(self, private: bytes, public: bytes, message: bytes) -> bytes: ...

    def verify(self, public: bytes, message: bytes, signature: bytes) -> bool: ...

    def jwk(self, public: bytes) -> dict[str, str]: ...


@functools.lru_cache(maxsize=1024)
def _ed25519_public(public: bytes) -> Ed25519PublicKey:
    """Loaded once per process: a published key never changes (a revocation is a certificate's
    status, read live). Keyed by the key's bytes, so no stale or mistaken key can be returned."""
    return Ed25519PublicKey.from_public_bytes(public)


class Ed25519Signer:
    alg = "EdDSA"

    def generate(self) -> tuple[bytes, bytes]:
        key = Ed25519PrivateKey.generate()
        private = key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        public = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return private, public

    def sign(self, private: bytes, public: bytes, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(private).sign(message)

    def verify(self, public: bytes, message: bytes, signature: bytes) -> bool:
        try:
            _ed25519_public(public).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True

    def jwk(self, public: bytes) -> dict[str, str]:
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(public)}


class SM2Signer:
    """SM2 with SM3 (GB/T 32918, GM/T 0009): signer id 1234567812345678, DER (r, s) signature.

    GmSSL through gmssl-pyx (C); the public key is the 64-byte x || y.
    """

    alg = "SM2SM3"

    def generate(self) -> tuple[bytes, bytes]:
        public, private = gmssl_pyx.sm2_key_generate()
        return private, public

    def sign(self, private: bytes, public: bytes, message: bytes) -> bytes:
        return bytes(gmssl_pyx.sm2_sign(private, public, message, SM2_DEFAULT_USER_ID))

    def verify(self, public: bytes, message: bytes, signature: bytes) -> bool:
        try:
            return bool(gmssl_pyx.sm2_verify(public, message, signature, SM2_DEFAULT_USER_ID))
        except (gmssl_pyx.InvalidValueError, gmssl_pyx.GmsslInnerError, ValueError, TypeError):
            return False

    def jwk(self, public: bytes) -> dict[str, str]:
        return {"kty": "EC", "crv": "SM2", "x": b64url(public[:32]), "y": b64url(public[32:])}


SIGNERS: dict[str, Signer] = {s.alg: s for s in (Ed25519Signer(), SM2Signer())}
DEFAULT_ALG = Ed25519Signer.alg


def signer_for(alg: str) -> Signer:
    """The signer of a JWS ``alg``; "none" and anything unknown raise KeyError."""
    return SIGNERS[alg]


class _Verdicts:
    """The answers of signature checks already made in this process, bounded (oldest out).

    Keyed by algorithm, public key and the SHA-256 of the message and of the signature: the very
    inputs of the check, so a changed byte anywhere is a new key and a real check. A check is a
    pure function of them, so an answer can never go stale; the live status is not kept here.
    Only digests of what a caller sends are kept: never a message (which holds a holder code in
    clear), and a long forged signature costs an entry no more than a real one.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: dict[tuple[str, bytes, bytes, bytes], bool] = {}
        self._lock = threading.Lock()

    def check(self, alg: str, public: bytes, message: bytes, signature: bytes) -> bool:
        key = (alg, public, hashlib.sha256(message).digest(), hashlib.sha256(signature).digest())
        answer = self._answers.get(key)
        if answer is None:
            answer = signer_for(alg).verify(public, message, signature)
            with self._lock:
                if len(self._answers) >= self.size:
                    del self._answers[next(iter(self._answers))]
                self._answers[key] = answer
        return answer

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()


# Each entry is ~300 bytes (the public key at most 64): 8,192 of them is ~2.5 MB a process.
verdicts = _Verdicts(size=8192)


def verify(alg: str, public: bytes, message: bytes, signature: bytes) -> bool:
    """Is ``signature`` the ``alg`` signature of ``message`` under ``public``? Each distinct
    check runs the cryptography once per process (see ``_Verdicts``)."""
    return verdicts.check(alg, public, message, signature)


@dataclass(frozen=True)
class Compact:
    """A decoded compact JWS (not yet verified)."""

    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes


def signing_input(header: dict[str, Any], payload: dict[str, Any]) -> bytes:
    return f"{b64url(canonical_json(header))}.{b64url(canonical_json(payload))}".encode("ascii")


def decode(token: str) -> Compact:
    """Split and decode a compact JWS; header and payload must be canonical JSON objects."""
    if not isinstance(token, str) or len(token) > 16384:
        raise MalformedToken("not a token")
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedToken("a compact JWS has three parts")
    raw = [b64url_decode(part) for part in parts]
    try:
        header, payload = json.loads(raw[0]), json.loads(raw[1])
    except (ValueError, RecursionError) as exc:  # bad UTF-8 or JSON
        raise MalformedToken("header or payload is not JSON") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise MalformedToken("header and payload are JSON objects")
    try:
        canonical = canonical_json(header) == raw[0] and canonical_json(payload) == raw[1]
    except (UnicodeEncodeError, ValueError, RecursionError):  # lone surrogates, NaN
        canonical = False
    if not canonical:
        raise MalformedToken("header or payload is not canonical JSON")
    return Compact(header, payload, f"{parts[0]}.{parts[1]}".encode("ascii"), raw[2])
