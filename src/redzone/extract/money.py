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
from redzone.extract.lexicon import Lexicon, fold, lower_pattern, qualifier_named
from redzone.extract.scanning import guarded

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
    # 两千多美元: "over two thousand dollars"; 二百多万韩元: 多 before the place word, which then scales the number
    more = r"(?P<more>多|余)?(?P<more_place>(?<=[多余])[万萬千亿])?" if lang == "zh" else ""
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
    return qualifier_named(lexicon, word)


def find_money(text: str, lexicon: Lexicon) -> list[Fact]:
    """Money facts; the currency comes from the unit or symbol, re-assigned by context words for
    ambiguous units (Korean 원 after 인민폐 or 중국 돈 is yuan; after 북한 돈, North Korean won). The first
    number of a range takes the currency of the second ("3,000 to 5,000 yuan", 三万至六万元), and a bare
    number after a verb of paying is an amount where the lexicon says so (花了两万五)."""
    facts: list[Fact] = []
    lang = lexicon.language
    pattern, anchor = _compiled(lexicon)
    haystack = fold(text) if lang == "en" else text
    run = guarded(pattern)
    for window_start, window_end in windows(haystack, anchor, 40, 16):
        for match in run.finditer(haystack, window_start, window_end):
            fact = _read(text, match, lexicon)
            if fact is not None and not any(f.start < fact.end and fact.start < f.end for f in facts):
                facts.append(fact)
    facts += _range_starts(text, facts, lang)
    facts += _range_ends(text, facts, lang)
    bare = [f for f in _bare(text, lexicon) if not any(g.start < f.end and f.start < g.end for g in facts)]
    if bare:  # a range of bare amounts: 说好四万到五万
        facts += bare
        facts += [f for f in _bare_range_ends(text, bare) if not any(g.start < f.end and f.start < g.end for g in facts)]
    if lang == "en" and facts:
        facts += [f for f in _bare_price_en(text, facts) if not any(g.start < f.end and f.start < g.end for g in facts)]
    return sorted(facts, key=lambda f: f.start)


# An English price with no currency word, after a sale or a payment ("bought me out for 8,000", "paid
# 12,000 for her", "the price was 9,500"): it is in the currency of the nearest amount the text names with
# one, earlier if any, else later. A number with a noun after it is a count, not a price.
_EN_BARE_PRICE = re.compile(
    r"\b(?:(?:bought|sold|paid|traded|handed|exchanged|gave|given)\b[^.;!?]{0,30}?\bfor|paid|price (?:was|of)|fetched|cost)"
    r"\s+(?:about |around |nearly |some |almost |roughly )?(?P<n>\d{1,3}(?:,\d{3})+|\d{4,6})(?![\d,]*\s*(?:%|per ?cent|[A-Za-z]))",
    re.IGNORECASE)


def _bare_price_en(text: str, named: list[Fact]) -> list[Fact]:
    found = []
    for match in _EN_BARE_PRICE.finditer(text):
        value = numbers.parse(match.group("n"), "en")
        if not value or value < 100:
            continue
        earlier = sorted((f for f in named if f.end <= match.start("n")), key=lambda f: f.start)
        nearest = earlier[-1] if earlier else min(named, key=lambda f: f.start - match.end("n"))
        found.append(make("money", text, match.start("n"), match.end("n"), 0.7,
                          amount=numbers.plain(value), currency=nearest.get("currency")))
    return found


# The first number of a range, written just before an amount with its currency: "3,000 to 5,000 yuan",
# "1만에서 3만 위안", "三万至六万元".
_RANGE_START = {
    "en": re.compile(rf"(?<![\w$€¥£.,])(?P<n>{numbers.EN_NUMBER})\s*(?:to|-|–|and)\s*$", re.I),
    "ko": re.compile(rf"(?<![가-힣\d.,])(?P<n>{numbers.KO_NUMBER})\s?(?:에서|부터|~|-)\s?$"),
    "zh": re.compile(rf"(?<![\d.,{numbers.ZH_CHARS}])(?P<n>{numbers.ZH_NUMBER})(?:至|到|~|-|—|～)$"),
}
_LARGE_PLACE = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "만": 10_000, "억": 100_000_000,
                "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}


def _range_starts(text: str, facts: list[Fact], lang: str) -> list[Fact]:
    found = []
    for fact in facts:
        if fact.get("qualifier"):
            continue
        before = _RANGE_START[lang].search(text, max(0, fact.start - 24), fact.start)
        if before is None or any(f.start < before.end() and before.start() < f.end for f in facts):
            continue
        raw = before.group("n").strip()
        value = numbers.parse(raw, lang)
        if not value:
            continue
        # "3 to 5 million yuan", 三至六万元: the scale written once, on the second number
        second = fact.text.lower()
        for word, scale in _LARGE_PLACE.items():
            if word in second and word not in raw.lower() and value * scale <= float(fact.get("amount")):
                value *= scale
                break
        if value >= float(fact.get("amount")):
            continue
        start, end = before.span("n")
        found.append(make("money", text, start, end, 0.8, amount=numbers.plain(value), currency=fact.get("currency")))
    return found


