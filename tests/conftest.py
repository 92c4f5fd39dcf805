import pytest
from django.core.cache import cache

from portal import sms


@pytest.fixture(autouse=True)
def _clean_slate():
    """Rate-limit counters live in the cache and SMS in an outbox: empty both per test."""
    cache.clear()
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def sms_outbox():
    return sms.outbox
