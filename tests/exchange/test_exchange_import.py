"""Importing partners' files: every problem named with file:row:column, nothing half-written, no duplicates."""

import datetime as dt
import json

import openpyxl
import pytest
import sqlalchemy as sa

from exchange_helpers import actor, row_counts
from redzone.errors import PermissionDenied, ValidationError
from redzone.exchange import ImportRejected, export_records, import_file, write_template
from redzone.records.identity import reveal_identity
from redzone.records.models import Act, AuditEntry, Event, EventAttestation, ExternalRef, Participation, Person, Source

EVENTS = ("ref,kind,place,date_start,date_precision\n"
          "E1,sale,Yanji,2015-03,\n"
          "E2,arrest,cn.jilin.yanbian.tumen,2016-07-02,\n")
PERSONS = ("ref,organisation,sex,birth_year_min,origin_place,event_refs,legal_name,hangul_name,aliases\n"
           "P1,demo-tumen,female,1996,회령,E1;E2,Pak Synthetic-One,박가명,Jin Mei;Mi-ya\n"
           "P2,demo-tumen,Female,1999,,E2,Ri Synthetic-Two,,\n")
SOURCES = ("ref,kind,reliability,credibility,interviewee_ref,consent_scopes,text,attested_events\n"
           "S1,interview,B,2,P1,internal_analysis,Synthetic text.,E1@0-9;E2\n")
ACTS = ("ref,victim_ref,violation,event_ref,price_amount,price_currency,perpetrators,source_refs\n"
        "A1,P1,trafficking.sale,E1,30000,CNY,broker;buyer,S1@0-9\n"
        "A2,P2,refoulement.forced_repatriation,E2,,,police,S1\n")


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def import_all(ws, tmp_path, who="interviewer", **options):
    reports = []
    for name, text in (("events.csv", EVENTS), ("persons.csv", PERSONS), ("sources.csv", SOURCES),
                       ("acts.csv", ACTS)):
        reports.append(import_file(ws, actor(ws, who), write(tmp_path, name, text), **options))
    return reports


def test_files_import_in_order_sealed_and_linked(workspace, tmp_path):
    reports = import_all(workspace, tmp_path, who="interviewer")
    assert [r.counts for r in reports] == [{kind: {"created": 2 - (kind == "sources"), "updated": 0, "unchanged": 0}}
                                           for kind in ("events", "persons", "sources", "acts")]
    with workspace.store.session() as session:
        p1 = session.scalars(sa.select(Person).join(ExternalRef, ExternalRef.record_id == Person.id)
                             .where(ExternalRef.ref == "P1", ExternalRef.record_type == "person")).one()
        assert (p1.sex, p1.origin_place_id, p1.organisation_id) == ("female", "kp.north_hamgyong.hoeryong", "demo-tumen")
        assert b"Synthetic-One" not in p1.identity_sealed and "박".encode() not in p1.identity_sealed
        journey = session.scalars(sa.select(Participation.sequence).where(Participation.person_id == p1.id)
                                  .order_by(Participation.sequence)).all()
        assert journey == [1, 2]
        sale = session.scalars(sa.select(Event).where(Event.kind == "sale")).one()
        assert (sale.date_start, sale.date_precision, sale.province_id) == (dt.date(2015, 3, 1), "month", "cn.jilin")
        act = session.scalars(sa.select(Act).where(Act.violation == "trafficking.sale")).one()
        assert [p.role for p in act.perpetrators] == ["broker", "buyer"]
        assert [(a.span_start, a.span_end) for a in act.attestations] == [(0, 9)]
        assert session.scalars(sa.select(Source)).one().text_sealed is not None
        told = session.execute(sa.select(Event.kind, EventAttestation.span_start, EventAttestation.span_end)
                               .join(Event, Event.id == EventAttestation.event_id).order_by(EventAttestation.id)).all()
        assert told == [("sale", 0, 9), ("arrest", None, None)]  # the journey's steps traced to the source
        events = dict(session.execute(sa.select(Event.kind, Event.code)).all())
    export_records(workspace, actor(workspace, "analyst"), tmp_path / "sources.json", fmt="json", types=["sources"])
    exported = json.loads((tmp_path / "sources.json").read_text(encoding="utf-8"))
    assert f'"{events["sale"]}@0-9", "{events["arrest"]}"' in json.dumps(exported)  # and exported as they came
    with workspace.store.session() as session:
        actions = [e.action for e in session.scalars(sa.select(AuditEntry))]
    assert actions.count("import.run") == 4 and actions.count("import.batch") == 4
    # The interviewer who imported them may see the identities (scope "own"), as if typed in by hand.
    identity = reveal_identity(workspace.store, workspace.keys, actor(workspace, "interviewer"), p1.code)
    assert (identity.legal_name, identity.hangul_name, identity.aliases) == \
        ("Pak Synthetic-One", "박가명", ("Jin Mei", "Mi-ya"))


