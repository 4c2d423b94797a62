"""An import changes an existing record only as editing it by hand would be allowed to: sealed identities
need the permission to change them, a withdrawal of consent is never undone, and a dry run is audited
and tells nothing about a sealed value to a role that may not see it."""

import datetime as dt
import hashlib
import json

import pytest
import sqlalchemy as sa

from exchange_helpers import actor, row_counts
from redzone.exchange import ImportRejected, import_file
from redzone.records.entry import withdraw_consent
from redzone.records.identity import reveal_identity
from redzone.records.models import AuditEntry, ExternalRef, Person, Source
from redzone.records.users import SYSTEM, create_user

PERSON = ("ref,organisation,sex,birth_year_min,legal_name,contact,whereabouts\n"
          "Q1,demo-tumen,female,1996,Pak Synthetic-Q,SYN-contact-1,SYN-place-1\n")
SOURCE = ("ref,kind,title,consent_scopes,consent_withdrawn_at\n"
          "S1,interview,Synthetic interview,internal_analysis,\n")


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def stored(ws, model, ref):
    with ws.store.session() as session:
        record = session.scalars(sa.select(model).join(ExternalRef, ExternalRef.record_id == model.id).where(
            ExternalRef.ref == ref, ExternalRef.record_type == model.__tablename__)).one()
        session.expunge(record)
        return record


def audit_actions(ws):
    with ws.store.session() as session:
        return [(e.actor, e.action, e.detail) for e in session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]


def test_an_identity_is_changed_by_import_only_with_the_permission_to_change_it(workspace, tmp_path):
    import_file(workspace, actor(workspace, "interviewer"), write(tmp_path, "persons.csv", PERSON))
    before = stored(workspace, Person, "Q1").identity_sealed
    erase = "ref,legal_name,contact,whereabouts\nQ1,Someone Else,,\n"
    for who in ("admin", "officer"):  # administrator: no person.edit; documentation officer: no person.edit_sealed
        with pytest.raises(ImportRejected) as rejected:
            import_file(workspace, actor(workspace, who), write(tmp_path, "persons.csv", erase))
        assert [str(p) for p in rejected.value.problems] == [
            "persons.csv:2:legal_name: carries an identity column for an existing person: your role may not "
            "change a person's sealed identity of this person (leave the identity columns out to update the rest)"]
        assert stored(workspace, Person, "Q1").identity_sealed == before
    # The same refusal in a file of several record types (validated first, then written).
    mixed = write(tmp_path, "partner.jsonl", "\n".join(json.dumps(o) for o in (
        {"record_type": "events", "ref": "E9", "kind": "sale"},
        {"record_type": "persons", "ref": "Q1", "contact": ""})))
    with pytest.raises(ImportRejected) as rejected:
        import_file(workspace, actor(workspace, "admin"), mixed)
    assert [str(p) for p in rejected.value.problems] == [
        "partner.jsonl:1:ref: would create a new event: your role may not code acts from a source",
        "partner.jsonl:2:contact: carries an identity column for an existing person: your role may not "
        "change a person's sealed identity of this person (leave the identity columns out to update the rest)"]
    # Analysable columns: the administrator may not edit a person at all, the officer may.
    older = "ref,birth_year_min\nQ1,1995\n"
    with pytest.raises(ImportRejected, match="1 problem") as rejected:
        import_file(workspace, actor(workspace, "admin"), write(tmp_path, "persons.csv", older))
    assert str(rejected.value.problems[0]) == \
        "persons.csv:2:ref: changes an existing person: your role may not edit a person's analysable fields"
    report = import_file(workspace, actor(workspace, "officer"), write(tmp_path, "persons.csv", older))
    assert report.counts["persons"]["updated"] == 1 and stored(workspace, Person, "Q1").birth_year_min == 1995
    # The interviewer who recorded the person may change the identity (scope "own"), as by hand.
    import_file(workspace, actor(workspace, "interviewer"), write(tmp_path, "persons.csv", erase))
    identity = reveal_identity(workspace.store, workspace.keys, actor(workspace, "interviewer"),
                               stored(workspace, Person, "Q1").code)
    assert (identity.legal_name, identity.contact, identity.whereabouts) == ("Someone Else", None, None)
    # Changing a source needs source.edit, as by hand; a row carrying its (sealed) text, even unchanged.
    import_file(workspace, actor(workspace, "interviewer"), write(tmp_path, "sources.csv", SOURCE))
    retitled = SOURCE.replace("Synthetic interview", "Synthetic interview (retitled)")
    with_text = "ref,kind,text\nS1,interview,\n"
    for text, expected in (
            (SOURCE, None), (retitled, "ref: changes an existing source: your role may not edit a source"),
            (with_text, "text: carries the text of an existing source: your role may not edit a source")):
        path = write(tmp_path, "sources.csv", text)
        if expected is None:  # unchanged, no sealed column: nothing to refuse
            assert import_file(workspace, actor(workspace, "admin"), path).counts["sources"]["unchanged"] == 1
            continue
        with pytest.raises(ImportRejected) as rejected:
            import_file(workspace, actor(workspace, "admin"), path)
        assert [str(p) for p in rejected.value.problems] == [f"sources.csv:2:{expected}"]



