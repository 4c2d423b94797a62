"""Dates and periods in English, Korean and Chinese, as ISO 8601 values with their precision:
"12 March 2019" -> 2019-03-12 (day); "2019년 3월" -> 2019-03 (month); "2018年春天" -> 2018-03/2018-05
(range); "the 1990s" -> 1990/1999 (range). Seasons and parts of a year are defined once, here:
spring = March–May, summer = June–August, autumn = September–November, winter = December to February
of the next year; early = January–April, mid = May–August, late = September–December."""

from __future__ import annotations

import re

from redzone.extract import numbers
from redzone.extract.facts import Fact, make, windows
from redzone.extract.narrowing import narrowed, tried_at
from redzone.extract.scanning import guarded

_MONTHS = {m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                       "september", "october", "november", "december"), start=1)}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 2),
            "봄": (3, 5), "여름": (6, 8), "가을": (9, 11), "겨울": (12, 2),
            "春": (3, 5), "夏": (6, 8), "秋": (9, 11), "冬": (12, 2)}
_PARTS = {"early": (1, 4), "mid": (5, 8), "late": (9, 12), "초": (1, 4), "중반": (5, 8), "말": (9, 12),
          "상반기": (1, 6), "하반기": (7, 12), "初": (1, 4), "年中": (5, 8), "中": (5, 8), "底": (9, 12), "末": (9, 12)}

_MONTH_NAME = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
_YEAR = r"(?:19[4-9]\d|20[0-4]\d)"
_ZH_YEAR = rf"(?:{_YEAR}|[〇零一二三四五六七八九]{{4}})"
_ZH_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_ZH_DAY = r"(?:3[01]|[12]\d|0?[1-9]|[二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"

_EN = [
    ("day", re.compile(rf"\b(?P<d>\d{{1,2}})\s+(?P<m>{_MONTH_NAME})\.?,?\s+(?P<y>{_YEAR})\b", re.I)),
    ("day", re.compile(rf"\b(?P<m>{_MONTH_NAME})\.?\s+(?P<d>\d{{1,2}}),?\s+(?P<y>{_YEAR})\b", re.I)),
    ("month", re.compile(rf"\b(?P<m>{_MONTH_NAME})\.?,?\s+(?:of\s+)?(?P<y>{_YEAR})\b", re.I)),
    ("range", re.compile(rf"\b(?:between|from)\s+(?P<y>{_YEAR})\s+(?:and|to|until)\s+(?P<y2>{_YEAR})\b", re.I)),
    ("range", re.compile(rf"\b(?P<y>{_YEAR})\s?[-–]\s?(?P<y2>{_YEAR})\b")),
    ("range", re.compile(rf"\b(?P<y>{_YEAR})\s+(?:to|until|through)\s+(?P<y2>{_YEAR})\b", re.I)),
    ("season", re.compile(rf"\b(?:the\s+)?(?P<s>spring|summer|autumn|fall|winter)\s+(?:of\s+)?(?P<y>{_YEAR})\b", re.I)),
    ("part", re.compile(rf"\b(?P<p>early|mid|late)[-\s]?(?P<y>{_YEAR})\b", re.I)),
    ("decade", re.compile(r"\b(?:the\s+)?(?P<y>19[4-9]0|20[0-4]0)s\b", re.I)),
    ("year", re.compile(rf"(?<![\d,.$€¥£-])\b(?P<y>{_YEAR})\b(?![,.]\d|\s?%)")),
]
_KO = [
    ("day", re.compile(rf"(?P<y>{_YEAR})년\s?(?P<m>1[0-2]|0?[1-9])월\s?(?P<d>3[01]|[12]\d|0?[1-9])일")),
    ("month", re.compile(rf"(?P<y>{_YEAR})년\s?(?P<m>1[0-2]|0?[1-9])월")),
    ("range", re.compile(rf"(?P<y>{_YEAR})년\s?(?:부터|에서)\s?(?P<y2>{_YEAR})년(?:\s?까지)?")),
    ("range", re.compile(rf"(?P<y>{_YEAR})년?\s?[~-]\s?(?P<y2>{_YEAR})년")),
    ("season", re.compile(rf"(?P<y>{_YEAR})년\s?(?P<s>봄|여름|가을|겨울)")),
    ("part", re.compile(rf"(?P<y>{_YEAR})년\s?(?P<p>초|중반|말|상반기|하반기)(?=[에의부까,.\s)]|$)")),
    ("decade", re.compile(r"(?P<y>19[4-9]0|20[0-4]0)년대")),
    ("year", re.compile(rf"(?<!\d)(?P<y>{_YEAR})년")),
]
_ZH = [
    ("day", re.compile(rf"(?P<y>{_ZH_YEAR})年(?P<m>{_ZH_MONTH})月(?P<d>{_ZH_DAY})[日号]")),
    ("month", re.compile(rf"(?P<y>{_ZH_YEAR})年(?P<m>{_ZH_MONTH})月")),
    ("range", re.compile(rf"(?P<y>{_ZH_YEAR})年?(?:至|到|—|-|~)(?P<y2>{_ZH_YEAR})年")),
    ("season", re.compile(rf"(?P<y>{_ZH_YEAR})年(?P<s>春|夏|秋|冬)(?:天|季)?(?!节|耕|收|装|运)")),
    ("part", re.compile(rf"(?P<y>{_ZH_YEAR})年(?P<p>初|年中|底|末)")),
    ("decade", re.compile(r"(?:上世纪|二十世纪)?(?P<dz>[四五六七八九])十年代")),
    ("decade", re.compile(r"(?P<y>19[4-9]0|20[0-4]0)年代")),
    ("year", re.compile(rf"(?<!\d)(?P<y>{_ZH_YEAR})年")),
]
_RULES = {"en": _EN, "ko": _KO, "zh": _ZH}
# Most Chinese patterns start with the year: tried only where one starts, found once for them all (a match
# of the first character, so every place is found, years that overlap too), in place of a pass each.
_ZH_YEAR_FIRST = {pattern for _, pattern in _ZH if re.match(r"(?:\(\?<!\\d\))?\(\?P<y>" + re.escape(_ZH_YEAR) + r"\)", pattern.pattern)}
_ZH_YEAR_STARTS = re.compile(rf"[12〇零一二三四五六七八九](?<=(?={_ZH_YEAR})(?s:.))")
# Every date pattern holds a year (or, in Chinese, a decade in characters): look only around those.
_ANCHOR = re.compile(rf"{_YEAR}|[〇零一二三四五六七八九]{{4}}|十年代")


