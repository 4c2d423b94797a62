"""What users of the pages and the API notice: a testimony entered is counted on the dashboard, an
act coded keeps its quoted span, evidence shows its hash and custody, claims sit side by side,
the API pages its lists, names the field at fault, and answers tokens as their users."""

from __future__ import annotations

import hashlib
import re

import pytest
import sqlalchemy as sa
from support import BACKENDS, discard
from web_helpers import build_site, client_for, csrf_of, sign_in

from redzone.accounts import create_token
from redzone.records.models import Attestation, AuditEntry, Claim, CustodyEntry, Evidence, Source


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    ws = build_site(tmp_path_factory.mktemp("pages") / "ws", request.param, acts=120)
    yield ws
    discard(ws)


def _acts_on_dashboard(client) -> int:  # noqa: ANN001
    return int(re.search(r'id="count-acts">([\d,]+)<', client.get("/").text).group(1).replace(",", ""))


def test_testimony_entered_is_counted_and_its_act_keeps_the_quoted_span(site):
    client = sign_in(client_for(site), "interviewer")
    before = _acts_on_dashboard(client)
    text = "브로커가 나를 연길의 한 농민에게 팔았다. 가격은 2만 위안이었다."
    response = client.post("/testimony", data={
        "csrf_token": csrf_of(client, "/testimony/new"), "text": text, "title": "synthetic", "language": "ko",
        "consent": ["internal_analysis", "legal_proceedings"], "sex": "female", "birth_year_min": "1996",
        "origin_place_name": "회령", "violation": "trafficking.sale", "roles": ["broker", "buyer"],
        "event_kind": "sale", "place_name": "延吉", "date_precision": "month", "date_start": "2015-04",
        "price_amount": "20000", "price_currency": "CNY"})
    assert response.status_code == 303, response.text[:300]
    code = re.search(r"/sources/([^?]+)", response.headers["location"]).group(1)
    quote = "연길의 한 농민에게 팔았다"
    start = text.index(quote)
    coded = client.post(f"/sources/{code}/acts", data={
        "csrf_token": csrf_of(client, f"/sources/{code}"), "violation": "marriage.forced",
        "span_start": str(start), "span_end": str(start + len(quote)), "roles": ["buyer"]})
    assert coded.status_code == 303
    page = client.get(f"/sources/{code}").text
    assert quote in page and "Legal proceedings" in page
    assert _acts_on_dashboard(client) == before + 2
    with site.store.session() as session:
        source = session.scalar(sa.select(Source).where(Source.code == code))
        spans = {(a.span_start, a.span_end) for a in session.scalars(
            sa.select(Attestation).where(Attestation.source_id == source.id))}
    assert (start, start + len(quote)) in spans


def test_a_span_outside_the_text_is_refused_with_the_field(site):
    client = sign_in(client_for(site), "documentation_officer")
    with site.store.session() as session:
        code = session.scalars(sa.select(Source.code).where(Source.text_sealed.is_not(None))).first()
    response = client.post(f"/sources/{code}/acts", data={
        "csrf_token": csrf_of(client, f"/sources/{code}"), "violation": "sexual.rape",
        "span_start": "5", "span_end": "999999"})
    assert response.status_code == 422 and "span" in response.text


def test_evidence_upload_shows_the_hash_and_custody(site):
    client = sign_in(client_for(site), "interviewer")
    content = b"synthetic audio bytes " * 100
    response = client.post("/evidence", data={"csrf_token": csrf_of(client, "/evidence"), "acquired_by": "field team"},
                           files={"file": ("interview.m4a", content, "audio/mp4")})
    assert response.status_code == 303, response.text[:300]
    page = client.get(response.headers["location"]).text
    assert hashlib.sha256(content).hexdigest() in page
    assert "acquired" in page and "interview.m4a" not in page  # the file name is sealed
    assert 'id="custody-mismatch"' not in page
    with site.store.session() as session:  # someone edits the custody log behind the application's back
        code = response.headers["location"].split("/")[-1].split("?")[0]
        entry = session.scalars(sa.select(CustodyEntry).join(Evidence, Evidence.id == CustodyEntry.evidence_id)
                                .where(Evidence.code == code)).first()
        entry.holder = "someone else"
    assert 'id="custody-mismatch"' in client.get(f"/evidence/{code}").text


def test_evidence_over_the_upload_limit_is_refused_and_nothing_is_stored(site):
    import io

    from redzone.evidence import add_evidence
    from redzone.records.entry import Context
    from redzone.records.users import actor_for
    from redzone.web.config import WebSettings
    from redzone.web.routes.evidence import UploadTooLarge, _Limited
    from web_helpers import username

    def stored() -> tuple[int, list[str]]:
        with site.store.session() as session:
            rows = session.scalar(sa.select(sa.func.count()).select_from(Evidence))
        return rows, sorted(p.name for p in site.evidence_dir.iterdir()) if site.evidence_dir.exists() else []

    client = sign_in(client_for(site, WebSettings(max_upload_bytes=1000)), "interviewer")
    before = stored()
    over = client.post("/evidence", data={"csrf_token": csrf_of(client, "/evidence")},
                       files={"file": ("big.bin", b"x" * 1001, "application/octet-stream")})
    assert over.status_code == 413 and "file: is larger than the limit of 1,000 bytes" in over.text
    assert stored() == before
    with site.store.session() as session:  # and while streaming, when the size is not known beforehand
        ctx = Context(session, site.keys, actor_for(session, username("interviewer")))
        with pytest.raises(UploadTooLarge):
            add_evidence(ctx, site.evidence_dir, _Limited(io.BytesIO(b"y" * 1001), 1000))
    assert stored() == before
    at_limit = client.post("/evidence", data={"csrf_token": csrf_of(client, "/evidence")},
                           files={"file": ("ok.bin", b"z" * 1000, "application/octet-stream")})
    assert at_limit.status_code == 303
    assert stored()[0] == before[0] + 1


