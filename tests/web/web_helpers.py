"""Helpers for the web tests: a workspace holding a small synthetic demo world and one account per
role (the demo accounts), a signed-in test client, the CSRF token of a page."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import pyotp
from fastapi.testclient import TestClient
from support import make_workspace

from redzone.accounts import enrol_second_factor
from redzone.demo import generate_world
from redzone.demo.persist import DEMO_ACCOUNTS, ensure_demo_accounts, load_world
from redzone.records.users import actor_for
from redzone.security.policy import ROLES
from redzone.web import WebSettings, create_app
from redzone.workspace import Workspace

ADMIN_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # synthetic, for tests only
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def build_site(path: Path, backend: str, acts: int = 150) -> Workspace:
    ws = make_workspace(path, backend, demo=True)
    load_world(ws, generate_world(seed=7, acts=acts))
    with ws.store.session() as session:
        ensure_demo_accounts(ws, session)
        enrol_second_factor(session, ws.keys, actor_for(session, username("administrator")).user_id,
                            secret=ADMIN_SECRET)
    return ws


def username(role: str) -> str:
    return DEMO_ACCOUNTS[role][0]


def password(role: str) -> str:
    return DEMO_ACCOUNTS[role][1]


def client_for(ws: Workspace, settings: WebSettings | None = None) -> TestClient:
    return TestClient(create_app(ws, settings), base_url="http://127.0.0.1", follow_redirects=False)


def csrf_of(client: TestClient, path: str = "/login") -> str:
    response = client.get(path)
    match = CSRF.search(response.text)
    assert match, f"no CSRF token on {path} ({response.status_code})"
    return match.group(1)


def totp_now(secret: str = ADMIN_SECRET, offset_steps: int = 0) -> str:
    import time

    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def sign_in(client: TestClient, role: str) -> TestClient:
    response = client.post("/login", data={"username": username(role), "password": password(role),
                                           "csrf_token": csrf_of(client), "next": "/"})
    assert response.status_code == 303, response.text[:500]
    if response.headers["location"].startswith("/login/second-factor"):
        forget_used_codes(client.app.state.workspace)  # each code is accepted once; tests sign in often
        response = client.post("/login/second-factor", data={"code": totp_now(), "csrf_token": csrf_of(client, response.headers["location"]), "next": "/"})
        assert response.status_code == 303, response.text[:500]
    return client


ALL_ROLES = ROLES


def forget_used_codes(ws: Workspace) -> None:
    import sqlalchemy as sa

    from redzone.records.models import UserSetting

    with ws.store.session() as session:
        session.execute(sa.update(UserSetting).values(totp_last_step=None))


@contextlib.contextmanager
def live_server(ws: Workspace) -> Iterator[str]:
    """The application served by uvicorn on a free loopback port, in a thread; yields its base URL."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(ws), host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def sealed_values(ws: Workspace) -> set[str]:
    """Every sealed identity value of three characters or more in the workspace (names, aliases, contact,
    whereabouts), unsealed with the workspace's keys: what no answer to a role without the scope may hold."""
    import sqlalchemy as sa

    from redzone.records.identity import unseal_identity
    from redzone.records.models import Person

    values = set()
    with ws.store.session() as session:
        for code, blob in session.execute(sa.select(Person.code, Person.identity_sealed)
                                          .where(Person.identity_sealed.is_not(None))):
            identity = unseal_identity(ws.keys.fields, code, blob)
            values |= {v for v in (identity.legal_name, identity.hangul_name, identity.contact, identity.whereabouts,
                                   *identity.aliases) if v and len(v) >= 3}
    assert values, "the demo world should hold sealed identities"
    return values
