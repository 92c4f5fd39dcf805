"""API rate limits: per address for anonymous callers, per person, and per department client.

A department client's token (client credentials) counts against the client's own limit
(``API_THROTTLE_CLIENT``), higher than the anonymous one: a department's system reads the
catalogue and verifies certificates in bulk from one address.
"""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import AnonRateThrottle as DRFAnonRateThrottle
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

from portal.api.authentication import client_id


class AnonRateThrottle(DRFAnonRateThrottle):
    """DRF's anonymous limit, per address; a department client's token is not anonymous."""

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if client_id(request.auth):
            return None
        return super().get_cache_key(request, view)


class PersonRateThrottle(UserRateThrottle):
    """Per signed-in person; anonymous callers and clients have their own limits."""

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class ClientRateThrottle(SimpleRateThrottle):
    """Per department client, whatever address it calls from."""

    scope = "client"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        client = client_id(request.auth)
        if client is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client}


class AddressRateThrottle(DRFAnonRateThrottle):
    """Like DRF's anonymous throttle, but a signed-in caller counts too (DRF's skips him), and
    deciding never loads the session or the user."""

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class VerifyPageThrottle(AddressRateThrottle):
    """The public verification pages a QR scan opens (``VERIFY_PAGE_THROTTLE``)."""

    scope = "verify_page"
