"""Against a real server on loopback: what a request wrote is committed before its answer leaves, so a
client that follows the redirect at once finds it — the session a sign-in opened, the testimony just
recorded. A TestClient cannot show this: it returns only after the request's clean-up has run."""

from __future__ import annotations

import re
from contextlib import closing

import httpx
import pytest
from support import discard
from web_helpers import CSRF, build_site, live_server, password, username

ROUNDS = 15


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    ws = build_site(tmp_path_factory.mktemp("commit") / "ws", "sqlite", acts=60)
    with live_server(ws) as base:
        yield base
    discard(ws)


def _csrf(client: httpx.Client, path: str) -> str:
    match = CSRF.search(client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def _signed_in(base: str, role: str) -> httpx.Client:
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=30)
    answer = client.post("/login", data={"username": username(role), "password": password(role),
                                         "csrf_token": _csrf(client, "/login"), "next": "/sources"})
    assert answer.status_code == 303 and answer.headers["location"] == "/sources", answer.text[:300]
    return client


def test_the_session_a_sign_in_opens_is_there_for_the_very_next_request(server):
    refused = 0
    for _ in range(ROUNDS):
        with closing(_signed_in(server, "legal_analyst")) as client:
            refused += client.get("/sources").status_code != 200
    assert refused == 0, f"{refused} of {ROUNDS} sign-ins were not yet committed when the next request came"


def test_a_recorded_testimony_is_there_when_its_redirect_is_followed_at_once(server):
    missing = 0
    with closing(_signed_in(server, "interviewer")) as client:
        for round_ in range(ROUNDS):
            answer = client.post("/testimony", data={
                "csrf_token": _csrf(client, "/testimony/new"), "text": f"Synthetic test testimony {round_}."})
            assert answer.status_code == 303, answer.text[:500]
            target = answer.headers["location"]
            assert re.match(r"/sources/SRC-", target), target
            missing += client.get(target).status_code != 200
    assert missing == 0, f"{missing} of {ROUNDS} testimonies were not yet committed when their page was asked for"
