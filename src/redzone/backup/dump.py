"""The database as backend-neutral JSON lines, and back: table by table, row by row, typed.

Lines, in order (objects are section markers, arrays are rows, strings are file data):

    {"kind": "manifest", ...}                       what was backed up, from which workspace
    {"kind": "table", "name": T, "columns": [...]}  then one array per row, in primary-key order
    {"kind": "table_end", "name": T, "rows": n}
    {"kind": "file", "name": N, "size": n, "sha256": h}   then base64 strings of the stored bytes
    {"kind": "file_end", "name": N}
    {"kind": "end", "tables": {T: n}, "files": n, "sha256": h}   h: SHA-256 of every line before it

A value is JSON as is when it is null, a boolean, a number or text; otherwise a one-key object
says its type: {"b64": …} bytes, {"dt": …} a UTC date-time, {"d": …} a date, {"dec": …} a decimal,
{"json": …} the content of a JSON column. Dates and times are written in UTC, so the same row
reads the same from SQLite (naive UTC) and from PostgreSQL (aware).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
from typing import Any

import sqlalchemy as sa

from redzone.errors import IntegrityError

# Tables not copied: the search index is derived from the records and differs by backend
# (FTS5 terms on SQLite, keyed digests on PostgreSQL), web sign-ins must not outlive the copy, and
# background jobs belong to the server processes that ran them.
EXCLUDED = ("search_document", "web_session", "web_job")
FILE_PIECE = 48 * 1024  # bytes of evidence per base64 line


def encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # SQLite hands back naive datetimes; they were stored as UTC
            value = value.replace(tzinfo=dt.timezone.utc)
        return {"dt": value.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"dec": str(value)}
    if isinstance(value, (dict, list)):
        return {"json": value}
    raise TypeError(f"cannot back up a value of type {type(value).__name__}")


def decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if len(value) != 1:
        raise IntegrityError("backup: a value is not in the backup's typed form (damaged)")
    (tag, text), = value.items()
    try:
        if tag == "b64":
            return base64.b64decode(text, validate=True)
        if tag == "dt":
            return dt.datetime.fromisoformat(text)
        if tag == "d":
            return dt.date.fromisoformat(text)
        if tag == "dec":
            return decimal.Decimal(text)
        if tag == "json":
            return text
    except (ValueError, TypeError, decimal.InvalidOperation):
        raise IntegrityError(f"backup: a {tag} value cannot be read (damaged)") from None
    raise IntegrityError(f"backup: unknown value type {tag!r} (damaged, or written by a newer Redzone)")


def line(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=True).encode("utf-8") + b"\n"


def backed_up_tables(metadata: sa.MetaData, present: set[str]) -> list[sa.Table]:
    """The tables a backup holds, parents before children."""
    return [t for t in metadata.sorted_tables if t.name in present and t.name not in EXCLUDED]


def primary_order(table: sa.Table) -> list[sa.Column]:
    return list(table.primary_key.columns) or list(table.columns)


def rows_of(connection: sa.Connection, table: sa.Table, batch: int = 2000):  # noqa: ANN201
    """Every row of `table` as a tuple, in primary-key order, in batches (keyset pagination when the
    key is one column; offsets otherwise, for the few small association tables)."""
    keys = primary_order(table)
    columns = list(table.columns)
    if len(keys) == 1:
        key = keys[0]
        position = columns.index(key)
        last = None
        while True:
            query = sa.select(*columns).order_by(key).limit(batch)
            if last is not None:
                query = query.where(key > last)
            rows = connection.execute(query).all()
            if not rows:
                return
            yield from rows
            last = rows[-1][position]
    else:
        offset = 0
        while True:
            rows = connection.execute(sa.select(*columns).order_by(*keys).limit(batch).offset(offset)).all()
            if not rows:
                return
            yield from rows
            offset += len(rows)
