"""New persons written straight from a batch's columns: for a clean batch of all-new rows (no ref of
the namespace mapped yet, nothing pointing to other records, the actor free to create persons), the
person rows, their sealed identities, digests and refs are built column by column, with no dict and
no `ParsedRow` per row. What it stores is what `RecordWriter.write` stores for the same rows (tested
side by side); any other batch goes the row way."""

from __future__ import annotations

from typing import Any

from redzone.exchange.digests import digest_cells, digest_column_texts, digest_plan, identity_text
from redzone.exchange.layout import RecordLayout
from redzone.exchange.writer import _PERSON_COLUMNS, RecordWriter
from redzone.records.identity import identity_context
from redzone.records.models import ExternalRef, Person, utcnow
from redzone.store.bulk import insert_tuples

# The columns `_PERSON_COLUMNS` takes from the file, in its order after the code (defaults as in `build`).
_PERSON_FIELDS = ("organisation", "person_role", "sex", "birth_year_min", "birth_year_max", "origin_place",
                  "crossing_year")
_SEALED = ("legal_name", "hangul_name", "aliases", "contact", "whereabouts")


def takes_columns(writer: RecordWriter, layout: RecordLayout, keys: list[str], columns: list[list[Any]],
                  references: Any, defined: dict[str, int]) -> bool:
    """Whether this batch may be written from its columns: persons, every row with a ref of its own
    that is new to the file and to the namespace, nothing pointing elsewhere, the rules across columns
    met, and the actor allowed to create these persons (so no row can be refused)."""
    if layout.record_type != "persons" or references is not None and any(references) or "ref" not in keys:
        return False
    refs = columns[keys.index("ref")]
    if None in refs or len(set(refs)) != len(refs) or not defined.keys().isdisjoint(refs):
        return False
    if "birth_year_min" in keys and "birth_year_max" in keys:  # `_rules_person`; a journey needs event_refs
        lows, highs = columns[keys.index("birth_year_min")], columns[keys.index("birth_year_max")]
        if any(low is not None and high is not None and low > high for low, high in zip(lows, highs)):
            return False
    writer._mapped(layout.model, [])  # learns whether the namespace held refs of persons when the import began
    if not writer.unmapped[layout.model]:
        return False
    identities = any(any(columns[keys.index(name)]) for name in _SEALED if name in keys)
    return writer.permissions.creates_every_new_person(identities)


def write_persons(writer: RecordWriter, layout: RecordLayout, keys: list[str], columns: list[list[Any]]) -> int:
    """Create a batch of persons that `takes_columns` accepted; the number written."""
    count = len(columns[0])
    column = dict(zip(keys, columns))
    nothing = [None] * count
    names, _, plans = digest_plan(tuple(keys))
    digest, model = writer.keys.digester.digest, layout.model
    if names:
        digests = list(map(digest, digest_column_texts(model, names, plans, [column[name] for name in names])))
    else:  # a file of refs (and codes) alone
        digests = [digest(digest_cells(model, names, plans, ()))] * count
    payloads = [identity_text(*row) for row in zip(*[column.get(name, nothing) for name in _SEALED])]
    fields = list(zip(*[column.get(name, nothing) for name in _PERSON_FIELDS]))
    organisation = writer.default_organisation

    def build(chosen: list[int], codes: list[str]) -> list[tuple[Any, ...]]:
        """`RecordWriter._new_persons` of the rows at these positions."""
        out = []
        for index, code in zip(chosen, codes):
            given, role, sex, low, high, place, crossing = fields[index]
            out.append([code, organisation if given is None else given, "victim" if role is None else role,
                        "unknown" if sex is None else sex, low, low if high is None else high, place, crossing, None])
        sealing = [(position, payloads[index]) for position, index in enumerate(chosen) if payloads[index] is not None]
        sealed = writer.keys.fields.seal_many([(payload, identity_context(out[position][0]))
                                               for position, payload in sealing])
        for (position, _), blob in zip(sealing, sealed):
            out[position][-1] = blob
        return [tuple(row) for row in out]

    wanted = column.get("code", nothing)
    now = utcnow()
    same: dict[str, Any] = {"created_by": writer.actor.username, "created_at": now}
    if writer.session.get_bind().dialect.name == "sqlite":
        codes, ids = writer._insert_persons(build, wanted, same)
    else:
        codes = writer._codes(layout, Person, wanted)
        ids = writer._insert(Person, _PERSON_COLUMNS, build(list(range(count)), codes), codes, same)
    insert_tuples(writer.session, ExternalRef, ("ref", "record_id", "row_digest"),
                  list(zip(column["ref"], ids, digests)),
                  {"organisation_id": writer.namespace, "record_type": model, "imported_at": now,
                   "record_revision": 0, "audit_mark": writer.audit_mark})
    if writer.remember:
        writer.refs.ids.update(zip([("persons", ref) for ref in column["ref"]], ids))
    writer._keep_plans_current(Person, count)
    writer._audit(model, codes, [])
    return count
