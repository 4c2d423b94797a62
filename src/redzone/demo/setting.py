"""The stage of the demo world: the fictional organisations and how each reaches victims, the places
journeys use (picked from the gazetteer by kind, country and distance to the border, never by a
hard-coded id), and the fictional perpetrator groups located at those places."""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from itertools import accumulate

from redzone.demo.model import Group, Organisation

STRATA = ("in_china", "korea", "korea_after_return", "returned", "died")


class Weighted:
    """A fixed weighted choice: `pick(rng)` costs one random draw and a bisect."""

    __slots__ = ("items", "cumulative", "total")

    def __init__(self, items, weights) -> None:  # noqa: ANN001
        pairs = [(item, float(w)) for item, w in zip(items, weights) if w > 0]
        if not pairs:
            raise ValueError("a weighted choice needs at least one item with positive weight")
        self.items = tuple(item for item, _ in pairs)
        self.cumulative = tuple(accumulate(w for _, w in pairs))
        self.total = self.cumulative[-1]

    def pick(self, rng):  # noqa: ANN001, ANN201
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.total)]

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class Profile:
    """How one fictional organisation documents: whom it reaches, in which language and spelling."""

    organisation: Organisation
    languages: Weighted  # en | ko | zh
    first_person: float  # share of testimonies written in the first person (else an interviewer's summary)
    name_styles: Weighted  # see identities.render_legal_name
    hangul: Weighted  # south | north | none
    told: float  # probability that one act of her journey is in this organisation's record
    capture: dict[str, float]  # logit of documenting a victim, by stratum
    referral_from: tuple[str, ...]  # organisations whose victims are referred here
    referral_boost: float
    reliability: Weighted
    credibility: Weighted
    second_source: float  # probability of a second source (written statement) for a record
    lag_days: tuple[int, int]  # interview this long after her last event


def _org(org_id, name, kind, languages, first_person, styles, hangul, told, capture, referral_from=(),  # noqa: ANN001
         boost=0.0, reliability=(("A", 5), ("B", 50), ("C", 35), ("D", 10)), second=0.12,
         lag=(20, 900)) -> Profile:
    def w(pairs):  # noqa: ANN001, ANN202
        return Weighted([k for k, _ in pairs], [v for _, v in pairs])

    return Profile(Organisation(org_id, name, kind), w(languages), first_person, w(styles), w(hangul), told,
                   dict(zip(STRATA, capture)), tuple(referral_from), boost, w(reliability),
                   w(((1, 5), (2, 50), (3, 35), (4, 10))), second, lag)


# Logits by stratum: in China, reached South Korea, reached it after a repatriation, repatriated, died.
PROFILES = (
    _org("demo-lantern", "Northern Lantern Shelter Network (fictional)", "shelter",
         (("ko", 6), ("zh", 4)), 0.5, (("mr", 45), ("customary", 20), ("rr", 20), ("caps", 15)),
         (("north", 6), ("south", 2), ("none", 2)), 0.80, (-1.9, -2.6, -0.6, -3.8, -3.2), lag=(5, 200)),
    _org("demo-tumen", "Tumen Testimony Project (fictional)", "ngo",
         (("ko", 85), ("en", 15)), 0.7, (("rr", 50), ("customary", 40), ("caps", 10)),
         (("south", 85), ("north", 10), ("none", 5)), 0.88, (-5.5, -0.5, -0.3, -6.5, -6.5)),
    _org("demo-haven", "Haven Legal Aid for Survivors (fictional)", "legal_aid",
         (("ko", 6), ("en", 4)), 0.3, (("customary", 50), ("rr", 30), ("western", 20)),
         (("south", 9), ("none", 1)), 0.75, (-6.5, -2.6, -2.2, -7.0, -7.0),
         referral_from=("demo-tumen", "demo-lantern"), boost=1.7, second=0.3, lag=(60, 1500)),
    _org("demo-atlas", "Atlas Research Circle on North Korea (fictional)", "research",
         (("en", 8), ("ko", 2)), 0.2, (("western", 45), ("customary", 35), ("caps", 20)),
         (("south", 3), ("none", 7)), 0.70, (-3.8, -1.5, -1.2, -4.3, -2.6),
         referral_from=("demo-tumen",), boost=0.8, reliability=(("B", 60), ("C", 35), ("D", 5)), lag=(90, 2500)),
    _org("demo-harbour", "Harbour Light Refuge (fictional)", "shelter",
         (("ko", 5), ("en", 5)), 0.5, (("customary", 40), ("mr", 30), ("rr", 30)),
         (("south", 5), ("north", 3), ("none", 2)), 0.80, (-7.0, -1.4, -1.3, -7.5, -7.5), lag=(2, 60)),
)


def _distance_km(a, b) -> float:  # noqa: ANN001
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 12742 * math.asin(min(1.0, math.sqrt(h)))


