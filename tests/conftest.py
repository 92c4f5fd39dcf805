import pytest
from django.core.cache import cache

from portal import sms
from tests.contract.conformance import _responses_conform_to_the_schema  # noqa: F401 (autouse)


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


@pytest.fixture(autouse=True)
def _celery_eager_unless_worker_test(request):
    """Only tests marked `worker` publish to the real broker; the rest run tasks in-process."""
    from portal.celery import app

    if request.node.get_closest_marker("worker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def english(settings):
    """Pages, API answers and messages in English, for tests that read message wording.

    The zh_Hans catalogue is checked complete by msgfmt; these tests read the English source.
    """
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
