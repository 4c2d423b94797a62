"""The importer's fast paths store what the general ones would: digests that earlier imports stored
still match (re-imports stay idempotent), sealed identities that `records.identity` opens, and tuple
inserts that equal dict inserts."""

import datetime as dt
import json

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from redzone.exchange.digests import row_digest, seal_identity_values
from redzone.exchange.validation import ParsedRow
from redzone.records.identity import Identity, identity_context, seal_identity, unseal_identity
from redzone.records.models import Organisation, Person
from redzone.security.keys import KeyRing
from redzone.store.bulk import insert_rows, insert_tuples

KEYS = KeyRing(b"\x07" * 32)
cells = st.one_of(st.none(), st.text(max_size=12), st.integers(-10**6, 10**6), st.booleans(), st.floats(),
                  st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)),
                  st.tuples(st.text(max_size=6), st.text(max_size=6)), st.tuples(), st.tuples(st.just("{0}}")),
                  st.tuples(st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)), st.sampled_from(["day", "year"])),
                  st.tuples(st.text(max_size=4), st.none(), st.text(max_size=4)))
names = st.sampled_from(["ref", "code", "sex", "aliases", "legal_name", "birth_year_min", "place", "notes", "ü",
                         "{0}", "a}b"])


def stored_digest(model: str, values: dict) -> str:
    """The digest as the importer wrote it before its fast path: what `external_ref` rows hold."""
    body = sorted(item for item in values.items() if item[0] not in ("ref", "code"))
    return KEYS.digest(json.dumps([model, body], default=str, ensure_ascii=False, separators=(",", ":")))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(names, cells, max_size=9), st.sampled_from(["person", "event", "act"]))
def test_row_digest_matches_the_stored_form(values, model):
    assert row_digest(KEYS, model, ParsedRow(dict(values))) == stored_digest(model, values)


def test_row_digest_changes_with_any_value_but_not_with_ref_or_code():
    row = {"ref": "P1", "code": "RZ-AAAAAA", "sex": "female", "aliases": ("Mi-ya", "진메이")}
    digest = row_digest(KEYS, "person", ParsedRow(dict(row)))
    assert row_digest(KEYS, "person", ParsedRow({**row, "ref": "P2", "code": "RZ-BBBBBB"})) == digest
    assert row_digest(KEYS, "person", ParsedRow({**row, "aliases": ("Mi-ya",)})) != digest
    assert row_digest(KEYS, "event", ParsedRow(dict(row))) != digest


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=20)), st.one_of(st.none(), st.text(max_size=20)),
       st.lists(st.text(min_size=1, max_size=8), max_size=3), st.one_of(st.none(), st.text(max_size=20)),
       st.one_of(st.none(), st.text(max_size=20), st.just("{0} {}}")))
def test_sealed_identity_is_what_records_identity_writes(legal_name, hangul_name, aliases, whereabouts, contact):
    values = {"legal_name": legal_name, "hangul_name": hangul_name, "aliases": tuple(aliases) or None,
              "whereabouts": whereabouts, "contact": contact, "sex": "female"}
    identity = Identity(legal_name=legal_name, hangul_name=hangul_name, aliases=tuple(aliases),
                        whereabouts=whereabouts, contact=contact)
    blob = seal_identity_values(KEYS.fields, "RZ-TEST01", values)
    expected = seal_identity(KEYS.fields, "RZ-TEST01", identity)
    if expected is None:
        assert blob is None
        return
    # Same plaintext (nonces differ), and it opens only under this person's code.
    assert KEYS.fields.unseal(blob, identity_context("RZ-TEST01")) == KEYS.fields.unseal(
        expected, identity_context("RZ-TEST01"))
    assert unseal_identity(KEYS.fields, "RZ-TEST01", blob) == identity


def test_tuple_insert_stores_what_the_dict_insert_stores(workspace):
    now = dt.datetime(2026, 12, 7, 3, 0, 1, 250000, tzinfo=dt.timezone.utc)
    row = {"code": "RZ-DICT01", "organisation_id": "org-a", "person_role": "victim", "sex": "female",
           "birth_year_min": 1990, "birth_year_max": None, "identity_sealed": b"\x01sealed\x00bytes",
           "created_by": "officer", "created_at": now}
    with workspace.store.session() as session:
        session.add(Organisation(id="org-a", name="org-a"))
        session.flush()
        assert insert_rows(session, Person, [row]) == 1
        names = tuple(name for name in row if name not in ("created_by", "created_at"))
        assert insert_tuples(session, Person, names, [tuple({**row, "code": "RZ-TUPL01"}[n] for n in names)],
                             {"created_by": "officer", "created_at": now}) == 1
    with workspace.store.session() as session:
        stored = {person.code: person for person in session.scalars(sa.select(Person))}
        columns = [c.name for c in Person.__table__.columns if c.name not in ("id", "code")]
        as_dict, as_tuple = stored["RZ-DICT01"], stored["RZ-TUPL01"]
        assert [getattr(as_tuple, c) for c in columns] == [getattr(as_dict, c) for c in columns]
        assert as_tuple.identity_sealed == b"\x01sealed\x00bytes"
        stamp = as_tuple.created_at  # naive UTC on SQLite, aware on PostgreSQL
        assert (stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)) == now


