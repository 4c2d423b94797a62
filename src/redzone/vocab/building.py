"""Turns the parsed data files into a `Vocabulary`, running every check in `validation` on the way."""

from __future__ import annotations

import re
from typing import Any

from redzone.vocab import validation as check
from redzone.vocab.model import Element, PerpetratorRole, Place, Provision, Term, Violation, Vocabulary


def build(documents: dict[str, Any], problems: check.Problems) -> Vocabulary | None:
    """Check all documents (a file name -> parsed YAML); return the vocabulary, or None if any problem."""
    version = _version(documents.get("version.yaml"), problems)
    lists, list_labels = _lists(documents.get("lists.yaml"), problems)
    # A file that could not be read is reported once; checks against its contents are skipped.
    codes: dict[str, set[str] | None] = {name: set(terms) for name, terms in lists.items()}
    if documents.get("lists.yaml") is None:
        codes = {name: None for name in check.REQUIRED_LISTS}

    raw_provisions = _section(documents, "provisions.yaml", "provisions", problems)
    provisions = check.check_entries(problems, "provisions.yaml", raw_provisions, check.PROVISION, "id")
    elements = {pid: check.check_entries(problems, "provisions.yaml", p["elements"] or [], check.ELEMENT, "id",
                                         where=f"{pid}/")
                for pid, p in provisions.items()}
    check.check_provisions(problems, "provisions.yaml", provisions, elements, codes.get("element_levels", set()))
    element_provision = {eid: pid for pid, own in elements.items() for eid in own}
    element_level = {eid: e["level"] for own in elements.values() for eid, e in own.items()}

    raw_violations = _section(documents, "violations.yaml", "violations", problems)
    violations = check.check_entries(problems, "violations.yaml", raw_violations, check.VIOLATION, "code")
    if documents.get("provisions.yaml") is not None:
        check.check_violations(problems, "violations.yaml", violations, codes.get("violation_categories", set()),
                               provisions, element_provision, element_level)

    raw_roles = _section(documents, "roles.yaml", "roles", problems)
    roles = check.check_entries(problems, "roles.yaml", raw_roles, check.ROLE, "code")

    places: dict[str, dict[str, Any]] = {}
    origin: dict[str, str] = {}
    for file in sorted(f for f in documents if f.startswith("places")):
        found = check.check_entries(problems, file, _section(documents, file, "places", problems), check.PLACE, "id")
        for pid, place in found.items():
            if pid in places:
                problems.add(file, pid, "id", f"duplicate (also in {origin[pid]})")
                continue
            places[pid], origin[pid] = place, file
    check.check_places(problems, origin, places, codes.get("place_kinds", set()))

    if problems or version is None:
        return None
    return Vocabulary(
        version=version,
        violations={c: Violation(code=c, label_en=v["label_en"], label_ko=v["label_ko"],
                                 definition_en=v["definition_en"], category=v["category"],
                                 provisions=tuple(v["provisions"]), elements=tuple(v["elements"]),
                                 note_en=_clean(v["note_en"]))
                    for c, v in violations.items()},
        provisions={pid: Provision(
            id=pid, instrument=p["instrument"], instrument_ko=p["instrument_ko"], article=str(p["article"]),
            article_ko=p["article_ko"] or "",
            label_en=p["label_en"], label_ko=p["label_ko"], combine=p["combine"] or "all",
            requires=tuple(p["requires"] or ()), minor_age=p["minor_age"],
            minor_waives=tuple(p["minor_waives"] or ()),
            elements=tuple(Element(id=eid, provision_id=pid, label_en=_clean(e["label_en"]),
                                   label_ko=_clean(e["label_ko"]), level=e["level"])
                           for eid, e in elements[pid].items()))
                    for pid, p in provisions.items()},
        roles={c: PerpetratorRole(code=c, label_en=r["label_en"], label_ko=r["label_ko"],
                                  state_actor=r["state_actor"], definition_en=_clean(r["definition_en"]))
               for c, r in roles.items()},
        lists=lists,
        list_labels=list_labels,
        places={pid: Place(id=pid, kind=p["kind"], name_en=p["name_en"], name_ko=p["name_ko"], name_zh=p["name_zh"],
                           variants=tuple(p["variants"] or ()), parent=p["parent"], country=p["country"],
                           lat=float(p["lat"]), lon=float(p["lon"]), geonames_id=p["geonames_id"],
                           across=p["across"])
                for pid, p in places.items()},
    )


def _clean(text: str | None) -> str:
    """Folded YAML text (`>-`) can carry stray spacing; labels are single lines."""
    return " ".join(text.split()) if text else ""


def _section(documents: dict[str, Any], file: str, key: str, problems: check.Problems) -> list[Any]:
    data = documents.get(file)
    if data is None:  # unreadable: already reported
        return []
    if key not in data:
        problems.add(file, "(file)", key, "missing")
        return []
    for other in data:
        if other != key:
            problems.add(file, "(file)", str(other), "unknown section")
    return data[key]


def _version(data: Any, problems: check.Problems) -> str | None:
    if data is None:
        return None
    version = data.get("version")
    if not isinstance(version, str) or not check.VERSION_PATTERN.match(version):
        problems.add("version.yaml", "(file)", "version", "must be text like \"2026.11.1\" (YEAR.MONTH.N)")
        return None
    return version


def _lists(data: Any, problems: check.Problems) -> tuple[dict[str, dict[str, Term]], dict[str, Term]]:
    lists: dict[str, dict[str, Term]] = {}
    labels: dict[str, Term] = {}
    if data is None:
        return lists, labels
    raw = data.get("lists")
    if not isinstance(raw, dict):
        problems.add("lists.yaml", "(file)", "lists", "missing, or not a mapping of list names")
        return lists, labels
    for name, spec in raw.items():
        if not isinstance(name, str) or not check.LIST_NAME_PATTERN.match(name):
            problems.add("lists.yaml", str(name), "(name)", "a list name is lower case letters and underscores")
            continue
        if not isinstance(spec, dict):
            problems.add("lists.yaml", name, "(list)", "must be a mapping with label_en, label_ko and terms")
            continue
        fields = check.check_entries(problems, "lists.yaml", [{"name": name, **spec}],
                                     {"name": (check._check_text, True), **check.LIST}, "name")
        if name not in fields:
            continue
        pattern = check.CODE_PATTERN
        if fields[name]["pattern"]:
            try:
                pattern = re.compile(fields[name]["pattern"])
            except re.error as error:
                problems.add("lists.yaml", name, "pattern", f"not a regular expression: {error}")
        terms = check.check_entries(problems, "lists.yaml", fields[name]["terms"] or [], check.TERM, "code",
                                    pattern=pattern, where=f"{name}/")
        lists[name] = {code: Term(code=code, label_en=t["label_en"], label_ko=t["label_ko"])
                       for code, t in terms.items()}
        labels[name] = Term(code=name, label_en=fields[name]["label_en"] or "", label_ko=fields[name]["label_ko"] or "")
    for name in check.REQUIRED_LISTS:
        if name not in raw:
            problems.add("lists.yaml", name, "(list)", "missing: Redzone needs this list")
    return lists, labels
