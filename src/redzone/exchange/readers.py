"""Reading import files as streams of rows, never whole: CSV (UTF-8 with or without a byte-order mark,
or a declared encoding), XLSX (openpyxl, read-only), JSON (one array, or JSON lines, parsed
incrementally) and ZIP archives of CSV files (what `redzone export --all --format csv` writes).

Memory is bounded by the largest row (`MAX_ROW_BYTES`), not by the file. Nothing here raises on bad
input: every fault becomes a `Row.problems` entry (column, message) so that the importer can list
them all with their row.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any

from redzone.exchange.layout import record_type_from_name

MAX_ROW_BYTES = 8 * 1024 * 1024
MAX_UNZIPPED_BYTES = 2 * 1024**3  # a workbook or archive larger than this unpacked is refused (zip bombs)
MAX_SHARED_STRINGS = 256 * 1024**2  # openpyxl holds an XLSX's shared strings in memory
BATCH_ROWS = 1000
BATCH_CHARACTERS = 1 << 20  # a batch of long rows ends early: memory stays bounded by the longest rows
ROW = "(row)"  # the pseudo-column of problems that concern a whole row
FILE = "(file)"
FORMATS = ("csv", "xlsx", "json", "zip")
Opener = Callable[[], IO[bytes]]

_NOT_TEXT = re.compile(r"[\udc80-\udcff]")  # bytes the decoder could not read, kept as surrogates
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Anything `cell_problem` could object to: one search over a whole row spares most rows the per-cell check.
_SUSPECT = re.compile(r"[\udc80-\udcff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TOO_LONG = "\x00row-too-long\x00"
csv.field_size_limit(MAX_ROW_BYTES)


@dataclass
class Row:
    """One record as read: its row number as the user sees it, its cells by column, and read faults."""

    number: int
    values: dict[str, Any]
    problems: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Table:
    """A run of rows with one header: a CSV file, a sheet, an archive member, a JSON file."""

    label: str  # how problems name it: "persons.csv", "export.xlsx[acts]"
    hint: str | None  # the record type its name suggests
    rows: Callable[[], Iterator[Row]]
    header: list[str] | None = None  # None for JSON, whose objects name their own keys
    problems: list[tuple[str, str]] = field(default_factory=list)  # header faults (row 1)
    ignored: bool = False  # a sheet or member that holds no records (reported, not read)
    # CSV only: `rows` in batches (BATCH_ROWS rows, or fewer holding BATCH_CHARACTERS), each row as (row
    # number, cells, read faults) before its cells are put in a dict: as many cells as the header has
    # columns, None once a fault stops the reading.
    cell_batches: Callable[[], Iterator[list[tuple[int, list[str] | None, list[tuple[str, str]]]]]] | None = None


def detect_format(name: str) -> str | None:
    suffix = PurePath(name.removesuffix(".age")).suffix.lower().lstrip(".")
    return {"jsonl": "json", "ndjson": "json", "xlsm": "xlsx"}.get(suffix, suffix if suffix in FORMATS else None)


def normalise_header(name: Any) -> str:
    return re.sub(r"\s+", "_", str(name if name is not None else "").strip().lstrip("\ufeff").lower())


def cell_problem(value: str) -> str | None:
    """Why a cell's text cannot be stored, if it cannot."""
    if value.isascii() and value.isprintable():
        return None
    if value == _TOO_LONG:
        return f"row longer than {MAX_ROW_BYTES // 1024 // 1024} MiB"
    if _NOT_TEXT.search(value):
        return "holds bytes that are not text in the file's encoding (save it as UTF-8, or pass --encoding)"
    if _CONTROL.search(value):
        return "holds control characters (binary data?)"
    return None


def open_tables(opener: Opener, name: str, fmt: str, encoding: str | None = None) -> Iterator[Table]:
    """The tables of a file; each table's `rows()` can be read again for a second pass."""
    if fmt == "csv":
        yield _csv_table(opener, name, name, encoding)
    elif fmt == "json":
        yield Table(name, record_type_from_name(name), lambda: _json_rows(opener))
    elif fmt == "xlsx":
        yield from _xlsx_tables(opener, name)
    elif fmt == "zip":
        yield from _zip_tables(opener, name, encoding)
    else:
        raise ValueError(f"unknown format {fmt!r}")


# CSV ------------------------------------------------------------------------------------------------

