"""Security of the web layer: CSRF, session fixation, brute force, headers, XSS payloads rendered
inert, SQL metacharacters harmless in every filter; on both backends."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from support import BACKENDS, discard
from web_helpers import build_site, client_for, csrf_of, password, sign_in, username

from redzone.accounts import LoginSettings
from redzone.records.models import AuditEntry, Source
from redzone.web import WebSettings

XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "javascript:alert(1)",
       "<svg/onload=alert(1)>", "{{7*7}}", "</textarea><script>alert(2)</script>"]
SQL = ["' OR '1'='1", "'; DROP TABLE source; --", "%", "_", "\\", "\" OR 1=1 --", "1; SELECT pg_sleep(5)"]


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    ws = build_site(tmp_path_factory.mktemp("sec") / "ws", request.param, acts=80)
    yield ws
    discard(ws)


def test_security_headers_on_every_page(site):
    client = client_for(site)
    for path in ("/login", "/static/app.css"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "frame-ancestors 'none'" in csp
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"


def test_session_cookie_flags_and_secure_behind_tls(site):
    client = sign_in(client_for(site), "interviewer")
    cookie = next(c for c in client.cookies.jar if c.name == "rz_session")
    assert cookie.has_nonstandard_attr("HttpOnly") and not cookie.secure
    secure = client_for(site, WebSettings(secure_cookies=True))
    response = secure.post("/login", data={"username": username("interviewer"), "password": password("interviewer"),
                                           "csrf_token": csrf_of(secure)})
    set_cookie = response.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie and "secure" in set_cookie


def test_state_changing_requests_without_the_csrf_token_are_refused(site):
    client = sign_in(client_for(site), "interviewer")
    form = {"text": "synthetic testimony", "violation": ""}
    assert client.post("/testimony", data=form).status_code == 403
    assert client.post("/testimony", data={**form, "csrf_token": "forged"}).status_code == 403
    assert client.post("/api/v1/sources", json={"kind": "interview"}).status_code == 403
    token = csrf_of(client, "/testimony/new")
    assert client.post("/testimony", data={**form, "csrf_token": token}).status_code == 303
    # Another session's token is no good either.
    other = sign_in(client_for(site), "documentation_officer")
    assert other.post("/testimony", data={**form, "csrf_token": token}).status_code == 403


def test_sign_in_issues_a_new_session_id(site):
    """Session fixation: an id planted before sign-in (or a partial one) never becomes the signed-in one."""
    client = client_for(site)
    client.cookies.set("rz_session", "planted-by-attacker", domain="127.0.0.1")
    sign_in(client, "interviewer")
    session_id = client.cookies.get("rz_session")
    assert session_id and session_id != "planted-by-attacker"
    admin = client_for(site)
    response = admin.post("/login", data={"username": username("administrator"), "password": password("administrator"),
                                          "csrf_token": csrf_of(admin)})
    partial = admin.cookies.get("rz_session")
    assert response.headers["location"].startswith("/login/second-factor")
    assert admin.get("/audit").status_code == 303, "a password alone must not reach an administrator's pages"
    sign_in(admin, "administrator")
    assert admin.cookies.get("rz_session") != partial
    stale = client_for(site)
    stale.cookies.set("rz_session", partial, domain="127.0.0.1")
    assert stale.get("/audit").status_code == 303


def test_brute_force_locks_the_account(site):
    client = client_for(site, WebSettings(login=LoginSettings(lock_after=3, client_failures=50)))
    for _ in range(3):
        response = client.post("/login", data={"username": username("data_analyst"), "password": "guess-guess",
                                               "csrf_token": csrf_of(client)})
        assert response.status_code == 401
    response = client.post("/login", data={"username": username("data_analyst"), "password": password("data_analyst"),
                                           "csrf_token": csrf_of(client)})
    assert response.status_code == 403 and "locked" in response.text
    with site.store.session() as session:
        failures = session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "login.failed", AuditEntry.actor == username("data_analyst")))
    assert failures >= 4


def test_xss_payloads_in_every_text_field_are_rendered_inert(site):
    client = sign_in(client_for(site), "interviewer")
    payload = " ".join(XSS)
    form = {"csrf_token": csrf_of(client, "/testimony/new"), "title": payload, "text": payload,
            "legal_name": payload, "hangul_name": payload, "violation": "trafficking.sale", "roles": ["broker"]}
    response = client.post("/testimony", data=form)
    assert response.status_code == 303
    source_page = client.get(response.headers["location"])
    code = re.search(r"/sources/([^?]+)", response.headers["location"]).group(1)
    act_form = {"csrf_token": csrf_of(client, f"/sources/{code}"), "violation": "sexual.rape", "notes": payload,
                "span_start": "0", "span_end": "20"}
    assert client.post(f"/sources/{code}/acts", data=act_form).status_code == 303
    evidence = client.post("/evidence", data={"csrf_token": csrf_of(client, "/evidence"), "acquired_by": XSS[1][:80],
                                              "acquisition_method": payload[:200]},
                           files={"file": (XSS[0], b"synthetic", "text/plain")})
    assert evidence.status_code == 303
    pages_more = [client.get(evidence.headers["location"]).text, client.get("/evidence").text]
    person = re.search(r'href="/persons/([^"#]+)"', source_page.text).group(1)
    # Journey rows (testimony and person page): a place name that is no gazetteer place is quoted back.
    rows = {"step_kind": ["crossing"], "step_place_name": [payload[:200]], "step_place_id": [XSS[1]],
            "step_date_precision": [XSS[0][:10]], "step_date_start": [XSS[2][:12]], "step_date_end": [XSS[3][:12]]}
    refused = [client.post("/testimony", data={**form, "csrf_token": csrf_of(client, "/testimony/new"), **rows}),
               client.post(f"/persons/{person}/journey",
                           data={"csrf_token": csrf_of(client, f"/persons/{person}"), **rows})]
    assert [r.status_code for r in refused] == [422, 422]
    pages_more += [r.text for r in refused]
    # A claim: every text field holds the payload; the quote is found in the (payload) testimony text.
    claim = client.post("/claims", data={"csrf_token": csrf_of(client, "/claims"), "source": code, "value": "1",
                                         "measure": payload[:120], "unit": XSS[1][:40], "scope": payload[:200],
                                         "quote": XSS[0], "qualifier": "about"})
    assert claim.status_code == 303, claim.text[:300]
    bad_claim = client.post("/claims", data={"csrf_token": csrf_of(client, "/claims"), "source": XSS[1][:40],
                                             "value": XSS[4], "year": XSS[2][:6], "measure": payload[:120],
                                             "qualifier": XSS[0][:20]})
    assert bad_claim.status_code == 422
    pages_more += [client.get(claim.headers["location"]).text, client.get("/claims").text, bad_claim.text,
                   client.get("/claims", params={"source": XSS[1][:40], "recorded": XSS[0]}).text]
    pages = [client.get(f"/sources/{code}").text, client.get(f"/persons/{person}/identity").text,
             client.get("/sources", params={"q": payload}).text, client.get("/search", params={"q": payload}).text,
             client.get("/account").text, *pages_more]
    for page in pages:
        for attack in ("<script>alert", "<img src=x", "<svg/onload", "</textarea><script>"):
            assert attack not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0]
    assert client.post("/account/tokens", data={"csrf_token": csrf_of(client, "/account"), "name": XSS[0]}).status_code == 200


def test_sql_metacharacters_in_filters_are_harmless(site):
    client = sign_in(client_for(site), "administrator")
    with site.store.session() as session:
        before = session.scalar(sa.select(sa.func.count()).select_from(Source))
    for text in SQL:
        for path, params in (("/sources", {"q": text}), ("/sources", {"kind": text}), ("/persons", {"role": text}),
                             ("/claims", {"measure": text, "source": text, "recorded": text}),
                             ("/audit", {"actor": text, "action": text, "record": text}),
                             ("/search", {"q": text}), ("/api/v1/sources", {"q": text}),
                             ("/api/v1/acts", {"violation": text}), ("/api/v1/audit", {"actor": text})):
            response = client.get(path, params=params)
            assert response.status_code in (200, 403), (path, text, response.status_code)
        listed = client.get("/sources", params={"q": text})
        assert "No source matches" in listed.text or text in ("_",), (text, "matched rows it should not")
    with site.store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Source)) == before


def test_a_nul_character_anywhere_is_refused_naming_the_field(site):
    """PostgreSQL text cannot hold U+0000 (it failed with a 500 there) and SQLite would cut the string."""
    client = sign_in(client_for(site), "documentation_officer")
    with site.store.session() as session:
        before = session.scalar(sa.select(sa.func.count()).select_from(Source))
        code = session.scalar(sa.select(Source.code).limit(1))
    for path, params in (("/sources", {"kind": "a\x00b"}), ("/search", {"q": "\x00"}),
                         ("/api/v1/sources", {"kind": "\x00"}), ("/api/v1/acts", {"violation": "x\x00"})):
        response = client.get(path, params=params)
        field = next(iter(params))
        assert response.status_code == 422, (path, response.status_code)
        assert f"{field}: must not contain a NUL character" in response.text, (path, response.text[:300])
    assert client.get("/api/v1/sources/S%00X").status_code == 422
    posted = client.post("/testimony", data={"csrf_token": csrf_of(client, "/testimony/new"), "title": "a\x00b",
                                             "kind": "testimony", "language": "en", "text": "synthetic"})
    assert posted.status_code == 422 and "title: must not contain a NUL character" in posted.text
    sent = client.post("/api/v1/claims", json={"source": code, "measure": "victims", "note": ["ok", "\x00"]},
                       headers={"X-CSRF-Token": csrf_of(client, "/claims")})
    assert sent.status_code == 422 and sent.json()["problems"][0]["field"] == "note.1", sent.text
    with site.store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Source)) == before
