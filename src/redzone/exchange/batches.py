"""Rows read in batches, and the one-pass import of a file of one table: each batch validated and
written in the same transaction (see `OnePass`). Also what both import paths share: the problems
kept, the rejection, the file's digest and the `import.run` entry's detail."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from redzone.errors import Problem, ValidationError
from redzone.exchange.columns import takes_columns, write_persons
from redzone.exchange.layout import IMPORT_ORDER, LAYOUTS, RECORD_TYPE_COLUMN, normalise_record_type
from redzone.exchange.permissions import Refused
from redzone.exchange.readers import FILE, Opener, Table
from redzone.exchange.validation import ReadColumns, RowParser, unknown_columns
from redzone.exchange.writer import RecordWriter
from redzone.records.models import Organisation
from redzone.security import audit
from redzone.security.policy import Actor
from redzone.workspace import Workspace

if TYPE_CHECKING:
    from redzone.exchange.importer import ImportReport

BATCH = 1000
MAX_PROBLEMS_KEPT = 10_000
COLUMN_PATH = True  # clean batches of new persons written from their columns (`exchange.columns`)
# Offered a batch read by columns and its rows' numbers: True when it wrote the batch.
TakeColumns = Callable[[list[int], ReadColumns], bool]


def file_sha256(opener: Opener) -> str:
    digest = hashlib.sha256()
    with opener() as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def type_of_table(table: Table, forced: str | None) -> str | None:
    return forced or table.hint


class ImportRejected(ValidationError):
    """The file was rejected whole: `problems` (the first 10,000) and `total`; nothing was written."""

    def __init__(self, file: str, problems: list[Problem], total: int) -> None:
        super().__init__(problems)
        self.total = total
        self.args = (f"{file}: rejected with {total:,} problem{'s' if total != 1 else ''}; nothing was written",)


@dataclass
class Problems:
    kept: list[tuple[int, int, Problem]] = field(default_factory=list)
    total: int = 0

    def add(self, table: int, label: str, row: int, column: str, message: str) -> None:
        self.total += 1
        if len(self.kept) < MAX_PROBLEMS_KEPT:
            self.kept.append((table, row, Problem(column, message, where=f"{label}:{row}")))

    def sorted(self) -> list[Problem]:
        return [problem for _, _, problem in sorted(self.kept, key=lambda item: (item[0], item[1]))]


# row number, read faults, record type, parsed row
Parsed = tuple[int, list[tuple[str, str]], "str | None", Any]


def parsed_rows(table: Table, table_type: str | None, parsers: dict[str, RowParser],
                spreadsheet: bool) -> Iterator[Parsed]:
    """(row number, read faults, record type, parsed row or None) for each row of a table; the type from
    the table or the row."""
    for batch in row_batches(table, table_type, parsers, spreadsheet):
        yield from batch


def row_batches(table: Table, table_type: str | None, parsers: dict[str, RowParser], spreadsheet: bool,
                take: TakeColumns | None = None) -> Iterator[list[Parsed]]:
    """`parsed_rows` in lists: a CSV table's batches (see `_csv_batches`), other tables' rows one by one."""
    if table_type is not None and table.header is not None and RECORD_TYPE_COLUMN not in table.header:
        # The common case, a typed table without a record_type column: no per-row question of type.
        if table_type not in parsers:
            parsers[table_type] = RowParser(LAYOUTS[table_type], spreadsheet)
        parser = parsers[table_type]
        if table.cell_batches is not None:
            yield from _csv_batches(table, table_type, parser, take)
            return
        for row in table.rows():
            yield [(row.number, row.problems, table_type,
                    None if not row.values and row.problems else parser.parse(row.values))]
        return
    for row in table.rows():
        kind = table_type
        stated = row.values.get(RECORD_TYPE_COLUMN)
        if isinstance(stated, str) and stated.strip():
            named = normalise_record_type(stated)
            if named is None:
                row.problems.append((RECORD_TYPE_COLUMN, f"{stated[:40]!r} is not one of {', '.join(IMPORT_ORDER)}"))
            elif kind is None:
                kind = named
            elif named != kind:
                row.problems.append((RECORD_TYPE_COLUMN, f"says {named} in a table of {kind}"))
        if kind is None:
            if not row.problems:
                row.problems.append((RECORD_TYPE_COLUMN, "record type unknown: name the file after it "
                                     "(persons.csv), add a record_type column, or pass --type"))
            yield [(row.number, row.problems, None, None)]
            continue
        if kind not in parsers:
            parsers[kind] = RowParser(LAYOUTS[kind], spreadsheet)
        if not row.values and row.problems:
            yield [(row.number, row.problems, kind, None)]
            continue
        yield [(row.number, row.problems, kind, parsers[kind].parse(row.values, check_columns=table.header is None))]


def _csv_batches(table: Table, kind: str, parser: RowParser, take: TakeColumns | None) -> Iterator[list[Parsed]]:
    """A typed CSV table's rows, a batch of the reader's at a time: read column by column when no row of
    the batch has a read fault nor a cell with a problem (`RowParser.parse_columns`), else row by row.
    A batch read by columns is first offered to `take` (with its rows' numbers), which may write it
    whole: then it yields no rows."""
    assert table.cell_batches is not None and table.header is not None
    header = table.header
    for batch in table.cell_batches():
        clean = all(cells is not None and not problems for _, cells, problems in batch)
        read = parser.parse_columns(header, [cells for _, cells, _ in batch]) if clean and batch else None
        if read is not None and take is not None and take([number for number, _, _ in batch], read):
            continue
        parsed = parser.rows_of(read, len(batch)) if read is not None else \
            [None if cells is None else parser.parse(dict(zip(header, cells))) for _, cells, _ in batch]
        yield [(number, problems, kind, row) for (number, _, problems), row in zip(batch, parsed)]


def run_detail(report: ImportReport, namespace: str, file_digest: str, options: dict[str, Any]) -> dict[str, Any]:
    """What the `import.run` entry says: counts only, and how many changes made here were overwritten."""
    detail = {"format": report.format, "rows": report.rows, "organisation": namespace, "counts": report.counts,
              "file_sha256": file_digest}
    if options["overwrite_edits"]:
        detail["edits_overwritten"] = report.edits_overwritten
    return detail


def add_counts(total: dict[str, int], counts: dict[str, int]) -> None:
    for key, value in counts.items():
        total[key] += value


class _DryRun(Exception):
    """Raised inside the transaction of a dry run, so that everything it wrote is rolled back."""


class OnePass:
    """One table of one record type: each row is validated and written in the same pass, inside one
    transaction. References point to other record types, which the workspace must already hold. At
    the first problem writing stops (validation goes on, to list every problem) and the transaction
    is rolled back, so a rejected file still writes nothing."""

    def __init__(self, ws: Workspace, actor: Actor, report: ImportReport, namespace: str, forced: str | None,
                 file_digest: str, options: dict[str, Any]) -> None:
        self.ws, self.actor, self.report, self.namespace, self.forced = ws, actor, report, namespace, forced
        self.file_digest, self.options = file_digest, options
        self.problems = Problems()
        self.defined: dict[str, int] = {}  # ref → row number
        self.organisations: set[str] = set()

    def run(self, opener: Opener, table: Table, fmt: str) -> None:
        kind = type_of_table(table, self.forced)
        assert kind is not None
        layout = LAYOUTS[kind]
        self.report.counts[kind] = {"created": 0, "updated": 0, "unchanged": 0}
        if table.header is not None:
            for column, message in unknown_columns(layout, table.header):
                self.problems.add(0, table.label, 1, column, message)
        try:
            with self.ws.store.session() as session:
                self.organisations = set(session.scalars(sa.select(Organisation.id)))
                writer = RecordWriter(session, self.ws.keys, self.actor, self.namespace, self.namespace or None,
                                      remember=False, **self.options)
                batch: list[tuple[int, Any]] = []
                parsers: dict[str, RowParser] = {}
                defined = self.defined

                keys: list[str] = []
                waiting: list[list[Any]] = []  # columns of new persons not written yet (fewer than BATCH rows)

                def write_columns(everything: bool) -> None:
                    """Write the waiting persons in the row way's batches of BATCH rows (so organisations
                    are created, and rows audited, in the same order), the last short one if `everything`."""
                    while waiting and (len(waiting[0]) >= BATCH or everything and waiting[0]):
                        chunk = [values[:BATCH] for values in waiting]
                        waiting[:] = [values[BATCH:] for values in waiting]
                        given = chunk[keys.index("organisation")] if "organisation" in keys else [None] * len(chunk[0])
                        self._add_organisations(session, layout, given)
                        self.report.counts[kind]["created"] += write_persons(writer, layout, keys, chunk)

                def take(numbers: list[int], read: ReadColumns) -> bool:
                    """Write a clean batch of new persons from its columns (see `exchange.columns`)."""
                    nonlocal batch, keys
                    names, columns, references = read
                    if not COLUMN_PATH or self.problems.total or not takes_columns(
                            writer, layout, names, columns, references, defined):
                        return False
                    if batch:  # the rows before it first, in the file's order
                        self._flush(session, writer, layout, table.label, batch)
                        batch = []
                        if self.problems.total:
                            return False
                    defined.update(zip(columns[names.index("ref")], numbers))
                    self.report.rows += len(numbers)
                    if not waiting:
                        keys = names
                        waiting.extend([] for _ in names)
                    for values, more in zip(waiting, columns):  # one table, one header: the same names
                        values.extend(more)
                    write_columns(everything=False)
                    return True

                for rows in row_batches(table, kind, parsers, fmt in ("csv", "xlsx"), take):
                    write_columns(everything=True)  # before the rows read the row way, in the file's order
                    clean = 0
                    for number, faults, _, parsed in rows:
                        if faults or parsed is None or parsed.problems or parsed.ref is None or parsed.ref in defined:
                            if self._check(table.label, number, faults, parsed):
                                batch.append((number, parsed))
                            elif parsed is not None:  # not written, but its references are checked all the same
                                batch.append((-number, parsed))
                            continue
                        clean += 1  # what `_check` does with a row without problems, inline
                        defined[parsed.ref] = number
                        batch.append((number, parsed))
                    self.report.rows += clean
                    while len(batch) >= BATCH:
                        self._flush(session, writer, layout, table.label, batch[:BATCH])
                        batch = batch[BATCH:]
                write_columns(everything=True)
                if batch:
                    self._flush(session, writer, layout, table.label, batch)
                if self.problems.total:
                    raise ImportRejected(self.report.file, self.problems.sorted(), self.problems.total)
                if file_sha256(opener) != self.file_digest:
                    raise ValidationError(Problem(FILE, "changed while it was being imported; nothing was written",
                                                  where=self.report.file))
                writer.finish()
                self.report.codes_reassigned = writer.codes_reassigned
                self.report.edits_overwritten = writer.edits_overwritten
                audit.append(session, self.ws.keys.audit_key, self.actor.username, "import.run", "workspace", "",
                             run_detail(self.report, self.namespace, self.file_digest, self.options))
                if self.report.dry_run:
                    raise _DryRun
        except _DryRun:
            pass

    def _check(self, label: str, number: int, faults: list[tuple[str, str]], parsed: Any) -> bool:
        """Record the row's problems; True when it can be written."""
        self.report.rows += 1
        faulty = bool(faults or parsed is not None and parsed.problems)
        if faulty:
            for column, message in faults + (parsed.problems if parsed else []):
                self.problems.add(0, label, number, column, message)
        if parsed is None:
            return False
        ref = parsed.ref
        if ref is not None:
            if ref in self.defined:
                self.problems.add(0, label, number, "ref",
                                  f"{ref[:40]!r} is already used at {label}:{self.defined[ref]}")
                return False
            self.defined[ref] = number
        return not faulty

    def _flush(self, session: Any, writer: RecordWriter, layout: Any, label: str, batch: list[tuple[int, Any]]) -> None:
        writer.refs.ids.clear()  # only this batch's references: memory stays flat however long the file
        writer.refs.fetch((target, ref) for _, parsed in batch for _, target, ref in parsed.references)
        ready = []
        for number, parsed in batch:  # a negative number: a row with problems, not to be written
            if not parsed.references:
                if number > 0:
                    ready.append(parsed)
                continue
            missing = [(column, target, ref) for column, target, ref in parsed.references
                       if writer.refs.get(target, ref) is None]
            for column, target, ref in missing:
                self.problems.add(0, label, abs(number), column, f"no {target[:-1]} with ref {ref[:40]!r} "
                                                                 "in this file or in the workspace")
            if not missing and number > 0:
                ready.append(parsed)
        if self.problems.total:  # the file will be rejected: validate the rest, write nothing more
            self._refused(label, batch, ready, writer.check(layout, ready)[1])
            return
        self._add_organisations(session, layout, [parsed.values.get("organisation") for parsed in ready])
        try:
            add_counts(self.report.counts[layout.record_type], writer.write(layout, ready))
        except Refused as refused:
            self._refused(label, batch, ready, refused.refusals)

    def _add_organisations(self, session: Any, layout: Any, given: list[str | None]) -> None:
        """Create (and audit) the organisations the rows name that the workspace lacks; a person or
        source without one belongs to the import's."""
        wanted = set(given) - {None}
        if layout.record_type in ("persons", "sources") and self.namespace and None in given:
            wanted.add(self.namespace)
        for organisation in sorted(wanted - self.organisations):
            session.add(Organisation(id=organisation, name=organisation))
            session.flush()
            audit.append(session, self.ws.keys.audit_key, self.actor.username, "organisation.create",
                         "organisation", organisation, {"by": "import"})
            self.organisations.add(organisation)
            self.report.organisations_created.append(organisation)

    def _refused(self, label: str, batch: list[tuple[int, Any]], ready: list[Any],
                 refusals: list[tuple[int, str, str]]) -> None:
        """Name the rows the actor may not write, by their row numbers."""
        if not refusals:
            return
        numbers = {id(parsed): number for number, parsed in batch}
        for position, column, message in refusals:
            self.problems.add(0, label, numbers[id(ready[position])], column, message)
