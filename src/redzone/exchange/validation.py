"""One row against the layout: every cell read to its type and checked against the vocabulary, then
the rules that tie columns together (the same rules `records/entry.py` applies to one record). The
inverse, `cell_text` / `json_value`, is in `layout`: what the exporter writes the importer reads back."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from redzone.exchange.layout import LAYOUTS, LIST_SEPARATOR, RECORD_TYPE_COLUMN, Column, RecordLayout
from redzone.exchange.spreadsheet import unescape
from redzone.records.entry import SOURCE_LANGUAGES, today_utc
from redzone.vocab import load_vocabulary

_REF = re.compile(r"^[^;@\s](?:[^;@]*[^;@\s])?$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_SPAN = re.compile(r"^(\d{1,9})-(\d{1,9})$")
# Kinds whose reading depends on the text alone (no references): repeated cells are read once.
_MEMO_KINDS = frozenset({"term", "violation", "place", "integer", "decimal", "organisation", "date", "text"})
_MEMO_SIZE = 4096
_MEMO_CELL = 1000  # longest cell text kept in a memo (memory stays bounded whatever the file holds)
_MISSING = object()
_PLAIN, _MEMO, _ONE, _GENERAL, _TEXTS, _OWN_REF = range(6)


# What `RowParser.parse_columns` reads from a batch: column names, their values, rows' references.
ReadColumns = tuple[list[str], list[list[Any]], "list[list[tuple[str, str, str]]] | None"]


class CellError(ValueError):
    """A cell that cannot be read as its column's type; the message is shown to the user."""


@dataclass(slots=True)
class ParsedRow:
    """A row read into typed values (only the columns the file has), its references and its faults."""

    values: dict[str, Any]
    problems: list[tuple[str, str]] = field(default_factory=list)
    references: list[tuple[str, str, str]] = field(default_factory=list)  # (column, record type, ref)
    ref: str | None = None  # values["ref"], kept apart: the writer asks for it many times a row


def unknown_columns(layout: RecordLayout, columns: list[str]) -> list[tuple[str, str]]:
    """Header faults: unknown, repeated or missing required columns."""
    problems, seen = [], set()
    known = set(layout.names) | {RECORD_TYPE_COLUMN}
    for name in columns:
        if name in seen:
            problems.append((name or "(blank)", "appears twice in the header"))
        elif name not in known:
            problems.append((name or "(blank)", f"is not a column of {layout.record_type}; expected "
                                                f"{', '.join(layout.names)}"))
        seen.add(name)
    problems += [(name, "required column is missing") for name in layout.required if name not in seen]
    return problems


