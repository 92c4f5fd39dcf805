"""前台综合受理、后台分类审批: who reviews a case next. The queue of a review step is its
department and the service's category; the reviewer is the one of that queue's active
reviewers with the fewest open cases, or nobody (the department administrator then sees the
case as unassigned)."""

from __future__ import annotations

import datetime as dt
import zlib
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import Conflict, Invalid, NotAllowed
from portal.models import StaffAssignment, StaffRole, User
from services import permissions, workflow
from services.models.applications import Application, ApplicationEvent, ApplicationStatus

OPEN_REVIEW = (ApplicationStatus.IN_REVIEW, ApplicationStatus.REVIEW_SUPPLEMENT)


def _open_cases(user: str = "pk") -> Subquery:
    """How many open cases the user of the outer row has: an index range of his open ones
    (application_queue), however many closed cases he has handled before."""
    mine = Application.objects.filter(assigned_to=OuterRef(user), status__in=OPEN_REVIEW)
    return Subquery(
        mine.order_by().values("assigned_to").annotate(n=Count("pk")).values("n"),
        output_field=IntegerField(),
    )


def queue_reviewers(department_id: int, category_id: int, role: str) -> list[User]:
    """The active staff of one queue, fewest open cases first (ties by id, for stable tests)."""
    assignments = StaffAssignment.objects.filter(
        department_id=department_id, role=role, user__is_active=True
    )
    if role == StaffRole.REVIEWER:
        assignments = assignments.filter(categories__id=category_id)
    user_ids = assignments.values("user_id")
    return list(
        User.objects.filter(pk__in=user_ids)
        .annotate(open_cases=Coalesce(_open_cases(), 0))
        .order_by("open_cases", "pk")
    )


# How many cases one routing transaction takes: large enough that a backlog (after an outage)
# costs a few queries per hundred cases, small enough that its row locks are held briefly.
BATCH = 200
# The first key of the transaction-level advisory locks that serialise assignment per queue.
_QUEUE_LOCKS = 0x524F5554  # "ROUT"

Queue = tuple[int, int, str]  # department, category, role


@dataclass(frozen=True)
class _Pending:
    """An unrouted case as routing needs it: its queue and its step."""

    pk: int
    step_name: str | None
    department_id: int | None
    category_id: int | None
    role: str | None

    @property
    def queue(self) -> Queue | None:
        if self.department_id is None or self.category_id is None or self.role is None:
            return None
        return (self.department_id, self.category_id, self.role)


_PENDING_FIELDS = (
    "pk",
    "review_step__name",
    "review_step__department_id",
    "service__category_id",
    "review_step__role",
)


def _unrouted() -> QuerySet[Application]:
    return Application.objects.filter(status=ApplicationStatus.IN_REVIEW, routed_at__isnull=True)


def _is_unrouted(application_id: int) -> bool:
    """``_unrouted().filter(pk=...).exists()`` without building the query each time: every
    routing message asks it, and in a storm of messages most find their case routed."""
    table = Application._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE id = %s AND status = %s AND routed_at IS NULL",  # noqa: S608
            [application_id, ApplicationStatus.IN_REVIEW.value],
        )
        return cursor.fetchone() is not None


def _locked(queryset: QuerySet[Application], *, skip_locked: bool) -> list[_Pending]:
    rows = queryset.select_for_update(of=("self",), skip_locked=skip_locked).values_list(
        *_PENDING_FIELDS
    )
    return [_Pending(*row) for row in rows]


def route(application_id: int, *, limit: int = 1) -> int:
    """Route the case and, in the same transaction, up to ``limit - 1`` other unrouted cases
    (their own tasks then find nothing to do). Returns how many were routed: 0 when the case
    needs nothing (already routed, no longer in review, gone), so a redelivered task changes
    nothing."""
    # Without a lock first: most tasks of a backlog find their case routed by an earlier batch.
    if not _is_unrouted(application_id):
        return 0
    with transaction.atomic():
        # Waits for the case's own lock (a move in progress); the others are only the ones free
        # now, so two batches never wait for each other's rows.
        batch = _locked(_unrouted().filter(pk=application_id), skip_locked=False)
        if batch and limit > 1:
            others = _unrouted().exclude(pk=application_id).order_by("step_started_at", "pk")
            batch += _locked(others[: limit - 1], skip_locked=True)
        return _assign(batch)


def route_waiting(application_id: int) -> int:
    """Route the case and every other case waiting to be routed, ``BATCH`` to a transaction.
    Returns how many."""
    routed = route(application_id, limit=BATCH)
    if 0 < routed < BATCH:
        # The batch took every case free to take: the others are in another batch's hands.
        return routed
    return routed + route_unrouted(dt.timedelta(0))


def route_found(application_id: int) -> int:
    """Route the case with up to ``BATCH - 1`` others; if that batch was full, every case
    waiting, as ``route_waiting``. A case already routed costs one query and nothing more."""
    routed = route(application_id, limit=BATCH)
    if routed < BATCH:
        return routed
    return routed + route_unrouted(dt.timedelta(0))


def route_unrouted(older_than: dt.timedelta, *, limit: int = BATCH) -> int:
    """Cases in review that no routing task has handled in time (the broker was down, a worker
    died): route them, ``limit`` to a transaction. Returns how many."""
    cutoff = timezone.now() - older_than
    late = _unrouted().filter(step_started_at__lt=cutoff).order_by("step_started_at", "pk")
    total = 0
    while True:
        with transaction.atomic():
            routed = _assign(_locked(late[:limit], skip_locked=True))
        total += routed
        if routed < limit:
            return total