def test_a_source_text_is_changed_or_matched_by_import_only_by_who_may_read_it(workspace, tmp_path):
    """An interviewer reads (and so re-imports) only her own cases' texts: another interviewer's row
    carrying the text is refused whether it matches or not, and without it the row updates."""
    with workspace.store.session() as session:
        create_user(session, workspace.keys, SYSTEM, "interviewer2", "interviewer")
    texts = "ref,kind,title,text\nS1,interview,Synthetic,Synthetic testimony SYN-1.\n"
    import_file(workspace, actor(workspace, "interviewer"), write(tmp_path, "sources.csv", texts))
    other = actor(workspace, "interviewer2")
    answers = []
    for guess in (texts, texts.replace("SYN-1", "SYN-2")):
        with pytest.raises(ImportRejected) as rejected:
            import_file(workspace, other, write(tmp_path, "sources.csv", guess), dry_run=True)
        answers.append([str(p) for p in rejected.value.problems])
    assert answers[0] == answers[1] == [
        "sources.csv:2:text: carries the text of an existing source whose text your role may not read "
        "(leave the text column out to update the rest)"]
    report = import_file(workspace, other, write(tmp_path, "sources.csv", "ref,kind,title\nS1,interview,Renamed\n"))
    assert report.counts["sources"]["updated"] == 1 and stored(workspace, Source, "S1").title == "Renamed"
    # Its recorder may carry the text (the title goes back to the file's).
    report = import_file(workspace, actor(workspace, "interviewer"), write(tmp_path, "sources.csv", texts))
    assert report.counts["sources"] == {"created": 0, "updated": 1, "unchanged": 0}


def test_a_dry_run_does_not_confirm_a_guessed_identity_and_is_audited(workspace, tmp_path):
    import_file(workspace, actor(workspace, "interviewer"), write(tmp_path, "persons.csv", PERSON))
    right, wrong = PERSON, PERSON.replace("Pak Synthetic-Q", "Kim Synthetic-Q")
    answers = []
    for guess in (right, wrong):
        path = write(tmp_path, "persons.csv", guess)
        with pytest.raises(ImportRejected) as rejected:
            import_file(workspace, actor(workspace, "officer"), path, dry_run=True)
        answers.append([str(p) for p in rejected.value.problems])
    assert answers[0] == answers[1] and answers[0][0].startswith("persons.csv:2:legal_name: carries an identity")
    # Every dry run is audited: who, the file's digest, counts and the number of problems; never a value.
    new = write(tmp_path, "persons.csv", "ref,organisation,sex,birth_year_min\nQ2,demo-tumen,female,1996\n")
    report = import_file(workspace, actor(workspace, "officer"), new, dry_run=True)
    assert report.counts == {"persons": {"created": 1, "updated": 0, "unchanged": 0}}
    runs = [(who, detail) for who, action, detail in audit_actions(workspace) if action == "import.dry_run"]
    assert [(who, detail["problems"], detail["counts"]["persons"]) for who, detail in runs] == [
        ("officer", 1, {"created": 0, "updated": 0, "unchanged": 0}),  # a refused row is not counted
        ("officer", 1, {"created": 0, "updated": 0, "unchanged": 0}),
        ("officer", 0, {"created": 1, "updated": 0, "unchanged": 0})]
    assert runs[2][1]["file_sha256"] == hashlib.sha256(new.read_bytes()).hexdigest()
    assert "Synthetic" not in json.dumps(runs) and "SYN-" not in json.dumps(runs)


