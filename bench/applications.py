"""Application benchmarks (issue 8): submitting through the API, and routing by a real worker.

* ``SUBMIT_ENDPOINT`` (``python -m bench --only submit``): the signed-in bench citizen applies
  for the bench service through ``POST /api/v1/applications/``: a validated form of three
  answers, two materials given by e-certificates he holds (材料免提交, two consents recorded),
  a new ``Idempotency-Key`` on every request (bench/lua/submit.lua). Compared with the insert
  floor. ``ensure_bench_service()`` makes the service and the certificates, in-process.
* ``python -m bench.applications`` measures how many accepted cases one real ``celery worker``
  routes per second on PostgreSQL, and the worker's memory (RSS), and prints JSON.
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

from bench.certificates import (
    BENCH_HOLDER_ID,
    BENCH_ISSUER_CODE,
    BENCH_SERIAL,
    BENCH_TYPE_CODE,
    SURFACE,
    ensure_bench_certificate,
)
from bench.spec import Endpoint

BENCH_SERVICE_CODE = "BENCH-APPLY-0001"
SECOND_SERIAL = "BENCH0000002"
REQUIREMENTS = ("id-card", "household-register")
ANSWERS = {"applicant_name": "测试员", "phone": "13800009999", "purpose": "基准测试"}
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/11"
QUEUE = "routing"
REVIEWERS = 3
REVIEWER_EMAIL = "bench-reviewer-{}@bench.onewindow"


def identifier_for(serial: str) -> str:
    """A bench certificate's identifier, known before set-up (as bench_identifier())."""
    from stdnum.iso7064 import mod_37_36

    parts = [BENCH_TYPE_CODE, BENCH_ISSUER_CODE, serial, "001"]
    check = mod_37_36.calc_check_digit("".join(parts))
    return ".".join(["1.2.156.3005.2", *parts, check])


def _body() -> str:
    materials = [
        {"requirement": key, "certificate": identifier_for(serial)}
        for key, serial in zip(REQUIREMENTS, (BENCH_SERIAL, SECOND_SERIAL), strict=True)
    ]
    body = {"service": BENCH_SERVICE_CODE, "answers": ANSWERS, "materials": materials}
    # A str.format template (bench/endpoints.py): literal braces doubled.
    return json.dumps(body, ensure_ascii=False).replace("{", "{{").replace("}", "}}")


SUBMIT_ENDPOINT = Endpoint(
    "submit",
    "/api/v1/applications/",
    method="POST",
    body=_body(),
    headers={
        "Content-Type": "application/json",
        "Cookie": "csrftoken={csrf_cookie}",
        "X-CSRFToken": "{csrf_token}",
        # The preflight's key; wrk's script sends a new one with every request.
        "Idempotency-Key": "bench-preflight-{session_cookie}",
    },
    floor="insert",
    needs_login=True,
    expect_status=201,
    script="submit.lua",
)


def ensure_bench_service() -> int:
    """The bench service (online, a three-field form, two materials an e-certificate of the
    bench type replaces) and the bench citizen's second certificate. Returns the service id."""
    from bench.accounts import BENCH_EMAIL, ensure_bench_citizen
    from certificates import issuing
    from certificates.models import CertificateType
    from portal.models import (
        Department,
        PersonProfile,
        RealNameLevel,
        ServiceCategory,
        ServiceHall,
    )
    from services.models import MaterialRequirement, ReviewStep, Service

    ensure_bench_certificate()
    # Only a verified identity holds e-certificates (certificates.selectors.holds): the bench
    # citizen has been verified at a window, as the demo citizens are. On a new database his
    # profile is made here first, or there would be nothing to mark verified.
    ensure_bench_citizen()
    PersonProfile.objects.filter(user__email=BENCH_EMAIL).update(
        realname_level=RealNameLevel.WINDOW
    )
    ctype = CertificateType.objects.get(code=BENCH_TYPE_CODE)
    department = Department.objects.get(code=BENCH_ISSUER_CODE)
    issuing.issue(
        type=ctype,
        issuer=department,
        holder_name="测试员",
        holder_code=BENCH_HOLDER_ID,
        surface=SURFACE,
        by=None,
        serial=SECOND_SERIAL,
        idempotency_key="bench-certificate-2",
    )
    category, _ = ServiceCategory.objects.get_or_create(
        code="bench", defaults={"name": "基准测试分类"}
    )
    hall = ServiceHall.objects.order_by("pk").first() or ServiceHall.objects.create(
        name="基准测试大厅", address="广州市"
    )
    fields = [
        {"key": "applicant_name", "label": "姓名", "type": "text", "required": True},
        {"key": "phone", "label": "手机号码", "type": "phone", "required": True},
        {"key": "purpose", "label": "用途", "type": "text", "required": True},
    ]
    service, _ = Service.objects.update_or_create(
        code=BENCH_SERVICE_CODE,
        defaults={
            "name": "基准测试事项",
            "department": department,
            "category": category,
            "statutory_limit_days": 20,
            "promised_limit_days": 5,
            "form_definition": {"fields": fields},
        },
    )
    service.halls.add(hall)
    for key in REQUIREMENTS:
        MaterialRequirement.objects.update_or_create(
            service=service, key=key, defaults={"name": key, "certificate_type": ctype}
        )
    ReviewStep.objects.get_or_create(
        service=service, order=1, defaults={"name": "审核", "department": department}
    )
    _ensure_reviewers(department, category)
    return int(service.pk)


