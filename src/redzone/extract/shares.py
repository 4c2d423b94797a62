"""Shares and multiples written without a percent sign — fractions, ratios, halves and "N times" — in
English, Korean and Chinese: "a third", "two-thirds", "seven in ten", "one out of five", "more than
half", "3분의 2", "열에 아홉", "절반 이상", "2배 이상", "约三分之一", "十个人中有七个", "一半以上", "过半", "两倍".
A share is a quantity in percent (a third -> 33.333333, unit "%"); a multiple keeps its number (2배 -> 2,
unit 배/倍/times). Ordinals are not shares: "the third time", "第三国" are left alone."""

from __future__ import annotations

import functools
import re

from redzone.extract import numbers
from redzone.extract.facts import Fact, make, windows
from redzone.extract.lexicon import Lexicon, qualifier_named
from redzone.extract.narrowing import narrowed

_EN_DENOMINATORS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fourth": 4,
                    "fourths": 4, "fifth": 5, "fifths": 5, "sixth": 6, "sixths": 6, "seventh": 7, "sevenths": 7,
                    "eighth": 8, "eighths": 8, "ninth": 9, "ninths": 9, "tenth": 10, "tenths": 10}
_EN_SMALL = r"(?:a|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})"
_EN_RATIO_OF = r"(?:two|three|four|five|six|seven|eight|nine|ten|twenty|a hundred|one hundred|hundred|\d{1,3})"
# Qualifiers written after a share: "a third or more", "half or fewer".
_EN_AFTER = {"or more": "at_least", "or over": "at_least", "or fewer": "up_to", "or less": "up_to"}
_KO_AFTER = {"이상": "at_least", "넘는": "more_than", "넘게": "more_than", "초과": "more_than", "미만": "fewer_than",
             "이하": "up_to", "가량": "about", "정도": "about", "남짓": "more_than", "꼴": "about", "쯤": "about",
             "가까이": "about", "안팎": "about", "내외": "about"}
_ZH_AFTER = {"以上": "at_least", "多": "more_than", "左右": "about", "以下": "up_to"}


