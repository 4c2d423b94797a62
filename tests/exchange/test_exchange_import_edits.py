"""A re-import never silently undoes a change made in the workspace since the import that last wrote a
record: the row is refused at its ref (the whole file, nothing written) unless the import is told to
overwrite; reading a record is not a change. Synthetic data only."""

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from alembic import command

from exchange_helpers import actor, row_counts
from redzone.exchange import ImportRejected, import_file
from redzone.records.corrections import update_journey_step
from redzone.records.entry import JourneyStep, add_journey, withdraw_consent
from redzone.records.identity import reveal_identity
from redzone.records.models import Event, ExternalRef, Person, Source
from redzone.security import audit
from redzone.store import migrate

EVENTS = "ref,kind,place,date_start\nE1,sale,Yanji,2015-03\nE2,arrest,cn.jilin.yanbian.tumen,2016-07-02\n"
PERSONS = "ref,sex,birth_year_min,legal_name\nP1,female,1996,Pak Synthetic-One\nP2,female,1999,Ri Synthetic-Two\n"
SOURCES = "ref,kind,title,consent_scopes\nS1,interview,Synthetic interview,internal_analysis\n"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def record(ws, model, ref):
    with ws.store.session() as session:
        found = session.scalars(sa.select(model).join(ExternalRef, ExternalRef.record_id == model.id).where(
            ExternalRef.ref == ref, ExternalRef.record_type == model.__tablename__)).one()
        session.expunge(found)
        return found


def refused_lines(ws, who, path, **options):
    before = row_counts(ws)
    with pytest.raises(ImportRejected) as rejected:
        import_file(ws, actor(ws, who), path, **options)
    assert row_counts(ws) == before  # nothing written, not even an audit entry
    return [str(problem) for problem in rejected.value.problems]


