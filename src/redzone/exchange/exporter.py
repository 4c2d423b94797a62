"""Exporting records for partners: CSV, XLSX or JSON in the import layout (so an export imports back),
or the HURIDOCS-style "who did what to whom" flat table, one row per act.

Threat: identities leaving the workspace, in a file mailed to the wrong person, left on a laptop, or
opened in a spreadsheet that runs an injected formula. Mechanism, in order:
1. `export.pseudonymised` is needed for any export; sealed columns (names, contacts, whereabouts,
   testimony texts) are then never written, persons appear by their pseudonymous code only;
2. `--with-identities` needs `export.identities` (a refusal is audited) and a recipient's age public
   key: the whole output is encrypted to it as it is written, so no plaintext ever touches the disk;
3. every spreadsheet cell is formula-escaped (`spreadsheet.py`);
4. the export is audited (counts, format, identities; one entry per person or source whose sealed
   values left) before the file appears under its name; a failed export leaves no file.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.errors import PermissionDenied, Problem, ValidationError
from redzone.exchange.layout import (FLAT_COLUMNS, IMPORT_ORDER, LAYOUTS, RECORD_TYPE_COLUMN, Column, cell_text,
                                     json_value)
from redzone.exchange.spreadsheet import CsvSheet, XlsxBook
from redzone.records.entry import source_text_context
from redzone.records.identity import unseal_identity
from redzone.records.models import (AccessGrant, Act, ActPerpetrator, Attestation, Event, EventAttestation, Group,
                                    Participation, Person, Source)
from redzone.records.text_scope import readable_of
from redzone.security import audit
from redzone.security.policy import ACTIONS, Actor, PersonResource, allowed, require
from redzone.vocab import load_vocabulary
from redzone.workspace import Workspace

FORMATS = ("csv", "xlsx", "json")
BATCH = 1000
_MODELS: dict[str, Any] = {"groups": Group, "events": Event, "persons": Person, "sources": Source, "acts": Act}


@dataclass
class ExportReport:
    file: str
    format: str
    types: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    flat: bool = False
    identities: bool = False
    encrypted: bool = False
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def export_records(ws: Workspace, actor: Actor, out: Path | str, *, fmt: str = "csv",
                   types: Sequence[str] | None = None, flat: bool = False, with_identities: bool = False,
                   recipient: str | None = None) -> ExportReport:
    """Write the export to `out` (a ZIP of CSVs when several types go to CSV); see the module docstring."""
    require(actor, "export.pseudonymised")
    started = time.perf_counter()
    out = Path(out)
    chosen = _check(fmt, types, flat, with_identities, recipient)
    if with_identities and not allowed(actor, "export.identities"):
        with ws.store.session() as session:
            audit.append(session, ws.keys.audit_key, actor.username, "export.identities.denied", "workspace", "")
        raise PermissionDenied(actor.username, ACTIONS["export.identities"])
    age_recipient = _recipient(recipient) if recipient else None
    report = ExportReport(out.name, fmt, chosen, flat=flat, identities=with_identities, encrypted=bool(recipient))
    disclosed: dict[str, list[str]] = {"person": [], "source": []}
    temporary = out.with_name(f".{out.name}.{secrets.token_hex(4)}.part")
    try:
        with open(temporary, "wb") as target, _encrypted(target, age_recipient) as stream:
            os.chmod(temporary, 0o600)
            with ws.store.session() as session:
                if ws.store.backend == "postgresql":  # one snapshot for every table of the export
                    session.execute(sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
                scope = _IdentityScope(session, actor) if with_identities else None
                _write(session, ws, stream, report, disclosed, scope)
        with ws.store.session() as session:
            audit.append(session, ws.keys.audit_key, actor.username, "export.run", "workspace", "",
                         {"format": fmt, "types": chosen, "counts": report.counts, "flat": flat,
                          "identities": with_identities, "encrypted": bool(recipient)})
            # One entry per record whose sealed values left, so that its trail (`audit log --person`) shows it.
            for model, codes in disclosed.items():
                for code in codes:
                    audit.append(session, ws.keys.audit_key, actor.username, "export.identities", model, code,
                                 {"file": out.name, "encrypted": True})
        os.replace(temporary, out)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    report.seconds = time.perf_counter() - started
    return report


def _check(fmt: str, types: Sequence[str] | None, flat: bool, with_identities: bool,
           recipient: str | None) -> list[str]:
    problems = []
    if fmt not in FORMATS:
        problems.append(Problem("format", f"{fmt!r} is not one of {', '.join(FORMATS)}"))
    chosen = list(IMPORT_ORDER) if not types else [t for t in IMPORT_ORDER if t in set(types)]
    problems += [Problem("type", f"{t!r} is not one of {', '.join(IMPORT_ORDER)}") for t in types or () if t not in LAYOUTS]
    if flat and with_identities:
        problems.append(Problem("with_identities", "the flat table never holds identities"))
    if with_identities and not recipient:
        problems.append(Problem("recipient", "identities leave only encrypted: give the recipient's age public key"))
    if problems:
        raise ValidationError(problems)
    return ["acts"] if flat else chosen


def _recipient(text: str) -> Any:
    import pyrage

    try:
        return pyrage.x25519.Recipient.from_str(text.strip())
    except (pyrage.RecipientError, ValueError):
        raise ValidationError(Problem("recipient", "is not an age X25519 public key (age1…)")) from None


@contextmanager
def _encrypted(target: IO[bytes], recipient: Any) -> Iterator[IO[bytes]]:
    """`target` itself, or a pipe whose far end a thread encrypts into `target` with age."""
    if recipient is None:
        yield target
        return
    import pyrage

    read_end, write_end = os.pipe()
    reader, writer = os.fdopen(read_end, "rb"), os.fdopen(write_end, "wb")
    failure: list[BaseException] = []

    def encrypt() -> None:
        try:
            pyrage.encrypt_io(reader, target, [recipient])
        except BaseException as exc:  # reported in the calling thread
            failure.append(exc)
        finally:
            reader.close()

    thread = threading.Thread(target=encrypt, name="age-encrypt", daemon=True)
    thread.start()
    try:
        yield writer
    finally:
        try:
            writer.close()
        except OSError:
            pass
        thread.join()
    if failure:
        raise ValidationError(Problem("recipient", f"encryption failed ({failure[0].__class__.__name__})"))


def _write(session: Session, ws: Workspace, stream: IO[bytes], report: ExportReport,
           disclosed: dict[str, list[str]], scope: _IdentityScope | None) -> None:
    many = len(report.types) > 1
    archive = zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) if report.format == "csv" and many else None
    book = XlsxBook(stream) if report.format == "xlsx" else None
    if report.format == "json":
        stream.write(b"[")
    first_object = True
    for kind in report.types:
        if report.flat:
            columns: tuple[Column, ...] = tuple(Column(name, "text", "") for name, _ in FLAT_COLUMNS)
            records: Iterator[dict[str, Any]] = _flat_rows(session)
        else:
            columns = LAYOUTS[kind].export_columns(report.identities)
            records = _records(session, ws, kind, scope, disclosed)
        names = [RECORD_TYPE_COLUMN, *(c.name for c in columns)] if not report.flat else [c.name for c in columns]
        member = archive.open(f"{kind}.csv", "w", force_zip64=True) if archive else None
        sheet = CsvSheet(member or stream, names) if report.format == "csv" else None
        if book is not None:
            book.add_sheet("flat" if report.flat else kind, names)
        count = 0
        for record in records:
            count += 1
            if report.format == "json":
                body = {} if report.flat else {RECORD_TYPE_COLUMN: kind}
                body.update((c.name, json_value(c, record.get(c.name))) for c in columns)
                stream.write(("\n" if first_object else ",\n").encode() +
                             json.dumps(body, ensure_ascii=False).encode("utf-8", "replace"))
                first_object = False
                continue
            cells = [cell_text(c, record.get(c.name)) for c in columns]
            row = cells if report.flat else [kind, *cells]
            (sheet or book).write(row)  # type: ignore[union-attr]
        if sheet is not None:
            sheet.close()
        if member is not None:
            member.close()
        report.counts["flat" if report.flat else kind] = count
    if report.format == "json":
        stream.write(b"\n]\n")
    if book is not None:
        book.close()
    if archive is not None:
        archive.close()


def _batches(session: Session, model: Any) -> Iterator[list[Any]]:
    last = 0
    while True:
        rows = session.scalars(sa.select(model).where(model.id > last).order_by(model.id).limit(BATCH)).all()
        if not rows:
            return
        yield list(rows)
        last = rows[-1].id
        session.expunge_all()


def _codes(session: Session, model: Any, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    return dict(session.execute(sa.select(model.id, model.code).where(model.id.in_(wanted))).all()) if wanted else {}


class _IdentityScope:
    """Which sealed values an identity export may carry: a person's identity only where the exporter may
    see it (an interviewer's own cases, a documentation officer's granted ones), a testimony's text only
    where the policy lets them read that text (an interviewer: their own cases) and they may see its
    interviewee's identity. Everything else leaves pseudonymised."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.actor = actor
        self.granted = set() if actor.user_id is None else set(session.scalars(
            sa.select(AccessGrant.person_id).where(AccessGrant.user_id == actor.user_id)))
        self.session = session

    def person(self, person_id: int, created_by: str) -> bool:
        return allowed(self.actor, "person.view_sealed",
                       PersonResource(person_id, created_by, granted_to_actor=person_id in self.granted))

    def readable(self, sources: list[Source]) -> set[int]:
        """Ids of the sources whose text the exporter may read (an interviewer: their own cases)."""
        return readable_of(self.session, self.actor, sources)

    def text(self, readable: bool, interviewee: tuple[int, str] | None) -> bool:
        return readable and (interviewee is None or self.person(*interviewee))


