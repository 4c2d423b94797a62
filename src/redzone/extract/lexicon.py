"""The extraction lexicons (`data/lexicon_<lang>.yaml`): loaded once, checked against the vocabulary
(every code and role must exist, every pattern must compile) and compiled for the rule method."""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

try:  # the regular-expression parser, used only to read literal prefilters from the lexicon's patterns
    import re._constants as _sre_constants
    import re._parser as _sre_parser
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as _sre_constants  # type: ignore[no-redef]
    import sre_parse as _sre_parser  # type: ignore[no-redef]

from redzone.errors import ConfigurationError
from redzone.vocab import load_vocabulary

DATA_DIR = Path(__file__).with_name("data")
_TOP_KEYS = {"language", "macros", "violations", "families", "compounds", "roles", "operator", "negation", "hypothetical", "topic", "escape",
             "not_a_role", "anaphora", "money", "qualifiers", "counterfactual", "arrest", "search"}
_CUE_KEYS = {"negation": {"before", "after"},
             "hypothetical": {"before", "after", "sentence_before", "sentence_after", "conditional", "habitual",
                              "habitual_before", "habitual_sentence"},
             "topic": {"before", "after"},
             "escape": {"before"},
             "not_a_role": {"before", "after"},
             "counterfactual": {"before", "after"},
             "arrest": {"agent", "other"},
             "search": {"posture", "naked"}}


