"""The proposed fact and the extraction of one text: what every method returns and what
`redzone extract --json` prints, one shape for all methods, checked against `data/facts.schema.json`."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from redzone.extract.scanning import guarded

FACT_TYPES = ("violation", "perpetrator", "place", "date", "age", "money", "quantity", "person")
LANGUAGES = ("en", "ko", "zh")


@dataclass(frozen=True)
class Fact:
    """One proposed fact: a type, a character span [start, end) of the text, and its attributes.

    A proposal, never a finding: a person confirms, edits or rejects it before anything is recorded.
    """

    type: str
    start: int
    end: int
    text: str
    confidence: float
    attrs: tuple[tuple[str, Any], ...] = ()

    def get(self, name: str, default: Any = None) -> Any:
        return dict(self.attrs).get(name, default)

    def key(self) -> Any:
        """What must agree for two facts of a type to be the same proposal (the span aside)."""
        attrs = dict(self.attrs)
        return {
            "violation": lambda: attrs["code"],
            "perpetrator": lambda: attrs["role"],
            "place": lambda: attrs["gazetteer_id"],
            "date": lambda: (attrs["value"], attrs["precision"]),
            "age": lambda: (attrs["min"], attrs["max"]),
            "money": lambda: (float(attrs["amount"]), attrs["currency"]),
            "quantity": lambda: (float(attrs["value"]), attrs["qualifier"]),
            "person": lambda: None,
        }[self.type]()

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "start": self.start, "end": self.end, "text": self.text,
                "confidence": round(self.confidence, 3), **dict(self.attrs)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fact:
        common = {"type", "start", "end", "text", "confidence"}
        return cls(type=data["type"], start=data["start"], end=data["end"], text=data["text"],
                   confidence=data.get("confidence", 1.0),
                   attrs=tuple((k, v) for k, v in data.items() if k not in common))


def make(type_: str, text: str, start: int, end: int, confidence: float, **attrs: Any) -> Fact:
    """A fact over text[start:end], its attributes in the order given."""
    return Fact(type_, start, end, text[start:end], confidence, tuple(attrs.items()))


@dataclass
class Extraction:
    """The facts proposed for one text, in text order."""

    language: str
    facts: list[Fact] = field(default_factory=list)
    method: str = ""
    file: str = ""

    def of_type(self, type_: str) -> list[Fact]:
        return [f for f in self.facts if f.type == type_]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"file": self.file, "language": self.language,
                                "facts": [f.to_dict() for f in self.facts]}
        if self.method:
            data["method"] = self.method
        return data


def detect_language(text: str) -> str:
    """'ko' if Hangul dominates the letters, 'zh' if Chinese characters do, else 'en'."""
    hangul = han = latin = 0
    for ch in text[:4000]:
        code = ord(ch)
        if 0xAC00 <= code <= 0xD7A3 or 0x3130 <= code <= 0x318F:
            hangul += 1
        elif 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
            han += 1
        elif ch.isascii() and ch.isalpha():
            latin += 1
    # A Chinese character weighs more than a Latin letter: one carries a syllable, not a sound.
    scores = {"ko": hangul * 2, "zh": han * 2, "en": latin // 2}
    return max(scores, key=lambda lang: (scores[lang], lang == "en"))


_SPACE = re.compile(r"\s")
_anchor_memo = threading.local()  # per thread: the anchors' matches in the text being read


def _anchor_spans(text: str, anchor: Any) -> list[tuple[int, int]]:
    """The matches of `anchor` in `text`, found once per text however many grammars ask."""
    memo = _anchor_memo.__dict__
    if memo.get("text") is not text:
        memo.clear()
        memo["text"] = text
    spans = memo.get(anchor.pattern)
    if spans is None:
        spans = memo[anchor.pattern] = [m.span() for m in guarded(anchor).finditer(text)]
    return spans


def windows(text: str, anchor: Any, before: int = 48, after: int = 48) -> list[tuple[int, int]]:
    """Merged stretches of text around each match of `anchor` (a compiled pattern), each widened to
    the next space (at most 16 characters further). Patterns that cannot match without an anchor (money
    without a currency word, a date without a year) run only there: most of a text is skipped, and
    Python's `re` scans it 10x faster."""
    merged: list[tuple[int, int]] = []
    low = high = -1
    for match_start, match_end in _anchor_spans(text, anchor):  # in text order, ends too: each widened stretch
        if low >= 0 and match_start - before <= high + 16:  # ends no earlier (16: the widening below may join them)
            high = match_end + after
        else:
            if low >= 0:
                merged.append((low, high))
            low, high = max(0, match_start - before), match_end + after
    if low >= 0:
        merged.append((low, high))
    size = len(text)
    spans = []
    for start, end in merged:
        end = min(size, end)
        space = _SPACE.search(text, end, min(size, end + 16))  # Chinese has no spaces: widen a little, not to the end
        spans.append((start, space.start() if space else min(size, end + 16)))
    return spans
