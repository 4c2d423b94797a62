"""Numbers as written in English, Korean and Chinese text: the patterns that find them and the
parsers that read them ("2.6 million", "seventy-one", "1만 5천", "스물다섯", "一万五千", "1.5万", "二〇一九")."""

from __future__ import annotations

import re

# ---- English -------------------------------------------------------------------------------------

_EN_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
             "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
             "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
            "ninety": 90}
_EN_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_EN_WORD = "|".join(sorted([*_EN_UNITS, *_EN_TENS], key=len, reverse=True))
EN_WORD_NUMBER = rf"(?:(?:{'|'.join(_EN_TENS)})[-\s](?:{'|'.join(k for k in _EN_UNITS if _EN_UNITS[k] < 10)})|{_EN_WORD})"
EN_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
EN_NUMBER = rf"(?:{EN_DIGITS}|{EN_WORD_NUMBER})(?:\s+(?:hundred|thousand|million|billion))?"


_DECIMAL = re.compile(r"\d+(?:\.\d+)?")
_SEPARATORS = re.compile(r"[\s,]")
_PIECES = re.compile(r"(\d+(?:\.\d+)?)|(.)")  # a number in digits, or one character


def parse_en(text: str) -> float | None:
    """'500,000' -> 500000; '2.6 million' -> 2600000; 'seventy-one' -> 71; 'twenty' -> 20."""
    words = text.lower().replace(",", "").replace("-", " ").split()
    if not words:
        return None
    total, current = 0.0, 0.0
    seen = False
    for word in words:
        if _DECIMAL.fullmatch(word):
            current += float(word)
        elif word in _EN_UNITS:
            current += _EN_UNITS[word]
        elif word in _EN_TENS:
            current += _EN_TENS[word]
        elif word in _EN_SCALES:
            scale = _EN_SCALES[word]
            if scale == 100:
                current = (current or 1) * 100
            else:
                total += (current or 1) * scale
                current = 0
        elif word == "and":
            continue
        else:
            return None
        seen = True
    return total + current if seen else None


# ---- Korean --------------------------------------------------------------------------------------

