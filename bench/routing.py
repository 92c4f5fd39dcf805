"""Routing throughput of one real ``celery worker`` on PostgreSQL (issue 8: at least 500
accepted cases routed per second), and the worker's memory.

``python -m bench.routing`` makes accepted cases of the bench service (bench/applications.py)
and has a worker (``--pool``, ``--concurrency``) route them, three ways:

* ``backlog``: one task per case, every one published before the worker takes the first: the
  most messages the worker can be given (acceptance publishes fewer: only while no routing
  task is waiting). ``routed_per_s`` counts the cases routed after the first batch committed
  (its cases started the clock), until the last one was (the database's ``routed_at``);
  ``drained_per_s`` counts tasks from the first case's routing until the queue is empty (the
  tasks of cases an earlier batch routed do nothing, but each is still a message the worker
  takes): the worker's rate of messages.
* ``burst``: ``--cases`` accepted at once (inserted ``--chunk`` to a statement), then what the
  commit of each acceptance does (``services.tasks.enqueue_after_move``: a routing task only
  while none is waiting, and the applicant's notification), as after a rush at the counters or
  a worker's restart: the worker's own rate, with every case waiting. ``routed_per_s`` counts
  from the first acceptance's commit to the last case's routing (timestamps of one clock).
* ``steady``: cases accepted at ``--rate`` a second for ``--seconds`` by ``--producers``
  processes, each case followed by what the commit of an acceptance does, as a busy day's
  counters would (one process alone cannot offer 500 a second on a busy two-core machine:
  each acceptance's two publishes cost it about 0.7 CPU-ms); the worker keeps up if the
  queue stays short and every case is routed soon after its acceptance (``lag_ms``, from each
  case's acceptance to its routing); ``routing_tasks`` says how many routing tasks were
  published.

Several runs of each (``--runs``), each with the machine's load average (``uptime``): the
machine may be shared. The worker's resident memory (RSS, and PSS, which counts pages the pool
processes share with their parent once) idle and at its peak. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/11"
QUEUE = "routing"
LOG_PATH = Path(__file__).resolve().parent / "results" / "routing-worker.log"


def _accepted_cases(count: int) -> list[int]:
    """``count`` cases as acceptance leaves them for routing, in one insert."""
    from django.utils import timezone

    from bench.accounts import BENCH_EMAIL
    from bench.applications import ANSWERS, BENCH_SERVICE_CODE
    from portal.models import User
    from services.models import Application, ReviewStep, Service
    from services.models.applications import ApplicationStatus

    service = Service.objects.get(code=BENCH_SERVICE_CODE)
    step = ReviewStep.objects.get(service=service, order=1)
    applicant = User.objects.get(email=BENCH_EMAIL)
    hall = service.halls.first()
    now = timezone.now()
    rows = Application.objects.bulk_create(
        Application(
            service=service,
            applicant=applicant,
            hall=hall,
            status=ApplicationStatus.IN_REVIEW,
            answers=ANSWERS,
            submitted_at=now,
            accepted_at=now,
            review_step=step,
            step_started_at=now,
        )
        for _ in range(count)
    )
    return [row.pk for row in rows]


def _routed(cases: list[int]) -> int:
    from services.models import Application

    return Application.objects.filter(pk__in=cases, routed_at__isnull=False).count()


def _lag_ms(cases: list[int]) -> dict[str, float]:
    """From each case's acceptance to its routing (one clock: this machine's), median and
    worst."""
    from services.models import Application

    rows = Application.objects.filter(pk__in=cases).values_list("accepted_at", "routed_at")
    lags = sorted(
        (routed - accepted).total_seconds() * 1000
        for accepted, routed in rows
        if accepted is not None and routed is not None
    )
    return {"p50": round(lags[len(lags) // 2], 1), "max": round(lags[-1], 1)}


def _rate_after_first_batch(cases: list[int]) -> float:
    """Cases routed a second after the first batch committed: a batch's cases share one
    ``routed_at``, so its cases started the clock and are not counted."""
    from services.models import Application

    routed = Application.objects.filter(pk__in=cases, routed_at__isnull=False)
    times = sorted(t for t in routed.values_list("routed_at", flat=True) if t is not None)
    later = [t for t in times if t > times[0]]
    return round(len(later) / (times[-1] - times[0]).total_seconds(), 1) if later else 0.0


def _last_routed(cases: list[int]) -> float:
    """When the last of the cases was routed (seconds since the epoch)."""
    from datetime import datetime

    from django.db.models import Max

    from services.models import Application

    last = Application.objects.filter(pk__in=cases).aggregate(last=Max("routed_at"))["last"]
    assert isinstance(last, datetime)
    return last.timestamp()


def _counting_routing_tasks() -> list[str]:
    """A list that grows by one for each routing task this process publishes."""
    from celery.signals import before_task_publish

    from services import tasks

    published: list[str] = []

    def count(sender: str | None = None, **kwargs: Any) -> None:
        if sender == tasks.route_application.name:
            published.append(sender or "")

    before_task_publish.connect(count, weak=False)
    return published


def _close_open_cases() -> None:
    """Earlier runs' cases leave the reviewers' queues, so every run starts from the same loads
    (routing counts each reviewer's open cases)."""
    from bench.applications import BENCH_SERVICE_CODE
    from services.models import Application
    from services.models.applications import ApplicationStatus

    Application.objects.filter(
        service__code=BENCH_SERVICE_CODE, status=ApplicationStatus.IN_REVIEW
    ).update(status=ApplicationStatus.DENIED, routed_at=None)


def _tree_memory_kib(pid: int) -> dict[str, int]:
    """Resident memory (RSS) of a process and its children (the pool processes), and their
    proportional total (PSS), in KiB."""

    def field(path: Path, name: str) -> int:
        for line in path.read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1])
        return 0

    children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    sizes = {"main": field(Path(f"/proc/{pid}/status"), "VmRSS:")}
    sizes.update({f"child-{c}": field(Path(f"/proc/{c}/status"), "VmRSS:") for c in children})
    sizes["total"] = sum(sizes.values())
    sizes["total_pss"] = sum(
        field(Path(f"/proc/{p}/smaps_rollup"), "Pss:") for p in [pid, *children]
    )
    return sizes


