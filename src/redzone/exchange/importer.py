"""Importing sources, persons, events, groups and acts from CSV, XLSX, JSON or a ZIP of CSVs.

All or nothing, in two streaming passes:
1. read every row, check it against the layout and the vocabulary, and keep only what cross-references
   need (the refs the file defines, the refs it points to); then look the outside references up in
   the workspace. Any fault rejects the whole file, each fault listed as `file:row:column: problem`.
2. read the file again and write it in one transaction, in batches, record types in dependency order
   (groups, events, persons, sources, acts), so every reference points to a record already written.

Refs: a row's `ref` is its id in the system that issued the file (the import's organisation). The same
(organisation, record type, ref) always means the same record: a re-import leaves an unchanged row
alone and updates a changed one (the columns the file has; sealed columns as a whole). A reference
finds a record by its ref in that namespace, else by its Redzone code.

Edits made here win: a changed row whose record was changed in the workspace since the import that last
wrote it (by hand, by review, by another tool) is refused at its `ref`, unless `overwrite_edits` says
that the file is to replace those changes (see `writer.RecordWriter._changed_since_import`).
"""

from __future__ import annotations

import gc
import io
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from redzone.errors import Problem, ValidationError
from redzone.exchange.batches import (BATCH, ImportRejected, OnePass, Problems, add_counts, file_sha256, parsed_rows,
                                      run_detail, type_of_table)
from redzone.exchange.layout import IMPORT_ORDER, LAYOUTS, normalise_record_type
from redzone.exchange.readers import FILE, Opener, Table, detect_format, open_tables
from redzone.exchange.validation import RowParser, unknown_columns
from redzone.exchange.permissions import Refused
from redzone.exchange.writer import RecordWriter, RefIndex
from redzone.records.models import Organisation, User
from redzone.security import audit
from redzone.security.policy import Actor, require
from redzone.workspace import Workspace

__all__ = ["ImportRejected", "ImportReport", "import_file"]

_ORGANISATION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")


