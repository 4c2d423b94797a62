"""What a seized laptop or a copied database server reveals: nothing sealed, no testimony text."""

import sqlalchemy as sa

from redzone.records.entry import add_source
from redzone.records.identity import Identity
from redzone.records.entry import add_person
from redzone.workspace import DATABASE_NAME

SECRET_NAME = "Kim Synthetic-Ok"
SECRET_HANGUL = "김가명옥"
SECRET_TEXT = "This synthetic testimony mentions Yanji and a broker called Uniquemarker"


def _record(context_for):
    with context_for("interviewer") as ctx:
        person = add_person(ctx, sex="female", birth_year_min=1990,
                            identity=Identity(legal_name=SECRET_NAME, hangul_name=SECRET_HANGUL,
                                              contact="+86 555 0100 synthetic", whereabouts="Synthetic Street 9"))
        add_source(ctx, kind="interview", text=SECRET_TEXT, interviewee=person, consent_scopes=["internal_analysis"])


def test_sqlcipher_file_has_no_header_and_no_plaintext(tmp_path, context_for, workspace):
    if workspace.config.backend != "sqlite":
        return
    _record(context_for)
    workspace.store.engine.dispose()  # checkpoint and close so every page is on disk
    files = [p for p in workspace.path.iterdir() if p.name.startswith(DATABASE_NAME)]
    raw = b"".join(p.read_bytes() for p in files)
    assert not raw.startswith(b"SQLite format 3")
    assert b"SQLite format 3" not in raw
    for secret in (SECRET_NAME, SECRET_HANGUL, "Uniquemarker", "Synthetic Street"):
        assert secret.encode() not in raw


def test_postgres_rows_hold_only_ciphertext_for_sealed_columns(context_for, workspace):
    if workspace.config.backend != "postgresql":
        return
    _record(context_for)
    with workspace.store.engine.connect() as connection:
        dump = connection.execute(sa.text(
            "SELECT string_agg(t::text, '|') FROM (SELECT * FROM person) t")).scalar_one()
        dump += connection.execute(sa.text(
            "SELECT string_agg(t::text, '|') FROM (SELECT * FROM source) t")).scalar_one()
        identity_blob = connection.execute(sa.text("SELECT identity_sealed FROM person")).scalar_one()
        text_blob = connection.execute(sa.text("SELECT text_sealed FROM source")).scalar_one()
    for secret in (SECRET_NAME, SECRET_HANGUL, "Uniquemarker", "Synthetic Street"):
        assert secret not in dump
        assert secret.encode() not in bytes(identity_blob)
        assert secret.encode() not in bytes(text_blob)
    assert bytes(identity_blob)[:1] == b"\x01" and len(bytes(identity_blob)) > 29
