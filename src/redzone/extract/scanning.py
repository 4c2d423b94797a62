"""Running the extraction's patterns only where they can match, with the matches a plain scan gives.

Three devices, each exact: (1) `NeedleIndex`: every match of a trigger contains one of its needles
(`lexicon.needles`); one pass of a trie pattern finds where every needle occurs, a trigger none of whose
needles occurs is skipped, and one whose matches have a bounded width runs only in the stretches around
its needles' occurrences. A width is bounded when every unbounded repeat is of one character class
(`\\w+`, `\\s+`, `[^ .]+`): such a run is no longer than the longest run of that class in this text. A
stretch reaches as far as a match holding the needle can start or end, plus what the pattern's
look-aheads read after its end; look-behinds read the text before a stretch as in a whole scan (`re`
keeps the whole string behind `pos`). (2) `Narrowed` (module `narrowing`): the same for a grammar pattern
inside the windows it is given. (3) `guarded`: a pattern `re` cannot skip ahead for by itself runs behind a
look-ahead for the characters its matches can start with."""

from __future__ import annotations

import re
import threading
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
    """The class with the flags that change what it matches (case, dot, ASCII)."""
    letters = ("i" if flags & re.IGNORECASE else "") + ("s" if flags & re.DOTALL else "") + ("a" if flags & re.ASCII else "")
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


def _caseless(items: Iterable[Any]) -> bool:
    """Some part of the pattern ignores case (a scoped `(?i:…)`)."""
    for op, arg in items:
        if op is _C.SUBPATTERN and (arg[1] & re.IGNORECASE or _caseless(arg[3])):
            return True
        if op is _C.BRANCH and any(_caseless(branch) for branch in arg[1]):
            return True
        if op in (_C.MAX_REPEAT, _C.MIN_REPEAT) and _caseless(arg[2]):
            return True
        if op in (_C.ASSERT, _C.ASSERT_NOT) and _caseless(arg[1]):
            return True
    return False


@dataclass(frozen=True)
class Bounds:
    """`width`: the most characters a match spans; `after`: the most characters its look-aheads read
    past its end; `caseless`: some part ignores case, so its needles are literals of the lower-cased text
    only (and not even there for ſ, ı and İ, which `re` takes for s and i)."""

    width: Width
    after: Width
    caseless: bool = False


def bounds(pattern: re.Pattern[str]) -> Bounds | None:
    """The bounds of the pattern's matches, or None when they have none this module can tell."""
    tree = _sre_parser.parse(pattern.pattern, pattern.flags)
    flags = tree.state.flags
    try:
        return Bounds(_width(tree.data, flags), _reach(tree.data, flags),
                      bool(flags & re.IGNORECASE) or _caseless(tree.data))
    except Unbounded:
        return None


def _stretches(starts: Iterable[tuple[int, int]], width: int, after: int, size: int) -> list[list[int]]:
    """The merged stretches of text that matches holding the needles at `starts` (start, length) may
    span or read: a match begins no earlier than start + length - width and ends no later than start +
    width; its look-aheads read `after` further; 2 more for \\b and $ at the end."""
    stretches: list[list[int]] = []
    reach = width + after + 2
    for low, high in sorted([(max(0, start + length - width), min(size, start + reach)) for start, length in starts]):
        if stretches and low <= stretches[-1][1]:
            stretches[-1][1] = max(stretches[-1][1], high)
        else:
            stretches.append([low, high])
    return stretches


def trie_pattern(words: Iterable[str]) -> str:
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


# Needles looked for by one finder at most: `re` tries a finder's first characters one after another at
# each place one of them stands, so a few finders, each passing over the others' places, cost less.
_NEEDLES_A_FINDER = 120
_MOST_FINDERS = 4


