"""Estimation from a workspace's lists as an analyst meets it on a small hand-made workspace (synthetic
records): one row per method in the CSV command's shape, strata that add up, the reason when a method
cannot run, and the warning that nothing has been linked yet. (Estimates over a linked demo world are
checked in tests/link/test_link_workspace.py, which builds that world once.)"""

import json

import pytest
from support import PASSPHRASE
from typer.testing import CliRunner

from redzone.cli import _hoist_global_flags, app
from redzone.errors import ConfigurationError, PermissionDenied
from redzone.estimate import estimate_workspace
from redzone.records.entry import add_organisation, add_person

ORGANISATIONS = ("org-a", "org-b", "org-c")
PROVINCES = ("kp.ryanggang.hyesan", "kp.north_hamgyong.musan")


def run_cli(workspace, *args, user: str = "owner"):
    env = {"REDZONE_WORKSPACE": str(workspace.path), "REDZONE_PASSPHRASE": PASSPHRASE, "REDZONE_USER": user,
           "NO_COLOR": "1", "COLUMNS": "220"}
    return CliRunner().invoke(app, _hoist_global_flags(list(args)), env=env, catch_exceptions=False)


def _fill(context_for) -> None:
    """60 records: per province, 30 women on one list each, spread over three organisations (no linkage)."""
    with context_for("interviewer") as ctx:
        for org in ORGANISATIONS:
            add_organisation(ctx, org, f"Synthetic organisation {org}")
        for n in range(60):
            add_person(ctx, sex="female", birth_year_min=1980 + n % 20, origin_place_id=PROVINCES[n % 2],
                       crossing_year=2000 + n % 10, organisation_id=ORGANISATIONS[n % 3])


def test_rows_per_method_and_stratum_with_warnings(workspace, context_for):
    _fill(context_for)
    with context_for("analyst") as ctx:
        whole = estimate_workspace(ctx.session, ctx.actor, methods=("chao", "bic", "lincoln-petersen"))
        strata = estimate_workspace(workspace, ctx.actor, methods=("chao",), stratify="province")
    [only] = whole
    assert only.stratum is None and only.observed == 60 and only.lists == ORGANISATIONS
    rows = only.rows()
    assert [row["method"] for row in rows] == ["chao", "bic", "lincoln-petersen"]
    for row in rows:
        assert {"method", "observed", "estimate", "interval", "model", "warnings", "stratum", "lists"} <= set(row)
        assert any("No record linkage has been run" in w for w in row["warnings"])
    # Nobody is on two lists: neither log-linear models nor Lincoln-Petersen have an estimate; the rows say why.
    bic, two_lists = rows[1], rows[2]
    assert bic["estimate"] is None and bic["warnings"][0].startswith("No estimate:")
    assert two_lists["estimate"] is None and two_lists["interval"] is None
    assert two_lists["warnings"][0].startswith("No estimate:") and "nobody in common" in two_lists["warnings"][0]
    assert any("nobody in common" in w for w in rows[0]["warnings"])
    assert sorted(s.stratum for s in strata) == ["kp.north_hamgyong", "kp.ryanggang"]
    assert sum(s.observed for s in strata) == 60
    json.dumps([s.to_dict() for s in strata])


def test_only_roles_that_may_estimate_can(workspace, context_for):
    _fill(context_for)
    with context_for("legal") as ctx:
        with pytest.raises(PermissionDenied):
            estimate_workspace(ctx.session, ctx.actor)


def test_the_command_prints_one_row_per_stratum_and_method(workspace, context_for):
    _fill(context_for)
    result = run_cli(workspace, "estimate", "--from-workspace", "--stratify", "province", "--method", "chao",
                     "--method", "stepwise", "--json", user="analyst")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {(r["stratum"], r["method"]) for r in rows} == {(p, m) for p in ("kp.north_hamgyong", "kp.ryanggang")
                                                         for m in ("chao", "stepwise")}
    with pytest.raises(ConfigurationError, match="--from-workspace"):
        run_cli(workspace, "estimate", "--stratify", "province", "--json", user="analyst")