# The second number of a range whose currency is written once, on the first: "$15,000–20,000",
# "US$3,000 to 5,000", "인민폐 2만~3만", "人民币两万到三万". It takes the first's currency and, when it has none
# of its own, its scale ("$2–3 million").
_RANGE_END = {
    "en": re.compile(rf"\s*(?:–|-|to)\s*(?P<n>{numbers.EN_NUMBER})(?:\s?(?P<scale>million|billion|thousand)\b)?"
                     rf"(?![\d,.]*\s*(?:%|percent|per\s?cent|yuan|dollars?|won|euros?|rmb|usd|cny|krw|people|women|men|years?)\b)(?![\w$€¥£])", re.I),
    "ko": re.compile(rf"\s?(?:~|-|에서)\s?(?P<n>{numbers.KO_NUMBER})(?![\d,.]*\s?(?:위안|달러|원|명|%|년|살|세))"),
    "zh": re.compile(rf"(?:至|到|~|-|—|～)(?P<n>{numbers.ZH_NUMBER})(?![\d{numbers.ZH_CHARS}元块美韩朝欧人名个次天年月日岁号%])"),
}
_CURRENCY_BEFORE = re.compile(r"^(?:US\$|\$|¥|€|₩|USD|CNY|RMB|KRW|EUR|인민폐|미화|人民币)", re.I)


def _range_ends(text: str, facts: list[Fact], lang: str) -> list[Fact]:
    found = []
    for fact in facts:
        if not _CURRENCY_BEFORE.match(fact.text) or fact.get("qualifier"):
            continue
        after = _RANGE_END[lang].match(text, fact.end)
        if after is None or any(f.start < after.end() and after.start("n") < f.end for f in facts):
            continue
        value = numbers.parse(after.group("n").strip(), lang)
        if not value:
            continue
        scale = (after.groupdict().get("scale") or "").lower()
        if scale:
            value *= _LARGE_PLACE[scale]
        else:
            first = fact.text.lower()
            for word, factor in _LARGE_PLACE.items():
                if word in first and word not in after.group("n").lower() and value * factor > float(fact.get("amount")):
                    value *= factor
                    break
        if value <= float(fact.get("amount")):
            continue
        found.append(make("money", text, after.start("n"), after.end(), 0.8, amount=numbers.plain(value),
                          currency=fact.get("currency")))
    return found


_PLACE_WORD = re.compile(r"[万萬千仟]")


@functools.cache
def _bare_pattern(lexicon: Lexicon) -> re.Pattern[str] | None:
    if not lexicon.money_bare:
        return None
    cues = "|".join(f"(?P<c_{code}>{alt})" for code, alt in lexicon.money_bare.items() if alt)
    # a number with a place word (两万五, 八千, 1.5万), not a count or a date after it
    number = rf"(?:\d+(?:\.\d+)?[万萬千仟]|[{numbers.ZH_CHARS}]*[万萬千仟][{numbers.ZH_CHARS}]*)"
    return re.compile(rf"(?:{cues})(?P<n>{number})(?P<more>多)?(?![\d{numbers.ZH_CHARS}元块美韩朝欧人名个次天年月日岁号斤头只件米里户起倍成])")


_BARE_RANGE_END = re.compile(rf"(?:到|至|~|-|—)(?P<n>\d+(?:\.\d+)?[万萬千仟]|[{numbers.ZH_CHARS}]*[万萬千仟][{numbers.ZH_CHARS}]*)"
                             rf"(?![\d{numbers.ZH_CHARS}元块美韩朝欧人名个次天年月日岁号斤头只件米里户起倍成])")


def _bare_range_ends(text: str, bare: list[Fact]) -> list[Fact]:
    """The second number of a range of bare amounts takes the first's currency: 说好四万到五万."""
    found = []
    for fact in bare:
        after = _BARE_RANGE_END.match(text, fact.end)
        value = numbers.parse(after.group("n"), "zh") if after else None
        if after and value and value > float(fact.get("amount")):
            found.append(make("money", text, after.start("n"), after.end("n"), 0.75, amount=numbers.plain(value),
                              currency=fact.get("currency")))
    return found


def _bare(text: str, lexicon: Lexicon) -> list[Fact]:
    pattern = _bare_pattern(lexicon)
    if pattern is None:
        return []
    found = []
    # only near a place word (万, 千): every bare amount read here has one
    for match in (m for start, end in windows(text, _PLACE_WORD, 24, 6) for m in pattern.finditer(text, start, end)):
        value = numbers.parse(match.group("n"), lexicon.language)
        if not value or value < 100:
            continue
        currency = next(k[2:] for k, v in match.groupdict().items() if k.startswith("c_") and v is not None)
        attrs = {"amount": numbers.plain(value), "currency": currency}
        if match.group("more"):
            attrs["qualifier"] = "more_than"
        found.append(make("money", text, match.start("n"), match.end(), 0.75, **attrs))
    return found


def _read(text: str, match: re.Match[str], lexicon: Lexicon) -> Fact | None:
    """One money fact from a match, or None when the number does not read."""
    lang = lexicon.language
    groups = {k: v for k, v in match.groupdict().items() if v is not None}
    raw = groups.get("n1") or groups.get("n2") or ""
    value = numbers.parse(raw.strip(), lang)
    if value is None or value <= 0:
        return None
    if groups.get("more_place"):
        value *= _LARGE_PLACE.get(groups["more_place"], 1000 if groups["more_place"] == "千" else 1)
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
