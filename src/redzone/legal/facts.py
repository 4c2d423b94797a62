"""What the legal analysis reads from the records: an event's date at its precision, a person's
possible age at an event, and sources graded and grouped into independent lines of evidence."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from redzone.messages import Message
from redzone.records.models import Event, Person, Source


@dataclass(frozen=True)
class SourceRef:
    """A source as the analysis shows it: graded, with its line of evidence.

    Sources sharing an organisation or a witness (interviewee) form one *line*; `independent`
    says the source shares neither with any other source listed beside it.
    """

    code: str
    kind: str
    grade: str  # reliability + credibility on the Admiralty scale, e.g. "B2"
    organisation: str | None
    date: str | None
    line: int
    independent: bool


def describe_date(event: Event | None) -> str | None:
    """An event's date at its recorded precision: 2016-05-03, 2016-05, 2016, 2015-03-01–2016-06-30."""
    return event.date_text() if event else None


def age_range(person: Person, event: Event | None) -> tuple[int, int] | str:
    """The youngest and oldest the person can have been at the event, or why it is unknown.

    Only birth years are recorded, so a person born in 2000 was 15 or 16 during 2016.
    """
    if person.birth_year_min is None and person.birth_year_max is None:
        return Message("her birth year is not recorded")
    if event is None or event.date_start is None or event.date_precision == "unknown":
        return Message("the date of the act is unknown")
    born_first = person.birth_year_min if person.birth_year_min is not None else person.birth_year_max
    born_last = person.birth_year_max if person.birth_year_max is not None else person.birth_year_min
    first_year = event.date_start.year
    last_year = (event.date_end or event.date_start).year
    return max(0, first_year - born_last - 1), max(0, last_year - born_first)


def age_text(low: int, high: int) -> Message:
    return Message("aged %(age)s", age=low) if low == high else Message("aged %(low)s–%(high)s", low=low, high=high)


def independent_lines(sources: Iterable[Source]) -> tuple[tuple[SourceRef, ...], int]:
    """Grade-ordered references, grouped into lines that share an organisation or a witness."""
    unique = sorted({s.id: s for s in sources}.values(), key=lambda s: (s.reliability, s.credibility, s.code))
    parent = list(range(len(unique)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[tuple[str, object], int] = {}
    for index, source in enumerate(unique):
        for key in (("organisation", source.organisation_id), ("witness", source.interviewee_id)):
            if key[1] is None:
                continue
            if key in first_with:
                parent[root(index)] = root(first_with[key])
            else:
                first_with[key] = index
    line_of: dict[int, int] = {}
    roots = [root(i) for i in range(len(unique))]
    refs = []
    for index, source in enumerate(unique):
        line = line_of.setdefault(roots[index], len(line_of) + 1)
        refs.append(SourceRef(code=source.code, kind=source.kind, grade=f"{source.reliability}{source.credibility}",
                              organisation=source.organisation_id,
                              date=source.date.isoformat() if source.date else None,
                              line=line, independent=roots.count(roots[index]) == 1))
    return tuple(refs), len(line_of)