@dataclass
class ImportReport:
    file: str
    format: str
    organisation: str
    dry_run: bool
    rows: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    organisations_created: list[str] = field(default_factory=list)
    codes_reassigned: int = 0
    edits_overwritten: int = 0  # records changed here since their last import, overwritten (overwrite_edits)
    ignored: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def import_file(ws: Workspace, actor: Actor, path: Path | str, *, record_type: str | None = None,
                fmt: str | None = None, organisation: str | None = None, dry_run: bool = False,
                encoding: str | None = None, age_identity: str | None = None,
                overwrite_edits: bool = False) -> ImportReport:
    """Validate the whole file, then (unless `dry_run`) write it in one transaction; raises
    `ImportRejected` listing every problem, and writes nothing, if any row is at fault. A row that would
    change a record changed here since its last import is such a fault, unless `overwrite_edits`."""
    require(actor, "import.run")
    started = time.perf_counter()
    path = Path(path)
    opener, name = _opener(path, age_identity)
    fmt = fmt or detect_format(name)
    if fmt is None:
        raise ValidationError(Problem("format", f"cannot tell the format of {path.name!r}; name it .csv, .xlsx, "
                                                ".json or .zip, or pass --format"))
    forced = None
    if record_type is not None and (forced := normalise_record_type(record_type)) is None:
        raise ValidationError(Problem("type", f"{record_type!r} is not one of {', '.join(IMPORT_ORDER)}"))
    with ws.store.session() as session:
        namespace = organisation if organisation is not None else _own_organisation(session, actor) or ""
    if namespace and not _ORGANISATION_ID.match(namespace):
        raise ValidationError(Problem("organisation", f"{namespace[:40]!r} may hold only letters, digits, '-', '_', '.'"))
    report = ImportReport(file=path.name, format=fmt, organisation=namespace, dry_run=dry_run)
    options = {"overwrite_edits": overwrite_edits}
    file_digest = file_sha256(opener)
    with _older_objects_left_alone():
        _import(ws, actor, path, opener, name, fmt, encoding, forced, namespace, report, options, file_digest)
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def _older_objects_left_alone() -> Iterator[None]:
    """Keep the cyclic garbage collector off the objects that existed before the import began (the
    vocabulary and gazetteer, the mapped classes, a web server's state: most of the heap). An import
    makes a few containers per row, and every full collection they set off would walk that whole heap
    again: about 0.35 s of 4.6 s CPU per 100,000 rows. What the import itself makes is collected as
    usual; at the end the older objects are handed back to the collector."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _import(ws: Workspace, actor: Actor, path: Path, opener: Opener, name: str, fmt: str, encoding: str | None,
            forced: str | None, namespace: str, report: ImportReport, options: dict[str, Any],
            file_digest: str) -> None:
    dry_run = report.dry_run
    try:
        table = _single_table(opener, name, fmt, encoding, forced)
        if table is not None:  # one table of one record type: validated and written in one pass
            OnePass(ws, actor, report, namespace, forced, file_digest, options).run(opener, table, fmt)
        else:
            survey = _Survey(ws, actor, report, namespace, forced, options)
            survey.run(opener, name, fmt, encoding)
            if survey.problems.total:
                raise ImportRejected(path.name, survey.problems.sorted(), survey.problems.total)
            if not dry_run:
                _write(ws, actor, report, survey, opener, name, encoding, namespace, file_digest, options)
    except ImportRejected as rejected:
        if dry_run:
            _audit_dry_run(ws, actor, report, file_digest, rejected.total)
        raise
    if dry_run:
        _audit_dry_run(ws, actor, report, file_digest, 0)


def _audit_dry_run(ws: Workspace, actor: Actor, report: ImportReport, file_digest: str, problems: int) -> None:
    """A dry run writes nothing but is audited, in a transaction of its own: what it answers (which
    rows would be created, updated or left alone) is itself a reading of the workspace. Counts only."""
    with ws.store.session() as session:
        audit.append(session, ws.keys.audit_key, actor.username, "import.dry_run", "workspace", "",
                     {"format": report.format, "rows": report.rows, "organisation": report.organisation,
                      "counts": report.counts, "problems": problems, "file_sha256": file_digest})


def _single_table(opener: Opener, name: str, fmt: str, encoding: str | None, forced: str | None) -> Table | None:
    """The file's only table when it holds one table of one known record type (the common case)."""
    if fmt not in ("csv", "xlsx", "json"):
        return None
    tables = list(open_tables(opener, name, fmt, encoding))
    readable = [t for t in tables if not t.ignored]
    if len(tables) != 1 or len(readable) != 1 or readable[0].problems or type_of_table(readable[0], forced) is None:
        return None
    return readable[0]


def _opener(path: Path, age_identity: str | None) -> tuple[Opener, str]:
    if path.suffix.lower() != ".age":
        if not path.is_file():
            raise ValidationError(Problem(FILE, "does not exist or is not a file", where=str(path)))
        return (lambda: open(path, "rb")), path.name
    if not age_identity:
        raise ValidationError(Problem("identity", f"{path.name} is encrypted: give the age secret key that opens it"))
    import pyrage

    try:
        identity = pyrage.x25519.Identity.from_str(age_identity.strip())
        # Decrypted in memory only: the plaintext holds identities and must not touch the disk.
        plain = pyrage.decrypt(path.read_bytes(), [identity])
    except (pyrage.IdentityError, pyrage.DecryptError, ValueError) as exc:
        raise ValidationError(Problem("identity", f"cannot decrypt {path.name} ({exc.__class__.__name__})")) from None
    return (lambda: io.BytesIO(plain)), path.name[: -len(".age")]


def _own_organisation(session: Any, actor: Actor) -> str | None:
    if actor.user_id is None:
        return None
    return session.scalar(sa.select(User.organisation_id).where(User.id == actor.user_id))


