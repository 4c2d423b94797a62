"""Checks the vocabulary's data files: each entry's fields, then the references between files.

Every problem is collected, never just the first, as one line `file: entry: field: problem`,
so an administrator who edited the YAML sees everything to fix at once.
"""

from __future__ import annotations

import re
from typing import Any, Callable

CODE_PATTERN = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)*$")
LIST_NAME_PATTERN = re.compile(r"^[a-z_]+$")
COUNTRY_PATTERN = re.compile(r"^[A-Z]{2}$")
VERSION_PATTERN = re.compile(r"^\d{4}\.\d{1,2}\.\d+$")
WORD = re.compile(r"[A-Za-z]{2,}")  # a word, not a paragraph letter such as (a)

# Lists the rest of Redzone indexes by name; a data directory without them is refused.
REQUIRED_LISTS = (
    "event_kinds", "group_kinds", "source_kinds", "consent_scopes", "date_precisions", "reliability",
    "credibility", "sexes", "qualifiers", "currencies", "person_roles",
    "violation_categories", "element_levels", "place_kinds",
)

# Plausible boxes (lat_min, lat_max, lon_min, lon_max), applied to a place through its nearest
# listed ancestor: they catch swapped or mistyped coordinates in the region that matters most.
BOUNDS: dict[str, tuple[float, float, float, float]] = {
    "kp": (37.5, 43.1, 124.0, 131.0),
    "cn": (18.0, 53.6, 73.4, 135.1),
    "cn.liaoning": (38.5, 43.6, 118.8, 125.8),
    "cn.jilin": (40.8, 46.4, 121.6, 131.4),
    "cn.heilongjiang": (43.4, 53.6, 121.2, 135.1),
}

Entry = dict[str, Any]