@functools.cache
def _patterns(lexicon: Lexicon) -> list[tuple[str, re.Pattern[str]]]:
    before = "|".join(f"(?:{alt})" for alt in lexicon.qualifiers.values() if alt)
    lang = lexicon.language
    if lang == "en":
        denominators = "|".join(sorted(_EN_DENOMINATORS, key=len, reverse=True))
        qual = rf"(?:(?P<qual>{before})\s+)?"
        after = r"(?:\s+(?P<after>or more|or over|or fewer|or less))?"
        return [
            ("fraction", re.compile(rf"{qual}(?<![\w-])(?P<num>{_EN_SMALL})[\s-](?P<den>{denominators})\b(?!-)"
                                   rf"(?!\s+(?:time|day|night|week|month|year|country|countries|floor|party|parties|world|round|grade|generation|person|place|wife|husband|child|son|daughter)s?\b){after}", re.I)),
            ("ratio", re.compile(rf"{qual}(?<![\w-])(?P<num>{_EN_SMALL}|\d{{1,3}})\s+(?:in every|in|out of every|out of|of every)\s+(?P<den>{_EN_RATIO_OF})\b(?!\s*(?:[,.]\d|%|percent|years?|months?|days?|cases?\b)){after}", re.I)),
            # a multiple, not a frequency: "three times what it cost", "twice as many", "roughly four times the
            # price"; "sold three times" is how often, which no comparison follows
            ("multiple", re.compile(
                rf"{qual}(?<![\w-])(?:(?P<times>{_EN_SMALL}|\d+(?:\.\d+)?|twenty|thirty|forty|fifty|a hundred)\s+(?P<unit>times)"
                rf"|(?P<twice>twice)|(?P<double>double|triple|treble|quadruple)|(?P<times_fold>{_EN_SMALL}|\d+)-(?P<fold>fold))"
                rf"(?=\s+(?:what|as\s+(?:much|many|high|large|long|often|likely|expensive)|more|higher|larger|greater|"
                rf"bigger|lower|smaller|that of|those of|"
                rf"the\s+(?:\w+\s+)?(?:price|cost|amount|number|rate|figure|level|sum|fee|average|total)))", re.I)),
            ("half", re.compile(rf"{qual}(?<![\w-])(?<!first )(?<!second )(?<!latter )(?<!other )(?P<half>half)"
                               rf"(?=\s+(?:of|the|them|those|these|were|are|had|have|said|reported|all)\b)"
                               rf"(?!\s+(?:of\s+)?(?:the\s+)?(?:\d{{4}}|year|month|century|decade|day|night|time|way|an?)\b){after}", re.I)),
        ]
    if lang == "ko":
        number = rf"(?:{numbers.KO_NUMBER}|{numbers.KO_NATIVE})"
        qual = rf"(?:(?P<qual>{before})\s?)?"
        after = rf"(?:\s?(?P<after>{'|'.join(sorted(_KO_AFTER, key=len, reverse=True))}))?"
        return [
            ("fraction", re.compile(rf"{qual}(?P<den>\d+|[일이삼사오육칠팔구십]+)\s?분의\s?(?P<num>\d+|[일이삼사오육칠팔구]+){after}")),
            ("ratio", re.compile(rf"{qual}(?P<den>10|열|100|백)\s?(?:명|건|사람)?\s?(?:중|가운데|에)\s?(?P<num>{number})(?:\s?(?:명|건|사람))?{after}")),
            # a ratio over any number when 꼴 ("at the rate of") marks it: 다섯 명 중 두 명꼴, 세 집에 한 집꼴
            ("ratio", re.compile(rf"{qual}(?<![가-힣\d])(?P<den>{number})\s?(?P<counter>명|건|사람|집|가구|곳)\s?"
                                 rf"(?:중|가운데|에)\s?(?P<num>{number})\s?(?P=counter)\s?(?P<after>꼴)")),
            ("half", re.compile(rf"{qual}(?P<half>절반|반수|과반)(?:이|을|은|가(?!량|까이)|의|에)?{after}")),
            # a qualifier after the particle-free multiple first: 두 배가량 is "about twice", not 두 배 + 가
            ("multiple", re.compile(rf"{qual}(?<![\d.])(?P<times>\d+(?:\.\d+)?|두|세|네|다섯|열)\s?(?P<unit>배)"
                                    rf"(?:{after.removesuffix('?')}|나|로|가|를|의)?")),
        ]
    return [
        ("fraction", re.compile(rf"(?:(?P<qual>{before})(?:有)?)?(?P<den>{numbers.ZH_NUMBER})分之(?P<num>{numbers.ZH_NUMBER})(?P<after>以上|多|左右)?")),
        ("ratio", re.compile(rf"(?:(?P<qual>{before}))?(?:每)?(?P<den>十|10|百|100)(?:个|名)?(?:人|个)?(?:中|里|之中)(?:就)?有?(?P<num>{numbers.ZH_NUMBER})(?:个|名|人)?(?P<after>以上|多|左右)?")),
        ("half", re.compile(rf"(?:(?P<qual>{before})(?:有)?)?(?P<half>一半|半数|过半|大半)(?:数)?(?P<after>以上|多|左右)?")),
        ("multiple", re.compile(rf"(?:(?P<qual>{before})(?:了)?)?(?<![\d.])(?P<times>\d+(?:\.\d+)?|[两二三四五六七八九十]+)(?P<unit>倍)(?P<after>以上|多|左右)?")),
        # doubling told in turns: 翻了一番 is twice, 翻了两番 four times
        ("multiple", re.compile(rf"(?:(?P<qual>{before}))?翻了?(?P<fan>一|两|二|三)番(?P<after>以上|多|左右)?")),
    ]


