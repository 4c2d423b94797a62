"""The morpheme method: the rule method's facts, refined with proper tokenisation — kiwipiepy for
Korean, jieba for Chinese — which finds the names a pattern cannot: a Korean proper noun (NNP) or a
Chinese person's name (nr) that no cue word announces. Both tokenisers load their models from their
installed packages, offline; each is loaded once per process, on first use.

Neither tagger knows the gazetteer (jieba tags 延吉 as a person's name), so a token that is a place
name, or ends like one (두만강, 조선족), is never proposed as a person."""

from __future__ import annotations

import functools
import logging
import os
import tempfile
from typing import Any

from redzone.extract.facts import Fact, make
from redzone.extract.persons import surnames
from redzone.extract.places import gazetteer
from redzone.extract.rules import extract_rules

_KO_NOT_NAME_ENDINGS = ("강", "족", "산", "도", "시", "군", "성", "국", "부", "대", "소", "장")
_ZH_NOT_NAME_ENDINGS = ("江", "族", "山", "营", "所", "省", "市", "县", "部", "队")


class TokeniserMissing(RuntimeError):
    """kiwipiepy (with kiwipiepy_model) or jieba is not installed."""


@functools.cache
def kiwi() -> Any:
    try:
        from kiwipiepy import Kiwi
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise TokeniserMissing("the morpheme method needs kiwipiepy and kiwipiepy_model for Korean") from error
    import warnings

    with warnings.catch_warnings():  # kiwipiepy warns that num_workers=0 changed meaning: it means one thread
        warnings.simplefilter("ignore", DeprecationWarning)
        return Kiwi(num_workers=0)


@functools.cache
def jieba_tokeniser() -> Any:
    try:
        import jieba
        import jieba.posseg
    except ImportError as error:  # pragma: no cover
        raise TokeniserMissing("the morpheme method needs jieba for Chinese") from error
    jieba.setLogLevel(logging.WARNING)
    # jieba caches its dictionary in the temporary folder on first load; keep it in a folder of ours.
    folder = os.path.join(tempfile.gettempdir(), "redzone-jieba")
    os.makedirs(folder, exist_ok=True)
    jieba.dt.tmp_dir = folder
    return jieba.posseg.POSTokenizer(jieba.dt)


def korean_tokens(text: str) -> list[tuple[str, str, int, int]]:
    """(form, tag, start, end) for each morpheme."""
    return [(t.form, t.tag, t.start, t.start + t.len) for t in kiwi().tokenize(text)]


def chinese_tokens(text: str) -> list[tuple[str, str, int, int]]:
    """(word, flag, start, end) for each word."""
    tokens, position = [], 0
    for pair in jieba_tokeniser().cut(text, HMM=True):
        start = text.find(pair.word, position)
        if start < 0:
            continue
        position = start + len(pair.word)
        tokens.append((pair.word, pair.flag, start, position))
    return tokens


def _is_place(name: str) -> bool:
    return bool(gazetteer().places_for(name))


def _name_candidates(text: str, lang: str) -> list[tuple[int, int]]:
    names = surnames()
    if lang == "ko":
        initials = set(names["hangul"])
        return [(start, end) for form, tag, start, end in korean_tokens(text)
                if tag == "NNP" and len(form) == 3 and form[0] in initials and not form.endswith(_KO_NOT_NAME_ENDINGS)
                and not _is_place(form)]
    initials = set(names["han"])
    return [(start, end) for word, flag, start, end in chinese_tokens(text)
            if flag == "nr" and 2 <= len(word) <= 3 and word[0] in initials and not word.endswith(_ZH_NOT_NAME_ENDINGS)
            and not _is_place(word)]


def extract_morph(text: str, lang: str) -> list[Fact]:
    """The rule method's facts plus the persons the tokeniser finds."""
    facts = extract_rules(text, lang)
    if lang == "en":
        return facts
    taken = [(f.start, f.end) for f in facts if f.type in ("person", "place", "perpetrator")]
    for start, end in _name_candidates(text, lang):
        if not any(a < end and start < b for a, b in taken):
            facts.append(make("person", text, start, end, 0.6, sensitive=True))
            taken.append((start, end))
    return sorted(facts, key=lambda f: (f.start, f.end, f.type))
