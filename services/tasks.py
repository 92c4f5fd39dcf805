"""Celery tasks of the application lifecycle. Each takes ids, calls one domain function and is
safe to run twice. The database is the source of truth: a task lost with the broker is made up
for by the sweeps, so an unreachable broker never fails the citizen's or the clerk's request."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from uuid import uuid4

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from portal import task_batches
from services import deadlines, notices, routing

logger = logging.getLogger(__name__)

ROUTE_AFTER = {"accept", "pass_step"}
# A case still unrouted this long after its step began is routed by the sweep.
SWEEP_AFTER = dt.timedelta(minutes=2)


# One routing task waiting in the queue is enough: it routes every case accepted before it
# starts. This marker says one is waiting; the task clears it when it starts. It lives in the
# broker's Redis, so it is never kept when the queue is lost, and expires in case its task is
# (the sweep routes that task's cases).
ROUTING_WAITING = "services.tasks.route_application:waiting"
WAITING_FOR = 60  # seconds


def _enqueue(task: Any, *args: Any, unless_waiting: str = "") -> None:
    """Publish the task; with ``unless_waiting``, only if no task of that marker is waiting."""
    try:
        with task.app.producer_or_acquire() as producer:
            # One connection attempt: kombu otherwise keeps reconnecting for the broker's
            # connection timeout (~7 s a task) on the person's request before giving up.
            producer.connection.ensure_connection(max_retries=0)
            # Eager tasks run at once: nothing waits.
            waits = unless_waiting and not task.app.conf.task_always_eager
            marker = _broker_redis(producer.connection) if waits else None
            task_id = str(uuid4())
            if marker is not None and not marker.set(
                unless_waiting, task_id, nx=True, ex=WAITING_FOR
            ):
                return
            try:
                task.apply_async(args=args, producer=producer, retry=False, task_id=task_id)
            except BaseException:
                if marker is not None:
                    marker.delete(unless_waiting)
                raise
    except (OperationalError, ConnectionError, OSError, RedisError):
        logger.warning("broker unreachable: %s%r left for the sweep", task.name, args)


def _broker_redis(connection: Any) -> Any | None:
    """The broker's Redis client; None on another transport (memory:// runs tasks eagerly)."""
    redis = connection.transport_cls in ("redis", "rediss")
    return connection.default_channel.client if redis else None


# Deletes the marker only if it names this task: a task of one case (delivered again, or
# published while the marker had expired) must not take the waiting task's marker away.
_CLEAR_IF_MINE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)


def _was_waiting(task: Any, task_id: str | None, marker: str) -> bool:
    """Whether this is the task the marker says is waiting; if so, it waits no more."""
    try:
        with task.app.pool.acquire(block=True) as connection:
            client = _broker_redis(connection)
            return bool(client is not None and client.eval(_CLEAR_IF_MINE, 1, marker, task_id))
    except (OperationalError, ConnectionError, OSError, RedisError):
        # Route every waiting case, as the waiting task would: never fewer.
        logger.warning("could not read %s", marker)
        return True


def enqueue_after_move(application_id: int, action: str) -> None:
    """Called on commit of every move (services.workflow)."""
    if action in ROUTE_AFTER:
        _enqueue(route_application, application_id, unless_waiting=ROUTING_WAITING)
    if action in notices.TELL_APPLICANT:
        _enqueue_notice(notify_applicant, application_id, action)


# Notices to applicants and booking holders, told by one waiting task (portal.task_batches).
NOTICES = task_batches.Batch("services.tasks.notify_waiting")


def _enqueue_notice(task: Any, object_id: int, action: str) -> None:
    if not task_batches.put(NOTICES, notify_waiting, [task.name, object_id, action]):
        _enqueue(task, object_id, action)  # no Redis broker: the task itself, run eagerly


@shared_task(bind=True)
def notify_waiting(self: Any) -> int:
    """Sends every notice waiting in ``NOTICES``; returns how many were handled. A notice that
    fails is logged and left to the sweeps (notify_untold, notify_untold_bookings)."""
    handled = 0
    for name, object_id, action in task_batches.take(NOTICES, notify_waiting, self.request.id):
        try:
            _NOTICE_TASKS[name].run(object_id, action)
        except Exception:  # one notice must not keep the others waiting
            logger.exception(
                "notice %s(%s, %r) failed: left for the sweep", name, object_id, action
            )
        handled += 1
    return handled


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def route_application(self: Any, application_id: int) -> int:
    """Routes the case with up to ``routing.BATCH - 1`` others waiting, and every case waiting
    if that batch was full; the waiting task (the acceptances made while it waited published
    none) routes every case waiting even if its own was routed. Returns how many cases this
    run routed."""
    if _was_waiting(route_application, self.request.id, ROUTING_WAITING):
        return routing.route_waiting(application_id)
    return routing.route_found(application_id)


