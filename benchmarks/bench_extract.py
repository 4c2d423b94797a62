"""Extraction: precision, recall and F1 per fact type and language on the evaluation corpus (the whole
corpus, which the issue's targets name, then its tuning, held-out and fresh parts apart), for every method; and
throughput on one core in documents of 2 KB (2,048 bytes of UTF-8, the issue's unit: about 2,000 characters of
English, fewer of Korean and Chinese, whose characters take 3 bytes) and, stricter, in documents of 2,000
characters."""

from __future__ import annotations

import time
from pathlib import Path

from redzone.extract import METHODS, load_corpus, score
from redzone.extract.facts import FACT_TYPES, LANGUAGES
from redzone.extract.methods import DEFAULT_METHOD

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"
DOCUMENT_CHARS = 2000
DOCUMENT_BYTES = 2048
TARGET_TYPES = ("violation", "place", "money", "age", "quantity")


def _documents_of_2k(texts: list[str]) -> list[str]:
    """The corpus's texts run together and cut into documents of 2,000 characters."""
    joined = "\n\n".join(texts * 4)
    return [joined[i:i + DOCUMENT_CHARS] for i in range(0, len(joined) - DOCUMENT_CHARS, DOCUMENT_CHARS)]


def _documents_of_bytes(texts: list[str], size: int = DOCUMENT_BYTES) -> list[str]:
    """The corpus's texts run together and cut, at character boundaries, into documents of at most `size`
    bytes of UTF-8 each (what a file of 2 KB holds)."""
    joined = "\n\n".join(texts * 4)
    documents, start, used = [], 0, 0
    for index, char in enumerate(joined):
        width = len(char.encode("utf-8"))
        if used + width > size:
            documents.append(joined[start:index])
            start, used = index, 0
        used += width
    return documents


def _throughput(extract, documents: list[str], language: str, seconds: float = 2.0) -> float:  # noqa: ANN001
    """Documents per second of this process's CPU time: one core's rate, whichever other processes
    share the machine (wall-clock time would count the time they take from us)."""
    for document in documents:  # load models and compile the lazily built patterns outside the clock: a
        extract(document, language)  # process pays for them once, however many documents it reads
    done, started = 0, time.process_time()
    while time.process_time() - started < seconds:
        for document in documents:
            extract(document, language)
            done += 1
    return done / (time.process_time() - started)


def run() -> list[dict]:
    rows: list[dict] = []
    corpus = load_corpus(CORPUS)
    for name, method in METHODS.items():
        marker = " (default)" if name == DEFAULT_METHOD else ""
        for split in ("whole corpus", "tuning", "heldout", "fresh"):
            documents = corpus if split == "whole corpus" else [d for d in corpus if d.split == split]
            result = score(method.extract, documents)
            for language in LANGUAGES:
                for type_ in FACT_TYPES:
                    counts = result.total(language, type_)
                    if name != DEFAULT_METHOD and type_ not in (*TARGET_TYPES, "person"):
                        continue
                    gold = counts.true_positive + counts.false_negative
                    rows.append({"name": f"{name}{marker} {split} {language} {type_} F1", "value": round(counts.f1, 3),
                                 "unit": "F1", "note": f"P {counts.precision:.2f}, R {counts.recall:.2f}, {gold} gold "
                                                       f"in {sum(d.language == language for d in documents)} docs"})
            targeted = [result.total(lang, t).f1 for lang in LANGUAGES for t in TARGET_TYPES]
            rows.append({"name": f"{name}{marker} {split} lowest F1 of the targeted types", "value": round(min(targeted), 3),
                         "unit": "F1", "note": "violations, places, money, ages, quantities in each language; target 0.90"})
    for name, method in METHODS.items():
        for language in LANGUAGES:
            texts = [d.text for d in corpus if d.language == language]
            by_bytes = _documents_of_bytes(texts)
            rate = _throughput(method.extract, by_bytes, language)
            characters = sum(map(len, by_bytes)) / len(by_bytes)
            rows.append({"name": f"{name} throughput {language}, documents of 2 KB", "value": round(rate, 1),
                         "unit": "documents/s",
                         "note": f"{DOCUMENT_BYTES:,} bytes of UTF-8 ({characters:,.0f} characters on average), "
                                 "one core (CPU time); target 100"})
            rate = _throughput(method.extract, _documents_of_2k(texts), language)
            rows.append({"name": f"{name} throughput {language}, documents of 2,000 characters", "value": round(rate, 1),
                         "unit": "documents/s", "note": f"{DOCUMENT_CHARS:,} characters each, one core (CPU time)"})
    return rows


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']:60s} {row['value']:>10} {row['unit']:12s} {row['note']}")
