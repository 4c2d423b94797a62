"""Quantities — counts and proportions, the raw material of claims — in English, Korean and Chinese:
"up to 500,000 women", "2.6 million", "70 to 80 percent", "최대 50만 명", "8만 2천여 건", "600명이 넘는",
"3만에서 10만 명", "세 자매", "多达50万人", "8.2万多起", "七成到八成", "三名男子", "3万到10万人", "三姐妹", "两国",
"fell to 67", "61 said", "至少有1800名", "두세 명", "三四个人", "十来个人", shares ("a third", "3분의 2", 一半以上: see `shares`). Durations, dates, ages, money, ordinals, the number
one and vague amounts (数千, "thousands of") are not quantities; numbers that name a case or a file ("case file 17", "T-0412") are not either."""

from __future__ import annotations

import functools
import re

from redzone.extract import numbers
from redzone.extract.facts import Fact, make, windows
from redzone.extract.lexicon import Lexicon, qualifier_named
from redzone.extract.narrowing import narrowed
from redzone.extract.shares import find_shares

_EN_TIME = re.compile(r"^(?:days?|weeks?|months?|years?|decades?|hours?|minutes?|nights?|times?|centur(?:y|ies)|"
                      r"generations?|o'clock|am|pm)\b", re.I)
_EN_STOP = {"of", "in", "to", "and", "the", "a", "an", "at", "from", "for", "per", "who", "were", "was", "are", "is",
            "had", "have", "said", "with", "by", "on", "than", "that", "this", "or", "as", "it", "they", "alone"}
_EN_BEFORE_ID = re.compile(r"(?:\b(?:case|file|no\.?|number|testimony|interview|article|art\.|page|chapter|"
                           r"section|room|bus|route|table)\s*|[#T]-?|-)$", re.I)
# A bare number after a verb of change or measure is a count even with no noun after it ("fell to 67").
_EN_TREND = re.compile(r"\b(?:fell|rose|dropped|declined|climbed|increased|decreased|grew|jumped|reached|"
                       r"totall?ed|numbered|stood at)\s+(?:to\s+|by\s+|at\s+)?$", re.I)
# A bare number that is the subject of a verb of saying or being counts people: "Of the 143, 61 said".
_EN_SUBJECT = re.compile(r",?\s+(?:of (?:them|those|these|the \w+)\s+)?(?:said|say|says|reported|told|described|recalled|"
                         r"stated|had|have|were|are|died|escaped|remain(?:ed)?|agreed)\b", re.I)
_KO_UNITS = r"명|건|개국|개(?!월)|가구|곳|%|퍼센트|성(?=에서|의|\s)"
# People counted by a native numeral before the noun: 세 자매 (three sisters), 두 언니, 다섯 아이.
_KO_PEOPLE = r"자매|형제|남매|언니|누나|오빠|여동생|남동생|동생|딸|아들|아이|자녀|여성|여자|남자|소녀|가족|사람"
_KO_AFTER_QUAL = {"이상": "at_least", "넘는": "more_than", "넘게": "more_than", "초과": "more_than",
                  "미만": "fewer_than", "이하": "up_to", "가량": "about", "정도": "about", "쯤": "about", "가까이": "about",
                  "안팎": "about", "내외": "about", "남짓": "more_than"}
_KO_PAIRS = {"한두": 1, "두세": 2, "서너": 3, "너덧": 4, "대여섯": 5, "예닐곱": 6, "일고여덟": 7}
_ZH_AFTER_QUAL = {"以上": "at_least", "左右": "about", "上下": "about", "之多": "up_to", "以下": "up_to"}
_KO_AFTER = "|".join(sorted(_KO_AFTER_QUAL, key=len, reverse=True))
_ZH_UNITS = r"名|人|起|件|户|个(?!月|星期|小时|多月)|%|省|姐妹|兄弟|母女|国(?![家内外际籍])|地(?![区方点图步上下里])"


def _qualifier(lexicon: Lexicon, word: str | None) -> str:
    return qualifier_named(lexicon, word) or "exact"


