"""Writing a synthetic testimony from a record's events and acts: one sentence per act (its attestation
span), dates written at the record's precision, places named in the testimony's language."""

from __future__ import annotations

import datetime as dt

from redzone.demo.templates import HEADERS, INTRODUCTIONS, TEMPLATES, WITH

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
UNKNOWN_WHEN = {"en": "at some point", "ko": "언젠가", "zh": "某个时候"}
_GENERIC = {"en": "She also describes {label} in {place} {when}.", "ko": "피해자는 {when} {place}에서 겪은 {label} 피해도 진술했다.",
            "zh": "她还讲述了{when}在{place}遭受的{label}。"}


def _month(lang: str, d: dt.date) -> str:
    return {"en": f"{MONTHS[d.month - 1]} {d.year}", "ko": f"{d.year}년 {d.month}월", "zh": f"{d.year}年{d.month}月"}[lang]


def when(lang: str, precision: str, start: dt.date | None, end: dt.date | None, coarse: str = "month") -> str:
    """A date phrase: 'on 14 March 2005', 'in March 2005', 'in 2005', 'between March 2005 and June 2007'
    (ko: 2005년 3월에 …, zh: 2005年3月 …). `coarse` is the unit a range is written in."""
    if start is None or precision == "unknown":
        return UNKNOWN_WHEN[lang]
    if precision == "range" and end is not None:
        if coarse == "year":
            a, b = str(start.year), str(end.year)
            return {"en": f"between {a} and {b}", "ko": f"{a}년부터 {b}년까지", "zh": f"{a}年至{b}年"}[lang]
        a, b = _month(lang, start), _month(lang, end)
        return {"en": f"between {a} and {b}", "ko": f"{a}부터 {b}까지", "zh": f"{a}至{b}"}[lang]
    if precision == "day":
        return {"en": f"on {start.day} {MONTHS[start.month - 1]} {start.year}",
                "ko": f"{start.year}년 {start.month}월 {start.day}일에", "zh": f"{start.year}年{start.month}月{start.day}日"}[lang]
    if precision == "month":
        return {"en": f"in {_month('en', start)}", "ko": f"{_month('ko', start)}에", "zh": _month("zh", start)}[lang]
    return {"en": f"in {start.year}", "ko": f"{start.year}년에", "zh": f"{start.year}年"}[lang]


_CURRENCY = {"en": {"CNY": "CNY {:,}", "USD": "USD {:,}", "KPW": "KPW {:,}", "KRW": "KRW {:,}"},
             "ko": {"CNY": "{:,}위안", "USD": "{:,}달러", "KPW": "북한 돈 {:,}원", "KRW": "{:,}원"},
             "zh": {"CNY": "{:,}元人民币", "USD": "{:,}美元", "KPW": "{:,}朝鲜圆", "KRW": "{:,}韩元"}}


def price(lang: str, amount: float | None, currency: str | None) -> str:
    if amount is None or currency is None:
        return {"en": "an unknown sum", "ko": "알 수 없는 금액", "zh": "一笔钱"}[lang]
    pattern = _CURRENCY[lang].get(currency, currency + " {:,}")
    return pattern.format(int(amount)) if amount == int(amount) else pattern.replace(":,", ":,.2f").format(amount)


def _object_particle(word: str) -> str:
    """Korean 을/를 after `word`, by whether its last syllable has a final consonant."""
    last = word[-1] if word else ""
    if "가" <= last <= "힣":
        return word + ("을" if (ord(last) - 0xAC00) % 28 else "를")
    return word + "을"


def duration(lang: str, days: int | None) -> str:
    if days is None:
        return {"en": "a long time", "ko": "오랫동안", "zh": "很长时间"}[lang]
    if days < 45:
        return {"en": f"{days} days", "ko": f"{days}일", "zh": f"{days}天"}[lang]
    if days < 700:
        n = max(1, round(days / 30.4))
        return {"en": "about a month" if n == 1 else f"about {n} months", "ko": f"약 {n}개월", "zh": f"约{n}个月"}[lang]
    n = round(days / 365.25)
    return {"en": "about a year" if n == 1 else f"about {n} years", "ko": f"약 {n}년", "zh": f"约{n}年"}[lang]


# Templates are stored with named fields and used in positional form: str.format with positions is faster.
_POSITIONS = {"when": "{0}", "place": "{1}", "price": "{2}", "price_obj": "{3}", "duration": "{4}", "with": "{5}"}


