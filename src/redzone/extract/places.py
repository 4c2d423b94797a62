"""Places in text, found through the vocabulary's gazetteer in Latin script, Hangul and Chinese
characters, with the guards that keep rivers, mountains, peoples and common words from being taken
for places (the Tumen River is not Tumen; 조선족 and 朝鲜族 are a people; 통화했다 is a phone call)."""

from __future__ import annotations

import functools
import re

from redzone.extract.facts import Fact, make
from redzone.extract.lexicon import bounded, fold
from redzone.extract.scanning import guarded, trie_pattern
from redzone.vocab import Place, load_vocabulary
from redzone.vocab.model import KIND_ORDER

_HANGUL = re.compile(r"[가-힣]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Longest first: an ethnic autonomous county or prefecture is named by its first characters alone
# (宽甸满族自治县 -> 宽甸, 연변조선족자치주 -> 연변).
_CJK_SUFFIXES = ("满族自治县", "朝鲜族自治县", "朝鲜族自治州", "蒙古族自治县", "만족자치현", "조선족자치현", "조선족자치주",
                 "自治区", "자치구", "特别市", "直辖市", "自治州", "自治县", "特別市", "특별시", "직할시", "市", "县", "縣", "省", "郡", "道",
                 "区", "镇", "시", "군", "현", "도", "성", "진", "읍", "구")
# Two-syllable Korean names that are far more often ordinary words: found only with their suffix
# (집안시, 안도현) or by the morpheme method, which sees whether the word is a proper noun.
KO_COMMON_WORDS = frozenset({"집안", "안도", "통화", "원정", "권하", "성진"})
_KO_VERB_AFTER = re.compile(r"^(?:하|되|했|됐|돼|시키|시켰)")
# A word that only a place takes after it: such a common word is then the place (통화 시내, 안도 일대).
# An institution of a town names the town too: 통화 간수소, 집안 변방대.
_KO_PLACE_AFTER = re.compile(r"^\s?(?:시내|일대|근처|외곽|인근|지역|역(?![가-힣])|방면|쪽으로|쪽에서|간수소|구류장|구치소|변방대|공안국|파출소|집결소|보위부|교화소|노동단련대|감옥|산골|시골|농촌|마을|골짜기)")
# Living or staying there names the place too (안도에 있어요, 통화에서 살았다), but not 집안에 있어요 ("at home").
_KO_STAY_AFTER = re.compile(r"^에(?:서)?\s(?:있|살|사는|남아|지내)")
_ZH_NOT_PLACE_AFTER = re.compile(r"^(?:江|河|山(?!沟|里|区|村))")  # 图们江, 鸭绿江, 长白山: rivers and mountains; 汪清山沟 is Wangqing
_PEOPLE_AFTER = {"ko": re.compile(r"^(?:족|인|어)"), "zh": re.compile(r"^(?:族|人|语|话)")}
_EN_NOT_PLACE_AFTER = re.compile(r"^\s+(?:River|river|Mountains?|mountains?)\b")
# A river crossed, waded or followed is the river even without the word: "we crossed the Tumen on the ice".
_EN_RIVER_BEFORE = re.compile(r"\b(?:cross(?:ed|es|ing)?|wad(?:ed|ing)|swam|swimming|across|along|banks? of|into|frozen) the\s+$", re.I)


def _base(name: str) -> str:
    """'연길시' -> '연길', '吉林省' -> '吉林'; Latin names and two-character names are kept whole."""
    for suffix in _CJK_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2 and not name.isascii():
            return name[: -len(suffix)]
    return name


def _by_first_letter(alternatives: list[str]) -> str:
    """The alternation of `alternatives` (in their order) with their first letters taken out in front:
    `re` tries one letter for each, not each name in turn. The same matches: names of different first letters
    never match at one place, and those of one letter keep their order. As given when one does not start
    with a plain letter or digit."""
    if not all(alternative[:1].isalnum() for alternative in alternatives):
        return "|".join(alternatives)
    groups: dict[str, list[str]] = {}
    for alternative in alternatives:
        groups.setdefault(alternative[0], []).append(alternative[1:])
    return "|".join(f"{letter}(?:{'|'.join(rests)})" for letter, rests in groups.items())


class Gazetteer:
    """Every name and variant of every place, compiled into one pattern per script."""

    def __init__(self) -> None:
        vocabulary = load_vocabulary()
        self.vocabulary = vocabulary
        names: dict[str, set[str]] = {}
        primary: dict[str, set[str]] = {}
        for place in vocabulary.places.values():
            for name in {place.name_en, place.name_ko, place.name_zh, *place.variants}:
                for form in {name, _base(name)}:
                    key = self._key(form)
                    names.setdefault(key, set()).add(place.id)
            for name in (place.name_en, place.name_ko, place.name_zh):
                primary.setdefault(self._key(name), set()).add(place.id)
                primary.setdefault(self._key(_base(name)), set()).add(place.id)
        self._names = names
        self._primary = primary
        latin = [n for n in names if not (_HANGUL.search(n) or _HAN.search(n))]
        # English: one alternation over folded text, matched case-sensitively (10x faster than IGNORECASE),
        # tried only where a word starts (every name starts with a letter or digit): 4x faster again.
        self._latin = re.compile(r"(?<!\w)(?=\w)(?:"
                                 + _by_first_letter([self._latin_regex(n) for n in sorted(latin, key=len, reverse=True)]) + ")")
        # Korean and Chinese: one pattern giving the leftmost match, the longest name there (a trie of the
        # names: `re` tries a name's characters once for all names sharing them; an alternation, longest
        # first, would try the 500 names one by one: 2x the time)
        cjk = [n for n in names if _HANGUL.search(n) or _HAN.search(n)]
        self._cjk = re.compile(trie_pattern(cjk))
        self._cache: dict[str, list[Place]] = {}

    @staticmethod
    def _key(name: str) -> str:
        return name.casefold().replace("’", "'").replace("ʼ", "'")

    @staticmethod
    def _latin_regex(name: str) -> str:
        pattern = re.escape(fold(name)).replace("'", "['’ʼ]").replace(r"\ ", r"\s+").replace(r"\-", r"[-‐–\s]?")
        return pattern + r"(?!['’ʼ](?!s\b)\w)"

    def places_for(self, name: str) -> list[Place]:
        """The places a matched name may mean, the likeliest first: a place whose own name it is
        before one that only lists it as a variant, then by kind (a province before a city)."""
        if name in self._cache:
            return self._cache[name]
        key = self._key(re.sub(r"\s+", " ", name).replace("–", "-"))
        ids = self._names.get(key) or self._names.get(key.replace("-", ""), set())
        main = self._primary.get(key, set()) & ids
        places = [self.vocabulary.places[i] for i in ids]
        result = sorted(places, key=lambda p: (p.id not in main, KIND_ORDER.index(p.kind), p.id))
        if len(self._cache) < 50_000:
            self._cache[name] = result
        return result

    def _scan(self, text: str, lang: str) -> list[tuple[int, int, str]]:
        """Leftmost-longest name matches: (start, end, script the name is written in)."""
        found: list[tuple[int, int, str]] = []
        folded = fold(text)
        for match in guarded(self._latin).finditer(folded):
            if bounded(folded, match.start(), match.end()) and not (lang != "en" and len(match.group()) < 4):
                found.append((match.start(), match.end(), "en"))
        if lang != "en":
            found.extend((match.start(), match.end(), lang) for match in self._cjk.finditer(text))
        return found

    def find(self, text: str, lang: str) -> list[tuple[int, int, Place, float]]:
        """(start, end, place, confidence) for every place name in the text."""
        found = []
        for start, end, script in self._scan(text, lang):
            guarded = self._guard(text, start, end, text[start:end], script)
            if guarded is None:
                continue
            start, end = guarded
            candidates = self.places_for(text[start:end])
            if candidates:
                found.append((start, end, candidates[0], 0.9 if len(candidates) == 1 else 0.7))
        return found

    def _guard(self, text: str, start: int, end: int, name: str, lang: str) -> tuple[int, int] | None:
        after = text[end:end + 4]
        place = self.places_for(name)
        is_country = bool(place) and place[0].kind == "country"
        if lang == "en":
            if _EN_NOT_PLACE_AFTER.match(text[end:end + 12]) or _EN_RIVER_BEFORE.search(text, max(0, start - 24), start):
                return None
            return start, end
        if lang == "ko":
            if start > 0 and _HANGUL.match(text[start - 1]):
                return None  # inside a longer word: 탈북한 is not 북한
            if name in KO_COMMON_WORDS and (_KO_PLACE_AFTER.match(text[end:end + 6])
                                            or name != "집안" and _KO_STAY_AFTER.match(text[end:end + 6])):
                return start, end
            if name in KO_COMMON_WORDS or (len(name) == 2 and _KO_VERB_AFTER.match(after)):
                return None
            if is_country and _PEOPLE_AFTER["ko"].match(after):
                return None
            return start, end
        if _ZH_NOT_PLACE_AFTER.match(after) or (is_country and _PEOPLE_AFTER["zh"].match(after)):
            return None
        if name.endswith("市") and after.startswith("场"):
            return start, end - 1  # 惠山市场 is the market of Hyesan, not "Hyesan City" + 场
        return start, end


@functools.cache
def gazetteer() -> Gazetteer:
    return Gazetteer()


def find_places(text: str, lang: str) -> list[Fact]:
    """Place facts, each with its gazetteer id, English name and coordinates."""
    return [make("place", text, start, end, confidence, gazetteer_id=place.id, name=place.name_en,
                 lat=place.lat, lon=place.lon)
            for start, end, place, confidence in gazetteer().find(text, lang)]