@functools.cache
def _patterns(lexicon: Lexicon) -> dict[str, re.Pattern[str]]:
    before = "|".join(f"(?:{alt})" for alt in lexicon.qualifiers.values() if alt)
    lang = lexicon.language
    if lang == "en":
        number = numbers.EN_NUMBER
        return {"main": re.compile(
            rf"(?:(?P<qual>between|{before})\s+)?(?<![\w.,$€¥£-])(?P<n>{number})(?!\w|[,.]\d)"
            rf"(?:\s*(?:to|-|–|and|or)\s*(?P<n2>{number}))?(?:\s*(?P<pct>%|percent\b|per cent\b))?"
            rf"(?:\s+(?P<unit>(?:other\s+)?[A-Za-z]+(?:\s+and\s+girls)?))?", re.I)}
    if lang == "ko":
        number = rf"(?:{numbers.KO_NUMBER}|{numbers.KO_NATIVE})"
        return {
            "main": re.compile(
                rf"(?:(?P<qual>{before})\s?)?(?<![가-힣\d,.])(?P<n>{number})"
                rf"(?:\s?(?:{_KO_UNITS})?\s?(?:[~-]|에서|부터)\s?(?P<n2>{numbers.KO_NUMBER}))?\s?(?P<more>여\s?)?"
                rf"(?P<unit>{_KO_UNITS})(?:이|가|을|를|은|는|의|에)?(?:\s?(?P<after>{_KO_AFTER}))?"),
            # a native numeral after the noun it counts: 남자 둘, 여자가 여섯이나 있었다
            "noun": re.compile(r"(?P<noun>남자|여자|여성|아이|자녀|딸|아들|사람|동생|언니|오빠|누나|자매|형제)(?:이|가|는|도|을|를)?\s(?P<n>둘|셋|넷|다섯|여섯|일곱|여덟|아홉|열)"
                               r"(?=이나|이었|이던|이|은|을|를|도|만|과|\s|[.,])(?!이상)"),
            "people": re.compile(rf"(?<![가-힣])(?P<n>두|세|네|다섯|여섯|일곱|여덟|아홉|열)\s(?P<unit>{_KO_PEOPLE})"
                                 r"(?=[^가-힣]|[이가을를은는의과와도들에])"),
            # two neighbouring native numbers are a range: 두세 명 (2-3), 서너 사람, 대여섯 명
            "pair": re.compile(rf"(?<![가-힣])(?P<n>{'|'.join(_KO_PAIRS)})\s?(?P<unit>명|사람|가구|곳|건|{_KO_PEOPLE})"
                               r"(?=[^가-힣]|[이가을를은는의과와도들에])"),
        }
    number = numbers.ZH_NUMBER
    return {
        # two neighbouring numerals are a range (三四个人 3-4, 十七八名 17-18, 二三十人 20-30), not 34; 来 after
        # a number is "about" (十来个人): read before the main pattern, which would take them as one number
        "pair": re.compile(rf"(?<![数几上第{numbers.ZH_CHARS}])(?P<n>(?:[二三四五六七八九]?十)?[一二三四五六七八九]{{2}}"
                           rf"|[二三四五六七八][三四五六七八九]十)(?P<unit>{_ZH_UNITS})"),
        "about": re.compile(rf"(?<![数几上第{numbers.ZH_CHARS}])(?P<n>{number})来(?P<unit>{_ZH_UNITS})"),
        # 几 after tens is "and some" (二十几人: more than twenty); 几 alone (几十个) stays vague
        "odd": re.compile(rf"(?<![数几上第{numbers.ZH_CHARS}])(?P<n>[二三四五六七八九]?十)几(?P<unit>{_ZH_UNITS})"),
        # 有 or 占 may part a qualifier from its number (至少有1800名, 约有六成, 约占八成); 第 makes an ordinal (第三国)
        "main": re.compile(rf"(?:(?P<qual>{before})[有占]?)?(?<![数几上第])(?P<n>{number})(?:(?:到|至|~|-|—)(?P<n2>{number}))?"
                           rf"(?P<more>多|余)?(?P<unit>{_ZH_UNITS})(?P<after>以上|左右|上下|之多|以下)?"),
        "share": re.compile(rf"(?:(?P<qual>{before})[有占]?)?(?P<n>[一二三四五六七八九十])成(?:(?:到|至)(?P<n2>[一二三四五六七八九十])成)?"
                            rf"(?P<after>以上|左右|上下|以下)?"),
        "percent": re.compile(rf"(?:(?P<qual>{before}))?百分之(?P<n>{number})"),
    }


# A Chinese match of "about" holds 来 right before its unit, one of "odd" 几: a text with neither pair has
# none, told by one quick search for the pair (the unit's first characters, a few more harmless).
_ZH_UNIT_FIRSTS = "".join(sorted({unit[0] for unit in _ZH_UNITS.split("|")}))
_ZH_NEEDED = {"about": re.compile(f"来[{_ZH_UNIT_FIRSTS}]"), "odd": re.compile(f"几[{_ZH_UNIT_FIRSTS}]")}


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(start < b and a < end for a, b in taken)


