"""The incident review pages on a small synthetic demo workspace (both backends): the queue of
borderline pairs of event records with their waterfall, one-click and page decisions that are
audited and undone through the shared decision log, splitting an event record out of an incident, an
incident run in the background; refused roles, CSRF on every POST, no sealed value and no event
description in anything a reviewer receives, and the Korean page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from support import BACKENDS, discard
from web_helpers import build_site, csrf_of, live_server, sign_in, username

from redzone.link import LinkSettings, run_incident_linkage, run_linkage
from redzone.records.identity import unseal_identity
from redzone.records.models import AuditEntry, Event, IncidentCluster, IncidentPair, LinkDecision, LinkRun, Person
from redzone.security.policy import ROLES, Actor, allowed
from redzone.web import create_app

ANALYST, OFFICER = "data_analyst", "documentation_officer"
WIDE = LinkSettings(review_low=0.05, review_high=0.999)


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    ws = build_site(tmp_path_factory.mktemp("incidents") / "ws", request.param, acts=150)
    analyst = Actor(username(ANALYST), ANALYST)
    run_linkage(ws, analyst, LinkSettings())
    run_incident_linkage(ws, analyst, WIDE)
    yield ws
    discard(ws)


@pytest.fixture(scope="module")
def clients(site):
    app = create_app(site)
    made = {}

    def client(role: str) -> TestClient:
        if role not in made:
            made[role] = sign_in(TestClient(app, base_url="http://127.0.0.1", follow_redirects=False), role)
        return made[role]

    yield client
    job = app.state.jobs.latest("incident-linkage") if getattr(app.state, "jobs", None) else None
    if job is not None:
        job.wait(120)  # let background work end before the workspace goes


def _queue(client) -> list[int]:  # noqa: ANN001
    return [int(n) for n in re.findall(r'data-incident-pair="(\d+)"', client.get("/linkage/incidents").text)]


def _incidents(ws) -> dict[int, str]:  # noqa: ANN001
    with ws.store.session() as session:
        return dict(session.execute(sa.select(IncidentCluster.event_id, IncidentCluster.incident_code)).all())


def _audit(ws, action: str) -> list[AuditEntry]:  # noqa: ANN001
    with ws.store.session() as session:
        return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_queue_and_pair_show_codes_levels_and_the_waterfall(site, clients):
    client = clients(ANALYST)
    page = client.get("/linkage/incidents")
    assert page.status_code == 200
    pairs = _queue(client)
    assert pairs, "the wide review band should put incident pairs in the queue"
    assert 'href="/linkage/incidents"' in client.get("/linkage").text
    detail = client.get(f"/linkage/incidents/pairs/{pairs[0]}")
    assert detail.status_code == 200 and "same incident" in detail.text
    assert re.search(r'id="match-probability">0\.\d{3}<', detail.text) and '<svg class="waterfall"' in detail.text
    with site.store.session() as session:
        pair = session.get(IncidentPair, pairs[0])
        codes = session.scalars(sa.select(Event.code).where(Event.id.in_((pair.event_a_id, pair.event_b_id)))).all()
    for code in codes:
        assert code in detail.text
    table = detail.text.split('id="waterfall-table"')[1]
    for name in ("prior", "kind", "victim", "place", "date"):
        assert f'<td class="mono">{name}</td>' in table
    assert client.get("/linkage/incidents/pairs/999999").status_code == 404


def test_nothing_a_reviewer_receives_holds_a_sealed_value_or_a_description(site, clients):
    client = clients(ANALYST)
    sealed = set()
    with site.store.session() as session:
        for code, blob in session.execute(sa.select(Person.code, Person.identity_sealed)
                                          .where(Person.identity_sealed.is_not(None))):
            identity = unseal_identity(site.keys.fields, code, blob)
            sealed |= {v for v in (identity.legal_name, identity.hangul_name, identity.contact, identity.whereabouts,
                                   *identity.aliases) if v and len(v) >= 3}
        sealed |= {d for d in session.scalars(sa.select(Event.description)) if d and len(d) >= 12}
    assert sealed
    bodies = [client.get("/linkage/incidents").text, client.get("/linkage/incidents/run/status").text]
    bodies += [client.get(f"/linkage/incidents/pairs/{n}").text for n in _queue(client)[:10]]
    for body in bodies:
        assert not [value for value in sealed if value in body]


def test_decide_undo_split_and_undo_again(site, clients):
    client = clients(ANALYST)
    before = _incidents(site)
    pair_id = _queue(client)[0]
    token = csrf_of(client, f"/linkage/incidents/pairs/{pair_id}")
    response = client.post(f"/linkage/incidents/pairs/{pair_id}/decision",
                           data={"csrf_token": token, "verb": "reject", "note": "two different arrests"})
    assert response.status_code == 303
    decision = int(re.search(r"decision=(\d+)", response.headers["location"]).group(1))
    with site.store.session() as session:
        assert session.get(IncidentPair, pair_id).decision == "rejected"
    assert _audit(site, "link.incidents.reject")[-1].record_id == str(decision)
    assert f'data-decision="{decision}"' in client.get("/linkage/incidents").text
    undone = client.post(f"/linkage/decisions/{decision}/undo", data={"csrf_token": token})
    assert undone.status_code == 303 and undone.headers["location"].startswith("/linkage/incidents?done=undo")
    assert _incidents(site) == before
    with site.store.session() as session:
        assert session.get(IncidentPair, pair_id).decision is None
        shared = sa.select(IncidentCluster.incident_code).group_by(IncidentCluster.incident_code) \
            .having(sa.func.count() > 1).order_by(IncidentCluster.incident_code)
        incident = session.scalars(shared).first()
        event = session.scalars(sa.select(Event.code).join(IncidentCluster, IncidentCluster.event_id == Event.id)
                                .where(IncidentCluster.incident_code == incident).order_by(Event.code)).first()
    split = client.post("/linkage/incidents/split", data={"csrf_token": token, "incident": incident, "event": event})
    assert split.status_code == 303, split.text[:300]
    split_decision = int(re.search(r"decision=(\d+)", split.headers["location"]).group(1))
    assert _incidents(site) != before
    assert client.post(f"/linkage/decisions/{split_decision}/undo", data={"csrf_token": token}).status_code == 303
    assert _incidents(site) == before
    assert _audit(site, "link.incidents.undo")[-1].detail["undoes"] == split_decision
    alone = client.post("/linkage/incidents/split", data={"csrf_token": token, "incident": "IN-NONE", "event": event})
    assert alone.status_code == 422
    # One click in the queue: decided, and back to the queue, where the pair no longer waits.
    quick = client.post(f"/linkage/incidents/pairs/{pair_id}/decision",
                        data={"csrf_token": token, "verb": "accept", "back_to": "queue"})
    assert quick.status_code == 303 and quick.headers["location"].startswith("/linkage/incidents?done=accept")
    assert pair_id not in _queue(client)


def test_link_two_event_records_by_hand_then_undo(site, clients):
    client = clients(ANALYST)
    page = client.get("/linkage/incidents")
    form = re.search(r'<form method="post" action="/linkage/incidents/merge".*?</form>', page.text, re.S).group(0)
    assert 'name="event_a"' in form and 'name="event_b"' in form and "no names" in form
    before = _incidents(site)
    with site.store.session() as session:
        run_id = session.scalar(sa.select(sa.func.max(IncidentPair.run_id)))
        paired = set(session.execute(sa.select(IncidentPair.event_a_id, IncidentPair.event_b_id)
                                     .where(IncidentPair.run_id == run_id)).all())
        events = session.execute(sa.select(Event.id, Event.code).order_by(Event.id).limit(40)).all()
    first, second = next((a, b) for i, a in enumerate(events) for b in events[i + 1:]
                         if (a.id, b.id) not in paired and before[a.id] != before[b.id])
    token = csrf_of(client, "/linkage/incidents")
    refused = client.post("/linkage/incidents/merge", data={"csrf_token": token, "event_a": first.code,
                                                            "event_b": "EV-NOSUCH"})
    assert refused.status_code == 422 and "event_b" in refused.text
    response = client.post("/linkage/incidents/merge", data={"csrf_token": token, "event_a": f" {first.code} ",
                                                             "event_b": second.code, "note": "one raid"})
    assert response.status_code == 303 and response.headers["location"].startswith("/linkage/incidents?done=merge")
    decision = int(re.search(r"decision=(\d+)", response.headers["location"]).group(1))
    entry = _audit(site, "link.incidents.merge")[-1]
    assert entry.record_id == str(decision) and "raid" not in str(entry.detail)
    with site.store.session() as session:
        pair = session.scalar(sa.select(IncidentPair).where(
            IncidentPair.run_id == run_id, IncidentPair.event_a_id == first.id, IncidentPair.event_b_id == second.id))
        assert (pair.origin, pair.decision) == ("manual", "accepted")
    joined = _incidents(site)
    assert joined[first.id] == joined[second.id]
    shown = client.get(f"/linkage/incidents/pairs/{pair.id}")
    assert shown.status_code == 200 and first.code in shown.text and second.code in shown.text
    assert f'data-decision="{decision}"' in client.get("/linkage/incidents").text
    again = client.post("/linkage/incidents/merge", data={"csrf_token": token, "event_a": second.code,
                                                          "event_b": first.code})
    assert again.status_code == 422 and "already linked" in again.text
    undone = client.post(f"/linkage/decisions/{decision}/undo", data={"csrf_token": token})
    assert undone.status_code == 303 and undone.headers["location"].startswith("/linkage/incidents?done=undo")
    assert _incidents(site) == before


PAGES = [("GET", "/linkage/incidents", "link.review"), ("GET", "/linkage/incidents/pairs/{pair}", "link.review"),
         ("POST", "/linkage/incidents/pairs/{pair}/decision", "link.review"),
         ("POST", "/linkage/incidents/split", "link.review"), ("POST", "/linkage/incidents/merge", "link.review"),
         ("GET", "/linkage/incidents/run/status", "link.review"),
         ("POST", "/linkage/incidents/run", "link.run")]


@pytest.mark.parametrize("role", ROLES)
def test_each_page_follows_the_policy(site, clients, role):
    client = clients(role)
    token = csrf_of(client, "/account")
    with site.store.session() as session:
        pair = session.scalar(sa.select(sa.func.max(IncidentPair.id)))
    for method, path, action in PAGES:
        url = path.replace("{pair}", str(pair))
        # An empty form: allowed roles get a 422 (nothing to do, no run started), refused roles a 403.
        response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
        if allowed(Actor("x", role), action):
            assert response.status_code in (200, 422), (role, url, response.status_code, response.text[:200])
        else:
            assert response.status_code == 403, (role, url, response.status_code)


def test_every_post_needs_the_csrf_token(site, clients):
    client = clients(ANALYST)
    pair = _queue(client)[0]
    forms = {f"/linkage/incidents/pairs/{pair}/decision": {"verb": "reject"},
             "/linkage/incidents/split": {"incident": "IN-X", "event": "EV-X"},
             "/linkage/incidents/merge": {"event_a": "EV-X", "event_b": "EV-Y"},
             "/linkage/incidents/run": {"threshold": "0.8", "review_low": "0.3", "review_high": "0.8"}}
    with site.store.session() as session:
        decisions = session.scalar(sa.select(sa.func.count()).select_from(LinkDecision))
        runs = session.scalar(sa.select(sa.func.count()).select_from(LinkRun))
    for url, form in forms.items():
        for token in (None, "forged-token"):
            response = client.post(url, data=form if token is None else {**form, "csrf_token": token})
            assert response.status_code == 403 and "csrf_token" in response.text, (url, token)
    with site.store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(LinkDecision)) == decisions
        assert session.scalar(sa.select(sa.func.count()).select_from(LinkRun)) == runs


def test_an_incident_run_runs_in_the_background_and_keeps_decisions(site, clients):
    client = clients(OFFICER)  # documentation officers may run linkage too
    pair = _queue(client)[-1]
    client.post(f"/linkage/incidents/pairs/{pair}/decision", data={
        "csrf_token": csrf_of(client, "/linkage/incidents"), "verb": "reject", "back_to": "queue"})
    response = client.post("/linkage/incidents/run", data={"csrf_token": csrf_of(client, "/linkage/incidents"),
                                                           "threshold": "0.8", "review_low": "0.05",
                                                           "review_high": "0.999"})
    assert response.status_code == 303
    job = client.app.state.jobs.latest("incident-linkage")
    assert job.wait(120) and job.status == "done", job.error
    assert client.get("/linkage/incidents/run/status").json()["status"] == "done"
    page = client.get("/linkage/incidents?started=1")
    assert job.result["run"] in page.text and job.result["carried_decisions"] >= 1
    wrong = client.post("/linkage/incidents/run", data={"csrf_token": csrf_of(client, "/linkage/incidents"),
                                                        "threshold": "0.8", "review_low": "0.9", "review_high": "0.5"})
    assert wrong.status_code == 422 and "review_low" in wrong.text


def test_the_page_renders_in_korean(clients):
    client = clients(ANALYST)
    client.post("/language", data={"csrf_token": csrf_of(client, "/account"), "language": "ko", "next": "/account"})
    try:
        page = client.get("/linkage/incidents")
        assert page.status_code == 200 and '<html lang="ko">' in page.text and "사건 검토" in page.text
    finally:
        client.post("/language", data={"csrf_token": csrf_of(client, "/account"), "language": "en", "next": "/account"})


# ---- in a real browser (Debian's Chromium through Playwright): the pages work under the CSP -------------

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    ws = build_site(tmp_path_factory.mktemp("incidents-e2e") / "ws", "sqlite", acts=150)
    analyst = Actor(username(ANALYST), ANALYST)
    run_linkage(ws, analyst, LinkSettings())
    run_incident_linkage(ws, analyst, WIDE)
    with live_server(ws) as base:
        yield base
    discard(ws)


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)")
def test_incident_review_in_a_browser(served):
    from playwright.sync_api import sync_playwright

    from web_helpers import password

    problems: list[str] = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        context = browser.new_context(base_url=served, viewport={"width": 1360, "height": 900}, locale="en-GB")
        context.set_default_timeout(90_000)
        page = context.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto("/login")
        page.fill("input[name=username]", username(ANALYST))
        page.fill("input[name=password]", password(ANALYST))
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.goto("/linkage")
        with page.expect_navigation():
            page.click("#incidents-link")
        page.screenshot(path=str(SCREENSHOTS / "incidents.png"))
        page.click("table.queue a.button >> nth=0")
        page.wait_for_selector("svg.waterfall rect")
        page.screenshot(path=str(SCREENSHOTS / "incident-pair.png"), full_page=True)
        with page.expect_navigation():
            page.click("#decide-form button[value=reject]")
        assert "recorded (rejected)" in page.inner_text("#pair-notice")
        # A run in the background: the page polls its status and reloads when it has finished.
        page.goto("/linkage/incidents")
        with page.expect_navigation():
            page.click("#run-form button[type=submit]")
        page.wait_for_selector("#run-status:not(.running)", timeout=120_000)
        assert "finished" in page.inner_text("#run-status")
        browser.close()
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p or "rror" in p
                and "404" not in p], "\n".join(problems)