def _csv_table(opener: Opener, label: str, name: str, encoding: str | None) -> Table:
    table = Table(label, record_type_from_name(name), lambda: iter(()))
    with opener() as stream:
        header_rows = _csv_records(stream, encoding)
        first = next(header_rows, None)
    if first is not None and first.problems:
        table.problems.extend(first.problems)
        return table
    if first is None or not any(cell.strip() for cell in first.values[""]):
        table.problems.append((FILE, "is empty or has no header row"))
        return table
    table.header = [normalise_header(cell) for cell in first.values[""]]
    while table.header and table.header[-1] == "":
        table.header.pop()

    def cell_batches() -> Iterator[list[tuple[int, list[str] | None, list[tuple[str, str]]]]]:
        header = table.header or []
        width = len(header)
        with opener() as stream:
            records, fault = _csv_reader(stream, encoding)
            if records is None:
                yield [(1, None, fault)]
                return
            batch: list[tuple[int, list[str] | None, list[tuple[str, str]]]] = []
            number = size = 0
            try:
                for cells in records:
                    number += 1
                    if number == 1:  # the header
                        continue
                    joined = "".join(cells)
                    if not joined or joined.isspace():  # what `not joined.strip()` says, without a copy
                        continue  # blank rows are common at the end of spreadsheets
                    problems: list[tuple[str, str]] = []
                    if len(cells) != width:
                        if any(cell.strip() for cell in cells[width:]):
                            problems.append((ROW, f"has {len(cells)} cells but the header has {width} columns"))
                        cells = cells[:width] if len(cells) > width else cells + [""] * (width - len(cells))
                    if not joined.isprintable() and _SUSPECT.search(joined):  # the first, 2-3x quicker
                        for column, value in dict(zip(header, cells)).items():
                            if (problem := cell_problem(value)) is not None:
                                problems.append((column, problem))
                    batch.append((number, cells, problems))
                    size += len(joined)
                    if len(batch) >= BATCH_ROWS or size >= BATCH_CHARACTERS:
                        yield batch
                        batch, size = [], 0
            except csv.Error as exc:
                batch.append((number + 1, None, [(ROW, f"cannot be read as CSV ({exc}); reading stops here")]))
            if batch:
                yield batch

    def rows() -> Iterator[Row]:
        header = table.header or []
        for batch in cell_batches():
            for number, cells, problems in batch:
                yield Row(number, {} if cells is None else dict(zip(header, cells)), problems)

    table.rows = rows
    table.cell_batches = cell_batches
    return table


def _csv_records(stream: IO[bytes], encoding: str | None) -> Iterator[Row]:
    """Raw CSV records as Row(number, {"": cells}); a fatal fault ends the stream with a Row without cells."""
    for number, cells, fault in _csv_cells(stream, encoding):
        yield Row(number, {}, fault) if cells is None else Row(number, {"": cells})


def _csv_cells(stream: IO[bytes], encoding: str | None) -> Iterator[tuple[int, Any, Any]]:
    """Raw CSV records as (row number, cells, None); a fatal fault ends the stream with (number, None, [fault])."""
    reader, fault = _csv_reader(stream, encoding)
    if reader is None:
        yield 1, None, fault
        return
    number = 0
    try:
        for cells in reader:
            number += 1
            yield number, cells, None
    except csv.Error as exc:
        yield number + 1, None, [(ROW, f"cannot be read as CSV ({exc}); reading stops here")]