class Places:
    """The gazetteer places a journey can pass through, chosen by kind, country and geography."""

    LOCAL_KINDS = ("city", "county", "district")

    def __init__(self, vocabulary) -> None:  # noqa: ANN001
        places = dict(sorted(vocabulary.places.items()))
        self.places = places
        parents = {p.parent for p in places.values() if p.parent}
        self._province = {place_id: self._province_of(places, place_id) for place_id in places}

        def country(code: str) -> list:
            return [p for p in places.values() if p.country.upper() == code]

        def local(items: list) -> list:  # towns, and provinces the gazetteer does not divide further
            return [p for p in items if p.kind in self.LOCAL_KINDS or (p.kind == "province" and p.id not in parents)]

        cn, kp = country("CN"), country("KP")
        crossings = [p for p in cn if p.kind == "crossing"]
        cn_local, kp_local = local(cn), local(kp) or kp
        if not cn_local or not kp_local:
            raise ValueError("the demo journeys need places in China and in North Korea in the gazetteer")
        self.china = tuple(p.id for p in cn_local + crossings)
        # Each crossing with the North Korean town across it (None when the gazetteer records none).
        pairs = [(c.id, getattr(c, "across", None) if getattr(c, "across", None) in places else None)
                 for c in crossings] or [(cn_local[0].id, None)]
        self.crossings = Weighted(pairs, [1.0] * len(pairs))
        anchors = crossings or cn_local[:1]
        distance = {p.id: min(_distance_km(p, c) for c in anchors) for p in cn_local}
        self.near_border = Weighted([p.id for p in cn_local], [1 / (1 + distance[p.id] / 60) ** 2 for p in cn_local])
        self.destination = Weighted([p.id for p in cn_local],  # bride sales reach far inland too
                                    [(2.0 if p.kind == "city" else 1.0) / (1 + distance[p.id] / 400) for p in cn_local])
        cities = [p for p in cn_local if p.kind == "city"] or cn_local
        self.cities = Weighted([p.id for p in cities], [1 / (1 + distance[p.id] / 300) for p in cities])
        across_ids = {across for _, across in pairs if across}
        border_provinces = {self._province[a] for a in across_ids}

        def origin_weight(p) -> float:  # noqa: ANN001 — most women come from the provinces along the rivers
            if p.id in across_ids:
                return 4.0
            if self._province[p.id] in border_provinces:
                return 2.0
            return 0.6 if p.kind != "province" else 0.3

        self.origins = Weighted([p.id for p in kp_local], [origin_weight(p) for p in kp_local])
        self.crossings_by_province: dict[str, list[tuple[str, str | None]]] = {}
        for pair in pairs:
            if pair[1]:
                self.crossings_by_province.setdefault(self._province[pair[1]], []).append(pair)
        # Onward routes through third countries, by the countries the gazetteer has (a city rather than the country).
        by_country: dict[str, list[str]] = {}
        for p in places.values():
            if p.country.upper() not in ("CN", "KP", "KR"):
                by_country.setdefault(p.country.upper(), []).append(p.id)
        by_country = {code: [i for i in ids if places[i].kind != "country"] or ids for code, ids in by_country.items()}
        routes = [r for r in (("LA", "TH"), ("VN", "LA", "TH"), ("VN", "KH"), ("MN",), ("TH",), ("LA",))
                  if all(code in by_country for code in r)]
        if not routes and by_country:
            routes = [(sorted(by_country)[0],)]
        self.routes = Weighted([tuple(tuple(by_country[c]) for c in r) for r in routes],
                               [5, 3, 2, 1, 1, 1][:len(routes)]) if routes else None
        korea = country("KR")
        self.arrival = ([p.id for p in korea if p.kind != "country"] or [p.id for p in korea] or [None])[0]

    @staticmethod
    def _province_of(places: dict, place_id: str) -> str:
        place = places[place_id]
        while place.kind != "province" and place.parent in places:
            place = places[place.parent]
        return place.id

    def province(self, place_id: str) -> str:
        """The province-level place containing `place_id` (the place itself if none is above it)."""
        return self._province[place_id]

    def crossing_near(self, rng, origin: str):  # noqa: ANN001, ANN201
        """A crossing into China, usually one facing the victim's home province."""
        nearby = self.crossings_by_province.get(self.province(origin))
        if nearby and rng.random() < 0.75:
            return nearby[int(rng.random() * len(nearby))]
        return self.crossings.pick(rng)

    def name(self, place_id: str | None, language: str) -> str:
        if place_id is None or place_id not in self.places:
            return {"en": "an unknown place", "ko": "알 수 없는 곳", "zh": "某地"}[language]
        place = self.places[place_id]
        return {"en": place.name_en, "ko": place.name_ko, "zh": place.name_zh}[language] or place.name_en


