"""Name keys: one canonical key for every way a Korean surname is written, a folded key for given
names, and the split of a full name into the two — shared by record linkage and by the duplicate
warning at entry time, so both agree on who "may be the same person".

Keys are for blocking and comparison, not for display: they deliberately merge spellings that
romanisation systems and ad-hoc habits keep apart (eo/o/u, k/g, l/r …), so two different given names
may share a key; a string similarity on the keys (Jaro-Winkler) separates what folding merges.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from redzone.names.korean import has_hangul, is_hangul_syllable, romanise, to_south_initial

DATA_FILE = Path(__file__).with_name("data") / "surnames.yaml"


@dataclass(frozen=True, slots=True)
class Surname:
    """One surname of the table, with the spellings the demo generator and the keys use."""

    key: str
    hangul: tuple[str, ...]
    hanja: tuple[str, ...]
    rr: str
    mr: str
    customary: tuple[str, ...]
    variants: tuple[str, ...]
    pinyin: tuple[str, ...]
    share: float


@dataclass(frozen=True, slots=True)
class NameKeys:
    """Keys of a full name: `surname` (canonical surname key, '' if none found), `given` (folded given
    name) and `phonetic` (surname plus the given name's consonant skeleton, for loose blocking)."""

    surname: str
    given: str
    phonetic: str


class SurnameTableError(ValueError):
    """The surname data file is malformed or gives one spelling to two surnames."""


def _exact_form(text: str) -> str:
    """Lower case, NFC, spaces/hyphens/dots removed; diacritics and apostrophes kept (Ch'ŏn ≠ Chon)."""
    text = unicodedata.normalize("NFC", text.strip().casefold()).replace("’", "'").replace("ʼ", "'")
    return re.sub(r"[\s\-‐‑.,·]+", "", text)


def _plain_form(text: str) -> str:
    """As `_exact_form`, without diacritics (Ch'ŏn → ch'on)."""
    decomposed = unicodedata.normalize("NFKD", _exact_form(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _ascii_form(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if "a" <= ch <= "z")


_VOWEL_FOLDS = (("eui", "ui"), ("ee", "i"), ("oo", "u"), ("eo", "o"), ("eu", "u"), ("ou", "o"), ("ui", "i"),
                ("ae", "e"), ("oe", "we"), ("wae", "we"))
_CONSONANT_FOLDS = str.maketrans({"g": "k", "d": "t", "b": "p", "l": "r", "f": "p", "z": "j", "x": "s", "q": "k"})
_REPEAT = re.compile(r"(.)\1+")
_AFTER_CONSONANT_YE = re.compile(r"(?<=[^aeiouwy])ye")
_SILENT_H = re.compile(r"h(?![aeiouwy])")


def fold_latin(text: str) -> str:
    """The loose form of a romanised name: ASCII letters only, RR/MR/ad-hoc differences folded.

    Vowels: ee→i, oo→u, eo→o, eu→u, ou→o, ui→i, ae→e, consonant+ye→e, then u→o (so Jung/Jeong/Chŏng,
    Eun/Ŭn/Un and Young/Yeong/Yŏng agree). Consonants: ch/j, sh/s, ck/k, k/g, t/d, p/b, l/r, a silent h
    (Sun-ah) dropped, doubled letters single. The initial-sound rule: initial r/l before i or y is
    dropped, before another vowel it is n; n before y is dropped (Ryon-hui = Yeon-hee, Ran = Nan).
    """
    text = _ascii_form(text)
    if not text:
        return ""
    for old, new in _VOWEL_FOLDS:
        text = text.replace(old, new)
    text = text.replace("tch", "j").replace("ch", "j").replace("sh", "s").replace("ph", "p").replace("kh", "k")
    text = _AFTER_CONSONANT_YE.sub("e", text.replace("ck", "k"))
    text = _SILENT_H.sub("", text.translate(_CONSONANT_FOLDS).replace("u", "o"))
    text = _REPEAT.sub(r"\1", text)
    if len(text) > 1:
        if text[0] == "r":
            text = text[1:] if text[1] in "iy" else "n" + text[1:] if text[1] in "aeo" else text
        elif text[0] == "n" and text[1] == "y":
            text = text[1:]
    return text


class SurnameTable:
    """Look-ups from any spelling of a surname to its entry, built once from the data file.

    A spelling is looked up exactly (diacritics and apostrophes kept: Ch'ŏn), then without diacritics
    (Ch'on), then as plain ASCII (Chon), then folded; at each level a form written that way in the data
    wins over one derived from a more precise form, so "Chon" is 전 (listed) although "Ch'ŏn" (천)
    also folds to it.
    """

    def __init__(self, surnames: list[Surname]) -> None:
        self.surnames = tuple(surnames)
        self.by_key = {s.key: s for s in surnames}
        self.rank = {s.key: n for n, s in enumerate(surnames)}
        self._hangul: dict[str, str] = {}
        problems: list[str] = []
        chosen: dict[str, str] = {}
        for s in surnames:  # spellings people choose, and the written characters, name one surname each
            for form in (*s.customary, *s.variants):
                owner = chosen.setdefault(_exact_form(form), s.key)
                if owner != s.key:
                    problems.append(f"{form!r} is given to both {owner!r} and {s.key!r}")
            for written in (*s.hangul, *s.hanja):
                owner = self._hangul.setdefault(to_south_initial(written), s.key)
                if owner != s.key:
                    problems.append(f"{written!r} is given to both {owner!r} and {s.key!r}")
        if problems:
            raise SurnameTableError("surname table: " + "; ".join(problems))
        # In priority order: chosen spellings, then system ones (the more common surname first), then pinyin.
        forms = [(form, s.key) for s in surnames for form in (*s.customary, *s.variants)]
        forms += [(form, s.key) for s in surnames for form in (s.rr, s.mr)]
        forms += [(form, s.key) for s in surnames for form in s.pinyin]
        self._levels: list[tuple] = []
        for level in (_exact_form, _plain_form, _ascii_form):
            table: dict[str, str] = {}
            for native in (True, False):
                for form, key in forms:
                    if (level(form) == _exact_form(form)) == native:
                        table.setdefault(level(form), key)
            self._levels.append((level, table))
        folded: dict[str, str] = {}
        for form, key in forms + [(romanise(s.hangul[0]), s.key) for s in surnames]:
            folded.setdefault(fold_latin(form), key)
        self._levels.append((fold_latin, folded))

    def find(self, written: str) -> Surname | None:
        """The surname written as `written` (Hangul, hanja or any romanisation), or None if unknown."""
        key = self._lookup(written)
        return self.by_key.get(key) if key else None

    def _lookup(self, written: str) -> str | None:
        text = written.strip()
        if not text:
            return None
        if has_hangul(text) or any("\u4e00" <= ch <= "\u9fff" for ch in text):
            compact = re.sub(r"\s+", "", unicodedata.normalize("NFC", text))
            return self._hangul.get(to_south_initial(compact))
        for level, table in self._levels:
            form = level(text)
            if form and form in table:
                return table[form]
        return None

    def key(self, written: str) -> str:
        """The canonical key; for a surname not in the table, the folded spelling (romanised first)."""
        key = self._lookup(written)
        if key:
            return key
        text = unicodedata.normalize("NFC", written.strip())
        if has_hangul(text):
            text = romanise(to_south_initial(text), sound_changes=False)
        return fold_latin(text) or re.sub(r"\s+", "", text.casefold())


@functools.cache
def surname_table(path: str | Path | None = None) -> SurnameTable:
    """The surname table from `path` (default: the packaged data file), read once."""
    with open(path or DATA_FILE, encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    entries = []
    for n, item in enumerate(data.get("surnames") or []):
        try:
            entries.append(Surname(
                key=str(item["key"]), hangul=tuple(item["hangul"]), hanja=tuple(item.get("hanja") or ()),
                rr=str(item["rr"]), mr=str(item["mr"]), customary=tuple(map(str, item.get("customary") or ())),
                variants=tuple(map(str, item.get("variants") or ())), pinyin=tuple(map(str, item.get("pinyin") or ())),
                share=float(item.get("share", 0.0))))
        except (KeyError, TypeError, ValueError) as error:
            raise SurnameTableError(f"surname table entry {n + 1}: {error}") from None
    return SurnameTable(entries)


def surname_key(written: str) -> str:
    """Canonical key of a surname in Hangul, hanja or any romanisation: 김/Kim/Gim/Kym → 'kim',
    이/리/Lee/Yi/Rhee/Ri/I → 'lee'. Unknown surnames get their folded spelling."""
    return surname_table().key(written)


def _given_romanised(written: str) -> str:
    text = unicodedata.normalize("NFC", written)
    if not has_hangul(text):
        return text
    compact = "".join(ch for ch in text if not ch.isspace() and ch not in "-‐‑")
    return romanise(to_south_initial(compact), sound_changes=False)


def given_name_key(written: str) -> str:
    """Folded key of a given name: Mi-ok / Miok / Mi Ok / 미옥 → 'miok'; Eun-hee / Un-hui / Eunhui / 은희
    share one key. Hangul is romanised syllable by syllable (as names are), after the initial-sound rule."""
    return fold_latin(_given_romanised(written))


_SEPARATOR = re.compile(r"[\s,]+")


def _is_caps(token: str) -> bool:
    letters = [ch for ch in token if ch.isalpha()]
    return len(letters) > 1 and all(ch.isupper() for ch in letters)


def split_name(full_name: str) -> tuple[str, str]:
    """(surname, given name) as written, for a Hangul name (김미옥, 남궁민수, 김 미옥) or a romanised one in
    either order (Kim Mi-ok, Mi-ok Kim, KIM Miok, 'Kim, Mi-ok'). The surname is '' when none is found."""
    text = unicodedata.normalize("NFC", full_name).strip()
    if not text:
        return "", ""
    table = surname_table()
    if "," in text:  # "Kim, Mi-ok": the surname is written first, then a comma
        head, _, tail = text.partition(",")
        return head.strip(), tail.strip()
    tokens = [t for t in _SEPARATOR.split(text) if t]
    if len(tokens) == 1 and all(is_hangul_syllable(ch) for ch in tokens[0]):
        word = tokens[0]
        if len(word) >= 3 and table.find(word[:2]) is not None:
            return word[:2], word[2:]
        if len(word) >= 2:
            return word[:1], word[1:]
        return word, ""
    if len(tokens) == 1:
        return (tokens[0], "") if table.find(tokens[0]) is not None else ("", tokens[0])
    first, last = tokens[0], tokens[-1]
    caps_first, caps_last = _is_caps(first) and not _is_caps(last), _is_caps(last) and not _is_caps(first)
    if caps_first or caps_last:
        surname_last = caps_last
    else:
        known_first, known_last = table.find(first), table.find(last)
        if "-" in first and "-" not in last:  # a hyphen marks the given name: Mi-ok Kim
            surname_last = known_last is not None or known_first is None
        elif known_first and known_last:  # both could be surnames: Korean order unless the last is far commoner
            surname_last = 3 * table.rank[known_last.key] < table.rank[known_first.key] and "-" not in last
        else:
            surname_last = known_last is not None and known_first is None
    if surname_last:
        return last, " ".join(tokens[:-1])
    return first, " ".join(tokens[1:])


def phonetic_key(given_key: str) -> str:
    """The consonant skeleton of a folded given-name key (first letter, then the consonants other than
    w, y and h, repeats collapsed): spellings that differ only in vowels — Myung/Myong, Hye/Hae —
    share it. Coarse on purpose: a phonetic agreement level, weaker than an exact key."""
    return _skeleton(given_key)


def _skeleton(given: str) -> str:
    if not given:
        return ""
    rest = "".join(ch for ch in given[1:] if ch not in "aeiouwyh")
    return _REPEAT.sub(r"\1", given[0] + rest)


def name_keys(full_name: str) -> NameKeys:
    """Keys of a full name in Hangul or romanised in either order: '김미옥', 'Kim Mi-ok', 'Mi-ok Kim'
    and 'KIM Miok' all give NameKeys('kim', 'miok', 'kim:mk')."""
    surname, given = split_name(full_name)
    surname_part = surname_key(surname) if surname else ""
    given_part = given_name_key(given) if given else ""
    return NameKeys(surname_part, given_part, f"{surname_part}:{_skeleton(given_part)}")
