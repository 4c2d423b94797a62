"""The analysis pages on a small synthetic demo workspace (both backends): extraction review (nothing
recorded until accepted; accept, edit, reject, each audited), linkage review (pseudonyms and the
waterfall, reversible decisions, a run in the background) and estimates (documented against
estimated, methods side by side, warnings, bootstrap in the background); refused roles, CSRF on
every POST, no sealed value in anything an analyst receives, and the Korean pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from support import BACKENDS, discard
from fastapi.testclient import TestClient
from web_helpers import build_site, csrf_of, live_server, sealed_values, sign_in, username

from redzone.extract import propose
from redzone.link import LinkSettings, run_linkage
from redzone.records.models import Act, Attestation, AuditEntry, Claim, LinkDecision, LinkPair, Person, PersonCluster, Source
from redzone.security.policy import ROLES, Actor, allowed
from redzone.web import create_app

ANALYST, OFFICER = "data_analyst", "documentation_officer"


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    ws = build_site(tmp_path_factory.mktemp("analysis") / "ws", request.param, acts=150)
    # A wide review band, so that the queue holds pairs to decide on this small world.
    run_linkage(ws, Actor(username(ANALYST), ANALYST), LinkSettings(review_low=0.05, review_high=0.999))
    yield ws
    discard(ws)


@pytest.fixture(scope="module")
def clients(site):
    """Signed-in clients by role, all on one application (so they share its caches and jobs)."""
    app = create_app(site)
    made = {}

    def client(role: str) -> TestClient:
        if role not in made:
            made[role] = sign_in(TestClient(app, base_url="http://127.0.0.1", follow_redirects=False), role)
        return made[role]

    yield client
    registry = getattr(app.state, "jobs", None)
    for kind in ("linkage", "estimates"):  # let background work end before the workspace goes
        job = registry.latest(kind) if registry else None
        if job is not None:
            job.wait(120)


_INTERVIEWS: dict[int, str] = {}


def _interview(ws) -> str:  # noqa: ANN001
    """An interview (first-person testimony) whose proposals held two violations at the start."""
    if id(ws) in _INTERVIEWS:
        return _INTERVIEWS[id(ws)]
    actor = Actor(username(OFFICER), OFFICER)
    with ws.store.session() as session:
        for code in session.scalars(sa.select(Source.code).where(Source.kind == "interview",
                                                                 Source.text_sealed.is_not(None)).order_by(Source.id)):
            proposals = propose(session, ws.keys, actor, code)
            if sum(1 for p in proposals if p.fact.type == "violation" and p.status == "open") >= 2:
                _INTERVIEWS[id(ws)] = code
                return code
    raise AssertionError("the demo world has no interview with two proposed violations")


def _proposals(ws, code: str):  # noqa: ANN001, ANN202
    with ws.store.session() as session:
        return propose(session, ws.keys, Actor(username(OFFICER), OFFICER), code)


def _count(ws, model) -> int:  # noqa: ANN001
    with ws.store.session() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def _audit(ws, action: str) -> list[AuditEntry]:  # noqa: ANN001
    with ws.store.session() as session:
        return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


# ---- extraction review ---------------------------------------------------------------------------


def test_review_page_highlights_every_proposal_and_records_nothing(site, clients):
    code = _interview(site)
    before = (_count(site, Act), _count(site, Claim), _count(site, Person))
    page = clients(OFFICER).get(f"/sources/{code}/review")
    assert page.status_code == 200, page.text[:300]
    proposals = _proposals(site, code)
    assert proposals
    for proposal in proposals:
        assert f'id="p-{proposal.number}"' in page.text
    highlighted = {int(n) for group in re.findall(r'data-proposals="([\d ]+)"', page.text) for n in group.split()}
    assert highlighted == {p.number for p in proposals}
    assert 'class="fact fact-violation' in page.text
    assert (_count(site, Act), _count(site, Claim), _count(site, Person)) == before


def test_accept_records_an_act_attested_by_the_span(site, clients):
    code = _interview(site)
    client = clients(OFFICER)
    violation = next(p for p in _proposals(site, code) if p.fact.type == "violation" and p.status == "open")
    acts = _count(site, Act)
    response = client.post(f"/sources/{code}/review/accept", data={
        "csrf_token": csrf_of(client, f"/sources/{code}/review"), "proposal": violation.id})
    assert response.status_code == 303, response.text[:300]
    record = re.search(r"accepted=([A-Z0-9-]+)", response.headers["location"]).group(1)
    assert _count(site, Act) == acts + 1
    with site.store.session() as session:
        act = session.scalar(sa.select(Act).where(Act.code == record))
        assert act.violation == violation.fact.get("code")
        spans = session.execute(sa.select(Attestation.span_start, Attestation.span_end)
                                .where(Attestation.act_id == act.id)).all()
        assert (violation.fact.start, violation.fact.end) in spans
    assert any(e.detail.get("proposal") == violation.id for e in _audit(site, "extract.accept"))
    page = client.get(f"/sources/{code}/review")
    assert record in page.text and "status-accepted" in page.text
    again = client.post(f"/sources/{code}/review/accept", data={"csrf_token": csrf_of(client, f"/sources/{code}/review"),
                                                                  "proposal": violation.id})
    assert again.status_code == 422 and "already accepted" in again.text


def test_edit_then_accept_changes_violation_and_place(site, clients):
    code = _interview(site)
    client = clients(OFFICER)
    violation = [p for p in _proposals(site, code) if p.fact.type == "violation" and p.status == "open"][-1]
    wanted = "detention.arbitrary" if violation.fact.get("code") != "detention.arbitrary" else "labour.forced"
    response = client.post(f"/sources/{code}/review/accept", data={
        "csrf_token": csrf_of(client, f"/sources/{code}/review"), "proposal": violation.id, "edit_form": "violation",
        "code": wanted, "place_name": "Yanji", "date": "2016-05", "perpetrators": ["broker"]})
    assert response.status_code == 303, response.text[:300]
    record = re.search(r"accepted=([A-Z0-9-]+)", response.headers["location"]).group(1)
    with site.store.session() as session:
        act = session.scalar(sa.select(Act).where(Act.code == record))
        assert act.violation == wanted
        assert act.event is not None and "yanji" in act.event.place_id
        assert act.event.date_precision == "month"
        assert [p.role for p in act.perpetrators] == ["broker"]
    entry = next(e for e in _audit(site, "extract.accept") if e.detail.get("proposal") == violation.id)
    assert {"code", "place_id", "date", "perpetrators"} <= set(entry.detail["edited"])


def test_an_unknown_place_is_one_clear_error_and_records_nothing(site, clients):
    code = _interview(site)
    client = clients(OFFICER)
    place = next((p for p in _proposals(site, code) if p.fact.type == "place" and p.status == "open"), None)
    if place is None:
        pytest.skip("no open place proposal left")
    audits = len(_audit(site, "extract.accept"))
    response = client.post(f"/sources/{code}/review/accept", data={
        "csrf_token": csrf_of(client, f"/sources/{code}/review"), "proposal": place.id, "edit_form": "place",
        "place_name": "Atlantis-by-the-sea"})
    assert response.status_code == 422
    assert "not in the gazetteer" in response.text
    assert len(_audit(site, "extract.accept")) == audits


def test_reject_writes_nothing_but_the_audited_decision(site, clients):
    code = _interview(site)
    client = clients(OFFICER)
    target = next(p for p in _proposals(site, code) if p.status == "open")
    before = (_count(site, Act), _count(site, Claim), _count(site, Person))
    response = client.post(f"/sources/{code}/review/reject", data={
        "csrf_token": csrf_of(client, f"/sources/{code}/review"), "proposal": target.id, "reason": "hypothetical"})
    assert response.status_code == 303
    assert (_count(site, Act), _count(site, Claim), _count(site, Person)) == before
    entry = _audit(site, "extract.reject")[-1]
    assert entry.detail == {"proposal": target.id, "type": target.fact.type, "reason": "hypothetical"}
    assert next(p for p in _proposals(site, code) if p.id == target.id).status == "rejected"
    bad = client.post(f"/sources/{code}/review/reject", data={
        "csrf_token": csrf_of(client, f"/sources/{code}/review"), "proposal": target.id, "reason": "whatever"})
    assert bad.status_code == 422


def test_review_list_links_each_source_with_its_decisions_so_far(site, clients):
    code = _interview(site)
    page = clients(OFFICER).get("/review")
    assert page.status_code == 200
    row = re.search(rf'<tr><td class="mono"><a href="/sources/{code}">.*?</tr>', page.text, re.S)
    if row is None:  # not on the first page: the list is newest first
        pytest.skip("the interview is not among the newest sources")
    assert f'href="/sources/{code}/review"' in row.group(0)
    decided = len([e for e in _audit(site, "extract.accept") + _audit(site, "extract.reject") if e.record_id == code])
    assert re.search(rf'<td class="num">{decided}</td>', row.group(0))


# ---- who may, and CSRF ----------------------------------------------------------------------------

PAGES = [("GET", "/review", "extract.review"), ("GET", "/sources/{code}/review", "extract.review"), ("POST", "/sources/{code}/review/accept", "extract.review"),
         ("POST", "/sources/{code}/review/reject", "extract.review"), ("GET", "/linkage", "link.review"),
         ("GET", "/linkage/pairs/{pair}", "link.review"), ("POST", "/linkage/pairs/{pair}/decision", "link.review"),
         ("POST", "/linkage/split", "link.review"), ("POST", "/linkage/merge", "link.review"),
         ("POST", "/linkage/decisions/999999/undo", "link.review"),
         ("POST", "/linkage/run", "link.run"), ("GET", "/estimates", "estimate.run"),
         ("POST", "/estimates/compute", "estimate.run")]


def _pair(ws) -> int:  # noqa: ANN001
    with ws.store.session() as session:
        return session.scalars(sa.select(LinkPair.id).order_by(LinkPair.id.desc())).first()


@pytest.mark.parametrize("role", ROLES)
def test_each_page_follows_the_policy(site, clients, role):
    client = clients(role)
    token = csrf_of(client, "/account")
    actor = Actor("x", role)
    code = _interview(site)
    for method, path, action in PAGES:
        url = path.replace("{code}", code).replace("{pair}", str(_pair(site)))
        if method == "GET":
            response = client.get(url)
        else:  # an empty form: allowed roles get a 422 (nothing to do), refused roles a 403
            response = client.post(url, data={"csrf_token": token})
        if allowed(actor, action):
            assert response.status_code in (200, 404, 422), (role, url, response.status_code, response.text[:200])
        else:
            assert response.status_code == 403, (role, url, response.status_code)
    nav = client.get("/account").text
    assert ('href="/linkage"' in nav) == allowed(actor, "link.review")
    assert ('href="/estimates"' in nav) == allowed(actor, "estimate.run")


@pytest.mark.parametrize("role", [OFFICER, ANALYST])
def test_every_post_needs_the_csrf_token(site, clients, role):
    client = clients(role)
    code, pair = _interview(site), _pair(site)
    proposal = next(p for p in _proposals(site, code) if p.status == "open")
    forms = {f"/sources/{code}/review/accept": {"proposal": proposal.id},
             f"/sources/{code}/review/reject": {"proposal": proposal.id, "reason": "other"},
             f"/linkage/pairs/{pair}/decision": {"verb": "reject"}, "/linkage/split": {"cluster": "CL-X", "person": "RZ-X"},
             "/linkage/merge": {"person_a": "RZ-X", "person_b": "RZ-Y"},
             "/linkage/decisions/999999/undo": {}, "/linkage/run": {"person_role": "victim"},
             "/estimates/compute": {"replicates": "0", "methods": "chao"}}
    decisions, audits = _count(site, LinkDecision), _count(site, AuditEntry)
    registry = getattr(client.app.state, "jobs", None)
    jobs = [registry.latest(kind) if registry else None for kind in ("linkage", "estimates")]
    for url, form in forms.items():
        for token in (None, "forged-token"):
            data = dict(form) if token is None else {**form, "csrf_token": token}
            response = client.post(url, data=data)
            assert response.status_code == 403, (url, token, response.status_code)
            assert "csrf_token" in response.text
    assert _count(site, LinkDecision) == decisions
    assert _count(site, AuditEntry) == audits
    registry = getattr(client.app.state, "jobs", None)
    assert [registry.latest(kind) if registry else None for kind in ("linkage", "estimates")] == jobs


# ---- linkage review ---------------------------------------------------------------------------------


def test_queue_and_pair_show_pseudonyms_weights_and_the_waterfall(site, clients):
    client = clients(ANALYST)
    page = client.get("/linkage")
    assert page.status_code == 200
    pairs = [int(n) for n in re.findall(r'data-pair="(\d+)"', page.text)]
    assert pairs, "the wide review band should put pairs in the queue"
    detail = client.get(f"/linkage/pairs/{pairs[0]}")
    assert detail.status_code == 200
    assert re.search(r'id="match-probability">0\.\d{3}<', detail.text)
    assert '<svg class="waterfall"' in detail.text
    with site.store.session() as session:
        pair = session.get(LinkPair, pairs[0])
        codes = session.scalars(sa.select(Person.code).where(Person.id.in_((pair.person_a_id, pair.person_b_id)))).all()
        comparisons = list(pair.levels)
    for code in codes:
        assert code in detail.text
    table = detail.text.split('id="waterfall-table"')[1]
    for name in ["prior", *comparisons]:
        assert f'<td class="mono">{name}</td>' in table


def test_nothing_an_analyst_receives_holds_a_sealed_value(site, clients):
    client = clients(ANALYST)
    sealed = sealed_values(site)
    page = client.get("/linkage")
    bodies = [page.text, client.get("/linkage/run/status").text, client.get("/estimates").text,
              client.get("/estimates", params={"stratify": "province", "methods": ["bic", "chao"]}).text]
    bodies += [client.get(f"/linkage/pairs/{n}").text for n in re.findall(r'data-pair="(\d+)"', page.text)[:10]]
    for body in bodies:
        leaked = [value for value in sealed if value in body]
        assert not leaked, f"sealed values in a page: {len(leaked)}"


# ---- estimates ------------------------------------------------------------------------------------------


def test_estimates_page_sets_methods_side_by_side_with_warnings(site, clients):
    client = clients(ANALYST)
    page = client.get("/estimates")
    assert page.status_code == 200
    data = json.loads(re.search(r'<script type="application/json" id="estimate-data">(.*?)</script>', page.text,
                                re.S).group(1))
    (whole,) = data["strata"]
    assert whole["observed"] > 0
    assert {m["method"] for m in whole["methods"]} >= {"bic", "stepwise", "chao"}
    for method in whole["methods"]:
        assert method["low"] <= method["estimate"] <= method["high"]
        assert method["estimate"] >= whole["observed"] - 0.5
    assert 'class="warnings"' in page.text and "await review" in page.text
    # The next-best models of the BIC search beside the chosen one: how much the choice moves the number.
    assert whole["competing"] and all(c["name"] == whole["methods"][0]["name"] for c in whole["competing"])
    assert 'class="chart-table competing"' in page.text
    by_province = client.get("/estimates", params={"stratify": "province", "methods": ["bic", "chao"]})
    assert by_province.status_code == 200
    strata = json.loads(re.search(r'id="estimate-data">(.*?)</script>', by_province.text, re.S).group(1))["strata"]
    assert len(strata) > 1
    assert sum(s["observed"] for s in strata) == whole["observed"]
    assert client.get("/estimates", params={"stratify": "shoe_size"}).status_code == 422


def test_bootstrap_intervals_are_computed_in_the_background(site, clients):
    client = clients(ANALYST)
    response = client.post("/estimates/compute", data={"csrf_token": csrf_of(client, "/estimates"),
                                                       "methods": ["stepwise"], "replicates": "100", "seed": "7"})
    assert response.status_code == 303
    job = client.app.state.jobs.latest("estimates")
    assert job.wait(120) and job.status == "done", job.error
    page = client.get(response.headers["location"])
    assert "BCa" in page.text and "100" in page.text
    assert client.post("/estimates/compute", data={"csrf_token": csrf_of(client, "/estimates"), "methods": ["stepwise"],
                                                   "replicates": "7"}).status_code == 422



# ---- linkage decisions and runs (they change the data the estimates read) ----------------------


def test_accept_then_undo_and_split_then_undo(site, clients):
    client = clients(ANALYST)
    pair_id = int(re.findall(r'data-pair="(\d+)"', client.get("/linkage").text)[0])
    token = csrf_of(client, f"/linkage/pairs/{pair_id}")
    response = client.post(f"/linkage/pairs/{pair_id}/decision", data={"csrf_token": token, "verb": "reject",
                                                                        "note": "different birth years"})
    assert response.status_code == 303
    decision = int(re.search(r"decision=(\d+)", response.headers["location"]).group(1))
    with site.store.session() as session:
        assert session.get(LinkPair, pair_id).decision == "rejected"
    assert _audit(site, "link.reject")[-1].record_id == str(decision)
    page = client.get("/linkage")
    assert f'data-decision="{decision}"' in page.text
    assert client.post(f"/linkage/decisions/{decision}/undo", data={"csrf_token": token}).status_code == 303
    with site.store.session() as session:
        assert session.get(LinkPair, pair_id).decision is None
        sizes = sa.select(PersonCluster.cluster_code).group_by(PersonCluster.cluster_code).having(sa.func.count() > 1)
        cluster = session.scalars(sizes.order_by(PersonCluster.cluster_code)).first()
        member = session.scalars(sa.select(Person.code).join(PersonCluster, PersonCluster.person_id == Person.id)
                                 .where(PersonCluster.cluster_code == cluster).order_by(Person.code)).first()
    response = client.post("/linkage/split", data={"csrf_token": token, "cluster": cluster, "person": member})
    assert response.status_code == 303, response.text[:300]
    split = int(re.search(r"decision=(\d+)", response.headers["location"]).group(1))
    assert _audit(site, "link.split")[-1].record_id == str(split)
    assert client.post(f"/linkage/decisions/{split}/undo", data={"csrf_token": token}).status_code == 303
    assert _audit(site, "link.undo")[-1].detail["undoes"] == split
    twice = client.post(f"/linkage/decisions/{split}/undo", data={"csrf_token": token})
    assert twice.status_code == 422 and "already undone" in twice.text
    # One click in the queue: decided, and back to the queue.
    quick = client.post(f"/linkage/pairs/{pair_id}/decision", data={"csrf_token": token, "verb": "accept",
                                                                     "back_to": "victim"})
    assert quick.status_code == 303 and quick.headers["location"].startswith("/linkage?role=victim&done=accept")
    with site.store.session() as session:
        assert session.get(LinkPair, pair_id).decision == "accepted"
    assert f'data-pair="{pair_id}"' not in client.get("/linkage").text


def test_link_two_records_by_hand_then_undo(site, clients):
    client = clients(ANALYST)
    page = client.get("/linkage")
    form = re.search(r'<form method="post" action="/linkage/merge".*?</form>', page.text, re.S).group(0)
    assert 'name="person_a"' in form and 'name="person_b"' in form and "no names" in form
    with site.store.session() as session:
        run_id = session.scalar(sa.select(sa.func.max(LinkPair.run_id)))
        paired = set(session.execute(sa.select(LinkPair.person_a_id, LinkPair.person_b_id)
                                     .where(LinkPair.run_id == run_id)).all())
        clustered = dict(session.execute(sa.select(PersonCluster.person_id, PersonCluster.cluster_code)).all())
        people = session.execute(sa.select(Person.id, Person.code).where(Person.person_role == "victim")
                                 .order_by(Person.id).limit(40)).all()
    first, second = next((a, b) for i, a in enumerate(people) for b in people[i + 1:]
                         if (a.id, b.id) not in paired and clustered[a.id] != clustered[b.id])
    token = csrf_of(client, "/linkage")
    refused = client.post("/linkage/merge", data={"csrf_token": token, "person_a": first.code, "person_b": "RZ-NOSUCH"})
    assert refused.status_code == 422 and "person_b" in refused.text
    response = client.post("/linkage/merge", data={"csrf_token": token, "person_a": f" {first.code} ",
                                                   "person_b": second.code, "note": "same journey"})
    assert response.status_code == 303, response.text[:300]
    decision = int(re.search(r"decision=(\d+)", response.headers["location"]).group(1))
    entry = _audit(site, "link.merge")[-1]
    assert entry.record_id == str(decision) and "same journey" not in json.dumps(entry.detail)
    with site.store.session() as session:
        pair = session.scalar(sa.select(LinkPair).where(LinkPair.run_id == run_id, LinkPair.person_a_id == first.id,
                                                        LinkPair.person_b_id == second.id))
        assert (pair.origin, pair.decision) == ("manual", "accepted")
        together = dict(session.execute(sa.select(PersonCluster.person_id, PersonCluster.cluster_code)).all())
        assert together[first.id] == together[second.id]
    shown = client.get(f"/linkage/pairs/{pair.id}")
    assert shown.status_code == 200 and first.code in shown.text and second.code in shown.text
    assert f'data-decision="{decision}"' in client.get("/linkage").text
    assert client.post(f"/linkage/decisions/{decision}/undo", data={"csrf_token": token}).status_code == 303
    with site.store.session() as session:
        assert session.get(LinkPair, pair.id).decision is None
        assert dict(session.execute(sa.select(PersonCluster.person_id, PersonCluster.cluster_code)).all()) == clustered


def test_run_linkage_runs_in_the_background(site, clients):
    client = clients(OFFICER)  # documentation officers may run linkage too
    runs_before = len(_audit(site, "link.run"))
    response = client.post("/linkage/run", data={"csrf_token": csrf_of(client, "/linkage"), "person_role": "victim",
                                                 "review_low": "0.05", "review_high": "0.999"})
    assert response.status_code == 303
    job = client.app.state.jobs.latest("linkage")
    assert job.wait(120) and job.status == "done", job.error
    assert len(_audit(site, "link.run")) == runs_before + 1
    assert client.get("/linkage/run/status").json()["status"] == "done"
    page = client.get("/linkage?started=1")
    assert job.result["run"] in page.text
    wrong = client.post("/linkage/run", data={"csrf_token": csrf_of(client, "/linkage"), "person_role": "victim",
                                              "review_low": "0.9", "review_high": "0.5"})
    assert wrong.status_code == 422 and "review_low" in wrong.text


# ---- Korean ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role,path,korean", [(OFFICER, "/sources/{code}/review", "제안된 사실 검토"),
                                              (ANALYST, "/linkage", "연계 검토"),
                                              (ANALYST, "/estimates", "기록된 피해자와 추정된 피해자")])
def test_pages_render_in_korean(site, clients, role, path, korean):
    client = clients(role)
    url = path.replace("{code}", _interview(site))
    client.post("/language", data={"csrf_token": csrf_of(client, "/account"), "language": "ko", "next": "/account"})
    try:
        page = client.get(url)
        assert page.status_code == 200
        assert '<html lang="ko">' in page.text
        assert korean in page.text
    finally:
        client.post("/language", data={"csrf_token": csrf_of(client, "/account"), "language": "en", "next": "/account"})
    assert korean not in client.get(url).text


# ---- in a real browser (Debian's Chromium through Playwright): the pages work under the CSP -------------

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    ws = build_site(tmp_path_factory.mktemp("analysis-e2e") / "ws", "sqlite", acts=400)
    run_linkage(ws, Actor(username(ANALYST), ANALYST), LinkSettings(review_low=0.05, review_high=0.999))
    with live_server(ws) as base:
        yield base, ws
    discard(ws)


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)")
def test_analysis_pages_in_a_browser(served):
    from playwright.sync_api import sync_playwright

    from web_helpers import password

    base, ws = served
    problems: list[str] = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])

        def page_for(role: str):  # noqa: ANN202
            context = browser.new_context(base_url=base, viewport={"width": 1360, "height": 900}, locale="en-GB")
            context.set_default_timeout(90_000)  # a loaded 2-core CI machine can take well over 30 s a step
            page = context.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto("/login")
            page.fill("input[name=username]", username(role))
            page.fill("input[name=password]", password(role))
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            return page

        # Extraction review with the keyboard: j selects the first open proposal, a accepts it.
        page = page_for(OFFICER)
        code = _interview(ws)
        page.goto(f"/sources/{code}/review")
        page.wait_for_selector("article.proposal.current")
        page.screenshot(path=str(SCREENSHOTS / "review.png"))
        first = page.get_attribute("article.proposal.current", "data-number")
        assert page.locator(f'mark.current[data-proposals~="{first}"]').count() >= 1
        page.keyboard.press("j")
        second = page.get_attribute("article.proposal.current", "data-number")
        assert second != first
        with page.expect_navigation():
            page.keyboard.press("a")
        assert "Accepted: recorded as" in page.inner_text("#review-notice")
        assert page.locator(f'#p-{second}.status-accepted').count() == 1

        # Linkage: queue, one pair with its waterfall, a decision that opens the next pair.
        page = page_for(ANALYST)
        page.goto("/linkage")
        page.screenshot(path=str(SCREENSHOTS / "linkage.png"))
        page.click("table.queue a.button >> nth=0")
        page.wait_for_selector("svg.waterfall rect")
        page.screenshot(path=str(SCREENSHOTS / "link-pair.png"), full_page=True)
        with page.expect_navigation():
            page.click("#decide-form button[value=reject]")
        assert "recorded (rejected)" in page.inner_text("#pair-notice")

        # Estimates: both charts drawn on the canvas, under the CSP.
        page.goto("/estimates?stratify=crossing_period")
        page.wait_for_selector("#strata-chart.drawn canvas", timeout=90_000)
        page.wait_for_selector(".estimate-chart[data-chart=methods].drawn canvas", timeout=90_000)
        page.screenshot(path=str(SCREENSHOTS / "estimates.png"), full_page=True)
        browser.close()
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p or "rror" in p
                and "404" not in p], "\n".join(problems)


# ---- background jobs ----------------------------------------------------------------------------------------


def test_one_job_of_a_kind_at_a_time_and_failures_say_no_more_than_their_type(site):
    import threading

    from redzone.errors import ValidationError
    from redzone.web.jobs import Jobs

    jobs, release = Jobs(site.store), threading.Event()  # kinds of their own: the site is shared
    first = jobs.start("test-linkage", "someone", lambda: release.wait(10) and {"run": "LNK-TEST"})
    with pytest.raises(ValidationError, match="already running"):
        jobs.start("test-linkage", "someone-else", lambda: None)
    other = jobs.start("test-estimates", "someone-else", lambda: 42)  # another kind may run meanwhile
    assert other.wait(10) and other.result == 42
    release.set()
    assert first.wait(10) and first.status == "done" and first.result == {"run": "LNK-TEST"}

    for kind in (RuntimeError, ValueError):
        def leaky(kind=kind) -> None:  # noqa: ANN001
            raise kind("invalid literal: 'Kim Sun-hui'")  # a message that could hold sealed data

        failed = jobs.start("test-linkage", "someone", leaky)
        assert failed.wait(10) and failed.status == "failed"
        assert "Kim" not in json.dumps(failed.to_dict()) and kind.__name__ in failed.error

    def unsupported() -> None:
        from redzone.estimate import EstimationError

        raise EstimationError("the lists have nobody in common")

    domain = jobs.start("test-estimates", "someone", unsupported)  # a domain error keeps its one-line message
    assert domain.wait(10) and domain.status == "failed" and domain.error == "the lists have nobody in common"
