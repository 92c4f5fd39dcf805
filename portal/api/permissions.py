"""API permissions: what a department system's token may do versus the citizen's session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework import permissions
from rest_framework.request import Request

if TYPE_CHECKING:
    from rest_framework.views import APIView


class ViaSession(permissions.BasePermission):
    """Signed in through the browser session, not through a department system's token."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.auth is None and bool(request.user and request.user.is_authenticated)
