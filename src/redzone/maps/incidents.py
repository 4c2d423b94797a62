"""Incident counts by place for the map, with small counts merged upwards or hidden.

Threat: the same as for tables (see `redzone.stats.suppression`): a dot saying "2 acts in
Kaishantun" points at the women of one village. Mechanism, in order:

1. Each act counts at the place of its event, moved up the gazetteer to the nearest city or
   county (a border crossing counts for its town, a district for its city).
2. A city or county with a count from 1 to threshold − 1 is not shown; its count is merged into
   its prefecture (or, if none, its province), together with the acts recorded at the
   prefecture or province itself ("elsewhere in Yanbian").
3. Such an "elsewhere" count is shown at the prefecture or province if it reaches the
   threshold; otherwise it is merged one level further up (province, then country), and left
   out if it never does.

So every number drawn is at least the threshold, and a hidden count is only ever published as
part of a larger one. What is not prevented: someone who also holds a province total from
another release can subtract the shown counts and learn the sum of what is hidden in that
province (not where it is); `docs/maps.md` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.errors import PermissionDenied, Problem, ValidationError
from redzone.records.models import Act, Event
from redzone.security.policy import ACTIONS, Actor, allowed, require
from redzone.vocab import load_vocabulary

POINT_KINDS = ("city", "county")
AREA_KINDS = ("prefecture", "province", "country")


@dataclass(frozen=True)
class PlaceCount:
    """A count drawn on the map: at a city or county, or 'elsewhere' in a prefecture, province or country."""

    place_id: str
    name_en: str
    name_ko: str
    lat: float
    lon: float
    count: int
    kind: str  # 'place' or 'elsewhere'

    def label(self, lang: str = "en") -> str:
        if lang == "ko":
            return f"{self.name_ko} 기타 지역" if self.kind == "elsewhere" else self.name_ko
        return f"elsewhere in {self.name_en}" if self.kind == "elsewhere" else self.name_en


def _point_of(place_id: str) -> tuple[str, bool]:
    """(where an act at this place is counted, whether that is a city or county)."""
    vocabulary = load_vocabulary()
    for place in (vocabulary.places[place_id], *vocabulary.ancestors(place_id)):
        if place.kind in POINT_KINDS:
            return place.id, True
        if place.kind in AREA_KINDS:
            return place.id, False
    return place_id, False


def _area_above(place_id: str) -> str | None:
    return next((p.id for p in load_vocabulary().ancestors(place_id) if p.kind in AREA_KINDS), None)


def raw_place_counts(session: Session) -> dict[str, int]:
    """Acts by their event's gazetteer place (no suppression: for this module's use only)."""
    rows = session.execute(sa.select(Event.place_id, sa.func.count(Act.id))
                           .join(Event, Event.id == Act.event_id)
                           .where(Event.place_id.is_not(None)).group_by(Event.place_id))
    return {place_id: count for place_id, count in rows}


def place_counts(session: Session, actor: Actor, *, threshold: int) -> list[PlaceCount]:
    """The counts to draw, largest first; each at least `threshold`."""
    require(actor, "stats.view")
    if not isinstance(threshold, int) or threshold < 1:
        raise ValidationError(Problem("threshold", "must be an integer ≥ 1"))
    if threshold == 1 and not allowed(actor, "stats.view_unsuppressed"):
        raise PermissionDenied(actor.username, ACTIONS["stats.view_unsuppressed"])
    vocabulary = load_vocabulary()
    points: dict[str, int] = {}
    areas: dict[str, int] = {}
    for place_id, count in raw_place_counts(session).items():
        if place_id not in vocabulary.places:
            continue  # a place the gazetteer no longer knows cannot be drawn
        point, is_point = _point_of(place_id)
        (points if is_point else areas)[point] = (points if is_point else areas).get(point, 0) + count
    shown: list[PlaceCount] = []

    def show(place_id: str, count: int, kind: str) -> None:
        place = vocabulary.places[place_id]
        shown.append(PlaceCount(place.id, place.name_en, place.name_ko, place.lat, place.lon, count, kind))

    for place_id, count in points.items():
        if count >= threshold:
            show(place_id, count, "place")
        elif (area := _area_above(place_id)) is not None:
            areas[area] = areas.get(area, 0) + count
    # Deepest areas first, so that what a prefecture cannot show reaches its province, and so on.
    depth = {kind: index for index, kind in enumerate(reversed(AREA_KINDS))}
    pending = sorted(areas, key=lambda p: (-depth[vocabulary.places[p].kind], p))
    while pending:
        place_id = pending.pop(0)
        count = areas.pop(place_id)
        if count >= threshold:
            show(place_id, count, "elsewhere")
        elif count and (area := _area_above(place_id)) is not None:
            if area not in areas:
                pending.append(area)
                pending.sort(key=lambda p: (-depth[vocabulary.places[p].kind], p))
            areas[area] = areas.get(area, 0) + count
    return sorted(shown, key=lambda c: (-c.count, c.place_id))
