import pytest


@pytest.fixture(autouse=True)
def _english(english):
    """These tests read message wording in English (see tests/conftest.py)."""
