"""The column layout of import files and exports: one definition per record type, read by the
validator, the template writer, the exporter and `docs/exchange.md` (rendered by `render_markdown`).

    python -m redzone.exchange.layout      prints the generated part of docs/exchange.md
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

# Every layout also accepts this column: it names the record type when the file name does not.
RECORD_TYPE_COLUMN = "record_type"
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Column:
    """One column: its name, how its cells are read, and what it means."""

    name: str
    kind: str  # ref | code | organisation | text | term | violation | place | integer | decimal | date
    #            | refs | perpetrators | attestations
    description: str
    required: bool = False
    vocabulary: str | None = None  # a controlled list of the vocabulary (kind "term")
    target: str | None = None  # the record type a reference points to
    many: bool = False  # a list: `;`-separated in CSV and XLSX, a JSON array in JSON
    sealed: bool = False  # encrypted at rest; left out of every pseudonymised export
    max_length: int = 300
    minimum: int | None = None
    maximum: int | None = None  # None for years: the current year
    example: str = ""

    def type_text(self) -> str:
        """The type as the documentation shows it."""
        if self.kind in ("ref", "code", "organisation"):
            text = {"ref": "id in your system", "code": "Redzone code", "organisation": "organisation id"}[self.kind]
            return f"{text} (≤ {self.max_length})"
        if self.kind == "text":
            return f"text (≤ {self.max_length:,})" + (", list" if self.many else "")
        if self.kind == "term":
            return "code" + (", list" if self.many else "")
        if self.kind == "violation":
            return "violation code"
        if self.kind == "place":
            return "gazetteer place id (or an unambiguous place name)"
        if self.kind == "integer":
            upper = "this year" if self.maximum is None else f"{self.maximum:,}"
            return f"integer {self.minimum}–{upper}"
        if self.kind == "decimal":
            return "number, ≤ 2 decimals"
        if self.kind == "date":
            return "date YYYY-MM-DD (or YYYY-MM, YYYY)"
        if self.kind == "refs":
            return f"list of refs → {self.target}"
        if self.kind == "perpetrators":
            return "list of ROLE, ROLE@group:REF or ROLE@person:REF"
        if self.kind == "attestations":
            return "list of REF or REF@START-END"
        return self.kind


@dataclass(frozen=True)
class RecordLayout:
    """The columns of one record type, in the order exports and templates write them."""

    record_type: str  # plural, as on the command line: "persons"
    model: str  # singular, as in audit entries and external refs: "person"
    description: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def sealed(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.sealed)

    def export_columns(self, with_identities: bool) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if with_identities or not c.sealed)


def _ref(what: str, example: str) -> Column:
    return Column("ref", "ref", f"Your own id for this {what}, unique in the system that issued the file; "
                  "importing the same ref again finds the same record.", required=True, max_length=200,
                  example=example)


def _code(prefix: str) -> Column:
    return Column("code", "code", "The Redzone code; a new record keeps it when it is free in this workspace "
                  f"(otherwise it gets a new one), e.g. {prefix}-7K3D9Q. Ignored for records already imported.",
                  max_length=40)


ORGANISATION = Column("organisation", "organisation", "Organisation holding the record (its list, for estimation); "
                      "default: the import's --organisation. Created if new.", max_length=64, example="demo-tumen")
PLACE_NOTE = "A gazetteer place id (see `redzone vocab`), or a name in any script that identifies one place."
TEXT_MAX = 32_000  # fits one spreadsheet cell (32,767 characters)

LAYOUTS: dict[str, RecordLayout] = {layout.record_type: layout for layout in (
    RecordLayout("groups", "group", "Perpetrator groups and units: broker networks, border posts, PSB offices.", (
        _ref("group", "G-0001"), _code("GRP"),
        Column("name", "text", "The group's name.", required=True, max_length=200, example="Riverside broker ring"),
        Column("kind", "term", "What kind of group it is.", required=True, vocabulary="group_kinds",
               example="broker_network"),
        Column("place", "place", PLACE_NOTE, example="cn.jilin.yanbian.yanji"),
        Column("description", "text", "Free text.", max_length=TEXT_MAX),
    )),
    RecordLayout("events", "event", "Something that happened at a place and time, with the date's precision.", (
        _ref("event", "E-0001"), _code("EV"),
        Column("kind", "term", "What happened.", required=True, vocabulary="event_kinds", example="sale"),
        Column("place", "place", PLACE_NOTE, example="cn.jilin.yanbian.yanji"),
        Column("date_start", "date", "When it happened (first day of the range for a range).", example="2015-03-01"),
        Column("date_end", "date", "Last day, for a range.", example=""),
        Column("date_precision", "term", "How precise the date is; default: read from how date_start is written "
               "(YYYY → year, YYYY-MM → month, YYYY-MM-DD → day, empty → unknown).", vocabulary="date_precisions",
               example="month"),
        Column("description", "text", "Free text.", max_length=TEXT_MAX),
    )),
    RecordLayout("persons", "person", "Victims, witnesses and individual perpetrators; identity columns are sealed.", (
        _ref("person", "P-0001"), _code("RZ"), ORGANISATION,
        Column("person_role", "term", "Victim, witness or perpetrator; default victim.", vocabulary="person_roles",
               example="victim"),
        Column("sex", "term", "Default unknown.", vocabulary="sexes", example="female"),
        Column("birth_year_min", "integer", "Birth year, or the earliest of a range.", minimum=1900, example="1994"),
        Column("birth_year_max", "integer", "Latest birth year of a range; default birth_year_min.", minimum=1900,
               example="1995"),
        Column("origin_place", "place", "Place of origin. " + PLACE_NOTE, example="kp.north_hamgyong.hoeryong"),
        Column("crossing_year", "integer", "Year of the first crossing into China.", minimum=1900, example="2014"),
        Column("event_refs", "refs", "The person's journey: refs of the events they went through, in order.",
               target="events", many=True, max_length=200, example="E-0001"),
        Column("legal_name", "text", "Name in Latin letters.", sealed=True, example="Kim Synthetic"),
        Column("hangul_name", "text", "Name in Hangul.", sealed=True, example="김가명"),
        Column("aliases", "text", "Other names used.", sealed=True, many=True, max_length=200,
               example="Jin Mei;Mi-ya"),
        Column("contact", "text", "How to reach the person.", sealed=True, max_length=1000),
        Column("whereabouts", "text", "Where the person is now.", sealed=True, max_length=2000),
    )),
    RecordLayout("sources", "source", "Interviews, statements, reports, articles and documents, graded A–F / 1–6.", (
        _ref("source", "S-0001"), _code("SRC"), ORGANISATION,
        Column("kind", "term", "What kind of source.", required=True, vocabulary="source_kinds", example="interview"),
        Column("title", "text", "Title or short description.", max_length=300, example="Interview 12 (synthetic)"),
        Column("language", "text", "Language code (ISO 639-1), default en.", max_length=8, example="ko"),
        Column("date", "date", "Date of the source.", example="2019-06-02"),
        Column("reliability", "term", "Reliability of the source (Admiralty A–F); default F.",
               vocabulary="reliability", example="B"),
        Column("credibility", "term", "Credibility of the information (Admiralty 1–6); default 6.",
               vocabulary="credibility", example="2"),
        Column("interviewee_ref", "ref", "Ref of the person interviewed.", target="persons", max_length=200,
               example="P-0001"),
        Column("consent_scopes", "term", "Uses the interviewee consented to.", vocabulary="consent_scopes", many=True,
               example="internal_analysis;legal_proceedings"),
        Column("consent_recorded_at", "date", "When consent was recorded; default the import date.", example=""),
        Column("consent_withdrawn_at", "date", "When consent was withdrawn.", example=""),
        Column("text", "text", "The testimony or document text.", sealed=True, max_length=1_000_000),
        Column("attested_events", "attestations", "Events the source tells (journey steps, places or dates), each "
               "with the character span of the quoted passage when known (REF@START-END).", target="events",
               many=True, max_length=300, example="E-0001@10-52"),
    )),
    RecordLayout("acts", "act", "Violations: who did what to whom, in which event, attested by which sources.", (
        _ref("act", "A-0001"), _code("ACT"),
        Column("victim_ref", "ref", "Ref of the victim.", target="persons", max_length=200, example="P-0001"),
        Column("violation", "violation", "The violation code (see `redzone vocab`).", required=True,
               example="trafficking.sale"),
        Column("event_ref", "ref", "Ref of the event it happened in.", target="events", max_length=200,
               example="E-0001"),
        Column("price_amount", "decimal", "Price paid, if any.", minimum=0, maximum=10**15, example="10000"),
        Column("price_currency", "term", "Currency of the price (ISO 4217).", vocabulary="currencies", example="CNY"),
        Column("duration_days", "integer", "How long it lasted, in days.", minimum=0, maximum=36_500),
        Column("victim_count", "integer", "Number of victims, when the act concerns several.", minimum=1,
               maximum=1_000_000),
        Column("perpetrators", "perpetrators", "Perpetrators by role: the role alone, or with the ref of a group "
               "(ROLE@group:REF) or of a person (ROLE@person:REF).", many=True, max_length=300,
               example="broker@group:G-0001;buyer"),
        Column("source_refs", "attestations", "Sources attesting the act, each with the character span of the "
               "quoted passage when known (REF@START-END).", target="sources", many=True, max_length=300,
               example="S-0001@120-245"),
        Column("notes", "text", "Free text.", max_length=TEXT_MAX),
    )),
)}

# Records are written in this order, so that every reference points to a record already written.
IMPORT_ORDER = tuple(LAYOUTS)
RECORD_TYPES = IMPORT_ORDER

FLAT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("act_code", "The act's Redzone code."),
    ("victim", "The victim's pseudonymous code (never a name)."),
    ("violation", "Violation code."),
    ("violation_label", "Violation, in English."),
    ("perpetrator_roles", "Perpetrator roles, in English, `; `-joined."),
    ("groups", "Names of the perpetrator groups, `; `-joined."),
    ("place_id", "Gazetteer id of the event's place."),
    ("place_name", "The place, in English."),
    ("province", "The province (or first-level division), in English."),
    ("date", "The event's date as precise as it is known: 2016-05-03, 2016-05, 2016, or a range `2015-03-01/2016-06-30`."),
    ("date_start", "Date of the event."),
    ("date_end", "Last day, for a range."),
    ("date_precision", "day, month, year, range or unknown."),
    ("sources", "Attesting sources: code and Admiralty grade, e.g. `SRC-4K2P9Q (B2)`, `; `-joined."),
)

_NAME_TOKEN = re.compile(r"[a-z]+")
_SINGULAR = {layout.model: layout.record_type for layout in LAYOUTS.values()}


def record_type_from_name(name: str) -> str | None:
    """The record type a file, sheet or archive member is named after ('nkdb_persons_2024.csv' → persons)."""
    found = {t for token in _NAME_TOKEN.findall(name.lower()) for t in
             ([token] if token in LAYOUTS else [_SINGULAR[token]] if token in _SINGULAR else [])}
    return found.pop() if len(found) == 1 else None


def normalise_record_type(value: str) -> str | None:
    value = value.strip().lower()
    return value if value in LAYOUTS else _SINGULAR.get(value)


def render_markdown() -> str:
    """The generated part of docs/exchange.md: one table per record type, then the flat table."""
    from redzone.vocab import load_vocabulary

    vocabulary = load_vocabulary()
    lines = ["<!-- generated by `python -m redzone.exchange.layout`: do not edit by hand -->", ""]
    for layout in LAYOUTS.values():
        lines += [f"### {layout.record_type}", "", layout.description, "",
                  "| column | type | required | vocabulary | description |", "|---|---|---|---|---|"]
        for column in layout.columns:
            if column.vocabulary:
                codes = ", ".join(f"`{code}`" for code in vocabulary.lists[column.vocabulary])
                terms = f"{column.vocabulary}: {codes}"
            else:
                terms = {"violation": "violations (`redzone vocab`)", "place": "gazetteer",
                         "perpetrators": "perpetrator roles (`redzone vocab`)"}.get(column.kind, "")
            sealed = " **Sealed**: never in a pseudonymised export." if column.sealed else ""
            lines.append(f"| `{column.name}` | {column.type_text()} | {'yes' if column.required else ''} | {terms} "
                         f"| {column.description}{sealed} |")
        lines.append("")
    lines += ["### flat (export only)", "", "`redzone export --flat`: one row per act.", "",
              "| column | description |", "|---|---|"]
    lines += [f"| `{name}` | {description} |" for name, description in FLAT_COLUMNS]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_markdown(), end="")


def date_value(value: tuple[dt.date, str] | None) -> dt.date | None:
    return value[0] if value else None


def cell_text(column: Column, value: Any) -> str | None:
    """A stored value as CSV/XLSX cell text (before the formula escape), read back by `RowParser`."""
    value = json_value(column, value)
    if value is None:
        return None
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(item) for item in value) or None
    return str(value)


def json_value(column: Column, value: Any) -> Any:
    """A stored value as JSON: lists as arrays, numbers as numbers, dates as ISO text."""
    if value is None or value == () or value == "":
        return None
    if column.kind == "perpetrators":
        return [role if target is None else f"{role}@{target[:-1]}:{ref}" for role, target, ref in value]
    if column.kind == "attestations":
        return [ref if start is None else f"{ref}@{start}-{end}" for ref, start, end in value]
    if column.kind == "date":
        return (value[0] if isinstance(value, tuple) else value).isoformat()
    if column.kind == "decimal":
        return int(value) if float(value).is_integer() else round(float(value), 2)
    if column.many:
        return [str(item) for item in value]
    return value
