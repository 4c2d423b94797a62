"""The texts a validated row is digested and sealed as, the same bytes in the row and the column paths:
a row's keyed digest (what it says, without its ref or code: equal digests, nothing to update) and the
identity text `records.identity.seal_identity` seals. Both are put together by plans made once per set of
columns and kinds of values, not by the JSON encoder row by row."""

from __future__ import annotations

import datetime as dt
import json
import operator
from collections.abc import Callable
from typing import Any

from redzone.exchange.validation import ParsedRow
from redzone.records.identity import identity_context
from redzone.security.keys import Digester, KeyRing, Sealer

def _encoder(**options: Any) -> Callable[[Any], str]:
    """`json.JSONEncoder(**options).encode`, byte for byte, with CPython's C encoder built once: the
    general `encode` builds a new one on every call, a third of the cost of encoding a short row."""
    general = json.JSONEncoder(**options)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return general.encode
    quote = json.encoder.encode_basestring_ascii if general.ensure_ascii else json.encoder.encode_basestring
    try:  # No markers: the values encoded here (a parsed row's cells) cannot refer to themselves.
        encode_chunks = make(None, general.default, quote, None, general.key_separator, general.item_separator,
                             general.sort_keys, general.skipkeys, general.allow_nan)
    except TypeError:  # another Python's private signature: the general encoder, slower but the same
        return general.encode

    def encode(value: Any) -> str:
        return "".join(encode_chunks(value, 0))

    probe: list[Any] = ["person", [["aliases", ("a", "\u00e9\n\"")], ["b", 1.5], ["c", None], ["d", True]], {"e": -3}]
    if "default" in options:
        probe.append(dt.date(2020, 1, 2))
    try:
        same = encode(probe) == general.encode(probe)
    except (TypeError, ValueError):
        same = False
    return encode if same else general.encode


_ENCODE = _encoder(default=str, ensure_ascii=False, separators=(",", ":"))
_SEALED_ENCODE = _encoder(ensure_ascii=False)  # as records.identity.seal_identity writes
_QUOTE = json.encoder.encode_basestring  # a text as both encoders write it (ensure_ascii=False)
# Per set of columns (in the order a row holds them): the digested names, sorted, a getter of their
# values, and the digest texts' plans by model and kinds of values (see `_text_plan`).
_DIGEST_PLANS: dict[tuple[str, ...], tuple[list[str], Callable[[dict[str, Any]], Any], dict[Any, Any]]] = {}
_NONE = type(None)
_MISSING = object()


def row_digest(keys: KeyRing | Digester, model: str, row: ParsedRow) -> str:
    """Keyed digest of what a row says (not its ref or code): equal digests, nothing to update. Keyed,
    because the row holds sealed values that an unkeyed hash would let anyone confirm by guessing."""
    digester = keys.digester if isinstance(keys, KeyRing) else keys
    return digester.digest(digest_text(model, row.values))


def digest_text(model: str, values: dict[str, Any]) -> str:
    """`_ENCODE([model, sorted(values.items())])` without ref and code (the text stored digests were
    made of), put together by a plan made once per set of columns and kinds of values: the encoder
    makes and joins some seventy small texts for a row of persons, five times the work."""
    names, getter, plans = digest_plan(tuple(values))
    return digest_cells(model, names, plans, getter(values))


def digest_plan(shape: tuple[str, ...]) -> tuple[list[str], Callable[[dict[str, Any]], Any], dict[Any, Any]]:
    """For rows of these columns (in the order a row holds them): the digested names, sorted, a getter
    of their values from a row's dict, and the text plans by kinds of values (filled by `_text_plan`)."""
    found = _DIGEST_PLANS.get(shape)
    if found is None:
        names = sorted(name for name in shape if name != "ref" and name != "code")
        getter = operator.itemgetter(*names) if len(names) > 1 else lambda values: tuple(values[n] for n in names)
        found = (names, getter, {})
        if len(_DIGEST_PLANS) < 256:  # a JSON file may give each row its own keys: the cache stays small
            _DIGEST_PLANS[shape] = found
    return found


def digest_cells(model: str, names: list[str], plans: dict[Any, Any], cells: tuple[Any, ...]) -> str:
    """`digest_text` of a row given as its values of `names` (see `digest_plan`), in that order."""
    kinds = (model, *map(type, cells))
    plan = plans.get(kinds, _MISSING)
    if plan is _MISSING:
        plan = _text_plan(model, names, kinds[1:])
        if len(plans) < 64:
            plans[kinds] = plan
    if plan is not None:
        template, texts, numbers, lists = plan
        try:
            return template.format(*map(_QUOTE, texts(cells)), *numbers(cells),
                                   *[",".join(map(_QUOTE, cells[position])) for position in lists])
        except TypeError:  # a list of something else than texts
            pass
    return _ENCODE([model, list(zip(names, cells))])


