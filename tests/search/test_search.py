"""Full-text search as users meet it, on SQLCipher and PostgreSQL: Korean, Chinese and English
queries, what each role may find, sealed identities never indexed, every search audited.
All records are synthetic."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import sqlalchemy as sa

from redzone.errors import PermissionDenied, ValidationError
from redzone.records.entry import ActDetails, add_act, add_event, add_person, add_source
from redzone.records.identity import Identity
from redzone.records.models import Act, AuditEntry, Person, SearchDocument, Source
from redzone.search import catch_up, refresh, reindex, search
from redzone.search.index import check, term_digest

KOREAN = ("[합성] 피해자는 2019년에 회령에서 강을 건넜다. 연길시에서 브로커에게 팔렸다고 진술했다. "
          "보위부에 체포되어 온성 구류장에 끌려갔다.")
CHINESE = "【合成】她在图们口岸附近过江进入中国。据她陈述，她在延吉市被以8,000元人民币卖掉，并多次遭到强奸。"
ENGLISH = ("[SYNTHETIC] She crossed near Ŏnsŏng in 2018. A broker sold her to a farmer in Helong; "
           "she was beaten and locked in a storeroom.")
SECRET_NAME = "Pakyeonghwa Zzyzx"  # a synthetic legal name: unique tokens nobody else uses
SECRET_HANGUL = "박영화"


@pytest.fixture
def records(context_for):
    with context_for("interviewer") as ctx:
        victim = add_person(ctx, person_role="victim", sex="female", origin_place_id="kp.north_hamgyong.hoeryong",
                            identity=Identity(legal_name=SECRET_NAME, hangul_name=SECRET_HANGUL,
                                              aliases=("Quixotic-alias",), contact="+82 10 5555 0199",
                                              whereabouts="Ansan shelter 7"))
        korean = add_source(ctx, kind="interview", title="면담 기록 (합성)", language="ko", text=KOREAN,
                            interviewee=victim)
        chinese = add_source(ctx, kind="written_statement", title="书面陈述（合成）", language="zh", text=CHINESE)
        english = add_source(ctx, kind="interview", title="Interview in Seoul (synthetic)", language="en",
                             text=ENGLISH)
        event = add_event(ctx, kind="sale", place_id="cn.jilin.yanbian.yanji", date_start=dt.date(2019, 3, 1),
                          date_precision="month", description="Synthetic: sold to a buyer")
        act = add_act(ctx, victim=victim, violation="trafficking.sale", event=event,
                      details=ActDetails(price_amount=8000, price_currency="CNY"))
        return {"victim": victim.code, "korean": korean.code, "chinese": chinese.code, "english": english.code,
                "act": act.code}


def _search(workspace, context_for, username, query, **kwargs):
    with context_for(username) as ctx:
        return search(ctx.session, workspace.keys, ctx.actor, query, **kwargs)


def _codes(hits):
    return [hit.code for hit in hits]


QUERIES = [
    ("보위부", "korean"),          # a noun inside a Korean sentence
    ("보위부에게", "korean"),       # typed with a particle the text does not have
    ("끌려갔다", "korean"),
    ("强奸", "chinese"),            # Chinese, no spaces in the text
    ("卖掉", "chinese"),
    ("Onsong beaten", "english"),   # diacritics folded (Ŏnsŏng), words in any order
    ("BROKER farmer", "english"),   # case folded
]


def test_a_reader_finds_testimony_in_korean_chinese_and_english(workspace, context_for, records):
    for query, expected in QUERIES:
        hits = _search(workspace, context_for, "legal", query)
        assert records[expected] in _codes(hits), query
        hit = next(h for h in hits if h.code == records[expected])
        assert hit.kind == "source" and hit.matched == "text"
        assert hit.snippet and any(hit.snippet.strip("…") in text for text in (KOREAN, CHINESE, ENGLISH))
        assert any(part in hit.snippet.casefold() for part in ("보위부", "끌려", "强奸", "卖掉", "beaten", "broker"))


def test_every_query_word_must_match(workspace, context_for, records):
    assert _search(workspace, context_for, "legal", "强奸 beaten") == []
    assert _search(workspace, context_for, "legal", "   ") == []


def test_a_place_is_found_by_any_of_its_names(workspace, context_for, records):
    for query in ("Yanji", "延吉", "연길", "연길시에서", "Yanbian"):
        hits = _search(workspace, context_for, "analyst", query)
        assert records["act"] in _codes(hits), query
    origin = _search(workspace, context_for, "analyst", "회령")
    assert records["victim"] in _codes(origin)


def test_an_analyst_finds_sources_by_title_only_and_sees_no_text(workspace, context_for, records):
    # The data analyst may see sources but not read testimony (no source.view_text).
    assert _search(workspace, context_for, "analyst", "보위부") == []
    assert _search(workspace, context_for, "analyst", "beaten storeroom") == []
    hits = _search(workspace, context_for, "analyst", "Seoul interview")
    assert _codes(hits) == [records["english"]]
    assert hits[0].snippet is None and hits[0].matched == "meta"


def test_sealed_identity_is_never_found_or_shown(workspace, context_for, records):
    # Even the interviewer who recorded the person, and may reveal the identity, cannot search it:
    # the index holds no sealed field for anyone.
    for username in ("interviewer", "officer", "legal", "analyst", "admin"):
        for query in ("Pakyeonghwa", "Zzyzx", SECRET_HANGUL, "Quixotic", "5555", "Ansan shelter"):
            assert _search(workspace, context_for, username, query) == [], (username, query)
        found = _search(workspace, context_for, username, records["victim"]) + \
            _search(workspace, context_for, username, "회령")
        assert records["victim"] in _codes(found), username
        for hit in found:
            blob = json.dumps(hit.to_dict(), ensure_ascii=False)
            assert "Pakyeonghwa" not in blob and SECRET_HANGUL not in blob and "Ansan" not in blob


def test_the_index_holds_no_sealed_value(workspace, records):
    with workspace.store.session() as session:
        assert catch_up(session, workspace.keys) >= 5
        stored = " ".join(session.scalars(sa.select(SearchDocument.terms)))
    postgres = workspace.store.backend == "postgresql"
    for term in ("pakyeonghwa", "zzyzx", "박영", "영화", "quixotic", "ansan", "shelter", "5555"):
        assert (term_digest(workspace.keys, term) if postgres else term) not in stored.split()


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_postgres_holds_digests_not_plaintext(workspace, context_for, records):
    with workspace.store.session() as session:
        catch_up(session, workspace.keys)
        terms = list(session.scalars(sa.select(SearchDocument.terms)))
    assert terms and all(re.fullmatch(r"([a-z]{10}( |$))*", t) for t in terms)
    text = " ".join(terms)
    for word in ("보위부", "强奸", "beaten", "broker", "yanji", "보위", "强奸"):
        assert word not in text
    assert term_digest(workspace.keys, "beaten") in text.split()  # the digest is there, keyed
    # The same query still works: it is digested with the same key.
    assert records["english"] in _codes(_search(workspace, context_for, "legal", "beaten"))


def test_the_public_role_may_not_search(workspace, context_for, records):
    with pytest.raises(PermissionDenied):
        _search(workspace, context_for, "public", "Yanji")


def test_long_queries_and_bad_paging_are_refused_with_the_field_named(workspace, context_for):
    with pytest.raises(ValidationError, match="query"):
        _search(workspace, context_for, "legal", "가" * 501)
    with pytest.raises(ValidationError, match="limit"):
        _search(workspace, context_for, "legal", "Yanji", limit=0)


def test_every_search_is_audited_without_the_query_text(workspace, context_for, records):
    _search(workspace, context_for, "legal", "보위부 끌려갔다")
    _search(workspace, context_for, "analyst", "Pakyeonghwa")
    with workspace.store.session() as session:
        entries = list(session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "search.query")
                                       .order_by(AuditEntry.id)))
    assert [e.actor for e in entries] == ["legal", "analyst"]
    assert entries[0].detail["query_chars"] == len("보위부 끌려갔다") and entries[0].detail["hits"] == 1
    assert entries[0].detail["text_matched"] == [records["korean"]]
    assert entries[1].detail["hits"] == 0
    logged = json.dumps([e.detail for e in entries], ensure_ascii=False)
    assert "보위부" not in logged and "Pakyeonghwa" not in logged


def test_new_and_changed_records_are_found_without_a_manual_reindex(workspace, context_for, records):
    assert _search(workspace, context_for, "legal", "Dandong") == []
    with context_for("interviewer") as ctx:
        added = add_source(ctx, kind="ngo_report", title="Dandong shelters (synthetic)", text="[합성] 단동 보고서")
    assert _codes(_search(workspace, context_for, "legal", "Dandong")) == [added.code]
    with workspace.store.session() as session:
        source = session.scalar(sa.select(Source).where(Source.code == added.code))
        source.title = "Hunchun shelters (synthetic)"
        session.flush()
        refresh(session, workspace.keys, "source", [source.id])
    assert _search(workspace, context_for, "legal", "Dandong") == []
    assert _codes(_search(workspace, context_for, "legal", "Hunchun shelters")) == [added.code]
    assert reindex(workspace) > 0
    assert _codes(_search(workspace, context_for, "legal", "Hunchun shelters")) == [added.code]
    with workspace.store.session() as session:
        check(session)


def test_paging_walks_through_every_hit_once(workspace, context_for, records):
    everything = _search(workspace, context_for, "legal", "synthetic", limit=100)
    assert len(everything) >= 2
    pages = [_search(workspace, context_for, "legal", "synthetic", limit=1, offset=i) for i in range(len(everything))]
    assert [page[0].code for page in pages] == _codes(everything)
    assert everything == sorted(everything, key=lambda h: -h.score)


def test_records_missed_or_deleted_behind_the_newest_are_caught_up(workspace, context_for, records):
    # A record committed after a newer one was indexed (possible with concurrent PostgreSQL
    # transactions) has an id below the newest indexed: the counts on both sides find it.
    assert _codes(_search(workspace, context_for, "legal", "强奸")) == [records["chinese"]]
    with workspace.store.session() as session:
        session.execute(sa.insert(Source), [dict(id=0, code="SRC-LATE", kind="ngo_report", title="Late Hunchun report",
                                                 language="en", consent_scopes=[])])
    assert _codes(_search(workspace, context_for, "legal", "late Hunchun")) == ["SRC-LATE"]
    with workspace.store.session() as session:
        chinese_id = session.scalar(sa.select(Source.id).where(Source.code == records["chinese"]))
        session.execute(sa.delete(Source).where(Source.id == chinese_id))
    assert _search(workspace, context_for, "legal", "强奸") == []
    with workspace.store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(SearchDocument)
                              .where(SearchDocument.kind == "source", SearchDocument.record_id == chinese_id)) == 0
        check(session)  # SQLite: the FTS5 index still agrees with its content table


def test_edits_are_found_through_the_audit_log(workspace, context_for, records):
    # An edit made the way the extraction review makes it: the act's event moves from Yanji to
    # Dandong, and the write is audited as event.edit. Nobody calls the index.
    assert records["act"] in _codes(_search(workspace, context_for, "analyst", "Yanji"))
    with context_for("officer") as ctx:
        act = ctx.session.scalar(sa.select(Act).where(Act.code == records["act"]))
        act.event.place_id = "cn.liaoning.dandong"
        ctx.audit("event.edit", "event", act.event.code, {"fields": ["place"]})
        person = ctx.session.scalar(sa.select(Person).where(Person.code == records["victim"]))
        person.origin_place_id = "kp.chagang.manpo"
        ctx.audit("person.edit", "person", person.code, {"fields": ["origin_place_id"]})
    assert records["act"] not in _codes(_search(workspace, context_for, "analyst", "Yanji"))
    assert records["act"] in _codes(_search(workspace, context_for, "analyst", "단동"))
    assert records["victim"] in _codes(_search(workspace, context_for, "analyst", "Manpo"))
    assert records["victim"] not in _codes(_search(workspace, context_for, "analyst", "회령"))
    with workspace.store.session() as session:
        check(session)


def test_an_interviewer_finds_words_only_in_the_texts_of_own_cases(workspace, context_for, records):
    """Another interviewer's testimony is not searched for a colleague: no hit, no snippet, no count,
    and the page after the last readable hit is empty; a grant of its interviewee opens it. The
    documentation officer (unscoped) still finds both."""
    from redzone.records.users import SYSTEM, create_user, grant_access

    with workspace.store.session() as session:
        create_user(session, workspace.keys, SYSTEM, "colleague", "interviewer")
    with context_for("colleague") as ctx:
        own = add_source(ctx, kind="interview", title="Colleague's interview (synthetic)", language="en",
                         text="[SYNTHETIC] She was beaten by the broker and locked in a storeroom in Longjing.").code
    assert _codes(_search(workspace, context_for, "colleague", "storeroom")) == [own]
    assert _codes(_search(workspace, context_for, "colleague", "storeroom", limit=1, offset=1)) == []
    assert _codes(_search(workspace, context_for, "interviewer", "storeroom")) == [records["english"]]
    assert set(_codes(_search(workspace, context_for, "officer", "storeroom"))) == {own, records["english"]}
    assert _search(workspace, context_for, "colleague", "보위부") == []
    titled = _search(workspace, context_for, "colleague", "Seoul interview")
    assert _codes(titled) == [records["english"]] and titled[0].matched == "meta" and titled[0].snippet is None
    with workspace.store.session() as session:
        detail = session.scalars(sa.select(AuditEntry.detail).where(AuditEntry.action == "search.query")
                                 .order_by(AuditEntry.id.desc())).first()
    assert detail["hits"] == 1 and detail["text_matched"] == []
    with workspace.store.session() as session:
        grant_access(session, workspace.keys, SYSTEM, "colleague", records["victim"])
    granted = _search(workspace, context_for, "colleague", "보위부")
    assert _codes(granted) == [records["korean"]] and "보위부" in granted[0].snippet
