"""The two reads every signed-in request makes, as fixed statements (issues 8 and 12).

Each request loads its session row and then its user. Through the ORM each costs ~0.35 ms of
CPU compiling the query and building the instance, against ~0.05 ms for the statement; here
the text is built once from the models' metadata (values always parameters) and runs on
``portal.db.prepared_cursor``. Behaviour is Django's: the session store is the database one,
and a user is only returned here when Django's own ``get_user`` would return the same user
(any other case is left to Django's code, which then flushes or cycles the session).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from portal.db import prepared_cursor

Converter = Callable[[Any, Any, Any], Any]


@functools.cache
def _select(model: type[models.Model], key: str, extra: str = "") -> tuple[str, tuple]:
    """``SELECT <all columns> FROM <table> WHERE <key> = %s<extra>`` and each column's
    converters, as the ORM would apply them."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    fields = list(model._meta.concrete_fields)
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)  # type: ignore[attr-defined]
        if found:
            converters.append((index, tuple(found), column))
    names = ", ".join(quote(f.column) for f in fields)
    where = quote(next(f.column for f in fields if f.name == key))
    sql = f"SELECT {names} FROM {quote(model._meta.db_table)} WHERE {where} = %s{extra}"  # noqa: S608 (names only)
    return sql, tuple(converters)


def _fetch(model: type[models.Model], key: str, params: list[Any], extra: str = "") -> Any:
    sql, converters = _select(model, key, extra)
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    connection = connections[DEFAULT_DB_ALIAS]
    for index, found, column in converters:
        for convert in found:
            values[index] = convert(values[index], column, connection)
    names = [f.attname for f in model._meta.concrete_fields]
    return model.from_db(DEFAULT_DB_ALIAS, names, values)


class SessionStore(db.SessionStore):
    """Django's database sessions; only the read of the row is a fixed statement."""

    def _get_session_from_db(self) -> Session | None:
        connection = connections[DEFAULT_DB_ALIAS]
        expire = connection.ops.quote_name("expire_date")
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        found = _fetch(self.model, "session_key", [self.session_key, now], f" AND {expire} > %s")
        if found is None:
            self._session_key = None
        return found


def get_user(request: HttpRequest) -> AbstractBaseUser | AnonymousUser:
    """``django.contrib.auth.get_user`` for the usual case: a session whose backend reads the
    user as ModelBackend does, an active user, and a session hash that matches. Anything else
    goes to Django's own function (which flushes or cycles the session as it decides)."""
    session = request.session
    try:
        user_id = auth._get_user_session_key(request)  # type: ignore[attr-defined]
        backend_path = session[BACKEND_SESSION_KEY]
        session_hash = session[HASH_SESSION_KEY]
    except KeyError:
        return auth.get_user(request)
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    backend = load_backend(backend_path)
    if not isinstance(backend, ModelBackend) or type(backend).get_user is not ModelBackend.get_user:
        return auth.get_user(request)
    model = auth.get_user_model()
    user = _fetch(model, model._meta.pk.name, [user_id])
    if (
        user is None
        or not backend.user_can_authenticate(user)
        or not session_hash
        or not constant_time_compare(session_hash, user.get_session_auth_hash())
    ):
        return auth.get_user(request)
    return user
