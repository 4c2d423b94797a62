"""Writing validated rows as records, a batch at a time: new records inserted in bulk (with a person's
journey, an act's perpetrators and attestations), changed ones updated, unchanged ones left alone, and
the ref → record mapping kept in `external_ref`. Sealed columns are sealed as `records/entry.py` seals
them; one audit entry names the records created or changed, for every 10,000 of them (and for the rest
when the writer finishes, before the transaction commits)."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.exchange.digests import digest_text, identity_payload, row_digest, seal_identity_values
from redzone.exchange.layout import RecordLayout, date_value
from redzone.exchange.permissions import EditPermissions, Refused
from redzone.exchange.validation import ParsedRow
from redzone.records.codes import ALPHABET, PREFIXES, new_code
from redzone.records.entry import province_of, source_text_context
from redzone.records.identity import SEALED_FIELDS, identity_context
from redzone.records.models import (Act, ActPerpetrator, Attestation, AuditEntry, Event,
                                    EventAttestation, ExternalRef, Group, Participation, Person, Source, utcnow)
from redzone.security import audit
from redzone.security.keys import KeyRing
from redzone.security.policy import Actor
from redzone.store.bulk import insert_rows, insert_tuples, lookup

MODELS: dict[str, Any] = {"groups": Group, "events": Event, "persons": Person, "sources": Source, "acts": Act}
AUDIT_EVERY = 10_000  # records named by one `import.batch` entry (each entry costs a flush of the chain head)
# Audited actions that name a record without changing it, besides reads (`*.view*`) and refusals
# (`*.denied`); any other audited action naming a record after its import counts as a change of it.
_NOT_CHANGES = ("source.facts_proposed", "extract.reject", "grant.create", "grant.revoke")
# What `_mapped` gives for a ref already imported: (mapping id, record id, row digest, the record's
# revision after that import, the audit chain's last entry before it).
Mapping = tuple[int, int, str, int, int]


def fresh_codes(kind: str, count: int) -> Iterator[str]:
    """`count` new codes in the form of `records.codes.new_code`, from one read of the system's random
    source (a 64-bit draw per code: the bias over 31⁶ values is below 10⁻¹⁰); then new_code's own."""
    prefix, size = PREFIXES[kind], len(ALPHABET)
    if count:
        numbers = np.frombuffer(os.urandom(8 * count), dtype="<u8") % np.uint64(size ** 6)
        digits = np.empty((count, 6), dtype=np.uint8)
        for place in range(6):
            numbers, digits[:, place] = np.divmod(numbers, np.uint64(size))
        letters = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)[digits].tobytes().decode("ascii")
        for start in range(0, 6 * count, 6):
            yield f"{prefix}-{letters[start:start + 6]}"
    while True:
        yield new_code(kind)


BATCH_IDS = 1000  # record ids per `IN (...)` of the change check

_PERSON_COLUMNS = ("code", "organisation_id", "person_role", "sex", "birth_year_min", "birth_year_max",
                   "origin_place_id", "crossing_year", "identity_sealed")


class RefIndex:
    """Record ids by (record type, ref): refs mapped in this namespace, else Redzone codes."""

    def __init__(self, session: Session, namespace: str) -> None:
        self.session = session
        self.namespace = namespace
        self.ids: dict[tuple[str, str], int] = {}

    def fetch(self, wanted: Iterable[tuple[str, str]]) -> None:
        by_type: dict[str, set[str]] = {}
        for key in wanted:
            if key not in self.ids:
                by_type.setdefault(key[0], set()).add(key[1])
        for record_type, refs in by_type.items():
            model = MODELS[record_type]
            singular = record_type[:-1]
            pending = sorted(refs)
            self.ids.update(((record_type, ref), record_id) for ref, record_id in lookup(
                self.session, [ExternalRef.ref, ExternalRef.record_id], ExternalRef.ref, pending,
                {ExternalRef.organisation_id: self.namespace, ExternalRef.record_type: singular}))
            rest = [ref for ref in pending if (record_type, ref) not in self.ids]
            self.ids.update(((record_type, code), record_id) for code, record_id in lookup(
                self.session, [model.code, model.id], model.code, rest))

    def get(self, record_type: str, ref: str | None) -> int | None:
        return None if ref is None else self.ids.get((record_type, ref))


