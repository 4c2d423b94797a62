"""The column way of writing new persons stores what the row way stores for the same file: every
column, the decrypted identities, the refs and their digests (so a re-import by either way leaves the
rows alone), the audit entries' details, and the same problems when the file is rejected."""

from __future__ import annotations

import sqlalchemy as sa
from exchange_helpers import actor, wipe
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from redzone.errors import ValidationError
from redzone.exchange import batches, import_file, readers
from redzone.records.identity import unseal_identity
from redzone.records.models import AuditEntry, ExternalRef, Organisation, Person

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
# Cells of each column that the parser reads, and some it refuses.
CELLS = {
    "code": (st.sampled_from(["", "RZ-FILE01", "RZ-FILE02"]), st.just("bad code")),
    "organisation": (st.sampled_from(["", "org-a", "org-b"]), st.just("org a")),
    "person_role": (st.sampled_from(["", "victim", "Witness", "perpetrator"]), st.just("bystander")),
    "sex": (st.sampled_from(["", "female", " Male ", "unknown"]), st.just("femal")),
    "birth_year_min": (st.sampled_from(["", "1950", "1990", "2001"]), st.just("18x0")),
    "birth_year_max": (st.sampled_from(["", "1960", "1995", "2003"]), st.just("1899")),
    "origin_place": (st.sampled_from(["", "cn", "cn.liaoning", "cn.liaoning.shenyang"]), st.just("nowhere")),
    "crossing_year": (st.sampled_from(["", "2010", "2019"]), st.just("3000")),
    "legal_name": (TEXT, st.just("x" * 301)),
    "hangul_name": (st.sampled_from(["", "김영희", "{0}}"]), st.just("y" * 301)),
    "aliases": (st.sampled_from(["", "Mi-ya", "Mi-ya; Jin Mei", " ; "]), st.just("a;a")),
    "contact": (TEXT, st.just("z" * 1001)),
    "whereabouts": (st.sampled_from(["", "Shenyang", "'=cmd|x"]), st.just("w" * 2001)),
}


