"""Input no store can hold: a NUL character (U+0000) in a path, query, form or JSON value.

PostgreSQL text cannot contain it and SQLite cuts strings at it, so such a value would either fail deep
inside a query (a 500) or be stored shortened. Every request is checked once, before any route runs, and
refused 422 naming the field, on pages and the API alike."""

from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi import Request
from fastapi.exceptions import RequestValidationError

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _nul_paths(value: object, path: tuple) -> Iterator[tuple]:
    """Where in a decoded JSON document a string (key or value) holds a NUL."""
    if isinstance(value, str):
        if NUL in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if NUL in str(key):
                yield (*path, key)
            yield from _nul_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, (*path, index))


def _refusal(location: tuple) -> RequestValidationError:
    return RequestValidationError([{"loc": location, "msg": "must not contain a NUL character (U+0000)",
                                    "type": "value_error.nul_character"}])


async def refuse_nul_characters(request: Request) -> None:
    for name, value in request.path_params.items():
        if NUL in str(value):
            raise _refusal(("path", name))
    for name, value in request.query_params.multi_items():
        if NUL in name or NUL in value:
            raise _refusal(("query", name))
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(FORM_TYPES):
        form = await request.form()  # parsed once: the CSRF check and the route read the same form
        for name, value in form.multi_items():
            if NUL in name or (isinstance(value, str) and NUL in value):
                raise _refusal(("body", name))
    elif content_type.startswith("application/json"):
        body = await request.body()
        if b"\\u0000" not in body:
            return
        try:
            document = json.loads(body)
        except ValueError:
            return  # the route's own parsing reports a malformed document
        for path in _nul_paths(document, ()):
            raise _refusal(("body", *path))