def find_quantities(text: str, lexicon: Lexicon, taken: list[tuple[int, int]]) -> list[Fact]:
    """Quantity facts outside the spans already `taken` by money, ages and dates."""
    lang = lexicon.language
    facts: list[Fact] = []
    spans = windows(text, numbers.ANCHORS[lang], 32, 32)
    facts.extend(find_shares(text, lexicon, taken))
    taken = taken + [(f.start, f.end) for f in facts]
    for name, pattern in _patterns(lexicon).items():
        if lang == "zh" and name in _ZH_NEEDED and not _ZH_NEEDED[name].search(text):
            continue
        for match in narrowed(pattern).finditer(text, spans):
            fact = _read(text, match, name, lexicon)
            if fact is None or _overlaps(match.start("n"), match.end("n"), taken):
                continue
            if any(f.start < fact.end and fact.start < f.end for f in facts):
                continue
            facts.append(fact)
    return _first_mentions(text, sorted(facts, key=lambda f: f.start))


def _read(text: str, match: re.Match[str], kind: str, lexicon: Lexicon) -> Fact | None:
    lang = lexicon.language
    groups = {k: v for k, v in match.groupdict().items() if v}
    raw = groups["n"].strip()
    if kind == "pair":
        return _pair(text, match, raw, lang, groups.get("unit", ""))
    value = numbers.parse(raw, lang)
    if value is None:
        return None
    if kind in ("share",):
        value *= 10
    qualifier = "between" if groups.get("qual", "").lower() == "between" else _qualifier(lexicon, groups.get("qual"))
    high = None
    if "n2" in groups:
        high = numbers.parse(groups["n2"].strip(), lang)
        if high is not None and kind == "share":
            high *= 10
        if high is None or high <= value:
            return None
        qualifier = "between"
    unit = ""
    end = match.end()
    if lang == "en":
        unit_word = groups.get("unit", "")
        if re.fullmatch(r"(?:1[89]|20)\d\d", raw) and not groups.get("pct"):
            return None  # a year
        if groups.get("pct"):
            unit = "%"
            end = match.end("pct")
        elif unit_word and not _EN_TIME.match(unit_word) and unit_word.split()[0].lower() not in _EN_STOP:
            unit = unit_word.lower()
        elif unit_word.lower() == "of":
            end = match.end("n")  # partitive: "17 of them"
            unit = "of"
            if re.search(r"\bthe\s+$", text[max(0, match.start() - 5):match.start()], re.I) \
                    and re.match(r"\s+of\s+(?:us|you|them)\b", text[match.end("n"):], re.I):
                return None  # "the two of us", "the three of them": a group named, not counted
        else:
            end = match.end("n2") if "n2" in groups else match.end("n")
            if unit_word and _EN_TIME.match(unit_word):
                return None  # a duration: "two years", "eight months"
        if _EN_BEFORE_ID.search(text[max(0, match.start() - 16):match.start()]):
            return None
        subject = _EN_SUBJECT.match(text, match.end("n")) is not None
        trend = _EN_TREND.search(text[max(0, match.start() - 24):match.start()]) is not None or subject
        if not unit and not raw[0].isdigit() and not subject:
            return None  # a number word with no noun after it is rarely a count, unless it is a subject ("Twenty said")
        if re.search(r"\b(?:million|billion)\b", raw, re.I) is None and re.fullmatch(r"\d{1,2}", raw) \
                and not unit and not groups.get("qual") and not trend:
            return None  # a bare small number: a time, a list item
        if (groups.get("qual") or "").lower() in ("under", "over", "below", "above") and 12 <= value <= 21 \
                and re.match(r"\s*(?:[,.;)]|when\b|at\b|and\b|or\b|years?\b)", text[match.end("n"):], re.I):
            return None  # an age threshold ("under 18 when first sold"), not a count
    elif lang == "ko":
        unit = groups.get("unit", groups.get("noun", ""))
        if groups.get("more"):
            qualifier = "more_than"
        if groups.get("after"):
            qualifier = _KO_AFTER_QUAL[groups["after"]]
        end = max(match.end(g) for g in ("unit", "after", "n") if g in groups)
    else:
        unit = "%" if kind in ("share", "percent") else groups.get("unit", "")
        if groups.get("more") or kind == "odd":
            qualifier = "more_than"
        if groups.get("after") and qualifier == "exact":
            qualifier = _ZH_AFTER_QUAL[groups["after"]]
        if kind == "about":
            qualifier = "about"
    if value == 1 and unit != "%":
        return None  # "one", and "at least one" (至少有一人): that something happened, not a count
    if unit in ("%", "퍼센트") and value > 100:
        return None
    start = match.start("qual") if groups.get("qual") else (
        match.start("noun") if "noun" in groups else match.start() if kind == "percent" else match.start("n"))
    while end > start and text[end - 1].isspace():
        end -= 1
    attrs: dict[str, object] = {"value": numbers.plain(value)}
    if high is not None:
        attrs["max"] = numbers.plain(high)
    attrs.update(unit=unit, qualifier=qualifier)
    return make("quantity", text, start, end, 0.8, **attrs)


