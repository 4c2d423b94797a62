"""A rejected form answers with the same page: every problem beside the field it names, and every
value the user typed kept. The writes the request made so far are rolled back first; the page is
then drawn from a fresh, read-only transaction."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from fastapi.responses import Response
from sqlalchemy.orm import Session

from redzone.errors import ValidationError
from redzone.workspace import Workspace

ROW_FIELD = re.compile(r"^journey\[(\d+)\]\.(\w+)$")
# The service names a place by its gazetteer id; the form shows the typed name.
ROW_RENAMES = {"place_id": "place"}


def by_field(error: ValidationError, renames: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """Problems keyed by the form field they belong to (service names mapped to the form's names)."""
    renames = renames or {}
    fields: dict[str, list[str]] = {}
    for problem in error.problems:
        name = renames.get(problem.field, problem.field)
        fields.setdefault(name, []).append(problem.problem)
    return fields


def journey_rows(form: Mapping[str, list[str]], errors: Mapping[str, list[str]], rows: int) -> list[dict]:
    """The journey rows as typed (`step_*` lists), the filled-in ones first — so row i is the
    `journey[i]` the problems name — then blank rows up to `rows`; each with its own problems."""
    names = ("kind", "place_name", "place_id", "date_precision", "date_start", "date_end")
    count = max((len(form.get(f"step_{name}", [])) for name in names), default=0)
    typed = []
    for index in range(count):
        row = {name: (form.get(f"step_{name}", [])[index:index + 1] or [""])[0][:200] for name in names}
        if any(row[name] for name in ("kind", "place_name", "date_start", "date_end")):
            typed.append(row)
    every = typed + [{name: "" for name in names} for _ in range(max(0, rows - len(typed)))]
    for position, row in enumerate(every):
        row["errors"] = {}
        for field, messages in errors.items():
            match = ROW_FIELD.match(field)
            if match and int(match.group(1)) == position:
                row["errors"].setdefault(ROW_RENAMES.get(match.group(2), match.group(2)), []).extend(messages)
    return every


def rejected(session: Session, workspace: Workspace, page: Callable[[Session], Response]) -> Response:
    """Roll back what the request wrote, then draw the page again in a new transaction."""
    session.rollback()
    with workspace.store.session() as fresh:
        return page(fresh)