def _records(session: Session, ws: Workspace, kind: str, scope: _IdentityScope | None,
             disclosed: dict[str, list[str]]) -> Iterator[dict[str, Any]]:
    """The records of one type as {column: value}, in the layout's terms (refs are Redzone codes)."""
    for batch in _batches(session, _MODELS[kind]):
        ids = [record.id for record in batch]
        if kind == "groups":
            for g in batch:
                yield dict(ref=g.code, code=g.code, name=g.name, kind=g.kind, place=g.place_id,
                           description=g.description)
        elif kind == "events":
            for e in batch:
                yield dict(ref=e.code, code=e.code, kind=e.kind, place=e.place_id, date_start=e.date_start,
                           date_end=e.date_end, date_precision=e.date_precision, description=e.description)
        elif kind == "persons":
            journeys: dict[int, list[str]] = {}
            for person_id, code in session.execute(
                    sa.select(Participation.person_id, Event.code).join(Event, Event.id == Participation.event_id)
                    .where(Participation.person_id.in_(ids)).order_by(Participation.person_id, Participation.sequence,
                                                                      Event.id)):
                journeys.setdefault(person_id, []).append(code)
            for p in batch:
                row = dict(ref=p.code, code=p.code, organisation=p.organisation_id, person_role=p.person_role,
                           sex=p.sex, birth_year_min=p.birth_year_min, birth_year_max=p.birth_year_max,
                           origin_place=p.origin_place_id, crossing_year=p.crossing_year,
                           event_refs=journeys.get(p.id, []))
                if scope and p.identity_sealed and scope.person(p.id, p.created_by):
                    identity = unseal_identity(ws.keys.fields, p.code, p.identity_sealed)
                    row.update(legal_name=identity.legal_name, hangul_name=identity.hangul_name,
                               aliases=list(identity.aliases), contact=identity.contact,
                               whereabouts=identity.whereabouts)
                    disclosed["person"].append(p.code)
                yield row
        elif kind == "sources":
            interviewees = _codes(session, Person, {s.interviewee_id for s in batch})
            told: dict[int, list[Any]] = {}
            for source_id, code, start, end in session.execute(
                    sa.select(EventAttestation.source_id, Event.code, EventAttestation.span_start,
                              EventAttestation.span_end).join(Event, Event.id == EventAttestation.event_id)
                    .where(EventAttestation.source_id.in_(ids)).order_by(EventAttestation.source_id,
                                                                         EventAttestation.id)):
                told.setdefault(source_id, []).append((code, start, end))
            creators = dict(session.execute(sa.select(Person.id, Person.created_by).where(
                Person.id.in_({s.interviewee_id for s in batch if s.interviewee_id}))).all()) if scope else {}
            readable = scope.readable(batch) if scope else set()
            for s in batch:
                row = dict(ref=s.code, code=s.code, organisation=s.organisation_id, kind=s.kind, title=s.title,
                           language=s.language, date=s.date, reliability=s.reliability, credibility=s.credibility,
                           interviewee_ref=interviewees.get(s.interviewee_id), consent_scopes=s.consent_scopes,
                           consent_recorded_at=s.consent_recorded_at, consent_withdrawn_at=s.consent_withdrawn_at,
                           attested_events=told.get(s.id, []))
                interviewee = (s.interviewee_id, creators[s.interviewee_id]) if scope and s.interviewee_id else None
                if scope and s.text_sealed and scope.text(s.id in readable, interviewee):
                    row["text"] = ws.keys.fields.unseal_text(s.text_sealed, source_text_context(s.code))
                    disclosed["source"].append(s.code)
                yield row
        elif kind == "acts":
            yield from _act_rows(session, batch)


