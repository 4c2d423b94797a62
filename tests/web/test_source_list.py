"""The source list as its users see it: each row's number of acts, pages and filters that hold,
counts that follow a write at once, a sign-in that still expires and is still kept alive, and a
page that costs two statements (who is asking, then the screenful) once its total is known."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from support import BACKENDS, discard
from web_helpers import build_site, client_for, csrf_of, sign_in

from redzone.records.models import Attestation, Source, WebSession
from redzone.web import WebSettings

ROW = re.compile(r'<tr><td><a href="/sources/([^"]+)" class="mono">.*?<td class="num">(\d+)</td></tr>')
TOTAL = re.compile(r'<h1>[^<]*</h1>\s*<span class="badge">([\d,]+)</span>')


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    ws = build_site(tmp_path_factory.mktemp("source-list") / "ws", request.param, acts=120)
    yield ws
    discard(ws)


def _listed(client, **params) -> tuple[int, list[tuple[str, int]]]:  # noqa: ANN001
    page = client.get("/sources", params=params)
    assert page.status_code == 200, page.text[:300]
    return (int(TOTAL.search(page.text).group(1).replace(",", "")),
            [(code, int(acts)) for code, acts in ROW.findall(page.text)])


def _expected(site, kind: str = "") -> list[tuple[str, int]]:  # noqa: ANN001
    """Every source (of a kind), newest first, with the number of distinct acts attested from it."""
    with site.store.session() as session:
        acts = dict(session.execute(sa.select(Attestation.source_id, sa.func.count(sa.distinct(Attestation.act_id)))
                                    .group_by(Attestation.source_id)).all())
        query = sa.select(Source.id, Source.code).order_by(Source.id.desc())
        if kind:
            query = query.where(Source.kind == kind)
        return [(code, acts.get(source_id, 0)) for source_id, code in session.execute(query)]


def test_rows_show_each_sources_acts_on_every_page_and_filter(site):
    client = sign_in(client_for(site, WebSettings(page_size=4)), "data_analyst")
    expected = _expected(site)
    assert len(expected) > 8 and any(acts > 1 for _, acts in expected), "the demo world should fill three pages"
    seen = []
    for page in range(1, -(-len(expected) // 4) + 1):
        total, rows = _listed(client, page=page)
        assert total == len(expected)
        seen += rows
    assert seen == expected
    with site.store.session() as session:
        kind = session.scalar(sa.select(Source.kind).group_by(Source.kind).order_by(sa.func.count().desc()))
    of_kind = _expected(site, kind)
    assert len(of_kind) > 4
    assert _listed(client, kind=kind, page=2) == (len(of_kind), of_kind[4:8])
    assert _listed(client, page=999) == (len(expected), [])  # past the end: the total, no rows, no error


def test_counts_follow_a_write_at_once(site):
    client = sign_in(client_for(site), "interviewer")
    total, rows = _listed(client)
    code, acts = rows[0]
    coded = client.post(f"/sources/{code}/acts", data={"csrf_token": csrf_of(client, f"/sources/{code}"),
                                                        "violation": "marriage.forced"})
    assert coded.status_code == 303, coded.text[:300]
    assert dict(_listed(client)[1])[code] == acts + 1
    entered = client.post("/testimony", data={
        "csrf_token": csrf_of(client, "/testimony/new"), "text": "synthetic testimony for the list",
        "title": "synthetic", "language": "en", "consent": ["internal_analysis"], "sex": "female", "violation": "trafficking.sale"})
    assert entered.status_code == 303, entered.text[:300]
    after, rows = _listed(client)
    assert after == total + 1 and rows[0][1] == 1  # the new source, first, with its one act


def test_a_listed_page_costs_two_statements_once_its_total_is_known(site):
    client = sign_in(client_for(site, WebSettings(page_size=3)), "legal_analyst")
    client.get("/sources", params={"page": 1})  # counts the sources (once per filter until the next write)
    statements: list[str] = []

    def record(_connection, _cursor, statement, *_args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(site.store.engine, "before_cursor_execute", record)
    try:
        assert client.get("/sources", params={"page": 3}).status_code == 200  # a page not seen before
        assert len(statements) == 2, statements  # who is asking; the rows with their acts and the data version
        statements.clear()
        assert client.get("/sources", params={"q": "SRC", "page": 2}).status_code == 200
        assert len(statements) == 3, statements  # a new filter is counted once
    finally:
        event.remove(site.store.engine, "before_cursor_execute", record)


def test_sign_in_is_kept_alive_and_still_expires(site):
    client = sign_in(client_for(site), "legal_analyst")
    now = dt.datetime.now(dt.timezone.utc)
    with site.store.session() as session:  # this client's session is the newest
        row = session.scalars(sa.select(WebSession).order_by(WebSession.created_at.desc())).first()
        row.last_seen_at = now - dt.timedelta(minutes=5)
        id_hash = row.id_hash
    assert client.get("/sources").status_code == 200
    with site.store.session() as session:
        seen = session.get(WebSession, id_hash).last_seen_at
        assert (seen if seen.tzinfo else seen.replace(tzinfo=dt.timezone.utc)) >= now - dt.timedelta(seconds=5)
        session.get(WebSession, id_hash).last_seen_at = now - dt.timedelta(hours=2)
    refused = client.get("/sources")
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
    with site.store.session() as session:
        assert session.get(WebSession, id_hash) is None  # the idle session is gone, not only refused
