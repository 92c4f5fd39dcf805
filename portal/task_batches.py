"""Follow-up work handed to Celery in batches: one task waiting in the queue handles every item
put before it starts. A request then pays one Redis round trip instead of a Celery publish
(~1–3 ms of CPU each on the bench machine: issue 8's submit, issue 12's book).

Items wait in a Redis list on the broker, beside a "waiting" marker that names the one drainer
task published for them. ``put`` pushes the item and sets the marker if none is set, in one
round trip; only the request that set it publishes the drainer. The drainer clears the marker
first, then pops items until the list is empty: an item pushed after the clear sets a new
marker and publishes a new drainer, so no item waits for a task nobody published.

The database stays the source of truth: an item lost with Redis, or popped by a drainer that
died, is made up for by the periodic sweeps (e.g. ``notify_untold``), and every handler is
idempotent. The marker expires, so a drainer lost with the broker does not stop later ones.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast
from uuid import uuid4

from redis import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

WAITING_FOR = 60  # seconds a marker outlives a drainer that never starts
TAKE = 500  # items popped a round trip

# Deletes the marker only if it names this task: a drainer delivered again, or published while
# the marker had expired, must not take the waiting drainer's marker away.
_CLEAR_IF_MINE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)


@dataclass(frozen=True)
class Batch:
    """A list of items and the marker of its waiting drainer, named after the drainer task."""

    name: str

    @property
    def items(self) -> str:
        return f"{self.name}:items"

    @property
    def waiting(self) -> str:
        return f"{self.name}:waiting"


def put(batch: Batch, drainer: Any, item: list[Any]) -> bool:
    """Queue ``item`` for ``drainer`` (a Celery task taking no arguments), publishing the
    drainer unless one is waiting. False if the broker is not Redis (the embedded default runs
    tasks eagerly): the caller publishes its own task. An unreachable broker is logged and the
    item left to the sweeps, as a lost task is."""
    client = _client(drainer.app)
    if client is None:
        return False
    token = str(uuid4())
    try:
        pipe = client.pipeline(transaction=False)
        pipe.rpush(batch.items, json.dumps(item))
        pipe.set(batch.waiting, token, nx=True, ex=WAITING_FOR)
        _length, first = pipe.execute()
    except RedisError:
        logger.warning("broker unreachable: %s%r left for the sweep", batch.name, item)
        return True
    if first:
        _publish(client, batch, drainer, token)
    return True


def _publish(client: Redis, batch: Batch, drainer: Any, token: str) -> None:
    from kombu.exceptions import OperationalError

    try:
        with drainer.app.producer_or_acquire() as producer:
            # One attempt: kombu would otherwise keep reconnecting on the person's request.
            producer.connection.ensure_connection(max_retries=0)
            drainer.apply_async(producer=producer, retry=False, task_id=token)
    except (OperationalError, ConnectionError, OSError, RedisError):
        logger.warning("broker unreachable: %s left for the sweep", batch.name)
        with contextlib.suppress(RedisError):  # else the marker expires
            client.eval(_CLEAR_IF_MINE, 1, batch.waiting, token)  # the next put publishes


def take(batch: Batch, drainer: Any, task_id: str | None) -> Iterator[list[Any]]:
    """The drainer's items, all that are waiting, oldest first; it waits no more."""
    client = _client(drainer.app)
    if client is None:
        return
    client.eval(_CLEAR_IF_MINE, 1, batch.waiting, task_id or "")
    while popped := client.lpop(batch.items, TAKE):
        for raw in cast(list[bytes], popped):
            yield json.loads(raw)


def _client(app: Any) -> Redis | None:
    url = app.conf.broker_url or ""  # Celery reads CELERY_BROKER_URL from the environment
    if app.conf.task_always_eager or not url.startswith(("redis://", "rediss://")):
        return None
    return _redis_for(url)


@functools.cache
def _redis_for(url: str) -> Redis:
    # Short timeouts: a person's request must not hang on a broker that does not answer.
    return Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
