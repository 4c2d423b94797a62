"""An interviewer reads the texts of their own cases only (brief §2: "their own cases"), on every
surface that shows or searches a testimony: the source page, the API, act coding from a span, the
extraction review, the person page's quoted spans, quoting a claim, search and the identity export.
Each explicit refusal is audited `source.view_text.denied`. Run on SQLCipher and PostgreSQL against
the demo site, where one source (and its interviewee) is relabelled as another interviewer's."""

from __future__ import annotations

import json

import pyrage
import pytest
import sqlalchemy as sa
from markupsafe import escape
from support import BACKENDS, discard
from web_helpers import build_site, client_for, csrf_of, sign_in, username

from redzone.accounts import create_token
from redzone.exchange.exporter import export_records
from redzone.records.entry import source_text_context
from redzone.records.models import Act, Attestation, AuditEntry, Participation, Person, Source
from redzone.records.users import actor_for


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    """The demo site; `site.cases` names the interviewer's own source and another interviewer's, each
    with a quoted span attesting an act in a step of a person's journey, """
    ws = build_site(tmp_path_factory.mktemp("site") / "ws", request.param)
    with ws.store.session() as session:
        spanned = (sa.select(Attestation.source_id).join(Act, Act.id == Attestation.act_id)
                   .join(Participation, Participation.event_id == Act.event_id)
                   .where(Attestation.span_start.is_not(None)))
        spanned = sa.select(Source).where(Source.id.in_(spanned), Source.interviewee_id.is_not(None)).order_by(Source.id)
        own, other = session.scalars(spanned).all()[:2]
        other.created_by = "another-interviewer"
        interviewee = session.get(Person, other.interviewee_id)
        interviewee.created_by = "another-interviewer"
        assert own.interviewee_id != other.interviewee_id
        token, _ = create_token(session, ws.keys, username("interviewer"), "text scope test", 1)
        ws.cases = {"own": _case(session, ws, own), "other": _case(session, ws, other), "token": token}
    yield ws
    discard(ws)


def _case(session, ws, source: Source) -> dict:  # noqa: ANN001
    text = ws.keys.fields.unseal_text(source.text_sealed, source_text_context(source.code))
    step = session.execute(sa.select(Attestation.span_start, Attestation.span_end, Participation.person_id)
                           .join(Act, Act.id == Attestation.act_id)
                           .join(Participation, Participation.event_id == Act.event_id)
                           .where(Attestation.source_id == source.id, Attestation.span_start.is_not(None))
                           .order_by(Attestation.id)).first()
    return {"code": source.code, "text": text, "quote": text[step.span_start:step.span_end][:60],
            "person": session.get(Person, step.person_id).code}


def _denials(ws, code: str) -> int:  # noqa: ANN001
    with ws.store.session() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "source.view_text.denied", AuditEntry.record_id == code))


@pytest.fixture(scope="module")
def interviewer(site):
    client = sign_in(client_for(site), "interviewer")
    client.csrf = csrf_of(client, "/account")
    return client


def test_the_source_page_shows_own_texts_and_withholds_others_audited(site, interviewer):
    own, other = site.cases["own"], site.cases["other"]
    page = interviewer.get(f"/sources/{own['code']}")
    assert page.status_code == 200 and str(escape(own["quote"])) in page.text and 'id="text-refused"' not in page.text
    before = _denials(site, other["code"])
    page = interviewer.get(f"/sources/{other['code']}")
    assert page.status_code == 200 and other["code"] in page.text  # the source itself stays visible
    assert str(escape(other["quote"])) not in page.text and 'id="text-refused"' in page.text
    assert "review-facts" not in page.text
    assert _denials(site, other["code"]) == before + 1
    officer = sign_in(client_for(site), "documentation_officer")
    assert str(escape(other["quote"])) in officer.get(f"/sources/{other['code']}").text  # others keep theirs


def test_the_api_gives_own_texts_and_refuses_others_audited(site):
    client = client_for(site)
    headers = {"Authorization": f"Bearer {site.cases['token']}"}
    own, other = site.cases["own"], site.cases["other"]
    answer = client.get(f"/api/v1/sources/{own['code']}/text", headers=headers)
    assert answer.status_code == 200 and answer.json()["text"] == own["text"]
    before = _denials(site, other["code"])
    refused = client.get(f"/api/v1/sources/{other['code']}/text", headers=headers)
    assert refused.status_code == 403 and other["quote"] not in refused.text
    assert _denials(site, other["code"]) == before + 1
    claim = client.post("/api/v1/claims", headers=headers, json={
        "source": other["code"], "measure": "victims", "value": 1, "unit": "persons", "quote": other["quote"]})
    assert claim.status_code == 403  # quoting would tell whether the words are in the text


