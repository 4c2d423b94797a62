"""Amounts of money in English, Korean and Chinese ("$3,000", "CNY 30", "2만 위안", "인민폐 3만 원",
"一万五千元"), their ISO 4217 currency, and a USD equivalent from the dated rate table in `data/rates.yaml`."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

from redzone.errors import ConfigurationError
from redzone.extract import numbers
from redzone.extract.facts import Fact, make, windows
from redzone.extract.lexicon import Lexicon, fold, lower_pattern

RATES_PATH = Path(__file__).with_name("data") / "rates.yaml"
_NUMBER = {"en": numbers.EN_NUMBER, "ko": rf"(?<![가-힣]){numbers.KO_NUMBER}", "zh": numbers.ZH_NUMBER}
_SPACE = {"en": r"\s?", "ko": r"\s?", "zh": r"\s?"}


@functools.cache
def rate_table() -> dict[str, dict[int, float]]:
    """Currency -> {year: units per US dollar}; checked at load."""
    data = yaml.safe_load(RATES_PATH.read_text(encoding="utf-8")) or {}
    table: dict[str, dict[int, float]] = {}
    problems = []
    for code, years in (data.get("currencies") or {}).items():
        if not re.fullmatch(r"[A-Z]{3}", str(code)) or not isinstance(years, dict) or not years:
            problems.append(f"rates.yaml: {code}: expected an ISO 4217 code with a mapping of year -> rate")
            continue
        for year, rate in years.items():
            if not isinstance(year, int) or not isinstance(rate, (int, float)) or rate <= 0:
                problems.append(f"rates.yaml: {code}: {year}: expected a year and a positive rate")
        table[code] = {int(y): float(r) for y, r in years.items()}
    if problems:
        raise ConfigurationError("; ".join(problems))
    return table


def usd_equivalent(amount: float, currency: str, year: int | None) -> tuple[float, int] | None:
    """(amount in USD, year of the rate used), or None when the table has no rate for the currency."""
    if currency == "USD":
        return None
    rates = rate_table().get(currency)
    if not rates:
        return None
    years = sorted(rates)
    chosen = max(years) if year is None else min(max(year, years[0]), years[-1])
    return round(amount / rates[chosen], 2), chosen


def _money_pattern(lexicon: Lexicon) -> re.Pattern[str]:
    lang = lexicon.language
    qualifiers = "|".join(f"(?:{p})" for p in lexicon.qualifiers.values() if p)
    before = "|".join(f"(?P<b_{code}>{alt})" for code, alt in lexicon.money_before.items() if alt)
    after = "|".join(f"(?P<a_{code}>{alt})" for code, alt in lexicon.money_after.items() if alt)
    any_unit = "|".join(f"(?:{alt})" for alt in lexicon.money_after.values() if alt)
    space = _SPACE[lang]
    number = _NUMBER[lang]
    scale = r"(?:\s?(?:million|billion|thousand)\b)?" if lang == "en" else ""
    qualifier = rf"(?:(?P<qualifier>{qualifiers})\s?)?" if qualifiers else ""
    prefix = rf"(?:(?:{before}){space}(?P<n1>{number}){scale}(?:{space}(?:{any_unit}))?)" if before else ""
    more = r"(?P<more>多|余)?" if lang == "zh" else ""  # 两千多美元: "over two thousand dollars"
    suffix = rf"(?:(?P<n2>{number}){more}{scale}{space}(?:{after}))"
    tail = r"(?![A-Za-z])" if lang == "en" else ""
    body = f"(?:{prefix}|{suffix})" if prefix else suffix
    return re.compile(rf"{qualifier}{body}{tail}", re.IGNORECASE if lang == "en" else 0)


@functools.cache
def _compiled(lexicon: Lexicon) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The money pattern and the anchor every amount has: a currency word or symbol."""
    words = [alt for side in (lexicon.money_before, lexicon.money_after) for alt in side.values() if alt]
    anchor = "|".join(f"(?:{w})" for w in words)
    if lexicon.language == "en":
        return re.compile(lower_pattern(_money_pattern(lexicon).pattern)), re.compile(lower_pattern(anchor))
    return _money_pattern(lexicon), re.compile(anchor)


def _qualifier_of(lexicon: Lexicon, word: str | None) -> str | None:
    if not word:
        return None
    for name, alternation in lexicon.qualifiers.items():
        if alternation and re.fullmatch(alternation, word.strip(), re.IGNORECASE):
            return name
    return None


def find_money(text: str, lexicon: Lexicon) -> list[Fact]:
    """Money facts; the currency comes from the unit or symbol, re-assigned by context words for
    ambiguous units (Korean 원 after 인민폐 or 중국 돈 is yuan; after 북한 돈, North Korean won)."""
    facts: list[Fact] = []
    lang = lexicon.language
    pattern, anchor = _compiled(lexicon)
    haystack = fold(text) if lang == "en" else text
    for window_start, window_end in windows(haystack, anchor, 40, 16):
        for match in pattern.finditer(haystack, window_start, window_end):
            fact = _read(text, match, lexicon)
            if fact is not None and not any(f.start < fact.end and fact.start < f.end for f in facts):
                facts.append(fact)
    return facts


def _read(text: str, match: re.Match[str], lexicon: Lexicon) -> Fact | None:
    """One money fact from a match, or None when the number does not read."""
    lang = lexicon.language
    groups = {k: v for k, v in match.groupdict().items() if v is not None}
    raw = groups.get("n1") or groups.get("n2") or ""
    value = numbers.parse(raw.strip(), lang)
    if value is None or value <= 0:
        return None
    scale_word = re.search(r"(million|billion|thousand)", match.group(), re.IGNORECASE) if lang == "en" else None
    if scale_word and not re.search(r"million|billion|thousand", raw, re.IGNORECASE):
        value *= {"million": 1e6, "billion": 1e9, "thousand": 1e3}[scale_word.group(1).lower()]
    before = [k[2:] for k in groups if k.startswith("b_")]
    after = [k[2:] for k in groups if k.startswith("a_")]
    currency = before[0] if before else after[0]
    if not before and after and after[0] == "KRW" and lang == "ko":
        context = text[max(0, match.start() - 12):match.start()]
        for code, pattern in lexicon.money_context.items():
            if pattern.search(context):
                currency = code
    start = match.start("qualifier") if groups.get("qualifier") else match.start()
    qualifier = _qualifier_of(lexicon, groups.get("qualifier")) or ("more_than" if groups.get("more") else None)
    attrs = {"amount": numbers.plain(value), "currency": currency}
    if qualifier:
        attrs["qualifier"] = qualifier
    end = match.end()
    while end > start and text[end - 1].isspace():
        end -= 1
    return make("money", text, start, end, 0.9, **attrs)


def add_usd(facts: list[Fact], dates: list[Fact]) -> list[Fact]:
    """Money facts with `usd` and `usd_rate_year` added, at the rate of the year of the nearest date."""
    years = [(d.start, int(d.get("value")[:4])) for d in dates]
    converted = []
    for fact in facts:
        if fact.type != "money":
            converted.append(fact)
            continue
        nearest = min(years, key=lambda item: abs(item[0] - fact.start))[1] if years else None
        usd = usd_equivalent(float(fact.get("amount")), fact.get("currency"), nearest)
        if usd is None:
            converted.append(fact)
        else:
            attrs = (*fact.attrs, ("usd", usd[0]), ("usd_rate_year", usd[1]))
            converted.append(Fact(fact.type, fact.start, fact.end, fact.text, fact.confidence, attrs))
    return converted
