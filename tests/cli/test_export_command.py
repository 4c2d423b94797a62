"""`redzone export --out` as a user meets it: an existing file is kept unless --force replaces it."""

import json

from support import PASSPHRASE
from typer.testing import CliRunner

from redzone.cli import app
from redzone.records.entry import add_person


def run(workspace, *args):
    env = {"REDZONE_WORKSPACE": str(workspace.path), "REDZONE_PASSPHRASE": PASSPHRASE, "NO_COLOR": "1",
           "COLUMNS": "200"}
    return CliRunner().invoke(app, ["--user", "officer", *args], env=env)


def test_export_refuses_to_overwrite_unless_forced(workspace, context_for, tmp_path):
    with context_for("interviewer") as ctx:
        add_person(ctx, sex="female")
    out = tmp_path / "persons.json"
    out.write_bytes(b"an earlier export, kept")
    refused = run(workspace, "export", "--type", "persons", "--format", "json", "--out", str(out))
    assert refused.exit_code != 0 and out.read_bytes() == b"an earlier export, kept"
    assert f"out: {out} already exists; choose a new file name or pass --force" in str(refused.exception)
    replaced = run(workspace, "--json", "export", "--type", "persons", "--format", "json", "--out", str(out), "--force")
    assert replaced.exit_code == 0, replaced.output
    assert json.loads(replaced.output)["counts"] == {"persons": 1} and b"earlier" not in out.read_bytes()
    folder = run(workspace, "export", "--type", "persons", "--out", str(tmp_path), "--force")
    assert folder.exit_code != 0 and "is a folder" in str(folder.exception)