def _needle_finders(words: list[str]) -> list[re.Pattern[str]]:
    """Patterns whose matches, together, are every place a needle starts, with the longest needle
    starting there (group 1; the shorter ones starting there are its prefixes). Each starts with the class
    of its needles' first characters, so `re` passes over other places on its own (a look-ahead in front
    would be tried at every place), then reads the needle from that character on."""
    if not words:
        return []
    by_first: dict[str, list[str]] = {}
    for word in words:
        by_first.setdefault(word[0], []).append(word)
    count = max(1, min(_MOST_FINDERS, len(words) // _NEEDLES_A_FINDER))
    groups: list[list[str]] = [[] for _ in range(count)]  # first characters, dealt out so needles are even
    sizes = [0] * count
    for first in sorted(by_first, key=lambda char: (-len(by_first[char]), char)):
        smallest = sizes.index(min(sizes))
        groups[smallest].append(first)
        sizes[smallest] += len(by_first[first])
    return [re.compile(f"[{_in_class_all(''.join(sorted(group)))}](?<=(?=({trie_pattern(w for c in group for w in by_first[c])}))(?s:.))")
            for group in groups if group]


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
            limits = bounds(pattern) if needles else None
            self._bounds.append(limits if limits and not limits.caseless else None)
            if not needles:
                self._always.append(number)
            for needle in needles:
                users.setdefault(needle, []).append(number)
        self._run = [guarded(pattern) for pattern in self.patterns]  # the same matches, found faster
        words = sorted(users)
        self._finders = _needle_finders(words)
        self._found_with = {word: tuple({(number, len(short)) for short in words if word.startswith(short)
                                         for number in users[short]}) for word in words}
        # (width, after) of a pattern whose bounds count no class runs: the same in every text
        self._fixed = [(limits.width.fixed, limits.after.fixed) if limits and not limits.width.runs
                       and not limits.after.runs else None for limits in self._bounds]
        classes = {name for limits in self._bounds if limits for name, _ in (*limits.width.runs, *limits.after.runs)}
        # a long run is found from its first character on: a try there takes it whole, so none starts inside
        self._long_runs = {name: re.compile(f"(?:{name}){{{_LONG_RUN},}}") for name in classes}

    def scan(self, text: str) -> Iterator[tuple[int, re.Match[str]]]:
        """(pattern number, match) for every match, in pattern order, then text order."""
        hits: dict[int, list[tuple[int, int]]] = {number: [] for number in self._always}
        found_with = self._found_with
        for finder in self._finders:  # (a needle's occurrences in text order; needles of one finder after another's)
            for start, word in [(match.start(), match.group(1)) for match in finder.finditer(text)]:
                for number, length in found_with[word]:
                    if number in hits:
                        hits[number].append((start, length))
                    else:
                        hits[number] = [(start, length)]
        memo = _text_memo(text)

        def longest(name: str) -> int:
            return _longest_run(memo, name, self._long_runs[name])

        size = len(text)
        for number in sorted(hits):
            pattern, limits = self._run[number], self._bounds[number]
            if limits is None:
                for match in pattern.finditer(text):
                    yield number, match
                continue
            fixed = self._fixed[number]
            width, after = fixed if fixed else (limits.width.value(longest), limits.after.value(longest))
            starts = hits[number]
            if len(starts) == 1:  # the most common case, worked out directly
                start, length = starts[0]
                stretches: Iterable[Any] = ((max(0, start + length - width), min(size, start + width + after + 2)),)
            else:
                stretches = _stretches(starts, width, after, size)
            for low, high in stretches:
                for match in pattern.finditer(text, low, high):
                    yield number, match


_memo = threading.local()  # per thread: the last texts read (the text, its folded copy), with their class runs
_MEMO_TEXTS = 3


def _text_memo(text: str) -> dict[str, Any]:
    """What is worked out once per text: its lower case, its class runs (looked up by identity; the
    entry holds the text, so an identity is never a freed text's)."""
    entries = _memo.__dict__.setdefault("entries", [])
    for entry in entries:
        if entry["text"] is text:
            return entry
    entry = {"text": text, "runs": {}}
    entries.insert(0, entry)
    del entries[_MEMO_TEXTS:]
    return entry


def _lower(memo: dict[str, Any]) -> str:
    if "lower" not in memo:
        memo["lower"] = memo["text"].lower()
    return memo["lower"]


# Cheap bounds on a class's runs, tried in turn: a class holding no space runs no longer than the text's
# longest word (`str.split`, far cheaper than a pattern); one holding no " ", than its longest stretch between
# two; one within the numeral characters, than their longest run; one holding none of the breaks (spaces,
# punctuation, the commonest Chinese characters), than the longest stretch between two of them. When that is
# shorter than a long run, so are the class's: bounded as short, the value a scan for long runs would give.
_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_BREAKS = _SPACES + "，。、；：！？（）「」《》“”‘’…—,.;:!?()\"'的了我她他们是在不有人这个那就也都说到去来被把"
_NUMERALS = re.compile(r"[\d,.()?:〇零一二两三四五六七八九壹贰貳叁參肆伍陆陸柒捌玖幺十拾百佰千仟万萬亿億]")
_LONG_NUMERALS = re.compile(f"(?:{_NUMERALS.pattern}){{{_LONG_RUN}}}")
_LONG_BETWEEN_BREAKS = re.compile(f"[^{_in_class_all(_BREAKS)}]{{{_LONG_RUN}}}")
_BOUNDS = (  # (name, the longest stretch is short in this text)
    ("words", lambda text: max(map(len, text.split()), default=0) < _LONG_RUN),
    ("spaced", lambda text: max(map(len, text.split(" ")), default=0) < _LONG_RUN),
    ("numerals", lambda text: _LONG_NUMERALS.search(text) is None),
    ("clauses", lambda text: _LONG_BETWEEN_BREAKS.search(text) is None),
)
_APPLIES: dict[str, tuple[str, ...]] = {}  # class source -> the bounds that hold for it


def _within(name: str, superset: re.Pattern[str]) -> bool:
    """Every character the class `name` matches, `superset` matches (a class of literals, ranges and \\d)."""
    try:
        tree = _sre_parser.parse(name)
    except re.error:  # pragma: no cover - a class this module wrote
        return False
    if len(tree.data) != 1:
        return False
    op, arg = tree.data[0]
    items = [(op, arg)] if op is _C.LITERAL else arg if op is _C.IN else None
    if items is None:
        return False
    for item_op, item_arg in items:
        if item_op is _C.LITERAL:
            inside = superset.match(chr(item_arg)) is not None
        elif item_op is _C.RANGE:
            low, high = item_arg
            inside = high - low < 1024 and all(superset.match(chr(code)) for code in range(low, high + 1))
        else:  # \d is inside the numerals; a negated class, \w or \s is not told
            inside = item_op is _C.CATEGORY and item_arg is _C.CATEGORY_DIGIT and superset is _NUMERALS
        if not inside:
            return False
    return True


def _applying(name: str) -> tuple[str, ...]:
    item = re.compile(name)
    holds = {"words": not any(item.match(char) for char in _SPACES), "spaced": not item.match(" "),
             "numerals": _within(name, _NUMERALS), "clauses": not any(item.match(char) for char in _BREAKS)}
    return tuple(bound for bound, _ in _BOUNDS if holds[bound])


def _longest_run(memo: dict[str, Any], name: str, long_runs: re.Pattern[str]) -> int:
    """The longest run of the class `name` in the memo's text, or `_LONG_RUN - 1` when none is that long."""
    runs = memo["runs"]
    if name in runs:
        return runs[name]
    applying = _APPLIES.get(name)
    if applying is None:
        applying = _APPLIES[name] = _applying(name)
    text = memo["text"]
    for bound, short in _BOUNDS:
        if bound in applying:
            if bound not in memo:
                memo[bound] = short(text)
            if memo[bound]:
                runs[name] = _LONG_RUN - 1
                return runs[name]
    runs[name] = max(map(len, long_runs.findall(text)), default=_LONG_RUN - 1)
    return runs[name]


# Narrowing pays when the given stretches are long and the needles few (measured on the corpus's
# documents of 2 KB: a date's stretches around its year are short, and a dozen month names cost a dozen finds).


def _first_items(items: list[Any]) -> list[tuple[Any, Any]] | None:
    """The one-character items one of which any match of `items` starts with (look-arounds and anchors
    read nothing, so they are passed over; an optional part adds its first items to those of what
    follows it), or None when they cannot be told or the match may be empty."""
    found = _firsts(items)
    return None if found is None or found[1] else found[0]


def _firsts(items: list[Any]) -> tuple[list[tuple[Any, Any]], bool] | None:
    """(the first items of a match of `items`, whether the match may be empty), or None when not told."""
    found: list[tuple[Any, Any]] = []
    for op, arg in items:
        if op in (_C.AT, _C.ASSERT, _C.ASSERT_NOT):
            continue
        if op in (_C.LITERAL, _C.NOT_LITERAL, _C.ANY, _C.IN):
            return [*found, (op, arg)], False
        if op is _C.SUBPATTERN:
            if arg[1] or arg[2]:
                return None  # scoped flags: the class would have to carry them
            part = _firsts(arg[3])
        elif op is _C.BRANCH:
            branches = [_firsts(branch) for branch in arg[1]]
            if any(branch is None for branch in branches):
                return None
            part = ([item for branch in branches for item in branch[0]], any(branch[1] for branch in branches))
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT):
            body = _firsts(arg[2])
            part = None if body is None else (body[0], body[1] or arg[0] == 0)
        else:
            return None
        if part is None:
            return None
        found += part[0]
        if not part[1]:
            return found, False
    return found, True


def _skipped_natively(items: list[Any]) -> bool:
    """`re` itself passes over positions where the pattern cannot start: it starts with a literal or a
    class, or with alternatives that each start with a literal (case-sensitive patterns only)."""
    if not items:
        return False
    op, arg = items[0]
    if op in (_C.LITERAL, _C.IN):
        return True
    if op is _C.SUBPATTERN and not arg[1]:
        return _skipped_natively(arg[3])
    if op is _C.BRANCH:
        return all(branch and branch[0][0] is _C.LITERAL for branch in arg[1])
    return False


def first_character_guard(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The same pattern behind a look-ahead for the characters its matches can start with, so that `re`
    passes over every other position on one test instead of trying the whole pattern there (its own
    prefilter does so only for a pattern that starts with a literal or a class). Same matches: a match
    consumes at least one character, and the first is one of these. The pattern itself when that
    cannot be told."""
    tree = _sre_parser.parse(pattern.pattern, pattern.flags)
    if tree.getwidth()[0] < 1 or (not tree.state.flags & re.IGNORECASE and _skipped_natively(tree.data)):
        return pattern
    items = _first_items(tree.data)
    if not items:
        return pattern
    try:
        sources = sorted({_class_source(op, arg, 0) for op, arg in items})
    except Unbounded:
        return pattern
    if all(op is _C.LITERAL or (op is _C.IN and all(item[0] is not _C.NEGATE for item in arg)) for op, arg in items):
        # one class when every item is a literal or a plain class, so the test is one look-up
        sources = ["[" + "".join(sorted({_class_source(op, arg, 0)[1:-1] if op is _C.IN else _in_class(chr(arg))
                                         for op, arg in items})) + "]"]
    # the global flags stay the pattern's own, so the look-ahead reads case as the pattern does
    source = _GLOBAL_FLAGS.sub("", pattern.pattern)  # `pattern.flags` holds them: they must lead the new source
    return re.compile(f"(?=(?:{'|'.join(sources)}))(?:{source})", pattern.flags)


_GLOBAL_FLAGS = re.compile(r"^\(\?[aiLmsux]+\)")


_GUARDED: dict[int, tuple[re.Pattern[str], re.Pattern[str]]] = {}


def guarded(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """`first_character_guard(pattern)`, worked out once (looked up by identity)."""
    found = _GUARDED.get(id(pattern))
    if found is None or found[0] is not pattern:
        found = _GUARDED[id(pattern)] = (pattern, first_character_guard(pattern))
    return found[1]