_ADJECTIVES = ("Black Crane", "Red Lantern", "Night Ferry", "Blue River", "Iron Bridge", "Silver Birch", "Old Mill",
               "Pine Ridge", "Golden Carp", "White Fox", "Stone Well", "North Wind", "Willow Bank", "Jade Gate",
               "Grey Heron", "Copper Bell", "Salt Road", "Hollow Oak", "Amber Field", "Cold Spring")
_BAR_NAMES = ("Moonlight", "Lotus", "Paradise", "Starlight", "Phoenix", "Orchid", "Sunrise", "Crystal", "Diamond",
              "Peony", "Rainbow", "Emperor", "Oasis", "Harmony", "Velvet")


@dataclass
class Groups:
    """The perpetrator groups and, for the journeys, their keys by kind and place."""

    records: list[Group]
    network_keys: list[str]
    networks: Weighted  # indices into network_keys: a few large networks, many small
    crime_groups: Weighted
    brothels: Weighted  # (key, place_id)
    dens: Weighted  # (key, place_id)
    border_posts_cn: dict[str, str]  # crossing place id → group key
    border_posts_kp: dict[str, str]  # North Korean place id → group key
    psb: dict[str, str]  # Chinese place id → the nearest PSB office's key
    detention_cn: dict[str, str]  # crossing place id → the border detention centre's key
    security_kp: dict[str, str]  # North Korean place id → State Security bureau key
    holding_kp: dict[str, str]  # North Korean place id → holding centre key
    camps_kp: dict[str, str]  # North Korean province id → labour training camp key


def build_groups(places: Places, rng, scale: int) -> Groups:  # noqa: ANN001
    """Fictional groups, their number growing with the square root of the world's size."""
    records: list[Group] = []

    def add(name: str, kind: str, place_id: str | None) -> str:
        key = f"g{len(records) + 1}"
        records.append(Group(key, name, kind, place_id))
        return key

    root = math.sqrt(max(scale, 1))
    n_networks = max(6, min(400, round(root / 2)))
    networks = [add(f"{_ADJECTIVES[n % len(_ADJECTIVES)]}{'' if n < len(_ADJECTIVES) else f' {n // len(_ADJECTIVES) + 1}'}"
                    f" broker network (fictional)", "broker_network", places.near_border.pick(rng))
                for n in range(n_networks)]
    crime = [add(f"{_ADJECTIVES[(n * 7 + 3) % len(_ADJECTIVES)]} gang {n + 1} (fictional)", "crime_group",
                 places.cities.pick(rng)) for n in range(max(3, n_networks // 3))]
    brothels = []
    for n in range(max(4, min(250, round(root / 3)))):
        place = places.cities.pick(rng)
        brothels.append((add(f"{_BAR_NAMES[n % len(_BAR_NAMES)]} karaoke bar {n + 1} (fictional)", "brothel",
                             place), place))
    dens = []
    for n in range(max(3, min(120, round(root / 5)))):
        place = places.cities.pick(rng)
        dens.append((add(f"Webcam den {n + 1} (fictional)", "cybersex_den", place), place))
    border_cn, border_kp, detention_cn, security_kp, holding_kp = {}, {}, {}, {}, {}
    centre_of_city: dict[str, str] = {}
    for crossing, across in places.crossings.items:
        border_cn[crossing] = add(f"Border defence post, {places.name(crossing, 'en')} (fictional unit)",
                                  "border_guard_post", crossing)
        city = places.places[crossing].parent or crossing
        if city not in centre_of_city:
            centre_of_city[city] = add(f"{places.name(city, 'en')} border detention centre (fictional)",
                                       "detention_facility", city)
        detention_cn[crossing] = centre_of_city[city]
        if across and across not in border_kp:
            kp_label = places.name(across, "en")
            border_kp[across] = add(f"Border guard company, {kp_label} (fictional unit)", "border_guard_post", across)
            security_kp[across] = add(f"{kp_label} State Security bureau (fictional unit)", "state_security", across)
            holding_kp[across] = add(f"{kp_label} holding centre (fictional)", "detention_facility", across)
    cities = list(places.cities.items)
    city_psb = {city: add(f"{places.name(city, 'en')} Public Security Bureau office (fictional unit)",
                          "public_security_bureau", city) for city in cities}
    psb = {}
    for place_id in places.china:
        place = places.places[place_id]
        psb[place_id] = city_psb[min(cities, key=lambda c: (_distance_km(place, places.places[c]), c))]
    camps = {province: add(f"{places.name(province, 'en')} labour training camp (fictional)", "detention_facility",
                           province) for province in sorted({places.province(o) for o in places.origins.items})}

    def even(items: list) -> Weighted:
        return Weighted(items, [1.0] * len(items))

    return Groups(records, networks, Weighted(range(len(networks)), [1 / (n + 1) ** 0.8 for n in range(len(networks))]),
                  even(crime), even(brothels), even(dens), border_cn, border_kp, psb, detention_cn, security_kp,
                  holding_kp, camps)