def _act_rows(session: Session, batch: list[Act]) -> Iterator[dict[str, Any]]:
    ids = [a.id for a in batch]
    victims = _codes(session, Person, {a.victim_id for a in batch})
    events = _codes(session, Event, {a.event_id for a in batch})
    perpetrators: dict[int, list[Any]] = {}
    for act_id, role, group_code, person_code in session.execute(
            sa.select(ActPerpetrator.act_id, ActPerpetrator.role, Group.code, Person.code)
            .outerjoin(Group, Group.id == ActPerpetrator.group_id).outerjoin(Person, Person.id == ActPerpetrator.person_id)
            .where(ActPerpetrator.act_id.in_(ids)).order_by(ActPerpetrator.act_id, ActPerpetrator.id)):
        target = ("groups", group_code) if group_code else ("persons", person_code) if person_code else (None, None)
        perpetrators.setdefault(act_id, []).append((role, *target))
    attestations: dict[int, list[Any]] = {}
    for act_id, code, start, end in session.execute(
            sa.select(Attestation.act_id, Source.code, Attestation.span_start, Attestation.span_end)
            .join(Source, Source.id == Attestation.source_id).where(Attestation.act_id.in_(ids))
            .order_by(Attestation.act_id, Attestation.id)):
        attestations.setdefault(act_id, []).append((code, start, end))
    for a in batch:
        yield dict(ref=a.code, code=a.code, victim_ref=victims.get(a.victim_id), violation=a.violation,
                   event_ref=events.get(a.event_id), price_amount=a.price_amount, price_currency=a.price_currency,
                   duration_days=a.duration_days, victim_count=a.victim_count,
                   perpetrators=perpetrators.get(a.id, []), source_refs=attestations.get(a.id, []), notes=a.notes)


