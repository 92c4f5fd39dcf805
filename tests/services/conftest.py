import pytest


@pytest.fixture(autouse=True)
def _english(english):
    """These tests read message wording in English (see tests/conftest.py)."""


@pytest.fixture
def commit_now(monkeypatch):
    """Run on-commit work (routing, notifications) at once: the test's transaction never
    commits. Tests of the real commit order use the real services (tests/worker)."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())
