"""Writing and looking up many rows at once inside the caller's transaction, below the ORM's per-row
cost: `COPY ... FROM STDIN` on PostgreSQL, one prepared executemany INSERT on SQLite; look-ups by a
list of keys as one statement per thousand keys.

Rows are dicts keyed by column name (`insert_rows`), or tuples in the order of a list of column names
(`insert_tuples`, for the hottest paths: no dict per row). Columns a row leaves out get the column's
Python-side default, as an ORM insert would give them, and every value goes through its column type's
bind processing (dates, timestamps, JSON), so that these paths store exactly what the ORM would.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

_NOTHING = object()
LOOKUP_CHUNK = 1000  # keys per statement on SQLite (its limit is 32,766 parameters)


def insert_rows(session: Session, model: type, rows: Sequence[dict[str, Any]]) -> int:
    """Insert `rows` into `model`'s table; returns how many were written."""
    if not rows:
        return 0
    names = sorted({name for row in rows for name in row})
    # Rows that all name every column (the usual case) are read with one C-level getter each.
    if all(len(row) == len(names) for row in rows):
        getter = operator.itemgetter(*names)
        tuples: Iterable[tuple[Any, ...]] = (
            map(getter, rows) if len(names) > 1 else ((getter(row),) for row in rows))
    else:
        tuples = (tuple(row.get(name) for name in names) for row in rows)
    return insert_tuples(session, model, names, tuples)


def insert_tuples(session: Session, model: type, names: Sequence[str], rows: Iterable[tuple[Any, ...]],
                  same: dict[str, Any] | None = None, skip_taken: str | None = None) -> int:
    """Insert rows given as tuples of the columns `names`, in that order (no dict per row), each with
    the values of `same` (column → the value every row holds, processed once); columns named in neither
    get their defaults. Returns how many were written. `skip_taken` (SQLite only): a unique column;
    rows whose value there is already taken are left out, and not counted, instead of failing."""
    connection = session.connection()
    if skip_taken is not None and connection.dialect.name != "sqlite":
        raise ValueError("skip_taken is for SQLite only")
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    same = same or {}
    names = list(names)
    defaults = _defaults(table, names + list(same))
    columns = names + list(same) + list(defaults)
    quoted = ", ".join(f'"{name}"' for name in columns)
    makers = list(defaults.values())
    if connection.dialect.name == "postgresql":
        # Only JSON columns are converted: the other values go to COPY as they are, with no call per value.
        converting = [(index, converter) for index, name in enumerate(columns)
                      if (converter := _copy_converter(table.c[name])) is not None]
        raw = connection.connection.dbapi_connection
        shared = tuple(same.values())
        written = 0
        with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
            write_row = copy.write_row
            for row in rows:
                values = (*row, *shared, *(make() for make in makers)) if makers else (*row, *shared)
                if converting:
                    values = list(values)
                    for index, convert in converting:
                        values[index] = convert(values[index])
                write_row(values)
                written += 1
        return written
    dialect = connection.dialect
    rows = rows if isinstance(rows, list) else list(rows)

    def processor(name: str) -> Callable[[Any], Any] | None:
        return table.c[name].type.dialect_impl(dialect).bind_processor(dialect)

    shared = tuple(value if (process := processor(name)) is None else process(value) for name, value in same.items())
    plan = []
    for index, name in enumerate(names):
        process = processor(name)
        if process is None:
            continue
        # SQLite's driver stores bytes as a BLOB itself: the dialect's wrapping of each value in the
        # driver's Binary (a memoryview) changes nothing stored and costs a call per row.
        if isinstance(table.c[name].type, sa.LargeBinary) and all(
                type(row[index]) is bytes or row[index] is None for row in rows):
            continue
        plan.append((index, process))
    if plan or makers:
        # A batch often repeats one value in a column (a year, a place): processed once, reused.
        last: list[tuple[Any, Any]] = [(_NOTHING, None)] * len(names)
        parameters = []
        for row in rows:
            if plan:
                values = list(row)
                for index, process in plan:
                    value = values[index]
                    seen, processed = last[index]
                    if value is not seen:
                        processed = process(value)
                        last[index] = (value, processed)
                    values[index] = processed
                row = tuple(values)
            parameters.append((*row, *shared, *(make() for make in makers)) if makers else row + shared)
    else:
        parameters = [row + shared for row in rows] if shared else rows
    if not parameters:
        return 0
    conflict = "" if skip_taken is None else f' ON CONFLICT ("{table.c[skip_taken].name}") DO NOTHING'
    result = connection.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join("?" * len(columns))}){conflict}', parameters)
    return len(parameters) if skip_taken is None else result.rowcount


def lookup(session: Session, columns: Sequence[sa.Column], key: sa.Column, keys: Iterable[Any],
           where: dict[sa.Column, Any] | None = None) -> list[tuple[Any, ...]]:
    """`columns` of the rows of one table whose `key` is in `keys` (and whose `where` columns equal
    the values given): the ORM's `select(...).where(key.in_(keys))` without its per-call compiling."""
    keys = list(keys)
    if not keys:
        return []
    connection = session.connection()
    table = key.table
    selected = ", ".join(f'"{column.name}"' for column in columns)
    conditions = [f'"{column.name}" = ' for column in (where or {})]
    fixed = list((where or {}).values())
    found: list[tuple[Any, ...]] = []
    if connection.dialect.name == "postgresql":
        clauses = [f"{condition}%s" for condition in conditions] + [f'"{key.name}" = ANY(%s)']
        statement = f'SELECT {selected} FROM "{table.name}" WHERE {" AND ".join(clauses)}'
        for start in range(0, len(keys), 50 * LOOKUP_CHUNK):
            found += connection.exec_driver_sql(statement, (*fixed, keys[start:start + 50 * LOOKUP_CHUNK])).all()
        return found
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start:start + LOOKUP_CHUNK]
        clauses = [f"{condition}?" for condition in conditions] + [f'"{key.name}" IN ({", ".join("?" * len(chunk))})']
        statement = f'SELECT {selected} FROM "{table.name}" WHERE {" AND ".join(clauses)}'
        found += connection.exec_driver_sql(statement, (*fixed, *chunk)).all()
    return found


def _defaults(table: sa.Table, given: list[str]) -> dict[str, Callable[[], Any]]:
    """Factories for the Python-side defaults of the columns the rows leave out."""
    factories: dict[str, Callable[[], Any]] = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None:
            continue
        if default.is_callable:  # SQLAlchemy wraps the callable to take an execution context
            factories[column.name] = lambda function=default.arg: function(None)  # type: ignore[attr-defined]
        elif default.is_scalar:
            factories[column.name] = lambda value=default.arg: value  # type: ignore[attr-defined]
    return factories


def _copy_converter(column: sa.Column) -> Callable[[Any], Any] | None:
    if isinstance(column.type, sa.JSON):
        return lambda value: None if value is None else json.dumps(value, ensure_ascii=False)
    return None
