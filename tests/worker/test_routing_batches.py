"""Routing in batches on the real broker, PostgreSQL and ``celery worker``: one task routes its
case and up to ``routing.BATCH - 1`` others in one transaction. A worker killed in the middle of
a batch (its rows locked, nothing committed) loses no case and routes none twice; two batches
of one queue at once each count the other's cases.

The batch is stopped in its middle for certain, not by luck: the test holds the queue's lock
(``routing.hold_queues``), which a batch takes after locking its rows and before assigning them.
"""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection, transaction

from portal.models import StaffRole
from services import routing, tasks
from services.models import Application
from tests.polling import wait_for
from tests.services.cases import World, staff, world
from tests.worker.conftest import restore_unacknowledged
from tests.worker.test_application_concurrency import lock_waiters, run_together
from tests.worker.test_application_faults import (
    accepted_batch,
    pool_processes,
    route_events,
    routed,
    wait_until_routed,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CASES = routing.BATCH + 50  # more than one batch


@contextmanager
def queue_held(w: World) -> Iterator[None]:
    """Hold the lock of the world's review queue until the block ends: a batch routing its
    cases waits with their rows locked."""
    with transaction.atomic():
        routing.hold_queues([(w.step.department_id, w.category.pk, w.step.role)])
        yield


def free_rows(cases: list[int]) -> int:
    """How many of the cases no transaction holds locked."""
    with transaction.atomic():
        return len(
            Application.objects.select_for_update(skip_locked=True)
            .filter(pk__in=cases)
            .values_list("pk", flat=True)
        )


def wait_for_a_batch_in_hand(cases: list[int]) -> None:
    wait_for(lambda: lock_waiters() >= 1, timeout=60, what="a batch to wait for its queue")
    # The batch holds its case and BATCH - 1 others, uncommitted.
    assert free_rows(cases) == len(cases) - routing.BATCH
    assert routed(cases) == 0


def test_a_pool_process_killed_mid_batch_leaves_its_cases_to_be_routed_once(
    celery_workers, published_tasks
):
    w = world()
    cases = accepted_batch(w, CASES)
    worker = celery_workers(pool="prefork", concurrency=1)
    [process] = pool_processes(worker)

    with queue_held(w):
        for pk in cases:
            tasks.route_application.delay(pk)
        wait_for_a_batch_in_hand(cases)
        os.kill(process, signal.SIGKILL)  # the pool process; the worker lives on
        wait_for(
            lambda: "WorkerLostError" in worker.log(),
            what="the worker to notice its pool process died",
        )

    wait_until_routed(cases, CASES, worker)
    assert route_events(cases) == Counter(dict.fromkeys(cases, 1))
    # Every task ran to the end, the killed one again; together they routed each case once.
    assert sum(map(int, worker.results_of(published_tasks))) == CASES
    assert process not in pool_processes(worker)


def test_a_worker_killed_mid_batch_loses_no_case_and_routes_none_twice(
    celery_workers, published_tasks, celery_broker_url
):
    w = world()
    cases = accepted_batch(w, CASES)
    first = celery_workers()

    with queue_held(w):
        for pk in cases:
            tasks.route_application.delay(pk)
        wait_for_a_batch_in_hand(cases)
        first.process.send_signal(signal.SIGKILL)  # the whole worker, as an OOM kill would
        first.process.wait(timeout=10)

    # The dead worker's transaction is rolled back: its batch's rows are free, none routed.
    wait_for(lambda: free_rows(cases) == CASES, what="the dead worker's row locks to go")
    assert routed(cases) == 0

    second = celery_workers()
    # The tasks still queued route every case, the dead batch's too; the one in the dead
    # worker's hand stays in Redis's unacknowledged set until the visibility timeout (2 h).
    wait_until_routed(cases, CASES, second)
    restore_unacknowledged(celery_broker_url)
    [message] = [m for m in published_tasks if m.args == [cases[0]]]
    assert second.wait_for_task(message.task_id, timeout=120) == "0"  # nothing left to do
    assert route_events(cases) == Counter(dict.fromkeys(cases, 1))


def test_two_batches_of_one_queue_at_once_each_count_the_others_cases():
    if connection.vendor != "postgresql":
        pytest.skip("races need PostgreSQL (set DATABASE_URL)")
    w = world()
    other = staff(StaffRole.REVIEWER, department=w.department, categories=[w.category])
    first, second = accepted_batch(w, 2)

    results: list[int] = []
    contenders = [lambda: routing.route(first), lambda: routing.route(second)]
    runner = threading.Thread(target=lambda: results.extend(run_together(contenders)))
    with queue_held(w):
        runner.start()
        wait_for(lambda: lock_waiters() >= 2, what="both batches to wait for the queue")
    runner.join(timeout=60)

    assert results == [1, 1]
    assigned = Application.objects.filter(pk__in=[first, second]).values_list(
        "assigned_to", flat=True
    )
    # Not both to the reviewer who had none when both began: one case each.
    assert sorted(assigned) == sorted([w.reviewer.pk, other.pk])


def test_acceptances_made_while_a_routing_task_waits_publish_none_and_it_routes_them(
    celery_workers, published_tasks, celery_broker_url
):
    import redis

    from portal.celery import app

    # Acceptances with no worker to take their task (test_application_concurrency) leave
    # tasks and the marker behind.
    app.control.purge()
    redis.Redis.from_url(celery_broker_url).delete(tasks.ROUTING_WAITING)
    w = world()

    def routing_tasks() -> list[str]:
        name = tasks.route_application.name
        return [m.task_id for m in published_tasks if m.name == name]

    cases = [w.accepted().pk for _ in range(5)]  # each commits; no worker is running yet
    [waiting] = routing_tasks()  # the first acceptance's; the others found it waiting

    worker = celery_workers()
    assert worker.wait_for_task(waiting) == "5"
    assert route_events(cases) == Counter(dict.fromkeys(cases, 1))

    # The task said it no longer waits when it started: the next acceptance publishes its own.
    sixth = w.accepted().pk
    assert len(routing_tasks()) == 2
    assert worker.wait_for_task(routing_tasks()[1]) == "1"
    assert route_events([sixth]) == Counter({sixth: 1})
