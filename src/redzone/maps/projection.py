"""The base map's projection: equirectangular, with longitudes shortened by the cosine of the
frame's middle latitude so that shapes keep their proportions in north-east Asia (errors in
scale stay under 10 % between 37° and 54° N, invisible at this size)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

# Where `python -m redzone.maps.build` writes the projected outlines (not in git).
OUTLINES = Path(__file__).resolve().parent / "data" / "outlines.json"

# west, south, east, north: Liaoning's coast and the Korean peninsula's DMZ to Heilongjiang's
# northern tip on the Amur, Inner Mongolia's eastern edge to Russia's Primorye.
FRAME = (118.0, 37.4, 135.6, 53.7)
WIDTH_PX = 760.0


@dataclass(frozen=True)
class Projection:
    west: float
    north: float
    x_scale: float  # pixels per degree of longitude
    y_scale: float  # pixels per degree of latitude
    width: float
    height: float

    @classmethod
    def for_frame(cls, west: float, south: float, east: float, north: float, width: float = WIDTH_PX) -> Projection:
        shrink = math.cos(math.radians((south + north) / 2))
        x_scale = width / (east - west)
        y_scale = x_scale / shrink
        return cls(west, north, round(x_scale, 6), round(y_scale, 6), width, round((north - south) * y_scale, 1))

    def to_svg(self, lon: float, lat: float) -> tuple[float, float]:
        return ((lon - self.west) * self.x_scale, (self.north - lat) * self.y_scale)

    def contains(self, lon: float, lat: float) -> bool:
        x, y = self.to_svg(lon, lat)
        return 0 <= x <= self.width and 0 <= y <= self.height

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Projection:
        return cls(**{name: float(data[name]) for name in ("west", "north", "x_scale", "y_scale", "width", "height")})
