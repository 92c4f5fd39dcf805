"""The OpenID Connect provider's claims and redirect URI rule.

Name and real-name level go in the ID token and userinfo. The mobile number (``phone`` scope)
and the resident ID number (``id_number`` scope) are released only by the userinfo endpoint,
never in the ID token: ID tokens are signed, not encrypted, and travel through browsers (e.g.
as ``id_token_hint`` in logout URLs, which end up in access logs and browser history); OpenID
Connect Core 5.4 returns scope claims from userinfo anyway. Every release is audited.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from typing import Any, Literal

from allauth.idp.oidc.adapter import DefaultOIDCAdapter
from allauth.idp.oidc.models import Client
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from portal import audit
from portal.models import AuditAction, PersonProfile, RealNameLevel

ID_NUMBER_SCOPE = "id_number"
SCOPES_SUPPORTED = [
    "openid",
    "profile",
    "email",
    "phone",
    ID_NUMBER_SCOPE,
    "certificates",
    "applications",
]
CLAIMS_SUPPORTED = [
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "nonce",
    "name",
    "realname_level",
    "email",
    "email_verified",
    "phone_number",
    "phone_number_verified",
    "id_number",
]


# RFC 8252 7.3: a native app listens on a port the OS picks at run time, so a registered
# loopback URI matches on any port. Only the IP literals: "localhost" may resolve elsewhere.
_LOOPBACK = re.compile(r"http://(127\.0\.0\.1|\[::1\])(?::\d+)?(?P<rest>/.*)?", re.DOTALL)


def redirect_uri_is_registered(uri: str, registered: Iterable[str]) -> bool:
    """True if ``uri`` is one of ``registered``, compared as strings (RFC 3986 6.2.1).

    No normalisation at all: another case, port spelling, query, fragment, trailing slash or
    user part is another address (OpenID Connect Core 3.1.2.1, RFC 9700 4.1.3). The one
    exception is the port of a loopback address (RFC 8252 7.3).
    """
    return any(
        uri == allowed or _is_loopback_on_another_port(uri, allowed) for allowed in registered
    )


def _is_loopback_on_another_port(uri: str, allowed: str) -> bool:
    match = _LOOPBACK.fullmatch(allowed)
    if match is None:
        return False
    host, rest = match.group(1), match.group("rest") or ""
    port = re.fullmatch(rf"http://{re.escape(host)}:([1-9][0-9]{{0,4}}){re.escape(rest)}", uri)
    return port is not None and int(port.group(1)) <= 65535


class PortalOIDCAdapter(DefaultOIDCAdapter):
    scope_display = {
        **DefaultOIDCAdapter.scope_display,
        "profile": _("Your legal name and real-name level"),
        ID_NUMBER_SCOPE: _("Your resident ID number"),
        "phone": _("Your mobile number"),
    }

    def generate_client_secret(self) -> str:
        # RFC 6749 2.3.1: for client_secret_basic the RP form-urlencodes its secret, and
        # allauth compares the header value without decoding it. Django's random key holds
        # "%+@#..." and so fails for every compliant RP library; URL-safe secrets do not.
        return secrets.token_urlsafe(48)

    def get_claims(
        self,
        purpose: Literal["id_token", "userinfo"],
        user: AbstractBaseUser,
        client: Client,
        scopes: Iterable[str],
        email: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        scopes = list(scopes)
        claims = super().get_claims(purpose, user, client, scopes, email=email, **kwargs)
        profile = PersonProfile.objects.filter(user_id=user.pk).first()
        if "profile" in scopes:
            claims["realname_level"] = profile.realname_level if profile else RealNameLevel.NONE
            if profile and profile.legal_name:
                claims["name"] = profile.legal_name
        if purpose != "userinfo":
            return claims
        # The full numbers only from userinfo, each release audited (see the module docstring).
        released = []
        if "phone" in scopes and getattr(user, "phone", None):
            claims["phone_number"] = user.phone  # type: ignore[attr-defined]
            claims["phone_number_verified"] = user.phone_verified  # type: ignore[attr-defined]
            released.append("phone_number")
        if ID_NUMBER_SCOPE in scopes and profile and profile.id_number_encrypted:
            claims["id_number"] = profile.reveal_id_number()
            released.append("id_number")
        if released:
            audit.record(
                AuditAction.PERSONAL_DATA_VIEWED,
                actor=None,
                subject=user,  # type: ignore[arg-type]
                fields=released,
                reason=f"OIDC {purpose} for {client.name}",
                client_id=client.id,
            )
        return claims

    def populate_server_metadata(self, data: dict[str, str | list[str]]) -> None:
        # allauth advertises only openid/profile/email; departments discover ours here.
        data["scopes_supported"] = list(SCOPES_SUPPORTED)
        data["claims_supported"] = list(CLAIMS_SUPPORTED)
