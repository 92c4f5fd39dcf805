"""Department systems authenticate with OIDC client-credentials tokens (no user behind them).

The issuing API accepts them only for a client registered as an IssuingSystem, only with the
``certificates`` scope, and only for that system's department. The OpenAPI security scheme
is drawn by portal.api.openapi (OAuth2 client credentials with the scope).
"""

from __future__ import annotations

from typing import Any

from allauth.idp.oidc.contrib.rest_framework.authentication import TokenAuthentication
from allauth.idp.oidc.models import Token
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, permissions

from certificates.models import IssuingSystem
from portal.api.authentication import invalid_token
from portal.api.permissions import insufficient_scope

SCOPE = "certificates"


class IssuingSystemAuthentication(TokenAuthentication):
    """A client-credentials token of a registered issuing system with the ``certificates``
    scope. A valid token that is not one (a person's token, a token without the scope, a
    client no department registered) is a 403 that says which, never a 401: refreshing the
    token would not help."""

    def authenticate(self, request: Any) -> tuple[Any, IssuingSystem] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.lower().startswith("bearer "):
            return None
        result = super().authenticate(request)
        token = result[1] if result else None
        if not result or not isinstance(token, Token) or token.type != Token.Type.ACCESS_TOKEN:
            raise invalid_token()
        if result[0] is not None or SCOPE not in token.get_scopes():
            raise insufficient_scope(SCOPE)
        system = (
            IssuingSystem.objects.select_related("department")
            .filter(client_id=token.client_id)
            .first()
        )
        if system is None:
            raise exceptions.PermissionDenied(
                _("This client is not registered as a department's issuing system."),
                code="not_an_issuing_system",
            )
        return AnonymousUser(), system

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'


class IsIssuingSystem(permissions.BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return isinstance(request.auth, IssuingSystem)


class IssuingSystemScheme(OpenApiAuthenticationExtension):
    target_class = "certificates.api.authentication.IssuingSystemAuthentication"
    name = "issuingSystemToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A client-credentials access token of a department's issuing system "
            "(scope certificates), from the portal's OpenID Connect provider.",
        }