class RecordWriter:
    """Writes batches of parsed rows of any record type in one transaction."""

    def __init__(self, session: Session, keys: KeyRing, actor: Actor, namespace: str,
                 default_organisation: str | None, remember: bool = True, overwrite_edits: bool = False) -> None:
        self.session, self.keys, self.actor = session, keys, actor
        # A record changed since the import that last wrote it is refused, unless this says to overwrite it.
        self.overwrite_edits = overwrite_edits
        self.edits_overwritten = 0
        # The chain's last entry before this import writes: later audited writes naming a record are changes.
        self.audit_mark = session.scalar(sa.select(sa.func.max(AuditEntry.id))) or 0
        self.namespace = namespace
        self.default_organisation = default_organisation
        self.refs = RefIndex(session, namespace)
        # Keep the ids of the records written, for later rows of the same file that point to them;
        # a file of one record type has no such rows, and then memory stays flat.
        self.remember = remember
        self.codes_reassigned = 0
        self.written, self.next_analyze = 0, 1024
        self.today = dt.date.today()
        # Record types of which this namespace held no ref when the import began: a file never gives one
        # ref twice (the importer rejects it first), so none of their rows can find a mapping.
        self.unmapped: dict[str, bool] = {}
        self.unaudited: tuple[str, list[str], list[str]] | None = None  # record type, created, updated
        self.permissions = EditPermissions(session, actor)

    def check(self, layout: RecordLayout, rows: list[ParsedRow]) -> tuple[list[str], list[tuple[int, str, str]]]:
        """What writing `rows` would do, without writing: each row's status (created, updated, unchanged)
        and the rows the actor may not write, as `Refused` lists them."""
        digests = self._digests(layout.model, rows)
        mapped = self._mapped(layout.model, [row.ref for row in rows])
        changed = self._changed_since_import(MODELS[layout.record_type], layout.model,
                                             self._to_check(rows, digests, mapped))
        return ([("updated" if self._rewrites(mapped[row.ref], digest, changed) else "unchanged")
                 if row.ref in mapped else "created" for row, digest in zip(rows, digests)],
                self._refusals(layout, rows, digests, mapped, changed))

    def _digests(self, model: str, rows: list[ParsedRow]) -> list[str]:
        digest = self.keys.digester.digest
        return [digest(digest_text(model, row.values)) for row in rows]

    def _to_check(self, rows: list[ParsedRow], digests: list[str],
                  mapped: dict[str | None, Mapping]) -> dict[str | None, Mapping]:
        """The mappings whose records' changes since their import matter: every one when overwriting,
        else only those of rows that say something new (re-importing an unchanged file asks nothing)."""
        if self.overwrite_edits or not mapped:
            return mapped
        return {row.ref: mapped[row.ref] for row, digest in zip(rows, digests)
                if row.ref in mapped and mapped[row.ref][2] != digest}

    def _rewrites(self, mapping: Mapping, digest: str, changed: dict[int, str]) -> bool:
        """Whether a row of a ref already imported is written: it says something else than that import
        did, or its record was changed since and the changes are to be overwritten."""
        return mapping[2] != digest or self.overwrite_edits and mapping[1] in changed

    def _refusals(self, layout: RecordLayout, rows: list[ParsedRow], digests: list[str],
                  mapped: dict[str | None, Mapping], changed: dict[int, str]) -> list[tuple[int, str, str]]:
        refused = [] if self.permissions.creates_all[layout.record_type] else self.permissions.creation_refusals(
            layout.record_type, [(position, row) for position, row in enumerate(rows) if row.ref not in mapped])
        if not mapped:
            return refused
        refused += self.permissions.refusals(layout.record_type, [
            (position, row, mapped[row.ref][1], self._rewrites(mapped[row.ref], digest, changed))
            for position, (row, digest) in enumerate(zip(rows, digests)) if row.ref in mapped])
        if changed and not self.overwrite_edits:
            refused += [(position, "ref", f"{row.ref[:40]!r} was imported as {changed[record_id]}, which has been "
                                          "changed here since (by hand or another import); writing this row would "
                                          "undo that change: leave the row out, or import with --overwrite-edits")
                        for position, (row, digest) in enumerate(zip(rows, digests)) if row.ref in mapped
                        and (record_id := mapped[row.ref][1]) in changed and mapped[row.ref][2] != digest]
        return sorted(refused)

    def _changed_since_import(self, model: Any, singular: str, mapped: dict[str | None, Mapping]) -> dict[int, str]:
        """Code by record id of the mapped records changed since the import that last wrote them: their
        row was updated since (its revision, counted by a trigger, moved on), or an audited write names
        them after that import (a change of what hangs off them: a journey step, a perpetrator, an
        attestation). One query per batch."""
        if not mapped:
            return {}
        marks = {mapping[1]: (mapping[3], mapping[4]) for mapping in mapped.values()}
        last_write = (sa.select(sa.func.max(AuditEntry.id))
                      .where(AuditEntry.record_type == singular, AuditEntry.record_id == model.code,
                             AuditEntry.id > min(mark for _, mark in marks.values()),
                             AuditEntry.action.not_like("%.view%"), AuditEntry.action.not_like("%.denied"),
                             AuditEntry.action.not_in(_NOT_CHANGES))
                      .correlate(model).scalar_subquery())
        changed: dict[int, str] = {}
        ids = sorted(marks)
        for start in range(0, len(ids), BATCH_IDS):
            for record_id, code, revision, last in self.session.execute(sa.select(
                    model.id, model.code, model.revision, last_write).where(model.id.in_(ids[start:start + BATCH_IDS]))):
                imported_revision, mark = marks[record_id]
                if revision != imported_revision or last is not None and last > mark:
                    changed[record_id] = code
        return changed

    def write(self, layout: RecordLayout, rows: list[ParsedRow]) -> dict[str, int]:
        """Write a batch; raises `Refused`, writing none of it, if the actor may not write some rows."""
        model, singular = MODELS[layout.record_type], layout.model
        self.refs.fetch((target, ref) for row in rows for _, target, ref in row.references)
        digests = self._digests(singular, rows)
        mapped = self._mapped(singular, [row.ref for row in rows])
        changed = self._changed_since_import(model, singular, self._to_check(rows, digests, mapped))
        if refused := self._refusals(layout, rows, digests, mapped, changed):
            raise Refused(refused)
        new = [(row, digest) for row, digest in zip(rows, digests) if row.ref not in mapped] if mapped else \
            list(zip(rows, digests))
        created = self._create(layout, model, new) if new else []
        rewritten = []
        for row, digest in zip(rows, digests) if mapped else ():
            if row.ref in mapped:
                mapping = mapped[row.ref]
                if self.remember:
                    self.refs.ids[(layout.record_type, row.ref)] = mapping[1]  # type: ignore[index]
                if self._rewrites(mapping, digest, changed):
                    rewritten.append((row, digest, mapping))
        updated = self._update_all(layout, model, rewritten, changed) if rewritten else []
        self._keep_plans_current(model, len(rows))
        self._audit(singular, created, updated)
        return {"created": len(created), "updated": len(updated), "unchanged": len(rows) - len(created) - len(updated)}

    def finish(self) -> None:
        """Audit what is not audited yet; call before the transaction commits."""
        if self.unaudited is not None:
            singular, created, updated = self.unaudited
            self.unaudited = None
            audit.append(self.session, self.keys.audit_key, self.actor.username, "import.batch", singular, "",
                         {"created": created, "updated": updated})

    def _audit(self, singular: str, created: list[str], updated: list[str]) -> None:
        """Name the records written in an `import.batch` entry, one for every AUDIT_EVERY of one type."""
        if not created and not updated:
            return
        if self.unaudited is not None and self.unaudited[0] != singular:
            self.finish()
        if self.unaudited is None:
            self.unaudited = (singular, [], [])
        self.unaudited[1].extend(created)
        self.unaudited[2].extend(updated)
        if len(self.unaudited[1]) + len(self.unaudited[2]) >= AUDIT_EVERY:
            self.finish()

    def _mapped(self, singular: str, refs: list[str | None]) -> dict[str | None, Mapping]:
        """The `Mapping` of each ref already mapped in this namespace."""
        if singular not in self.unmapped:
            self.unmapped[singular] = self.session.scalar(sa.select(ExternalRef.id).where(
                ExternalRef.organisation_id == self.namespace, ExternalRef.record_type == singular).limit(1)) is None
        if self.unmapped[singular]:
            return {}
        return {ref: (mapping_id, record_id, digest, revision, mark)
                for mapping_id, ref, record_id, digest, revision, mark in lookup(
                    self.session, [ExternalRef.id, ExternalRef.ref, ExternalRef.record_id, ExternalRef.row_digest,
                                   ExternalRef.record_revision, ExternalRef.audit_mark],
                    ExternalRef.ref, refs, {ExternalRef.organisation_id: self.namespace,
                                            ExternalRef.record_type: singular})}

    def _keep_plans_current(self, model: Any, rows: int) -> None:
        """PostgreSQL plans each batch's look-ups from the statistics of the tables as they were before
        the import; once one transaction has doubled a table they no longer fit (the ref look-up then
        scans every ref of the organisation: quadratic). ANALYZE, which sees this transaction's own
        rows, whenever the rows written reach the next power of two (from 1,024)."""
        self.written += rows
        if self.session.get_bind().dialect.name != "postgresql" or self.written < self.next_analyze:
            return
        self.next_analyze *= 2
        for table in (ExternalRef.__table__.name, model.__table__.name):
            self.session.execute(sa.text(f'ANALYZE "{table}"'))

    # creating ---------------------------------------------------------------------------------------

    def _create(self, layout: RecordLayout, model: Any, new: list[tuple[ParsedRow, str]]) -> list[str]:
        wanted = [row.values.get("code") for row, _ in new]
        now = utcnow()  # one timestamp for the batch, rather than the column default called per row
        same: dict[str, Any] = {"created_by": self.actor.username, "created_at": now}
        if layout.record_type == "persons" and self.session.get_bind().dialect.name == "sqlite":
            rows = [row for row, _ in new]
            codes, ids = self._insert_persons(
                lambda chosen, codes: self._new_persons([rows[index] for index in chosen], codes), wanted, same)
        elif layout.record_type == "persons":
            codes = self._codes(layout, model, wanted)
            ids = self._insert(model, _PERSON_COLUMNS, self._new_persons([row for row, _ in new], codes), codes, same)
        else:
            codes = self._codes(layout, model, wanted)
            records = [self._columns(layout, row, code, creating=True) for (row, _), code in zip(new, codes)]
            if "created_at" in model.__table__.c:
                for record in records:
                    record["created_at"] = now
            names = tuple(dict.fromkeys(name for record in records for name in record))
            ids = self._insert(model, names, [tuple(record.get(name) for name in names) for record in records],
                               codes, {})
        insert_tuples(self.session, ExternalRef, ("ref", "record_id", "row_digest"), [
            (row.ref, record_id, digest) for (row, digest), record_id in zip(new, ids)],
            {"organisation_id": self.namespace, "record_type": layout.model, "imported_at": now,
             "record_revision": 0, "audit_mark": self.audit_mark})
        if self.remember:
            for (row, _), record_id in zip(new, ids):
                self.refs.ids[(layout.record_type, row.ref)] = record_id  # type: ignore[index]
        self._children(layout, [(row, record_id) for (row, _), record_id in zip(new, ids)], replace=False)
        return codes

    def _insert(self, model: Any, names: tuple[str, ...], values: list[tuple[Any, ...]], codes: list[str],
                same: dict[str, Any]) -> list[int]:
        """Insert new records in bulk (no RETURNING: on SQLite, ordered RETURNING over many rows is slow)
        and return their ids. On SQLite, which gives each new row the largest id so far plus one while
        this transaction holds the write lock, they are the next ids in order (checked by the first and
        last codes); elsewhere they are read back by code: codes are unique and were just chosen free."""
        sqlite = self.session.get_bind().dialect.name == "sqlite"
        if sqlite:
            before = self.session.scalar(sa.select(sa.func.max(model.id))) or 0
        insert_tuples(self.session, model, names, values, same)
        if sqlite:
            ids = list(range(before + 1, before + 1 + len(values)))
            ends = dict(self.session.execute(sa.select(model.id, model.code).where(model.id.in_((ids[0], ids[-1])))).all())
            if ends.get(ids[0]) == codes[0] and ends.get(ids[-1]) == codes[-1]:
                return ids
        by_code = dict(lookup(self.session, [model.code, model.id], model.code, codes))
        return [by_code[code] for code in codes]

    def _insert_persons(self, build: Callable[[list[int], list[str]], list[tuple[Any, ...]]],
                        wanted: list[str | None], same: dict[str, Any]) -> tuple[list[str], list[int]]:
        """SQLite: new persons with their codes and ids, the uniqueness of each code checked by the insert
        itself (a row whose code is taken, in the workspace or earlier in the batch, is left out) rather
        than by a look-up of every code first; the rows left out get new codes, are sealed again under
        them, and go in again. `build` gives the `_PERSON_COLUMNS` tuples of the rows at some positions
        under some codes."""
        drawn = sum(1 for code in wanted if not code)
        fresh = fresh_codes("person", drawn)
        codes = list(itertools.islice(fresh, drawn)) if drawn == len(wanted) else \
            [code or next(fresh) for code in wanted]
        ids = [0] * len(wanted)
        pending = list(range(len(wanted)))
        while pending:
            before = self.session.scalar(sa.select(sa.func.max(Person.id))) or 0
            trying = [codes[index] for index in pending]
            values = build(pending, trying)
            written = insert_tuples(self.session, Person, _PERSON_COLUMNS, values, same, skip_taken="code")
            if written == len(pending):  # the usual case: the next ids in order, checked at both ends
                ends = dict(self.session.execute(sa.select(Person.id, Person.code).where(
                    Person.id.in_((before + 1, before + written)))).all())
                if ends.get(before + 1) == trying[0] and ends.get(before + written) == trying[-1]:
                    for offset, index in enumerate(pending, 1):
                        ids[index] = before + offset
                    break
            found = dict(lookup(self.session, [Person.code, Person.id], Person.code, trying))
            retry, placed = [], set()
            for index, code in zip(pending, trying):
                record_id = found.get(code)
                if record_id is not None and record_id > before and code not in placed:
                    ids[index] = record_id
                    placed.add(code)
                else:  # taken before this insert, or by an earlier row of it
                    if wanted[index] == code:
                        self.codes_reassigned += 1
                    codes[index] = new_code("person")
                    retry.append(index)
            pending = retry
        return codes, ids

    def _codes(self, layout: RecordLayout, model: Any, wanted: list[str | None]) -> list[str]:
        """A free code for each new record: the one the file asks for if free, else a new one."""
        kind = layout.model
        drawn = sum(1 for code in wanted if not code)
        fresh = fresh_codes(kind, drawn)
        codes = list(itertools.islice(fresh, drawn)) if drawn == len(wanted) else \
            [code or next(fresh) for code in wanted]
        while True:
            taken = {code for code, in lookup(self.session, [model.code], model.code, codes)}
            if not taken and len(set(codes)) == len(codes):  # the usual case: nothing to change
                return codes
            seen: set[str] = set()
            clashes = 0
            for index, code in enumerate(codes):
                if code in taken or code in seen:
                    if wanted[index] == code:
                        self.codes_reassigned += 1
                    codes[index] = new_code(kind)
                    clashes += 1
                else:
                    seen.add(code)
            if not clashes:  # earlier batches are in the database already: `taken` sees their codes
                return codes

    def _columns(self, layout: RecordLayout, row: ParsedRow, code: str | None, creating: bool) -> dict[str, Any]:
        """The table columns a row sets: all of them for a new record, the file's columns for an update."""
        values, present = row.values, row.values.keys()
        out: dict[str, Any] = {}

        def put(column: str, attribute: str, value: Any, default: Any = None) -> None:
            if creating or column in present:
                out[attribute] = default if value is None else value

        kind = layout.record_type
        if creating:
            out["code"] = code
        if kind == "groups":
            put("name", "name", values.get("name"))
            put("kind", "kind", values.get("kind"))
            put("place", "place_id", values.get("place"))
            put("description", "description", values.get("description"), "")
        elif kind == "events":
            start, end = date_value(values.get("date_start")), date_value(values.get("date_end"))
            put("kind", "kind", values.get("kind"))
            put("place", "place_id", values.get("place"))
            if creating or "place" in present:
                out["province_id"] = province_of(values.get("place"))
            put("date_start", "date_start", start)
            if creating or "date_start" in present:
                out["year"] = start.year if start else None
            put("date_end", "date_end", end)
            put("date_precision", "date_precision", values.get("date_precision"), "unknown")
            put("description", "description", values.get("description"), "")
        elif kind == "persons":
            put("organisation", "organisation_id", values.get("organisation"), self.default_organisation)
            put("person_role", "person_role", values.get("person_role"), "victim")
            put("sex", "sex", values.get("sex"), "unknown")
            put("birth_year_min", "birth_year_min", values.get("birth_year_min"))
            put("birth_year_max", "birth_year_max", values.get("birth_year_max"), values.get("birth_year_min"))
            put("origin_place", "origin_place_id", values.get("origin_place"))
            put("crossing_year", "crossing_year", values.get("crossing_year"))
            if any(name in present for name in SEALED_FIELDS) and code is not None:
                out["identity_sealed"] = self._seal_identity(code, values)
            elif creating:
                out["identity_sealed"] = None
            if creating:
                out["created_by"] = self.actor.username
        elif kind == "sources":
            scopes = list(values.get("consent_scopes") or ())
            put("organisation", "organisation_id", values.get("organisation"), self.default_organisation)
            put("kind", "kind", values.get("kind"))
            put("title", "title", values.get("title"), "")
            put("language", "language", values.get("language"), "en")
            put("date", "date", date_value(values.get("date")))
            put("reliability", "reliability", values.get("reliability"), "F")
            credibility = values.get("credibility")
            put("credibility", "credibility", int(credibility) if credibility else None, 6)
            put("interviewee_ref", "interviewee_id", self.refs.get("persons", values.get("interviewee_ref")))
            put("consent_scopes", "consent_scopes", scopes, [])
            put("consent_recorded_at", "consent_recorded_at", date_value(values.get("consent_recorded_at")),
                self.today if scopes else None)
            withdrawn = date_value(values.get("consent_withdrawn_at"))
            if creating:
                out["consent_withdrawn_at"] = withdrawn
            elif withdrawn is not None:  # a withdrawal recorded here is never cleared nor moved by an import
                out["consent_withdrawn_at"] = sa.func.coalesce(Source.consent_withdrawn_at,
                                                               sa.literal(withdrawn, sa.Date))
            if "text" in present and code is not None:
                text = values.get("text")
                out["text_sealed"] = None if text is None else self.keys.fields.seal(text, source_text_context(code))
                out["text_digest"] = None if text is None else self.keys.digest(text)
            elif creating:
                out["text_sealed"] = out["text_digest"] = None
            if creating:
                out["created_by"] = self.actor.username
        elif kind == "acts":
            put("victim_ref", "victim_id", self.refs.get("persons", values.get("victim_ref")))
            put("violation", "violation", values.get("violation"))
            put("event_ref", "event_id", self.refs.get("events", values.get("event_ref")))
            put("price_amount", "price_amount", values.get("price_amount"))
            put("price_currency", "price_currency", values.get("price_currency"))
            put("duration_days", "duration_days", values.get("duration_days"))
            put("victim_count", "victim_count", values.get("victim_count"))
            put("notes", "notes", values.get("notes"), "")
            if creating:
                out["created_by"] = self.actor.username
        return out

    def _new_persons(self, rows: list[ParsedRow], codes: list[str]) -> list[tuple[Any, ...]]:
        """New persons as `_PERSON_COLUMNS` tuples (the commonest rows of a large import, so written out
        rather than built column by column as `_columns` does); their identities sealed in one call."""
        organisation = self.default_organisation
        out = []
        payloads = []  # (position, text) of the identities to seal
        for position, (row, code) in enumerate(zip(rows, codes)):
            values = row.values
            get = values.get
            given_organisation, role, sex = get("organisation"), get("person_role"), get("sex")
            low, high = get("birth_year_min"), get("birth_year_max")
            out.append((code, organisation if given_organisation is None else given_organisation,
                        "victim" if role is None else role, "unknown" if sex is None else sex,
                        low, low if high is None else high, get("origin_place"), get("crossing_year"), None))
            if (payload := identity_payload(values)) is not None:
                payloads.append((position, payload))
        sealed = self.keys.fields.seal_many([(payload, identity_context(codes[position]))
                                             for position, payload in payloads])
        for (position, _), blob in zip(payloads, sealed):
            out[position] = (*out[position][:-1], blob)
        return out

    def _seal_identity(self, code: str, values: dict[str, Any]) -> bytes | None:
        return seal_identity_values(self.keys.fields, code, values)

    def _children(self, layout: RecordLayout, rows: list[tuple[ParsedRow, int]], replace: bool) -> None:
        """A person's journey; the events a source attests; an act's perpetrators and attestations
        (each replaced whole on update)."""
        if layout.record_type == "persons":
            if not replace and not any(row.values.get("event_refs") for row, _ in rows):
                return  # no journeys: the commonest file of persons
            if replace:
                rows = [(row, record_id) for row, record_id in rows if "event_refs" in row.values]
            if replace and rows:
                self.session.execute(sa.delete(Participation).where(
                    Participation.person_id.in_([record_id for _, record_id in rows])))
            steps = [dict(person_id=record_id, event_id=self.refs.get("events", ref), sequence=index)
                     for row, record_id in rows for index, ref in enumerate(row.values.get("event_refs") or (), 1)]
            insert_rows(self.session, Participation, steps)
        elif layout.record_type == "sources":
            if replace:
                rows = [(row, record_id) for row, record_id in rows if "attested_events" in row.values]
            if replace and rows:
                self.session.execute(sa.delete(EventAttestation).where(
                    EventAttestation.source_id.in_([record_id for _, record_id in rows])))
            told = [dict(event_id=self.refs.get("events", ref), source_id=record_id, span_start=start, span_end=end)
                    for row, record_id in rows for ref, start, end in row.values.get("attested_events") or ()]
            insert_rows(self.session, EventAttestation, told)
        elif layout.record_type == "acts":
            for name, model, build in (
                    ("perpetrators", ActPerpetrator, lambda item, act_id: dict(
                        act_id=act_id, role=item[0],
                        group_id=self.refs.get("groups", item[2]) if item[1] == "groups" else None,
                        person_id=self.refs.get("persons", item[2]) if item[1] == "persons" else None)),
                    ("source_refs", Attestation, lambda item, act_id: dict(
                        act_id=act_id, source_id=self.refs.get("sources", item[0]), span_start=item[1],
                        span_end=item[2]))):
                chosen = [(row, record_id) for row, record_id in rows if not replace or name in row.values]
                if replace and chosen:
                    self.session.execute(sa.delete(model).where(model.act_id.in_([i for _, i in chosen])))
                children = [build(item, record_id) for row, record_id in chosen for item in row.values.get(name) or ()]
                insert_rows(self.session, model, children)

    # updating ---------------------------------------------------------------------------------------

    def _update_all(self, layout: RecordLayout, model: Any, rewritten: list[tuple[ParsedRow, str, Mapping]],
                    changed: dict[int, str]) -> list[str]:
        """Update the records of a batch's rewritten rows (codes read in one query; each record by a plain
        UPDATE of its table, not an ORM one, which would search the session for objects to refresh),
        then their refs in one statement: the row's digest, the chain's mark, and the revision the
        update just left (its own update counted). The codes updated, in order."""
        table = model.__table__
        codes = dict(lookup(self.session, [model.id, model.code], model.id, [m[1] for _, _, m in rewritten]))
        for row, _, mapping in rewritten:
            record_id = mapping[1]
            changes = self._columns(layout, row, codes[record_id], creating=False)
            if changes:
                self.session.execute(sa.update(table).where(table.c.id == record_id).values(**changes))
            self._children(layout, [(row, record_id)], replace=True)
            self.edits_overwritten += record_id in changed
        refs = ExternalRef.__table__
        revision = sa.select(table.c.revision).where(table.c.id == sa.bindparam("record")).scalar_subquery()
        self.session.execute(
            sa.update(refs).where(refs.c.id == sa.bindparam("mapping")).values(
                row_digest=sa.bindparam("digest"), imported_at=sa.bindparam("at"), audit_mark=sa.bindparam("mark"),
                record_revision=revision),
            [{"mapping": mapping[0], "record": mapping[1], "digest": digest, "at": dt.datetime.now(dt.timezone.utc),
              "mark": self.audit_mark} for _, digest, mapping in rewritten])
        return [codes[mapping[1]] for _, _, mapping in rewritten]