def test_reimport_is_idempotent_and_a_changed_row_updates(workspace, tmp_path):
    # The interviewer, who may change the identities she recorded: the files carry identity columns.
    import_all(workspace, tmp_path, who="interviewer")
    before = row_counts(workspace)
    again = import_all(workspace, tmp_path, who="interviewer")
    assert all(counts["created"] == counts["updated"] == 0 for r in again for counts in r.counts.values())
    after = row_counts(workspace)
    assert {k: v for k, v in after.items() if k != "audit_entry"} == {k: v for k, v in before.items() if k != "audit_entry"}
    changed = PERSONS.replace("P2,demo-tumen,Female,1999", "P2,demo-tumen,female,1998")
    report = import_file(workspace, actor(workspace, "interviewer"), write(tmp_path, "persons.csv", changed))
    assert report.counts["persons"] == {"created": 0, "updated": 1, "unchanged": 1}
    with workspace.store.session() as session:
        assert sorted(session.scalars(sa.select(Person.birth_year_min))) == [1996, 1998]
    # Another organisation's P1 is another record.
    other = import_file(workspace, actor(workspace, "officer"), write(tmp_path, "events.csv", EVENTS),
                        organisation="demo-haven")
    assert other.counts["events"]["created"] == 2


def test_a_bad_file_lists_every_problem_and_writes_nothing(workspace, tmp_path):
    import_all(workspace, tmp_path)
    before = row_counts(workspace)
    bad = ("ref,sex,birth_year_min,birth_year_max,origin_place,event_refs,nickname\n"
           "P7,femal,19x0,,Atlantis,E1,\n"
           "P8,female,2001,1999,,E404,\n"
           "P8,male,1990,,,,\n")
    with pytest.raises(ImportRejected) as rejected:
        import_file(workspace, actor(workspace, "officer"), write(tmp_path, "persons.csv", bad))
    lines = [str(p) for p in rejected.value.problems]
    assert lines[0].startswith("persons.csv:1:nickname: is not a column of persons")
    expected = ["persons.csv:2:sex: 'femal' is not in the vocabulary's sexes",
                "persons.csv:2:birth_year_min: '19x0' is not a whole number",
                "persons.csv:2:origin_place: 'Atlantis' is not a gazetteer place id or name",
                "persons.csv:3:birth_year_max: is before birth_year_min",
                "persons.csv:3:event_refs: no event with ref 'E404' in this file or in the workspace",
                "persons.csv:4:ref: 'P8' is already used at persons.csv:3"]
    for line in expected:
        assert any(shown.startswith(line) for shown in lines), (line, lines)
    assert rejected.value.total == len(lines) == 7
    assert "rejected with 7 problems; nothing was written" in str(rejected.value)
    assert row_counts(workspace) == before


def test_type_from_name_column_or_option_and_dry_run(workspace, tmp_path):
    officer = actor(workspace, "officer")
    mixed = tmp_path / "partner-data.jsonl"
    mixed.write_text("\n".join(json.dumps(o, ensure_ascii=False) for o in (
        {"record_type": "acts", "ref": "A1", "victim_ref": "P1", "violation": "sexual.rape", "perpetrators": ["buyer"]},
        {"record_type": "person", "ref": "P1", "sex": "female", "aliases": ["Mi-ya", "진메이"]},
    )), encoding="utf-8")
    interviewer = actor(workspace, "interviewer")  # the person row records aliases: an identity
    dry = import_file(workspace, interviewer, mixed, dry_run=True)
    assert dry.counts == {"acts": {"created": 1, "updated": 0, "unchanged": 0},
                          "persons": {"created": 1, "updated": 0, "unchanged": 0}}
    assert row_counts(workspace)["person"] == 0
    done = import_file(workspace, interviewer, mixed)  # the act is written after the person it points to
    assert done.counts["acts"]["created"] == 1
    untyped = write(tmp_path, "data.csv", "ref,name,kind\nG1,Synthetic ring,brothel\n")
    with pytest.raises(ImportRejected, match="1 problem"):
        import_file(workspace, officer, untyped)
    assert import_file(workspace, officer, untyped, record_type="groups").counts["groups"]["created"] == 1
    with pytest.raises(PermissionDenied):
        import_file(workspace, actor(workspace, "analyst"), untyped, record_type="groups")


