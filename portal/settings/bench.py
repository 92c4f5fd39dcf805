"""Settings for ``make bench``: production-like, PostgreSQL only, floor endpoints mounted.

The harness (``python -m bench``) sets ``DATABASE_URL`` (and ``REDIS_URL`` when Redis
answers) before anything imports these settings, then serves them with gunicorn.
"""

from typing import cast

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ACCOUNT_RATE_LIMITS, DATABASES, REST_FRAMEWORK

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# Mounts portal.bench_urls under /bench/: the JSON ping and the one-row insert floors.
BENCH_URLS = True
STAFF_MFA_REQUIRED = True

# The login benchmark signs one account in thousands of times from one address. Keep the
# rate-limit check (and its cache round trip) in the measured path, but never let it trip.
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "login": "1000000/m/ip"}

# Public API endpoints are measured at thousands of requests a minute from one address; DRF's
# throttle keeps every request's timestamp in the cache, so it is off rather than raised.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    # Every scope base.py names (a scope left out makes every API call answer 500).
    "DEFAULT_THROTTLE_RATES": dict.fromkeys(cast(dict, REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])),
}

# The bench citizen books thousands of times a run (bench/reservations.py): the rule is still
# checked on every booking but never trips.
BOOKING_MAX_LIVE = 1_000_000

if DATABASES["default"]["ENGINE"] != "portal.db.postgresql":
    raise ImproperlyConfigured("The benchmark runs against PostgreSQL: set DATABASE_URL.")
