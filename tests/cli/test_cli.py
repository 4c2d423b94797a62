"""The command line as a user meets it: real processes, real workspaces, one-line errors."""

import json
import os
import subprocess
import sys

import pytest

from support import POSTGRES_URL

PASSPHRASE = "cli test passphrase (synthetic)"


def redzone(workspace, *args, passphrase=PASSPHRASE, env_extra=None):
    env = {**os.environ, "REDZONE_WORKSPACE": str(workspace), "REDZONE_PASSPHRASE": passphrase, "NO_COLOR": "1",
           "COLUMNS": "200", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "redzone", *args], capture_output=True, text=True, env=env,
                          timeout=300, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def demo_workspace(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "demo"
    result = redzone(path, "demo", "--seed", "3", "--acts", "1500")
    assert result.returncode == 0, result.stderr
    return path


def test_demo_then_stats_json(demo_workspace):
    result = redzone(demo_workspace, "--json", "stats", "--by", "violation")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["by"] == ["violation"] and data["threshold"] == 5
    shown = [row["count"] for row in data["rows"] if not row["suppressed"]]
    assert all(count == 0 or count >= 5 for count in shown)
    status = json.loads(redzone(demo_workspace, "--json", "status").stdout)
    assert 1400 <= status["counts"]["acts"] <= 1600


def test_stats_csv_and_two_dimensions(demo_workspace):
    result = redzone(demo_workspace, "stats", "--by", "province", "--by", "year", "--csv")
    assert result.returncode == 0, result.stderr
    header = result.stdout.splitlines()[0]
    assert header == "province,year,count,suppressed"


def test_wrong_passphrase_is_one_line_and_nonzero(demo_workspace):
    result = redzone(demo_workspace, "status", passphrase="definitely not it")
    assert result.returncode == 1
    assert result.stderr.strip() == "error: wrong passphrase: it does not open this workspace"
    assert "Traceback" not in result.stderr + result.stdout


def test_bad_option_is_named(demo_workspace):
    result = redzone(demo_workspace, "stats", "--by", "shoe_size")
    assert result.returncode != 0
    assert "shoe_size" in result.stderr and "Traceback" not in result.stderr


def test_vocab_json_lists_the_required_codes(tmp_path):
    result = redzone(tmp_path / "none", "vocab", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    codes = {v["code"] for v in data["violations"]} if isinstance(data["violations"], list) else set(data["violations"])
    assert {"trafficking.sale", "refoulement.forced_repatriation", "corruption.bribery"} <= codes


def test_analyst_cannot_reveal_but_interviewer_can(demo_workspace):
    status = json.loads(redzone(demo_workspace, "--json", "stats", "--by", "organisation").stdout)
    assert status["rows"]
    # Find a victim code through the analyst's own pseudonymised view.
    from redzone.workspace import Workspace
    import sqlalchemy as sa
    from redzone.records.models import Person
    with Workspace.open(demo_workspace, PASSPHRASE) as ws, ws.store.session() as session:
        code = session.scalar(sa.select(Person.code).where(Person.identity_sealed.is_not(None)).limit(1))
    refused = redzone(demo_workspace, "--user", "demo-data-analyst", "person", "show", code, "--reveal")
    assert refused.returncode == 1 and "permission denied" in refused.stderr
    allowed = redzone(demo_workspace, "--json", "--user", "demo-interviewer", "person", "show", code, "--reveal")
    assert allowed.returncode == 0, allowed.stderr
    assert json.loads(allowed.stdout)["identity"]["legal_name"]
    verify = redzone(demo_workspace, "audit", "verify")
    assert verify.returncode == 0 and "intact" in verify.stdout
    log = json.loads(redzone(demo_workspace, "--json", "audit", "log", "--person", code).stdout)
    assert [e["action"] for e in log][:2] == ["person.view_sealed", "person.view_sealed.denied"]


@pytest.mark.postgres
def test_init_on_postgres(tmp_path):
    result = redzone(tmp_path / "pg", "init", "--database-url", POSTGRES_URL, "--schema", f"redzone_cli_{os.getpid()}")
    try:
        assert result.returncode == 0, result.stderr
        assert "postgresql" in result.stdout
    finally:
        from redzone.store import engine as engines
        engine = engines.postgres_engine(POSTGRES_URL, "public")
        engines.drop_schema(engine, f"redzone_cli_{os.getpid()}")
        engine.dispose()