def _assign(batch: list[_Pending]) -> int:
    """Give each locked case of the batch the least busy reviewer of its queue, counting the
    cases given earlier in the batch. Four statements whatever the batch: the queues' lock,
    their members with their open cases, one update, one insert of the events."""
    if not batch:
        return 0
    queues = sorted({case.queue for case in batch if case.queue is not None})
    hold_queues(queues)
    members, loads = _queue_members(queues)
    given: dict[int, int | None] = {}
    for case in batch:
        candidates = members.get(case.queue, ()) if case.queue is not None else ()
        # Fewest open cases first, ties by id (as queue_reviewers orders them).
        reviewer = min(candidates, key=lambda pk: (loads[pk], pk), default=None)
        if reviewer is not None:
            loads[reviewer] += 1
        given[case.pk] = reviewer
    by_reviewer: dict[int | None, list[int]] = defaultdict(list)
    for pk, reviewer in given.items():
        by_reviewer[reviewer].append(pk)
    assigned = Case(
        *(When(pk__in=pks, then=Value(r)) for r, pks in by_reviewer.items() if r is not None),
        default=Value(None),
        output_field=BigIntegerField(),
    )
    Application.objects.filter(pk__in=list(given)).update(
        assigned_to_id=assigned, routed_at=timezone.now()
    )
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(
            application_id=case.pk,
            action="route",
            from_status=ApplicationStatus.IN_REVIEW,
            to_status=ApplicationStatus.IN_REVIEW,
            detail={
                "step": case.step_name or "",
                "department_id": case.department_id,
                "assigned_to": given[case.pk],
            },
        )
        for case in batch
    )
    return len(batch)


def _queue_members(queues: list[Queue]) -> tuple[dict[Queue, list[int]], dict[int, int]]:
    """The active staff of each queue, and each one's open cases (one count however many
    queues he is in): one query for every queue of the batch."""
    if not queues:
        return {}, {}
    wanted = Q()
    for department_id, category_id, role in queues:
        staff = Q(department_id=department_id, role=role)
        if role == StaffRole.REVIEWER:
            staff &= Q(categories__id=category_id)
        wanted |= staff
    rows = (
        StaffAssignment.objects.filter(wanted, user__is_active=True)
        .annotate(open_cases=Coalesce(_open_cases("user_id"), 0))
        .values_list("user_id", "department_id", "role", "categories__id", "open_cases")
    )
    members: dict[Queue, set[int]] = defaultdict(set)
    loads: dict[int, int] = {}
    for user_id, department_id, role, category_id, open_cases in rows:
        loads[user_id] = open_cases
        for queue in queues:
            in_queue = queue[0] == department_id and queue[2] == role
            if in_queue and (role != StaffRole.REVIEWER or queue[1] == category_id):
                members[queue].add(user_id)
    return {queue: sorted(users) for queue, users in members.items()}, loads


def hold_queues(queues: list[Queue]) -> None:
    """Lock the queues (department, category, role) until the transaction ends: one queue's
    cases are assigned one transaction at a time, so that two batches routing at once each
    count the other's cases. Taken in a fixed order (sorted), so two batches never deadlock."""
    if connection.vendor != "postgresql" or not queues:
        return
    keys = sorted({_signed32(zlib.crc32(f"{d}:{c}:{r}".encode())) for d, c, r in queues})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(%s, k)) FROM unnest(%s::int[]) AS k",
            [_QUEUE_LOCKS, keys],
        )


def _signed32(value: int) -> int:
    return value - (1 << 32) if value >= 1 << 31 else value


@transaction.atomic
def claim(application: Application, *, by: User) -> Application:
    """A reviewer of the queue takes an unassigned case (or his department admin any case)."""
    locked = workflow.lock(application)
    if locked.status not in OPEN_REVIEW or locked.review_step is None or locked.service is None:
        raise workflow.illegal(locked.status, "claim")
    step = locked.review_step
    if not permissions.works_step(by, step.department_id, locked.service.category_id, step.role):
        raise NotAllowed(_("This case is not in your review queue."))
    if locked.assigned_to_id not in (None, by.pk) and not permissions.is_department_admin(
        by, step.department_id
    ):
        raise Conflict(_("Another reviewer has this case already."))
    locked.assigned_to, locked.routed_at = by, locked.routed_at or timezone.now()
    locked.save(update_fields=["assigned_to", "routed_at"])
    workflow.record(locked, "claim", by=by)
    return locked


@transaction.atomic
def release(application: Application, *, by: User) -> Application:
    """Give a case back to the queue (unassigned)."""
    locked = workflow.lock(application)
    if locked.status not in OPEN_REVIEW:
        raise workflow.illegal(locked.status, "release")
    step = locked.review_step
    allowed = locked.assigned_to_id == by.pk or (
        step is not None and permissions.is_department_admin(by, step.department_id)
    )
    if not allowed:
        raise NotAllowed(_("This case is not in your review queue."))
    locked.assigned_to = None
    locked.save(update_fields=["assigned_to"])
    workflow.record(locked, "release", by=by)
    return locked


@transaction.atomic
def reassign(application: Application, *, to: User, by: User) -> Application:
    """The department administrator gives a case to a reviewer of its queue."""
    locked = workflow.lock(application)
    if locked.status not in OPEN_REVIEW or locked.review_step is None or locked.service is None:
        raise workflow.illegal(locked.status, "reassign")
    step = locked.review_step
    if not permissions.is_department_admin(by, step.department_id):
        raise NotAllowed(_("This case is not in your review queue."))
    if not permissions.works_step(to, step.department_id, locked.service.category_id, step.role):
        raise Invalid(
            _("That person does not review this category in this department."),
            code="not_a_reviewer",
        )
    locked.assigned_to, locked.routed_at = to, locked.routed_at or timezone.now()
    locked.save(update_fields=["assigned_to", "routed_at"])
    workflow.record(locked, "reassign", by=by, assigned_to=to.pk)
    return locked