class Worker:
    """``celery -A portal worker -Q routing``, started and ready; stopped on exit."""

    def __init__(
        self, *, pool: str, concurrency: int, prefetch: int, broker_url: str, env: dict[str, str]
    ):
        command = [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "portal",
            "worker",
            "-Q",
            QUEUE,
            f"--pool={pool}",
            f"--concurrency={concurrency}",
            f"--prefetch-multiplier={prefetch}",
            "-l",
            "info",
            "-n",
            f"bench-routing-{os.getpid()}@localhost",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        worker_env = {**env, "CELERY_BROKER_URL": broker_url, "PYTHONUNBUFFERED": "1"}
        LOG_PATH.parent.mkdir(exist_ok=True)
        with LOG_PATH.open("wb") as log_file:
            self.process = subprocess.Popen(  # noqa: S603
                command, env=worker_env, stdout=log_file, stderr=subprocess.STDOUT
            )

    def __enter__(self) -> Worker:
        deadline = time.monotonic() + 120
        while b" ready." not in LOG_PATH.read_bytes():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"the worker did not start; see {LOG_PATH}")
            time.sleep(0.1)
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def memory(self) -> dict[str, int]:
        return _tree_memory_kib(self.process.pid)


class Broker:
    """Publishes routing tasks as acceptance does, and tells how many are still queued."""

    def __init__(self, url: str):
        import redis
        from celery import Celery

        self.app = Celery("portal", broker=url)
        self.app.conf.task_routes = {"services.tasks.route_*": {"queue": QUEUE}}
        self.redis = redis.Redis.from_url(url)

    def purge(self) -> None:
        """Empty the bench broker: earlier runs' tasks, the notifications nothing here
        consumes, and a routing marker left behind (acceptances would publish no task while it
        lasts)."""
        from services import tasks

        self.app.control.purge()
        self.redis.delete(QUEUE, "notify", "unacked", "unacked_index", tasks.ROUTING_WAITING)

    def publish(self, cases: list[int]) -> None:
        """One task per case, whether or not one is waiting (as if every acceptance's marker
        had expired): the most messages the worker can be given."""
        from services import tasks

        with self.app.producer_or_acquire() as producer:
            for pk in cases:
                self.app.send_task(
                    tasks.route_application.name, args=(pk,), queue=QUEUE, producer=producer
                )

    def accepted(self, cases: list[int]) -> None:
        """What the commit of each case's acceptance does (services.tasks.enqueue_after_move)."""
        from services import tasks

        for pk in cases:
            tasks.enqueue_after_move(pk, "accept")

    def queued(self) -> int:
        """Tasks not yet finished: waiting in the queue, or delivered and not acknowledged."""
        return int(self.redis.llen(QUEUE)) + int(self.redis.hlen("unacked"))


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def backlog(worker: Worker, broker: Broker, *, cases: int) -> dict[str, Any]:
    from bench import procstat

    ids = _accepted_cases(cases)
    load_before = _load()
    broker.publish(ids)
    deadline = time.monotonic() + 600
    while _routed(ids[:1]) == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    started = time.monotonic()
    cpu_before, busy_before = procstat.tree_cpu_ms(worker.process.pid), procstat.machine_busy_ms()
    peak: dict[str, int] = {}
    routed_at = drained_at = None
    while time.monotonic() < deadline and (routed_at is None or drained_at is None):
        if routed_at is None and _routed(ids) == len(ids):
            routed_at = time.monotonic()
        if drained_at is None and broker.queued() == 0:
            drained_at = time.monotonic()
        sizes = worker.memory()
        peak = sizes if sizes["total"] > peak.get("total", 0) else peak
        time.sleep(0.02)
    if routed_at is None or drained_at is None:
        raise RuntimeError(f"routing did not finish in time; see {LOG_PATH}")
    done = time.monotonic()
    worker_cpu = procstat.tree_cpu_ms(worker.process.pid) - cpu_before
    machine_cpu = procstat.machine_busy_ms() - busy_before
    # The first case's routing started the clock: it is not counted.
    return {
        "cases": len(ids),
        "routed_per_s": _rate_after_first_batch(ids),
        "drained_per_s": round((len(ids) - 1) / (drained_at - started), 1),
        "seconds_to_route": round(routed_at - started, 2),
        "seconds_to_drain": round(drained_at - started, 2),
        "worker_cpu_ms_per_case": round(worker_cpu / (len(ids) - 1), 3),
        # Everything on the machine (PostgreSQL, Redis, this process, and anyone else).
        "machine_cpu_ms_per_case": round(machine_cpu / (len(ids) - 1), 3),
        "rss_kib_peak": peak,
        "load_before": load_before,
        "load_after": _load(),
        "elapsed": round(done - started, 2),
    }


