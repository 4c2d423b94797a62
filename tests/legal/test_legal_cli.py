"""`redzone elements` and `redzone situation` as a legal analyst meets them: the readable table, the
JSON form, recording a situation finding; and the real command's one-line error for an unknown code."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from support import PASSPHRASE, make_workspace
from typer.testing import CliRunner

from redzone.cli import _hoist_global_flags, app
from redzone.records.entry import ActDetails, AttestationSpec, add_act, add_event, add_person, add_source
from redzone.records.users import SYSTEM, create_user




def run(workspace, *args):
    env = {"REDZONE_WORKSPACE": str(workspace.path), "REDZONE_PASSPHRASE": PASSPHRASE, "NO_COLOR": "1",
           "COLUMNS": "220"}
    # `main()` lets global flags follow the command; in process, hoist them the same way.
    return CliRunner().invoke(app, _hoist_global_flags(list(args)), env=env, catch_exceptions=False)


def girl_sold_and_prostituted(context_for):
    with context_for("interviewer") as ctx:
        victim = add_person(ctx, sex="female", birth_year_min=2000)
        source = add_source(ctx, kind="interview", reliability="B", credibility=2, interviewee=victim)
        event = add_event(ctx, kind="sale", place_id="cn.jilin.yanbian.yanji", date_start=dt.date(2016, 5, 1),
                          date_precision="month")
        for violation in ("trafficking.sale", "sexual.forced_prostitution"):
            add_act(ctx, victim=victim, violation=violation, event=event,
                    details=ActDetails(attestations=[AttestationSpec(source)]))
        return victim.code, source.code


def test_elements_table_json_and_situation_findings(workspace, context_for):
    person, source = girl_sold_and_prostituted(context_for)

    table = run(workspace, "--user", "legal", "elements", person)
    assert table.exit_code == 0, table.output
    assert "untp.art3 — Trafficking in persons" in table.output and "✓ satisfied" in table.output
    assert "not required" in table.output and f"{source} (B2" in table.output
    assert "◇ needs context" in table.output and "redzone situation record" in table.output

    data = json.loads(run(workspace, "--user", "legal", "elements", person, "--json").output)
    trafficking = next(p for p in data["provisions"] if p["id"] == "untp.art3")
    assert trafficking["satisfied"] and [e["status"] for e in trafficking["elements"]] == [
        "evidenced", "not_required", "evidenced"]
    assert data["acts"][0]["sources"][0]["grade"] == "B2"

    for element in ("attack", "policy", "knowledge"):
        recorded = run(workspace, "--user", "legal", "situation", "record", f"rome.art7_context.{element}",
                       "--source", source, "--note", "synthetic finding")
        assert recorded.exit_code == 0, recorded.output
    listed = json.loads(run(workspace, "--user", "analyst", "--json", "situation", "list").output)
    assert [f["scope"] for f in listed] == ["situation"] * 3
    after = json.loads(run(workspace, "--user", "legal", "--json", "elements", person).output)
    assert next(p for p in after["provisions"] if p["id"] == "rome.art7_1_g")["outcome"] == "satisfied"


def test_the_real_command_names_an_unknown_person_in_one_line(tmp_path):
    ws = make_workspace(tmp_path / "ws", "sqlite")
    try:
        with ws.store.session() as session:
            create_user(session, ws.keys, SYSTEM, "legal", "legal_analyst")
        env = {**os.environ, "REDZONE_WORKSPACE": str(ws.path), "REDZONE_PASSPHRASE": PASSPHRASE}
        result = subprocess.run([sys.executable, "-m", "redzone", "--user", "legal", "elements", "RZ-NOSUCH", "--json"],
                                capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL)
    finally:
        ws.close()
    assert result.returncode == 1 and result.stderr.strip() == "error: no person with code 'RZ-NOSUCH'"
    assert result.stdout == ""
