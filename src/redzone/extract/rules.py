"""The rule method: lexicons, the gazetteer and the number, money, age, date and quantity grammars
run over the raw text, with no tokeniser. Fast, dependency-free, and the base the morpheme method refines."""

from __future__ import annotations

import bisect

from redzone.extract.ages import find_ages
from redzone.extract.dates import find_dates
from redzone.extract.facts import Fact
from redzone.extract.lexicon import load_lexicon
from redzone.extract.money import add_usd, find_money
from redzone.extract.persons import find_persons
from redzone.extract.places import find_places
from redzone.extract.quantities import find_quantities
from redzone.extract.triggers import find_roles, find_violations


def _without(facts: list[Fact], taken: list[Fact]) -> list[Fact]:
    """The facts that overlap none of `taken`."""
    if not taken:
        return facts
    spans = sorted((t.start, t.end) for t in taken)
    starts = [s for s, _ in spans]
    widest = max(e - s for s, e in spans)
    kept = []
    for fact in facts:
        low = bisect.bisect_left(starts, fact.start - widest)
        high = bisect.bisect_left(starts, fact.end)
        if not any(spans[i][1] > fact.start for i in range(low, high)):
            kept.append(fact)
    return kept


def extract_rules(text: str, lang: str) -> list[Fact]:
    """Every fact the rules propose for `text` in `lang`, in text order.

    Numbers are read once: money first, then ages, then dates, then quantities, each kept out of the
    spans the earlier ones took ("12,000 yuan" is money, not a quantity; "aged 15" is not a count).
    A place inside an amount names its currency (50万朝鲜元), not where anything happened.
    """
    lexicon = load_lexicon(lang)
    money = find_money(text, lexicon)
    ages = _without(find_ages(text, lang), money)
    dates = _without(find_dates(text, lang), money + ages)
    numeric = money + ages + dates
    quantities = find_quantities(text, lexicon, [(f.start, f.end) for f in numeric])
    places = _without(find_places(text, lang), money)  # 朝鲜元 is a currency, not a place
    violations = find_violations(text, lexicon, keep_cancelled=True)
    cybersex = any(f.get("code") == "sexual.cybersex" for f in violations)
    roles = _without(find_roles(text, lexicon, cybersex), places)
    persons = _without(find_persons(text, lang), places)
    facts = [*add_usd(money, dates), *ages, *dates, *quantities, *places, *(f for f in violations if f.confidence > 0.5),
             *roles, *persons]
    return sorted(facts, key=lambda f: (f.start, f.end, f.type))