def burst(worker: Worker, broker: Broker, *, cases: int, chunk: int) -> dict[str, Any]:
    """Accept ``cases`` at once, ``chunk`` to an insert, then publish as their commits do."""
    from bench import procstat

    ids: list[int] = []
    while len(ids) < cases:
        ids += _accepted_cases(min(chunk, cases - len(ids)))
    tasks_published = _counting_routing_tasks()
    load_before = _load()
    cpu_before, busy_before = procstat.tree_cpu_ms(worker.process.pid), procstat.machine_busy_ms()
    started, first_commit = time.monotonic(), time.time()
    broker.accepted(ids)
    publishing = time.monotonic() - started
    peak = worker.memory()
    deadline = time.monotonic() + 600
    while (_routed(ids) < len(ids) or broker.queued()) and time.monotonic() < deadline:
        sizes = worker.memory()
        peak = sizes if sizes["total"] > peak["total"] else peak
        time.sleep(0.05)
    worker_cpu = procstat.tree_cpu_ms(worker.process.pid) - cpu_before
    machine_cpu = procstat.machine_busy_ms() - busy_before
    if _routed(ids) < len(ids):
        raise RuntimeError(f"routing did not finish in time; see {LOG_PATH}")
    seconds = _last_routed(ids) - first_commit
    return {
        "cases": len(ids),
        "routed_per_s": round(len(ids) / seconds, 1),
        "seconds_to_route": round(seconds, 2),
        "seconds_publishing": round(publishing, 2),
        "routing_tasks": len(tasks_published),
        "worker_cpu_ms_per_case": round(worker_cpu / len(ids), 3),
        "machine_cpu_ms_per_case": round(machine_cpu / len(ids), 3),
        "rss_kib_peak": peak,
        "load_before": load_before,
        "load_after": _load(),
    }


TICK = 0.05  # seconds


def _produce(per_tick: int, seconds: float, ready: Any, results: Any) -> None:
    """One producer process of ``steady``: accepts ``per_tick`` cases every ``TICK`` for
    ``seconds``, each followed by what its acceptance's commit does; puts its cases, the
    routing tasks it published and how long it took."""
    from bench import database

    database.setup_django()
    broker = Broker(os.environ["CELERY_BROKER_URL"])
    tasks_published = _counting_routing_tasks()
    tick = TICK
    ready.wait()
    started = next_tick = time.monotonic()
    ids: list[int] = []
    while next_tick - started < seconds:
        ids += _accepted_cases(per_tick)
        broker.accepted(ids[-per_tick:])
        next_tick += tick
        time.sleep(max(0.0, next_tick - time.monotonic()))
    results.put((ids, len(tasks_published), time.monotonic() - started))