def _int(text: str, lang: str) -> int:
    if text.isdigit():
        return int(text)
    value = numbers.parse_zh(text) if lang == "zh" else None
    if value is None:
        raise ValueError(text)
    return int(value)


def _value(kind: str, groups: dict[str, str], lang: str) -> tuple[str, str] | None:
    if kind == "decade" and groups.get("dz"):
        start = 1900 + 10 * int(numbers.parse_zh(groups["dz"]) or 0)
        return f"{start}/{start + 9}", "range"
    year = _int(groups["y"], lang)
    if not 1900 <= year <= 2100:
        return None
    if kind == "year":
        return f"{year:04d}", "year"
    if kind == "decade":
        return f"{year}/{year + 9}", "range"
    if kind == "range":
        end = _int(groups["y2"], lang)
        return (f"{year}/{end}", "range") if end > year else None
    if kind in ("season", "part"):
        first, last = (_SEASONS[groups["s"].lower()] if kind == "season" else _PARTS[groups["p"].lower()])
        end_year = year + 1 if last < first else year
        return f"{year}-{first:02d}/{end_year}-{last:02d}", "range"
    month_text = groups["m"]
    month = _MONTHS[month_text.lower().rstrip(".")] if lang == "en" else _int(month_text, lang)
    if not 1 <= month <= 12:
        return None
    if kind == "month":
        return f"{year}-{month:02d}", "month"
    day = _int(groups["d"], lang)
    if not 1 <= day <= 31:
        return None
    return f"{year}-{month:02d}-{day:02d}", "day"


def find_dates(text: str, lang: str) -> list[Fact]:
    """Date facts, the most precise reading of each stretch of text winning (rules are in that order)."""
    facts: list[Fact] = []
    taken: list[tuple[int, int]] = []
    spans = windows(text, _ANCHOR, 40, 24)
    years = [m.start() for start, end in spans for m in _ZH_YEAR_STARTS.finditer(text, start, end)] if lang == "zh" else []
    for kind, pattern in _RULES[lang]:
        run = guarded(pattern)  # looked up once, not once a window
        if pattern in _ZH_YEAR_FIRST:
            found = tried_at(pattern, text, spans, years)
        else:
            found = narrowed(pattern).finditer(text, spans) if lang == "zh" else \
                (m for start, end in spans for m in run.finditer(text, start, end))
        for match in found:
            start, end = match.span()
            if any(start < b and a < end for a, b in taken):
                continue
            try:
                parsed = _value(kind, {k: v for k, v in match.groupdict().items() if v}, lang)
            except (KeyError, ValueError):
                parsed = None
            if parsed is None:
                continue
            value, precision = parsed
            taken.append((start, end))
            facts.append(make("date", text, start, end, 0.9 if kind != "year" else 0.8,
                              value=value, precision=precision))
    return sorted(facts, key=lambda f: f.start)