def _ensure_reviewers(department: Any, category: Any) -> None:
    """Three reviewers of the bench queue: routing picks the least busy one for each case."""
    from portal import roles
    from portal.models import StaffAssignment, StaffRole, User

    for number in range(REVIEWERS):
        user, _ = User.objects.get_or_create(email=REVIEWER_EMAIL.format(number))
        if not StaffAssignment.objects.filter(user=user, role=StaffRole.REVIEWER).exists():
            assignment = StaffAssignment(user=user, role=StaffRole.REVIEWER, department=department)
            roles.grant(assignment, by=None, categories=[category])


# --- Routing throughput of one real worker ---------------------------------------------------


def _accepted_cases(count: int) -> list[int]:
    """``count`` cases as acceptance leaves them for routing, in one insert."""
    from django.utils import timezone

    from bench.accounts import BENCH_EMAIL
    from portal.models import User
    from services.models import Application, ReviewStep, Service
    from services.models.applications import ApplicationStatus

    service = Service.objects.get(code=BENCH_SERVICE_CODE)
    step = ReviewStep.objects.get(service=service, order=1)
    applicant = User.objects.get(email=BENCH_EMAIL)
    now = timezone.now()
    rows = Application.objects.bulk_create(
        Application(
            service=service,
            applicant=applicant,
            hall=service.halls.first(),
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


def _tree_rss_kib(pid: int) -> dict[str, int]:
    """Resident memory (RSS) of a process and its children (the pool processes), and their
    proportional total (PSS), in KiB."""

    def rss(p: int) -> int:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def pss(p: int) -> int:
        # Proportional: pages the pool processes share with their parent are counted once.
        for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
        return 0

    children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    sizes = {"main": rss(pid), **{f"child-{c}": rss(c) for c in children}}
    sizes["total"] = sum(sizes.values())
    sizes["total_pss"] = sum(pss(p) for p in [pid, *children])
    return sizes


def measure_routing(
    *, cases: int, concurrency: int, pool: str, broker_url: str, env: dict[str, str]
) -> dict[str, Any]:
    from celery import Celery

    from bench import procstat
    from services import tasks

    ids = _accepted_cases(cases)
    log_path = Path(__file__).resolve().parent / "results" / "routing-worker.log"
    log_path.parent.mkdir(exist_ok=True)
    worker_env = {**env, "CELERY_BROKER_URL": broker_url, "PYTHONUNBUFFERED": "1"}
    publisher = Celery("portal", broker=broker_url)
    publisher.conf.task_routes = {"services.tasks.route_*": {"queue": QUEUE}}
    publisher.control.purge()
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "portal",
        "worker",
        "-Q",
        QUEUE,
        f"--pool={pool}",
        f"--concurrency={concurrency}",
        "-l",
        "info",
        "-n",
        f"bench-routing-{os.getpid()}@localhost",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with log_path.open("wb") as log_file:
        worker = subprocess.Popen(  # noqa: S603
            command, env=worker_env, stdout=log_file, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 120
        while b" ready." not in log_path.read_bytes():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start; see {log_path}")
            time.sleep(0.1)
        rss_idle = _tree_rss_kib(worker.pid)
        # Publish everything first (the queue a backlog, as after an outage), then start timing
        # when the worker takes the first one.
        with publisher.producer_or_acquire() as producer:
            for pk in ids:
                publisher.send_task(
                    tasks.route_application.name, args=(pk,), queue=QUEUE, producer=producer
                )
        deadline = time.monotonic() + 600
        while _routed(ids[:1]) == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        started = time.monotonic()
        cpu_before, busy_before = procstat.tree_cpu_ms(worker.pid), procstat.machine_busy_ms()
        peak: dict[str, int] = {}
        while (done := _routed(ids)) < len(ids) and time.monotonic() < deadline:
            sizes = _tree_rss_kib(worker.pid)
            peak = sizes if sizes["total"] > peak.get("total", 0) else peak
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        worker_cpu = procstat.tree_cpu_ms(worker.pid) - cpu_before
        machine_cpu = procstat.machine_busy_ms() - busy_before
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return {
        "cases": len(ids),
        "routed": done,
        "seconds": round(elapsed, 2),
        "routed_per_s": round((done - 1) / elapsed, 1) if elapsed else None,
        "pool": pool,
        "concurrency": concurrency,
        "worker_cpu_ms_per_case": round(worker_cpu / max(done - 1, 1), 2),
        # Everything on the machine (PostgreSQL, Redis, and anyone else) over the same time.
        "machine_cpu_ms_per_case": round(machine_cpu / max(done - 1, 1), 2),
        "machine_cores": os.cpu_count(),
        "rss_kib_idle": rss_idle,
        "rss_kib_peak": peak,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.applications")
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=2, help="worker pool processes")
    parser.add_argument("--pool", default="prefork", choices=["prefork", "solo", "threads"])
    parser.add_argument("--broker", default=os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER_URL))
    args = parser.parse_args(argv)

    from bench import accounts, database
    from bench.runner import bench_environment

    env, _cache = bench_environment()
    os.environ.update(env)
    database.ensure_database(env["DATABASE_URL"])
    database.manage(["migrate", "--noinput"], env)
    database.setup_django()
    accounts.ensure_bench_citizen()
    ensure_bench_service()
    result = measure_routing(
        cases=args.cases,
        concurrency=args.concurrency,
        pool=args.pool,
        broker_url=args.broker,
        env=env,
    )
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
