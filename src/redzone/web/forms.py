"""Reading form values into domain values, collecting every problem with the field it belongs to."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated

from fastapi import Depends, Form

from redzone.errors import Problem, ValidationError
from redzone.messages import Message
from redzone.records.entry import JourneyStep
from redzone.vocab import load_vocabulary

JOURNEY_ROWS = 20  # steps one form may add at once


class Problems(list):
    def raise_if_any(self) -> None:
        if self:
            raise ValidationError(list(self))


def optional_int(problems: Problems, name: str, value: str | None, low: int | None = None,
                 high: int | None = None) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        problems.append(Problem(name, Message("%(value)s is not a whole number", value=repr(value[:40]))))
        return None
    if (low is not None and number < low) or (high is not None and number > high):
        problems.append(Problem(name, Message("must be between %(low)s and %(high)s", low=low, high=high)))
        return None
    return number


def optional_float(problems: Problems, name: str, value: str | None) -> float | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        problems.append(Problem(name, Message("%(value)s is not a number", value=repr(value[:40]))))
        return None


def optional_date(problems: Problems, name: str, value: str | None) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    for pattern, size in (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4)):
        if len(value) == size:
            try:
                return dt.datetime.strptime(value, pattern).date()
            except ValueError:
                break
    problems.append(Problem(name, Message("%(value)s is not a date such as 2016-05-03, 2016-05 or 2016",
                                          value=repr(value[:40]))))
    return None


def resolve_place(problems: Problems, name: str, place_id: str | None, place_name: str | None) -> str | None:
    """A gazetteer id from the hidden id the suggestions filled in, else from the typed name
    (English, Korean or Chinese, variants and suffixes ignored)."""
    vocabulary = load_vocabulary()
    if place_id and place_id in vocabulary.places:
        return place_id
    place_name = (place_name or "").strip()
    if not place_name:
        return None
    if " · " in place_name:  # a suggestion's label: "Yanji · 연길 · 延吉"
        place_name = place_name.split(" · ")[0]
    matches = vocabulary.find_places(place_name)
    if not matches:
        problems.append(Problem(name, Message("%(place_name)s is not in the gazetteer; pick a suggested place",
                                              place_name=repr(place_name[:60]))))
        return None
    return matches[0].id


def journey_steps(problems: Problems, kinds: list[str], place_ids: list[str], place_names: list[str],
                  precisions: list[str], starts: list[str], ends: list[str]) -> list[JourneyStep]:
    """The journey steps of a form's rows (parallel lists of `step_*` fields), named `journey[i].…`
    like the service names them (i counts the rows filled in, blank ones skipped); a row with anything
    in it needs a kind."""
    if len(kinds) > JOURNEY_ROWS:
        problems.append(Problem("journey", Message("at most %(journey_rows)s steps at once",
                                                   journey_rows=JOURNEY_ROWS)))
        return []

    def at(values: list[str], index: int) -> str:
        return (values[index] if index < len(values) else "")[:200].strip()

    steps, position = [], 0
    for index in range(len(kinds)):
        kind, name, start, end = at(kinds, index), at(place_names, index), at(starts, index), at(ends, index)
        precision = at(precisions, index)
        if not (kind or name or start or end):
            continue
        prefix, position = f"journey[{position}].", position + 1
        if not kind:
            problems.append(Problem(f"{prefix}kind", "choose what happened at this step"))
            continue
        place = resolve_place(problems, f"{prefix}place", at(place_ids, index), name)
        first, last = optional_date(problems, f"{prefix}date_start", start), optional_date(problems, f"{prefix}date_end", end)
        if not precision:  # "as the date is written": 2016, 2016-05 or 2016-05-03
            precision = "unknown" if first is None else {4: "year", 7: "month"}.get(len(start), "day")
        steps.append(JourneyStep(kind=kind, place_id=place, date_start=first, date_end=last, date_precision=precision))
    return steps


def place_label(place_id: str) -> str:
    place = load_vocabulary().places[place_id]
    return f"{place.name_en} · {place.name_ko} · {place.name_zh}"


def suggest_places(query: str, limit: int = 12) -> list[dict]:
    """Places whose English, Korean, Chinese name or a variant starts with or contains the query."""
    from redzone.vocab.model import normalise_name

    vocabulary = load_vocabulary()
    key = normalise_name(query)
    if not key:
        return []
    scored = []
    for place in vocabulary.places.values():
        names = [normalise_name(n) for n in (place.name_en, place.name_ko, place.name_zh, *place.variants)]
        if any(n.startswith(key) for n in names):
            scored.append((0, place))
        elif any(key in n for n in names):
            scored.append((1, place))
    scored.sort(key=lambda pair: (pair[0], pair[1].kind != "city", pair[1].id))
    return [{"id": p.id, "label": place_label(p.id), "kind": p.kind, "country": p.country} for _, p in scored[:limit]]


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` literally: %, _ and the escape character lose their meaning."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclasses.dataclass(frozen=True)
class JourneyRows:
    """A form's journey rows as posted: parallel lists of `step_*` fields, one entry a row."""

    kind: list[str]
    place_id: list[str]
    place_name: list[str]
    date_precision: list[str]
    date_start: list[str]
    date_end: list[str]

    def first(self) -> JourneyRows:
        """Only the first row (a correction form has one)."""
        return JourneyRows(*(getattr(self, f.name)[:1] for f in dataclasses.fields(self)))

    def typed(self) -> dict[str, list[str]]:
        """The rows by form field name, to give back what was typed."""
        return {f"step_{f.name}": getattr(self, f.name) for f in dataclasses.fields(self)}

    def steps(self, problems: Problems) -> list[JourneyStep]:
        return journey_steps(problems, self.kind, self.place_id, self.place_name, self.date_precision,
                             self.date_start, self.date_end)


StepField = Annotated[list[str], Form()]


def _journey_rows(step_kind: StepField = [], step_place_id: StepField = [],  # noqa: B006 — lists, never mutated
                  step_place_name: StepField = [], step_date_precision: StepField = [],  # noqa: B006
                  step_date_start: StepField = [], step_date_end: StepField = []) -> JourneyRows:  # noqa: B006
    return JourneyRows(step_kind, step_place_id, step_place_name, step_date_precision, step_date_start, step_date_end)


JourneyForm = Annotated[JourneyRows, Depends(_journey_rows)]
