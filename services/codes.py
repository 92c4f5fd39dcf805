"""Every human-readable number the services app gives out is minted here."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import connection

from services.models.applications import NumberSequence

ACCEPTANCE_PREFIX = "SL"  # 受理


def next_in_sequence(key: str) -> int:
    """One more than the last number under ``key``; safe under concurrency (one statement)."""
    table = connection.ops.quote_name(NumberSequence._meta.db_table)
    column = connection.ops.quote_name("key")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({column}, value) VALUES (%s, 1) "  # noqa: S608 (names are ours)
            f"ON CONFLICT ({column}) DO UPDATE SET value = {table}.value + 1 RETURNING value",
            [key],
        )
        return int(cursor.fetchone()[0])


def acceptance_number(department_id: int, day: dt.date) -> str:
    """受理编号: SL, the day, the department and a daily serial: sorts by date, unique, readable.

    e.g. SL20261207-0012-00031 is department 12's 31st acceptance on 7 December 2026.
    """
    serial = next_in_sequence(f"accept:{department_id}:{day.isoformat()}")
    return f"{ACCEPTANCE_PREFIX}{day:%Y%m%d}-{department_id:04d}-{serial:05d}"


def pickup_code() -> str:
    """Eight random digits; unique among results not yet handed over (a database constraint)."""
    return f"{secrets.randbelow(10**8):08d}"
