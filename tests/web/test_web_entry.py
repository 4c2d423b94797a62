"""Recording through the pages and the API: a testimony's journey steps (and steps added later) on
the person's timeline, claims recorded on the ledger and traced to their quoted passage, the review
button on a source, every problem named by its field."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from support import BACKENDS, discard
from web_helpers import build_site, client_for, csrf_of, sign_in

from redzone.accounts import create_token
from redzone.records.models import AuditEntry, Claim, Event, Participation, Person, Source


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    ws = build_site(tmp_path_factory.mktemp("entry") / "ws", request.param, acts=60)
    yield ws
    discard(ws)


def _rows(*steps: tuple[str, str, str, str]) -> dict[str, list[str]]:
    """Form fields of journey rows: (kind, place name, precision, date) each; two blank rows after.
    A precision left empty is read from the date as written."""
    rows = [*steps, ("", "", "", ""), ("", "", "", "")]
    return {"step_kind": [r[0] for r in rows], "step_place_name": [r[1] for r in rows],
            "step_place_id": ["" for _ in rows], "step_date_precision": [r[2] for r in rows],
            "step_date_start": [r[3] for r in rows], "step_date_end": ["" for _ in rows]}


def _journey(site, person_code: str) -> list[tuple[int, str, str | None]]:  # noqa: ANN001
    with site.store.session() as session:
        return [(s, k, p) for s, k, p in session.execute(
            sa.select(Participation.sequence, Event.kind, Event.place_id).join(Event, Event.id == Participation.event_id)
            .join(Person, Person.id == Participation.person_id).where(Person.code == person_code)
            .order_by(Participation.sequence))]


def test_testimony_journey_steps_appear_on_the_person_timeline(site):
    client = sign_in(client_for(site), "interviewer")
    form = {"csrf_token": csrf_of(client, "/testimony/new"), "text": "Synthetic testimony of a journey.",
            "violation": "trafficking.sale", "roles": ["broker"], "event_kind": "sale", "place_name": "연길",
            "date_precision": "year", "date_start": "2016",
            **_rows(("crossing", "Musan", "month", "2015-11"), ("repatriation", "", "", "2018-04"),
                    ("detention", "온성", "", ""))}
    response = client.post("/testimony", data=form)
    assert response.status_code == 303, response.text[:500]
    assert "steps=4" in response.headers["location"]
    source_page = client.get(response.headers["location"]).text
    person = re.search(r'href="/persons/([^"#]+)#journey" id="journey-link"', source_page).group(1)
    assert [(s, k) for s, k, _ in _journey(site, person)] == [
        (1, "crossing"), (2, "sale"), (3, "repatriation"), (4, "detention")]
    timeline = client.get(f"/persons/{person}").text
    journey = timeline[timeline.index('id="journey"'):timeline.index("</ol>")]
    assert [journey.index(w) for w in ("Border crossing", "Sale", "Repatriation", "Detention")] == sorted(
        journey.index(w) for w in ("Border crossing", "Sale", "Repatriation", "Detention"))
    assert "Musan" in journey and "2015-11" in journey and "2018-04" in journey and "2018-04-01" not in journey
    assert "Sale or purchase of a person" in journey  # the act sits under its event


def test_a_step_added_on_the_person_page_takes_its_place(site):
    client = sign_in(client_for(site), "documentation_officer")
    with site.store.session() as session:
        person = session.scalars(sa.select(Person.code).join(Participation, Participation.person_id == Person.id)
                                 .order_by(Person.id)).first()
    before = _journey(site, person)
    response = client.post(f"/persons/{person}/journey", data={
        "csrf_token": csrf_of(client, f"/persons/{person}"), **_rows(("interrogation", "Onsong", "", "1990"))})
    assert response.status_code == 303, response.text[:500]
    code = re.search(r"step=([^#&]+)", response.headers["location"]).group(1)
    after = _journey(site, person)
    assert len(after) == len(before) + 1 and after[0][1] == "interrogation"  # 1990 precedes the demo's journeys
    page = client.get(response.headers["location"]).text
    assert f'class="new-step" data-event="{code}"' in page and "step-notice" in page
    with site.store.session() as session:
        entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "journey.add")
                                .order_by(AuditEntry.id.desc())).first()
    assert entry.actor == "demo-documentation-officer" and entry.record_id == person and entry.detail["event"] == code


def test_journey_form_problems_name_the_step_and_field(site):
    client = sign_in(client_for(site), "interviewer")
    with site.store.session() as session:
        person = session.scalars(sa.select(Person.code).order_by(Person.id)).first()
    before = _journey(site, person)
    token = csrf_of(client, f"/persons/{person}")
    cases = [(_rows(("crossing", "Atlantis", "", "")), "journey[0].place"),
             (_rows(("", "Musan", "", "")), "journey[0].kind"),
             (_rows(("crossing", "", "", "2016"), ("arrest", "", "", "20-20")), "journey[1].date_start"),
             (_rows(("crossing", "", "day", "")), "journey[0].date_start"),
             (_rows(("detention", "", "range", "2016")), "journey[0].date_end"),
             (_rows(), "journey[0].kind")]
    for rows, field in cases:
        response = client.post(f"/persons/{person}/journey", data={"csrf_token": token, **rows})
        assert response.status_code == 422 and field in response.text, (field, response.text[:300])
    assert _journey(site, person) == before
    assert client.post(f"/persons/{person}/journey", data=_rows(("crossing", "", "", ""))).status_code == 403


def test_journey_through_the_api(site):
    with site.store.session() as session:
        token, _ = create_token(session, site.keys, "demo-interviewer", "test", 1)
        analyst, _ = create_token(session, site.keys, "demo-data-analyst", "test", 1)
        person = session.scalars(sa.select(Person.code).order_by(Person.id.desc())).first()
    client = client_for(site)
    auth = {"Authorization": f"Bearer {token}"}
    made = client.post(f"/api/v1/persons/{person}/journey", headers=auth, json={"steps": [
        {"kind": "onward_flight", "place_id": "cn.liaoning.dandong"},  # undated: at the end
        {"kind": "crossing", "date_start": "1980-06-01", "date_precision": "month"}]})
    assert made.status_code == 201, made.text
    steps = made.json()
    assert steps[0]["kind"] == "crossing" and steps[0]["date"] == "1980-06" and steps[-1]["kind"] == "onward_flight"
    assert [s["sequence"] for s in steps] == list(range(1, len(steps) + 1))
    bad = client.post(f"/api/v1/persons/{person}/journey", headers=auth,
                      json={"steps": [{"kind": "crossing"}, {"kind": "sale", "place_id": "nowhere"}]})
    assert bad.status_code == 422 and [p["field"] for p in bad.json()["problems"]] == ["steps[1].place_id"]
    seen = client.get(f"/api/v1/persons/{person}/journey", headers={"Authorization": f"Bearer {analyst}"})
    assert seen.status_code == 200 and seen.json() == steps
    refused = client.post(f"/api/v1/persons/{person}/journey", headers={"Authorization": f"Bearer {analyst}"},
                          json={"steps": [{"kind": "crossing"}]})
    assert refused.status_code == 403


def _text_source(site) -> tuple[str, str]:  # noqa: ANN001
    with site.store.session() as session:
        source = session.scalars(sa.select(Source).where(Source.text_sealed.is_not(None)).order_by(Source.id)).first()
        return source.code, site.keys.fields.unseal_text(source.text_sealed, f"source/{source.code}/text")


def test_a_claim_recorded_on_the_ledger_is_traced_to_its_quoted_passage(site):
    client = sign_in(client_for(site), "documentation_officer")
    code, text = _text_source(site)
    quote = text[10:60].strip()
    ledger = client.get("/claims", params={"source": code}).text
    assert 'id="claim-form"' in ledger and f'value="{code}"' in ledger
    response = client.post("/claims", data={
        "csrf_token": csrf_of(client, "/claims"), "source": code, "measure": "synthetic women at risk",
        "qualifier": "up_to", "value": "500,000", "unit": "persons", "scope": "north-east China", "year": "2023",
        "quote": quote})
    assert response.status_code == 303, response.text[:500]
    claim = re.search(r"recorded=([^#&]+)", response.headers["location"]).group(1)
    page = client.get(response.headers["location"]).text
    row = page[page.index(f'id="claim-{claim}"'):]
    row = row[:row.index("</tr>")]
    assert "500,000" in row and f'href="/sources/{code}#claim-{claim}"' in row and "claim-notice" in page
    source_page = client.get(f"/sources/{code}").text
    assert f'id="claim-{claim}"' in source_page and quote.replace("'", "&#39;").replace('"', "&#34;") in source_page
    with site.store.session() as session:
        stored = session.scalar(sa.select(Claim).where(Claim.code == claim))
        assert text[stored.span_start:stored.span_end] == quote and stored.value == 500000
        assert session.scalar(sa.select(AuditEntry.actor).where(AuditEntry.record_id == claim)) \
            == "demo-documentation-officer"


def test_claim_form_problems_name_the_field(site):
    client = sign_in(client_for(site), "interviewer")
    code, _ = _text_source(site)
    token = csrf_of(client, "/claims")
    base = {"csrf_token": token, "source": code, "measure": "m", "value": "10", "unit": "persons"}
    with site.store.session() as session:
        before = session.scalar(sa.select(sa.func.count()).select_from(Claim))
    for change, field in (({"source": "SRC-NOPE"}, "source"), ({"value": "many"}, "value"), ({"value": ""}, "value"),
                          ({"year": "99999"}, "year"), ({"quote": "words nowhere in it (synthetic)"}, "quote"),
                          ({"qualifier": "between"}, "value_max"), ({"measure": "  "}, "measure")):
        response = client.post("/claims", data={**base, **change})
        assert response.status_code == 422 and field in response.text, (change, response.text[:300])
    with site.store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Claim)) == before
    analyst = sign_in(client_for(site), "legal_analyst")
    assert 'id="claim-form"' not in analyst.get("/claims").text
    assert analyst.post("/claims", data={**base, "csrf_token": csrf_of(analyst, "/claims")}).status_code == 403


def test_claims_through_the_api(site):
    with site.store.session() as session:
        token, _ = create_token(session, site.keys, "demo-documentation-officer", "test", 1)
    client = client_for(site)
    auth = {"Authorization": f"Bearer {token}"}
    code, text = _text_source(site)
    made = client.post("/api/v1/claims", headers=auth, json={
        "source": code, "measure": "synthetic price of a bride", "value": 1000, "unit": "CNY", "qualifier": "about",
        "span_start": 0, "span_end": 12})
    assert made.status_code == 201, made.text
    assert made.json()["span_end"] == 12 and made.json()["source"] == code
    listed = client.get("/api/v1/claims", headers=auth, params={"measure": "synthetic price of a bride"}).json()
    assert [c["code"] for c in listed["items"]] == [made.json()["code"]]
    bad = client.post("/api/v1/claims", headers=auth, json={"source": code, "measure": "x", "value": 1,
                                                            "qualifier": "roughly", "span_start": 3, "span_end": 2})
    assert bad.status_code == 422 and {p["field"] for p in bad.json()["problems"]} == {"qualifier", "span"}
    missing = client.post("/api/v1/claims", headers=auth, json={"source": "SRC-NOPE", "measure": "x", "value": 1})
    assert missing.status_code == 422 and missing.json()["problems"][0]["field"] == "source"


@pytest.mark.parametrize("role", ["interviewer", "documentation_officer", "legal_analyst", "data_analyst"])
def test_review_button_only_for_reviewers_and_sources_with_text(site, role):
    client = sign_in(client_for(site), role)
    code, _ = _text_source(site)
    with site.store.session() as session:
        bare = session.scalars(sa.select(Source.code).where(Source.text_sealed.is_(None))).first()
    page = client.get(f"/sources/{code}").text
    may_review = role in ("interviewer", "documentation_officer")
    assert (f'href="/sources/{code}/review" id="review-facts"' in page) == may_review
    if bare:
        assert 'id="review-facts"' not in client.get(f"/sources/{bare}").text
    if may_review:
        assert client.get(f"/sources/{code}/review").status_code == 200


def test_an_act_coded_with_an_event_joins_the_victims_journey(site):
    client = sign_in(client_for(site), "interviewer")
    response = client.post("/testimony", data={"csrf_token": csrf_of(client, "/testimony/new"),
                                               "text": "Synthetic: sold in Yanji, later held in Tumen.", **_rows()})
    code = re.search(r"/sources/([^?]+)", response.headers["location"]).group(1)
    with site.store.session() as session:
        person = session.scalar(sa.select(Person.code).join(Source, Source.interviewee_id == Person.id)
                                .where(Source.code == code))
    assert _journey(site, person) == []  # no act, no steps: nothing on the timeline yet
    coded = client.post(f"/sources/{code}/acts", data={
        "csrf_token": csrf_of(client, f"/sources/{code}"), "violation": "detention.arbitrary",
        "event_kind": "detention", "place_name": "Tumen", "date_precision": "year", "date_start": "2017"})
    assert coded.status_code == 303, coded.text[:300]
    assert [k for _, k, _ in _journey(site, person)] == ["detention"]
    with site.store.session() as session:
        token, _ = create_token(session, site.keys, "demo-interviewer", "test", 1)
    made = client_for(site).post("/api/v1/acts", headers={"Authorization": f"Bearer {token}"}, json={
        "violation": "trafficking.sale", "source": code, "victim": person,
        "event": {"kind": "sale", "place_id": "cn.jilin.yanbian.yanji", "date_start": "2016-03-01",
                  "date_precision": "month"}})
    assert made.status_code == 201, made.text
    assert [k for _, k, _ in _journey(site, person)] == ["sale", "detention"]
