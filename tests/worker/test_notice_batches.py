"""Notices told in batches (portal.task_batches) on the real broker, PostgreSQL and
``celery worker``: many moves publish one waiting task, which tells every applicant once;
a broker that does not answer costs the person nothing and the sweep tells him later."""

from __future__ import annotations

import logging
import time

import pytest

from portal.celery import app
from portal.models import Notification
from portal.task_batches import _redis_for
from services import tasks
from services.models import Application
from tests.services.cases import World, world
from tests.worker.conftest import broker_unreachable

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def submitted(w: World, count: int) -> list[Application]:
    return [w.submitted() for _ in range(count)]


def told(cases: list[Application]) -> dict[int, int]:
    """Notifications per case about its submission."""
    counts = dict.fromkeys((app.pk for app in cases), 0)
    for key in Notification.objects.filter(key__startswith="application:").values_list(
        "key", flat=True
    ):
        case = int(key.split(":")[1])
        if case in counts:
            counts[case] += 1
    return counts


def waiting_items() -> int:
    return int(_redis_for(app.conf.broker_url).llen(tasks.NOTICES.items))


@pytest.fixture(autouse=True)
def no_notices_waiting(celery_broker_url):
    """Earlier tests of this process left notices and a "waiting" marker that no worker took."""
    _redis_for(app.conf.broker_url).delete(tasks.NOTICES.items, tasks.NOTICES.waiting)


def test_many_submits_publish_one_waiting_task_which_tells_each_applicant_once(
    celery_broker_url, published_tasks
):
    w = world()
    cases = submitted(w, 25)  # no worker yet: the first task is still waiting

    names = [message.name for message in published_tasks]
    assert names.count("services.tasks.notify_waiting") == 1
    assert "services.tasks.notify_applicant" not in names
    assert waiting_items() == 25
    assert told(cases) == dict.fromkeys((app.pk for app in cases), 0)

    [drainer] = published_tasks
    assert tasks.notify_waiting.apply(task_id=drainer.task_id).get() == 25

    assert told(cases) == dict.fromkeys((app.pk for app in cases), 1)
    assert waiting_items() == 0
    # The waiting task has started: the next notice publishes a new one.
    later = submitted(w, 1)
    assert [m.name for m in published_tasks].count("services.tasks.notify_waiting") == 2
    assert told(later) == {later[0].pk: 0}


def test_a_running_worker_tells_every_applicant_once(celery_workers):
    worker = celery_workers()
    cases = submitted(world(), 30)

    deadline = time.monotonic() + 60
    while sum(told(cases).values()) < 30 and time.monotonic() < deadline:
        time.sleep(0.2)

    assert told(cases) == dict.fromkeys((app.pk for app in cases), 1), worker.log()[-2000:]
    assert waiting_items() == 0


def test_a_broker_that_does_not_answer_costs_the_person_nothing_and_the_sweep_tells_him(
    celery_broker_url, caplog
):
    caplog.set_level(logging.WARNING, logger="portal.task_batches")
    w = world()
    with broker_unreachable():
        started = time.monotonic()
        cases = submitted(w, 5)
        took = time.monotonic() - started

    assert took < 10, f"five submits took {took:.1f} s"
    assert len([r for r in caplog.records if "left for the sweep" in r.getMessage()]) == 5
    assert told(cases) == dict.fromkeys((app.pk for app in cases), 0)

    assert tasks.notify_untold.apply().get() >= 5
    assert told(cases) == dict.fromkeys((app.pk for app in cases), 1)
