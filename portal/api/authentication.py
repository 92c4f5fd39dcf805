"""Bearer tokens from the portal's OIDC provider, answered the way OAuth clients expect."""

from __future__ import annotations

from typing import Any

from allauth.idp.oidc.contrib.rest_framework.authentication import TokenAuthentication
from allauth.idp.oidc.models import Token
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions


def invalid_token() -> exceptions.AuthenticationFailed:
    return exceptions.AuthenticationFailed(
        _("The access token is invalid or has expired."), code="invalid_token"
    )


class BearerTokenAuthentication(TokenAuthentication):
    """An OIDC access token; a bad one is a 401 with a Bearer challenge so clients refresh.

    A person's token signs him in. A department client's client-credentials token (no person
    behind it) is accepted as an anonymous caller with the token as ``request.auth``: it may
    do whatever anyone may, counted against the client's own limit (``ClientRateThrottle``),
    and an operation that needs a person answers 403, not 401, because the token is valid.
    allauth accepts an ID token as if it were a login with no user; we refuse that.
    """

    def authenticate(self, request: Any) -> tuple[Any, Token] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.lower().startswith("bearer "):
            return None
        result = super().authenticate(request)
        if not result or not isinstance(result[1], Token):
            raise invalid_token()
        token = result[1]
        if token.type != Token.Type.ACCESS_TOKEN:
            raise invalid_token()
        if result[0] is None:
            return AnonymousUser(), token
        return result

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'


def client_id(auth: Any) -> str | None:
    """The department client behind ``request.auth``, if it is a client's token (or one of
    the rows the department-system authentications put there); None for people."""
    if isinstance(auth, Token):
        return str(auth.client_id) if auth.user_id is None else None
    found = getattr(auth, "client_id", None)
    return str(found) if found else None