def steady(
    worker: Worker, broker: Broker, *, rate: int, seconds: float, producers: int
) -> dict[str, Any]:
    """Accept and publish ``rate`` cases a second for ``seconds``, from ``producers``
    processes (as several web processes accept at once)."""
    import multiprocessing

    from bench import procstat

    spawn = multiprocessing.get_context("spawn")
    ready, results = spawn.Barrier(producers + 1), spawn.Queue()
    # The cases of a tick shared among the producers (25 a tick: 13 and 12).
    per_tick = max(producers, round(rate * TICK))
    shares = [per_tick // producers + (n < per_tick % producers) for n in range(producers)]
    processes = [
        spawn.Process(target=_produce, args=(share, seconds, ready, results)) for share in shares
    ]
    for process in processes:
        process.start()
    ready.wait(timeout=120)
    load_before = _load()
    cpu_before, busy_before = procstat.tree_cpu_ms(worker.process.pid), procstat.machine_busy_ms()
    started = time.monotonic()
    most_queued, peak = 0, worker.memory()
    done: list[tuple[list[int], int, float]] = []
    while len(done) < producers:
        most_queued = max(most_queued, broker.queued())
        sizes = worker.memory()
        peak = sizes if sizes["total"] > peak["total"] else peak
        while not results.empty():
            done.append(results.get())
        time.sleep(0.2)
    for process in processes:
        process.join(timeout=30)
    all_ids = [pk for ids, _, _ in done for pk in ids]
    publishing = max(took for _, _, took in done)
    deadline = time.monotonic() + 600
    while (_routed(all_ids) < len(all_ids) or broker.queued()) and time.monotonic() < deadline:
        time.sleep(0.02)
    finished = time.monotonic()
    worker_cpu = procstat.tree_cpu_ms(worker.process.pid) - cpu_before
    machine_cpu = procstat.machine_busy_ms() - busy_before
    return {
        "cases": len(all_ids),
        "producers": producers,
        "offered_per_s": round(len(all_ids) / publishing, 1),
        "routing_tasks": sum(count for _, count, _ in done),
        "routed_per_s": round(len(all_ids) / (finished - started), 1),
        "seconds_after_last_publish": round(finished - started - publishing, 2),
        "most_queued": most_queued,
        "lag_ms": _lag_ms(all_ids),
        "worker_cpu_ms_per_case": round(worker_cpu / len(all_ids), 3),
        "machine_cpu_ms_per_case": round(machine_cpu / len(all_ids), 3),
        "rss_kib_peak": peak,
        "load_before": load_before,
        "load_after": _load(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.routing")
    parser.add_argument("--cases", type=int, default=3000, help="backlog and burst size")
    parser.add_argument("--chunk", type=int, default=250, help="burst: cases an insert")
    parser.add_argument("--rate", type=int, default=500, help="steady: cases a second")
    parser.add_argument("--seconds", type=float, default=8.0, help="steady: how long")
    parser.add_argument(
        "--producers", type=int, default=2, help="steady: processes accepting cases"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["backlog", "burst", "steady"])
    parser.add_argument("--concurrency", type=int, default=2, help="worker pool processes")
    parser.add_argument("--pool", default="prefork", choices=["prefork", "solo", "threads"])
    parser.add_argument(
        "--prefetch", type=int, default=1, help="the worker's --prefetch-multiplier"
    )
    parser.add_argument("--broker", default=os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER_URL))
    args = parser.parse_args(argv)

    from bench import accounts, database
    from bench.applications import ensure_bench_service
    from bench.runner import bench_environment

    env, _cache = bench_environment()
    # This process publishes as the web side does (services.tasks), to the bench broker.
    env["CELERY_BROKER_URL"] = args.broker
    os.environ.update(env)
    database.ensure_database(env["DATABASE_URL"])
    database.manage(["migrate", "--noinput"], env)
    database.setup_django()
    accounts.ensure_bench_citizen()
    ensure_bench_service()
    broker = Broker(args.broker)
    broker.purge()
    result: dict[str, Any] = {
        "pool": args.pool,
        "concurrency": args.concurrency,
        "prefetch_multiplier": args.prefetch,
        "machine_cores": os.cpu_count(),
        "runs": [],
    }
    with Worker(
        pool=args.pool,
        concurrency=args.concurrency,
        prefetch=args.prefetch,
        broker_url=args.broker,
        env=env,
    ) as worker:
        result["rss_kib_idle"] = worker.memory()
        for _ in range(args.runs):
            if args.only in (None, "backlog"):
                broker.purge()
                _close_open_cases()
                result["runs"].append({"backlog": backlog(worker, broker, cases=args.cases)})
            if args.only in (None, "burst"):
                broker.purge()
                _close_open_cases()
                run = burst(worker, broker, cases=args.cases, chunk=args.chunk)
                result["runs"].append({"burst": run})
            if args.only in (None, "steady"):
                broker.purge()
                _close_open_cases()
                run = steady(
                    worker,
                    broker,
                    rate=args.rate,
                    seconds=args.seconds,
                    producers=args.producers,
                )
                result["runs"].append({"steady": run})
        result["rss_kib_after"] = worker.memory()
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