def _flat_rows(session: Session) -> Iterator[dict[str, Any]]:
    """One row per act: who (victim pseudonym) suffered what (violation), from whom (roles, groups),
    where and when (place, province, date), on whose word (sources with their grades)."""
    vocabulary = load_vocabulary()

    def place_name(place_id: str | None) -> str | None:
        return vocabulary.places[place_id].name_en if place_id in vocabulary.places else place_id

    for batch in _batches(session, Act):
        ids = [a.id for a in batch]
        victims = _codes(session, Person, {a.victim_id for a in batch})
        events = {e.id: e for e in session.scalars(sa.select(Event).where(
            Event.id.in_([a.event_id for a in batch if a.event_id is not None])))}
        roles: dict[int, list[str]] = {}
        groups: dict[int, list[str]] = {}
        for act_id, role, group_name in session.execute(
                sa.select(ActPerpetrator.act_id, ActPerpetrator.role, Group.name)
                .outerjoin(Group, Group.id == ActPerpetrator.group_id)
                .where(ActPerpetrator.act_id.in_(ids)).order_by(ActPerpetrator.act_id, ActPerpetrator.id)):
            label = vocabulary.roles[role].label_en if role in vocabulary.roles else role
            if label not in roles.setdefault(act_id, []):
                roles[act_id].append(label)
            if group_name and group_name not in groups.setdefault(act_id, []):
                groups[act_id].append(group_name)
        sources: dict[int, list[str]] = {}
        for act_id, code, reliability, credibility in session.execute(
                sa.select(Attestation.act_id, Source.code, Source.reliability, Source.credibility)
                .join(Source, Source.id == Attestation.source_id).where(Attestation.act_id.in_(ids))
                .order_by(Attestation.act_id, Attestation.id)):
            text = f"{code} ({reliability}{credibility})"
            if text not in sources.setdefault(act_id, []):
                sources[act_id].append(text)
        for a in batch:
            event = events.get(a.event_id)
            violation = vocabulary.violations.get(a.violation)
            yield dict(act_code=a.code, victim=victims.get(a.victim_id), violation=a.violation,
                       violation_label=violation.label_en if violation else None,
                       perpetrator_roles="; ".join(roles.get(a.id, [])) or None,
                       groups="; ".join(groups.get(a.id, [])) or None,
                       place_id=event.place_id if event else None,
                       place_name=place_name(event.place_id) if event else None,
                       province=place_name(event.province_id) if event else None,
                       date=event.date_text(range_separator="/") if event else None,  # ISO 8601 interval
                       date_start=event.date_start.isoformat() if event and event.date_start else None,
                       date_end=event.date_end.isoformat() if event and event.date_end else None,
                       date_precision=event.date_precision if event else None,
                       sources="; ".join(sources.get(a.id, [])) or None)


