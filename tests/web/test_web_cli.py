"""The commands around the web application, as real processes: `run` prints the summary and (unless
--no-serve) the demo accounts and serves; `serve`; `token create` whose token the API accepts;
`token demo-code` only on demo workspaces."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

import httpx
import pyotp
import pytest

pytestmark = pytest.mark.slow  # real processes, each deriving the key with the default argon2id costs
PASSPHRASE = "web cli test passphrase (synthetic)"


def _env(workspace) -> dict:  # noqa: ANN001
    return {**os.environ, "REDZONE_WORKSPACE": str(workspace), "REDZONE_PASSPHRASE": PASSPHRASE, "NO_COLOR": "1",
            "COLUMNS": "200"}


def redzone(workspace, *args):  # noqa: ANN001, ANN201
    return subprocess.run([sys.executable, "-m", "redzone", *args], capture_output=True, text=True,
                          env=_env(workspace), timeout=300, stdin=subprocess.DEVNULL)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("webcli") / "demo"
    result = redzone(path, "run", "--no-serve", "--acts", "80")
    assert result.returncode == 0, result.stderr
    assert "acts" in result.stdout and "demo-interviewer" not in result.stdout
    return path


def test_run_serves_after_printing_the_demo_accounts(demo):
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "redzone", "run", "--port", str(port)], env=_env(demo),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(300):
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/login", timeout=1)
                break
            except httpx.HTTPError:
                assert process.poll() is None, process.stdout.read()
                time.sleep(0.1)
        assert answer.status_code == 200 and "Sign in" in answer.text
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    for role in ("interviewer", "documentation-officer", "legal-analyst", "data-analyst", "administrator", "public"):
        assert f"demo-{role}" in output and f"demo-{role}-pass" in output
    secret = re.search(r"add the key ([A-Z2-7]{16,})", output).group(1)
    code = redzone(demo, "token", "demo-code").stdout.strip()
    assert code == pyotp.TOTP(secret).now() or code == pyotp.TOTP(secret).at(time.time() - 30)


def test_token_created_on_the_command_line_opens_the_api(demo):
    result = redzone(demo, "--user", "demo-data-analyst", "token", "create", "--name", "notebook", "--days", "2")
    assert result.returncode == 0, result.stderr
    token = re.search(r"rzt_[\w-]+", result.stdout).group(0)
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "redzone", "serve", "--port", str(port)], env=_env(demo),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                me = httpx.get(f"http://127.0.0.1:{port}/api/v1/me", headers={"Authorization": f"Bearer {token}"},
                               timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert me.status_code == 200 and me.json()["role"] == "data_analyst"
        assert "source.view_text" not in me.json()["actions"]
    finally:
        process.terminate()
        process.wait(timeout=30)
    listed = redzone(demo, "--user", "demo-data-analyst", "token", "list")
    assert "notebook" in listed.stdout and token not in listed.stdout


def test_demo_codes_only_for_demo_workspaces(tmp_path):
    assert redzone(tmp_path / "real", "init").returncode == 0
    result = redzone(tmp_path / "real", "token", "demo-code")
    assert result.returncode == 1 and "only demo workspaces" in result.stderr


def test_user_add_and_reset_totp_print_the_key_once_and_it_signs_in(demo):
    env_add = {"REDZONE_NEW_PASSWORD": "cli admin password"}
    added = subprocess.run([sys.executable, "-m", "redzone", "--user", "demo-administrator", "user", "add", "admin-cli",
                            "--role", "administrator"], capture_output=True, text=True, timeout=300,
                           env={**_env(demo), **env_add}, stdin=subprocess.DEVNULL)
    assert added.returncode == 0, added.stderr
    first = re.search(r"key: ([A-Z2-7]+)", added.stdout).group(1)
    assert f"secret={first}" in added.stdout
    reset = redzone(demo, "--user", "demo-administrator", "--json", "user", "reset-totp", "admin-cli")
    assert reset.returncode == 0, reset.stderr
    second = re.search(r'"totp_secret": "([A-Z2-7]+)"', reset.stdout).group(1)
    assert second != first
    refused = redzone(demo, "--user", "demo-interviewer", "user", "reset-totp", "admin-cli")
    assert refused.returncode != 0
    from redzone.accounts import authenticate, check_second_factor
    from redzone.workspace import Workspace

    ws = Workspace.open(demo, PASSPHRASE)
    with ws.store.session() as session:
        outcome = authenticate(session, ws.keys, "admin-cli", "cli admin password", "test")
        assert outcome.status == "second_factor"
        assert not check_second_factor(session, ws.keys, outcome.user_id, pyotp.TOTP(first).now(), "test")
        assert check_second_factor(session, ws.keys, outcome.user_id, pyotp.TOTP(second).now(), "test")