def test_a_csv_with_several_methods_gives_one_row_each(tmp_path):
    path = tmp_path / "three.csv"
    path.write_text("A,B,C,count\n1,0,0,40\n0,1,0,30\n0,0,1,25\n1,1,0,8\n1,0,1,6\n0,1,1,5\n1,1,1,2\n")
    result = CliRunner().invoke(app, ["--json", "estimate", str(path), "--method", "stepwise", "--method", "chao",
                                      "--method", "lincoln-petersen"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [row["method"] for row in rows] == ["stepwise", "chao", "lincoln-petersen"]
    assert rows[0]["estimate"] >= 116 and rows[1]["estimate"] >= 116
    assert rows[2]["estimate"] is None and "name the two" in rows[2]["warnings"][0]


THREE_LISTS = "A,B,C,count\n1,0,0,40\n0,1,0,30\n0,0,1,25\n1,1,0,8\n1,0,1,6\n0,1,1,5\n1,1,1,2\n"


def _csv_cli(tmp_path, *args):
    path = tmp_path / "three.csv"
    path.write_text(THREE_LISTS)
    return CliRunner().invoke(app, ["--json", "estimate", str(path), *args])


@pytest.mark.parametrize(("args", "option"), [
    (["--method", "chao", "--bootstrap", "100"], "--bootstrap"),
    (["--method", "lincoln-petersen", "--lists", "A", "B", "--bootstrap", "100"], "--bootstrap"),
    (["--method", "lcmcr", "--bootstrap", "100"], "--bootstrap"),
    (["--method", "stepwise", "--max-order", "2"], "--max-order"),
    (["--method", "bic", "--p-threshold", "0.05"], "--p-threshold"),
    (["--method", "chao", "--method", "lcmcr", "--max-order", "1"], "--max-order"),
    (["--method", "bic", "--lists", "A", "B"], "--lists"),
])
def test_an_option_for_another_method_is_refused_not_dropped(tmp_path, args, option):
    result = _csv_cli(tmp_path, *args)
    assert result.exit_code != 0
    assert isinstance(result.exception, ConfigurationError) and str(result.exception).startswith(option)


def test_options_go_to_the_methods_that_use_them(tmp_path):
    result = _csv_cli(tmp_path, "--method", "bic", "--method", "stepwise", "--max-order", "1", "--p-threshold",
                      "0.5", "--details")
    assert result.exit_code == 0, result.output
    bic, stepwise = json.loads(result.output)
    assert bic["details"]["max_order"] == 1 and stepwise["details"]["p_threshold"] == 0.5
    default = json.loads(_csv_cli(tmp_path, "--method", "stepwise", "--details").output)
    assert default["details"]["p_threshold"] == 0.02


def test_lincoln_petersen_on_more_lists_takes_lists_by_name_or_number(tmp_path):
    by_name = json.loads(_csv_cli(tmp_path, "--method", "lincoln-petersen", "--lists", "A", "C", "--details").output)
    by_number = json.loads(_csv_cli(tmp_path, "--method", "lincoln-petersen", "--lists", "1", "3", "--details").output)
    assert by_name["details"]["lists"] == by_number["details"]["lists"] == ["A", "C"]
    assert by_name["estimate"] == by_number["estimate"] == pytest.approx((56 + 1) * (38 + 1) / (8 + 1) - 1)
    missing = _csv_cli(tmp_path, "--method", "lincoln-petersen")
    assert "--lists A B" in str(missing.exception) and "lists=" not in str(missing.exception)
    for wrong in (["A", "9"], ["A", "A"], ["A", "D"]):
        refused = _csv_cli(tmp_path, "--method", "lincoln-petersen", "--lists", *wrong)
        assert isinstance(refused.exception, ConfigurationError) and str(refused.exception).startswith("--lists")


def test_workspace_options_are_checked_against_the_methods(workspace, context_for):
    _fill(context_for)
    with pytest.raises(ConfigurationError, match="--max-order: applies to bic, aic only"):
        run_cli(workspace, "estimate", "--from-workspace", "--method", "chao", "--max-order", "2", user="analyst")
    with pytest.raises(ConfigurationError, match="--lists"):
        run_cli(workspace, "estimate", "--from-workspace", "--lists", "org-a", "org-b", user="analyst")
