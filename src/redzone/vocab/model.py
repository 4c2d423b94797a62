"""The vocabulary's objects: frozen dataclasses for each kind of entry, and the read-only `Vocabulary`
with its look-ups (places by name in any script, provinces, labels)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import Any, Mapping

from redzone.errors import RedzoneError

KIND_ORDER = ("country", "province", "prefecture", "city", "county", "district", "crossing")


class VocabularyError(RedzoneError):
    """The vocabulary's data files are invalid, or a code or place asked for is not in them."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class Element:
    """One element of a legal provision, to be evidenced by acts, persons or the situation."""

    id: str
    provision_id: str
    label_en: str
    label_ko: str
    level: str  # act | person | situation


@dataclass(frozen=True)
class Provision:
    """An article of an instrument, with the elements a legal analyst must see evidenced."""

    id: str
    instrument: str
    article: str
    label_en: str
    label_ko: str
    elements: tuple[Element, ...]
    minor_age: int | None = None
    minor_waives: tuple[str, ...] = ()  # elements not needed when the victim is under minor_age
    instrument_ko: str = ""
    article_ko: str = ""  # the article as cited in Korean, where `article` has words ("chapeau")
    combine: str = "all"  # all: every element needed; any: elements are alternative forms
    requires: tuple[str, ...] = ()  # provisions whose elements must also be met (context)


@dataclass(frozen=True)
class Violation:
    """A violation type: what an act is coded as, and the law it may engage."""

    code: str
    label_en: str
    label_ko: str
    definition_en: str
    category: str
    provisions: tuple[str, ...]
    elements: tuple[str, ...]
    note_en: str = ""


@dataclass(frozen=True)
class PerpetratorRole:
    code: str
    label_en: str
    label_ko: str
    state_actor: bool
    definition_en: str = ""


@dataclass(frozen=True)
class Term:
    """One code of a controlled list."""

    code: str
    label_en: str
    label_ko: str


@dataclass(frozen=True)
class Place:
    """A gazetteer entry; `id` is stable and is what records store."""

    id: str
    kind: str
    name_en: str
    name_ko: str
    name_zh: str
    variants: tuple[str, ...]
    parent: str | None
    country: str  # ISO 3166-1 alpha-2, upper case
    lat: float
    lon: float
    geonames_id: int | None = None
    across: str | None = None  # crossings: the place on the other side of the border


_SEPARATORS = re.compile(r"[\s\-‐‑–—'’‘ʼ`´.,·・()（）]+")
_LATIN_SUFFIX = re.compile(
    r"[\s\-]+(si|shi|gun|do|up|ŭp|eup|ri|dong|rodongjagu|nodongjagu|workers'? district|city|county|"
    r"province|prefecture|district|town|special city)$", re.IGNORECASE)
_CJK_LONG_SUFFIXES = ("노동자구", "로동자구", "劳动者区", "勞動者區", "특별시", "직할시", "特别市", "直辖市")
_CJK_SUFFIXES = set("市县縣省郡道区區镇鎮乡鄉里시군현도성구진읍리")


