"""Issuing departments' key pairs: made, encrypted at rest, rotated and published.

Private keys are Fernet-encrypted under ``CERTIFICATE_MASTER_KEYS`` (the first encrypts, all
decrypt, so the master key rotates too); unset, it falls back to ``FIELD_ENCRYPTION_KEYS`` in
portal/settings/base.py.
"""

from __future__ import annotations

import getpass
import secrets
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from certificates.models import SigningKey
from certificates.signing import DEFAULT_ALG, b64url, b64url_decode, signer_for
from portal import audit
from portal.models import AuditAction, Department, User


def _master() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.CERTIFICATE_MASTER_KEYS])


def private_key(key: SigningKey) -> bytes:
    try:
        return _master().decrypt(key.private_key_encrypted.encode())
    except InvalidToken as exc:  # a removed master key: fail loudly, never sign with garbage
        raise RuntimeError(f"signing key {key.kid} cannot be decrypted") from exc


def public_key(key: SigningKey) -> bytes:
    return b64url_decode(key.public_key)


def _create(department: Department, alg: str) -> SigningKey:
    private, public = signer_for(alg).generate()
    return SigningKey.objects.create(
        kid=f"{department.code}-{timezone.now():%Y%m%d}-{secrets.token_hex(4)}",
        department=department,
        alg=alg,
        public_key=b64url(public),
        private_key_encrypted=_master().encrypt(private).decode(),
    )


@transaction.atomic
def active_key(department: Department, *, alg: str | None = None) -> SigningKey:
    """The department's signing key, made on first use (``alg`` only chooses a first key)."""
    Department.objects.select_for_update().filter(pk=department.pk).first()
    key = SigningKey.objects.filter(department=department, retired_at__isnull=True).first()
    if key is None:
        key = _create(department, alg or DEFAULT_ALG)
        # Made by whatever first signs for the department: no one to name but the key.
        audit.record(
            AuditAction.SIGNING_KEY_CREATED,
            actor=None,
            department_id=department.pk,
            kid=key.kid,
            alg=key.alg,
        )
    return key


@transaction.atomic
def rotate(department: Department, *, alg: str | None = None, by: User | None = None) -> SigningKey:
    """Retire the current key and make a new one; certificates already signed still verify.

    ``by`` is the acting account; without one (``manage.py signing_keys rotate``) the audit
    row names the operating-system user who ran the command.
    """
    Department.objects.select_for_update().filter(pk=department.pk).first()
    current = SigningKey.objects.filter(department=department, retired_at__isnull=True).first()
    if current is not None:
        current.retired_at = timezone.now()
        current.save(update_fields=["retired_at"])
    key = _create(department, alg or (current.alg if current else DEFAULT_ALG))
    operator: dict[str, Any] = {} if by is not None else {"operator": getpass.getuser()}
    audit.record(
        AuditAction.SIGNING_KEY_ROTATED,
        actor=by,
        department_id=department.pk,
        kid=key.kid,
        alg=key.alg,
        retired_kid=current.kid if current else None,
        **operator,
    )
    return key


def reencrypt_all() -> int:
    """After adding a new master key in front: re-encrypt every private key under it."""
    fernet, count = _master(), 0
    for key in SigningKey.objects.all():
        key.private_key_encrypted = fernet.rotate(key.private_key_encrypted.encode()).decode()
        key.save(update_fields=["private_key_encrypted"])
        count += 1
    return count


def public_document() -> dict[str, Any]:
    """Every key ever used, as a JWKS with key history, for offline verification."""
    keys = []
    for key in SigningKey.objects.select_related("department").order_by(
        "department__code", "created_at", "id"
    ):
        keys.append(
            {
                **signer_for(key.alg).jwk(public_key(key)),
                "kid": key.kid,
                "alg": key.alg,
                "use": "sig",
                "issuer_code": key.department.code,
                "issuer_name": key.department.name,
                "created_at": key.created_at.isoformat(),
                "retired_at": key.retired_at.isoformat() if key.retired_at else None,
                "status": "retired" if key.retired_at else "active",
            }
        )
    return {
        "keys": keys,
        "canonical_form": "docs/adr/0005-certificate-keys-and-canonical-form.md",
        "sm2_user_id": "1234567812345678",
    }
