"""Embedded default used by ``make run``: debug on, demo accounts may skip MFA."""

from .base import *  # noqa: F403

DEBUG = True
# Development only: lets the printed demo staff accounts in without an authenticator app.
# The deploy check (portal/checks.py) refuses this setting.
STAFF_MFA_REQUIRED = False