def _csv_reader(stream: IO[bytes], encoding: str | None) -> tuple[Any, list[tuple[str, str]]]:
    """A CSV reader of the stream's records, or None and the fault that keeps it from being read."""
    if not hasattr(stream, "peek"):
        stream = io.BufferedReader(stream)  # type: ignore[arg-type]
    start = stream.peek(4)[:4]  # type: ignore[attr-defined]
    if start[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return None, [(FILE, "is UTF-16; save it as CSV UTF-8")]
    if start[:3] == codecs.BOM_UTF8:
        stream.read(3)
    try:
        info = codecs.lookup(encoding or "utf-8")
    except LookupError:
        return None, [(FILE, f"unknown encoding {encoding!r}")]
    return csv.reader(_lines(stream, info), strict=False), []


def _lines(stream: IO[bytes], info: codecs.CodecInfo) -> Iterator[str]:
    # UTF-8 decodes line by line: a line ends at a newline byte, which no multi-byte character holds.
    # Other encodings go through an incremental decoder, which carries a character cut by a line's end.
    whole = info.name == "utf-8"
    decode = info.incrementaldecoder("surrogateescape").decode
    while raw := stream.readline(MAX_ROW_BYTES + 1):
        if len(raw) > MAX_ROW_BYTES and not raw.endswith(b"\n"):
            while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
            yield _TOO_LONG + "\n"
            continue
        yield raw.decode("utf-8", "surrogateescape") if whole else decode(raw)
    if not whole and (tail := decode(b"", final=True)):
        yield tail


# JSON -----------------------------------------------------------------------------------------------

def _json_rows(opener: Opener) -> Iterator[Row]:
    """Objects of a JSON array, or of JSON lines; row number = the object's position (1 = first)."""
    decoder = json.JSONDecoder()
    with opener() as stream:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape")
        buffer, position, at_end, number = "", 0, False, 0
        mode: str | None = None

        def fill() -> bool:
            nonlocal buffer, position, at_end
            chunk = text.read(1 << 16)
            buffer, position = buffer[position:] + chunk, 0
            at_end = not chunk
            return bool(chunk)

        def skip_space() -> str:
            nonlocal position
            while True:
                while position < len(buffer) and buffer[position] in " \t\r\n":
                    position += 1
                if position < len(buffer) or not fill():
                    return buffer[position] if position < len(buffer) else ""

        try:
            first = skip_space()
            if first == "[":
                mode, position = "array", position + 1
            elif first == "{":
                mode = "lines"
            elif first:
                yield Row(1, {}, [(FILE, "is not a JSON array of objects nor JSON lines")])
                return
            while True:
                char = skip_space()
                if mode == "array" and number == 0 and char == "]":
                    return
                if char == "" or (mode == "array" and char == "]" and number > 0):
                    if mode == "array" and char == "":
                        yield Row(number + 1, {}, [(FILE, "ends before the closing ']'")])
                    return
                number += 1
                while True:
                    try:
                        value, end = decoder.raw_decode(buffer, position)
                        break
                    except json.JSONDecodeError as exc:
                        if at_end or len(buffer) - position > MAX_ROW_BYTES or not fill():
                            if len(buffer) - position > MAX_ROW_BYTES:
                                message = f"longer than {MAX_ROW_BYTES // 1024 // 1024} MiB"
                            else:
                                message = f"is not valid JSON ({exc.msg})"
                            yield Row(number, {}, [(ROW, message + "; reading stops here")])
                            return
                position = end
                yield _json_row(number, value)
                if mode == "array":
                    char = skip_space()
                    if char == ",":
                        position += 1
                    elif char != "]":
                        yield Row(number, {}, [(ROW, "is not followed by ',' or ']'; reading stops here")])
                        return
        except (RecursionError, ValueError) as exc:
            yield Row(number or 1, {}, [(ROW, f"is not valid JSON ({exc.__class__.__name__}); reading stops here")])


def _json_row(number: int, value: Any) -> Row:
    row = Row(number, {})
    if not isinstance(value, dict):
        row.problems.append((ROW, f"is a JSON {type(value).__name__}, not an object"))
        return row
    for key, cell in value.items():
        column = normalise_header(key)
        if column in row.values:
            row.problems.append((column, "appears twice"))
        if isinstance(cell, dict) or (isinstance(cell, list) and not all(
                isinstance(item, (str, int, float)) and not isinstance(item, bool) for item in cell)):
            row.problems.append((column, "must be text, a number or a list of them"))
            continue
        texts = cell if isinstance(cell, list) else [cell]
        for text in texts:
            if isinstance(text, str) and (problem := cell_problem(text)) is not None:
                row.problems.append((column, problem))
                break
        row.values[column] = cell
    return row


# XLSX and ZIP ---------------------------------------------------------------------------------------

def _unzip_guard(opener: Opener, name: str, shared_strings: bool = False) -> str | None:
    try:
        with opener() as stream, zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return f"is not a readable {'XLSX workbook' if shared_strings else 'ZIP archive'}"
    if sum(member.file_size for member in members) > MAX_UNZIPPED_BYTES:
        return f"unpacks to more than {MAX_UNZIPPED_BYTES // 1024**3} GiB; split it"
    if shared_strings and any(m.filename.endswith("sharedStrings.xml") and m.file_size > MAX_SHARED_STRINGS
                              for m in members):
        return (f"holds more than {MAX_SHARED_STRINGS // 1024**2} MiB of text in its shared strings (read whole "
                "into memory); split it or use CSV")
    return None


def _xlsx_tables(opener: Opener, name: str) -> Iterator[Table]:
    if (problem := _unzip_guard(opener, name, shared_strings=True)) is not None:
        yield Table(name, None, lambda: iter(()), problems=[(FILE, problem)])
        return
    try:
        from openpyxl import load_workbook

        with opener() as stream:
            book = load_workbook(stream, read_only=True, data_only=False)
            titles = list(book.sheetnames)
            book.close()
    except Exception as exc:  # openpyxl raises many kinds on malformed workbooks
        yield Table(name, None, lambda: iter(()), problems=[(FILE, f"is not a readable XLSX workbook "
                                                                  f"({exc.__class__.__name__})")])
        return
    typed = [title for title in titles if record_type_from_name(title)]
    chosen = typed or titles[:1]
    for title in chosen:
        label = f"{name}[{title}]" if len(titles) > 1 else name
        table = Table(label, record_type_from_name(title) or record_type_from_name(name), lambda: iter(()))
        _read_sheet_header(opener, title, table)
        yield table
    for title in titles:
        if title not in chosen:
            yield Table(f"{name}[{title}]", None, lambda: iter(()), ignored=True)


def _sheet_rows(opener: Opener, title: str) -> Iterator[tuple[int, list[Any], list[tuple[str, str]]]]:
    from openpyxl import load_workbook

    with opener() as stream:
        book = load_workbook(stream, read_only=True, data_only=False)
        try:
            for number, cells in enumerate(book[title].iter_rows(), start=1):
                values, problems = [], []
                for index, cell in enumerate(cells):
                    if getattr(cell, "data_type", None) == "f":
                        problems.append((str(index), "is a formula; paste the values only"))
                    values.append(getattr(cell, "value", None))
                yield number, values, problems
        finally:
            book.close()


def _read_sheet_header(opener: Opener, title: str, table: Table) -> None:
    try:
        first = next(_sheet_rows(opener, title), None)
    except Exception as exc:
        table.problems.append((FILE, f"sheet {title!r} cannot be read ({exc.__class__.__name__})"))
        return
    if first is None or not any(value not in (None, "") for value in first[1]):
        table.problems.append((FILE, "is empty or has no header row"))
        return
    table.header = [normalise_header(value) for value in first[1]]
    while table.header and table.header[-1] == "":
        table.header.pop()

    def rows() -> Iterator[Row]:
        header = table.header or []
        try:
            records = _sheet_rows(opener, title)
            next(records, None)
            for number, cells, faults in records:
                if not any(value not in (None, "") for value in cells):
                    continue
                row = Row(number, {}, [(header[int(i)] if int(i) < len(header) else ROW, p) for i, p in faults])
                if any(value not in (None, "") for value in cells[len(header):]):
                    row.problems.append((ROW, "has cells beyond the last header column"))
                for i, column in enumerate(header):
                    value = cells[i] if i < len(cells) else None
                    if isinstance(value, str) and (problem := cell_problem(value)) is not None:
                        row.problems.append((column, problem))
                    row.values[column] = value
                yield row
        except Exception as exc:
            yield Row(0, {}, [(ROW, f"the sheet cannot be read further ({exc.__class__.__name__})")])

    table.rows = rows


def _zip_tables(opener: Opener, name: str, encoding: str | None) -> Iterator[Table]:
    if (problem := _unzip_guard(opener, name)) is not None:
        yield Table(name, None, lambda: iter(()), problems=[(FILE, problem)])
        return
    with opener() as stream, zipfile.ZipFile(stream) as archive:
        members = [m.filename for m in archive.infolist() if not m.is_dir()]
    for member in members:
        label = f"{name}[{member}]"
        if detect_format(member) != "csv":
            yield Table(label, None, lambda: iter(()), ignored=True)
            continue
        yield _csv_table(_member_opener(opener, member), label, member, encoding)


def _member_opener(opener: Opener, member: str) -> Opener:
    class _Member(io.BufferedReader):
        def __init__(self) -> None:
            self._outer = opener()
            self._archive = zipfile.ZipFile(self._outer)
            super().__init__(self._archive.open(member))  # type: ignore[arg-type]

        def close(self) -> None:
            super().close()
            self._archive.close()
            self._outer.close()

    return _Member
