"""``python -m bench``: command-line options over the BENCH_* environment variables."""

from __future__ import annotations

import argparse
import signal
import sys
from types import FrameType

from bench.catalogue import from_cli
from bench.client import SetupError
from bench.config import BenchConfig, ConfigError
from bench.endpoints import ENDPOINTS, PASSWORD_CHECK
from bench.wrk import WrkMissingError


def parse_args(argv: list[str] | None = None) -> BenchConfig:
    config = BenchConfig.from_env()
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark One Window under gunicorn + PostgreSQL with wrk, next to a "
        "JSON-ping floor and a one-row-insert floor. See docs/bench.md.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke-test sizes: 2 s runs (env BENCH_QUICK=1)"
    )
    parser.add_argument(
        "--duration",
        type=int,
        help=f"seconds per wrk run (env BENCH_DURATION, default {config.duration})",
    )
    parser.add_argument(
        "--rounds", type=int, help=f"interleaved rounds (env BENCH_ROUNDS, default {config.rounds})"
    )
    parser.add_argument(
        "--warmup",
        type=int,
        help="warm-up seconds per endpoint "
        f"(env BENCH_WARMUP, default {config.warmup}; 0 for none)",
    )
    parser.add_argument(
        "--connections",
        type=int,
        help=f"wrk -c (env BENCH_CONNECTIONS, default {config.connections})",
    )
    parser.add_argument(
        "--threads", type=int, help=f"wrk -t (env BENCH_THREADS, default {config.threads})"
    )
    parser.add_argument(
        "--workers",
        type=int,
        help=f"gunicorn workers (env BENCH_WORKERS, default {config.workers})",
    )
    parser.add_argument(
        "--worker-class",
        choices=["sync", "gthread"],
        help=f"gunicorn worker class (env BENCH_WORKER_CLASS, default {config.worker_class})",
    )
    parser.add_argument(
        "--worker-threads",
        type=int,
        help="gunicorn --threads for gthread "
        f"(env BENCH_WORKER_THREADS, default {config.worker_threads})",
    )
    parser.add_argument(
        "--only", help="comma-separated endpoint names; the floors always run (env BENCH_ONLY)"
    )
    parser.add_argument(
        "--max-other-load",
        type=float,
        help="re-measure a run while unrelated processes used more than this %% of the CPU "
        "(env BENCH_MAX_OTHER_LOAD; default 0, off)",
    )
    parser.add_argument(
        "--retries",
        type=int,
        help=f"re-measurements allowed per run (env BENCH_RETRIES, default {config.retries})",
    )
    parser.add_argument(
        "--skip-setup",
        action="store_true",
        help="do not create/migrate the database or load demo data",
    )
    parser.add_argument("--list", action="store_true", help="list the endpoints and exit")
    args = parser.parse_args(argv)

    if args.list:
        for e in ENDPOINTS:
            print(
                f"{e.name:<16} {e.request_label:<24} floor={e.floor or '-'}"
                f"{'  (signed in)' if e.needs_login else ''}"
            )
        print(f"{PASSWORD_CHECK:<16} in-process check_password()")
        raise SystemExit(0)
    if args.quick:
        config.make_quick(keep_duration=args.duration is not None)
    for name in (
        "duration",
        "rounds",
        "warmup",
        "connections",
        "threads",
        "workers",
        "worker_class",
        "worker_threads",
        "max_other_load",
        "retries",
    ):
        value = getattr(args, name)
        if value is not None:
            setattr(config, name, value)
    if args.only:
        config.only = [name.strip() for name in args.only.split(",") if name.strip()]
    if args.skip_setup:
        config.setup = False
    return config


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # so that every finally: block runs and gunicorn is stopped


def main(argv: list[str] | None = None) -> int:
    if (code := from_cli(argv)) is not None:
        return code
    try:
        config = parse_args(argv)
    except ConfigError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    # Ctrl-C, kill and a closed terminal all unwind through the finally: blocks. SIGINT is
    # set explicitly because a shell starts background jobs with it ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    from bench.runner import run  # after argument parsing: --help stays instant

    try:
        return run(config)
    except (ConfigError, WrkMissingError, SetupError) as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrupted; gunicorn stopped.", file=sys.stderr)
        return 130
