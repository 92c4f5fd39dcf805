"""Database helpers that Django does not offer.

``prepared_cursor``: Django sends PostgreSQL every query as text with the values inlined
(psycopg's client-side binding), so PostgreSQL parses and plans it anew each time. For a few
hot read paths that run one fixed statement, planning costs more than executing; there a
server-side-binding cursor lets psycopg prepare the statement once per connection, after
``prepare_threshold`` uses (``DATABASE_PREPARED_STATEMENTS`` in portal/settings/base.py).
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.utils import CursorWrapper


def prepared_cursor(using: str = DEFAULT_DB_ALIAS) -> CursorWrapper:
    """A cursor wrapped as Django wraps its own (error translation, the query log of tests and
    DEBUG), server-side binding on PostgreSQL when prepared statements are on."""
    db = connections[using]
    if db.vendor != "postgresql" or db.settings_dict["OPTIONS"].get("prepare_threshold") is None:
        return db.cursor()
    import psycopg

    # What BaseDatabaseWrapper.cursor() does, with our cursor class instead of Django's.
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    with db.wrap_database_errors:
        cursor = psycopg.Cursor(db.connection)
    # django-stubs type these as taking a CursorWrapper; they take the driver's cursor.
    if db.queries_logged:
        return db.make_debug_cursor(cursor)  # type: ignore[arg-type]
    return db.make_cursor(cursor)  # type: ignore[arg-type]