@shared_task
def route_unrouted() -> int:
    """Periodic: route every case no routing task handled in time."""
    return routing.route_unrouted(SWEEP_AFTER)


@shared_task
def sweep_sla() -> int:
    """Periodic: colour open cases by their remaining working days; tell who must act."""
    return notices.warn_deadlines(deadlines.refresh_sla())


@shared_task
def recompute_deadlines() -> int:
    """Every open case's due date again, after the calendar changed."""
    return deadlines.recompute_open()


def calendar_changed() -> None:
    """Called where the calendar is edited: due dates follow once the edit is committed."""
    transaction.on_commit(lambda: _enqueue(recompute_deadlines))


@shared_task
def notify_untold() -> int:
    """Periodic: send the notifications of the last two days' moves whose task was lost."""
    return notices.tell_untold(since=timezone.now() - dt.timedelta(days=2))


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def notify_applicant(application_id: int, action: str) -> bool:
    return notices.tell_applicant(application_id, action)


# --- Ratings and rectifications (ADR 0013) ----------------------------------------------------


def enqueue_rectification_notice(rectification_id: int, action: str) -> None:
    """Called on commit of every rectification move (services.rectification)."""
    _enqueue(notify_rectification, rectification_id, action)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def notify_rectification(rectification_id: int, action: str) -> int:
    from services import rectification

    return rectification.tell(rectification_id, action)


@shared_task
def default_ratings() -> int:
    """Periodic (daily): cases and visits unrated in time count as satisfied."""
    from services import rating

    return rating.default_unrated()


@shared_task
def sweep_rectifications() -> int:
    """Periodic: flag rectifications past their due date; tell their departments."""
    from services import rectification

    flagged = rectification.flag_overdue()
    for pk in flagged:
        rectification.tell(pk, "overdue")
    return len(flagged)


# --- Reservations (services.booking) ------------------------------------------------------


def enqueue_booking_notice(object_id: int, action: str) -> None:
    """Called on commit of a booking move (a block's id for "block")."""
    _enqueue_notice(notify_booking_holder, object_id, action)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def notify_booking_holder(object_id: int, action: str) -> bool:
    from services import reservation_notices

    if action == "block":
        return reservation_notices.tell_blocked(object_id)
    return reservation_notices.tell_holder(object_id, action)


_NOTICE_TASKS = {task.name: task for task in (notify_applicant, notify_booking_holder)}


@shared_task
def notify_untold_bookings() -> int:
    """Periodic: send the notices of the last two days' booking changes whose task was lost."""
    from services import reservation_notices

    return reservation_notices.tell_untold(since=timezone.now() - dt.timedelta(days=2))


@shared_task
def remind_bookings() -> int:
    """Periodic: remind the holders of tomorrow's bookings (each once)."""
    from services import reservation_notices

    return reservation_notices.remind_tomorrow()


@shared_task
def sweep_missed_bookings() -> int:
    """Periodic: bookings nobody checked in for become missed (they count towards a block)."""
    from services import booking

    return booking.sweep_missed()


@shared_task
def generate_slots() -> int:
    """Daily: every hall's slots to the end of the booking window."""
    from services import slots

    return slots.generate_ahead()


@shared_task
def cancel_waiting_tickets() -> int:
    """Nightly: tickets still waiting when the hall has closed are cancelled (the display and
    tomorrow's windows start empty)."""
    from services import queueing

    return queueing.cancel_left_over(timezone.localdate())


@shared_task
def sweep_material_files() -> int:
    """Periodic (daily): delete stored uploads no material refers to any more."""
    from services import materials

    return materials.delete_unreferenced_files()


@shared_task
def send_early_warnings() -> int:
    """Periodic (daily): tell each department administrator of clear rises (services.warnings)."""
    from django.utils import timezone

    from services import warnings

    return warnings.send_daily(timezone.localdate())


@shared_task
def refresh_statistics() -> int:
    """Periodic (nightly): recount the cached case figures per day of the past year."""
    from services import statistics

    return statistics.refresh_case_days()
