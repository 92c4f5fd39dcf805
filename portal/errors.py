"""Refusals shared by every app: raised by domain code, answered once for the API and once
for pages (``portal.api.errors`` and ``portal.middleware.RefusalMiddleware``)."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class Refusal(Exception):
    """The request is understood but refused; ``message`` is shown to the person."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str | None = None,
        fields: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = str(message)
        if code:
            self.code = code
        self.fields = fields or {}


class Invalid(Refusal):
    """The input is wrong (400); ``fields`` names each wrong field."""


class NotAllowed(Refusal):
    """The person may see the thing but not do this to it (403)."""

    status = 403
    code = "not_allowed"


class NotFound(Refusal):
    """Nothing the person may see is there (404): also said where saying 403 would reveal it."""

    status = 404
    code = "not_found"


class IllegalMove(Refusal):
    """A lifecycle does not allow this change in the current state (409)."""

    status = 409
    code = "illegal_move"

    def __init__(self, message: str | Promise, *, status: str, action: str) -> None:
        super().__init__(message)
        self.from_status, self.action = status, action


class Conflict(Refusal):
    """The request conflicts with one made earlier, e.g. a reused idempotency key (409)."""

    status = 409
    code = "conflict"
