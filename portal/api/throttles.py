"""Throttles by client address alone, for public answers that are the same for everyone."""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import AnonRateThrottle


class AddressRateThrottle(AnonRateThrottle):
    """Like DRF's anonymous throttle, but a signed-in caller counts too (DRF's skips him), and
    deciding never loads the session or the user."""

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class VerifyPageThrottle(AddressRateThrottle):
    """The public verification pages a QR scan opens (``VERIFY_PAGE_THROTTLE``)."""

    scope = "verify_page"