def normalise_name(text: str) -> str:
    """Fold case, strip diacritics (ŏ ŭ), apostrophes, hyphens and spaces; Hangul and Han kept as is."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = unicodedata.normalize("NFC", "".join(ch for ch in text if not unicodedata.combining(ch)))
    return _SEPARATORS.sub("", text)


def _base_name(text: str) -> str:
    """The name without an administrative suffix: 'Yanji City' -> 'Yanji', '연길시' -> '연길'."""
    text = text.strip()
    stripped = _LATIN_SUFFIX.sub("", text)
    if stripped != text:
        return stripped
    for suffix in _CJK_LONG_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            return text[: -len(suffix)]
    if len(text) >= 3 and text[-1] in _CJK_SUFFIXES:
        return text[:-1]
    return text


class Vocabulary:
    """The loaded vocabulary: violations, provisions, roles, lists and places, read-only."""

    def __init__(self, version: str, violations: dict[str, Violation], provisions: dict[str, Provision],
                 roles: dict[str, PerpetratorRole], lists: dict[str, dict[str, Term]],
                 list_labels: dict[str, Term], places: dict[str, Place]) -> None:
        self.version = version
        self.violations: Mapping[str, Violation] = MappingProxyType(violations)
        self.provisions: Mapping[str, Provision] = MappingProxyType(provisions)
        self.elements: Mapping[str, Element] = MappingProxyType(
            {e.id: e for p in provisions.values() for e in p.elements})
        self.roles: Mapping[str, PerpetratorRole] = MappingProxyType(roles)
        self.lists: Mapping[str, Mapping[str, Term]] = MappingProxyType(
            {name: MappingProxyType(terms) for name, terms in lists.items()})
        self.list_labels: Mapping[str, Term] = MappingProxyType(list_labels)
        self.places: Mapping[str, Place] = MappingProxyType(places)
        self._exact: dict[str, set[str]] = {}
        self._base: dict[str, set[str]] = {}
        for place in places.values():
            for name in (place.name_en, place.name_ko, place.name_zh, *place.variants):
                self._exact.setdefault(normalise_name(name), set()).add(place.id)
                self._base.setdefault(normalise_name(_base_name(name)), set()).add(place.id)

    def __repr__(self) -> str:
        return (f"<Vocabulary {self.version}: {len(self.violations)} violations, {len(self.provisions)} provisions,"
                f" {len(self.roles)} roles, {len(self.places)} places>")

    def element(self, element_id: str) -> Element:
        try:
            return self.elements[element_id]
        except KeyError:
            raise VocabularyError(f"unknown legal element {element_id!r}") from None

    def place(self, place_id: str) -> Place:
        try:
            return self.places[place_id]
        except KeyError:
            raise VocabularyError(f"unknown place id {place_id!r}") from None

    def ancestors(self, place_id: str) -> tuple[Place, ...]:
        """The enclosing places, nearest first (parent, grandparent, …, country); not the place itself."""
        chain: list[Place] = []
        place = self.place(place_id)
        while place.parent is not None:
            place = self.places[place.parent]
            chain.append(place)
        return tuple(chain)

    def province_of(self, place_id: str) -> Place | None:
        """The place itself or its nearest ancestor of kind 'province'; None above or outside provinces."""
        place = self.place(place_id)
        return next((p for p in (place, *self.ancestors(place_id)) if p.kind == "province"), None)

    def find_places(self, name: str) -> list[Place]:
        """Places whose name or a variant matches, ignoring case, diacritics, spacing and punctuation.

        Exact matches win; otherwise an administrative suffix is ignored on either side
        ('Yanji City', '延吉', '회령' all find their place). Ordered country first, then by id.
        """
        key = normalise_name(name)
        if not key:
            return []
        ids = self._exact.get(key, set())
        if not ids:
            base = normalise_name(_base_name(name))
            ids = self._base.get(key, set()) | self._base.get(base, set()) | self._exact.get(base, set())
        places = [self.places[i] for i in ids]
        return sorted(places, key=lambda p: (KIND_ORDER.index(p.kind) if p.kind in KIND_ORDER else 99, p.id))

    def label(self, kind: str, code: str | int, lang: str = "en") -> str:
        """The label of a code in 'en' or 'ko' ('zh' too for places); kind: violation, role, place,
        provision, element, or a list name."""
        if lang not in ("en", "ko", "zh") or (lang == "zh" and kind != "place"):
            raise VocabularyError(f"no {lang!r} labels for {kind!r}; use 'en' or 'ko'")
        tables: dict[str, Mapping[str, Any]] = {
            "violation": self.violations, "role": self.roles, "place": self.places,
            "provision": self.provisions, "element": self.elements, **self.lists}
        if kind not in tables:
            raise VocabularyError(f"unknown vocabulary kind {kind!r}")
        item = tables[kind].get(str(code))  # credibility grades may arrive as integers
        if item is None:
            raise VocabularyError(f"{code!r} is not in the vocabulary's {kind}")
        return getattr(item, f"name_{lang}" if kind == "place" else f"label_{lang}")

    def to_dict(self) -> dict[str, Any]:
        """Everything, JSON-serialisable: the output of `redzone vocab --json`."""

        def plain(obj: Any) -> Any:
            data = asdict(obj)
            return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

        return {
            "version": self.version,
            "violations": {c: plain(v) for c, v in self.violations.items()},
            "provisions": {i: {**plain(p), "elements": [asdict(e) for e in p.elements]}
                           for i, p in self.provisions.items()},
            "roles": {c: plain(r) for c, r in self.roles.items()},
            "lists": {n: {c: plain(t) for c, t in terms.items()} for n, terms in self.lists.items()},
            "list_labels": {n: plain(t) for n, t in self.list_labels.items()},
            "places": {i: plain(p) for i, p in self.places.items()},
        }
