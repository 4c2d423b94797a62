"""Preparing a large CSV's rows in a second process: the same records, the same problems, the same
refusals as preparing them in the importing process, and identities sealed for the codes the
persons finally get."""

import pytest
import sqlalchemy as sa

from exchange_helpers import actor, row_counts, second_workspace  # noqa: F401 — a fixture
from redzone.exchange import ImportRejected, import_file
from redzone.exchange.background import MIN_BYTES, worth_it
from redzone.records.identity import reveal_identity
from redzone.records.models import ExternalRef, Person

HEADER = "ref,organisation,sex,birth_year_min,birth_year_max,origin_place,crossing_year,legal_name,hangul_name,aliases\n"


def persons_csv(path, rows, fault_at=()):
    lines = [HEADER]
    for index in range(rows):
        sex = "femal" if index in fault_at else "female"
        lines.append(f"P{index},demo-tumen,{sex},{1970 + index % 30},,회령,{2000 + index % 20},"
                     f"Synthetic Person {index},가명{index},alias-{index};other-{index}\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def stored(ws):
    with ws.store.session() as session:
        return sorted(session.execute(
            sa.select(ExternalRef.ref, ExternalRef.row_digest, Person.sex, Person.birth_year_min,
                      Person.birth_year_max, Person.origin_place_id, Person.crossing_year)
            .join(Person, Person.id == ExternalRef.record_id).where(ExternalRef.record_type == "person")).all())


def test_background_reading_stores_what_reading_here_stores(workspace, second_workspace, tmp_path):
    file = persons_csv(tmp_path / "persons.csv", 2500)
    here = import_file(workspace, actor(workspace, "interviewer"), file, background=False)
    there = import_file(second_workspace, actor(second_workspace, "interviewer"), file, background=True)
    assert here.counts == there.counts == {"persons": {"created": 2500, "updated": 0, "unchanged": 0}}
    rows_here, rows_there = stored(workspace), stored(second_workspace)
    # Digests are keyed per workspace, so they differ; everything else is the same.
    assert [row[:1] + row[2:] for row in rows_here] == [row[:1] + row[2:] for row in rows_there]
    with second_workspace.store.session() as session:
        code = session.scalar(sa.select(Person.code).join(ExternalRef, ExternalRef.record_id == Person.id)
                              .where(ExternalRef.ref == "P7"))
    identity = reveal_identity(second_workspace.store, second_workspace.keys, actor(second_workspace, "interviewer"), code)
    assert (identity.legal_name, identity.aliases) == ("Synthetic Person 7", ("alias-7", "other-7"))
    # Digests computed by the helper match the importing process's: the re-import finds nothing changed.
    again = import_file(second_workspace, actor(second_workspace, "interviewer"), file, background=False)
    assert again.counts["persons"] == {"created": 0, "updated": 0, "unchanged": 2500}


def test_background_reading_lists_every_problem_and_writes_nothing(workspace, tmp_path):
    file = persons_csv(tmp_path / "persons.csv", 3000, fault_at=(4, 2998))
    before = row_counts(workspace)
    with pytest.raises(ImportRejected) as rejected:
        import_file(workspace, actor(workspace, "officer"), file, background=True)
    assert [str(p).split(":")[1:3] for p in rejected.value.problems] == [["6", "sex"], ["3000", "sex"]]
    assert row_counts(workspace) == before


def test_a_proposed_code_already_taken_is_replaced_and_the_identity_sealed_again(workspace, tmp_path):
    first = persons_csv(tmp_path / "first.csv", 3)
    import_file(workspace, actor(workspace, "interviewer"), first, record_type="persons", background=False)
    with workspace.store.session() as session:
        taken = session.scalar(sa.select(Person.code).order_by(Person.id).limit(1))
    # A partner's file asks for a code this workspace already gave: the helper seals for that code,
    # the writer gives another and must seal the identity again for it.
    clash = tmp_path / "clash.csv"
    clash.write_text("ref,code,sex,legal_name\nQ1," + taken + ",female,Synthetic Clash\n"
                     "Q2,,female,Synthetic Fresh\n", encoding="utf-8")
    report = import_file(workspace, actor(workspace, "interviewer"), clash, record_type="persons", background=True)
    assert report.counts["persons"]["created"] == 2 and report.codes_reassigned == 1
    with workspace.store.session() as session:
        codes = dict(session.execute(sa.select(ExternalRef.ref, Person.code)
                                     .join(Person, Person.id == ExternalRef.record_id)
                                     .where(ExternalRef.ref.in_(["Q1", "Q2"]))).all())
    assert codes["Q1"] != taken
    for ref, name in (("Q1", "Synthetic Clash"), ("Q2", "Synthetic Fresh")):
        identity = reveal_identity(workspace.store, workspace.keys, actor(workspace, "interviewer"), codes[ref])
        assert identity.legal_name == name


def test_background_reading_is_used_for_large_csv_files_only(tmp_path):
    small = persons_csv(tmp_path / "small.csv", 10)
    assert not worth_it(small, "csv")
    large = tmp_path / "large.csv"
    large.write_bytes(small.read_bytes() + b"#" * MIN_BYTES)
    assert worth_it(large, "csv") and not worth_it(large, "json")
