"""Departments' systems read their department's cases with OIDC client-credentials tokens.

The client is the one the department registered for its system (``IssuingSystem``: one
registration per department system, whatever it does); the ``applications`` scope is what lets
it read cases, as ``certificates`` lets it issue. In this step machine clients only read: every
decision is a reviewer's, made in his own name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.idp.oidc.contrib.rest_framework.authentication import TokenAuthentication
from allauth.idp.oidc.models import Token
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, permissions

from certificates.models import IssuingSystem

SCOPE = "applications"


@dataclass(frozen=True)
class DepartmentClient:
    """``request.auth`` for a department's system."""

    client_id: str
    department_id: int


class DepartmentSystemAuthentication(TokenAuthentication):
    """A user-less access token of a registered department system with the ``applications``
    scope. A person's access token is passed on as it is (the views accept only sessions for
    people); anything else is a 401 with a Bearer challenge."""

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.lower().startswith("bearer "):
            return None
        result = super().authenticate(request)
        token = result[1] if result else None
        if not result or not isinstance(token, Token) or token.type != Token.Type.ACCESS_TOKEN:
            raise exceptions.AuthenticationFailed(
                _("The access token is invalid or has expired."), code="invalid_token"
            )
        if result[0] is not None:
            return result
        department_id = (
            IssuingSystem.objects.filter(client_id=token.client_id)
            .values_list("department_id", flat=True)
            .first()
        )
        if department_id is None or SCOPE not in token.get_scopes():
            raise exceptions.PermissionDenied(
                _(
                    "This client may not read applications: its token needs the scope "
                    "applications and the client a department's registration."
                ),
                code="not_a_department_system",
            )
        return AnonymousUser(), DepartmentClient(str(token.client_id), department_id)

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'


class IsDepartmentClient(permissions.BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return isinstance(request.auth, DepartmentClient)


class DepartmentSystemScheme(OpenApiAuthenticationExtension):
    target_class = "services.api.authentication.DepartmentSystemAuthentication"
    name = "departmentSystemToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A client-credentials access token of a department's registered "
            "system (scope applications), from the portal's OpenID Connect provider: reads "
            "the department's cases.",
        }
