"""Running the lexicon's trigger patterns only where they can match, with the matches a scan of the
whole text gives.

Every match of a trigger contains one of its needles (`lexicon.needles`). One pass over the text finds
where every needle occurs. A trigger none of whose needles occurs is skipped; one whose matches have a
bounded width runs only in the stretches around its needles' occurrences. A width is bounded when every
unbounded repeat is of one character class (`\\w+`, `\\s+`, `[^ .]+`): such a run is no longer than the
longest run of that class in this text. The stretch around an occurrence reaches as far as any match
holding it can start or end, plus what the pattern's look-aheads read after its end; look-behinds read
the text before a stretch as in a whole scan (`re` keeps the whole string behind `pos`), so the same
matches come out, in the same order."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

try:  # the regular-expression parser, as in `lexicon.needles`
    import re._constants as _sre_constants
    import re._parser as _sre_parser
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as _sre_constants  # type: ignore[no-redef]
    import sre_parse as _sre_parser  # type: ignore[no-redef]

_C = _sre_constants
_UNBOUNDED = 1 << 30  # a repeat count this large is "no upper limit" (MAXREPEAT)
_CATEGORIES = {_C.CATEGORY_DIGIT: r"\d", _C.CATEGORY_NOT_DIGIT: r"\D", _C.CATEGORY_SPACE: r"\s",
               _C.CATEGORY_NOT_SPACE: r"\S", _C.CATEGORY_WORD: r"\w", _C.CATEGORY_NOT_WORD: r"\W"}


class Unbounded(Exception):
    """The pattern's width has no bound this module can tell."""


@dataclass(frozen=True)
class Width:
    """An upper bound on a number of characters: `fixed` plus, for each character class, `runs[class]`
    times the longest run of that class in the text."""

    fixed: int = 0
    runs: tuple[tuple[str, int], ...] = ()

    def __add__(self, other: Width) -> Width:
        runs = dict(self.runs)
        for name, count in other.runs:
            runs[name] = runs.get(name, 0) + count
        return Width(self.fixed + other.fixed, tuple(sorted(runs.items())))

    def times(self, count: int) -> Width:
        return Width(self.fixed * count, tuple((name, n * count) for name, n in self.runs))

    def most(self, other: Width) -> Width:
        """At least as wide as either (class by class, so no narrower than their maximum)."""
        runs = dict(self.runs)
        for name, count in other.runs:
            runs[name] = max(runs.get(name, 0), count)
        return Width(max(self.fixed, other.fixed), tuple(sorted(runs.items())))

    def value(self, longest_run: Any) -> int:  # noqa: ANN401 - a callable: class source -> longest run
        return self.fixed + sum(count * longest_run(name) for name, count in self.runs)


def _class_source(op: Any, arg: Any, flags: int) -> str:
    """The source of a one-character item, for measuring its runs; Unbounded if it is not one."""
    if op is _C.LITERAL:
        return _flagged(re.escape(chr(arg)), flags)
    if op is _C.NOT_LITERAL:
        return _flagged("[^" + _in_class(chr(arg)) + "]", flags)
    if op is _C.ANY:
        return _flagged(".", flags)
    if op is _C.IN:
        parts = []
        negate = False
        for item_op, item_arg in arg:
            if item_op is _C.NEGATE:
                negate = True
            elif item_op is _C.LITERAL:
                parts.append(_in_class(chr(item_arg)))
            elif item_op is _C.RANGE:
                parts.append(_in_class(chr(item_arg[0])) + "-" + _in_class(chr(item_arg[1])))
            elif item_op is _C.CATEGORY and item_arg in _CATEGORIES:
                parts.append(_CATEGORIES[item_arg])
            else:
                raise Unbounded
        return _flagged("[" + ("^" if negate else "") + "".join(parts) + "]", flags)
    raise Unbounded


def _in_class(char: str) -> str:
    return "\\" + char if char in "\\]^-[" else char


def _in_class_all(chars: str) -> str:
    return "".join(_in_class(char) for char in chars)


def _flagged(source: str, flags: int) -> str:
    """The class with the flags that change what it matches (dot, ASCII)."""
    letters = ("s" if flags & re.DOTALL else "") + ("a" if flags & re.ASCII else "")
    return f"(?{letters}:{source})" if letters else source


def _width(items: Iterable[Any], flags: int) -> Width:
    """An upper bound on the characters a match of `items` consumes (look-arounds consume none)."""
    total = Width()
    for op, arg in items:
        if op in (_C.LITERAL, _C.NOT_LITERAL, _C.ANY, _C.IN):
            total += Width(1)
        elif op in (_C.AT, _C.ASSERT, _C.ASSERT_NOT):
            continue
        elif op is _C.SUBPATTERN:
            _group, add, remove, body = arg
            if add & re.IGNORECASE:
                raise Unbounded  # a needle would no longer be a literal of the text (ſ matches s)
            total += _width(body, (flags | add) & ~remove)
        elif op is _C.BRANCH:
            widest = Width()
            for branch in arg[1]:
                widest = widest.most(_width(branch, flags))
            total += widest
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT):
            _low, high, body = arg
            if high < _UNBOUNDED:
                total += _width(body, flags).times(high)
            elif len(body) == 1:
                total += Width(0, ((_class_source(*body[0], flags), 1),))
            else:
                raise Unbounded
        else:  # group references, conditionals, atomic groups: not used by the lexicons
            raise Unbounded
    return total


