"""Recording through the pages and the API: a testimony's journey steps (and steps added later) on
the person's timeline, claims recorded on the ledger and traced to their quoted passage, the review
button on a source, every problem named by its field."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from markupsafe import escape
from support import BACKENDS, discard
from web_helpers import build_site, client_for, csrf_of, sign_in

from redzone.accounts import create_token
from redzone.records.entry import journey_of, step_sources
from redzone.records.models import Act, AuditEntry, Claim, Event, EventAttestation, Participation, Person, Source


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
    assert re.findall(r"<strong>([^<]+)</strong>", journey) == ["Border crossing", "Sale", "Repatriation", "Detention"]
    assert "Musan" in journey and "2015-11" in journey and "2018-04" in journey and "2018-04-01" not in journey
    assert "Sale or purchase of a person" in journey  # the act sits under its event
    # Every step names the testimony it was recorded from (the sale's through its act's attestation).
    source = re.search(r"/sources/([^?]+)\?recorded", response.headers["location"]).group(1)
    told = re.findall(r'class="small step-sources" id="sources-[^"]+">(.*?)</div>', journey, re.S)
    assert len(told) == 4 and all(f'<a class="mono" href="/sources/{source}">{source}</a>' in t for t in told)
    with site.store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(EventAttestation).join(
            Source, Source.id == EventAttestation.source_id).where(Source.code == source)) == 3


def test_every_step_of_a_demo_journey_names_its_source(site):
    with site.store.session() as session:
        people = session.scalars(sa.select(Person).where(Person.id.in_(sa.select(Participation.person_id)))
                                 .order_by(Person.id).limit(5)).all()
        for person in people:
            steps = journey_of(session, person)
            found = step_sources(session, [step.event_id for step in steps])
            assert steps and all(found.get(step.event_id) for step in steps), person.code
        codes = [person.code for person in people]
    client = sign_in(client_for(site), "data_analyst")
    for code in codes:
        page = client.get(f"/persons/{code}").text
        assert "No source recorded" not in page and 'class="small step-sources"' in page


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


def _row_problems(page: str) -> list[str]:
    """`journey[i].field` of every problem shown beside a field of an add-a-step row (the correction
    forms of recorded steps are rows too, named e1, e2…; only numbered rows are the new steps)."""
    found = []
    for index, row in re.findall(r'id="journey-row-(\d+)"(.*?)(?=id="journey-row-|</form>|</fieldset>)', page, re.S):
        found += [f"journey[{index}].{field}" for field in re.findall(r'class="alert small field-error"[^>]*data-field="(\w+)"', row)]
    return found


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
        assert response.status_code == 422, (field, response.text[:300])
        assert [field] == _row_problems(response.text), field
        typed = [value for value in rows["step_place_name"] + rows["step_date_start"] if value]
        assert all(f'value="{value}"' in response.text for value in typed), "the typed values were lost"
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


def test_a_step_told_at_a_span_shows_its_quote_only_to_roles_that_read_texts(site):
    with site.store.session() as session:
        token, _ = create_token(session, site.keys, "demo-interviewer", "test", 1)
        person = session.scalars(sa.select(Person.code).order_by(Person.id.desc()).offset(1)).first()
    source, text = _text_source(site)
    auth = {"Authorization": f"Bearer {token}"}
    client = client_for(site)
    made = client.post(f"/api/v1/persons/{person}/journey", headers=auth, json={"source": source, "steps": [
        {"kind": "escape", "date_start": "1981-01-01", "date_precision": "year", "span_start": 20, "span_end": 60}]})
    assert made.status_code == 201, made.text
    step = next(s for s in made.json() if s["kind"] == "escape" and s["date"] == "1981")
    assert step["sources"] == [{"source": source, "span_start": 20, "span_end": 60, "act": None}]
    for body, field in (({"steps": [{"kind": "escape", "span_start": 1, "span_end": 5}]}, "steps[0].span"),
                        ({"source": "SRC-NONE00", "steps": [{"kind": "escape"}]}, "source"),
                        ({"source": source, "steps": [{"kind": "escape", "span_start": 5}]}, "steps[0].span")):
        bad = client.post(f"/api/v1/persons/{person}/journey", headers=auth, json=body)
        assert bad.status_code == 422 and [p["field"] for p in bad.json()["problems"]] == [field], bad.text
    quote = str(escape(text[20:60]))
    officer = sign_in(client_for(site), "documentation_officer").get(f"/persons/{person}").text
    shown = re.search(rf'id="sources-{step["event"]}">(.*?)</div>', officer, re.S).group(1)
    assert f'href="/sources/{source}#source-text">“{quote}”</a>' in shown
    analyst = sign_in(client_for(site), "data_analyst").get(f"/persons/{person}").text
    shown = re.search(rf'id="sources-{step["event"]}">(.*?)</div>', analyst, re.S).group(1)
    assert f'href="/sources/{source}">{source}</a>' in shown and "characters 20–60" in shown
    assert quote not in analyst


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
        assert response.status_code == 422 and f'data-field="{field}"' in response.text, (change, response.text[:300])
        assert 'value="m"' in response.text or change.get("measure"), "the typed measure was lost"
        typed = [value.strip() for value in change.values() if value.strip()]
        assert all(value.replace('"', "&#34;") in response.text for value in typed), (change, "typed value lost")
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


def _audit(site, action: str, record_id: str) -> AuditEntry:  # noqa: ANN001
    with site.store.session() as session:
        return session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action, AuditEntry.record_id == record_id)
                               .order_by(AuditEntry.id.desc())).first()


def _fresh_person(client, site) -> str:  # noqa: ANN001
    """A victim recorded through the testimony form with three dated steps and no act."""
    response = client.post("/testimony", data={"csrf_token": csrf_of(client, "/testimony/new"),
                                               "text": "Synthetic testimony to correct.",
                                               **_rows(("crossing", "Musan", "", "2015"), ("sale", "Yanji", "", "2016"),
                                                       ("arrest", "", "", "2018"))})
    code = re.search(r"/sources/([^?]+)", response.headers["location"]).group(1)
    with site.store.session() as session:
        return session.scalar(sa.select(Person.code).join(Source, Source.interviewee_id == Person.id)
                              .where(Source.code == code))


def _event_codes(site, person: str) -> list[str]:  # noqa: ANN001
    with site.store.session() as session:
        return list(session.scalars(sa.select(Event.code).join(Participation, Participation.event_id == Event.id)
                                    .join(Person, Person.id == Participation.person_id).where(Person.code == person)
                                    .order_by(Participation.sequence)))


def test_a_journey_step_corrected_and_removed_on_the_person_page(site):
    client = sign_in(client_for(site), "interviewer")
    person = _fresh_person(client, site)
    crossing, sale, arrest = _event_codes(site, person)
    token = csrf_of(client, f"/persons/{person}")
    page = client.get(f"/persons/{person}").text
    assert f'action="/persons/{person}/journey/{sale}/edit"' in page and 'value="2016"' in page
    moved = client.post(f"/persons/{person}/journey/{sale}/edit", data={
        "csrf_token": token, **_rows(("transfer", "Tumen", "", "2019-03"))})
    assert moved.status_code == 303, moved.text[:300]
    assert _journey(site, person) == [(1, "crossing", "kp.north_hamgyong.musan"), (2, "arrest", None),
                                      (3, "transfer", _journey(site, person)[2][2])]
    entry = _audit(site, "journey.edit", person)
    assert entry.actor == "demo-interviewer" and entry.detail["event"] == sale and entry.detail["sequence"] == 3
    assert entry.detail["before"]["kind"] == "sale" and entry.detail["before"]["date_start"] == "2016-01-01"
    assert entry.detail["after"]["kind"] == "transfer" and entry.detail["after"]["date_precision"] == "month"
    assert "corrected=" in moved.headers["location"] and "step-notice" in client.get(moved.headers["location"]).text
    refused = client.post(f"/persons/{person}/journey/{arrest}/edit", data={
        "csrf_token": token, **_rows(("detention", "Atlantis", "range", "2018"))})
    assert refused.status_code == 422
    form = refused.text[refused.text.index(f'id="edit-{arrest}"'):]
    form = form[:form.index("</form>")]
    assert 'data-field="place"' in form and 'value="Atlantis"' in form and 'value="detention" selected' in form
    assert _journey(site, person)[1] == (2, "arrest", None)  # nothing changed
    removed = client.post(f"/persons/{person}/journey/{crossing}/delete", data={"csrf_token": token})
    assert removed.status_code == 303
    assert [k for _, k, _ in _journey(site, person)] == ["arrest", "transfer"]
    with site.store.session() as session:
        assert session.scalar(sa.select(Event.id).where(Event.code == crossing)) is None  # nothing else refers to it
        testimony = session.scalar(sa.select(Source.code).join(Person, Person.id == Source.interviewee_id)
                                   .where(Person.code == person))
        attested = session.scalars(sa.select(Event.code).join(EventAttestation, EventAttestation.event_id == Event.id)
                                   .join(Source, Source.id == EventAttestation.source_id)
                                   .where(Source.code == testimony)).all()
    assert sorted(attested) == sorted([sale, arrest])  # the crossing's attestation went with its event
    assert _audit(site, "journey.remove", person).detail == {
        "event": crossing, "event_deleted": True, "before": {"kind": "crossing", "place_id": "kp.north_hamgyong.musan",
                                                            "date_precision": "year", "date_start": "2015-01-01",
                                                            "date_end": None}, "sources": [testimony]}
    analyst = sign_in(client_for(site), "data_analyst")
    assert f"/journey/{arrest}/edit" not in analyst.get(f"/persons/{person}").text
    assert analyst.post(f"/persons/{person}/journey/{arrest}/delete",
                        data={"csrf_token": csrf_of(analyst, f"/persons/{person}")}).status_code == 403


def test_removing_an_acts_step_keeps_the_act_and_its_event(site):
    with site.store.session() as session:
        act = session.scalars(sa.select(Act).join(Participation, (Participation.event_id == Act.event_id)
                                                  & (Participation.person_id == Act.victim_id)).order_by(Act.id)).first()
        person, event = session.get(Person, act.victim_id).code, act.event.code
    client = sign_in(client_for(site), "documentation_officer")
    assert client.post(f"/persons/{person}/journey/{event}/delete",
                       data={"csrf_token": csrf_of(client, f"/persons/{person}")}).status_code == 303
    assert event not in _event_codes(site, person)
    with site.store.session() as session:
        assert session.scalar(sa.select(Event.id).where(Event.code == event)) is not None
    assert _audit(site, "journey.remove", person).detail["event_deleted"] is False


def test_journey_corrections_through_the_api(site):
    with site.store.session() as session:
        token, _ = create_token(session, site.keys, "demo-interviewer", "test", 1)
        analyst, _ = create_token(session, site.keys, "demo-data-analyst", "test", 1)
    person = _fresh_person(sign_in(client_for(site), "interviewer"), site)
    crossing, sale, arrest = _event_codes(site, person)
    client, auth = client_for(site), {"Authorization": f"Bearer {token}"}
    put = client.put(f"/api/v1/persons/{person}/journey/{crossing}", headers=auth, json={
        "kind": "crossing", "place_id": "kp.north_hamgyong.musan", "date_start": "2020-05-01", "date_precision": "month"})
    assert put.status_code == 200, put.text
    assert [s["event"] for s in put.json()] == [sale, arrest, crossing] and put.json()[-1]["date"] == "2020-05"
    bad = client.put(f"/api/v1/persons/{person}/journey/{sale}", headers=auth,
                     json={"kind": "teleport", "date_precision": "day"})
    assert bad.status_code == 422 and {p["field"] for p in bad.json()["problems"]} == {"kind", "date_start"}
    assert client.put(f"/api/v1/persons/{person}/journey/EV-NOPE", headers=auth,
                      json={"kind": "sale"}).status_code == 404
    assert client.delete(f"/api/v1/persons/{person}/journey/{sale}",
                         headers={"Authorization": f"Bearer {analyst}"}).status_code == 403
    assert client.delete(f"/api/v1/persons/{person}/journey/{sale}", headers=auth).status_code == 204
    assert _event_codes(site, person) == [arrest, crossing]
    paths = client.get("/openapi.json").json()["paths"]
    assert {"put", "delete"} <= set(paths["/api/v1/persons/{code}/journey/{event}"])
    assert {"put", "delete"} <= set(paths["/api/v1/claims/{code}"])


def test_a_claim_corrected_and_deleted_from_the_ledger(site):
    client = sign_in(client_for(site), "documentation_officer")
    code, text = _text_source(site)
    quote = text[5:40].strip()
    made = client.post("/claims", data={"csrf_token": csrf_of(client, "/claims"), "source": code, "quote": quote,
                                        "measure": "synthetic brides sold", "value": "1,000", "unit": "persons"})
    claim = re.search(r"recorded=([^#&]+)", made.headers["location"]).group(1)
    assert f'href="/claims/{claim}/edit"' in client.get(made.headers["location"]).text
    form = client.get(f"/claims/{claim}/edit").text
    assert 'value="synthetic brides sold"' in form and 'value="1,000"' in form
    token = csrf_of(client, f"/claims/{claim}/edit")
    fields = {"csrf_token": token, "measure": "synthetic brides sold", "qualifier": "about", "value": "1,200",
              "unit": "persons", "scope": "Jilin", "year": "2019", "quote": ""}
    refused = client.post(f"/claims/{claim}/edit", data={**fields, "value": "lots", "year": "1800"})
    assert refused.status_code == 422
    assert 'data-field="value"' in refused.text and 'value="lots"' in refused.text and 'value="Jilin"' in refused.text
    assert 'data-field="year"' in refused.text and 'value="1800"' in refused.text
    saved = client.post(f"/claims/{claim}/edit", data=fields)
    assert saved.status_code == 303 and f"corrected={claim}" in saved.headers["location"]
    with site.store.session() as session:
        stored = session.scalar(sa.select(Claim).where(Claim.code == claim))
        assert (stored.value, stored.qualifier, stored.year) == (1200, "about", 2019)
        assert text[stored.span_start:stored.span_end] == quote  # the quoted passage was kept
    entry = _audit(site, "claim.edit", claim)
    assert entry.detail["before"]["value"] == 1000 and entry.detail["after"]["value"] == 1200
    legal = sign_in(client_for(site), "legal_analyst")
    assert legal.get(f"/claims/{claim}/edit").status_code == 403
    assert legal.post(f"/claims/{claim}/delete", data={"csrf_token": csrf_of(legal, "/claims")}).status_code == 403
    deleted = client.post(f"/claims/{claim}/delete", data={"csrf_token": token})
    assert deleted.status_code == 303
    with site.store.session() as session:
        assert session.scalar(sa.select(Claim.id).where(Claim.code == claim)) is None
    assert _audit(site, "claim.delete", claim).detail["before"]["measure"] == "synthetic brides sold"


def test_claim_corrections_through_the_api(site):
    with site.store.session() as session:
        token, _ = create_token(session, site.keys, "demo-documentation-officer", "test", 1)
    client, auth = client_for(site), {"Authorization": f"Bearer {token}"}
    code, _ = _text_source(site)
    made = client.post("/api/v1/claims", headers=auth, json={"source": code, "measure": "synthetic api figure",
                                                              "value": 10, "span_start": 0, "span_end": 5}).json()
    put = client.put(f"/api/v1/claims/{made['code']}", headers=auth,
                     json={"measure": "synthetic api figure", "value": 20, "qualifier": "at_least"})
    assert put.status_code == 200, put.text
    assert (put.json()["value"], put.json()["span_end"]) == (20, 5)
    bad = client.put(f"/api/v1/claims/{made['code']}", headers=auth, json={"measure": "", "value": 5, "unit": " "})
    assert bad.status_code == 422 and {p["field"] for p in bad.json()["problems"]} == {"measure", "unit"}
    assert client.delete(f"/api/v1/claims/{made['code']}", headers=auth).status_code == 204
    assert client.delete(f"/api/v1/claims/{made['code']}", headers=auth).status_code == 404


def test_a_rejected_testimony_keeps_every_value_and_writes_nothing(site):
    client = sign_in(client_for(site), "interviewer")
    with site.store.session() as session:
        sources = session.scalar(sa.select(sa.func.count()).select_from(Source))
    form = {"csrf_token": csrf_of(client, "/testimony/new"), "text": "Synthetic: what she said <b>here</b>.",
            "title": "Synthetic interview, Seoul", "source_date": "2024-13-40", "birth_year_min": "1994",
            "legal_name": "Synthetic Name", "sex": "female", "consent": ["legal_proceedings"],
            "violation": "trafficking.sale", "roles": ["broker", "buyer"], "event_kind": "sale",
            "place_name": "Yanji", "date_start": "2016", "date_precision": "year", "price_amount": "ten",
            "price_currency": "CNY", **_rows(("crossing", "Musan", "", "2015"), ("arrest", "Atlantis", "", "2018"))}
    response = client.post("/testimony", data=form)
    assert response.status_code == 422, response.text[:300]
    page = response.text
    for field in ("source_date", "price_amount"):
        assert f'data-field="{field}"' in page, field
    assert _row_problems(page) == ["journey[1].place"]
    for kept in ('value="Synthetic interview, Seoul"', "Synthetic: what she said &lt;b&gt;here&lt;/b&gt;.",
                 'value="2024-13-40"', 'value="1994"', 'value="Synthetic Name"', 'value="ten"', 'value="Musan"',
                 'value="Atlantis"', 'value="legal_proceedings" checked', 'value="broker" checked',
                 'value="buyer" checked', 'value="trafficking.sale" selected', 'value="CNY" selected'):
        assert kept in page, kept
    assert 'value="internal_analysis" checked' not in page  # the default box the user unticked stays unticked
    with site.store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Source)) == sources
    service = client.post("/testimony", data={**form, "source_date": "", "price_amount": "10",
                                              **_rows(("crossing", "Musan", "", "2015")), "price_currency": ""})
    assert service.status_code == 422 and 'data-field="price_currency"' in service.text  # found by the service
    with site.store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Source)) == sources  # rolled back


def test_accepting_a_proposed_place_on_the_review_page_adds_it_to_the_interviewees_journey(site):
    client = sign_in(client_for(site), "interviewer")
    response = client.post("/testimony", data={
        "csrf_token": csrf_of(client, "/testimony/new"), **_rows(),
        "text": "SYNTHETIC. In 2017 I was sold to a farmer in Helong.\n\nThe police arrested me in 2020 in Tumen."})
    code = re.search(r"/sources/([^?]+)", response.headers["location"]).group(1)
    with site.store.session() as session:
        person = session.scalar(sa.select(Person.code).join(Source, Source.interviewee_id == Person.id)
                                .where(Source.code == code))
    page = client.get(f"/sources/{code}/review").text
    forms = re.findall(r'<form method="post" action="/sources/[^"]+/review/accept" class="inline">(.*?)</form>', page, re.S)
    dated = [f for f in forms if 'value="place:' in f]
    assert dated and all(f'name="journey" value="{person}"' in f and " checked" in f for f in dated)
    proposals = [re.search(r'name="proposal" value="([^"]+)"', f).group(1) for f in dated]
    token = csrf_of(client, f"/sources/{code}/review")
    kept_off = client.post(f"/sources/{code}/review/accept", data={"csrf_token": token, "proposal": proposals[0],
                                                                   "journey_offered": "1"})
    assert kept_off.status_code == 303 and _journey(site, person) == []
    ticked = client.post(f"/sources/{code}/review/accept", data={"csrf_token": token, "proposal": proposals[-1],
                                                                 "journey_offered": "1", "journey": person})
    assert ticked.status_code == 303, ticked.text[:300]
    assert _journey(site, person) == [(1, "other", "cn.jilin.yanbian.tumen")]
    timeline = client.get(f"/persons/{person}").text
    assert "Tumen" in timeline[timeline.index('id="journey"'):timeline.index("</ol>")]


def test_the_api_refuses_spans_past_the_end_of_the_text(site):
    """The spans the review found accepted (201) are refused, each naming its field and the length."""
    with site.store.session() as session:
        token, _ = create_token(session, site.keys, "demo-interviewer", "test", 1)
        person = session.scalars(sa.select(Person.code).order_by(Person.id.desc()).offset(2)).first()
        acts, claims = (session.scalar(sa.select(sa.func.count()).select_from(t)) for t in (Act, Claim))
    code, text = _text_source(site)
    client, auth = client_for(site), {"Authorization": f"Bearer {token}"}
    for path, body, field in (
            ("/api/v1/acts", {"violation": "trafficking.sale", "source": code, "span_start": 5, "span_end": 999999},
             "attestations[0].span"),
            ("/api/v1/claims", {"source": code, "measure": "x", "value": 1, "span_start": 900000,
                                "span_end": 900010}, "span"),
            (f"/api/v1/persons/{person}/journey", {"source": code, "steps": [
                {"kind": "escape", "span_start": 0, "span_end": len(text) + 1}]}, "steps[0].span")):
        refused = client.post(path, headers=auth, json=body)
        assert refused.status_code == 422, refused.text
        assert [(p["field"], f"({len(text)} characters)" in p["problem"]) for p in refused.json()["problems"]] == [
            (field, True)], refused.text
    with site.store.session() as session:
        assert (acts, claims) == tuple(session.scalar(sa.select(sa.func.count()).select_from(t)) for t in (Act, Claim))
