"""Extraction methods side by side behind one interface, and `extract()`, which runs the chosen one.

A method is a name, a one-line description and `extract(text, language) -> list[Fact]`. Methods
compete on the evaluation corpus (`make bench`); `DEFAULT_METHOD` names the one that scored best.
Another method — a statistical layer, a different tokeniser — registers with `register()` and is
scored by the same evaluation without touching the others."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from redzone.errors import Problem, ValidationError
from redzone.extract.facts import LANGUAGES, Extraction, Fact, detect_language


@dataclass(frozen=True)
class Method:
    name: str
    description: str
    extract: Callable[[str, str], list[Fact]]


def _rules(text: str, lang: str) -> list[Fact]:
    from redzone.extract.rules import extract_rules

    return extract_rules(text, lang)


def _morph(text: str, lang: str) -> list[Fact]:
    from redzone.extract.morph import extract_morph

    return extract_morph(text, lang)


METHODS: dict[str, Method] = {}


def register(method: Method) -> Method:
    """Add a method (replacing one of the same name)."""
    METHODS[method.name] = method
    return method


register(Method("rules", "lexicons, gazetteer and number grammars over the raw text; no tokeniser", _rules))
register(Method("morph", "the rules, plus kiwipiepy (Korean) and jieba (Chinese) tokens for names", _morph))

# Optional methods register themselves when their extra is installed (`semantic`: a sentence encoder).
from redzone.extract import semantic as _semantic  # noqa: E402,F401
from redzone.extract import booster as _booster  # noqa: E402,F401

# Chosen by measurement on the evaluation corpus (docs/extraction.md, `make bench`): both methods score
# the same on violations, places, money, ages and quantities; the morpheme method finds more names but
# reads 5–20x fewer documents a second. Extraction defaults to the rules; redaction, where a missed name
# is a leak, to the morpheme method.
DEFAULT_METHOD = "rules"
REDACTION_METHOD = "morph"


def get_method(name: str | None = None) -> Method:
    name = name or DEFAULT_METHOD
    if name not in METHODS:
        raise ValidationError(Problem("method", f"unknown extraction method {name!r}; choose from {', '.join(METHODS)}"))
    return METHODS[name]


def extract(text: str, language: str = "auto", method: str | None = None, file: str = "") -> Extraction:
    """Propose facts for `text`. `language` is 'en', 'ko', 'zh' or 'auto' (detected from the script)."""
    if language == "auto":
        language = detect_language(text)
    if language not in LANGUAGES:
        raise ValidationError(Problem("language", f"{language!r} is not supported; use auto, {', '.join(LANGUAGES)}"))
    chosen = get_method(method)
    return Extraction(language=language, facts=chosen.extract(text, language), method=chosen.name, file=file)