@st.composite
def persons_files(draw):
    """A persons CSV (ref first, then some of the other columns; in one file of four, some cells the
    parser refuses), how many of its rows to import first (so that the full file then finds refs
    already mapped), and who imports it (an officer may not record identities)."""
    names = ["ref"] + draw(st.lists(st.sampled_from(sorted(CELLS)), unique=True, max_size=len(CELLS)))
    count = draw(st.integers(1, 14))
    faulty = draw(st.integers(0, 3)) == 0
    ref = st.sampled_from([f"P{i}" for i in range(40)])
    refs = draw(st.lists(st.one_of(ref, st.sampled_from(["", "bad;ref", "P1"])) if faulty else ref,
                         min_size=count, max_size=count, unique=not faulty))
    rows = [[ref] + [draw(st.one_of(*CELLS[name]) if faulty else CELLS[name][0]) for name in names[1:]]
            for ref in refs]
    before = draw(st.sampled_from([0, 0, count // 2]))
    return names, rows, before, draw(st.sampled_from(["interviewer", "interviewer", "officer", "admin"]))


def _csv(path, names, rows) -> None:
    def cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n\r') else text

    path.write_text("\n".join(",".join(map(cell, row)) for row in [names, *rows]) + "\n", encoding="utf-8")


def _stored(ws) -> dict:
    """What the workspace holds, codes drawn at random replaced by the refs they were drawn for."""
    with ws.store.session() as session:
        by_id = {person.id: person for person in session.scalars(sa.select(Person))}
        refs = session.execute(sa.select(ExternalRef.ref, ExternalRef.record_id, ExternalRef.row_digest,
                                         ExternalRef.record_type, ExternalRef.organisation_id,
                                         ExternalRef.record_revision, ExternalRef.audit_mark)).all()
        name_of = {by_id[record_id].code: f"<{ref}>" for ref, record_id, *_ in refs}
        name_of.update({code: code for code in name_of if code.startswith("RZ-FILE")})
        persons = {}
        for ref, record_id, digest, *rest in refs:
            person = by_id[record_id]
            persons[ref] = (name_of[person.code], digest, *rest, person.organisation_id, person.person_role,
                            person.sex, person.birth_year_min, person.birth_year_max, person.origin_place_id,
                            person.crossing_year, person.created_by, person.revision,
                            unseal_identity(ws.keys.fields, person.code, person.identity_sealed))
        entries = []
        for action, record_type, record_id, detail in session.execute(sa.select(
                AuditEntry.action, AuditEntry.record_type, AuditEntry.record_id, AuditEntry.detail)
                .order_by(AuditEntry.id)):
            if action == "import.batch":
                detail = {key: [name_of[code] for code in codes] for key, codes in detail.items()}
            elif action == "import.run":
                detail = {key: value for key, value in detail.items() if key != "file_sha256"}
            entries.append((action, record_type, record_id, detail))
        organisations = sorted(session.scalars(sa.select(Organisation.id)))
    return {"persons": persons, "audit": entries, "organisations": organisations,
            "unmapped": len(by_id) - len(refs)}


def _import(ws, path, names, rows, before, username):
    """Import the first `before` rows, then the whole file: what each import reported, or its problems."""
    outcomes = []
    for part in ([rows[:before]] if before else []) + [rows]:
        _csv(path, names, part)
        try:
            report = import_file(ws, actor(ws, username), path, organisation="partner")
            outcomes.append((report.rows, report.counts, report.organisations_created, report.codes_reassigned))
        except ValidationError as rejected:
            outcomes.append([str(problem) for problem in rejected.problems])
    return outcomes


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(persons_files())
def test_the_column_way_stores_what_the_row_way_stores(workspace, tmp_path, monkeypatch, file):
    names, rows, before, username = file
    note(repr(file))
    monkeypatch.setattr(readers, "BATCH_ROWS", 4)  # a file of several reader batches, some clean, some not
    monkeypatch.setattr(batches, "BATCH", 3)
    written_by_columns = []
    write_persons = batches.write_persons
    monkeypatch.setattr(batches, "write_persons", lambda *args: written_by_columns.append(len(args[3][0]))
                        or write_persons(*args))
    path = tmp_path / "persons.csv"
    results = []
    for column_way in (True, False):
        monkeypatch.setattr(batches, "COLUMN_PATH", column_way)
        wipe(workspace)
        outcomes = _import(workspace, path, names, rows, before, username)
        results.append((outcomes, _stored(workspace)))
        if column_way:
            columns_used = sum(written_by_columns)
    note(repr(results[0][0]))
    assert results[0] == results[1]
    assert sum(written_by_columns) == columns_used  # the row way wrote nothing by columns
    if all(isinstance(outcome, tuple) for outcome in results[0][0]):
        # Accepted files: every row of the first import that read any (a blank line is no row) went the
        # column way, none of a re-import's.
        assert columns_used == next((rows for rows, *_ in results[0][0] if rows), 0)

def test_a_persons_file_is_written_by_columns_and_a_re_import_by_either_way_changes_nothing(workspace, tmp_path,
                                                                                             monkeypatch):
    path = tmp_path / "persons.csv"
    names = ["ref", "sex", "legal_name", "aliases", "birth_year_min", "organisation"]
    rows = [[f"P{i}", "female", f"Synthetic {i}", "Mi-ya; Jin Mei" if i % 2 else "", str(1950 + i % 50), "org-a"]
            for i in range(2500)]
    _csv(path, names, rows)
    written = []
    write_persons = batches.write_persons
    monkeypatch.setattr(batches, "write_persons", lambda *args: written.append(len(args[3][0])) or write_persons(*args))
    report = import_file(workspace, actor(workspace, "interviewer"), path, organisation="partner")
    assert report.counts["persons"] == {"created": 2500, "updated": 0, "unchanged": 0}
    assert sum(written) == 2500
    stored = _stored(workspace)
    for column_way in (True, False):
        monkeypatch.setattr(batches, "COLUMN_PATH", column_way)
        again = import_file(workspace, actor(workspace, "interviewer"), path, organisation="partner")
        assert again.counts["persons"] == {"created": 0, "updated": 0, "unchanged": 2500}
    after = _stored(workspace)
    assert after["persons"] == stored["persons"]
    assert stored["persons"]["P1"][-1].aliases == ("Mi-ya", "Jin Mei")