class _Survey:
    """Pass 1: every problem, the refs defined, the refs needed, and what the write would do."""

    def __init__(self, ws: Workspace, actor: Actor, report: ImportReport, namespace: str, forced: str | None,
                 options: dict[str, Any]) -> None:
        self.ws, self.actor, self.report, self.namespace, self.forced = ws, actor, report, namespace, forced
        self.options = options
        self.problems = Problems()
        self.defined: dict[tuple[str, str], str] = {}
        self.needed: dict[tuple[str, str], tuple[int, str, int, str]] = {}
        self.organisations: set[str] = set()
        self.types: set[str] = set()
        self.default_organisation_used = False
        self.pending: list[tuple[str, Any, int, str, int]] = []  # record type, parsed row, table, label, row
        self.checker: RecordWriter | None = None

    def run(self, opener: Opener, name: str, fmt: str, encoding: str | None) -> None:
        parsers: dict[str, RowParser] = {}
        spreadsheet = fmt in ("csv", "xlsx", "zip")
        with self.ws.store.session() as session:
            # Writes nothing: asked only what writing each row would do, and whether the actor may.
            self.checker = RecordWriter(session, self.ws.keys, self.actor, self.namespace, self.namespace or None,
                                        **self.options)
            for index, table in enumerate(open_tables(opener, name, fmt, encoding)):
                if table.ignored:
                    self.report.ignored.append(table.label)
                    continue
                for column, message in table.problems:
                    self.problems.add(index, table.label, 1, column, message)
                kind = type_of_table(table, self.forced)
                if table.header is not None and kind is not None:
                    for column, message in unknown_columns(LAYOUTS[kind], table.header):
                        self.problems.add(index, table.label, 1, column, message)
                if table.problems:
                    continue
                for number, faults, row_kind, parsed in parsed_rows(table, kind, parsers, spreadsheet):
                    self._row(session, index, table.label, number, faults, row_kind, parsed)
            self._flush(session)
            self._resolve(session)
        self.report.organisations_created = sorted(self._missing_organisations())

    def _row(self, session: Any, index: int, label: str, number: int, faults: list[tuple[str, str]],
             kind: str | None, parsed: Any) -> None:
        self.report.rows += 1
        for column, message in faults + (parsed.problems if parsed else []):
            self.problems.add(index, label, number, column, message)
        if kind is None or parsed is None:
            return
        self.types.add(kind)
        self.report.counts.setdefault(kind, {"created": 0, "updated": 0, "unchanged": 0})
        if organisation := parsed.values.get("organisation"):
            self.organisations.add(organisation)
        elif kind in ("persons", "sources"):
            self.default_organisation_used = True
        for column, target, ref in parsed.references:
            self.needed.setdefault((target, ref), (index, label, number, column))
        if parsed.ref is None:
            return
        where = f"{label}:{number}"
        if (kind, parsed.ref) in self.defined:
            self.problems.add(index, label, number, "ref",
                              f"{parsed.ref[:40]!r} is already used at {self.defined[(kind, parsed.ref)]}")
            return
        self.defined[(kind, parsed.ref)] = where
        if not parsed.problems and not faults:
            self.pending.append((kind, parsed, index, label, number))
            if len(self.pending) >= BATCH:
                self._flush(session)

    def _flush(self, session: Any) -> None:
        """What the write would do with the pending rows (create, update or leave alone), and the rows
        the actor may not write."""
        assert self.checker is not None
        by_type: dict[str, list[tuple[Any, int, str, int]]] = {}
        for kind, parsed, index, label, number in self.pending:
            by_type.setdefault(kind, []).append((parsed, index, label, number))
        for kind, rows in by_type.items():
            statuses, refused = self.checker.check(LAYOUTS[kind], [parsed for parsed, _, _, _ in rows])
            for position, column, message in refused:
                _, index, label, number = rows[position]
                self.problems.add(index, label, number, column, message)
            # A refused row is not counted: whether it matches what is stored is not the actor's to learn.
            counts, refused_rows = self.report.counts[kind], {position for position, _, _ in refused}
            for position, status in enumerate(statuses):
                if position not in refused_rows:
                    counts[status] += 1
        self.pending.clear()

    def _resolve(self, session: Any) -> None:
        """Every reference to a record outside the file must find one in the workspace."""
        outside = [key for key in self.needed if key not in self.defined]
        index = RefIndex(session, self.namespace)
        for start in range(0, len(outside), 5000):
            index.fetch(outside[start:start + 5000])
            for key in outside[start:start + 5000]:
                if key not in index.ids:
                    table, label, number, column = self.needed[key]
                    self.problems.add(table, label, number, column, f"no {key[0][:-1]} with ref {key[1][:40]!r} "
                                                                    "in this file or in the workspace")
            index.ids.clear()

    def _missing_organisations(self) -> set[str]:
        wanted = set(self.organisations)
        if self.namespace and self.default_organisation_used:
            wanted.add(self.namespace)
        with self.ws.store.session() as session:
            known = set(session.scalars(sa.select(Organisation.id).where(Organisation.id.in_(wanted))))
        return wanted - known