class _Phrases:
    """One language's phrase caches: a large world writes millions of sentences from a few thousand
    distinct places, dates, prices and durations."""

    __slots__ = ("lang", "places", "dates", "prices", "durations")

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.places: dict[str | None, str] = {}
        self.dates: dict[str, dict[dt.date, str]] = {"day": {}, "month": {}, "year": {}}
        self.prices: dict[str | None, dict[float | None, tuple[str, str]]] = {}
        self.durations: dict[int | None, str] = {}

    def when(self, precision: str, start: dt.date | None, end: dt.date | None) -> str:
        if precision == "range" or start is None:
            coarse = "year" if (start is not None and end is not None and start.month == 1 and start.day == 1
                                and end.month == 12 and end.day == 31) else "month"
            return when(self.lang, precision, start, end, coarse)
        table = self.dates.get(precision)
        if table is None:
            return when(self.lang, precision, start, end)
        phrase = table.get(start)
        if phrase is None:
            phrase = table[start] = when(self.lang, precision, start, end)
        return phrase

    def price(self, amount: float | None, currency: str | None) -> tuple[str, str]:
        table = self.prices.get(currency)
        if table is None:
            table = self.prices[currency] = {}
        found = table.get(amount)
        if found is None:
            text = price(self.lang, amount, currency)
            found = table[amount] = (text, _object_particle(text) if self.lang == "ko" else text)
        return found

    def duration(self, days: int | None) -> str:
        found = self.durations.get(days)
        if found is None:
            found = self.durations[days] = duration(self.lang, days)
        return found


class Writer:
    """Writes testimonies from cached phrases and templates resolved once per (violation, event kind)."""

    def __init__(self, places, labels: dict[str, dict[str, str]]) -> None:  # noqa: ANN001
        self.places = places
        self.labels = labels  # lang → violation code → label
        self.phrases = {lang: _Phrases(lang) for lang in HEADERS}
        self._templates: dict[tuple[str, str], dict[str, dict[str, tuple[str, ...] | None]]] = {
            key: {} for key in TEMPLATES}

    def place(self, place_id: str | None, lang: str) -> str:
        names = self.phrases[lang].places
        name = names.get(place_id)
        if name is None:
            name = names[place_id] = self.places.name(place_id, lang)
        return name

    def _options(self, table_key: tuple[str, str], key: str, kind: str) -> tuple[str, ...] | None:
        """The templates for an act (or, with key '', an event) of this kind, in positional form."""
        by_kind = self._templates[table_key].setdefault(key, {})
        if kind not in by_kind:
            table = TEMPLATES[table_key]
            found = table.get("@" + kind) if key == "" else table.get(f"{key}@{kind}") or table.get(key)
            by_kind[kind] = tuple(t.format(**_POSITIONS) for t in found) if found else None
        return by_kind[kind]

    def write(self, rng, lang: str, voice: str, code: str, events: list) -> tuple[str, list[tuple[str, int, int]]]:  # noqa: ANN001
        """The text, and (act key, start, end) of each act's sentence.

        `events`: (kind, place_id, precision, start, end, tell_event, acts) in journey order, acts as
        (key, violation, price, currency, duration_days, victim_count).
        """
        separator = "" if lang == "zh" else " "
        step = len(separator)
        introduction = INTRODUCTIONS.get((lang, voice)) or INTRODUCTIONS[(lang, "summary")]
        parts = [HEADERS[lang], introduction.format(code=code)]
        position = len(parts[0]) + len(parts[1]) + 2 * step
        spans: list[tuple[str, int, int]] = []
        phrases, with_phrase = self.phrases[lang], WITH[lang]
        table_key = (lang, "first" if voice == "first" and lang != "zh" else "summary")
        resolved = self._templates[table_key]
        append_part, append_span, random = parts.append, spans.append, rng.random
        for kind, place_id, precision, start, end, tell_event, acts in events:
            when_phrase = phrases.when(precision, start, end)
            place = phrases.places.get(place_id)
            if place is None:
                place = self.place(place_id, lang)
            if tell_event:
                options = self._options(table_key, "", kind)
                if options:
                    sentence = options[int(random() * len(options))].format(when_phrase, place)
                    append_part(sentence)
                    position += len(sentence) + step
            for key, violation, amount, currency, days, count in acts:
                by_kind = resolved.get(violation)
                options = by_kind[kind] if by_kind is not None and kind in by_kind else \
                    self._options(table_key, violation, kind)
                price_phrase, price_object = phrases.price(amount, currency)
                others = with_phrase.format(n=count - 1) if count and count > 1 else ""
                if options:
                    template = options[int(random() * len(options))] if len(options) > 1 else options[0]
                    sentence = template.format(when_phrase, place, price_phrase, price_object, phrases.duration(days),
                                               others)
                else:
                    label = self.labels.get(lang, {}).get(violation) or violation
                    sentence = _GENERIC[lang].format(label=label, when=when_phrase, place=place)
                append_part(sentence)
                append_span((key, position, position + len(sentence)))
                position += len(sentence) + step
        return separator.join(parts), spans
