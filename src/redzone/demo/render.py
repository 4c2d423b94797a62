"""Turning one simulated woman into the records each organisation that documented her holds: a person
record (her name as that organisation spells it), the events of her journey it knows (at its own date
precision), the acts she told it, the testimony that states them, and the attestation spans."""

from __future__ import annotations

import datetime as dt
import hashlib

from redzone.demo.identities import Names
from redzone.demo.journeys import TrueVictim
from redzone.demo.model import Act, Attestation, Event, Participation, Perpetrator, Person, Source, record_maker
from redzone.demo.setting import PROFILES
from redzone.demo.testimony import Writer

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # as redzone.records.codes: no 0/O, 1/I/L
CODE_SPACE = len(CODE_ALPHABET) ** 6
TOLD_EVENT_KINDS = frozenset(("crossing", "escape", "onward_flight", "arrival"))
SOURCE_CUTOFF = dt.date(2025, 12, 31).toordinal()
TITLES = {"interview": {"en": "Interview with {code} (synthetic)", "ko": "{code} 면담 (합성)", "zh": "{code}访谈（合成）"},
          "written_statement": {"en": "Written statement about {code} (synthetic)", "ko": "{code} 관련 서면 진술 (합성)",
                                "zh": "关于{code}的书面陈述（合成）"},
          "court_document": {"en": "Legal intake file for {code} (synthetic)", "ko": "{code} 법률 지원 접수 기록 (합성)",
                             "zh": "{code}法律援助登记（合成）"}}
WHEREABOUTS = {"in_china": "in hiding in China (synthetic)", "korea": "South Korea (synthetic)",
               "korea_after_return": "South Korea (synthetic)", "returned": "believed to be in North Korea (synthetic)",
               "died": "deceased (synthetic)"}


new_act, new_attestation, new_person = record_maker(Act), record_maker(Attestation), record_maker(Person)
new_event, new_participation = record_maker(Event), record_maker(Participation)


class Codes:
    """Pseudonymous person codes: unique, drawn from the seed through a fixed permutation of the code
    space (never from the name), so the n-th record of a world always gets the same code."""

    def __init__(self, seed: int) -> None:
        digest = hashlib.sha256(f"redzone-demo-codes:{seed}".encode()).digest()
        self.step = int.from_bytes(digest[:8], "big") % CODE_SPACE | 1
        if self.step % 31 == 0:
            self.step += 2
        self.offset = int.from_bytes(digest[8:16], "big") % CODE_SPACE

    def code(self, n: int) -> str:
        value = (self.step * n + self.offset) % CODE_SPACE
        chars = []
        for _ in range(6):
            value, digit = divmod(value, 31)
            chars.append(CODE_ALPHABET[digit])
        return "RZ-" + "".join(chars)


