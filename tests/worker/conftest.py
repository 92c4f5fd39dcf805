"""A real Celery worker, on the real broker, against the test database pytest-django made.

The tests here need ``CELERY_BROKER_URL`` (Redis). In the embedded ``make test`` run it is
unset, Celery runs tasks eagerly and these tests are skipped with that reason.

Isolation between pytest-xdist workers: each test process (gw0, gw1, …) moves its broker to
its own Redis database number, both for the Celery app in this process (which publishes) and
for the ``celery worker`` it starts. On Redis, kombu keeps queues and the fanout/pidbox
channels per database, so two test processes each running a Celery worker on the same queue
names never take each other's tasks (a worker for test_test_gw0 would otherwise pick up an id
that only exists in test_test_gw1 and drop it). This works whatever ``--dist`` mode is used;
one ``xdist_group`` plus ``--dist loadgroup`` would also work, but only if every caller
remembered the option. The numbers are counted down from 15, skipping the database of the
configured broker and those of ``REDIS_URL`` and the Django caches (``cache.clear()``, run
before every test, flushes a Redis cache's whole database); ``WORKER_TEST_REDIS_DATABASES``
(e.g. ``3`` or ``3,4``) names them instead, where several people share one Redis.

Leftover messages from an earlier run are purged from those queues before the worker starts.
Tests that use the worker must be ``django_db(transaction=True)``: it is another process and
only sees committed rows.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

from tests.polling import wait_for

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
QUEUES = "default,routing,notify,certificates,pdf"
READY_TIMEOUT = 60.0
REDIS_DATABASES = 16  # Redis's default `databases`


def pytest_collection_modifyitems(config, items):
    """Skip (not fail) every test in this directory when there is no broker to talk to."""
    if os.environ.get("CELERY_BROKER_URL"):
        return
    skip = pytest.mark.skip(
        reason="needs a real broker: CELERY_BROKER_URL is not set (the "
        "embedded run executes Celery tasks eagerly in-process)"
    )
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(skip)


def _redis_db(url: str) -> int:
    path = urlsplit(url).path.strip("/")
    return int(path) if path.isdigit() else 0


def broker_url_for_this_process(base_url: str) -> str:
    """The broker URL with a Redis database number of this xdist worker's own."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("redis", "rediss"):
        pytest.skip(
            f"the worker tests isolate xdist workers by Redis database number; "
            f"broker scheme {parts.scheme!r} is not supported"
        )
    from django.conf import settings

    # Not the configured broker's database, nor any cache's (cache.clear() flushes those).
    locations = [os.environ.get("REDIS_URL", "")]
    for cache in settings.CACHES.values():
        location = cache.get("LOCATION", "")
        locations.extend([location] if isinstance(location, str) else location)
    reserved = {_redis_db(base_url)}
    reserved.update(
        _redis_db(url) for url in locations if url.startswith(("redis://", "rediss://"))
    )
    free = [n for n in range(REDIS_DATABASES - 1, -1, -1) if n not in reserved]
    # On a machine shared by several people, each names the databases that are his.
    if os.environ.get("WORKER_TEST_REDIS_DATABASES"):
        free = [int(n) for n in os.environ["WORKER_TEST_REDIS_DATABASES"].split(",")]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    return urlunsplit(parts._replace(path=f"/{free[index % len(free)]}"))


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL (as django-environ reads it) for the connection's current database."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(settings_dict['NAME'], safe='')}"


def _reset_publisher_connections(app) -> None:
    """Make the app open new broker connections (from the current CELERY_BROKER_URL).

    Celery reads ``CELERY_BROKER_URL`` from the environment before its own settings, and
    caches a connection pool and a producer pool; kombu shares pools per broker address.
    """
    from kombu import pools

    pools.reset()  # closes and forgets every pool in this process
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture(scope="module")
def celery_broker_url() -> Iterator[str]:
    """Point this process's Celery app at this xdist worker's broker database; purge it."""
    from portal.celery import app

    assert not app.conf.task_always_eager, (
        "CELERY_BROKER_URL is set but tasks are eager: the test settings must leave "
        "CELERY_TASK_ALWAYS_EAGER off so tasks are published to the broker"
    )
    previous = os.environ["CELERY_BROKER_URL"]
    url = broker_url_for_this_process(previous)
    os.environ["CELERY_BROKER_URL"] = url
    _reset_publisher_connections(app)
    assert app.connection_for_write().as_uri().endswith(urlsplit(url).path)
    app.control.purge()  # a previous run's tasks must not reach this run's worker
    try:
        yield url
    finally:
        os.environ["CELERY_BROKER_URL"] = previous
        _reset_publisher_connections(app)


@dataclass
class CeleryWorker:
    process: subprocess.Popen
    log_path: Path
    nodename: str
    broker_url: str
    database_url: str
    _offset: int = field(default=0)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def task_result(self, task_id: str) -> str | None:
        """The logged return value of a finished task, or None while it has not finished."""
        match = re.search(
            rf"Task [\w.]+\[{re.escape(task_id)}\] succeeded in [\d.e-]+s: (.*)", self.log()
        )
        if match:
            return match.group(1).strip()
        failed = re.search(rf"Task [\w.]+\[{re.escape(task_id)}\] (raised|retry).*", self.log())
        if failed:
            raise AssertionError(f"task {task_id} did not succeed: {failed.group(0)}")
        return None

    def wait_for_task(self, task_id: str, timeout: float = 20.0) -> str:
        self.assert_alive()
        return wait_for(
            lambda: self.task_result(task_id),
            timeout=timeout,
            what=f"the worker to finish task {task_id}",
        )

    def results_of(self, messages: list, timeout: float = 300.0) -> list[str]:
        """The logged results of these tasks, once every one has finished (waited for
        together: on a busy machine each one's turn may come late)."""

        def finished() -> list[str] | None:
            self.assert_alive()
            results = [self.task_result(m.task_id) for m in messages]
            return None if None in results else [str(r) for r in results]

        return wait_for(finished, timeout=timeout, what=f"{len(messages)} tasks to finish")

    def assert_alive(self) -> None:
        if self.process.poll() is not None:
            raise AssertionError(
                f"the Celery worker exited with {self.process.returncode}:\n{self.log()[-4000:]}"
            )


