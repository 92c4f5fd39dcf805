"""The embedded default's OIDC signing key: generated once, kept in a git-ignored file."""

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def embedded_oidc_private_key(path: Path) -> str:
    if path.exists():
        return path.read_text()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(pem)
    tmp.chmod(0o600)
    os.replace(tmp, path)  # atomic: parallel test workers never read half a key
    return path.read_text()