def test_encodings_bom_legacy_and_undecodable_bytes(workspace, tmp_path):
    officer = actor(workspace, "officer")
    bom = write(tmp_path, "groups.csv", "\ufeffref,name,kind\nG1,연길 중개 조직,broker_network\n")
    assert import_file(workspace, officer, bom).counts["groups"]["created"] == 1
    legacy = write(tmp_path, "groups2.csv", "ref,name,kind\nG2,회령 조직,broker_network\n", encoding="cp949")
    with pytest.raises(ImportRejected) as rejected:
        import_file(workspace, officer, legacy)
    assert str(rejected.value.problems[0]).startswith("groups2.csv:2:name: holds bytes that are not text")
    assert import_file(workspace, officer, legacy, encoding="cp949").counts["groups"]["created"] == 1
    with workspace.store.session() as session:
        names = set(session.scalars(sa.text("SELECT name FROM perpetrator_group")))
    assert names == {"연길 중개 조직", "회령 조직"}


def test_xlsx_formulas_are_refused_and_templates_import_in_order(workspace, tmp_path):
    interviewer = actor(workspace, "interviewer")  # templates carry identity columns: the one who may change them
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "groups"
    sheet.append(["ref", "name", "kind"])
    sheet.append(["G1", "=CONCAT(\"a\",\"b\")", "brothel"])
    sheet.append(["G2", "'=literal", "brothel"])
    book.save(tmp_path / "book.xlsx")
    with pytest.raises(ImportRejected) as rejected:
        import_file(workspace, interviewer, tmp_path / "book.xlsx")
    assert [str(p) for p in rejected.value.problems] == ["book.xlsx:2:name: is a formula; paste the values only"]
    for kind in ("groups", "events", "persons", "sources", "acts"):
        for fmt in ("csv", "xlsx", "json"):
            write_template(kind, fmt, tmp_path / f"{kind}-template.{fmt}")
            report = import_file(workspace, interviewer, tmp_path / f"{kind}-template.{fmt}")
            assert report.counts[kind]["created" if fmt == "csv" else "unchanged"] == 1, (kind, fmt)
    with pytest.raises(ValidationError, match="format"):
        import_file(workspace, interviewer, write(tmp_path, "notes.txt", "hello"))


def test_future_dates_and_unknown_languages_are_refused_at_their_cell(workspace, tmp_path):
    """Dates later than today (an event's range end too) and a language the vocabulary does not know
    are refused with file:row:column, like every other cell; a known language in capitals is read."""
    today = dt.datetime.now(dt.timezone.utc).date()
    events = ("ref,kind,date_start,date_end,date_precision\n"
              "E1,sale,2099,,\n"
              f"E2,detention,2016-01-01,{today + dt.timedelta(days=1)},range\n"
              f"E3,detention,2016-01-01,{today},range\n")
    with pytest.raises(ImportRejected) as rejected:
        import_file(workspace, actor(workspace, "officer"), write(tmp_path, "events.csv", events))
    lines = [str(p) for p in rejected.value.problems]
    assert lines[:2] == [f"events.csv:2:date_start: 2099-01-01 is later than today ({today}, UTC)",
                         f"events.csv:3:date_end: {today + dt.timedelta(days=1)} is later than today ({today}, UTC)"]
    assert not any(line.startswith("events.csv:4:") for line in lines), lines  # today itself is fine
    sources = ("ref,kind,language,date\n"
               "S1,interview,xx,2019-06-02\n"
               "S2,news_article,ZH,2099-01-01\n"
               "S3,news_article,KO,2019\n")
    with pytest.raises(ImportRejected) as rejected:
        import_file(workspace, actor(workspace, "officer"), write(tmp_path, "sources.csv", sources))
    assert [str(p) for p in rejected.value.problems] == [
        "sources.csv:2:language: 'xx' is not a language of the vocabulary (en, ko, zh)",
        f"sources.csv:3:date: 2099-01-01 is later than today ({today}, UTC)"]
    import_file(workspace, actor(workspace, "officer"),
                write(tmp_path, "sources.csv", "ref,kind,language\nS3,news_article,KO\n"))
    with workspace.store.session() as session:
        assert session.scalar(sa.select(Source.language)) == "ko"
    assert row_counts(workspace)["event"] == 0