def write_template(record_type: str | None, fmt: str, out: Path | str) -> None:
    """An empty import file: the header and one synthetic example row per record type. Without a
    record type, an XLSX workbook gets one sheet per type and a JSON file one example of each; a CSV
    holds one type only."""
    problems = []
    if fmt not in FORMATS:
        problems.append(Problem("format", f"{fmt!r} is not one of {', '.join(FORMATS)}"))
    if record_type is not None and record_type not in LAYOUTS:
        problems.append(Problem("type", f"{record_type!r} is not one of {', '.join(IMPORT_ORDER)}"))
    if record_type is None and fmt == "csv":
        problems.append(Problem("type", f"a CSV template holds one record type: name the file after it "
                                        f"(persons.csv) or choose one of {', '.join(IMPORT_ORDER)}"))
    if problems:
        raise ValidationError(problems)
    kinds = [record_type] if record_type else list(IMPORT_ORDER)
    out = Path(out)
    temporary = out.with_name(f".{out.name}.{secrets.token_hex(4)}.part")
    try:
        with open(temporary, "wb") as stream:
            book = XlsxBook(stream) if fmt == "xlsx" else None
            bodies = []
            for kind in kinds:
                layout = LAYOUTS[kind]
                names = [RECORD_TYPE_COLUMN, *layout.names]
                example = [kind, *(c.example or None for c in layout.columns)]
                if fmt == "csv":
                    sheet = CsvSheet(stream, names)
                    sheet.write(example)
                    sheet.close()
                elif book is not None:
                    book.add_sheet(kind, names)
                    book.write(example)
                else:
                    bodies.append({name: value for name, value in zip(names, example)})
            if book is not None:
                book.close()
            if fmt == "json":
                stream.write(json.dumps(bodies, ensure_ascii=False, indent=1).encode("utf-8"))
        os.replace(temporary, out)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
