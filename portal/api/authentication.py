"""Bearer tokens from the portal's OIDC provider, answered the way OAuth clients expect."""

from __future__ import annotations

from typing import Any

from allauth.idp.oidc.contrib.rest_framework.authentication import TokenAuthentication
from allauth.idp.oidc.models import Token
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions


class BearerTokenAuthentication(TokenAuthentication):
    """An OIDC access token; a bad one is a 401 with a Bearer challenge so clients refresh.

    allauth accepts an ID token as if it were a login with no user; we refuse that too.
    """

    def authenticate(self, request: Any) -> tuple[Any, Token] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.lower().startswith("bearer "):
            return None
        result = super().authenticate(request)
        if (
            not result
            or result[0] is None
            or not isinstance(result[1], Token)
            or result[1].type != Token.Type.ACCESS_TOKEN
        ):
            raise exceptions.AuthenticationFailed(
                _("The access token is invalid or has expired."), code="invalid_token"
            )
        return result

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'
