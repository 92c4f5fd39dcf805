"""No case is ever lost: the broker gone while people submit and accept, and a routing worker
killed in the middle of a batch, on the real broker, PostgreSQL and ``celery worker``.

The database is the source of truth. A task that could not be published is made up for by the
sweep (``services.tasks.route_unrouted``, run by beat every minute for cases unrouted for
``SWEEP_AFTER``); a task whose worker died is delivered again (``acks_late`` with
``reject_on_worker_lost``, or Redis's visibility timeout), and routing it twice changes nothing.
Every case ends with exactly one "route" event.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db.models import F
from django.utils import timezone

from services import tasks
from services.models import Application, ApplicationEvent
from services.models.applications import ApplicationStatus
from tests.polling import wait_for
from tests.services.cases import World, world
from tests.worker.conftest import CeleryWorker, broker_unreachable, restore_unacknowledged
from tests.worker.test_application_concurrency import held, lock_waiters

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BATCH = 200
PATIENCE = 5.0  # seconds: a submit and an acceptance take well under one here


def route_events(cases: list[int]) -> Counter[int]:
    """How many times each case was routed (cases never routed are absent)."""
    return Counter(
        ApplicationEvent.objects.filter(application_id__in=cases, action="route").values_list(
            "application_id", flat=True
        )
    )


def routed(cases: list[int]) -> int:
    return Application.objects.filter(pk__in=cases, routed_at__isnull=False).count()


def wait_until_routed(cases: list[int], count: int, worker: CeleryWorker) -> None:
    def done() -> bool:
        worker.assert_alive()
        return routed(cases) >= count

    wait_for(done, timeout=60, what=f"{count} of {len(cases)} cases to be routed")


def accepted_batch(w: World, count: int) -> list[int]:
    """``count`` cases as acceptance leaves them for routing (in review at the first step, not
    routed), made in one insert: the subject here is routing, not intake."""
    now = timezone.now()
    rows = Application.objects.bulk_create(
        Application(
            service=w.service,
            applicant=w.applicant,
            hall=w.hall,
            status=ApplicationStatus.IN_REVIEW,
            answers={"applicant_name": "张小明"},
            submitted_at=now,
            accepted_at=now,
            taken_in_by=w.clerk,
            review_step=w.step,
            step_started_at=now,
        )
        for _ in range(count)
    )
    return [row.pk for row in rows]


def sweep_after_it_is_due(cases: list[int]) -> None:
    """Let ``SWEEP_AFTER`` pass for these cases, as beat's sweep would find them."""
    late = tasks.SWEEP_AFTER + timezone.timedelta(seconds=1)
    Application.objects.filter(pk__in=cases).update(step_started_at=F("step_started_at") - late)


def pool_processes(worker: CeleryWorker) -> list[int]:
    pid = worker.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def test_with_the_broker_unreachable_people_succeed_and_the_sweep_routes_each_case_once(
    celery_workers, caplog
):
    w = world()
    caplog.set_level(logging.WARNING, logger="services.tasks")

    accepted, waits = [], []
    with broker_unreachable():
        for _ in range(20):  # 20 submits, each accepted at once
            started = time.monotonic()
            accepted.append(w.accepted())
            waits.append(time.monotonic() - started)

    # Said at once: not after kombu's seconds of reconnecting per task, on the person's request.
    assert max(waits) < PATIENCE, f"a submit and acceptance took {max(waits):.1f} s"
    cases = [app.pk for app in accepted]
    assert all(app.acceptance_number and app.due_date for app in accepted)
    in_review = Application.objects.filter(pk__in=cases, status=ApplicationStatus.IN_REVIEW)
    assert in_review.count() == 20
    assert routed(cases) == 0
    left = [r.getMessage() for r in caplog.records if "left for the sweep" in r.getMessage()]
    assert len([m for m in left if "route_application" in m]) == 20

    # The broker is back: beat's sweep finds the cases unrouted for SWEEP_AFTER.
    worker = celery_workers()
    sweep_after_it_is_due(cases)
    assert worker.wait_for_task(tasks.route_unrouted.delay().id) == "20"
    assert worker.wait_for_task(tasks.route_unrouted.delay().id) == "0"

    assert route_events(cases) == Counter(dict.fromkeys(cases, 1))
    assert set(Application.objects.filter(pk__in=cases).values_list("assigned_to", flat=True)) == {
        w.reviewer.pk
    }


def test_a_pool_process_killed_while_routing_is_replaced_and_its_case_routed_once(
    celery_workers, published_tasks
):
    w = world()
    cases = accepted_batch(w, BATCH)
    worker = celery_workers(pool="prefork", concurrency=1)
    [process] = pool_processes(worker)
    middle = Application.objects.get(pk=cases[BATCH // 2])

    with held(middle):  # the worker will be routing this case when it is killed
        for pk in cases:
            tasks.route_application.delay(pk)
        wait_for(lambda: lock_waiters() >= 1, timeout=60, what="the worker to reach the case")
        os.kill(process, signal.SIGKILL)
        wait_for(
            lambda: "WorkerLostError" in worker.log(),
            what="the worker to notice its pool process died",
        )

    wait_until_routed(cases, BATCH, worker)
    assert route_events(cases) == Counter(dict.fromkeys(cases, 1))
    # Every task ran to the end, the killed one again (it, or a task after it that routes
    # every waiting case, routed the middle case); together they routed each case once.
    assert sum(map(int, worker.results_of(published_tasks))) == BATCH
    assert process not in pool_processes(worker)


def test_a_worker_killed_while_routing_loses_no_case_and_routes_none_twice(
    celery_workers, published_tasks, celery_broker_url
):
    w = world()
    cases = accepted_batch(w, BATCH)
    first = celery_workers()
    middle = Application.objects.get(pk=cases[BATCH // 2])

    with held(middle):
        for pk in cases:
            tasks.route_application.delay(pk)
        wait_for(lambda: lock_waiters() >= 1, timeout=60, what="the worker to reach the case")
        first.process.send_signal(signal.SIGKILL)  # the whole worker, as an OOM kill would
        first.process.wait(timeout=10)

    second = celery_workers()
    # Every task still queued is routed by the new worker; the one in hand stays in Redis's
    # unacknowledged set until the visibility timeout (2 h).
    wait_until_routed(cases, BATCH - 1, second)
    assert Application.objects.get(pk=middle.pk).routed_at is None
    sweep_after_it_is_due([middle.pk])
    assert second.wait_for_task(tasks.route_unrouted.delay().id) == "1"

    # The visibility timeout passes: Redis delivers the dead worker's message again.
    restore_unacknowledged(celery_broker_url)
    [message] = [m for m in published_tasks if m.args == [middle.pk]]
    assert second.wait_for_task(message.task_id) == "0"  # nothing left to do

    assert route_events(cases) == Counter(dict.fromkeys(cases, 1))