class Renderer:
    """Renders documented victims into record buffers; keys are numbered in the order records appear."""

    def __init__(self, rng, seed: int, places, vocabulary, event_kinds) -> None:  # noqa: ANN001
        self.rng = rng
        self.names = Names()
        labels = {"en": {c: v.label_en for c, v in vocabulary.violations.items()},
                  "ko": {c: v.label_ko for c, v in vocabulary.violations.items()}}
        labels["zh"] = labels["en"]
        self.writer = Writer(places, labels)
        self.places = places
        self.codes = Codes(seed)
        self.event_kinds = frozenset(event_kinds)
        self.counts = {"persons": 0, "sources": 0, "events": 0, "acts": 0}  # keys handed out so far
        self.perpetrators: dict[tuple, tuple[Perpetrator, ...]] = {}  # (organisation, true perpetrators) → records
        self.broker_records: dict[tuple[int, int], str] = {}  # (organisation, true broker) → person key
        self.broker_names: dict[int, tuple] = {}
        self.descriptions: dict[tuple[str, str | None], str] = {}
        self.clear()

    def clear(self) -> None:
        self.persons: list[Person] = []
        self.sources: list[Source] = []
        self.events: list[Event] = []
        self.participations: list[Participation] = []
        self.acts: list[Act] = []
        self.attestations: list[Attestation] = []

    def _new_person_code(self) -> tuple[str, str]:
        self.counts["persons"] += 1
        n = self.counts["persons"]
        return f"p{n}", self.codes.code(n)

    def _perpetrator_records(self, org: int, true: tuple) -> tuple[Perpetrator, ...]:
        """The act's perpetrators as this organisation records them (individual brokers as its own records)."""
        cache_key = (org, true)
        found = self.perpetrators.get(cache_key)
        if found is None:
            records = []
            for role, group, broker in true:
                person = None
                if broker is not None:
                    person = self.broker_records.get((org, broker)) or self._broker_record(org, broker)
                records.append(Perpetrator(role, group, person))
            found = self.perpetrators[cache_key] = tuple(records)
        return found

    def _broker_record(self, org: int, broker: int) -> str:
        rng = self.rng
        if broker not in self.broker_names:
            self.broker_names[broker] = (*self.names.broker(rng), 1955 + int(rng.random() * 35))
        latin, hangul, sex, born = self.broker_names[broker]
        key, code = self._new_person_code()
        self.broker_records[(org, broker)] = key
        known_birth = rng.random() < 0.4
        self.persons.append(Person(key, PROFILES[org].organisation.id, code, "perpetrator", sex,
                                   born - 2 if known_birth else None, born + 2 if known_birth else None, None, None,
                                   latin if rng.random() < 0.8 else latin.split(" ")[0], hangul,
                                   (f"Boss {latin.split(' ')[0]}",) if rng.random() < 0.3 else (), None, None, None))
        return key

    def _description(self, kind: str, place_id: str | None) -> str:
        key = (kind, place_id)
        text = self.descriptions.get(key)
        if text is None:
            text = self.descriptions[key] = (f"Synthetic demo event: {kind.replace('_', ' ')} in "
                                             f"{self.writer.place(place_id, 'en')}.")
        return text

    def render(self, v: TrueVictim) -> int:
        """Append the records of every organisation that documented `v`; returns the acts added."""
        rng = self.rng
        name = self.names.true_name(rng)
        before = len(self.acts)
        last_day = max(e.end or e.start for e in v.events)
        for org, flags in v.records:
            self._record(rng, v, name, org, flags, last_day)
        return len(self.acts) - before

    def _dates(self, base: str, start: int, end: int | None) -> tuple[str, dt.date, dt.date | None]:
        """(precision, start, end) of an event as a record written at `base` precision keeps it; truncating
        every date of a record alike keeps its journey in order."""
        from_ordinal = dt.date.fromordinal
        if base == "day":
            return ("range" if end is not None else "day"), from_ordinal(start), (
                from_ordinal(end) if end is not None else None)
        s = from_ordinal(start)
        if base == "month":
            if end is None:
                return "month", s.replace(day=1), None
            return "range", s.replace(day=1), from_ordinal(end).replace(day=1)
        if end is None:
            return "year", dt.date(s.year, 1, 1), None
        return "range", dt.date(s.year, 1, 1), dt.date(from_ordinal(end).year, 12, 31)

    def _record(self, rng, v: TrueVictim, name, org: int, flags: list[bool], last_day: int) -> None:  # noqa: ANN001
        profile = PROFILES[org]
        org_id = profile.organisation.id
        witness = v.stratum in ("returned", "died")
        person_key, code = self._new_person_code()
        shift = int(rng.gauss(0, 20)) if rng.random() < 0.2 else 0
        roll = rng.random()
        base = "day" if roll < 0.25 else "month" if roll < 0.75 else "year"
        counts, event_kinds, descriptions, known = self.counts, self.event_kinds, self.descriptions, self.perpetrators
        n_events, n_acts = counts["events"], counts["acts"]
        add_event, add_step, add_act = self.events.append, self.participations.append, self.acts.append
        text_events, sequence, index = [], 0, 0
        for e in v.events:
            acts = e.acts
            told = [a for k, a in enumerate(acts) if flags[index + k]] if acts else acts
            index += len(acts)
            if not told and (witness or e.kind not in TOLD_EVENT_KINDS or rng.random() < 0.4):
                continue  # a record keeps most, not all, of the steps where nothing was done to her
            if rng.random() < 0.04:
                precision, d_start, d_end = "unknown", None, None
            else:
                precision, d_start, d_end = self._dates(base, e.start + shift,
                                                        None if e.end is None else e.end + shift)
            n_events += 1
            event_key = f"e{n_events}"
            kind = e.kind if e.kind in event_kinds else "other"
            description = descriptions.get((kind, e.place)) or self._description(kind, e.place)
            add_event(new_event(event_key, kind, e.place, d_start, d_end, precision, description))
            sequence += 1
            add_step(new_participation(person_key, event_key, sequence))
            written = []
            for a in told:
                n_acts += 1
                act_key = f"a{n_acts}"
                perpetrators = known.get((org, a.perpetrators)) or self._perpetrator_records(org, a.perpetrators)
                add_act(new_act(act_key, person_key, a.violation, event_key, a.price, a.currency, a.duration, a.count,
                                perpetrators))
                written.append((act_key, a.violation, a.price, a.currency, a.duration, a.count))
            text_events.append((e.kind, e.place, precision, d_start, d_end, e.kind in TOLD_EVENT_KINDS, written))
        counts["events"], counts["acts"] = n_events, n_acts
        lang = profile.languages.pick(rng)
        voice = "witness" if witness else "first" if rng.random() < profile.first_person and lang != "zh" else "summary"
        text, spans = self.writer.write(rng, lang, voice, code, text_events)
        second = None
        if not witness and spans and rng.random() < profile.second_source:
            second = self._second_text(rng, profile, text_events, code)
        texts = (text,) if second is None else (text, second[1])
        for _ in range(10):  # a name never appears in a testimony, even by accident
            hangul_mode = profile.hangul.pick(rng)
            north = hangul_mode == "north" or (hangul_mode == "none" and rng.random() < 0.3)
            hangul = self.names.hangul(name, hangul_mode)
            legal = self.names.legal_name(rng, name, profile.name_styles.pick(rng), north)
            if not any(legal in t or (hangul is not None and hangul in t) for t in texts):
                break
        else:
            legal, hangul = None, None
        day = min(SOURCE_CUTOFF, last_day + shift + profile.lag_days[0]
                  + int(rng.random() * (profile.lag_days[1] - profile.lag_days[0])))
        source_date = dt.date.fromordinal(max(day, last_day + max(shift, 0) + 1))  # after all she recounts
        source_key = self._source(rng, org, "written_statement" if witness else "interview", lang, text, source_date,
                                  None if witness else person_key, code)
        for act_key, start, stop in spans:
            self.attestations.append(new_attestation(act_key, source_key, start, stop))
        if second is not None:
            kind, second_text, second_lang, second_spans = second
            after = source_date.toordinal()
            date = dt.date.fromordinal(min(max(SOURCE_CUTOFF, after + 1), after + 30 + int(rng.random() * 300)))
            key = self._source(rng, org, kind, second_lang, second_text, date, person_key, code)
            for act_key, start, stop in second_spans:
                self.attestations.append(new_attestation(act_key, key, start, stop))
        self.persons.append(self._person(rng, v, org_id, person_key, code, legal, hangul, name))

    def _person(self, rng, v: TrueVictim, org_id: str, key: str, code: str, legal, hangul, name) -> Person:  # noqa: ANN001
        birth = v.birth_year
        roll = rng.random()
        if roll < 0.7:
            low = high = birth
        elif roll < 0.85:
            low = high = birth + (1 if rng.random() < 0.5 else -1)
        elif roll < 0.95:
            width = 1 + int(rng.random() * 2)
            low, high = birth - width, birth + width
        else:
            low = high = None
        roll = rng.random()
        origin = v.origin if roll < 0.85 else self.places.province(v.origin) if roll < 0.9 else None
        roll = rng.random()
        crossing = v.crossing_year if roll < 0.8 else v.crossing_year + (1 if roll < 0.84 else -1) if roll < 0.88 else None
        contact = None
        if v.stratum in ("korea", "korea_after_return", "in_china") and rng.random() < 0.35:
            contact = f"synthetic-contact-{key}@example.invalid"
        sex = "female" if rng.random() < 0.97 else "unknown"
        return new_person(key, org_id, code, "victim", sex, low, high, origin, crossing, legal, hangul,
                          self.names.aliases(rng, name), contact, WHEREABOUTS.get(v.stratum), v.true_id)

    def _source(self, rng, org: int, kind: str, lang: str, text: str, date: dt.date, interviewee: str | None,  # noqa: ANN001
                code: str) -> str:
        profile = PROFILES[org]
        self.counts["sources"] += 1
        key = f"s{self.counts['sources']}"
        scopes = ["internal_analysis"]
        if rng.random() < 0.7:
            scopes.append("anonymised_publication")
        if rng.random() < (0.9 if profile.organisation.kind == "legal_aid" else 0.45):
            scopes.append("legal_proceedings")
        if rng.random() < 0.3:
            scopes.append("un_mechanism_sharing")
        withdrawn = None
        if rng.random() < 0.02:
            after = date.toordinal()
            withdrawn = dt.date.fromordinal(min(max(SOURCE_CUTOFF, after + 1), after + 30 + int(rng.random() * 700)))
        self.sources.append(Source(key, profile.organisation.id, kind, TITLES[kind][lang].format(code=code), lang,
                                   date, profile.reliability.pick(rng), profile.credibility.pick(rng), text,
                                   interviewee, tuple(scopes), withdrawn))
        return key

    def _second_text(self, rng, profile, text_events: list, code: str):  # noqa: ANN001, ANN202
        """A later written statement (or legal file) repeating part of the testimony — a second attestation
        of some acts: (kind, text, language, spans), or None when it would repeat no act."""
        chosen = []
        for kind, place, precision, start, end, tell, acts in text_events:
            kept = [a for a in acts if rng.random() < 0.6]
            if kept or tell:
                chosen.append((kind, place, precision, start, end, tell, kept))
        if not any(item[6] for item in chosen):
            return None
        lang = profile.languages.pick(rng)
        kind = "court_document" if profile.organisation.kind == "legal_aid" and rng.random() < 0.5 else "written_statement"
        voice = "first" if lang != "zh" and rng.random() < 0.5 else "summary"
        text, spans = self.writer.write(rng, lang, voice, code, chosen)
        return kind, text, lang, spans