def digest_column_texts(model: str, names: list[str], plans: dict[Any, Any], columns: list[list[Any]]) -> list[str]:
    """`digest_cells` of each row of a batch given as its columns (the values of `names`, in order): the
    rows grouped by their kinds of values, each group's template filled column by column."""
    kinds_of_rows = list(zip(*[map(type, column) for column in columns]))
    groups: dict[tuple[type, ...], list[int]] = {}
    for index, kinds in enumerate(kinds_of_rows):
        groups.setdefault(kinds, []).append(index)
    texts: list[str] = [""] * len(kinds_of_rows)
    for kinds, indices in groups.items():
        plan = plans.get((model, *kinds), _MISSING)
        if plan is _MISSING:
            plan = _text_plan(model, names, kinds)
            if len(plans) < 64:
                plans[(model, *kinds)] = plan
        whole = len(indices) == len(texts)
        values = [column if whole else [column[index] for index in indices] for column in columns]
        try:
            if plan is None:
                raise TypeError
            template = plan[0]
            fillers = [list(map(_QUOTE, values[position])) for position, kind in enumerate(kinds) if kind is str]
            fillers += [values[position] for position, kind in enumerate(kinds) if kind is int]
            fillers += [[",".join(map(_QUOTE, items)) for items in values[position]]
                        for position, kind in enumerate(kinds) if kind is tuple]
            made = list(map(template.format, *fillers)) if fillers else [template.format()] * len(indices)
        except TypeError:  # another kind of value, or a list of something else than texts: row by row
            made = [digest_cells(model, names, plans, cells) for cells in zip(*values)]
        for index, text in zip(indices, made):
            texts[index] = text
    return texts


def _text_plan(model: str, names: list[str], kinds: tuple[type, ...]) -> tuple[str, Any, Any, list[int]] | None:
    """The digest text of rows whose values are of these kinds, as a `str.format` template and what
    fills it: the texts quoted, the whole numbers, each list of texts joined. None for other kinds."""
    if any(kind not in (str, int, _NONE, tuple) for kind in kinds):
        return None
    texts = [position for position, kind in enumerate(kinds) if kind is str]
    numbers = [position for position, kind in enumerate(kinds) if kind is int]
    lists = [position for position, kind in enumerate(kinds) if kind is tuple]
    slots = {position: number for number, position in enumerate(texts + numbers + lists)}

    def literal(value: str) -> str:
        return _ENCODE(value).replace("{", "{{").replace("}", "}}")

    pairs = []
    for position, (name, kind) in enumerate(zip(names, kinds)):
        slot = "null" if kind is _NONE else f"[{{{slots[position]}}}]" if kind is tuple else f"{{{slots[position]}}}"
        pairs.append(f"[{literal(name)},{slot}]")
    return f"[{literal(model)},[{','.join(pairs)}]]", _picker(texts), _picker(numbers), lists


def _picker(positions: list[int]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """A getter of the values at these positions, always as a tuple."""
    if len(positions) > 1:
        return operator.itemgetter(*positions)
    return lambda cells: tuple(cells[position] for position in positions)


def identity_payload(values: dict[str, Any]) -> str | None:
    """The text `records.identity.seal_identity` seals for a parsed row's values (None: nothing to
    seal), without building the dataclass and `asdict`-copying it for every row (a fifth of an
    import's time), nor a dict for the encoder when the fields are texts."""
    get = values.get
    return identity_text(get("legal_name"), get("hangul_name"), get("aliases"), get("contact"), get("whereabouts"))


def identity_text(legal_name: Any, hangul_name: Any, aliases: Any, contact: Any, whereabouts: Any) -> str | None:
    """`identity_payload` of a row's sealed fields given one by one."""
    if not (legal_name or hangul_name or aliases or contact or whereabouts):
        return None
    if aliases is None or type(aliases) is tuple:
        try:  # the keys in SEALED_FIELDS' order, as `_SEALED_ENCODE` writes them
            return _IDENTITY_TEXT.format("null" if legal_name is None else _QUOTE(legal_name),
                                         "null" if hangul_name is None else _QUOTE(hangul_name),
                                         ", ".join(map(_QUOTE, aliases or ())),
                                         "null" if contact is None else _QUOTE(contact),
                                         "null" if whereabouts is None else _QUOTE(whereabouts))
        except TypeError:  # a field that is not a text
            pass
    # A tuple of aliases is written as the list it would be.
    return _SEALED_ENCODE({"legal_name": legal_name, "hangul_name": hangul_name, "aliases": aliases or (),
                           "contact": contact, "whereabouts": whereabouts})


_IDENTITY_TEXT = '{{"legal_name": {}, "hangul_name": {}, "aliases": [{}], "contact": {}, "whereabouts": {}}}'


def seal_identity_values(sealer: Sealer, code: str, values: dict[str, Any]) -> bytes | None:
    """What `records.identity.seal_identity` writes for a parsed row's values."""
    payload = identity_payload(values)
    return None if payload is None else sealer.seal(payload, identity_context(code))