def test_a_reimport_never_undoes_a_withdrawal_of_consent(workspace, tmp_path, context_for):
    interviewer = actor(workspace, "interviewer")
    import_file(workspace, interviewer, write(tmp_path, "sources.csv", SOURCE))
    withdrawn_on = dt.date(2024, 2, 1)
    with context_for("interviewer") as ctx:
        withdraw_consent(ctx, ctx.session.get(Source, stored(workspace, Source, "S1").id), withdrawn_on)
    corrected = SOURCE.replace("Synthetic interview", "Synthetic interview (corrected)")
    # The withdrawal is a change made here: the partner's row replaces the rest only when told to.
    report = import_file(workspace, interviewer, write(tmp_path, "sources.csv", corrected), overwrite_edits=True)
    assert report.counts["sources"]["updated"] == 1
    source = stored(workspace, Source, "S1")
    assert (source.title, source.consent_withdrawn_at) == ("Synthetic interview (corrected)", withdrawn_on)
    # Nor moves it: a partner's later date leaves the first withdrawal; a source without one takes the date.
    later = corrected.replace("internal_analysis,", "internal_analysis,2024-06-01")
    import_file(workspace, interviewer, write(tmp_path, "sources.csv", later + "S2,interview,Other,,\n"),
                overwrite_edits=True)
    import_file(workspace, interviewer, write(tmp_path, "sources.csv",
                                              "ref,kind,consent_withdrawn_at\nS2,interview,2024-06-01\n"))
    assert stored(workspace, Source, "S1").consent_withdrawn_at == withdrawn_on
    assert stored(workspace, Source, "S2").consent_withdrawn_at == dt.date(2024, 6, 1)


def test_an_import_creates_only_what_the_role_may_record_by_hand(workspace, tmp_path):
    """`import.run` is not enough to create records: the administrator, who may import but record
    nothing, creates no group, event, person, source or act; the documentation officer, who may not
    record a sealed identity in the testimony form, may not import one for a new person either."""
    files = {"groups.csv": "ref,name,kind\nG1,Synthetic ring,broker_network\n",
             "events.csv": "ref,kind\nE1,sale\n",
             "persons.csv": "ref,sex,event_refs\nP1,female,\n",
             "sources.csv": "ref,kind,text\nS1,interview,Synthetic testimony.\n",
             "acts.csv": "ref,violation\nA1,trafficking.sale\n"}
    before = row_counts(workspace)
    refused = {}
    for name, text in files.items():
        with pytest.raises(ImportRejected) as rejected:
            import_file(workspace, actor(workspace, "admin"), write(tmp_path, name, text))
        refused[name] = [str(p) for p in rejected.value.problems]
    assert refused == {
        "groups.csv": ["groups.csv:2:ref: would create a new group: your role may not code acts from a source"],
        "events.csv": ["events.csv:2:ref: would create a new event: your role may not code acts from a source"],
        "persons.csv": ["persons.csv:2:ref: would create a new person: your role may not record a person"],
        "sources.csv": ["sources.csv:2:ref: would create a new source: your role may not record a source"],
        "acts.csv": ["acts.csv:2:ref: would create a new act: your role may not code acts from a source"]}
    # In a file of several types, validated whole before anything is written, the same.
    mixed = write(tmp_path, "partner.jsonl", "\n".join(json.dumps(o) for o in (
        {"record_type": "events", "ref": "E1", "kind": "sale"}, {"record_type": "persons", "ref": "P1"})))
    with pytest.raises(ImportRejected, match="2 problems"):
        import_file(workspace, actor(workspace, "admin"), mixed)
    assert row_counts(workspace) == before
    # The officer records persons, but not their sealed identity: the identity column is named.
    named = write(tmp_path, "persons.csv", "ref,sex,legal_name,hangul_name\nP1,female,,\nP2,female,,박가명\n")
    with pytest.raises(ImportRejected) as rejected:
        import_file(workspace, actor(workspace, "officer"), named)
    assert [str(p) for p in rejected.value.problems] == [
        "persons.csv:3:hangul_name: would record a sealed identity for a new person: your role may not record "
        "one (leave the identity columns out)"]
    assert row_counts(workspace) == before
    # Without it, or as the interviewer who may, the same rows are created; so is a source with its text.
    import_file(workspace, actor(workspace, "officer"), write(tmp_path, "persons-2.csv", "ref,sex\nP1,female\n"),
                record_type="persons")
    report = import_file(workspace, actor(workspace, "interviewer"), named, organisation="demo-tumen")
    assert report.counts["persons"]["created"] == 2
    report = import_file(workspace, actor(workspace, "officer"), write(tmp_path, "sources.csv", files["sources.csv"]))
    assert report.counts["sources"]["created"] == 1