def _pair(text: str, match: re.Match[str], raw: str, lang: str, unit: str) -> Fact | None:
    """A range told by two neighbouring numbers: 두세 명, 三四个人, 十七八名, 二三十人."""
    if lang == "ko":
        low: float = _KO_PAIRS[raw]
        high: float = low + 1
    elif raw.endswith("十") and len(raw) == 3:
        low, high = (numbers.parse_zh(ch) * 10 for ch in raw[:2])  # type: ignore[operator]
    else:
        tens = numbers.parse_zh(raw[:-2]) if len(raw) > 2 else 0.0
        low, high = ((tens or 0) + numbers.parse_zh(ch) for ch in raw[-2:])  # type: ignore[operator]
    if not 0 < low < high or (high - low) not in (1, 10):
        return None
    start, end = match.start("n"), match.end("unit")
    return make("quantity", text, start, end, 0.75, value=numbers.plain(low), max=numbers.plain(high), unit=unit,
                qualifier="between")


def _unit_head(unit: str) -> str:
    words = [w for w in unit.lower().split() if w not in ("other", "and", "girls")]
    return words[-1] if words else ""


# Words that take a count up again: "the other seven women", 那两个男人, 其他五名, 그 세 사람, 나머지 두 명.
_TAKEN_UP = re.compile(r"(?:\b(?:the|those|these|all)(?:\s+other)?\s*|那|这|其他|其余|另外|剩下的?|그\s|나머지\s?)$", re.I)


# A count followed by "all of them" restates a group already counted: 두 아이 모두, 两个孩子都, "both".
_ALL_OF = re.compile(r"\s?(?:[가-힣]{1,3}\s)?(?:모두|다\s|전부)|[一-鿿]{0,3}(?:都|全|均)")
_KO_PARTICLE = re.compile(r"(?:을|를|이|가|은|는|의|도|과|와)$")


def _nouns_near(text: str, fact: Fact) -> set[str]:
    """The nouns a Korean or Chinese count is said of, for telling a count taken up again: the word
    before and after it in Korean (아들을 둘 … 두 아들), the two characters after it in Chinese."""
    if re.search(r"[가-힣]", fact.text):
        before = re.findall(r"[가-힣]+", text[max(0, fact.start - 8):fact.start])
        after = re.findall(r"[가-힣]+", text[fact.end:fact.end + 6])
        inside = re.findall(r"[가-힣]+", fact.text)[1:]
        words = (before[-1:] if before else []) + (after[:1] if after else []) + inside
        return {_KO_PARTICLE.sub("", w) for w in words if len(_KO_PARTICLE.sub("", w)) >= 1} - {"", "명", "개"}
    following = text[fact.end:fact.end + 2]
    return {following} if re.fullmatch(r"[一-鿿]{2}", following) else set()


def _nouns_seen(key: tuple[float, str | None], units: set[tuple[float, str, str]]) -> set[str]:
    return {u[2] for u in units if (u[0], u[1]) == key}


def _first_mentions(text: str, facts: list[Fact]) -> list[Fact]:
    """A count taken up again later ("two men … the two men", 另外五名 … 其他五名, "seven other women …
    the other seven women") is one claim: keep its first mention only. Shares and counts without a
    unit are not compared, as the same figure may well be two claims."""
    english = bool(re.search(r"[A-Za-z]{3}", text[:200])) and not re.search(r"[가-힣一-鿿]", text[:400])
    seen: set[tuple[float, str]] = set()
    units: set[tuple[float, str, str]] = set()
    kept = []
    for fact in facts:
        unit = str(fact.get("unit") or "")
        key = (float(fact.get("value")), fact.get("qualifier"))
        countable = unit and unit not in ("%", "퍼센트", "of") and fact.get("qualifier") == "exact"
        same_noun = english and (*key, _unit_head(unit)) in units  # Korean and Chinese units are counters (名, 명)
        near = any(f.get("value") == fact.get("value") and f.get("unit") == unit and fact.start - f.end < 24 for f in kept[-2:])  # 两个儿子，两个孩子
        nouns = _nouns_near(text, fact) if not english else set()
        same_noun = same_noun or bool(nouns & _nouns_seen(key, units))
        if countable and key in seen and (same_noun or near or _TAKEN_UP.search(text, max(0, fact.start - 12), fact.start)
                                          or _ALL_OF.match(text, fact.end)):
            continue
        seen.add(key)
        units.add((*key, _unit_head(unit)))
        units.update((*key, noun) for noun in nouns)
        kept.append(fact)
    return kept
