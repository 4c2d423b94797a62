"""Grammar patterns run only where they can match inside the windows they are given, with the matches a
plain scan of those windows gives: `Narrowed` runs a pattern in the stretches around its needles (the
bounds and stretches of `scanning`), and one that starts with a look-behind for literals only where one
of them ends (`tried_at`). `narrowed(pattern)` keeps one per pattern."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from typing import Any

from redzone.extract.scanning import (_C, _LONG_RUN, _longest_run, _lower, _sre_parser, _stretches, _text_memo,
                                      bounds, guarded)

_SHORT_SPANS = 400
_MOST_NEEDLES = 4
# What a needle's stretch costs beyond its characters, in characters `re` reads in the same time (a call,
# a merge): narrowing pays while the needles' stretches cover less than the spans (来, 人 in Chinese do not).
_STRETCH_COST = 64
_UNCASED_LETTERS = ("ſ", "ı", "İ")  # letters `re` matches to s and i when ignoring case, which lower() leaves


class Narrowed:
    """One grammar pattern run in given stretches of a text (`windows`), but only where it can match
    there: near one of its needles. `finditer(text, spans)` gives what `pattern.finditer(text, start, end)`
    over each span in turn gives."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        from redzone.extract.lexicon import needles  # the lexicon module reads needles for its triggers too

        self.pattern = pattern
        self._run = guarded(pattern)  # the same matches, found faster
        self._needles = tuple(sorted(needles(pattern.pattern, pattern.flags)))
        limits = bounds(pattern) if self._needles else None
        if limits is not None and limits.caseless and not all(needle.isascii() for needle in self._needles):
            limits = None
        if len(self._needles) > _MOST_NEEDLES:
            limits = None  # looking for each costs more than the pattern, which `re` runs fast over short stretches
        self._bounds = limits
        # the characters one needle's stretch is estimated to cost (a run of a class taken as a long one)
        self._reach = 0 if limits is None else _STRETCH_COST + limits.after.fixed + 2 * (
            limits.width.fixed + _LONG_RUN * sum(count for _, count in limits.width.runs))
        classes = {name for name, _ in (*limits.width.runs, *limits.after.runs)} if limits else set()
        self._long_runs = {name: re.compile(f"(?:{name}){{{_LONG_RUN},}}") for name in classes}
        self._behind = _literals_behind(pattern)

    def finditer(self, text: str, spans: list[tuple[int, int]]) -> Iterator[re.Match[str]]:
        if self._behind is not None:
            yield from self._after_literals(text, spans)
            return
        pattern, limits = self._run, self._bounds
        size = sum(end - start for start, end in spans)
        if limits is None or size < _SHORT_SPANS \
                or (limits.caseless and any(letter in text for letter in _UNCASED_LETTERS)):
            for start, end in spans:
                yield from pattern.finditer(text, start, end)
            return
        # needles are lower case: looked for in the lower-cased text (more places than a case-sensitive
        # part can match, never fewer)
        memo = _text_memo(text)
        haystack = _lower(memo)
        if len(haystack) != len(text):  # a letter whose lower case is longer: offsets would not agree
            for start, end in spans:
                yield from pattern.finditer(text, start, end)
            return
        occurrences = sum(haystack.count(needle) for needle in self._needles)
        if not occurrences:
            return
        if occurrences * self._reach > size:  # needles everywhere: the spans whole cost less
            for start, end in spans:
                yield from pattern.finditer(text, start, end)
            return
        starts = []
        for needle in self._needles:
            found = haystack.find(needle)
            while found >= 0:
                starts.append((found, len(needle)))
                found = haystack.find(needle, found + 1)
        if not starts:
            return

        def longest(name: str) -> int:
            return _longest_run(memo, name, self._long_runs[name])

        stretches = _stretches(starts, limits.width.value(longest), limits.after.value(longest), len(text))
        for start, end in spans:
            for low, high in stretches:
                if low < end and start < high:
                    yield from pattern.finditer(text, max(start, low), min(end, high))


    def _after_literals(self, text: str, spans: list[tuple[int, int]]) -> Iterator[re.Match[str]]:
        """A pattern that starts with a look-behind for literals matches only where one of them ends."""
        ends = sorted({found + len(literal) for literal in self._behind for found in _occurrences(text, literal)})
        return tried_at(self.pattern, text, spans, ends)


def tried_at(pattern: re.Pattern[str], text: str, spans: list[tuple[int, int]], places: list[int]) -> Iterator[re.Match[str]]:
    """What `pattern.finditer` over each span gives, for a pattern whose matches (none empty) can begin only
    at `places` (sorted; more are harmless): tried there, in text order, each past the last match's end."""
    for start, end in spans:
        reached = start
        for place in places[bisect.bisect_left(places, start):bisect.bisect_left(places, end)]:
            if place >= reached and (match := pattern.match(text, place, end)):
                yield match
                reached = match.end()


def _occurrences(text: str, literal: str) -> Iterator[int]:
    found = text.find(literal)
    while found >= 0:
        yield found
        found = text.find(literal, found + 1)


_MOST_LITERALS = 16


def _literals_behind(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """The literals a case-sensitive pattern's leading look-behind requires right before every match
    (`(?<=年仅|时年)…`, `(?:(?<=今年)|(?<=当时))…`), or None when it has none, a match may be empty, or
    they are many."""
    tree = _sre_parser.parse(pattern.pattern, pattern.flags)
    if tree.state.flags & re.IGNORECASE or tree.getwidth()[0] < 1 or not tree.data:
        return None
    found = _behind(tree.data[0])
    return tuple(sorted(found)) if found and len(found) <= _MOST_LITERALS else None


def _behind(item: tuple[Any, Any]) -> set[str] | None:
    op, arg = item
    if op is _C.ASSERT and arg[0] == -1:
        return _literal_set(list(arg[1]))
    if op is _C.SUBPATTERN and not arg[1] and not arg[2] and len(arg[3]) == 1:
        return _behind(arg[3][0])
    if op is _C.BRANCH:
        found: set[str] = set()
        for branch in arg[1]:
            part = _behind(branch[0]) if len(branch) == 1 else None
            if part is None:
                return None
            found |= part
        return found
    return None


def _literal_set(items: list[Any]) -> set[str] | None:
    """Every string `items` match, when they are literals, classes of literals and alternatives of them."""
    strings = {""}
    for op, arg in items:
        if op is _C.LITERAL:
            options = {chr(arg)}
        elif op is _C.IN and all(item_op is _C.LITERAL for item_op, _ in arg):
            options = {chr(item_arg) for _, item_arg in arg}
        elif op is _C.BRANCH:
            options = set()
            for branch in arg[1]:
                part = _literal_set(list(branch))
                if part is None:
                    return None
                options |= part
        elif op is _C.SUBPATTERN and not arg[1] and not arg[2]:
            part = _literal_set(list(arg[3]))
            if part is None:
                return None
            options = part
        else:
            return None
        strings = {head + tail for head in strings for tail in options}
        if len(strings) > _MOST_LITERALS:
            return None
    return strings


_NARROWED: dict[int, Narrowed] = {}


def narrowed(pattern: re.Pattern[str]) -> Narrowed:
    """The pattern's `Narrowed`, worked out once (looked up by identity: the grammars' patterns live as
    long as their modules)."""
    found = _NARROWED.get(id(pattern))
    if found is None or found.pattern is not pattern:
        found = _NARROWED[id(pattern)] = Narrowed(pattern)
    return found
