"""`redzone search` as a user runs it: a real process on a synthetic demo workspace."""

import json
import os
import subprocess
import sys

import pytest

PASSPHRASE = "search cli test passphrase (synthetic)"


def redzone(workspace, *args):
    env = {**os.environ, "REDZONE_WORKSPACE": str(workspace), "REDZONE_PASSPHRASE": PASSPHRASE, "NO_COLOR": "1",
           "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "redzone", *args], capture_output=True, text=True, env=env,
                          timeout=300, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("search-cli") / "demo"
    result = redzone(path, "demo", "--seed", "3", "--acts", "150")
    assert result.returncode == 0, result.stderr
    return path


def test_search_json_respects_the_role(demo):
    legal = redzone(demo, "--json", "--user", "demo-legal-analyst", "search", "强奸")
    assert legal.returncode == 0, legal.stderr
    hits = json.loads(legal.stdout)["hits"]
    assert hits and all(h["kind"] == "source" and h["matched"] == "text" and "强奸" in h["snippet"] for h in hits)
    analyst = redzone(demo, "--json", "--user", "demo-data-analyst", "search", "强奸")
    assert analyst.returncode == 0 and json.loads(analyst.stdout)["hits"] == []


def test_search_table_and_refusal_are_plain(demo):
    table = redzone(demo, "--user", "demo-legal-analyst", "search", "Yanji")
    assert table.returncode == 0 and "hit" in table.stdout
    refused = redzone(demo, "--user", "demo-public", "search", "Yanji")
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
