"""Export → import across backends (hypothesis): what a SQLCipher workspace exports, a PostgreSQL one
imports and exports again unchanged, and a second SQLCipher workspace takes it back the same, with or
without identities. The three workspaces are made once for the module and emptied between examples,
so a few examples stay within seconds. Synthetic data only."""

import json

import pyrage
import pytest
from exchange_helpers import ACCOUNTS, row_counts, wipe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import discard, make_workspace
from test_exchange_properties import SEALED_MARK, build, contents, worlds

from redzone.exchange import ImportRejected, export_records, import_file
from redzone.records.users import SYSTEM, actor_for, create_user
from redzone.security.policy import ROLE_ACTIONS, Actor

# A partner account that may export and import identities, and record what it imports.
PARTNER_ACTIONS = {"export.pseudonymised", "export.identities", "import.run", "person.view_sealed",
                   "source.view_text", "person.create", "person.edit", "person.edit_sealed", "source.create",
                   "act.create"}
# The tables an import writes (the audit chain and the accounts differ by design).
RECORD_TABLES = ("organisation", "perpetrator_group", "event", "person", "participation", "source", "act",
                 "act_perpetrator", "attestation", "event_attestation", "external_ref")


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """SQLCipher → PostgreSQL → SQLCipher: three empty workspaces with the test accounts."""
    folder = tmp_path_factory.mktemp("across")
    made = []
    try:
        for name, backend in (("first", "sqlite"), ("middle", "postgresql"), ("last", "sqlite")):
            ws = make_workspace(folder / name, backend)
            made.append(ws)
            with ws.store.session() as session:
                for username, role in ACCOUNTS:
                    create_user(session, ws.keys, SYSTEM, username, role)
        yield made
    finally:
        for ws in made:
            discard(ws)


def _carry(source, target, folder, step, fmt, exporter, secret):
    """Export `source` (as the exporter would) and import the file into `target`; the file's path."""
    if secret is None:
        path = folder / f"{step}.{fmt}"
        export_records(source, actor_of(source, "analyst"), path, fmt=fmt)
        if fmt == "csv":  # several types: a ZIP of one CSV per type
            path = path.rename(folder / f"{step}.zip")
        options = {}
    else:
        path = folder / f"{step}.json.age"
        export_records(source, exporter, path, fmt="json", with_identities=True, recipient=str(secret.to_public()))
        options = {"age_identity": str(secret)}
    try:
        report = import_file(target, exporter if secret else actor_of(target, "interviewer"), path,
                             organisation="demo-partner", **options)
    except ImportRejected as rejected:
        raise AssertionError([str(p) for p in rejected.problems]) from None
    assert report.codes_reassigned == 0
    return path


def actor_of(ws, username):
    with ws.store.session() as session:
        return actor_for(session, username)


def comparable(path, secret):
    data = path.read_bytes()
    if secret is None:
        return contents(data)
    return json.loads(pyrage.decrypt(data, [secret]))


@pytest.mark.slow
@pytest.mark.postgres
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(world=worlds(), fmt=st.sampled_from(["csv", "xlsx", "json"]), identities=st.booleans())
def test_export_import_goes_to_postgresql_and_back_unchanged(chain, tmp_path_factory, world, fmt, identities):
    first, middle, last = chain
    for ws in chain:
        wipe(ws)
    build(first, world)
    folder = tmp_path_factory.mktemp("carried")
    secret = pyrage.x25519.Identity.generate() if identities else None
    exporter = Actor(username="interviewer", role="test_exchange_partner")
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(ROLE_ACTIONS, "test_exchange_partner", PARTNER_ACTIONS)
        to_postgres = _carry(first, middle, folder, "to-postgres", fmt, exporter, secret)
        back = _carry(middle, last, folder, "back", fmt, exporter, secret)
        final = folder / ("final.json.age" if secret else f"final.{fmt}")
        if secret:
            export_records(last, exporter, final, fmt="json", with_identities=True, recipient=str(secret.to_public()))
        else:
            export_records(last, actor_of(last, "analyst"), final, fmt=fmt)
    assert comparable(back, secret) == comparable(to_postgres, secret)  # PostgreSQL gave back what it took
    assert comparable(final, secret) == comparable(to_postgres, secret)  # and SQLCipher took it back the same
    if secret:
        assert any(SEALED_MARK in (row.get("legal_name") or "") for row in comparable(final, secret))
    counts = [{table: count for table, count in row_counts(ws).items() if table in RECORD_TABLES}
              for ws in (middle, last)]
    assert counts[0] == counts[1]
    assert {t: c for t, c in row_counts(first).items() if t in RECORD_TABLES and t != "external_ref"} == \
        {t: c for t, c in counts[1].items() if t != "external_ref"}
