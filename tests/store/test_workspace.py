import json

import pytest
import sqlalchemy as sa

from redzone.errors import ConfigurationError, WorkspaceError, WrongPassphrase
from redzone.store import migrate
from redzone.workspace import CONFIG_NAME, Workspace

from support import FAST_KDF, PASSPHRASE, discard, make_workspace


def test_reopens_with_the_passphrase_and_refuses_a_wrong_one(tmp_path, backend):
    ws = make_workspace(tmp_path / "ws", backend)
    ws.close()
    try:
        with pytest.raises(WrongPassphrase):
            Workspace.open(tmp_path / "ws", "not the passphrase")
        reopened = Workspace.open(tmp_path / "ws", PASSPHRASE)
        assert migrate.current_revision(reopened.store.engine) == migrate.head_revision()
        reopened.close()
    finally:
        discard(ws)


def test_config_holds_no_secret(tmp_path):
    ws = make_workspace(tmp_path / "ws", "sqlite")
    ws.close()
    text = (tmp_path / "ws" / CONFIG_NAME).read_text()
    assert PASSPHRASE not in text
    assert ws.keys.database_key.hex() not in text
    assert json.loads(text)["kdf"]["algorithm"] == "argon2id"


def test_refuses_to_overwrite_or_to_open_a_non_workspace(tmp_path):
    ws = make_workspace(tmp_path / "ws", "sqlite")
    ws.close()
    with pytest.raises(WorkspaceError, match="already holds a workspace"):
        Workspace.create(tmp_path / "ws", PASSPHRASE, kdf_costs=FAST_KDF)
    with pytest.raises(WorkspaceError, match="not a Redzone workspace"):
        Workspace.open(tmp_path / "elsewhere", PASSPHRASE)


def test_rejects_a_password_in_the_database_url(tmp_path):
    with pytest.raises(ConfigurationError, match="database_url: must not contain a password"):
        Workspace.create(tmp_path / "ws", PASSPHRASE, database_url="postgresql://u:secret@127.0.0.1/test",
                         kdf_costs=FAST_KDF)


def test_short_passphrase_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="passphrase"):
        Workspace.create(tmp_path / "ws", "short", kdf_costs=FAST_KDF)


def test_tampered_settings_fail_closed(tmp_path):
    ws = make_workspace(tmp_path / "ws", "sqlite")
    ws.close()
    config = json.loads((tmp_path / "ws" / CONFIG_NAME).read_text())
    config["settings"]["suppression_threshold"] = 0
    (tmp_path / "ws" / CONFIG_NAME).write_text(json.dumps(config))
    with pytest.raises(ConfigurationError, match="suppression_threshold"):
        Workspace.open(tmp_path / "ws", PASSPHRASE)


def test_migrations_match_the_model(workspace):
    """The Alembic history creates exactly the tables and columns the ORM declares."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from redzone.records.models import Base

    with workspace.store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    # The search index's backend-specific objects live only in migration 0004, not in the ORM:
    # SQLite's FTS5 virtual table with its shadow tables, PostgreSQL's GIN expression index.
    differences = [
        d for d in differences
        if not (d[0] == "remove_table" and d[1].name.startswith("search_fts"))
        and not (d[0] == "remove_index" and d[1].name == "ix_search_document_terms_gin")
    ]
    assert differences == []
    with workspace.store.engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
    assert {"person", "source", "act", "attestation", "claim", "evidence", "custody_entry", "audit_entry"} <= tables
