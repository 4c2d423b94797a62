"""What is rendered once and reused across requests still reads as each user should see it: the main
menu follows the role and the language, the dashboard below it follows the language and the data, and
a dashboard already rendered costs two statements (who is asking, the data version)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event
from support import BACKENDS, discard
from web_helpers import ALL_ROLES, build_site, client_for, csrf_of, sign_in, username

from redzone.security.policy import Actor, allowed

MENU = re.compile(r'<nav class="mainnav"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)">([^<]+)</a>')
# The menu's links and the action each needs (as base.html's menu asks the policy).
MENU_ACTIONS = {"/": "stats.view", "/sources": "source.view", "/testimony/new": "source.create",
                "/persons": "person.view", "/claims": "claim.view", "/review": "extract.review",
                "/linkage": "link.review", "/estimates": "estimate.run", "/evidence": "evidence.view",
                "/audit": "audit.view", "/users": "user.manage", "/search": "source.view"}
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    ws = build_site(tmp_path_factory.mktemp("page-caching") / "ws", request.param, acts=60)
    yield ws
    discard(ws)


def _menu(client) -> list[tuple[str, str]]:  # noqa: ANN001
    page = client.get("/account")
    assert page.status_code == 200, page.text[:300]
    return LINK.findall(MENU.search(page.text).group(1))


def _choose_language(client, language: str) -> None:  # noqa: ANN001
    answer = client.post("/language", data={"language": language, "next": "/account",
                                             "csrf_token": csrf_of(client, "/account")})
    assert answer.status_code == 303, answer.text[:300]


def test_the_menu_is_each_roles_own_in_each_language(site):
    clients = {role: sign_in(client_for(site), role) for role in ALL_ROLES}
    try:
        for _ in range(2):  # roles in turn, twice: a menu kept for one role must not reach another
            for role, client in clients.items():
                actor = Actor(username(role), role, None, True)
                expected = [path for path, action in MENU_ACTIONS.items() if allowed(actor, action)]
                assert [path for path, _ in _menu(client)] == [p for p in MENU_ACTIONS if p in expected], role
        english = dict(_menu(clients["legal_analyst"]))
        _choose_language(clients["legal_analyst"], "ko")
        korean = dict(_menu(clients["legal_analyst"]))
        assert korean.keys() == english.keys()
        assert all(HANGUL.search(name) for name in korean.values()), korean
        other = clients["data_analyst"]
        assert all(not HANGUL.search(name) for _, name in _menu(other))  # the other analyst still reads English
    finally:
        _choose_language(clients["legal_analyst"], "en")


def test_the_dashboard_follows_each_users_language_and_the_data(site):
    reader_en = sign_in(client_for(site), "interviewer")
    reader_ko = sign_in(client_for(site), "data_analyst")
    _choose_language(reader_ko, "ko")
    try:
        for _ in range(2):
            english, korean = reader_en.get("/").text, reader_ko.get("/").text
            assert "Acts by violation" in english and "Acts by violation" not in korean
            assert HANGUL.search(re.search(r'<div class="pagehead">(.*?)</div>', korean, re.S).group(1))
        before = int(re.search(r'id="count-sources">([\d,]+)<', korean).group(1).replace(",", ""))
        entered = reader_en.post("/testimony", data={
            "csrf_token": csrf_of(reader_en, "/testimony/new"), "text": "synthetic testimony for the dashboard",
            "title": "synthetic", "language": "en", "consent": ["internal_analysis"], "sex": "female",
            "violation": "trafficking.sale"})
        assert entered.status_code == 303, entered.text[:300]
        after = int(re.search(r'id="count-sources">([\d,]+)<', reader_ko.get("/").text).group(1).replace(",", ""))
        assert after == before + 1
    finally:
        _choose_language(reader_ko, "en")


def test_a_dashboard_already_rendered_costs_two_statements(site):
    client = sign_in(client_for(site), "legal_analyst")
    assert client.get("/").status_code == 200  # renders and keeps the part below the menu
    statements: list[str] = []

    def record(_connection, _cursor, statement, *_args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(site.store.engine, "before_cursor_execute", record)
    try:
        assert client.get("/").status_code == 200
        assert len(statements) == 2, statements  # who is asking; the data version the cached part is checked against
    finally:
        event.remove(site.store.engine, "before_cursor_execute", record)
