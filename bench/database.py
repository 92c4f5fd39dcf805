"""The benchmark database: create it, migrate it, load demo data, prepare floor and account.

Functions below ``setup_django`` run in-process under ``portal.settings.bench`` against the
same database gunicorn serves.
"""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import unquote, urlsplit, urlunsplit

from bench import procstat
from bench.config import BASE_DIR, DEFAULT_DATABASE_URL


def database_url() -> str:
    return os.environ.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL


def redacted(url: str) -> str:
    """The URL without its password, for reports."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def ensure_database(url: str) -> bool:
    """Create the database named in ``url`` if it is missing. True if it was created."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ValueError(f"the benchmark needs a PostgreSQL DATABASE_URL, not {parts.scheme}://")
    name = unquote(parts.path.lstrip("/"))
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


def manage(args: list[str], env: dict[str, str]) -> None:
    """Run ``manage.py <args>`` quietly; show its output only when it fails."""
    command = [sys.executable, str(BASE_DIR / "manage.py"), *args]
    result = subprocess.run(  # noqa: S603
        command, env=env, cwd=BASE_DIR, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def setup_django() -> None:
    """Configure Django in this process (the environment must already be set)."""
    import django

    django.setup()


def prepare_floor_table() -> None:
    from django.db import connection

    from portal.bench_urls import FLOOR_TABLE_DDL

    with connection.cursor() as cursor:
        cursor.execute(FLOOR_TABLE_DDL)
        cursor.execute("TRUNCATE bench_floor RESTART IDENTITY")


def local_postgres() -> bool:
    """Whether PostgreSQL runs on this machine where /proc shows its processes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        row = cursor.fetchone()
    backend = int(row[0]) if row else 0
    # A remote server's backend PID means nothing here (or is some other local process).
    return bool(backend) and procstat.process_name(backend) == "postgres"


def database_pids() -> list[int]:
    """PostgreSQL processes working for the benchmark: the backends connected to its
    database (gunicorn's persistent connections, not this harness's own) and the shared
    background processes (WAL writer, checkpointer, ...). Backends of other databases on the
    same server are left out, so someone else's test run does not count against us."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND "
            "(datname = current_database() OR (datname IS NULL AND backend_type <> "
            "'client backend'))"
        )
        return [int(row[0]) for row in cursor.fetchall()]


def database_cpu_ms() -> dict[int, float]:
    """CPU so far of each process in ``database_pids()``, in ms."""
    return procstat.own_cpu_ms(database_pids())


def cpu_delta_ms(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU spent between two snapshots; a process that appeared in between counts fully."""
    return sum(ms - before.get(pid, 0.0) for pid, ms in after.items())


def server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        row = cursor.fetchone()
    return str(row[0]) if row else "unknown"
