"""Catalogue search benchmark: latency and queries per request of the search API.

``python -m bench.catalogue`` fills a 7,000-service catalogue (``manage.py
generate_catalogue``) on SQLite and on PostgreSQL, then requests ``/api/v1/services/?q=``
for a fixed list of 50 queries (Chinese words, synonyms, pinyin, initials, English, codes),
several rounds each, in-process through Django's test client: the full middleware, DRF and
serialisation stack without the network. It reports p50/p95 latency per database and per
kind of query, and the SQL queries per request (counted at page sizes 5 and 20, which must
agree). The target is p95 under 50 ms with a constant number of queries.

Each database runs in a child process because Django configures one database per process.
Settings are ``portal.settings.test`` (production code paths, relaxed API throttles so 250
requests from one client are not refused). Results go to stdout and to
``bench/results/catalogue-<time>.json``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.config import BASE_DIR, DEFAULT_DATABASE_URL, RESULTS_DIR

SQLITE_URL = f"sqlite:///{BASE_DIR / 'var' / 'bench_catalogue.sqlite3'}"
TARGET_P95_MS = 50.0

# (kind, query). The two codes are filled in from the generated catalogue.
QUERIES: list[tuple[str, str]] = [
    *[
        ("chinese", q)
        for q in (
            "营业执照",
            "食品经营许可证",
            "社会保障卡",
            "居住证",
            "户口迁出",
            "住房公积金",
            "养老保险",
            "医疗保险",
            "不动产",
            "结婚登记",
            "出生医学证明",
            "残疾人证",
            "驾驶证换领",
            "发票领用",
            "教师资格证",
            "排污许可证",
            "无犯罪记录证明",
            "天河区营业执照变更登记",
            "注销",
            "补领",
        )
    ],
    *[("synonym", q) for q in ("社保", "医保", "户籍", "身份证", "驾照")],
    *[
        ("pinyin", q)
        for q in (
            "yingyezhizhao",
            "shehuibaozhangka",
            "juzhuzheng",
            "gongjijin",
            "hukou",
            "jiashizheng",
            "budongchan",
            "zhuxiao",
            "jiehundengji",
            "shipinjingying",
        )
    ],
    *[
        ("initials", q)
        for q in ("yyzz", "shbzk", "jzz", "gjj", "bdc", "jsz", "spjyxkz", "zx", "jhdj", "cjrz")
    ],
    *[("english", q) for q in ("business licence", "social security card", "housing fund")],
    ("code", "{code}"),
    ("code", "{code_prefix}"),
]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def _postgres_url() -> str:
    explicit = os.environ.get("BENCH_CATALOGUE_DATABASE_URL", "").strip()
    if explicit:
        return explicit
    parts = urlsplit(os.environ.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        parts = urlsplit(DEFAULT_DATABASE_URL)
    return urlunsplit(parts._replace(path="/onewindow_bench_catalogue"))


# --- In the child process -----------------------------------------------------------------


def _prepare(services: int, departments: int) -> dict[str, Any]:
    from django.core.management import call_command

    from portal.models import ServiceCategory
    from services.models import SearchToken, Service

    call_command("migrate", verbosity=0)
    if not ServiceCategory.objects.exists() or not Service.objects.exists():
        call_command("demo", stdout=io.StringIO())
    started = time.perf_counter()
    if Service.objects.filter(code__startswith="G").count() != services:
        call_command(
            "generate_catalogue", services=services, departments=departments, stdout=io.StringIO()
        )
    return {
        "services": Service.objects.count(),
        "search_tokens": SearchToken.objects.count(),
        "prepare_s": round(time.perf_counter() - started, 1),
    }


def _queries() -> list[tuple[str, str]]:
    from services.models import Service

    code = (
        Service.objects.filter(code__startswith="G").order_by("code").values_list("code", flat=True)
    )
    sample = code[len(code) // 3] if code.exists() else "G"
    values = {"code": sample, "code_prefix": sample[:12]}
    return [(kind, query.format(**values)) for kind, query in QUERIES]


def measure_here(*, rounds: int, services: int, departments: int) -> dict[str, Any]:
    """Prepare the configured database and measure; Django must be set up."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    prepared = _prepare(services, departments)
    client = Client()
    queries = _queries()
    path = "/api/v1/services/"
    per_request: dict[str, int] = {}
    found: dict[str, int] = {}
    for _kind, query in queries:
        counts = []
        for size in (5, 20):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path, {"q": query, "page_size": size})
            if response.status_code != 200:
                raise RuntimeError(f"{query!r}: HTTP {response.status_code} {response.content!r}")
            counts.append(len(captured))
        if counts[0] != counts[1]:
            raise RuntimeError(f"{query!r}: {counts[0]} queries at 5 rows, {counts[1]} at 20")
        per_request[query] = counts[0]
        found[query] = response.json()["count"]
    timings: dict[str, list[float]] = {query: [] for _kind, query in queries}
    for round_ in range(rounds):
        # Rotate the order each round so no query always follows the same one.
        shift = round_ * 7 % len(queries)
        for _kind, query in queries[shift:] + queries[:shift]:
            started = time.perf_counter()
            client.get(path, {"q": query})
            timings[query].append((time.perf_counter() - started) * 1000)
    everything = [t for ts in timings.values() for t in ts]
    by_kind: dict[str, dict[str, float]] = {}
    for kind in dict.fromkeys(k for k, _q in queries):
        values = [t for k, q in queries if k == kind for t in timings[q]]
        by_kind[kind] = {
            "p50_ms": round(_percentile(values, 0.5), 2),
            "p95_ms": round(_percentile(values, 0.95), 2),
        }
    slowest = sorted(timings, key=lambda q: statistics.median(timings[q]), reverse=True)[:5]
    return {
        "database": connection.vendor,
        **prepared,
        "requests": len(everything),
        "p50_ms": round(_percentile(everything, 0.5), 2),
        "p95_ms": round(_percentile(everything, 0.95), 2),
        "max_ms": round(max(everything), 2),
        "queries_per_request": sorted(set(per_request.values())),
        "by_kind": by_kind,
        "slowest": [
            {"q": q, "median_ms": round(statistics.median(timings[q]), 2), "found": found[q]}
            for q in slowest
        ],
        "found": found,
    }


