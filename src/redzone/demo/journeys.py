"""The true story of each simulated victim: her journey (crossing, sales, marriage or exploitation,
arrest, repatriation and detention, re-crossing, flight to South Korea), the violations along it, and
which organisations come to document her — the capture model behind the demo's lists.

Only the simulation's random stream is used here, so the truth (population, capture histories, act
counts) can be recomputed without rendering any record.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from redzone.demo.setting import PROFILES, STRATA, Groups, Places, Weighted

CUTOFF = dt.date(2025, 6, 30).toordinal()  # no journey event after this day
YEARS = Weighted(range(1997, 2024), [3 if y <= 2000 else 4 if y <= 2011 else 2.5 if y <= 2019 else 0.3 if y <= 2022
                                     else 0.8 for y in range(1997, 2024)])
PATHWAYS = ("bride", "sex", "cyber", "labour")
SENSITIVE = frozenset(("sexual.rape", "sexual.violence_in_custody", "reproductive.forced_abortion",
                       "reproductive.forced_pregnancy", "sexual.cybersex"))
CUSTODY_KINDS = frozenset(("arrest", "detention", "interrogation", "repatriation"))
BROKERS_PER_NETWORK = 3
VIOLATIONS = ("trafficking.sale", "trafficking.deceptive_recruitment", "trafficking.abduction", "trafficking.transport",
              "sexual.rape", "sexual.slavery", "sexual.forced_prostitution", "sexual.cybersex",
              "sexual.violence_in_custody", "marriage.forced", "reproductive.forced_pregnancy",
              "reproductive.forced_abortion", "labour.forced", "refoulement.forced_repatriation", "detention.arbitrary",
              "detention.torture", "detention.invasive_search", "physical.beating", "life.death_in_custody",
              "life.execution", "child.denied_registration", "corruption.bribery")  # what the journeys below can record


class TrueAct:
    __slots__ = ("violation", "price", "currency", "duration", "count", "perpetrators")

    def __init__(self, violation: str, perpetrators: tuple, price: float | None = None, currency: str | None = None,
                 duration: int | None = None, count: int | None = None) -> None:
        self.violation, self.perpetrators = violation, perpetrators
        self.price, self.currency, self.duration, self.count = price, currency, duration, count


class TrueEvent:
    __slots__ = ("kind", "place", "start", "end", "acts")

    def __init__(self, kind: str, place: str | None, start: int, end: int | None = None) -> None:
        self.kind, self.place, self.start, self.end = kind, place, start, end
        self.acts: list[TrueAct] = []


class TrueVictim:
    """One simulated woman: her facts, her journey, and for each organisation that documented her the
    flags of which acts of the journey (in order) its record holds."""

    __slots__ = ("true_id", "birth_year", "origin", "crossing_year", "stratum", "events", "records")

    def __init__(self, true_id: int, birth_year: int, origin: str, stratum: str) -> None:
        self.true_id, self.birth_year, self.origin, self.stratum = true_id, birth_year, origin, stratum
        self.crossing_year = 0
        self.events: list[TrueEvent] = []
        self.records: list[tuple[int, list[bool]]] = []  # (profile index, told flag per act)


def _round(value: float, step: int) -> float:
    return float(max(step, round(value / step) * step))


class Simulator:
    """Draws true victims: who they are and who documents them in vectorised blocks (`draw`), then the
    journey of each documented one (`journey`) from the simulation's Python stream."""

    def __init__(self, places: Places, groups: Groups, violations, roles) -> None:  # noqa: ANN001
        self.places, self.groups = places, groups
        self.violations, self.roles = frozenset(violations), frozenset(roles)
        self.every_role_known = self.roles >= {"broker", "buyer", "buyer_family", "organised_crime", "brothel_operator",
                                               "cybersex_operator", "border_guard", "police", "security_officer",
                                               "detention_guard", "informer", "official", "employer"}
        self.official = "official" if "official" in self.roles else "police"
        self.employer = "employer" if "employer" in self.roles else "buyer"
        self._origin_cumulative = np.array(places.origins.cumulative)
        self._logits = [np.array([p.capture[s] for s in STRATA]) for p in PROFILES]
        ids = [p.organisation.id for p in PROFILES]
        # Per organisation: (indices of the organisations that refer victims to it, the boost a referral gives).
        self.referrals = tuple((tuple(ids.index(r) for r in p.referral_from if r in ids), p.referral_boost)
                               for p in PROFILES)

    # -- the journey ------------------------------------------------------------------------------

    def _act(self, event: TrueEvent, violation: str, perpetrators: tuple, **details) -> None:
        if violation in self.violations:
            if not self.every_role_known:  # a vocabulary without some role: leave those perpetrators out
                perpetrators = tuple(p for p in perpetrators if p[0] in self.roles)
            event.acts.append(TrueAct(violation, perpetrators, **details))

    def _broker(self, rng, network: int, named: float = 0.3) -> tuple:  # noqa: ANN001
        person = network * BROKERS_PER_NETWORK + int(rng.random() * BROKERS_PER_NETWORK) if rng.random() < named else None
        return ("broker", self.groups.network_keys[network], person)

    @staticmethod
    def _bride_price(rng, year: int) -> float:  # noqa: ANN001
        value = 3000 * 1.115 ** (year - 1998) * rng.lognormvariate(0, 0.35)
        return _round(min(60000.0, max(1000.0, value)), 500)

    def _cycle(self, rng, v: TrueVictim, t: int, pathway: str, first: bool) -> tuple[int, str]:  # noqa: ANN001
        """One stay in China from crossing to the end of exploitation; returns (day, place)."""
        g, places = self.groups, self.places
        year = dt.date.fromordinal(t).year
        crossing, across = places.crossing_near(rng, v.origin)
        network = g.networks.pick(rng)
        event = TrueEvent("crossing", crossing, t)
        v.events.append(event)
        recruited = first and rng.random() < 0.55
        if recruited:
            self._act(event, "trafficking.deceptive_recruitment", (self._broker(rng, network),))
        if rng.random() < (0.65 if recruited else 0.3):
            self._act(event, "trafficking.transport", (self._broker(rng, network, 0.15),))
        if across and rng.random() < 0.12:
            self._act(event, "corruption.bribery", (("border_guard", g.border_posts_kp.get(across), None),),
                      price=_round(rng.uniform(500, 5000), 100), currency="CNY")
        place = crossing
        if not recruited and rng.random() < 0.15:
            t += 1 + int(rng.random() * 30)
            place = places.near_border.pick(rng)
            event = TrueEvent("other", place, t)
            v.events.append(event)
            self._act(event, "trafficking.abduction", (self._broker(rng, network), ("organised_crime",
                                                                                     g.crime_groups.pick(rng), None)))
            self._act(event, "trafficking.transport", (self._broker(rng, network, 0.1),))
        if rng.random() < 0.3:
            t += 2 + int(rng.random() * 20)
            place = places.near_border.pick(rng)
            event = TrueEvent("transfer", place, t)
            v.events.append(event)
            other = g.networks.pick(rng)
            self._act(event, "trafficking.sale", (self._broker(rng, network), self._broker(rng, other, 0.1)),
                      price=_round(self._bride_price(rng, year) * 0.5, 100), currency="CNY")
            network = other
        t += 1 + int(rng.random() * 30)
        if pathway == "sex":
            brothel, place = g.brothels.pick(rng)
            buyer = ("brothel_operator", brothel, None)
        elif pathway == "cyber":
            den, place = g.dens.pick(rng)
            buyer = ("cybersex_operator", den, None)
        else:
            place = places.destination.pick(rng)
            buyer = ("buyer", None, None) if pathway == "bride" else (self.employer, None, None)
        sale = TrueEvent("sale", place, t)
        v.events.append(sale)
        price = self._bride_price(rng, year) * (0.8 if pathway in ("sex", "cyber") else 1.0)
        self._act(sale, "trafficking.sale", (self._broker(rng, network, 0.35), buyer), price=_round(price, 500),
                  currency="CNY")
        if pathway == "bride":
            return self._marriage(rng, v, t, place)
        return self._exploitation(rng, v, t, place, pathway, buyer)

    def _marriage(self, rng, v: TrueVictim, t: int, place: str) -> tuple[int, str]:  # noqa: ANN001
        days = 180 + int(rng.random() * 2800)
        t += int(rng.random() * 5)
        event = TrueEvent("marriage", place, t, t + days)
        v.events.append(event)
        buyer = ("buyer", None, None)
        family = ("buyer_family", None, None)
        self._act(event, "marriage.forced", (buyer, family) if rng.random() < 0.35 else (buyer,), duration=days)
        if rng.random() < 0.85:
            self._act(event, "sexual.rape", (buyer,))
        if rng.random() < 0.4:
            self._act(event, "physical.beating", (buyer,))
        if rng.random() < 0.3:
            self._act(event, "labour.forced", (family,), duration=days)
        if rng.random() < 0.25:
            self._act(event, "reproductive.forced_pregnancy", (buyer,))
        if days > 320 and rng.random() < 0.4:
            birth = TrueEvent("birth", place, t + 280 + int(rng.random() * (days - 300)))
            v.events.append(birth)
            self._act(birth, "child.denied_registration",
                      ((self.official, self.groups.psb.get(place), None),))
        return t + days, place

    def _exploitation(self, rng, v: TrueVictim, t: int, place: str, pathway: str, operator: tuple) -> tuple[int, str]:  # noqa: ANN001
        days = 30 + int(rng.random() * (1200 if pathway == "cyber" else 900))
        event = TrueEvent("exploitation", place, t, t + days)
        v.events.append(event)
        if pathway == "sex":
            year = dt.date.fromordinal(t).year
            per_customer = _round(min(800.0, 30 * 1.07 ** (year - 1998) * rng.lognormvariate(0, 0.5)), 10)
            count = 2 + int(rng.random() * 10) if rng.random() < 0.5 else None
            self._act(event, "sexual.forced_prostitution", (operator,), price=per_customer, currency="CNY",
                      duration=days, count=count)
        elif pathway == "cyber":
            count = 2 + int(rng.random() * 7) if rng.random() < 0.7 else None
            self._act(event, "sexual.cybersex", (operator,), duration=days, count=count)
        else:
            self._act(event, "labour.forced", (operator,), duration=days)
        if pathway in ("sex", "cyber") and rng.random() < 0.55:
            self._act(event, "sexual.slavery", (operator,), duration=days)
        if rng.random() < 0.35:
            self._act(event, "physical.beating", (operator,))
        if pathway in ("sex", "labour") and rng.random() < 0.25:
            self._act(event, "sexual.rape", (operator,))
        t += days
        if pathway == "sex" and rng.random() < 0.25:
            den, den_place = self.groups.dens.pick(rng)
            transfer = TrueEvent("transfer", den_place, t)
            v.events.append(transfer)
            self._act(transfer, "trafficking.sale", (operator, ("cybersex_operator", den, None)),
                      price=_round(self._bride_price(rng, dt.date.fromordinal(t).year) * 0.6, 500), currency="CNY")
            return self._exploitation(rng, v, t, den_place, "cyber", ("cybersex_operator", den, None))
        return t, place

    def _custody(self, rng, v: TrueVictim, t: int, place: str, dies: bool, pathway: str) -> int:  # noqa: ANN001
        """Arrest in China, detention, forced return and detention in North Korea."""
        g, places = self.groups, self.places
        t += int(rng.random() * 30)
        arrest = TrueEvent("arrest", place, t)
        v.events.append(arrest)
        police = ("police", g.psb.get(place), None)
        self._act(arrest, "detention.arbitrary", (police, ("informer", None, None)) if rng.random() < 0.3 else (police,))
        crossing, across = places.crossing_near(rng, v.origin)
        days = 7 + int(rng.random() * 53)
        centre = g.detention_cn.get(crossing)
        held = TrueEvent("detention", places.places[crossing].parent or crossing, t + 1, t + 1 + days)
        v.events.append(held)
        self._act(held, "detention.arbitrary", (("police", centre, None),), duration=days)
        if rng.random() < 0.2:
            self._act(held, "physical.beating", (("police", centre, None),))
        t += 1 + days
        handover = TrueEvent("repatriation", crossing, t)
        v.events.append(handover)
        self._act(handover, "refoulement.forced_repatriation",
                  (("police", g.psb.get(crossing), None), ("border_guard", g.border_posts_cn.get(crossing), None)),
                  count=2 + int(rng.random() * 29) if rng.random() < 0.5 else None)
        kp_place = across or v.origin
        security = ("security_officer", g.security_kp.get(kp_place), None)
        guard = ("detention_guard", g.holding_kp.get(kp_place), None)
        days = 10 + int(rng.random() * 80)
        t += int(rng.random() * 3)
        questioned = TrueEvent("interrogation", kp_place, t, t + days)
        v.events.append(questioned)
        if rng.random() < 0.7:
            self._act(questioned, "detention.invasive_search", (guard,))
        if rng.random() < 0.55:
            self._act(questioned, "detention.torture", (security,))
        if rng.random() < 0.45:
            self._act(questioned, "physical.beating", (security,))
        if rng.random() < 0.15:
            self._act(questioned, "sexual.violence_in_custody", (guard,))
        if rng.random() < (0.2 if pathway == "bride" else 0.05):
            self._act(questioned, "reproductive.forced_abortion", (guard,))
        t += days
        days = 60 + int(rng.random() * 480)
        camp_key = g.camps_kp.get(places.province(v.origin))
        camp = TrueEvent("detention", places.province(v.origin), t, t + days)
        v.events.append(camp)
        self._act(camp, "detention.arbitrary", (("security_officer", g.security_kp.get(kp_place), None),
                                                ("detention_guard", camp_key, None)), duration=days)
        if rng.random() < 0.6:
            self._act(camp, "labour.forced", (("detention_guard", camp_key, None),), duration=days)
        if dies:
            if rng.random() < 0.15:
                self._act(camp, "life.execution", (security,))
            else:
                self._act(camp, "life.death_in_custody", (("detention_guard", camp_key, None),))
        elif rng.random() < 0.2:
            roll = rng.random()
            price, currency = ((_round(rng.uniform(2000, 20000), 500), "CNY") if roll < 0.6 else
                               (_round(rng.uniform(300, 3000), 100), "USD") if roll < 0.85 else
                               (_round(rng.uniform(500_000, 5_000_000), 100_000), "KPW"))
            self._act(camp, "corruption.bribery", (("security_officer", g.security_kp.get(kp_place), None),),
                      price=price, currency=currency)
        return t + days

    def _flight(self, rng, v: TrueVictim, t: int, place: str) -> None:  # noqa: ANN001
        t += int(rng.random() * 60)
        v.events.append(TrueEvent("escape", place, t))
        if self.places.routes is not None:
            for options in self.places.routes.pick(rng):
                t += 3 + int(rng.random() * 40)
                v.events.append(TrueEvent("onward_flight", options[int(rng.random() * len(options))], t))
        t += 7 + int(rng.random() * 60)
        v.events.append(TrueEvent("arrival", self.places.arrival, t))

    # -- one victim -------------------------------------------------------------------------------

    def draw(self, gen, first_id: int, size: int) -> list[tuple]:  # noqa: ANN001
        """Draw `size` true victims at once (numpy uniforms only, so the stream is stable): who they are,
        what path they take, who documents them. Returns a header per *documented* victim:
        (true_id, crossing year, birth year, origin, pathway, arrested, dies, again, second_end, stratum,
        captured organisation indices); the others need no journey."""
        u = gen.random((size, 10 + len(PROFILES)))
        year = 1997 + np.searchsorted(_YEAR_CUMULATIVE, u[:, 0] * _YEAR_CUMULATIVE[-1], side="right")
        low = np.maximum(11.5, year - 2008.0)  # age bounds keep birth years within 1975–2008
        high = np.minimum(40.5, year - 1975.0 + 0.999)
        f_low, f_high = _triangular_cdf(low), _triangular_cdf(high)
        age = np.floor(_triangular_inverse(f_low + u[:, 1] * (f_high - f_low)))
        birth = np.clip(year - age, 1975, 2008).astype(np.int64)
        weights = np.stack([np.full(size, 0.52), np.full(size, 0.2), np.where(year >= 2008, 0.1, 0.0),
                            np.full(size, 0.18)], axis=1)
        bounds = np.cumsum(weights, axis=1)
        roll = u[:, 2] * bounds[:, -1]
        pathway = (roll >= bounds[:, 0]).astype(np.int64) + (roll >= bounds[:, 1]) + (roll >= bounds[:, 2])
        arrested = u[:, 3] < 0.32
        dies = arrested & (u[:, 4] < 0.03)
        again = arrested & ~dies & (u[:, 5] < 0.45)
        second_end = np.where(again, np.select([u[:, 6] < 0.6, u[:, 6] < 0.75], [1, 2], 3), 0)
        to_korea = ~arrested & (u[:, 6] < np.minimum(0.5, 0.12 + 0.02 * (year - 1997)))
        stratum = np.select([dies, arrested & (~again | (second_end == 2)), second_end == 1, to_korea], [4, 3, 2, 1], 0)
        origin = np.searchsorted(self._origin_cumulative, u[:, 7] * self._origin_cumulative[-1], side="right")
        frailty = 0.9 * np.sqrt(-2.0 * np.log1p(-u[:, 8])) * np.cos(2 * np.pi * u[:, 9])
        captured = np.zeros((size, len(PROFILES)), dtype=bool)
        for n, (referrers, boost) in enumerate(self.referrals):
            logit = self._logits[n][stratum] + frailty
            if referrers:
                logit = logit + boost * captured[:, list(referrers)].any(axis=1)
            captured[:, n] = u[:, 10 + n] * (1 + np.exp(-logit)) < 1
        rows = np.flatnonzero(captured.any(axis=1))
        columns = [a[rows].tolist() for a in (year, birth, origin, pathway, arrested, dies, again, second_end,
                                                stratum)]
        caught = captured[rows].tolist()
        origins = self.places.origins.items
        return [(first_id + int(r), y, b, origins[o], PATHWAYS[p], a, d, g, _SECOND_END[e], STRATA[s],
                 tuple(n for n, c in enumerate(cap) if c))
                for r, y, b, o, p, a, d, g, e, s, cap in zip(rows.tolist(), *columns, caught)]

    def journey(self, rng, header: tuple) -> TrueVictim:  # noqa: ANN001
        """The detailed journey of a documented victim, and which acts each organisation's record holds."""
        true_id, year, birth, origin, pathway, arrested, dies, again, second_end, stratum, captured = header
        v = TrueVictim(true_id, birth, origin, stratum)
        t = dt.date(year, 1, 1).toordinal() + int(rng.random() * 365)
        t, place = self._cycle(rng, v, t, pathway, True)
        if arrested:
            t = self._custody(rng, v, t, place, dies, pathway)
            if again:
                t, place = self._cycle(rng, v, t + 30 + int(rng.random() * 600),
                                       pathway if rng.random() < 0.6 else "labour", False)
                if second_end == "returned":
                    self._custody(rng, v, t, place, False, pathway)
                elif second_end == "korea":
                    self._flight(rng, v, t, place)
        elif stratum == "korea":
            self._flight(rng, v, t, place)
        last = max(e.end or e.start for e in v.events)
        if last > CUTOFF:  # a late crosser's journey is moved back to end before the cut-off
            shift = last - CUTOFF + int(rng.random() * 200)
            for e in v.events:
                e.start -= shift
                e.end = None if e.end is None else e.end - shift
        v.crossing_year = dt.date.fromordinal(v.events[0].start).year
        v.birth_year = max(1975, min(v.birth_year, v.crossing_year - 12))  # the move back must not make her a child of 5
        witness = stratum in ("returned", "died")
        chances = [((0.85 if event.kind in CUSTODY_KINDS else 0.25) if witness else 1.0)
                   * (0.75 if act.violation in SENSITIVE else 1.0) for event in v.events for act in event.acts]
        for n in captured:
            told = 1.0 if witness else PROFILES[n].told
            flags = [rng.random() < p * told for p in chances]
            if chances and not any(flags):
                flags[-1 if witness else 0] = True
            v.records.append((n, flags))
        return v


_YEAR_CUMULATIVE = np.array(YEARS.cumulative)
_SECOND_END = (None, "korea", "returned", "in_china")
_A, _B, _C = 11.5, 40.5, 18.0  # age at first crossing: triangular, mode 18


def _triangular_cdf(x):  # noqa: ANN001, ANN202
    x = np.clip(x, _A, _B)
    return np.where(x <= _C, (x - _A) ** 2 / ((_B - _A) * (_C - _A)), 1 - (_B - x) ** 2 / ((_B - _A) * (_B - _C)))


def _triangular_inverse(p):  # noqa: ANN001, ANN202
    mode = (_C - _A) / (_B - _A)
    return np.where(p < mode, _A + np.sqrt(p * (_B - _A) * (_C - _A)),
                    _B - np.sqrt(np.maximum(0.0, 1 - p) * (_B - _A) * (_B - _C)))
