"""Deploy checks of our own: the production settings must not relax staff MFA."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def staff_mfa_required(app_configs: Any, **kwargs: Any) -> list[Error]:
    if not settings.STAFF_MFA_REQUIRED:
        return [
            Error(
                "STAFF_MFA_REQUIRED is off: staff could use the portal without a second "
                "factor. That setting is for the development demo only.",
                id="portal.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def personal_data_keys_set(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors = []
    if "embedded-default" in settings.BLIND_INDEX_KEY:
        errors.append(
            Error("Set BLIND_INDEX_KEY: the embedded default key is public.", id="portal.E002")
        )
    if any(k.startswith("ZW1iZWRkZWQt") for k in settings.CERTIFICATE_MASTER_KEYS):
        errors.append(
            Error(
                "Set CERTIFICATE_MASTER_KEYS: the embedded default key is public.",
                id="portal.E005",
            )
        )
    elif set(settings.CERTIFICATE_MASTER_KEYS) & set(settings.FIELD_ENCRYPTION_KEYS):
        errors.append(
            Error(
                "Set CERTIFICATE_MASTER_KEYS apart from FIELD_ENCRYPTION_KEYS: one leaked key "
                "must not give away both the personal data and the departments' signing keys.",
                id="portal.E006",
            )
        )
    if any(k.startswith("ZW1iZWRkZWQt") for k in settings.FIELD_ENCRYPTION_KEYS):
        errors.append(
            Error(
                "Set FIELD_ENCRYPTION_KEYS: the embedded default key is public.", id="portal.E003"
            )
        )
    if settings.OIDC_PRIVATE_KEY_IS_EMBEDDED:
        errors.append(
            Error("Set OIDC_PRIVATE_KEY to the PEM of the ID token signing key.", id="portal.E004")
        )
    return errors
