"""Writing many rows at once inside the caller's transaction: `COPY ... FROM STDIN` on PostgreSQL,
an executemany INSERT on SQLite (where that is already the fast path).

Rows are dicts keyed by column name. Columns a row leaves out get the column's Python-side default,
as an ORM insert would give them, so both paths store the same values.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session


def insert_rows(session: Session, model: type, rows: Sequence[dict[str, Any]]) -> int:
    """Insert `rows` into `model`'s table; returns how many were written."""
    if not rows:
        return 0
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(sa.insert(model), list(rows))
        return len(rows)
    table: sa.Table = model.__table__
    names = sorted({name for row in rows for name in row})
    defaults = _defaults(table, names)
    columns = names + list(defaults)
    converters = [_converter(table.c[name]) for name in columns]
    raw = connection.connection.dbapi_connection
    quoted = ", ".join(f'"{name}"' for name in columns)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            values = [row.get(name) for name in names] + [make() for make in defaults.values()]
            copy.write_row([convert(value) for convert, value in zip(converters, values)])
    return len(rows)


def _defaults(table: sa.Table, given: list[str]) -> dict[str, Any]:
    """Factories for the Python-side defaults of the columns the rows leave out."""
    factories = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None:
            continue
        if default.is_callable:  # SQLAlchemy wraps the callable to take an execution context
            factories[column.name] = lambda function=default.arg: function(None)
        elif default.is_scalar:
            factories[column.name] = lambda value=default.arg: value
    return factories


def _converter(column: sa.Column):  # noqa: ANN202
    if isinstance(column.type, sa.JSON):
        return lambda value: None if value is None else json.dumps(value, ensure_ascii=False)
    return lambda value: value