def test_a_body_far_over_the_upload_limit_is_refused_before_it_is_read(site):
    from redzone.web.config import WebSettings
    from redzone.web.security import FORM_ROOM

    client = sign_in(client_for(site, WebSettings(max_upload_bytes=1000)), "interviewer")
    with site.store.session() as session:
        before = session.scalar(sa.select(sa.func.count()).select_from(Evidence))
    token = csrf_of(client, "/evidence")
    big = b"x" * (1000 + FORM_ROOM + 1)
    declared = client.post("/evidence", data={"csrf_token": token}, files={"file": ("big.bin", big, "text/plain")})
    assert declared.status_code == 413 and "larger than the limit" in declared.text
    chunked = client.post("/evidence", content=iter([big[:40_000], big[40_000:]]),
                          headers={"content-type": "multipart/form-data; boundary=x"})
    assert chunked.status_code == 413
    with site.store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == before


def test_claims_ledger_puts_one_measures_figures_side_by_side(site):
    client = sign_in(client_for(site), "legal_analyst")
    with site.store.session() as session:
        measure, sources = session.execute(sa.select(Claim.measure, sa.func.count(sa.distinct(Claim.source_id)))
                                           .group_by(Claim.measure).order_by(sa.func.count().desc())).first()
    page = client.get("/claims", params={"measure": measure}).text
    assert page.count('href="/sources/') >= sources >= 2


def test_api_with_a_token_pages_lists_and_names_the_field_at_fault(site):
    with site.store.session() as session:
        token, _ = create_token(session, site.keys, "demo-documentation-officer", "test", 1)
        analyst, _ = create_token(session, site.keys, "demo-data-analyst", "test", 1)
    client = client_for(site)
    auth = {"Authorization": f"Bearer {token}"}
    first = client.get("/api/v1/sources", params={"limit": 5}, headers=auth).json()
    second = client.get("/api/v1/sources", params={"limit": 5, "offset": 5}, headers=auth).json()
    assert len(first["items"]) == 5 and first["total"] > 10
    assert not {s["code"] for s in first["items"]} & {s["code"] for s in second["items"]}
    bad = client.post("/api/v1/acts", json={"violation": "not.a.violation", "source": first["items"][0]["code"]},
                      headers=auth)
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "violation"
    assert client.get("/api/v1/sources", params={"limit": 1000}, headers=auth).json()["problems"][0]["field"] == "limit"
    made = client.post("/api/v1/acts", json={"violation": "sexual.rape", "source": first["items"][0]["code"],
                                             "perpetrator_roles": ["buyer"]}, headers=auth)
    assert made.status_code == 201 and made.json()["perpetrator_roles"] == ["buyer"]
    with site.store.session() as session:
        assert session.scalar(sa.select(AuditEntry.actor).where(AuditEntry.record_id == made.json()["code"])) \
            == "demo-documentation-officer"
    refused = client.get("/api/v1/sources/" + first["items"][0]["code"] + "/text",
                         headers={"Authorization": f"Bearer {analyst}"})
    assert refused.status_code == 403 and refused.json()["error"] == "PermissionDenied"
    assert client.get("/api/v1/sources", headers={"Authorization": "Bearer rzt_wrong"}).status_code == 401
    assert client.get("/api/v1/sources").status_code == 401
    stats = client.get("/api/v1/stats/province", headers=auth).json()
    assert all(cell["count"] is None or cell["count"] >= stats["threshold"] for cell in stats["cells"])


def test_an_administrator_grants_an_officer_one_identity(site):
    with site.store.session() as session:
        from redzone.records.models import Person

        person = session.scalars(sa.select(Person.code).where(Person.identity_sealed.is_not(None))).first()
    officer = sign_in(client_for(site), "documentation_officer")
    assert officer.get(f"/persons/{person}/identity").status_code == 403
    admin = sign_in(client_for(site), "administrator")
    assert admin.get(f"/persons/{person}/identity").status_code == 403  # administrators see no identities either
    granted = admin.post("/grants", data={"csrf_token": csrf_of(admin, "/users"), "username": "demo-documentation-officer",
                                          "person": person})
    assert granted.status_code == 303
    assert officer.get(f"/persons/{person}/identity").status_code == 200
    created = admin.post("/users", data={"csrf_token": csrf_of(admin, "/users"), "username": "field-7",
                                         "role": "interviewer", "password": "short"})
    assert created.status_code == 422 and "password" in created.text


def test_evidence_download_is_recorded_in_custody(site):
    uploader = sign_in(client_for(site), "interviewer")
    content = b"synthetic scan"
    response = uploader.post("/evidence", data={"csrf_token": csrf_of(uploader, "/evidence")},
                             files={"file": ("scan.html", content, "text/html")})
    code = re.search(r"/evidence/([^?]+)", response.headers["location"]).group(1)
    legal = sign_in(client_for(site), "legal_analyst")
    download = legal.get(f"/evidence/{code}/file")
    assert download.status_code == 200 and download.content == content
    assert download.headers["content-type"] == "application/octet-stream"
    assert "attachment" in download.headers["content-disposition"]
    assert "viewed" in legal.get(f"/evidence/{code}").text
    assert sign_in(client_for(site), "data_analyst").get(f"/evidence/{code}/file").status_code == 403