def test_a_hand_edit_is_kept_against_an_older_file_unless_overwritten(workspace, tmp_path, context_for):
    officer = actor(workspace, "officer")
    import_file(workspace, officer, write(tmp_path, "events.csv", EVENTS))
    import_file(workspace, actor(workspace, "interviewer"), write(tmp_path, "persons.csv", PERSONS))
    sale = record(workspace, Event, "E1")
    with context_for("officer") as ctx:  # the sale becomes a step of P1's journey, then its date is corrected
        person = ctx.session.get(Person, record(workspace, Person, "P1").id)
        add_journey(ctx, person, [ctx.session.get(Event, sale.id)])
        update_journey_step(ctx, person, sale.code, JourneyStep("sale", "cn.jilin.yanbian.yanji",
                                                                dt.date(2015, 4, 9), date_precision="day"))
    # The same file again: nothing to write, and the correction stays.
    report = import_file(workspace, officer, write(tmp_path, "events.csv", EVENTS))
    assert report.counts["events"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert record(workspace, Event, "E1").date_start == dt.date(2015, 4, 9)
    # An older version of the file, which would move the date back: refused at the row's ref.
    older = EVENTS.replace("2015-03", "2015").replace("2016-07-02", "2016-07-01")
    lines = refused_lines(workspace, "officer", write(tmp_path, "events.csv", older))
    assert lines == [f"events.csv:2:ref: 'E1' was imported as {sale.code}, which has been changed here since (by "
                     "hand or another import); writing this row would undo that change: leave the row out, or "
                     "import with --overwrite-edits"]
    assert record(workspace, Event, "E1").date_start == dt.date(2015, 4, 9)
    # Told to, the file wins, and what it wrote is the new starting point for the next import.
    report = import_file(workspace, officer, write(tmp_path, "events.csv", older), overwrite_edits=True)
    assert report.counts["events"] == {"created": 0, "updated": 2, "unchanged": 0}
    assert report.edits_overwritten == 1
    assert (record(workspace, Event, "E1").date_start, record(workspace, Event, "E1").date_precision) == \
        (dt.date(2015, 1, 1), "year")
    report = import_file(workspace, officer, write(tmp_path, "events.csv", EVENTS))
    assert report.counts["events"] == {"created": 0, "updated": 2, "unchanged": 0}
    # The person's journey changed by hand too (a step added): her changed row is refused, P2's is not.
    changed = PERSONS.replace("1996", "1995").replace("1999", "1998")
    lines = refused_lines(workspace, "interviewer", write(tmp_path, "persons.csv", changed))
    assert [line[:28] for line in lines] == ["persons.csv:2:ref: 'P1' was "]


def test_any_writer_counts_and_reading_does_not(workspace, tmp_path, context_for):
    interviewer = actor(workspace, "interviewer")
    import_file(workspace, interviewer, write(tmp_path, "persons.csv", PERSONS))
    import_file(workspace, interviewer, write(tmp_path, "sources.csv", SOURCES))
    p1 = record(workspace, Person, "P1")
    reveal_identity(workspace.store, workspace.keys, interviewer, p1.code)  # a read, audited: not a change
    with workspace.store.session() as session:  # a writer that neither uses the ORM nor audits: still seen
        session.execute(sa.text("UPDATE person SET sex = 'unknown' WHERE id = :id"), {"id": record(
            workspace, Person, "P2").id})
    with context_for("interviewer") as ctx:
        withdraw_consent(ctx, ctx.session.get(Source, record(workspace, Source, "S1").id), dt.date(2024, 2, 1))
    # Several record types in one file: validated whole first, then written.
    mixed = write(tmp_path, "partner.jsonl", "\n".join(json.dumps(row) for row in (
        {"record_type": "persons", "ref": "P1", "sex": "female", "birth_year_min": 1997},
        {"record_type": "persons", "ref": "P2", "sex": "female", "birth_year_min": 1998},
        {"record_type": "sources", "ref": "S1", "kind": "interview", "title": "Synthetic interview (2)"})))
    lines = refused_lines(workspace, "interviewer", mixed)
    assert [line.split(" was ")[0] for line in lines] == ["partner.jsonl:2:ref: 'P2'", "partner.jsonl:3:ref: 'S1'"]
    report = import_file(workspace, interviewer, mixed, overwrite_edits=True)
    assert report.counts == {"persons": {"created": 0, "updated": 2, "unchanged": 0},
                             "sources": {"created": 0, "updated": 1, "unchanged": 0}}
    assert report.edits_overwritten == 2
    assert (record(workspace, Person, "P1").birth_year_min, record(workspace, Person, "P2").sex) == (1997, "female")
    # Overwriting never undoes a withdrawal of consent.
    assert record(workspace, Source, "S1").consent_withdrawn_at == dt.date(2024, 2, 1)


def test_a_dry_run_tells_what_would_be_refused_or_overwritten(workspace, tmp_path):
    officer = actor(workspace, "officer")
    import_file(workspace, officer, write(tmp_path, "events.csv", EVENTS))
    with workspace.store.session() as session:
        session.execute(sa.update(Event).where(Event.id == record(workspace, Event, "E2").id).values(description="x"))
    older = EVENTS.replace("2016-07-02", "2016-07-01")
    with pytest.raises(ImportRejected):
        import_file(workspace, officer, write(tmp_path, "events.csv", older), dry_run=True)
    report = import_file(workspace, officer, write(tmp_path, "events.csv", EVENTS), dry_run=True, overwrite_edits=True)
    assert (report.counts["events"], report.edits_overwritten) == ({"created": 0, "updated": 1, "unchanged": 1}, 1)
    assert record(workspace, Event, "E2").description == "x"


def test_refs_imported_before_the_guard_get_their_import_position(workspace, tmp_path):
    """Upgrading from 0009: each ref's mark is the last audit entry no later than its import, so a change
    audited after that import is still seen; downgrading takes the columns and triggers away again."""
    interviewer = actor(workspace, "interviewer")
    import_file(workspace, interviewer, write(tmp_path, "persons.csv", PERSONS))
    code = record(workspace, Person, "P1").code
    with workspace.store.engine.begin() as connection:
        command.downgrade(migrate.alembic_config(connection), "0009")
        columns = {c["name"] for c in sa.inspect(connection).get_columns("person")}
        assert "revision" not in columns
    with workspace.store.session() as session:  # a journey step added by hand under 0009, as it audits it
        audit.append(session, workspace.keys.audit_key, "interviewer", "journey.add", "person", code,
                     {"events": ["EV-SYNTH1"]})
    migrate.upgrade(workspace.store.engine)
    with workspace.store.session() as session:
        marks = set(session.scalars(sa.select(ExternalRef.audit_mark)))
    assert len(marks) == 1 and marks != {0}
    changed = PERSONS.replace("1996", "1995")
    assert [line[:28] for line in refused_lines(workspace, "interviewer", write(tmp_path, "persons.csv", changed))] \
        == ["persons.csv:2:ref: 'P1' was "]