def test_review_and_act_coding_need_the_text_of_an_own_case(site, interviewer):
    own, other = site.cases["own"], site.cases["other"]
    assert interviewer.get(f"/sources/{own['code']}/review").status_code == 200
    before = _denials(site, other["code"])
    assert interviewer.get(f"/sources/{other['code']}/review").status_code == 403
    assert interviewer.post(f"/sources/{other['code']}/review/reject", headers={"X-CSRF-Token": interviewer.csrf},
                            data={"proposal": "1", "reason": "other"}).status_code == 403
    listed = interviewer.get("/review").text
    assert own["code"] in listed and other["code"] not in listed
    with site.store.session() as session:
        acts = session.scalar(sa.select(sa.func.count()).select_from(Attestation))
    coded = interviewer.post(f"/sources/{other['code']}/acts", headers={"X-CSRF-Token": interviewer.csrf},
                             data={"violation": "trafficking.sale", "span_start": "0", "span_end": "5"})
    assert coded.status_code == 403
    with site.store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Attestation)) == acts
    assert _denials(site, other["code"]) == before + 3


def test_the_person_page_quotes_only_own_texts(site, interviewer):
    own, other = site.cases["own"], site.cases["other"]
    assert str(escape(own["quote"][:40])) in interviewer.get(f"/persons/{own['person']}").text
    page = interviewer.get(f"/persons/{other['person']}")
    assert page.status_code == 200 and other["code"] in page.text and str(escape(other["quote"][:40])) not in page.text


def test_search_finds_words_only_in_own_texts(site, interviewer):
    """The same rare word in the interviewer's testimony and in one the documentation officer
    recorded: the interviewer finds (and counts) only their own; the officer both."""
    from redzone.records.entry import Context, add_source

    codes = {}
    for role in ("interviewer", "documentation_officer"):
        with site.store.session() as session:
            ctx = Context(session, site.keys, actor_for(session, username(role)))
            codes[role] = add_source(ctx, kind="written_statement", title="Statement (synthetic)",
                                     text=f"[SYNTHETIC] She named the farm Quorvath to the {role}.").code

    def found(client, **params):  # noqa: ANN001, ANN003
        return [hit["code"] for hit in client.get("/api/v1/search", params={"q": "Quorvath", **params}).json()["items"]]

    assert found(interviewer) == [codes["interviewer"]]
    assert found(interviewer, limit=1, offset=1) == []
    officer = sign_in(client_for(site), "documentation_officer")
    assert sorted(found(officer)) == sorted(codes.values())
    page = interviewer.get("/search", params={"q": "Quorvath"}).text
    assert codes["interviewer"] in page and codes["documentation_officer"] not in page


def test_an_interviewers_identity_export_carries_only_own_texts(site, tmp_path):
    """The other interviewer's text stays out even with its interviewee unnamed (no identity to check)."""
    other = site.cases["other"]
    with site.store.session() as session:
        source = session.scalar(sa.select(Source).where(Source.code == other["code"]))
        interviewee, source.interviewee_id = source.interviewee_id, None
    try:
        secret = pyrage.x25519.Identity.generate()
        with site.store.session() as session:
            actor = actor_for(session, username("interviewer"))
        out = tmp_path / "mine.json.age"
        export_records(site, actor, out, fmt="json", with_identities=True, recipient=str(secret.to_public()))
        texts = _texts(json.loads(pyrage.decrypt(out.read_bytes(), [secret])))
        assert site.cases["own"]["code"] in texts and other["code"] not in texts
        assert other["text"] not in texts.values()
    finally:
        with site.store.session() as session:
            session.scalar(sa.select(Source).where(Source.code == other["code"])).interviewee_id = interviewee


def _texts(exported) -> dict[str, str]:  # noqa: ANN001
    """code -> text of every exported record that carries one, wherever the layout nests it."""
    found: dict[str, str] = {}
    stack = [exported]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("text") and item.get("code"):
                found[item["code"]] = item["text"]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found