class LexiconError(ConfigurationError):
    """A lexicon file is invalid; `problems` lists every fault as 'file: key: problem'."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"invalid extraction lexicon ({len(problems)} problems): " + "; ".join(problems[:5]))


@dataclass(frozen=True)
class Trigger:
    """A pattern that proposes facts: violation codes (one or more) or a perpetrator role.
    `needles`: literal strings one of which any match must contain (lower case), so a text holding
    none of them is skipped without running the pattern; empty when no such string can be told."""

    values: tuple[str, ...]
    pattern: re.Pattern[str]  # English: lower case, matched against `fold(text)`, whole words only
    needles: frozenset[str] = frozenset()

    def may_match(self, haystack: str) -> bool:
        return not self.needles or any(needle in haystack for needle in self.needles)


_COMMON_WORDS = frozenset({"the", "a", "an", "and", "or", "for", "of", "to", "in", "on", "at", "by", "with", "all", "as",
                           "is", "was", "were", "her", "his", "me", "us", "them", "my"})


# Characters in nearly every Korean or Chinese sentence (particles, endings, pronouns, 的/了/在): a needle made
# of them alone skips little, so one of rarer characters is chosen before it, however short.
_COMMON_CHARS = frozenset("에을를이가은는로으의도와과서고다요어아지게하해했한기면그저나것수있었없되된들때"
                          "我你她他它们的了是在不一有人这那个上下来去到说就也都和没要会着过里")
_MOST_CLASS_NEEDLES = 8  # a class of more characters than this ([一二三…九]) is no needle


def needles(pattern: str, flags: int = 0) -> frozenset[str]:
    """Literal strings of which every match of `pattern` contains at least one (lower case)."""
    found = _needles(_sre_parser.parse(pattern, flags))
    return frozenset(n.lower() for n in found) if found else frozenset()


def _rarity(needle: str) -> int:
    """How much a needle narrows: its characters, less those in every sentence (Korean and Chinese only)."""
    if needle.isascii():
        return len(needle)
    return sum(1 for char in needle if char not in _COMMON_CHARS and not char.isspace())


def _class_needles(arg: Any) -> frozenset[str] | None:
    """The characters of a class of a few literals ((?:带|领) is parsed as [带领]), else None."""
    if len(arg) > _MOST_CLASS_NEEDLES or any(op is not _sre_constants.LITERAL for op, _ in arg):
        return None
    return frozenset(chr(code) for _, code in arg)


def _needles(items: Any) -> frozenset[str] | None:
    best: frozenset[str] | None = None

    def rank(candidate: frozenset[str]) -> tuple[int, int, int]:
        # the rarest, then the longest, then the fewest: the rarer they are, the less text a trigger is run over
        return min(map(_rarity, candidate)), min(map(len, candidate)), -len(candidate)

    def better(candidate: frozenset[str] | None) -> None:
        nonlocal best
        if candidate and any(n.strip().lower() in _COMMON_WORDS for n in candidate):
            return  # " the ", "for ": in every text, so they skip nothing
        if candidate and all(len(n) >= (2 if n.isascii() else 1) for n in candidate):
            if best is None or rank(candidate) > rank(best):
                best = candidate

    run: list[str] = []
    for op, arg in list(items) + [(None, None)]:
        if op is _sre_constants.LITERAL:
            run.append(chr(arg))
            continue
        better(frozenset({"".join(run)}) if run else None)
        run = []
        if op is _sre_constants.IN:
            better(_class_needles(arg))
        elif op is _sre_constants.SUBPATTERN:
            better(_needles(arg[-1]))
        elif op is _sre_constants.BRANCH:
            options = [_needles(branch) for branch in arg[1]]
            better(frozenset().union(*options) if all(options) else None)
        elif op in (_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT) and arg[0] >= 1:
            better(_needles(arg[2]))
    return best


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one per file, cached
class Lexicon:
    language: str
    violations: tuple[Trigger, ...]
    roles: tuple[Trigger, ...]
    operator: re.Pattern[str] | None
    operator_brothel_only: re.Pattern[str] | None
    operator_roles: tuple[str, str]  # (role when the text speaks of cybersex, role otherwise)
    cues: dict[str, re.Pattern[str] | None]  # 'negation.before', 'hypothetical.sentence_after', …
    money_before: dict[str, str]  # currency -> alternation of words written before the amount
    money_after: dict[str, str]
    money_context: dict[str, re.Pattern[str]]
    qualifiers: dict[str, str]  # qualifier -> alternation
    anaphora: re.Pattern[str] | None = None  # matches the end of the text before a noun taken up again ("the ")
    kin: re.Pattern[str] | None = None  # matches just after a perpetrator's noun: his kin ("'s mother"), group `span`
    kin_roles: tuple[tuple[str, str], ...] = ()  # (role of the noun, role of the kin): buyer -> buyer_family
    money_bare: dict[str, str] | None = None  # currency -> words after which a bare number is an amount (花了两万五)


_folded = threading.local()  # per thread: the last text folded, and its fold


@functools.cache
def _qualifier_patterns(lexicon: Lexicon) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((name, re.compile(alternation, re.IGNORECASE)) for name, alternation in lexicon.qualifiers.items()
                 if alternation)


def qualifier_named(lexicon: Lexicon, word: str | None) -> str | None:
    """The qualifier ('about', 'at_least', …) whose words `word` is, or None (the patterns compiled once)."""
    if not word:
        return None
    word = word.strip()
    for name, pattern in _qualifier_patterns(lexicon):
        if pattern.fullmatch(word):
            return name
    return None


def fold(text: str) -> str:
    """Lower case, one character for one, so offsets into the folded text are offsets into the text.
    Worked out once for the text being read (money, places, violations and roles all fold it): the same
    object each time, so what is worked out once per folded text is too."""
    last = _folded.__dict__
    if last.get("text") is text:
        return last["folded"]
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    last.update(text=text, folded=lowered)
    return lowered


def lower_pattern(pattern: str) -> str:
    """A pattern for folded text: literal letters lowered; escapes (\\S, \\W, \\D) and group names kept."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("(?P<", index) or pattern.startswith("(?P=", index):
            close = pattern.index(">" if pattern[index + 3] == "<" else ")", index)
            out.append(pattern[index:close + 1])
            index = close + 1
        elif pattern[index] == "\\":
            out.append(pattern[index:index + 2])
            index += 2
        else:
            out.append(pattern[index].lower())
            index += 1
    return "".join(out)


def bounded(text: str, start: int, end: int) -> bool:
    """The match is a whole word or phrase: no letter or digit runs on at either end."""
    return not ((start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"))
                or (end < len(text) and (text[end].isalnum() or text[end] == "_")))


_MACRO = re.compile(r"\{([A-Z][A-Z_]*)\}")


def _alternation(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in sorted(patterns, key=len, reverse=True))


class _Reader:
    def __init__(self, file: str, language: str) -> None:
        self.file = file
        self.language = language
        self.flags = re.IGNORECASE if language == "en" else 0
        self.problems: list[str] = []
        self.macros: dict[str, str] = {}

    def expand(self, where: str, pattern: str) -> str:
        """`{NAME}` in a pattern stands for the lexicon's macro NAME (a word class: person nouns,
        object pronouns), so one construction is written once and reused across codes."""
        def substitute(found: re.Match[str]) -> str:
            if found.group(1) not in self.macros:
                self.problems.append(f"{self.file}: {where}: unknown macro {{{found.group(1)}}}")
                return ""
            return f"(?:{self.macros[found.group(1)]})"
        return _MACRO.sub(substitute, pattern)

    def compile(self, where: str, pattern: Any, wrap: bool = True) -> re.Pattern[str] | None:
        if not isinstance(pattern, str) or not pattern:
            self.problems.append(f"{self.file}: {where}: expected a non-empty pattern, got {pattern!r}")
            return None
        pattern = self.expand(where, pattern)
        try:
            if wrap and self.language == "en":  # matched case-sensitively on folded text: 10x faster
                return re.compile(lower_pattern(pattern))
            return re.compile(pattern, self.flags)
        except re.error as error:
            self.problems.append(f"{self.file}: {where}: {pattern!r} does not compile ({error})")
            return None

    def patterns(self, where: str, items: Any) -> list[str]:
        if not isinstance(items, list):
            self.problems.append(f"{self.file}: {where}: expected a list of patterns")
            return []
        return [self.expand(where, p) for p in items if self.compile(where, p, wrap=False) is not None]

    def triggers(self, where: str, mapping: Any, known: Any) -> list[Trigger]:
        found: list[Trigger] = []
        if not isinstance(mapping, dict):
            self.problems.append(f"{self.file}: {where}: expected a mapping")
            return found
        for value, items in mapping.items():
            if value not in known:
                self.problems.append(f"{self.file}: {where}: {value!r} is not in the vocabulary")
            for pattern in self.patterns(f"{where}.{value}", items):
                compiled = self.compile(f"{where}.{value}", pattern)
                if compiled is not None:
                    found.append(Trigger((value,), compiled, needles(compiled.pattern, self.flags)))
        return found


def read_lexicon(path: Path) -> Lexicon:
    """Read and check one lexicon file; raises LexiconError listing every problem."""
    vocabulary = load_vocabulary()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise LexiconError([f"{path.name}: not valid YAML ({error})"]) from None
    language = data.get("language", "")
    reader = _Reader(path.name, language)
    if language not in ("en", "ko", "zh"):
        reader.problems.append(f"{path.name}: language: expected en, ko or zh, got {language!r}")
    for key in set(data) - _TOP_KEYS:
        reader.problems.append(f"{path.name}: {key}: unknown key")
    macros = data.get("macros") or {}
    if not isinstance(macros, dict):
        reader.problems.append(f"{path.name}: macros: expected a mapping of NAME -> pattern")
        macros = {}
    for name, body in macros.items():  # in order: a macro may use those defined before it
        if not re.fullmatch(r"[A-Z][A-Z_]*", str(name)):
            reader.problems.append(f"{path.name}: macros: {name!r} is not an upper-case name")
        elif reader.compile(f"macros.{name}", body, wrap=False) is not None:
            reader.macros[name] = reader.expand(f"macros.{name}", body)
    violations = reader.triggers("violations", data.get("violations", {}), vocabulary.violations)
    violations += reader.triggers("families", data.get("families", {}), vocabulary.violations)
    for index, compound in enumerate(data.get("compounds", [])):
        codes = tuple(compound.get("codes", ()))
        for code in codes:
            if code not in vocabulary.violations:
                reader.problems.append(f"{path.name}: compounds[{index}]: {code!r} is not in the vocabulary")
        for pattern in reader.patterns(f"compounds[{index}]", compound.get("patterns", [])):
            if compiled := reader.compile(f"compounds[{index}]", pattern):
                violations.append(Trigger(codes, compiled, needles(compiled.pattern, reader.flags)))
    roles = reader.triggers("roles", data.get("roles", {}), vocabulary.roles)
    operator = data.get("operator") or {}
    operator_roles = (operator.get("cybersex", "cybersex_operator"), operator.get("otherwise", "brothel_operator"))
    for role in operator_roles:
        if role not in vocabulary.roles:
            reader.problems.append(f"{path.name}: operator: {role!r} is not in the vocabulary")
    operator_pattern = reader.compile("operator", _alternation(reader.patterns("operator", operator.get("patterns", []))))
    brothel_only = operator.get("brothel_only", [])
    brothel_pattern = reader.compile("operator", _alternation(brothel_only)) if brothel_only else None
    cues: dict[str, re.Pattern[str] | None] = {}
    for group, keys in _CUE_KEYS.items():
        section = data.get(group) or {}
        for key in set(section) - keys:
            reader.problems.append(f"{path.name}: {group}.{key}: unknown key")
        for key in keys:
            items = reader.patterns(f"{group}.{key}", section.get(key) or [])
            cues[f"{group}.{key}"] = reader.compile(f"{group}.{key}", _alternation(items), wrap=False) if items else None
    money = data.get("money") or {}
    currencies = vocabulary.lists["currencies"]
    sides: dict[str, dict[str, str]] = {}
    for side in ("before", "after"):
        sides[side] = {}
        for code, items in (money.get(side) or {}).items():
            if code not in currencies:
                reader.problems.append(f"{path.name}: money.{side}: {code!r} is not a vocabulary currency")
            sides[side][code] = _alternation(reader.patterns(f"money.{side}.{code}", items))
    context = {code: re.compile(_alternation(reader.patterns(f"money.context.{code}", items)))
               for code, items in (money.get("context") or {}).items()}
    bare = {}
    for code, items in (money.get("bare") or {}).items():
        if code not in currencies:
            reader.problems.append(f"{path.name}: money.bare: {code!r} is not a vocabulary currency")
        bare[code] = _alternation(reader.patterns(f"money.bare.{code}", items))
    for key in set(money) - {"before", "after", "context", "bare"}:
        reader.problems.append(f"{path.name}: money.{key}: unknown key")
    qualifiers = {}
    for name, items in (data.get("qualifiers") or {}).items():
        if name not in vocabulary.lists["qualifiers"]:
            reader.problems.append(f"{path.name}: qualifiers: {name!r} is not a vocabulary qualifier")
        qualifiers[name] = _alternation(reader.patterns(f"qualifiers.{name}", items))
    anaphora = data.get("anaphora") or {}
    for key in set(anaphora) - {"before", "kin", "kin_roles"}:
        reader.problems.append(f"{path.name}: anaphora.{key}: unknown key")
    taken_up = reader.patterns("anaphora.before", anaphora.get("before") or [])
    kin = reader.compile("anaphora.kin", anaphora["kin"], wrap=False) if "kin" in anaphora else None
    kin_roles = tuple((anaphora.get("kin_roles") or {}).items())
    for pair in kin_roles:
        for role in pair:
            if role not in vocabulary.roles:
                reader.problems.append(f"{path.name}: anaphora.kin_roles: {role!r} is not in the vocabulary")
    if kin is not None and "span" not in kin.groupindex:
        reader.problems.append(f"{path.name}: anaphora.kin: the pattern needs a group named span")
    if reader.problems:
        raise LexiconError(reader.problems)
    return Lexicon(language, tuple(violations), tuple(roles), operator_pattern, brothel_pattern, operator_roles,
                   cues, sides["before"], sides["after"], context, qualifiers,
                   reader.compile("anaphora.before", _alternation(taken_up), wrap=False) if taken_up else None,
                   kin, kin_roles, bare)


@functools.cache
def load_lexicon(language: str) -> Lexicon:
    """The lexicon of 'en', 'ko' or 'zh', read once."""
    path = DATA_DIR / f"lexicon_{language}.yaml"
    if not path.is_file():
        raise LexiconError([f"lexicon_{language}.yaml: missing"])
    return read_lexicon(path)