def _write(ws: Workspace, actor: Actor, report: ImportReport, survey: _Survey, opener: Opener, name: str,
           encoding: str | None, namespace: str, file_digest: str, options: dict[str, Any]) -> None:
    """Pass 2: the whole file in one transaction, record types in dependency order."""
    for counts in report.counts.values():
        counts.update(created=0, updated=0, unchanged=0)
    spreadsheet = report.format in ("csv", "xlsx", "zip")
    with ws.store.session() as session:
        for organisation in report.organisations_created:
            session.add(Organisation(id=organisation, name=organisation))
            session.flush()
            audit.append(session, ws.keys.audit_key, actor.username, "organisation.create", "organisation",
                         organisation, {"by": "import"})
        writer = RecordWriter(session, ws.keys, actor, namespace, namespace or None, **options)
        for kind in (k for k in IMPORT_ORDER if k in survey.types):
            parsers: dict[str, RowParser] = {}
            batch = []
            for table in open_tables(opener, name, report.format, encoding):
                table_type = type_of_table(table, survey.forced)
                if table.ignored or table.problems or (table_type is not None and table_type != kind):
                    continue
                for _, faults, row_kind, parsed in parsed_rows(table, table_type, parsers, spreadsheet):
                    if row_kind != kind:
                        continue
                    if parsed is None or parsed.problems or faults:
                        raise ValidationError(Problem(FILE, "changed while it was being imported; nothing was "
                                                            "written", where=name))
                    batch.append(parsed)
                    if len(batch) >= BATCH:
                        add_counts(report.counts[kind], _write_checked(writer, LAYOUTS[kind], batch, name))
                        batch = []
            if batch:
                add_counts(report.counts[kind], _write_checked(writer, LAYOUTS[kind], batch, name))
        writer.finish()
        report.codes_reassigned, report.edits_overwritten = writer.codes_reassigned, writer.edits_overwritten
        if file_sha256(opener) != file_digest:  # checked before the commit: then nothing is written
            raise ValidationError(Problem(FILE, "changed while it was being imported; nothing was written",
                                          where=name))
        audit.append(session, ws.keys.audit_key, actor.username, "import.run", "workspace", "",
                     run_detail(report, namespace, file_digest, options))


def _write_checked(writer: RecordWriter, layout: Any, batch: list[Any], name: str) -> dict[str, int]:
    try:
        return writer.write(layout, batch)
    except Refused:  # the survey found none: records or permissions changed between the two passes
        raise ValidationError(Problem(FILE, "records changed while the file was being imported; nothing was "
                                            "written, import it again", where=name)) from None
