"""Settings for the test suite: the embedded default (or DATABASE_URL), fast hashing."""

import os

from .base import *  # noqa: F403
from .base import PASSWORD_HASHERS

# Argon2 is deliberately slow; tests that check hashing restore it with override_settings.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {  # noqa: F405
    "anon": "10000/min",
    "user": "10000/min",
    "verify_page": "10000/min",
    "client": "10000/min",
}
STAFF_MFA_REQUIRED = True
SMS_SENDER = "portal.sms.LocmemSMSSender"

# Tests clear the cache before each test; with Redis that flushes the whole database, so each
# pytest-xdist worker gets a database of its own.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST_WORKER and CACHES["default"]["BACKEND"].endswith("RedisCache"):  # noqa: F405
    _base, _db = CACHES["default"]["LOCATION"].rsplit("/", 1)  # noqa: F405
    CACHES["default"]["LOCATION"] = f"{_base}/{int(_db or 0) + int(_XDIST_WORKER[2:] or 0)}"  # noqa: F405
