"""The JSON Schema of extraction output (`data/facts.schema.json`) and a small validator for the
part of JSON Schema it uses, so checking output needs no extra package.

Supported keywords: type, const, enum, properties, required, additionalProperties, items, minimum,
maximum, minLength, pattern, oneOf, anyOf, allOf and local `$ref` ("#/$defs/name"). Unknown
keywords (description, title, $schema) are ignored, as JSON Schema says.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).with_name("data") / "facts.schema.json"

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


@functools.cache
def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate(instance: Any, schema: dict[str, Any] | None = None) -> list[str]:
    """Every way `instance` breaks the schema (default: the extraction schema), as 'path: problem'."""
    root = schema if schema is not None else load_schema()
    errors: list[str] = []
    _check(instance, root, root, "$", errors)
    return errors


def _resolve(root: dict[str, Any], ref: str) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $ref is supported, not {ref!r}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _check(value: Any, schema: dict[str, Any], root: dict[str, Any], path: str, errors: list[str]) -> None:
    if "$ref" in schema:
        _check(value, _resolve(root, schema["$ref"]), root, path, errors)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[t](value) for t in types):
            errors.append(f"{path}: expected {' or '.join(types)}, got {type(value).__name__}")
            return
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: must be {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{path}: {value} is below the minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{path}: {value} is above the maximum {schema['maximum']}")
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            errors.append(f"{path}: shorter than {schema['minLength']}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, dict):
        for name in schema.get("required", ()):
            if name not in value:
                errors.append(f"{path}: {name!r} is required")
        properties = schema.get("properties", {})
        for name, item in value.items():
            if name in properties:
                _check(item, properties[name], root, f"{path}.{name}", errors)
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}: unexpected property {name!r}")
            elif isinstance(schema.get("additionalProperties"), dict):
                _check(item, schema["additionalProperties"], root, f"{path}.{name}", errors)
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            _check(item, schema["items"], root, f"{path}[{index}]", errors)
    for keyword in ("allOf", "anyOf", "oneOf"):
        if keyword not in schema:
            continue
        outcomes = []
        for option in schema[keyword]:
            found: list[str] = []
            _check(value, option, root, path, found)
            outcomes.append(found)
        passed = sum(1 for found in outcomes if not found)
        if keyword == "allOf":
            errors.extend(e for found in outcomes for e in found)
        elif keyword == "anyOf" and not passed:
            errors.append(f"{path}: matches none of the allowed shapes ({_closest(outcomes)})")
        elif keyword == "oneOf" and passed != 1:
            errors.append(f"{path}: matches {passed} of the allowed shapes, not exactly one ({_closest(outcomes)})"
                          if passed else f"{path}: matches none of the allowed shapes ({_closest(outcomes)})")


def _closest(outcomes: list[list[str]]) -> str:
    """The problems of the option that came nearest, so the message says what to fix."""
    best = min((found for found in outcomes if found), key=len, default=[])
    return "; ".join(best[:3])
