"""API permissions: what a department system's token may do versus the citizen's session."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.idp.oidc.internal.scope import is_scope_granted
from allauth.idp.oidc.models import Token
from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions
from rest_framework.request import Request

if TYPE_CHECKING:
    from rest_framework.views import APIView


class ViaSession(permissions.BasePermission):
    """Signed in through the browser session, not through a department system's token."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.auth is None and bool(request.user and request.user.is_authenticated)


def insufficient_scope(scope: str) -> exceptions.PermissionDenied:
    """403 naming the scope: the token is valid (so not 401) but was not granted it."""
    return exceptions.PermissionDenied(
        _("The access token lacks the scope %(scope)s that this operation needs.")
        % {"scope": scope},
        code="insufficient_scope",
    )


def scoped(scope: str) -> type[permissions.BasePermission]:
    """An access token granted ``scope``; a token without it is refused naming the scope."""

    class HasScope(permissions.BasePermission):
        def has_permission(self, request: Request, view: Any) -> bool:
            token = request.auth
            if not isinstance(token, Token):
                return False
            if not is_scope_granted(scope, token, request.method):
                raise insufficient_scope(scope)
            return True

    HasScope.__name__ = f"HasScope_{scope}"
    return HasScope
