"""User-facing sentences the core writes in English but an interface may show in another language.

A `Message` is the English sentence itself (a `str`, so the CLI, JSON and logs use it unchanged)
that also remembers its template and named values. The web layer looks the template up in its
gettext catalog and fills in the values, each translated in turn when it is a `Message` too. The
core knows no language but English; the catalogs live with the web (`web/locale`), and the
templates are extracted from the code with the keyword `Message`. A `Term` is a vocabulary label
the same way: English text that remembers its kind and code.
"""

from __future__ import annotations

from typing import Any


class Message(str):
    """`Message("%(count)s act(s) recorded", count=3)` is the string "3 act(s) recorded"."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, **values: Any) -> Message:
        text = template % values if values else template
        message = super().__new__(cls, text)
        message.template = template
        message.values = values
        return message

    def __reduce__(self) -> tuple:  # copies and pickles keep the template and values
        return (_rebuild, (self.template, self.values))

    def __add__(self, other: str) -> Message:  # type: ignore[override]
        """A sentence followed by another keeps both translatable."""
        if not isinstance(other, str):
            return NotImplemented
        return Message("%(first)s%(second)s", first=self, second=other)


class Term(str):
    """A vocabulary label in English that remembers its kind and code (`Term("violation", "sexual.rape",
    "Rape")`), so an interface shows the vocabulary's own label in its language."""

    kind: str
    code: str

    def __new__(cls, kind: str, code: str, english: str) -> Term:
        term = super().__new__(cls, english)
        term.kind = kind
        term.code = code
        return term

    def __reduce__(self) -> tuple:
        return (Term, (self.kind, self.code, str(self)))


def _rebuild(template: str, values: dict[str, Any]) -> Message:
    return Message(template, **values)


def join(separator: str, parts: list[str] | tuple[str, ...]) -> Message:
    """Parts joined as one message (each part translated on its own)."""
    values = {f"part{index}": part for index, part in enumerate(parts)}
    return Message(separator.join(f"%({name})s" for name in values), **values)


# Stored as JSON (a background job's result), a Message keeps its template and values and a Term its
# kind and code, so that a page reading it back shows it in the reader's language, parts joined there.
_MESSAGE, _TERM = "$message", "$term"


def to_json(value: Any) -> Any:
    """`value` (dicts, lists, strings, numbers) with every Message and Term inside it as its parts."""
    if isinstance(value, Message):
        return {_MESSAGE: value.template, "values": {name: to_json(v) for name, v in value.values.items()}}
    if isinstance(value, Term):
        return {_TERM: [value.kind, value.code, str(value)]}
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    return value


def from_json(value: Any) -> Any:
    """What `to_json` wrote, with its Messages and Terms rebuilt."""
    if isinstance(value, dict):
        if _MESSAGE in value and set(value) == {_MESSAGE, "values"}:
            return Message(value[_MESSAGE], **{name: from_json(v) for name, v in value["values"].items()})
        if _TERM in value and len(value) == 1:
            return Term(*value[_TERM])
        return {key: from_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [from_json(item) for item in value]
    return value