# Where a share may be: its denominator, ratio or multiple word. The patterns run only in windows
# around these (see facts.windows), as a scan of the whole text costs more than every other grammar.
_ANCHORS = {
    "en": re.compile(r"(?i)\b(?:times|twice|double|triple|treble|quadruple|fold|half|thirds?|quarters?|fourths?|fifths?|sixths?|sevenths?|eighths?|ninths?|tenths?)\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|\d{1,3}) (?:in|out of|of every) "),
    "ko": re.compile(r"분의|절반|반수|과반|배|(?:10|열|100|백)\s?(?:명|건|사람)?\s?(?:중|가운데|에)|꼴"),
    "zh": re.compile(r"分之|一半|半数|过半|大半|倍|番|[十百]|10"),
}


def _qualifier(lexicon: Lexicon, word: str | None) -> str:
    return qualifier_named(lexicon, word) or "exact"


def _en_count(word: str) -> float | None:
    return 1.0 if word.lower() in ("a", "one") else numbers.parse_en(word)


def _read(kind: str, groups: dict[str, str], lang: str) -> tuple[float, str] | None:
    """(value, unit) of one match."""
    if "half" in groups:
        return 50.0, "%"
    if "twice" in groups:
        return 2.0, "times"
    if "fan" in groups:
        return {"一": 2.0, "两": 4.0, "二": 4.0, "三": 8.0}[groups["fan"]], "倍"
    if "double" in groups:
        return {"double": 2.0, "triple": 3.0, "treble": 3.0, "quadruple": 4.0}[groups["double"].lower()], "times"
    if "fold" in groups:
        groups = {"times": groups["times_fold"], "unit": "times"}
    if "times" in groups:
        times = _en_count(groups["times"]) if lang == "en" else numbers.parse(groups["times"], lang)
        return (times, groups["unit"].lower()) if times and times > 1 else None
    if lang == "en":
        num = _en_count(groups["num"])
        den = _EN_DENOMINATORS.get(groups["den"].lower()) if kind == "fraction" else (
            100.0 if "hundred" in groups["den"].lower() else numbers.parse_en(groups["den"]))
    else:
        num, den = numbers.parse(groups["num"], lang), numbers.parse(groups["den"], lang)
    if not num or not den or num >= den:
        return None
    return 100 * num / den, "%"


def find_shares(text: str, lexicon: Lexicon, taken: list[tuple[int, int]]) -> list[Fact]:
    """Quantity facts for the shares and multiples of `text`, outside the spans `taken`."""
    lang = lexicon.language
    facts: list[Fact] = []
    spans: list[tuple[int, int]] = list(taken)
    windowed = windows(text, _ANCHORS[lang], 40, 24)
    for kind, pattern in _patterns(lexicon):
        for match in narrowed(pattern).finditer(text, windowed):
            if any(match.start() < b and a < match.end() for a, b in spans):
                continue
            groups = {k: v for k, v in match.groupdict().items() if v}
            if lang == "zh" and match.start() > 0 and text[match.start() - 1] == "第":
                continue  # an ordinal
            read = _read(kind, groups, lang)
            if read is None:
                continue
            value, unit = read
            qualifier = _qualifier(lexicon, groups.get("qual"))
            if groups.get("half") in ("过半", "과반"):
                qualifier = "more_than"
            after = groups.get("after")
            if after:
                qualifier = {"en": _EN_AFTER, "ko": _KO_AFTER, "zh": _ZH_AFTER}[lang].get(after.lower(), qualifier)
            start, end = match.start(), match.end()
            while end > start and text[end - 1] in " 이을은가의에를로나":
                if lang != "ko" and not text[end - 1].isspace():
                    break
                end -= 1
            spans.append((start, end))
            facts.append(make("quantity", text, start, end, 0.75, value=numbers.plain(value), unit=unit,
                              qualifier=qualifier))
    return facts