def _celery_command() -> list[str]:
    script = Path(sys.executable).with_name("celery")  # .venv/bin/celery
    return [str(script)] if script.exists() else [sys.executable, "-m", "celery"]


def start_worker(
    *,
    broker_url: str,
    db_url: str,
    log_path: Path,
    nodename: str,
    pool: str = "solo",
    concurrency: int = 1,
    conn_max_age: int = 0,
) -> CeleryWorker:
    """``celery -A portal worker`` on every queue, started and ready (or AssertionError)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": db_url,
        "CELERY_BROKER_URL": broker_url,
        # 0: close the connection after each task, as the test run drops its database at the
        # end; a worker stopped within its test may keep it (closed when the worker exits).
        "CONN_MAX_AGE": str(conn_max_age),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    command = [
        *_celery_command(),
        "-A",
        "portal",
        "worker",
        "-Q",
        QUEUES,
        f"--pool={pool}",
        f"--concurrency={concurrency}",
        "-l",
        "info",
        "-n",
        nodename,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    worker = CeleryWorker(process, log_path, nodename, broker_url, db_url)

    def ready() -> bool:
        worker.assert_alive()
        return f"{nodename} ready." in worker.log()

    try:
        wait_for(ready, timeout=READY_TIMEOUT, what=f"the Celery worker {nodename} to be ready")
    except BaseException:
        stop_worker(worker)
        raise
    return worker


def stop_worker(worker: CeleryWorker) -> None:
    """Warm shutdown (finish the task in hand), or a kill after 15 s; no-op if it exited."""
    process = worker.process
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _test_database_url(django_db_blocker) -> str:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip(
            "the Celery worker is another process: it needs a server database "
            "(set DATABASE_URL), not the test run's in-memory SQLite"
        )
    with django_db_blocker.unblock():
        return database_url(connection.settings_dict)


@pytest.fixture(scope="module")
def celery_worker(
    celery_broker_url, django_db_setup, django_db_blocker, tmp_path_factory
) -> Iterator[CeleryWorker]:
    """``celery -A portal worker`` on every queue, on this process's test database."""
    db_url = _test_database_url(django_db_blocker)
    worker_id = os.environ.get("PYTEST_XDIST_WORKER", "main")
    worker = start_worker(
        broker_url=celery_broker_url,
        db_url=db_url,
        log_path=tmp_path_factory.mktemp("celery") / "worker.log",
        nodename=f"pytest-{worker_id}-{os.getpid()}@localhost",
    )
    try:
        yield worker
    finally:
        stop_worker(worker)


@pytest.fixture
def celery_workers(
    celery_broker_url, django_db_setup, django_db_blocker, tmp_path
) -> Iterator[Callable[..., CeleryWorker]]:
    """Start workers of this test's own (``start(pool=..., concurrency=...)``), e.g. to kill
    one with SIGKILL and start another; every one still running is stopped after the test.
    Do not use with ``celery_worker`` in one module: both would take the same queues."""
    db_url = _test_database_url(django_db_blocker)
    worker_id = os.environ.get("PYTEST_XDIST_WORKER", "main")
    started: list[CeleryWorker] = []

    def start(*, pool: str = "solo", concurrency: int = 1) -> CeleryWorker:
        n = len(started) + 1
        worker = start_worker(
            broker_url=celery_broker_url,
            db_url=db_url,
            log_path=tmp_path / f"worker-{n}.log",
            nodename=f"pytest-{worker_id}-{os.getpid()}-{n}@localhost",
            pool=pool,
            concurrency=concurrency,
            conn_max_age=600,
        )
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            stop_worker(worker)


@contextmanager
def broker_unreachable() -> Iterator[None]:
    """This process publishes to a closed port (9, discard) while the shared Redis keeps
    serving everyone else, as when the web side loses its broker."""
    from portal.celery import app

    previous = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = "redis://127.0.0.1:9/0"
    _reset_publisher_connections(app)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = previous
        _reset_publisher_connections(app)


def restore_unacknowledged(broker_url: str) -> None:
    """Put back every delivered but unacknowledged message, as Redis does for a dead worker's
    messages once ``visibility_timeout`` (2 h here) has passed."""
    from kombu import Connection

    with Connection(broker_url, transport_options={"visibility_timeout": 0}) as connection:
        connection.default_channel.qos.restore_visible(num=None, interval=1)


@dataclass
class PublishedTask:
    name: str
    task_id: str
    routing_key: str
    args: list
    kwargs: dict
    headers: dict
    body: object


@pytest.fixture
def published_tasks() -> Iterator[list[PublishedTask]]:
    """Every task message this process publishes during the test, as sent to the broker."""
    from celery.signals import before_task_publish

    messages: list[PublishedTask] = []

    def record(sender=None, body=None, routing_key=None, headers=None, **kwargs):
        args, task_kwargs, _embed = body  # task message protocol 2
        messages.append(
            PublishedTask(
                sender,
                headers["id"],
                routing_key,
                list(args),
                dict(task_kwargs),
                dict(headers),
                body,
            )
        )

    before_task_publish.connect(record, weak=False)
    yield messages
    before_task_publish.disconnect(record)
