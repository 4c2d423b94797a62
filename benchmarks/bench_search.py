"""Search benchmarks: which tokenization finds what investigators type (on the synthetic demo's
testimonies in Korean, Chinese and English), and indexing rate and query latency on both backends.

A testimony is relevant to a query when its text contains the query's stem (the word as an
investigator means it: `브로커` for `브로커에게`, `broker` for `broker`, so `brokers` counts too).
Each method indexes the same texts in an in-memory SQLite FTS5 table and answers the query as
typed; recall and precision are averaged over the queries of each language.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks import discard_workspace
from redzone.demo import generate_world
from redzone.search.tokens import document_terms, normalise, query_groups

POSTGRES_URL = os.environ.get("REDZONE_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
PASSPHRASE = "benchmark passphrase (synthetic data)"

# (query as typed, stem that makes a text relevant)
QUERIES = {
    "ko": [("브로커", "브로커"), ("브로커에게", "브로커"), ("강간", "강간"), ("강간당했다", "강간"),
           ("연길에서", "연길"), ("통화시에서", "통화시"), ("탈북민들과", "탈북민"), ("트럭에", "트럭"),
           ("팔렸다", "팔렸"), ("도망쳤습니다", "도망쳤"), ("신분증", "신분증"), ("구타를", "구타"),
           ("공안에게", "공안"), ("송환", "송환")],
    "zh": [("强奸", "强奸"), ("卖掉", "卖掉"), ("公安", "公安"), ("遣返", "遣返"), ("中介", "中介"),
           ("白山市", "白山市"), ("殴打", "殴打"), ("口岸", "口岸"), ("逃了出来", "逃了出来"), ("审讯", "审讯"),
           ("户口", "户口"), ("卖", "卖"), ("延吉", "延吉")],
    "en": [("beaten", "beaten"), ("broker", "broker"), ("raped", "raped"), ("Yanji", "yanji"),
           ("repatriated", "repatriated"), ("police", "police"), ("truck", "truck"), ("escaped", "escaped"),
           ("sold", "sold"), ("Onsong", "onsong"), ("Tumen crossing", "tumen")],
}


def _texts(acts: int) -> list[tuple[str, str]]:
    world = generate_world(seed=7, acts=acts)
    return [(s.language, s.text) for batch in world.batches() for s in batch.sources if s.language in QUERIES]


def _quote(terms: list[str]) -> str:
    return " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)


class _Method:
    name = ""
    tokenize = "unicode61 remove_diacritics 0"

    def document(self, language: str, text: str) -> str:
        return normalise(text)

    def query(self, language: str, query: str) -> str | None:
        words = normalise(query).split()
        return _quote(words) if words else None


class _Bigrams(_Method):
    name = "bigrams + unigrams, Korean endings dropped from the query (chosen)"
    analyse = True

    def document(self, language: str, text: str) -> str:
        return " ".join(document_terms([text]))

    def query(self, language: str, query: str) -> str | None:
        groups = query_groups(query, analyse=self.analyse, places=False)
        return " AND ".join("(" + _quote(group[0]) + ")" for group in groups) or None


class _BigramsAsTyped(_Bigrams):
    name = "bigrams + unigrams, query as typed"
    analyse = False


class _Trigrams(_Method):
    name = "FTS5 trigram tokenizer"
    tokenize = "trigram"


class _Words(_Method):
    name = "FTS5 unicode61 words (spaces)"


class _Morphemes(_Method):
    name = "morphemes: kiwipiepy (ko), jieba (zh), words (en)"
    _keep = ("NN", "NP", "NR", "VV", "VA", "XR", "SL", "SN", "SH", "MAG")

    def __init__(self) -> None:
        import logging

        import jieba
        from kiwipiepy import Kiwi

        jieba.setLogLevel(logging.WARNING)
        self._kiwi, self._jieba = Kiwi(), jieba

    def _tokens(self, language: str, text: str) -> list[str]:
        text = normalise(text)
        if language == "ko":
            return [t.form for t in self._kiwi.tokenize(text) if t.tag.startswith(self._keep)]
        if language == "zh":
            return [w for w in self._jieba.lcut_for_search(text) if w.strip() and w.isalnum()]
        return text.split()

    def document(self, language: str, text: str) -> str:
        return " ".join(self._tokens(language, text))

    def query(self, language: str, query: str) -> str | None:
        tokens = self._tokens(language, query)
        return _quote(tokens) if tokens else None


def _score(method: _Method, texts: list[tuple[str, str]]) -> dict[str, tuple[float, float, int, float]]:
    """Per language: (mean recall, mean precision, queries finding nothing relevant, index seconds)."""
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE docs USING fts5(body, tokenize='{method.tokenize}')")
    started = time.perf_counter()
    db.executemany("INSERT INTO docs(rowid, body) VALUES (?, ?)",
                   [(i, method.document(language, text)) for i, (language, text) in enumerate(texts)])
    seconds = time.perf_counter() - started
    folded = [normalise(text) for _, text in texts]
    results = {}
    for language, queries in QUERIES.items():
        recalls, precisions, misses = [], [], 0
        for query, stem in queries:
            relevant = {i for i, (lang, _) in enumerate(texts) if lang == language and stem in folded[i]}
            expression = method.query(language, query)
            found = set()
            if expression:
                found = {row[0] for row in db.execute("SELECT rowid FROM docs WHERE docs MATCH ?", (expression,))}
            found = {i for i in found if texts[i][0] == language}
            hit = len(found & relevant)
            recalls.append(hit / len(relevant) if relevant else 1.0)
            precisions.append(hit / len(found) if found else (1.0 if not relevant else 0.0))
            misses += bool(relevant) and hit == 0
        results[language] = (statistics.mean(recalls), statistics.mean(precisions), misses, seconds)
    return results


def _tokenizer_rows(texts: list[tuple[str, str]]) -> list[dict]:
    rows = []
    counts = {lang: sum(1 for language, _ in texts if language == lang) for lang in QUERIES}
    for method in (_Bigrams(), _BigramsAsTyped(), _Trigrams(), _Words(), _Morphemes()):
        scores = _score(method, texts)
        for language, (recall, precision, misses, seconds) in scores.items():
            rows.append({"name": f"{method.name}: {language} recall", "value": round(recall, 3), "unit": "recall",
                         "note": f"precision {precision:.3f}; {misses} of {len(QUERIES[language])} queries find no "
                                 f"relevant text; {counts[language]} {language} texts"})
        rows.append({"name": f"{method.name}: indexing", "value": round(len(texts) / scores['en'][3]),
                     "unit": "texts/s", "note": f"{len(texts)} texts, in memory"})
    return rows


def _backend_rows(backend: str, acts: int) -> list[dict]:
    from redzone.demo.persist import load_world
    from redzone.search import reindex, search
    from redzone.security.policy import Actor
    from redzone.workspace import Workspace

    folder = Path(tempfile.mkdtemp(prefix=f"redzone-bench-search-{backend}-"))
    url = POSTGRES_URL if backend == "postgresql" else None
    ws = Workspace.create(folder / "ws", PASSPHRASE, database_url=url, demo=True)
    rows = []
    try:
        report = load_world(ws, generate_world(seed=1, acts=acts))
        started = time.perf_counter()
        written = reindex(ws)
        seconds = time.perf_counter() - started
        records = sum(report.counts[k] for k in ("acts", "sources", "persons", "claims"))
        rows.append({"name": f"index rebuild, {backend}", "value": round(records / seconds), "unit": "records/s",
                     "note": f"{records:,} records ({written:,} index rows) in {seconds:.1f} s; the demo load "
                             f"({report.seconds:.1f} s) includes the same indexing"})
        actor = Actor("bench", "legal_analyst")
        queries = [q for qs in QUERIES.values() for q, _ in qs]
        for query in queries[:3]:  # warm up: vocabulary, analyser, caches
            with ws.store.session() as session:
                search(session, ws.keys, actor, query)
        samples = []
        for query in queries:
            started = time.perf_counter()
            with ws.store.session() as session:
                search(session, ws.keys, actor, query, limit=20)
            samples.append(time.perf_counter() - started)
        samples.sort()
        rows.append({"name": f"search latency, {backend}", "value": round(statistics.median(samples) * 1000, 1),
                     "unit": "ms", "note": f"median of {len(samples)} queries (ko, zh, en) on {report.counts['acts']:,}"
                                           f" acts; slowest {samples[-1] * 1000:.0f} ms; includes catch-up and audit"})
    finally:
        discard_workspace(ws, folder)
    return rows


def run(acts: int = 5000) -> list[dict]:
    rows = _tokenizer_rows(_texts(1500))
    for backend in ("sqlite", "postgresql"):
        rows += _backend_rows(backend, acts)
    return rows
