"""The OpenID Connect provider's claims: name and real-name level; ID number only by scope."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from allauth.idp.oidc.adapter import DefaultOIDCAdapter
from allauth.idp.oidc.models import Client
from django.contrib.auth.base_user import AbstractBaseUser

from portal import audit
from portal.models import AuditAction, PersonProfile, RealNameLevel

ID_NUMBER_SCOPE = "id_number"


class PortalOIDCAdapter(DefaultOIDCAdapter):
    scope_display = {
        **DefaultOIDCAdapter.scope_display,
        "profile": "姓名与实名认证等级 / Name and real-name level",
        ID_NUMBER_SCOPE: "居民身份号码 / Resident ID number",
        "phone": "手机号码 / Mobile number",
    }

    def get_claims(self, purpose: Literal["id_token", "userinfo"], user: AbstractBaseUser,
                   client: Client, scopes: Iterable[str], email: str | None = None,
                   **kwargs: Any) -> dict[str, Any]:
        scopes = list(scopes)
        claims = super().get_claims(purpose, user, client, scopes, email=email, **kwargs)
        profile = PersonProfile.objects.filter(user=user).first()
        if "profile" in scopes:
            claims["realname_level"] = profile.realname_level if profile else RealNameLevel.NONE
            if profile and profile.legal_name:
                claims["name"] = profile.legal_name
        if "phone" in scopes and getattr(user, "phone", None):
            claims["phone_number"] = user.phone  # type: ignore[attr-defined]
            claims["phone_number_verified"] = user.phone_verified  # type: ignore[attr-defined]
        if ID_NUMBER_SCOPE in scopes and profile and profile.id_number_encrypted:
            claims["id_number"] = profile.reveal_id_number()
            audit.record(AuditAction.PERSONAL_DATA_VIEWED, actor=None, subject=user,  # type: ignore[arg-type]
                         fields=["id_number"], reason=f"OIDC {purpose} for {client.name}",
                         client_id=client.id)
        return claims