_KO_SINO = {"일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "칠": 7, "팔": 8, "구": 9}
_KO_SMALL = {"십": 10, "백": 100, "천": 1000}
_KO_LARGE = {"만": 10_000, "억": 100_000_000, "조": 10 ** 12}
# Native numerals: the tens, then the units; 한/두/세/네/스무 are the forms used before a counter.
_KO_NATIVE_TENS = {"열": 10, "스물": 20, "스무": 20, "서른": 30, "마흔": 40, "쉰": 50}
_KO_NATIVE_UNITS = {"하나": 1, "한": 1, "둘": 2, "두": 2, "셋": 3, "세": 3, "석": 3, "넷": 4, "네": 4, "다섯": 5,
                    "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9}
KO_NATIVE = (rf"(?:(?:{'|'.join(_KO_NATIVE_TENS)})(?:{'|'.join(sorted(_KO_NATIVE_UNITS, key=len, reverse=True))})?"
             rf"|(?:{'|'.join(sorted(_KO_NATIVE_UNITS, key=len, reverse=True))}))")
# Digits with Korean place words: 2만, 1만 5천, 8만 2천, 1억 500만, 2천5백, 천, 260만, 30.
KO_NUMBER = (r"(?:(?:\d[\d,]*(?:\.\d+)?\s?)?[억만천백](?:\s?(?:\d[\d,]*(?:\.\d+)?\s?)?[억만천백])*(?:\s?\d+(?![\d,.]))?"
             r"|\d[\d,]*(?:\.\d+)?)")


def parse_ko_native(text: str) -> int | None:
    """'스물다섯' -> 25; '열아홉' -> 19; '스무' -> 20; '두' -> 2."""
    for tens_word, tens in _KO_NATIVE_TENS.items():
        if text.startswith(tens_word):
            rest = text[len(tens_word):]
            if not rest:
                return tens
            unit = _KO_NATIVE_UNITS.get(rest)
            return tens + unit if unit else None
    return _KO_NATIVE_UNITS.get(text)


def _parse_positional(text: str, digits: dict[str, int], small: dict[str, int], large: dict[str, int]) -> float | None:
    """Read numbers written with place words (千/천 = 10³, 万/만 = 10⁴, 亿/억 = 10⁸), mixing Arabic digits."""
    text = _SEPARATORS.sub("", text)
    if not text:
        return None
    total, section = 0.0, 0.0
    pending: float | None = None
    seen = False
    for number, char in _PIECES.findall(text):
        if number:
            pending = float(number)
        elif char in digits:
            pending = float(digits[char])
        elif char in small:
            section += (pending if pending is not None else 1) * small[char]
            pending = None
        elif char in large:
            section += pending or 0
            total += (section or 1) * large[char]
            section, pending = 0.0, None
        else:
            return None
        seen = True
    if not seen:
        return None
    return total + section + (pending or 0)


def parse_ko(text: str) -> float | None:
    """'2만' -> 20000; '1만 5천' -> 15000; '1억 500만' -> 105000000; '천' -> 1000; '스물다섯' -> 25."""
    native = parse_ko_native(text.strip())
    if native is not None:
        return float(native)
    return _parse_positional(text, _KO_SINO, _KO_SMALL, _KO_LARGE)


# ---- Chinese -------------------------------------------------------------------------------------

_ZH_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "壹": 1, "贰": 2, "貳": 2, "叁": 3, "參": 3, "肆": 4, "伍": 5, "陆": 6, "陸": 6, "柒": 7,
              "捌": 8, "玖": 9, "幺": 1}
_ZH_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_ZH_LARGE = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_ZH_CHARS = "".join([*_ZH_DIGITS, *_ZH_SMALL, *_ZH_LARGE])
ZH_CHARS = _ZH_CHARS  # every character a Chinese numeral is written with
ZH_NUMBER = rf"(?:\d[\d,]*(?:\.\d+)?[{_ZH_CHARS}]*|[{_ZH_CHARS}]+)"


def parse_zh(text: str) -> float | None:
    """'一万五千' -> 15000; '两万' -> 20000; '1.5万' -> 15000; '十九' -> 19; '壹万伍仟' -> 15000; '二〇一九' -> 2019;
    '两万五' -> 25000."""
    text = text.strip()
    if text and all(ch in _ZH_DIGITS for ch in text) and len(text) > 1:
        return float("".join(str(_ZH_DIGITS[ch]) for ch in text))  # digit by digit, as years are written
    # Spoken shorthand: a last digit right after 万, 千 or 百 counts in the place below it (两万五 = 25,000,
    # 一千二 = 1,200, 三百五 = 350); after 十 it is the units (十五 = 15).
    if len(text) >= 3 and text[-1] in _ZH_DIGITS and _ZH_DIGITS[text[-1]] and text[-2] in "万萬千仟百佰" \
            and (value := _parse_positional(text[:-1], _ZH_DIGITS, _ZH_SMALL, _ZH_LARGE)) is not None:
        place = {"万": 1000, "萬": 1000, "千": 100, "仟": 100, "百": 10, "佰": 10}[text[-2]]
        return value + _ZH_DIGITS[text[-1]] * place
    return _parse_positional(text, _ZH_DIGITS, _ZH_SMALL, _ZH_LARGE)


# Where a number may start, for skipping text that holds none (see facts.windows).
# (A run of digits, or of Chinese numerals, is one match, not one a character: the same windows, fewer matches.)
ANCHORS = {
    # A digit, or a word starting like a number word ("thirt" reads thirteen, thirty and thirties); the
    # lookahead lets `re` skip most positions on one character test.
    "en": re.compile(r"(?=[\dtTfFsSeEnNhH])(?:\d+|\b(?i:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                     r"thirt|fourt|fift|sixt|sevent|ninet|twent|fort|hundred|teen))"),
    "ko": re.compile(r"\d+|[만천백억십]|서너|너덧|대여섯|예닐곱|일고여덟|" + KO_NATIVE),
    "zh": re.compile(rf"[\d{_ZH_CHARS}]+"),
}


def parse(text: str, lang: str) -> float | None:
    """Read a number written in `lang` ('en', 'ko', 'zh'); None when it is not one."""
    parser = {"en": parse_en, "ko": parse_ko, "zh": parse_zh}[lang]
    return parser(text)


def plain(value: float) -> int | float:
    """An integer when the value is whole, so 20000.0 prints as 20000."""
    return int(value) if float(value).is_integer() else round(value, 6)
