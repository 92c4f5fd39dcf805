"""Settings for the test suite: the embedded default (or DATABASE_URL), fast hashing."""

from .base import *  # noqa: F403
from .base import PASSWORD_HASHERS

# Argon2 is deliberately slow; tests that check hashing restore it with override_settings.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"anon": "10000/min", "user": "10000/min"}  # noqa: F405
STAFF_MFA_REQUIRED = True
SMS_SENDER = "portal.sms.LocmemSMSSender"
