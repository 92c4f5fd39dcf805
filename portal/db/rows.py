"""Whole model rows read by fixed SQL statements: the apply path's hot reads (issue 8).

The ORM compiles each query anew and runs every model's ``__init__``: for the submit's small
reads that costs ten times the statement itself (~0.5-1 ms of CPU against ~0.05 ms). Here a
statement's text is built once from the model's metadata (names quoted, values always
parameters), runs on ``portal.db.prepared_cursor`` (PostgreSQL prepares it once per
connection) and each row becomes a model instance as ``Model.from_db`` makes one: every
value converted as the ORM converts it, but without ``__init__`` and its init signals, which
none of these models use (as certificates.verification loads certificates).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.base import ModelState

from portal.db import prepared_cursor

M = TypeVar("M", bound=models.Model)
Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class Table:
    """One model's columns as a SELECT list under an alias, and how to load them."""

    model: type[models.Model]
    alias: str
    columns: str
    attnames: tuple[str, ...]
    converters: tuple[tuple[int, tuple[Converter, ...], Any], ...]

    def load(self, values: Sequence[Any], db: str = DEFAULT_DB_ALIAS) -> Any:
        """An instance of the model from its share of a row, in ``columns``' order."""
        values = list(values)
        connection = connections[db]
        for index, converters, expression in self.converters:
            for convert in converters:
                values[index] = convert(values[index], expression, connection)
        instance = self.model.__new__(self.model)
        instance.__dict__.update(zip(self.attnames, values, strict=True))
        state = ModelState()
        state.adding, state.db = False, db
        instance._state = state
        return instance


@functools.cache
def table(model: type[models.Model], alias: str, db: str = DEFAULT_DB_ALIAS) -> Table:
    connection = connections[db]
    quote = connection.ops.quote_name
    fields = list(model._meta.concrete_fields)
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(alias)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((index, tuple(found), column))
    return Table(
        model=model,
        alias=alias,
        columns=", ".join(f"{alias}.{quote(field.column)}" for field in fields),
        attnames=tuple(field.attname for field in fields),
        converters=tuple(converters),
    )


def name(model: type[models.Model], attname: str, db: str = DEFAULT_DB_ALIAS) -> str:
    """A column's quoted name, for the WHERE and JOIN clauses of a statement."""
    column = next(f.column for f in model._meta.concrete_fields if f.attname == attname)
    return str(connections[db].ops.quote_name(column))


def quoted_table(model: type[models.Model], db: str = DEFAULT_DB_ALIAS) -> str:
    return str(connections[db].ops.quote_name(model._meta.db_table))


def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of one fixed statement (its values as parameters)."""
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def insert(objs: Sequence[M], db: str = DEFAULT_DB_ALIAS) -> list[M]:
    """``bulk_create`` of new instances of one model in one prepared statement, their ids
    set: every value filled as ``save`` fills it (``pre_save``: auto_now_add, files), no
    signals (none of these models has receivers)."""
    if not objs:
        return []
    model = type(objs[0])
    connection = connections[db]
    if not connection.features.can_return_rows_from_bulk_insert:  # SQLite before 3.35
        return model._default_manager.using(db).bulk_create(objs)
    fields = _insert_fields(model)
    params = []
    for obj in objs:
        # As bulk_create: a related object saved after it was assigned gives its id now.
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
        params += [
            field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields
        ]
    with prepared_cursor(db) as cursor:
        cursor.execute(_insert_sql(model, len(objs), db), params)
        ids = [row[0] for row in cursor.fetchall()]
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, db
    return list(objs)


def _insert_fields(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if field is not model._meta.pk]


@functools.cache
def _insert_sql(model: type[models.Model], count: int, db: str) -> str:
    quote = connections[db].ops.quote_name
    fields = _insert_fields(model)
    row = f"({', '.join(['%s'] * len(fields))})"
    return (
        f"INSERT INTO {quoted_table(model, db)} "  # noqa: S608 (names only)
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES {', '.join([row] * count)} RETURNING {quote(model._meta.pk.column)}"
    )
