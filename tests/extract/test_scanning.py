"""Running trigger patterns only near their needles gives the matches a scan of the whole text gives:
for every lexicon, on every corpus text and on texts built to reach past the stretches (long runs of
spaces and letters, look-aheads that read far, needles at the edges)."""

import re
from pathlib import Path

import pytest

from redzone.extract import load_corpus
from redzone.extract.lexicon import fold, load_lexicon, needles
from redzone.extract.scanning import NeedleIndex, bounds

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def _whole(index: NeedleIndex, text: str) -> list[tuple[int, int, int]]:
    return [(number, *match.span()) for number, pattern in enumerate(index.patterns) for match in pattern.finditer(text)]


def _scanned(index: NeedleIndex, text: str) -> list[tuple[int, int, int]]:
    return [(number, *match.span()) for number, match in index.scan(text)]


@pytest.mark.parametrize("language", ["en", "ko", "zh"])
def test_every_trigger_matches_as_in_a_whole_scan(language):
    lexicon = load_lexicon(language)
    texts = [fold(d.text) for d in load_corpus(CORPUS) if d.language == language]
    for triggers in (lexicon.violations, lexicon.roles):
        index = NeedleIndex((t.pattern, t.needles) for t in triggers)
        for text in texts:
            assert _scanned(index, text) == _whole(index, text)
            # the same text with its spaces doubled and its words run together: longer runs, other stretches
            for variant in (text.replace(" ", "  "), text.replace(" ", ""), text[len(text) // 3:]):
                assert _scanned(index, variant) == _whole(index, variant)


def _index(*sources: str) -> NeedleIndex:
    compiled = [re.compile(source) for source in sources]
    return NeedleIndex((pattern, needles(pattern.pattern)) for pattern in compiled)


@pytest.mark.parametrize("text", [
    "they sold her" + " " * 40 + "to a farmer",   # a run of spaces longer than the stretch would be without it
    "sold" + "x" * 60 + " to a farmer",             # a word longer than any default bound
    "was sold to" + "\n" * 30 + "tofu",              # a look-ahead that reads past a long run
    "sold to a farmer" * 3 + "sold",                 # needles at the very end, overlapping stretches
    "ſold to a farmer, sold to a broker",            # a letter that is no needle
])
def test_long_runs_and_far_lookaheads(text):
    index = _index(r"sold\s+to(?!\s+tofu)", r"\bsold\w*\s+(?:to|for)\b", r"(?:was|were)\s+\w+(?=\s*to\b)",
                   r"(?<!was )sold", r"farmer(?=[^.]*$)")
    assert _scanned(index, text) == _whole(index, text)
    assert _scanned(index, text)


def test_bounds_follow_the_pattern():
    assert bounds(re.compile(r"ab(?:c|de)")).width.value(lambda name: 0) == 4
    spaced = bounds(re.compile(r"sold\s+to(?=\s*now)"))
    assert spaced.width.runs == ((r"[\s]", 1),) and spaced.width.fixed == 6 and spaced.after.fixed == 3
    assert bounds(re.compile(r"(?:ab)+")) is None  # a repeated group has no bound told by one class
    assert bounds(re.compile(r"sold", re.IGNORECASE)).caseless  # its needles are literals of the lower-cased text only


def _grammar_patterns(language):
    from redzone.extract import ages, dates, money, numbers, quantities, shares

    lexicon = load_lexicon(language)
    return [*ages._RULES[language], *quantities._patterns(lexicon).values(), *(p for _, p in shares._patterns(lexicon)),
            *(p for _, p in dates._RULES[language]), *money._compiled(lexicon), numbers.ANCHORS[language],
            shares._ANCHORS[language], dates._ANCHOR]


@pytest.mark.parametrize("language", ["en", "ko", "zh"])
def test_grammars_narrowed_and_guarded_match_as_before(language):
    from redzone.extract import numbers
    from redzone.extract.facts import windows
    from redzone.extract.narrowing import narrowed
    from redzone.extract.scanning import guarded

    corpus = [d.text for d in load_corpus(CORPUS) if d.language == language]
    joined = "\n\n".join(corpus)
    texts = [*corpus[:20], joined, joined.upper(), joined.replace(" ", "   ")]  # and case to ignore, long runs
    for pattern in _grammar_patterns(language):
        for text in texts:
            assert [m.span() for m in guarded(pattern).finditer(text)] == [m.span() for m in pattern.finditer(text)]
            spans = windows(text, numbers.ANCHORS[language], 32, 24)
            assert [(m.span(), m.groupdict()) for m in narrowed(pattern).finditer(text, spans)] \
                == [(m.span(), m.groupdict()) for start, end in spans for m in pattern.finditer(text, start, end)]


def test_the_guard_is_a_look_ahead_for_first_characters():
    from redzone.extract.scanning import guarded

    assert guarded(re.compile(r"\bsold\b")).pattern.startswith("(?=")
    assert guarded(re.compile(r"(?i)\b(?:half|twice)")).search("TWICE").span() == (0, 5)
    assert guarded(re.compile(r"(?i)\bsold")).search("ſold")  # re takes ſ for s when ignoring case: so does the guard
    literal = re.compile(r"sold")  # re skips ahead by itself when a pattern starts with a literal
    assert guarded(literal) is literal
    optional = re.compile(r"(?:a)?")  # a pattern that can match nothing is left alone
    assert guarded(optional) is optional


def test_needles_are_the_rarest_literals():
    # a class of a few characters is a needle set ((?:带|领) is parsed as one), chosen over the pronouns
    assert needles(r"(?:带|领)(?:着)?(?:我|她|我们|她们)(?:去|到)") == {"带", "领"}
    # a particle and a space are in every Korean sentence: the verb narrows more, though shorter
    assert needles(r"집에서 (?:맞았|구타)") == {"맞았", "구타"}
    assert needles(r"卖(?:给|到)") == {"卖"}
    assert needles(r"[一二三四五六七八九]成") == {"成"}  # a class of many characters is no needle


def test_the_guard_passes_over_an_optional_start():
    from redzone.extract.scanning import guarded

    pattern = re.compile(r"(?:(?P<q>about|up to)\s+)?(?<![\w.])(?P<n>\d+) women", re.IGNORECASE)
    assert guarded(pattern).pattern.startswith("(?=")
    text = "About 30 women, UP TO 5 women; 7 women and x8 women, .9 women"
    assert [m.span() for m in guarded(pattern).finditer(text)] == [m.span() for m in pattern.finditer(text)]
    assert len(list(pattern.finditer(text))) == 3
    for optional in (r"(?:a)?b?", r"x?(?:y|)"):  # may match nothing: left alone
        assert guarded(re.compile(optional)).pattern == optional


@pytest.mark.parametrize("language", ["en", "ko", "zh"])
def test_cheap_run_bounds_agree_with_a_scan_for_long_runs(language):
    """A class's longest run told from a cheaper bound (words, stretches between spaces, numerals, clauses)
    is what a scan for runs of 16 or more gives: on corpus texts and on texts built with long runs."""
    from redzone.extract.scanning import _LONG_RUN, _longest_run

    classes = [r"[\d,]", r"[\d]", r"[\d,.]", r"[\w]", r"[\w\-]", r"[\s]", r"[^ .]", r"[가-힣]", "[一二三四五六七八九十]",
               r"[\d(?:一二两三四五六七八九十百千万)]", r"[^，。]", "(?i:[a-z])", r"[\w,$¥€]"]
    corpus = [d.text for d in load_corpus(CORPUS) if d.language == language][:30]
    built = ["1" * 20 + " word", "一二三四五六七八九十" * 2 + "人", "x" * 17 + " " + "가" * 18, " " * 20 + "\n" * 3,
             "12,345,678,901,234,567 people", "(一二三)" * 4, "abc-def-ghi-jkl-mno", "ſ" * 20, "的" * 30]
    for text in corpus + built + [t + "\n" + c[:200] for t in built for c in corpus[:2]]:
        memo = {"text": text, "runs": {}}
        for name in classes:
            scanned = max((len(m.group()) for m in re.finditer(f"(?:{name})+", text) if len(m.group()) >= _LONG_RUN),
                          default=_LONG_RUN - 1)
            assert _longest_run(memo, name, re.compile(f"(?:{name}){{{_LONG_RUN},}}")) == scanned, (name, text[:40])


@pytest.mark.parametrize("language", ["en", "ko", "zh"])
def test_needle_finders_find_the_longest_needle_at_every_place(language):
    from redzone.extract.scanning import _needle_finders

    lexicon = load_lexicon(language)
    words = sorted({needle for trigger in lexicon.violations for needle in trigger.needles} | {"\nx", "a\nb"})
    finders = _needle_finders(words)
    assert len(finders) > 1  # the needles are dealt out to several finders
    texts = [fold(d.text) for d in load_corpus(CORPUS) if d.language == language][:15] + ["\nx a\nb \n\nx"]
    for text in texts:
        found = sorted((m.start(), m.group(1)) for finder in finders for m in finder.finditer(text))
        expected = []
        for place in range(len(text)):
            starting = [word for word in words if text.startswith(word, place)]
            if starting:
                expected.append((place, max(starting, key=len)))
        assert found == expected


def test_a_trie_of_place_names_matches_as_their_alternation_longest_first():
    from redzone.extract.places import gazetteer

    names = [name for name in gazetteer()._names if re.search("[가-힣一-鿿]", name)]
    alternation = re.compile("|".join(re.escape(name) for name in sorted(names, key=len, reverse=True)))
    texts = [d.text for d in load_corpus(CORPUS) if d.language in ("ko", "zh")] + ["北朝鲜北京", "함경북도함경남도"]
    for text in texts:
        assert [m.span() for m in gazetteer()._cjk.finditer(text)] == [m.span() for m in alternation.finditer(text)]


@pytest.mark.parametrize("language", ["en", "ko", "zh"])
def test_windows_are_the_merged_stretches_around_anchors(language):
    from redzone.extract import numbers
    from redzone.extract.facts import windows

    def reference(text, anchor, before, after):
        merged = []
        for match in anchor.finditer(text):
            start, end = max(0, match.start() - before), match.end() + after
            if merged and start <= merged[-1][1] + 16:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        spans = []
        for start, end in merged:
            end = min(len(text), end)
            space = re.compile(r"\s").search(text, end, min(len(text), end + 16))
            spans.append((start, space.start() if space else min(len(text), end + 16)))
        return spans

    texts = [d.text for d in load_corpus(CORPUS) if d.language == language][:40] + ["1 2", "", "x" * 50 + "3", "5" + "x" * 90]
    for text in texts:
        for before, after in ((32, 24), (40, 16), (0, 0)):
            assert windows(text, numbers.ANCHORS[language], before, after) == reference(text, numbers.ANCHORS[language], before, after)


@pytest.mark.parametrize("language", ["en", "ko", "zh"])
def test_a_run_of_numerals_gives_the_windows_its_characters_give(language):
    from redzone.extract import numbers
    from redzone.extract.facts import windows

    one_by_one = {"en": re.compile(numbers.ANCHORS["en"].pattern.replace(r"(?:\d+|", r"(?:\d|")),
                  "ko": re.compile(numbers.ANCHORS["ko"].pattern.replace(r"\d+|", r"\d|", 1)),
                  "zh": re.compile(rf"\d|[{numbers.ZH_CHARS}]")}[language]
    assert one_by_one.pattern != numbers.ANCHORS[language].pattern
    texts = [d.text for d in load_corpus(CORPUS) if d.language == language] + ["二〇一九年" + "的" * 80 + "三十五万 2019 1 22"]
    for text in texts:
        for before, after in ((32, 24), (32, 32), (0, 0)):
            assert windows(text, numbers.ANCHORS[language], before, after) == windows(text, one_by_one, before, after)


def test_latin_place_names_grouped_by_first_letter_match_as_their_alternation():
    from redzone.extract.places import _HAN, _HANGUL, _by_first_letter, gazetteer

    gazetteer_ = gazetteer()
    latin = [name for name in gazetteer_._names if not (_HANGUL.search(name) or _HAN.search(name))]
    alternatives = [gazetteer_._latin_regex(name) for name in sorted(latin, key=len, reverse=True)]
    plain = re.compile(r"(?<!\w)(?=\w)(?:" + "|".join(alternatives) + ")")
    assert _by_first_letter(alternatives) != "|".join(alternatives)
    texts = [fold(d.text) for d in load_corpus(CORPUS)] + ["sinuiju and sinuiju's, north hamgyong province, hamgyong"]
    for text in texts:
        assert [m.span() for m in gazetteer_._latin.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert _by_first_letter(["ab", "['’]c"]) == "ab|['’]c"  # a name not led by a letter: left as it was


@pytest.mark.parametrize("language", ["ko", "zh"])
def test_a_pattern_after_a_look_behind_for_literals_matches_as_over_the_whole_spans(language):
    from redzone.extract import numbers
    from redzone.extract.ages import find_ages
    from redzone.extract.facts import windows
    from redzone.extract.narrowing import _NARROWED

    texts = [d.text for d in load_corpus(CORPUS) if d.language == language]
    find_ages(texts[0], language)  # the age grammars' patterns, narrowed
    script = (0xAC00, 0xD7A3) if language == "ko" else (0x4E00, 0x9FFF)
    behind = [n for n in _NARROWED.values() if n._behind
              and all(script[0] <= ord(char) <= script[1] for char in "".join(n._behind).replace(" ", ""))]
    assert len(behind) >= 2
    found = 0
    for text in texts:
        spans = windows(text, numbers.ANCHORS[language], 32, 24)
        for narrowed in behind:
            expected = [m.span() for start, end in spans for m in narrowed.pattern.finditer(text, start, end)]
            assert [m.span() for m in narrowed.finditer(text, spans)] == expected
            found += len(expected)
    assert found > 0


def test_matches_after_a_look_behind_do_not_overlap_and_stay_in_their_span():
    from redzone.extract.narrowing import Narrowed, _literals_behind

    pattern = re.compile(r"(?:(?<=ab)|(?<=b[cd]))[bcdx]+")
    assert _literals_behind(pattern) == ("ab", "bc", "bd")
    text = "abxbcxxabbdbx abcd xbdxx" * 3
    for spans in ([(0, len(text))], [(0, 5), (5, 12), (14, 30)], [(2, 3), (40, len(text))]):
        expected = [m.span() for start, end in spans for m in pattern.finditer(text, start, end)]
        assert [m.span() for m in Narrowed(pattern).finditer(text, spans)] == expected
    # not for a look-behind that does not lead, one ignoring case, or one reading a class
    for source, flags in ((r"x(?<=ax)y", 0), (r"(?<=ab)x", re.I), (r"(?<=\w)x", 0)):
        assert _literals_behind(re.compile(source, flags)) is None


def test_chinese_date_patterns_tried_where_a_year_starts_match_as_over_the_whole_windows():
    from redzone.extract import dates
    from redzone.extract.facts import windows
    from redzone.extract.narrowing import tried_at

    assert len(dates._ZH_YEAR_FIRST) == 6  # every pattern of the list that starts with the year
    built = ["〇〇〇〇〇年三月", "一九九九二〇〇〇年春天", "12019年5月", "二〇一九年至二〇二一年", "1999年-2003年底", "x2001年初"]
    texts = [d.text for d in load_corpus(CORPUS) if d.language == "zh"] + built
    found = 0
    for text in texts:
        spans = windows(text, dates._ANCHOR, 40, 24)
        years = [m.start() for start, end in spans for m in dates._ZH_YEAR_STARTS.finditer(text, start, end)]
        for pattern in dates._ZH_YEAR_FIRST:
            expected = [m.span() for start, end in spans for m in pattern.finditer(text, start, end)]
            assert [m.span() for m in tried_at(pattern, text, spans, years)] == expected, text[:30]
            found += len(expected)
    assert found > 0


def test_a_chinese_text_skipped_for_about_and_odd_counts_has_no_match_of_them():
    from redzone.extract import quantities
    from redzone.extract.lexicon import load_lexicon

    patterns = quantities._patterns(load_lexicon("zh"))
    units = ["名", "人", "起", "件", "户", "个", "%", "省", "姐妹", "兄弟", "母女", "国", "地"]
    built = [f"有十来{unit}，" for unit in units] + [f"约二十几{unit}。" for unit in units]
    texts = [d.text for d in load_corpus(CORPUS) if d.language == "zh"] + built
    matched = 0
    for text in texts:
        for name, needed in quantities._ZH_NEEDED.items():
            if patterns[name].search(text):
                matched += 1
                assert needed.search(text), (name, text[:30])
    assert matched >= 2 * len(units)
