"""Redaction: a copy of a text with person names, phone numbers, e-mail addresses and ID-like numbers
replaced by pseudonyms, and the list of what was replaced.

Threat: a redacted copy leaves the organisation (to a partner, a lawyer, a UN mechanism) and may be
read by the very people the survivor fled; the copy must not let anyone recover or confirm a name.
Mechanism: each pseudonym is an HMAC-SHA256 of the value, under a secret drawn for the run and never
written anywhere, so within a run the same person gets the same pseudonym (Korean names keyed by
`redzone.names.name_keys`: 김혜진 and Kim Hye-jin are one person), while no one holding the output
can test a guess against it. Order: names are found by the extraction method, then every further
occurrence of a found name is replaced too; contact details and numbers are found by patterns.
The report lists types, offsets and pseudonyms; the originals only when explicitly asked for.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from redzone.extract.facts import detect_language
from redzone.extract.methods import REDACTION_METHOD, get_method

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("id_number", re.compile(r"(?<!\d)(?:\d{6}-[1-4]\d{6}|\d{17}[\dXx]|[A-Z]{1,2}\d{7,8})(?![\dA-Za-z])")),
    ("phone", re.compile(r"(?<![\w+])(?:\+|00)\d{1,3}[\s.-]?(?:\(?\d{1,4}\)?[\s.-]?){2,4}\d{2,4}(?!\d)")),
    ("phone", re.compile(r"(?<!\d)(?:01[016789]|02|0\d{2})[\s.-]?\d{3,4}[\s.-]?\d{4}(?!\d)")),
    ("phone", re.compile(r"(?<!\d)1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")),
    ("id_number", re.compile(r"(?<![\d-])\d{9,16}(?![\d-])")),
]
_LABELS = {"person": "PERSON", "phone": "PHONE", "email": "EMAIL", "id_number": "ID"}


@dataclass(frozen=True)
class Replacement:
    """One replaced stretch: offsets into the original text and into the redacted one."""

    type: str
    start: int
    end: int
    pseudonym: str
    original: str
    new_start: int = 0
    new_end: int = 0

    def to_dict(self, show_original: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.type, "start": self.start, "end": self.end, "pseudonym": self.pseudonym,
                                "redacted_start": self.new_start, "redacted_end": self.new_end}
        if show_original:
            data["original"] = self.original
        return data


@dataclass
class Redactor:
    """Pseudonyms for one run: the same value always gets the same pseudonym from one Redactor."""

    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    def pseudonym(self, kind: str, value: str) -> str:
        digest = hmac.new(self.secret, f"{kind}\x00{self._normal(kind, value)}".encode(), hashlib.sha256).hexdigest()
        return f"{_LABELS[kind]}-{digest[:6].upper()}"

    @staticmethod
    def _normal(kind: str, value: str) -> str:
        if kind == "person":
            value = re.sub(r"^(?:Ms|Mr|Mrs|Miss|Dr)\.?\s+", "", value.strip())
            try:
                from redzone.names import name_keys

                keys = name_keys(value)
                if keys.surname and keys.given:
                    return f"{keys.surname}:{keys.given}"
            except Exception:  # noqa: BLE001 - a name the key builder cannot read is keyed by its letters
                pass
            return re.sub(r"[\s\-.]", "", value.casefold())
        if kind in ("phone", "id_number"):
            return re.sub(r"\D", "", value) or value
        return value.casefold()

    def redact(self, text: str, language: str = "auto", method: str | None = None) -> tuple[str, list[Replacement]]:
        """The redacted text and the replacements, in text order."""
        spans: list[tuple[int, int, str]] = []
        for kind, pattern in _PATTERNS:
            for match in pattern.finditer(text):
                if not _overlaps(match.start(), match.end(), spans):
                    spans.append((match.start(), match.end(), kind))
        lang = detect_language(text) if language == "auto" else language
        names = {f.text for f in get_method(method or REDACTION_METHOD).extract(text, lang) if f.type == "person"}
        for name in sorted(names, key=len, reverse=True):
            boundary = r"(?<!\w){}(?!\w)" if lang == "en" else "{}"
            for match in re.finditer(boundary.format(re.escape(name)), text):
                if not _overlaps(match.start(), match.end(), spans):
                    spans.append((match.start(), match.end(), "person"))
        spans.sort()
        pieces, replacements, position, shift = [], [], 0, 0
        for start, end, kind in spans:
            original = text[start:end]
            pseudonym = self.pseudonym(kind, original)
            pieces += [text[position:start], pseudonym]
            new_start = start + shift
            shift += len(pseudonym) - (end - start)
            replacements.append(Replacement(kind, start, end, pseudonym, original, new_start, new_start + len(pseudonym)))
            position = end
        pieces.append(text[position:])
        return "".join(pieces), replacements


def _overlaps(start: int, end: int, spans: list[tuple[int, int, str]]) -> bool:
    return any(a < end and start < b for a, b, _ in spans)


def redact_text(text: str, language: str = "auto", method: str | None = None,
                redactor: Redactor | None = None) -> tuple[str, list[Replacement]]:
    """Redact one text with a fresh per-run secret (or the given redactor, to share pseudonyms across files)."""
    return (redactor or Redactor()).redact(text, language, method)
