"""Name comparisons: spellings of one Korean name reach the strongest name levels, different names
do not — checked by running the model's own SQL levels in DuckDB on hand-made pairs."""

import duckdb
import pytest

from redzone.link.features import RecordFacts, comparison_frame, name_columns
from redzone.link.model import comparisons


def _levels(first: tuple, second: tuple) -> dict[str, str]:
    """The label of the level each comparison reaches for two records (names as written, other fields)."""
    frame = comparison_frame([RecordFacts(n, "org", names, "female", *rest)
                              for n, (names, rest) in enumerate((first, second), start=1)])
    connection = duckdb.connect()
    connection.register("records", frame)
    reached = {}
    for comparison in comparisons("duckdb"):
        cases = " ".join(f"WHEN {level.sql} THEN {n}" for n, level in enumerate(comparison.levels) if level.sql != "ELSE")
        (index,) = connection.execute(f"SELECT CASE {cases} ELSE {len(comparison.levels) - 1} END "
                                      "FROM records l, records r WHERE l.unique_id = 1 AND r.unique_id = 2").fetchone()
        reached[comparison.name] = comparison.levels[index].label
    return reached


SAME_YEAR = (1990, 1990, "kp.ryanggang.hyesan", 2010)


@pytest.mark.parametrize("first, second", [
    ("Kim Mi-ok", "Gim Miok"), ("김미옥", "Kim Mi Ok"), ("Lee Eun-hee", "Ri Un-hui"), ("Rhee Eunhee", "이은희"),
    ("Park Sun-hui", "Pak Sun Hui"), ("박순희", "Bak Sunhui"), ("Choi Young-hee", "Choe Yong-hui"),
    ("Jung Hye-jin", "Chung Hyejin"), ("Jeong Hye Jin", "정혜진"), ("Mi-ok Kim", "KIM Miok"), ("리영희", "Lee Young-hee"),
])
def test_spellings_of_one_name_agree_after_folding(first, second):
    levels = _levels(((first, None), SAME_YEAR), ((second, None), SAME_YEAR))
    assert levels["surname"] == "surname: same after folding variants"
    assert levels["given_name"] == "given name: same after folding"


def test_a_romanised_and_a_hangul_name_on_one_record_both_count():
    surname, surname_alt, given, given_alt = name_columns("Ri Ryon-hui", "이련희")
    assert (surname, given) == ("lee", "yonhi") and surname_alt is None and given_alt is None
    levels = _levels((("Lee Yeonhee", "이연희"), SAME_YEAR), (("Ri Ryon Hui", None), SAME_YEAR))
    assert levels["given_name"] == "given name: same after folding"


def test_what_folding_misses_lands_on_an_edit_distance_or_phonetic_level():
    levels = _levels((("Kim Myung-hee", None), SAME_YEAR), (("Kim Myung-hiu", None), SAME_YEAR))
    assert levels["given_name"] == "given name: one letter apart (edit distance 1)"
    # Two letters apart, same consonants: only the phonetic level catches it.
    levels = _levels((("Kim Hye-jin", None), SAME_YEAR), (("Kim Hi-jun", None), SAME_YEAR))
    assert levels["given_name"] == "given name: same consonant skeleton (phonetic)"
    levels = _levels((("Kim Myung-hwa", None), SAME_YEAR), (("Kim Myung-sil", None), SAME_YEAR))
    assert levels["given_name"].startswith("given name: Jaro-Winkler")


def test_different_names_and_fields_disagree():
    levels = _levels((("Kim Mi-ok", None), (1990, 1990, "kp.ryanggang.hyesan", 2010)),
                     (("Park Sun-hui", None), (1970, 1970, "kp.north_hamgyong.musan", 2001)))
    assert levels == {"surname": "surname: different", "given_name": "given name: different",
                      "birth_year": "birth year: more than 2 years apart", "origin": "origin: different province",
                      "crossing_year": "crossing: more than 1 year apart", "sex": "sex: same"}


def test_near_fields_and_unknowns_reach_their_own_levels():
    levels = _levels((("Kim Mi-ok", None), (1990, 1990, "kp.ryanggang", None)),
                     (("Kim Mi-ok", None), (1989, 1991, "kp.ryanggang.hyesan", 2010)))
    assert levels["birth_year"] == "birth year: within 1 year"
    assert levels["origin"] == "origin: same province, one side names only the province"
    assert levels["crossing_year"] == "crossing: unknown on one side"


def test_no_name_means_the_name_comparisons_carry_no_weight():
    levels = _levels(((None, None), SAME_YEAR), (("Kim Mi-ok", None), SAME_YEAR))
    assert levels["surname"] == "surname: unknown on one side"
    assert levels["given_name"] == "given name: unknown on one side"


def test_the_wide_name_rule_is_used_only_within_the_pair_budget():
    from redzone.link import LinkSettings
    from redzone.link.engine import blocking_rules
    from redzone.link.model import BLOCKING_RULES, PERSONS

    # 40 records with one name: 780 pairs on "same surname and given name" alone.
    frame = comparison_frame([RecordFacts(n, "org", ("Kim Mi-ok", None), "female", 1950 + n, 1950 + n, None, None)
                              for n in range(1, 41)])
    rules, notes = blocking_rules(frame, PERSONS, LinkSettings().wide_pair_budget)
    assert rules[:len(BLOCKING_RULES)] == BLOCKING_RULES and len(rules) == len(BLOCKING_RULES) + 1 and not notes
    rules, notes = blocking_rules(frame, PERSONS, 779)
    assert rules == BLOCKING_RULES and "780 pairs" in notes[0] and "_" not in notes[0]