class RowParser:
    """Parses rows of one record type; keeps small caches (places, codes) across rows."""

    def __init__(self, layout: RecordLayout, spreadsheet: bool) -> None:
        self.layout = layout
        self.spreadsheet = spreadsheet  # CSV and XLSX cells carry the exporter's formula escape
        self.vocabulary = load_vocabulary()
        self._places: dict[str, str | CellError] = {}
        self._terms = {name: {code.casefold(): code for code in terms} for name, terms in self.vocabulary.lists.items()}
        self._roles = {code.casefold(): code for code in self.vocabulary.roles}
        self._this_year = dt.date.today().year
        self._today = today_utc()
        # How each column's cells are read: PLAIN single-valued free text, kept as it is; TEXTS a list of
        # free texts; MEMO cells whose reading depends on the cell alone, read once per distinct cell (as
        # it stands in the file, before trimming); OWN_REF a row's own ref; ONE the other single values.
        self._plan: dict[str, tuple[Column, int, dict[str, Any] | None]] = {}
        for column in layout.columns:
            if column.many and column.kind == "text":
                self._plan[column.name] = (column, _TEXTS, None)
            elif column.many:
                self._plan[column.name] = (column, _GENERAL, None)
            elif column.kind == "text" and column.name != "language":
                self._plan[column.name] = (column, _PLAIN, None)
            elif column.kind in _MEMO_KINDS:
                self._plan[column.name] = (column, _MEMO, {})
            elif column.kind == "ref" and not column.target:
                self._plan[column.name] = (column, _OWN_REF, None)
            else:
                self._plan[column.name] = (column, _ONE, None)
        self._required = layout.required
        self._rules = getattr(self, f"_rules_{layout.model}")

    def parse(self, raw: dict[str, Any], check_columns: bool = False) -> ParsedRow:
        values: dict[str, Any] = {}
        row = ParsedRow(values)
        problems = row.problems
        if check_columns:
            problems += unknown_columns(self.layout, [c for c in raw if c != RECORD_TYPE_COLUMN])
        plan, escaped = self._plan, self.spreadsheet
        for name, value in raw.items():
            planned = plan.get(name)
            if planned is None:
                continue
            if value is None or value == "":
                values[name] = None
                continue
            column, mode, memo = planned
            if memo is not None and type(value) is str:
                value = memo.get(value, _MISSING)
                if value is _MISSING:
                    value = self._read_once(column, raw[name], row)
                    if len(memo) < _MEMO_SIZE and len(raw[name]) <= _MEMO_CELL:  # a huge cell is not kept
                        memo[raw[name]] = value
                if type(value) is CellError:
                    problems.append((name, str(value)))
                else:
                    values[name] = value
                continue
            if mode == _GENERAL or type(value) is not str:
                try:
                    values[name] = self._cell(column, value, row)
                except CellError as error:
                    problems.append((name, str(error)))
                continue
            text = value.strip()  # the common case: one value given as text
            if escaped and text[:1] == "'":
                text = unescape(text)
            if len(text) > column.max_length:
                problems.append((name, f"is {len(text):,} characters long; at most {column.max_length:,} allowed"))
            elif not text:
                values[name] = None
            elif mode == _PLAIN:
                values[name] = text
            elif mode == _OWN_REF:  # what `_one` does with a ref that points nowhere, without its dispatch
                if _REF.match(text):
                    values[name] = text
                else:
                    problems.append((name, f"{text[:40]!r} is not a usable ref (no ';', '@' or surrounding spaces)"))
            elif mode == _TEXTS:  # what `_cell` makes of a list of free texts, without its general path
                items = tuple(filter(None, map(str.strip, text.split(LIST_SEPARATOR))))
                if not items:
                    values[name] = None
                elif len(set(items)) != len(items):
                    problems.append((name, "lists the same item twice"))
                else:
                    values[name] = items
            else:
                try:
                    values[name] = self._one(column, text, row)
                except CellError as error:
                    problems.append((name, str(error)))
        for name in self._required:
            if name in raw and values.get(name) is None and not any(c == name for c, _ in problems):
                problems.append((name, "is required"))
        self._rules(row)
        row.ref = values.get("ref")
        return row

    def parse_batch(self, names: list[str], rows: list[list[str]]) -> list[ParsedRow] | None:
        """`parse` of each row of a batch of CSV cells (each row as many cells as `names`), read column by
        column (see `parse_columns`), a row's dict made once. For batches without faults: None as soon as
        a cell has one (or may have), and the caller then parses the batch row by row, which names every
        problem as `parse` does."""
        if not rows:
            return []
        read = self.parse_columns(names, rows)
        return None if read is None else self.rows_of(read, len(rows))

    def rows_of(self, read: ReadColumns, count: int) -> list[ParsedRow]:
        """The `count` rows of what `parse_columns` read, the rules across columns applied to each."""
        keys, columns, references = read
        rules = self._rules
        parsed = []
        for row_values, found in zip(zip(*columns) if columns else [()] * count, references or [None] * count):
            values = dict(zip(keys, row_values))
            row = ParsedRow(values, [], found or [], values.get("ref"))  # no rule changes a ref
            rules(row)
            parsed.append(row)
        return parsed

    def parse_columns(self, names: list[str], rows: list[list[str]]) -> ReadColumns | None:
        """A batch of CSV cells read column by column: a column's distinct cells read once between them,
        its texts trimmed and measured in one pass. The layout's columns the file has, their values, and
        each row's references (None when no column points to a record); None if a cell has a fault (or
        may have). The rules across columns are not applied here."""
        plan = self._plan
        known = [(index, name, plan[name]) for index, name in enumerate(names) if name in plan]
        columns = list(zip(*rows))
        read: list[list[Any]] = []
        references: list[list[tuple[str, str, str]]] | None = None
        for index, name, (column, mode, memo) in known:
            cells = columns[index]
            if memo is not None:
                values = self._memo_column(column, memo, cells)
            elif mode == _PLAIN or mode == _OWN_REF or mode == _TEXTS:
                values = self._text_column(column, mode, cells)
            else:
                if references is None:
                    references = [[] for _ in rows]
                values = self._pointing_column(column, mode, cells, references)
            if values is None:
                return None
            read.append(values)
        keys = [name for _, name, _ in known]
        for name in self._required:
            if name in keys and None in read[keys.index(name)]:
                return None
        return keys, read, references

    def _memo_column(self, column: Column, memo: dict[str, Any], cells: tuple[str, ...]) -> list[Any] | None:
        """A MEMO column's readings, each distinct cell read once (and kept, within the memo's bounds)."""
        fresh = {}
        for cell in set(cells).difference(memo):
            fresh[cell] = value = self._read_once(column, cell, ParsedRow({}))  # MEMO kinds point nowhere
            if len(memo) < _MEMO_SIZE and len(cell) <= _MEMO_CELL:
                memo[cell] = value
        if any(cell not in memo for cell in fresh):  # some not kept: looked up where they are
            values = list(map(fresh.get, cells, map(memo.get, cells)))
        else:
            values = list(map(memo.__getitem__, cells))
        return None if CellError in map(type, values) else values

    def _text_column(self, column: Column, mode: int, cells: tuple[str, ...]) -> list[Any] | None:
        """A column of free text (PLAIN, TEXTS) or of the rows' own refs."""
        texts = list(map(str.strip, cells))
        if self.spreadsheet:  # the formula escape, undone only where a text begins with an apostrophe
            joined = "\n".join(texts)
            if joined[:1] == "'" or "\n'" in joined:
                texts = [unescape(text) if text[:1] == "'" else text for text in texts]
        if texts and max(map(len, texts)) > column.max_length:
            return None
        if mode == _PLAIN:
            return [text or None for text in texts]
        if mode == _OWN_REF:
            return [text or None for text in texts] if all(map(_REF.match, filter(None, texts))) else None
        values: list[Any] = []
        for text in texts:
            if LIST_SEPARATOR not in text:
                values.append((text,) if text else None)
                continue
            items = tuple(filter(None, map(str.strip, text.split(LIST_SEPARATOR))))
            if len(set(items)) != len(items):
                return None
            values.append(items or None)
        return values

    def _pointing_column(self, column: Column, mode: int, cells: tuple[str, ...],
                         references: list[list[tuple[str, str, str]]]) -> list[Any] | None:
        """A column read cell by cell as `parse` reads it (refs to other records, lists of them), the
        references found added to each row's."""
        values: list[Any] = []
        row = ParsedRow({})
        try:
            for cell, found in zip(cells, references):
                row.references = found
                if cell == "":
                    values.append(None)
                elif mode == _GENERAL:
                    values.append(self._cell(column, cell, row))
                else:
                    text = cell.strip()
                    if self.spreadsheet and text[:1] == "'":
                        text = unescape(text)
                    if len(text) > column.max_length:
                        return None
                    values.append(self._one(column, text, row) if text else None)
        except CellError:
            return None
        return values

    def _read_once(self, column: Column, value: str, row: ParsedRow) -> Any:
        """A MEMO cell read from its text as the file has it: the value, None, or the CellError to report."""
        text = value.strip()
        if self.spreadsheet and text[:1] == "'":
            text = unescape(text)
        if len(text) > column.max_length:
            return CellError(f"is {len(text):,} characters long; at most {column.max_length:,} allowed")
        if not text:
            return None
        try:
            return self._one(column, text, row)
        except CellError as error:
            return error

    # cells ------------------------------------------------------------------------------------------

    def _cell(self, column: Column, value: Any, row: ParsedRow) -> Any:
        items = self._items(column, value)
        if items is None:
            return None
        if column.many:
            parsed = tuple(self._one(column, item, row) for item in items)
            # Two perpetrators in the same role ("broker;broker": two unnamed brokers) are two people.
            if column.kind != "perpetrators" and len(set(parsed)) != len(parsed):
                raise CellError("lists the same item twice")
            return parsed
        return self._one(column, items[0], row)

    def _items(self, column: Column, value: Any) -> list[Any] | None:
        if isinstance(value, list):
            if not column.many:
                raise CellError("must be a single value, not a list")
            texts = [self._text(column, item, escaped=False) for item in value]
            if any(t is not None and LIST_SEPARATOR in t for t in texts):
                raise CellError(f"list items must not contain {LIST_SEPARATOR!r}")
            items = [t for t in texts if t is not None]
            return items or None
        if column.kind == "date" and isinstance(value, (dt.datetime, dt.date)):
            return [value]
        text = self._text(column, value, escaped=self.spreadsheet)
        if text is None:
            return None
        if column.many:
            items = [item.strip() for item in text.split(LIST_SEPARATOR) if item.strip()]
            return items or None
        return [text]

    def _text(self, column: Column, value: Any, escaped: bool) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool):
            raise CellError("must not be true/false")
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise CellError("is not a finite number")
            return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
        if isinstance(value, dt.datetime):
            return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value).strip()
        if escaped:
            text = unescape(text)
        if len(text) > column.max_length:
            raise CellError(f"is {len(text):,} characters long; at most {column.max_length:,} allowed")
        return text or None

    def _one(self, column: Column, item: Any, row: ParsedRow) -> Any:
        kind = column.kind
        if kind == "date":
            return self._date(item)
        text: str = item
        if kind == "ref":
            if not _REF.match(text):
                raise CellError(f"{text[:40]!r} is not a usable ref (no ';', '@' or surrounding spaces)")
            if column.target:
                row.references.append((column.name, column.target, text))
            return text
        if kind in ("code", "organisation"):
            if not _CODE.match(text):
                raise CellError(f"{text[:40]!r} may hold only letters, digits, '-', '_' and '.'")
            return text
        if kind == "text":
            if column.name == "language":
                language = text.casefold()
                if language not in SOURCE_LANGUAGES:
                    raise CellError(f"{text[:40]!r} is not a language of the vocabulary "
                                    f"({', '.join(SOURCE_LANGUAGES)})")
                return language
            return text
        if kind == "term":
            code = self._terms[column.vocabulary or ""].get(text.casefold())
            if code is None:
                terms = self.vocabulary.lists[column.vocabulary or ""]
                raise CellError(f"{text[:40]!r} is not in the vocabulary's {column.vocabulary} ({', '.join(terms)})")
            return code
        if kind == "violation":
            if text not in self.vocabulary.violations:
                raise CellError(f"{text[:60]!r} is not a violation code of the vocabulary")
            return text
        if kind == "place":
            return self._place(text)
        if kind == "integer":
            return self._integer(column, text)
        if kind == "decimal":
            return self._decimal(column, text)
        if kind == "refs":
            if not _REF.match(text):
                raise CellError(f"{text[:40]!r} is not a usable ref")
            row.references.append((column.name, column.target or "", text))
            return text
        if kind == "perpetrators":
            return self._perpetrator(column, text, row)
        if kind == "attestations":
            return self._attestation(column, text, row)
        raise AssertionError(kind)

    def _date(self, item: Any) -> tuple[dt.date, str]:
        if isinstance(item, dt.datetime):
            item = item.date()
        if isinstance(item, dt.date):
            value, precision = item, "day"
        else:
            match = _DATE.match(item)
            if not match:
                raise CellError(f"{item[:40]!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
            year, month, day = (int(part) if part else None for part in match.groups())
            precision = "day" if day else "month" if month else "year"
            try:
                value = dt.date(year, month or 1, day or 1)  # type: ignore[arg-type]
            except ValueError:
                raise CellError(f"{item!r} is not a calendar date") from None
        if value.year < 1900:
            raise CellError(f"{value.isoformat()} is before 1900")
        if value > self._today:  # a source, an event (its range's end too) or a consent not yet come
            raise CellError(f"{value.isoformat()} is later than today ({self._today.isoformat()}, UTC)")
        return value, precision

    def _place(self, text: str) -> str:
        cached = self._places.get(text)
        if cached is None:
            if text in self.vocabulary.places:
                cached = text
            else:
                found = self.vocabulary.find_places(text)
                if len(found) == 1:
                    cached = found[0].id
                elif found:
                    cached = CellError(f"{text[:40]!r} names several places ({', '.join(p.id for p in found[:5])}); "
                                       "give the id")
                else:
                    cached = CellError(f"{text[:40]!r} is not a gazetteer place id or name")
            if len(self._places) < 10_000:
                self._places[text] = cached
        if isinstance(cached, CellError):
            raise cached
        return cached

    def _integer(self, column: Column, text: str) -> int:
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError(f"{text[:40]!r} is not a whole number") from None
        if not number.is_finite() or number != number.to_integral_value():
            raise CellError(f"{text[:40]!r} is not a whole number")
        value = int(number)
        upper = self._this_year if column.maximum is None else column.maximum
        if column.minimum is not None and value < column.minimum or value > upper:
            raise CellError(f"{value} is not between {column.minimum} and {upper}")
        return value

    def _decimal(self, column: Column, text: str) -> float:
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError(f"{text[:40]!r} is not a number") from None
        if not number.is_finite():
            raise CellError("is not a finite number")
        if number.as_tuple().exponent < -2:  # type: ignore[operator]
            raise CellError(f"{text[:40]!r} has more than 2 decimals")
        if column.minimum is not None and number < column.minimum or number > (column.maximum or 10**15):
            raise CellError(f"{text[:40]!r} is out of range")
        return float(number)

    def _perpetrator(self, column: Column, text: str, row: ParsedRow) -> tuple[str, str | None, str | None]:
        role_text, _, target = text.partition("@")
        role = self._roles.get(role_text.strip().casefold())
        if role is None:
            raise CellError(f"{role_text[:40]!r} is not a perpetrator role ({', '.join(self.vocabulary.roles)})")
        if not target:
            return role, None, None
        kind, _, ref = target.partition(":")
        kind = kind.strip().lower()
        if kind not in ("group", "person") or not _REF.match(ref.strip()):
            raise CellError(f"{text[:60]!r}: write ROLE, ROLE@group:REF or ROLE@person:REF")
        row.references.append((column.name, f"{kind}s", ref.strip()))
        return role, f"{kind}s", ref.strip()

    def _attestation(self, column: Column, text: str, row: ParsedRow) -> tuple[str, int | None, int | None]:
        ref, _, span = text.partition("@")
        ref = ref.strip()
        if not _REF.match(ref):
            raise CellError(f"{text[:40]!r} is not a usable {(column.target or 'sources')[:-1]} ref")
        start = end = None
        if span:
            match = _SPAN.match(span.strip())
            if not match or int(match.group(2)) <= int(match.group(1)):
                raise CellError(f"{text[:60]!r}: the span must be START-END with 0 ≤ START < END")
            start, end = int(match.group(1)), int(match.group(2))
        row.references.append((column.name, column.target or "sources", ref))
        return ref, start, end

    # rules across columns (as in records/entry.py) ----------------------------------------------------

    def _rules_group(self, row: ParsedRow) -> None:
        pass

    def _rules_event(self, row: ParsedRow) -> None:
        values = row.values
        start, end = values.get("date_start"), values.get("date_end")
        if "date_precision" in values or "date_start" in values:
            precision = values.get("date_precision") or (start[1] if start else "unknown")
            values["date_precision"] = precision
            if precision != "unknown" and start is None:
                row.problems.append(("date_start", f"is required when date_precision is {precision!r}"))
            if precision == "range" and end is None:
                row.problems.append(("date_end", "is required when date_precision is 'range'"))
        if start and end and end[0] < start[0]:
            row.problems.append(("date_end", "is before date_start"))

    def _rules_person(self, row: ParsedRow) -> None:
        low, high = row.values.get("birth_year_min"), row.values.get("birth_year_max")
        if low is not None and high is not None and low > high:
            row.problems.append(("birth_year_max", "is before birth_year_min"))
        if len(row.values.get("event_refs") or ()) > 500:
            row.problems.append(("event_refs", "a journey of more than 500 events"))

    def _rules_source(self, row: ParsedRow) -> None:
        values = row.values
        if values.get("consent_scopes") and values.get("kind") != "interview" and not values.get("interviewee_ref"):
            row.problems.append(("consent_scopes", "consent is recorded for interviews (or a named interviewee) only"))

    def _rules_act(self, row: ParsedRow) -> None:
        values = row.values
        if (values.get("price_amount") is None) != (values.get("price_currency") is None) and not any(
                c in ("price_amount", "price_currency") for c, _ in row.problems):
            row.problems.append(("price_currency", "a price needs both an amount and a currency"))


def layout_for(record_type: str) -> RecordLayout:
    return LAYOUTS[record_type]