def _reach(items: Iterable[Any], flags: int) -> Width:
    """How far past the point where it is tried any look-around of `items` may read."""
    farthest = Width()
    for op, arg in items:
        if op in (_C.ASSERT, _C.ASSERT_NOT):
            body = arg[1]
            farthest = farthest.most(_width(body, flags) + _reach(body, flags))
        elif op is _C.SUBPATTERN:
            farthest = farthest.most(_reach(arg[3], (flags | arg[1]) & ~arg[2]))
        elif op is _C.BRANCH:
            for branch in arg[1]:
                farthest = farthest.most(_reach(branch, flags))
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT):
            farthest = farthest.most(_reach(arg[2], flags))
    return farthest


@dataclass(frozen=True)
class Bounds:
    """`width`: the most characters a match spans; `after`: the most characters its look-aheads read
    past its end."""

    width: Width
    after: Width


def bounds(pattern: re.Pattern[str]) -> Bounds | None:
    """The bounds of the pattern's matches, or None when they have none this module can tell."""
    tree = _sre_parser.parse(pattern.pattern, pattern.flags)
    flags = tree.state.flags
    if flags & re.IGNORECASE:
        return None
    try:
        return Bounds(_width(tree.data, flags), _reach(tree.data, flags))
    except Unbounded:
        return None


def _trie_pattern(words: Iterable[str]) -> str:
    """One pattern matching, at a position, the longest of `words` that starts there."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        children = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not children:
            return ""
        body = children[0] if len(children) == 1 else "(?:" + "|".join(children) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


# A run of a class is measured only where it is long: shorter runs are bounded by this length.
_LONG_RUN = 16


class NeedleIndex:
    """Patterns, each with its needles, scanned together: `scan(text)` gives what running each pattern's
    `finditer` over the whole text, one pattern after another, gives."""

    def __init__(self, patterns: Iterable[tuple[re.Pattern[str], frozenset[str]]]) -> None:
        self.patterns: list[re.Pattern[str]] = []
        self._bounds: list[Bounds | None] = []
        self._always: list[int] = []  # patterns with no needle: run on every text
        users: dict[str, list[int]] = {}  # needle -> the patterns it belongs to
        for number, (pattern, needles) in enumerate(patterns):
            self.patterns.append(pattern)
            self._bounds.append(bounds(pattern) if needles else None)
            if not needles:
                self._always.append(number)
            for needle in needles:
                users.setdefault(needle, []).append(number)
        words = sorted(users)
        # at each position, the longest needle starting there; the shorter ones starting there are its prefixes
        # (the class of first characters in front lets `re` pass over most positions on one test)
        firsts = "".join(sorted({word[0] for word in words}))
        self._finder = re.compile(f"(?=[{_in_class_all(firsts)}])(?=({_trie_pattern(words)}))") if words else None
        self._found_with = {word: tuple({(number, len(short)) for short in words if word.startswith(short)
                                         for number in users[short]}) for word in words}
        classes = {name for limits in self._bounds if limits for name, _ in (*limits.width.runs, *limits.after.runs)}
        self._long_runs = {name: re.compile(f"(?:{name}){{{_LONG_RUN},}}") for name in classes}

    def scan(self, text: str) -> Iterator[tuple[int, re.Match[str]]]:
        """(pattern number, match) for every match, in pattern order, then text order."""
        hits: dict[int, list[tuple[int, int]]] = {number: [] for number in self._always}
        if self._finder is not None:
            found_with = self._found_with
            for match in self._finder.finditer(text):
                start = match.start()
                for number, length in found_with[match.group(1)]:
                    hits.setdefault(number, []).append((start, length))
        runs: dict[str, int] = {}

        def longest(name: str) -> int:
            if name not in runs:
                runs[name] = max(map(len, self._long_runs[name].findall(text)), default=_LONG_RUN - 1)
            return runs[name]

        size = len(text)
        for number in sorted(hits):
            pattern, limits = self.patterns[number], self._bounds[number]
            if limits is None:
                for match in pattern.finditer(text):
                    yield number, match
                continue
            width, after = limits.width.value(longest), limits.after.value(longest)
            # A match holding the needle at `start` begins no earlier than start + length - width and ends
            # no later than start + width; its look-aheads read `after` further; 2 more for \b and $.
            stretches: list[list[int]] = []
            for low, high in sorted((max(0, start + length - width), min(size, start + width + after + 2))
                                    for start, length in hits[number]):
                if stretches and low <= stretches[-1][1]:
                    stretches[-1][1] = max(stretches[-1][1], high)
                else:
                    stretches.append([low, high])
            for low, high in stretches:
                for match in pattern.finditer(text, low, high):
                    yield number, match