def _child(args: argparse.Namespace) -> int:
    import django

    django.setup()
    result = measure_here(rounds=args.rounds, services=args.services, departments=args.departments)
    print(json.dumps(result, ensure_ascii=False))
    return 0


# --- In the parent process ----------------------------------------------------------------


def run_one(database: str, *, services: int, departments: int, rounds: int) -> dict[str, Any]:
    """Measure one database ("sqlite" or "postgresql") in a child process."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    if database == "postgresql":
        from bench.database import ensure_database

        url = _postgres_url()
        ensure_database(url)
        env["DATABASE_URL"] = url
    else:
        (BASE_DIR / "var").mkdir(exist_ok=True)
        env["DATABASE_URL"] = SQLITE_URL
    command = [
        sys.executable,
        "-m",
        "bench.catalogue",
        "--child",
        f"--services={services}",
        f"--departments={departments}",
        f"--rounds={rounds}",
    ]
    done = subprocess.run(  # noqa: S603
        command, env=env, cwd=BASE_DIR, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{database}: the measurement failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def report(results: list[dict[str, Any]]) -> str:
    lines = [
        "| database | services | p50 ms | p95 ms | max ms | SQL queries/request | target |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for r in results:
        ok = r["p95_ms"] < TARGET_P95_MS and len(r["queries_per_request"]) <= 2
        lines.append(
            f"| {r['database']} | {r['services']} | {r['p50_ms']} | {r['p95_ms']} | "
            f"{r['max_ms']} | {', '.join(map(str, r['queries_per_request']))} | "
            f"{'met' if ok else 'MISSED'} |"
        )
    for r in results:
        kinds = ", ".join(f"{kind} {v['p50_ms']}/{v['p95_ms']}" for kind, v in r["by_kind"].items())
        lines.append(f"\n{r['database']} p50/p95 ms by kind: {kinds}")
        slow = ", ".join(f"{s['q']} {s['median_ms']} ms ({s['found']} found)" for s in r["slowest"])
        lines.append(f"{r['database']} slowest medians: {slow}")
    return "\n".join(lines)


def run(
    databases: tuple[str, ...] = ("sqlite", "postgresql"),
    *,
    services: int = 7000,
    departments: int = 50,
    rounds: int = 5,
) -> int:
    """Measure each database, print the report, save the JSON; 0 when every target is met."""
    results = []
    for database in databases:
        print(f"catalogue search on {database} ({services} services)…", file=sys.stderr)
        results.append(run_one(database, services=services, departments=departments, rounds=rounds))
    print(report(results))
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"catalogue-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"\nSaved {path.relative_to(BASE_DIR)}", file=sys.stderr)
    met = all(r["p95_ms"] < TARGET_P95_MS and len(r["queries_per_request"]) <= 2 for r in results)
    return 0 if met else 1


def from_cli(argv: list[str] | None = None) -> int | None:
    """For ``python -m bench catalogue [options]``: run this benchmark when the bench CLI's
    first argument is ``catalogue`` and return its exit status; None otherwise."""
    args = sys.argv[1:] if argv is None else argv
    return main(args[1:]) if args[:1] == ["catalogue"] else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.catalogue",
        description="Catalogue search latency (p50/p95) and queries per request on SQLite and "
        "PostgreSQL, 50 fixed queries on a generated catalogue.",
    )
    parser.add_argument("--services", type=int, default=7000)
    parser.add_argument("--departments", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5, help="requests per query (default 5)")
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql", "both"],
        default="both",
        help="PostgreSQL: BENCH_CATALOGUE_DATABASE_URL, else the bench server's "
        "onewindow_bench_catalogue database",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args)
    databases = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    try:
        return run(
            databases, services=args.services, departments=args.departments, rounds=args.rounds
        )
    except RuntimeError as exc:
        print(f"bench.catalogue: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