class Problems:
    """Collects problems as `file: entry: field: problem` lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, file: str, entry: str, field: str, problem: str) -> None:
        self.lines.append(f"{file}: {entry}: {field}: {problem}")

    def __bool__(self) -> bool:
        return bool(self.lines)


def _has_hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


def _has_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff" for ch in text)


# Each check returns None when the value is acceptable, else the problem in a few words.
def _check_text(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "must be non-empty text"
    return None


def _check_hangul(value: Any) -> str | None:
    return _check_text(value) or (None if _has_hangul(value) else "must be written in Hangul")


def _check_han(value: Any) -> str | None:
    return _check_text(value) or (None if _has_han(value) else "must be written in Chinese characters")


def _check_codes(value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return "must be a non-empty list of codes"
    bad = [v for v in value if not isinstance(v, str) or not CODE_PATTERN.match(v)]
    if bad:
        return f"{bad[0]!r} is not a valid code"
    if len(set(value)) != len(value):
        return "lists a code twice"
    return None


def _check_names(value: Any) -> str | None:
    if not isinstance(value, list) or any(not isinstance(v, str) or not v.strip() for v in value):
        return "must be a list of non-empty names"
    return None


def _check_bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _check_number(value: Any) -> str | None:
    return None if isinstance(value, (int, float)) and not isinstance(value, bool) else "must be a number"


def _check_positive_int(value: Any) -> str | None:
    return None if isinstance(value, int) and not isinstance(value, bool) and value > 0 else "must be a positive whole number"


def _check_country(value: Any) -> str | None:
    return None if isinstance(value, str) and COUNTRY_PATTERN.match(value) else "must be an upper-case ISO 3166-1 alpha-2 code"


def _check_code(value: Any) -> str | None:
    return None if isinstance(value, str) and CODE_PATTERN.match(value) else "must be a code like 'a.b_c'"


def _check_combine(value: Any) -> str | None:
    return None if value in ("all", "any") else "must be 'all' or 'any'"


def _check_entries(value: Any) -> str | None:
    return None if isinstance(value, list) and value else "must be a non-empty list"


Check = Callable[[Any], "str | None"]
# field -> (check, required)
Schema = dict[str, tuple[Check, bool]]

VIOLATION: Schema = {
    "code": (_check_code, True), "category": (_check_text, True), "label_en": (_check_text, True),
    "label_ko": (_check_hangul, True), "definition_en": (_check_text, True),
    "provisions": (_check_codes, True), "elements": (_check_codes, True), "note_en": (_check_text, False),
}
PROVISION: Schema = {
    "id": (_check_code, True), "instrument": (_check_text, True), "instrument_ko": (_check_hangul, True),
    "article": (_check_text, True), "article_ko": (_check_hangul, False),
    "label_en": (_check_text, True), "label_ko": (_check_hangul, True),
    "combine": (_check_combine, False), "requires": (_check_codes, False), "minor_age": (_check_positive_int, False),
    "minor_waives": (_check_codes, False), "elements": (_check_entries, True),
}
ELEMENT: Schema = {
    "id": (_check_code, True), "level": (_check_text, True),
    "label_en": (_check_text, True), "label_ko": (_check_hangul, True),
}
ROLE: Schema = {
    "code": (_check_code, True), "label_en": (_check_text, True), "label_ko": (_check_hangul, True),
    "state_actor": (_check_bool, True), "definition_en": (_check_text, False),
}
LIST: Schema = {
    "label_en": (_check_text, True), "label_ko": (_check_hangul, True),
    "pattern": (_check_text, False), "terms": (_check_entries, True),
}
TERM: Schema = {"code": (_check_text, True), "label_en": (_check_text, True), "label_ko": (_check_hangul, True)}
PLACE: Schema = {
    "id": (_check_code, True), "kind": (_check_text, True), "name_en": (_check_text, True),
    "name_ko": (_check_hangul, True), "name_zh": (_check_han, True), "variants": (_check_names, False),
    "parent": (_check_code, False), "across": (_check_code, False), "country": (_check_country, True),
    "lat": (_check_number, True), "lon": (_check_number, True), "geonames_id": (_check_positive_int, False),
}


def entry_name(where: str, name: str) -> str:
    """`where` ("reliability/", "untp.art3/") prefixes a name unless the name already starts with it."""
    return name if not where or name.startswith(where.rstrip("/") + ".") else f"{where}{name}"


def check_entries(problems: Problems, file: str, entries: Any, schema: Schema, key: str,
                  pattern: re.Pattern[str] | None = None, where: str = "") -> dict[str, Entry]:
    """Check each entry against `schema`; return the entries by key, fields at fault set to None."""
    found: dict[str, Entry] = {}
    if not isinstance(entries, list):
        problems.add(file, where or "(file)", key, "expected a list of entries")
        return found
    for index, raw in enumerate(entries, start=1):
        name = raw.get(key) if isinstance(raw, dict) and isinstance(raw.get(key), str) else f"#{index}"
        name = entry_name(where, name)
        if not isinstance(raw, dict):
            problems.add(file, name, "(entry)", "must be a mapping of fields")
            continue
        entry: Entry = {}
        for field, (check, required) in schema.items():
            value = raw.get(field)
            if value is None or value == "":
                if required:
                    problems.add(file, name, field, "missing")
                entry[field] = None
                continue
            problem = check(value)
            if problem is None and field == key and pattern is not None and not pattern.match(str(value)):
                problem = f"does not match {pattern.pattern}"
            if problem:
                problems.add(file, name, field, problem)
                value = None
            entry[field] = value
        for field in raw:
            if field not in schema:
                problems.add(file, name, str(field), "unknown field")
        code = entry.get(key)
        if code is None:
            continue
        if code in found:
            problems.add(file, name, key, "duplicate")
            continue
        found[code] = entry
    return found


def check_violations(problems: Problems, file: str, violations: dict[str, Entry], categories: set[str] | None,
                     provisions: dict[str, Entry], element_provision: dict[str, str],
                     element_level: dict[str, str]) -> None:
    for code, v in violations.items():
        if v["category"] is not None:
            if categories is not None and v["category"] not in categories:
                problems.add(file, code, "category", f"{v['category']!r} is not a violation category")
            elif code.split(".")[0] != v["category"]:
                problems.add(file, code, "category", "must be the first part of the code")
        own = [p for p in v["provisions"] or () if p in provisions]
        for p in v["provisions"] or ():
            if p not in provisions:
                problems.add(file, code, "provisions", f"unknown provision {p!r}")
        evidenced: set[str] = set()
        for e in v["elements"] or ():
            if e not in element_provision:
                problems.add(file, code, "elements", f"unknown element {e!r}")
            elif element_provision[e] not in (v["provisions"] or ()):
                problems.add(file, code, "elements",
                             f"{e!r} belongs to {element_provision[e]!r}, which is not among the provisions")
            elif element_level[e] == "situation":
                problems.add(file, code, "elements", f"{e!r} is a situation-level element, not evidenced by one act")
            else:
                evidenced.add(element_provision[e])
        if v["elements"]:
            for p in own:
                if p not in evidenced:
                    problems.add(file, code, "provisions", f"{p!r} has none of its elements listed")


def check_provisions(problems: Problems, file: str, provisions: dict[str, Entry],
                     elements: dict[str, dict[str, Entry]], levels: set[str] | None) -> None:
    seen: dict[str, str] = {}
    for pid, p in provisions.items():
        own = elements.get(pid, {})
        for eid, e in own.items():
            name = entry_name(f"{pid}/", eid)
            if not eid.startswith(pid + "."):
                problems.add(file, name, "id", f"must start with {pid + '.'!r}")
            if eid in seen and seen[eid] != pid:
                problems.add(file, name, "id", f"duplicate (also in {seen[eid]!r})")
            seen.setdefault(eid, pid)
            if e["level"] is not None and levels is not None and e["level"] not in levels:
                problems.add(file, name, "level", f"{e['level']!r} is not an element level")
        for w in p["minor_waives"] or ():
            if w not in own:
                problems.add(file, pid, "minor_waives", f"{w!r} is not an element of this provision")
        if (p["minor_age"] is None) != (p["minor_waives"] is None):
            problems.add(file, pid, "minor_age", "minor_age and minor_waives go together")
        for r in p["requires"] or ():
            if r == pid or r not in provisions:
                problems.add(file, pid, "requires", f"{r!r} is not another provision")
        # An article cited with words ("7(1) chapeau") is shown to Korean readers as article_ko.
        if isinstance(p["article"], str) and WORD.search(p["article"]) and not p["article_ko"]:
            problems.add(file, pid, "article_ko", "missing: the article is cited with words, give its Korean citation")
        if isinstance(p["article_ko"], str) and WORD.search(p["article_ko"]):
            problems.add(file, pid, "article_ko", "must cite the article without English words")


def check_places(problems: Problems, files: dict[str, str], places: dict[str, Entry], kinds: set[str] | None) -> None:
    """`files` maps each place id to the file it came from."""
    for pid, p in places.items():
        file = files[pid]
        if p["kind"] is not None and kinds is not None and p["kind"] not in kinds:
            problems.add(file, pid, "kind", f"{p['kind']!r} is not a place kind")
        parent = p["parent"]
        if p["kind"] == "country":
            if parent is not None:
                problems.add(file, pid, "parent", "a country has no parent")
            if p["country"] is not None and pid != p["country"].lower():
                problems.add(file, pid, "id", f"a country's id is its code in lower case ({p['country'].lower()!r})")
        elif parent is None:
            problems.add(file, pid, "parent", "missing")
        elif parent not in places:
            problems.add(file, pid, "parent", f"unknown place {parent!r}")
        elif p["country"] is not None and places[parent]["country"] not in (None, p["country"]):
            problems.add(file, pid, "country", f"{p['country']!r} differs from the parent's {places[parent]['country']!r}")
        _check_across(problems, file, pid, p, places)
        _check_coordinates(problems, file, pid, p, places)


def _check_across(problems: Problems, file: str, pid: str, p: Entry, places: dict[str, Entry]) -> None:
    across = p["across"]
    if p["kind"] == "crossing" and across is None:
        problems.add(file, pid, "across", "a crossing names the place on the other side")
    elif across is not None and p["kind"] != "crossing":
        problems.add(file, pid, "across", "only a crossing has a place across the border")
    elif across is not None and across not in places:
        problems.add(file, pid, "across", f"unknown place {across!r}")
    elif across is not None and places[across]["country"] == p["country"]:
        problems.add(file, pid, "across", "must be in another country")


def lineage(pid: str, places: dict[str, Entry]) -> list[str] | None:
    """The place and its ancestors, nearest first; None when the parent chain loops."""
    chain = [pid]
    while (parent := places[chain[-1]]["parent"]) is not None and parent in places:
        if parent in chain:
            return None
        chain.append(parent)
    return chain


def _check_coordinates(problems: Problems, file: str, pid: str, p: Entry, places: dict[str, Entry]) -> None:
    lat, lon = p["lat"], p["lon"]
    if lat is not None and not -90 <= lat <= 90:
        problems.add(file, pid, "lat", f"{lat} is outside [-90, 90]")
        return
    if lon is not None and not -180 <= lon <= 180:
        problems.add(file, pid, "lon", f"{lon} is outside [-180, 180]")
        return
    chain = lineage(pid, places)
    if chain is None:
        problems.add(file, pid, "parent", "the parent chain loops back to this place")
        return
    box_owner = next((c for c in chain if c in BOUNDS), None)
    if box_owner is None or lat is None or lon is None:
        return
    lat_min, lat_max, lon_min, lon_max = BOUNDS[box_owner]
    if not (lat_min <= lat <= lat_max and lon_min <= lon <= lon_max):
        problems.add(file, pid, "lat/lon", f"({lat}, {lon}) is outside the plausible box for {box_owner!r}"
                     f" (lat {lat_min}–{lat_max}, lon {lon_min}–{lon_max}); swapped or mistyped?")
