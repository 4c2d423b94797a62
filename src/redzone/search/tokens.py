"""Search terms: how text in Korean, Chinese and English becomes the tokens that are indexed and
the tokens a query must match.

Korean and Chinese are written without spaces between words (Chinese) or with particles glued to
nouns (Korean: 무산에서 = 무산 + 에서), so a word index misses what investigators type. Runs of
Hangul, Han and kana are therefore indexed as overlapping character bigrams plus single
characters: any substring of two or more characters of a document is found by the bigrams it
contains, and a one-character query (卖, 돈) by its unigram. Latin-script text is indexed by
words, case- and diacritic-folded (Ŏnsŏng = onsong). A query matches a record when every one of
its terms occurs (AND); phrase order is not checked, ranking puts the closer matches first.

On the query side only, a Korean word loses its trailing particles, endings and light verbs
as the morphological analyser (kiwipiepy) finds them, one at a time while at least two characters
are left (보위부에게 → 보위부, 끌려갔다 → 끌려, 강간당했다 → 강간), so the query matches the word
whatever the document glued to it. The analyser is optional: without it the query is used as
typed. Analysing the documents too (kiwipiepy, jieba) was measured and not chosen: see
docs/search.md.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable

_CJK = "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff"
_TOKEN = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>[^\W_{_CJK}]+)")
_HANGUL = re.compile("[\uac00-\ud7a3]")
# Korean morpheme tags that end a word without carrying its meaning: particles (J*), endings (E*),
# suffixes (XS*) and the copula (VCP).
_TRAILING_TAGS = ("J", "E", "XS", "VCP")
# Verbs that turn a noun into a predicate (강간당하다 "to be raped", 구금되다 "to be detained").
_LIGHT_VERBS = {"하", "당하", "되", "시키", "받"}


def _strip_diacritics(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in text if not unicodedata.combining(ch)))


def normalise(text: str) -> str:
    """Compatibility-fold (full-width forms), case-fold and strip diacritics; Hangul stays composed."""
    return _strip_diacritics(unicodedata.normalize("NFKC", text).casefold())


def _run_terms(run: str, *, unigrams: bool) -> list[str]:
    if len(run) == 1:
        return [run]
    terms = [a + b for a, b in zip(run, run[1:])]
    return terms + list(run) if unigrams else terms


def document_terms(texts: Iterable[str]) -> list[str]:
    """The distinct terms of a document, in order of first appearance."""
    seen: dict[str, None] = {}
    for text in texts:
        # Case-fold the whole text, but strip diacritics word by word and only where there are
        # any: decomposing every Hangul syllable to strip nothing took half the indexing time.
        for match in _TOKEN.finditer(unicodedata.normalize("NFKC", text or "").casefold()):
            if match.lastgroup == "cjk":
                seen.update(dict.fromkeys(_run_terms(match.group(), unigrams=True)))
            else:
                word = match.group()
                seen[word if word.isascii() else _strip_diacritics(word)] = None
    return list(seen)


@functools.lru_cache(maxsize=1)
def _analyser():  # noqa: ANN202
    try:
        from kiwipiepy import Kiwi
    except ImportError:  # the analyser is an improvement, not a requirement
        return None
    return Kiwi()


def strip_korean_endings(word: str) -> str:
    """The word without trailing particles and endings (and a light verb after a noun: 강간당했다 →
    강간), cut one morpheme at a time from the end while at least two characters remain."""
    if not _HANGUL.search(word) or len(word) < 3:
        return word
    analyser = _analyser()
    if analyser is None:
        return word
    morphemes = analyser.tokenize(word)
    cut = len(word)
    for index in range(len(morphemes) - 1, 0, -1):
        morpheme, before = morphemes[index], morphemes[index - 1]
        trailing = morpheme.tag.startswith(_TRAILING_TAGS) or (
            morpheme.form in _LIGHT_VERBS and morpheme.tag.startswith(("VV", "XSV")) and before.tag.startswith("NN"))
        if not trailing or morpheme.start < 2:
            break
        cut = min(cut, morpheme.start)
    return word[:cut]


def place_term(place_id: str) -> str:
    """The one term that stands for a gazetteer place in the index, whatever language names it.

    Records are indexed with the terms of their places (and the places around them) instead of
    every name and variant spelling of each, which would multiply the index size by ten; a query
    word that names a place (`Vocabulary.find_places`: 연길, 延吉, Yanji, Yonbyon…) matches them.
    Letters only, so every backend's tokenizer keeps it whole.
    """
    number = int.from_bytes(hashlib.sha256(place_id.encode()).digest()[:8], "big")
    letters = []
    for _ in range(10):
        number, remainder = divmod(number, 26)
        letters.append(chr(97 + remainder))
    return "zplace" + "".join(letters)


def _word_terms(word: str) -> list[str]:
    terms: dict[str, None] = {}
    for match in _TOKEN.finditer(word):
        if match.lastgroup == "cjk":
            terms.update(dict.fromkeys(_run_terms(match.group(), unigrams=False)))
        else:
            terms[match.group()] = None
    return list(terms)


Group = list[list[str]]  # alternatives; a record matches a group when it holds every term of one alternative


def query_groups(query: str, *, analyse: bool = True, places: bool = True) -> list[Group]:
    """What a record must contain to match `query`: every group, each through one of its alternatives.

    A word gives one group: its own terms, or (if it names gazetteer places) any of those places.
    """
    groups: list[Group] = []
    for word in normalise(query).split():
        if analyse:
            word = strip_korean_endings(word)
        terms = _word_terms(word)
        if not terms:
            continue
        alternatives = [terms]
        if places:
            alternatives += [[place_term(place.id)] for place in _find_places(word)]
        if alternatives not in groups:
            groups.append(alternatives)
    return groups


def _find_places(word: str) -> list:  # noqa: ANN401
    from redzone.vocab import load_vocabulary

    return load_vocabulary().find_places(word) if len(word) >= 2 else []


def query_terms(query: str, *, analyse: bool = True) -> list[str]:
    """Every word term of `query`, without place alternatives (used to place snippets)."""
    return [term for group in query_groups(query, analyse=analyse, places=False) for term in group[0]]


def first_match(text: str, query: str) -> int | None:
    """Where in `text` the query (or its first term) first appears, for a snippet; None if nowhere."""
    folded = normalise(text)
    if len(folded) != len(text):  # folding changed lengths (rare ligatures): positions would drift
        folded = text.casefold()
    words = [strip_korean_endings(w) for w in normalise(query).split()]
    candidates = [w for w in words if w] + query_terms(query)
    for candidate in candidates:
        position = folded.find(candidate)
        if position >= 0:
            return position
    return None