def test_cells_read_once_give_each_row_its_own_reading_and_problems():
    from redzone.exchange.layout import LAYOUTS
    from redzone.exchange.validation import RowParser

    parser = RowParser(LAYOUTS["persons"], spreadsheet=True)
    rows = [{"ref": f"P{i}", "sex": cell, "birth_year_min": year, "aliases": aliases}
            for i, (cell, year, aliases) in enumerate([
                (" Female ", "1990", "Mi-ya; Jin Mei ;"), (" Female ", "1990", "Mi-ya;Mi-ya"),
                ("femal", "18x0", "'=cmd|x"), ("femal", "18x0", " ; "), ("x" * 5000, "2999", "a" * 201)])]
    parsed = [parser.parse(row) for row in rows + rows]  # every cell a second time: read from the memo
    for first, again in zip(parsed[:5], parsed[5:]):
        assert (first.values, first.problems) == (again.values, again.problems)
    assert parsed[0].values["sex"] == "female" and parsed[0].values["aliases"] == ("Mi-ya", "Jin Mei")
    assert parsed[0].problems == []
    assert parsed[1].problems == [("aliases", "lists the same item twice")]
    assert parsed[2].values["aliases"] == ("=cmd|x",)  # the exporter's formula escape removed once
    assert [column for column, _ in parsed[2].problems] == ["sex", "birth_year_min"]
    assert parsed[3].values["aliases"] is None
    assert [column for column, _ in parsed[4].problems] == ["sex", "birth_year_min", "aliases"]
    assert "5,000 characters long" in parsed[4].problems[0][1]


def test_every_imported_record_is_named_once_in_the_audit_chain(workspace, tmp_path, monkeypatch):
    from exchange_helpers import actor

    from redzone.exchange import batches, import_file, importer, writer
    from redzone.records.models import AuditEntry
    from redzone.security import audit

    # Small batches and a small audit span, so that a seven-row file crosses both boundaries.
    monkeypatch.setattr(importer, "BATCH", 2)  # the two-pass import
    monkeypatch.setattr(batches, "BATCH", 2)  # the one-pass import of one table
    monkeypatch.setattr(writer, "AUDIT_EVERY", 3)
    path = tmp_path / "persons.csv"
    rows = "".join(f"P{i},female,Synthetic {i}\n" for i in range(7))
    path.write_text("ref,sex,legal_name\n" + rows, encoding="utf-8")
    import_file(workspace, actor(workspace, "interviewer"), path, organisation="demo-tumen")
    with workspace.store.session() as session:
        codes = set(session.scalars(sa.select(Person.code)))
        batches = [entry.detail for entry in session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "import.batch").order_by(AuditEntry.id))]
        assert audit.verify(session, workspace.keys.audit_key).intact
        entries = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [len(batch["created"]) for batch in batches] == [4, 3]
    assert sorted(code for batch in batches for code in batch["created"]) == sorted(codes) and len(codes) == 7
    assert entries[-1].action == "import.run"  # the last records are audited before the import's own entry
    assert not any("Synthetic" in str(entry.detail) for entry in entries)  # never a sealed value


def test_a_taken_or_repeated_code_gets_a_new_one_and_the_identity_is_sealed_under_it(workspace, tmp_path,
                                                                                      monkeypatch):
    from exchange_helpers import actor

    from redzone.exchange import import_file, writer
    from redzone.records.models import ExternalRef

    officer = actor(workspace, "interviewer")  # who may record the identities of the persons she creates
    first = tmp_path / "persons.csv"
    first.write_text("ref,code,legal_name\nA1,RZ-AAAAAA,Synthetic A\n", encoding="utf-8")
    assert import_file(workspace, officer, first, organisation="org-a").codes_reassigned == 0
    drawn = writer.fresh_codes

    def clashing(kind, count):  # the first code drawn is one the workspace holds already
        yield "RZ-AAAAAA"
        yield from drawn(kind, count)

    monkeypatch.setattr(writer, "fresh_codes", clashing)
    second = tmp_path / "more-persons.csv"
    second.write_text("ref,code,legal_name\nB1,,Synthetic B1\nB2,RZ-AAAAAA,Synthetic B2\n"
                      "B3,RZ-BBBBBB,Synthetic B3\nB4,RZ-BBBBBB,Synthetic B4\n", encoding="utf-8")
    report = import_file(workspace, officer, second, record_type="persons", organisation="org-b")
    assert report.codes_reassigned == 2  # B2 asked for a taken code, B4 for B3's
    with workspace.store.session() as session:
        persons = {ref: person for ref, person in session.execute(
            sa.select(ExternalRef.ref, Person).join(Person, Person.id == ExternalRef.record_id))}
    assert len({person.code for person in persons.values()}) == 5
    assert persons["A1"].code == "RZ-AAAAAA" and persons["B3"].code == "RZ-BBBBBB"
    for ref, person in persons.items():  # each opens under its final code, and is the row's own
        identity = unseal_identity(workspace.keys.fields, person.code, person.identity_sealed)
        assert identity.legal_name == f"Synthetic {ref if ref != 'A1' else 'A'}"


@settings(max_examples=200, deadline=None)
@given(st.lists(names, min_size=1, max_size=6, unique=True).flatmap(
    lambda keys: st.tuples(st.just(keys), st.lists(st.lists(cells, min_size=len(keys), max_size=len(keys)),
                                                   min_size=1, max_size=8))),
       st.sampled_from(["person", "event"]))
def test_digest_texts_of_a_batch_by_columns_are_those_of_its_rows(table, model):
    from redzone.exchange.digests import digest_column_texts, digest_plan, digest_text

    keys, rows = table
    digested, _, plans = digest_plan(tuple(keys))
    if not digested:
        return
    by_rows = [digest_text(model, dict(zip(keys, row))) for row in rows]
    columns = [[row[keys.index(name)] for row in rows] for name in digested]
    assert digest_column_texts(model, digested, plans, columns) == by_rows
