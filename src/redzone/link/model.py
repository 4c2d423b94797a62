"""The Fellegi–Sunter model Redzone links persons with: its comparisons (with the labels analysts
read in the waterfall), the blocking rules that choose which pairs are compared, and the rules EM
training uses — one definition, rendered for whichever SQL dialect the backend speaks.

Each comparison's levels run from the strongest agreement to "all other"; a null level (one side
unknown) carries no weight. Labels describe the kind of agreement only — never a value — so they are
safe to show to an analyst who may not see names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from splink import SettingsCreator
from splink.internals.dialects import SplinkDialect


@dataclass(frozen=True)
class Level:
    sql: str
    label: str
    null: bool = False
    tf_column: str | None = None
    # A known m probability, kept fixed through training: for a level whose share among matches is known
    # from what the field means, so that EM cannot settle on a latent class that is not "the same".
    m: float | None = None


@dataclass(frozen=True)
class Comparison:
    name: str
    description: str
    levels: tuple[Level, ...]

    def labels(self) -> dict[int, str]:
        """Gamma value (Splink's level index: -1 null, then highest = strongest) → label."""
        ranked = [level for level in self.levels if not level.null]
        return {-1: self.levels[0].label, **{len(ranked) - 1 - n: level.label for n, level in enumerate(ranked)}}


def _either_null(*columns: str) -> str:
    return " OR ".join(f"l.{c} IS NULL OR r.{c} IS NULL" for c in columns)


def _cross(column: str) -> str:
    """Agreement between the primary and the alternative written forms, either way round."""
    alt = f"{column}_alt"
    return f"(l.{column} = r.{alt} OR l.{alt} = r.{column} OR l.{alt} = r.{alt})"


def _within(years: int) -> str:
    return (f"l.birth_year_min <= r.birth_year_max + {years} AND r.birth_year_min <= l.birth_year_max + {years}")


def comparisons(dialect: str) -> tuple[Comparison, ...]:
    """The comparisons, with string similarity written in `dialect`'s function name."""
    functions = SplinkDialect.from_string(dialect)
    jw, dl = functions.jaro_winkler_function_name, functions.damerau_levenshtein_function_name
    return (
        Comparison("surname", "Surname key (variants such as Kim/Gim/김 or Lee/Yi/Rhee/Ri/리 folded to one key)", (
            Level(_either_null("surname_key"), "surname: unknown on one side", null=True),
            Level("l.surname_key = r.surname_key", "surname: same after folding variants", tf_column="surname_key"),
            Level(_cross("surname_key"), "surname: same in another written form of the name"),
            Level(f"{jw}(l.surname_key, r.surname_key) >= 0.88", "surname: Jaro-Winkler ≥ 0.88 on the keys"),
            Level("ELSE", "surname: different"),
        )),
        Comparison("given_name", "Given-name key (romanisations, hyphens, spaces and Hangul folded)", (
            Level(_either_null("given_key"), "given name: unknown on one side", null=True),
            Level("l.given_key = r.given_key", "given name: same after folding", tf_column="given_key"),
            Level(_cross("given_key"), "given name: same in another written form of the name"),
            Level(f"{dl}(l.given_key, r.given_key) <= 1", "given name: one letter apart (edit distance 1)"),
            Level("l.given_phonetic = r.given_phonetic", "given name: same consonant skeleton (phonetic)"),
            Level(f"{jw}(l.given_key, r.given_key) >= 0.8", "given name: Jaro-Winkler ≥ 0.80 on the keys"),
            Level("ELSE", "given name: different"),
        )),
        Comparison("birth_year", "Birth year or range", (
            Level(_either_null("birth_year_min"), "birth year: unknown on one side", null=True),
            Level("l.birth_year_min = r.birth_year_min AND l.birth_year_max = r.birth_year_max",
                  "birth year: same year or range"),
            Level(_within(1), "birth year: within 1 year"),
            Level(_within(2), "birth year: within 2 years"),
            Level("ELSE", "birth year: more than 2 years apart"),
        )),
        Comparison("origin", "Place of origin, through the gazetteer", (
            Level(_either_null("origin_place"), "origin: unknown on one side", null=True),
            Level("l.origin_place = r.origin_place", "origin: same place"),
            Level("l.origin_area = r.origin_area", "origin: same county or city"),
            Level("(l.origin_area IS NULL OR r.origin_area IS NULL) AND l.origin_province = r.origin_province",
                  "origin: same province, one side names only the province"),
            Level("l.origin_province = r.origin_province", "origin: different places in the same province"),
            Level("ELSE", "origin: different province"),
        )),
        Comparison("crossing_year", "Year of crossing into China", (
            Level(_either_null("crossing_year"), "crossing: unknown on one side", null=True),
            Level("l.crossing_year = r.crossing_year", "crossing: same year"),
            Level("abs(l.crossing_year - r.crossing_year) <= 1", "crossing: within 1 year"),
            Level("ELSE", "crossing: more than 1 year apart"),
        )),
        Comparison("sex", "Sex", (
            Level(_either_null("sex"), "sex: unknown on one side", null=True),
            Level("l.sex = r.sex", "sex: same"),
            Level("ELSE", "sex: different"),
        )),
    )


# Which pairs are compared at all: a pair is scored if any rule admits it. Each rule joins on
# equal keys (cheap, hash-joinable) and pairs the names with a second field, so the pair count stays
# near-linear in the number of records even though a few surnames (Kim, Lee, Park) cover half of them.
BLOCKING_RULES = (
    "l.given_key = r.given_key AND l.birth_year_min = r.birth_year_min",
    "l.surname_key = r.surname_key AND l.given_key = r.given_key AND l.origin_province = r.origin_province",
    "l.surname_key = r.surname_key AND l.given_key = r.given_key AND l.crossing_year = r.crossing_year",
    "l.surname_key = r.surname_key AND l.given_phonetic = r.given_phonetic AND l.birth_year_min = r.birth_year_min",
    "l.surname_key = r.surname_key AND l.given_phonetic = r.given_phonetic AND l.crossing_year = r.crossing_year",
    "l.surname_key = r.surname_key AND l.birth_year_min = r.birth_year_min AND l.origin_area = r.origin_area",
    "l.given_key_alt = r.given_key",
    "l.given_key = r.given_key_alt",
)
# Wider rules (columns that must be equal) added only while the pairs they admit stay within the
# run's budget (`LinkSettings.wide_pair_budget`): on a few thousand records "same surname and given
# name" is cheap and catches records that agree on nothing else; on a million it would admit over a
# hundred million pairs, nearly all of them different women who share a common name.
WIDE_RULES: tuple[tuple[str, ...], ...] = (("surname_key", "given_key"),)
# EM trains the comparisons a rule does not fix: names block → the other fields, and back.
TRAINING_RULES = (
    "l.surname_key = r.surname_key AND l.given_key = r.given_key",
    "l.birth_year_min = r.birth_year_min AND l.origin_place = r.origin_place AND l.crossing_year = r.crossing_year",
)
# Pairs these admit are almost surely matches; their count, divided by the assumed recall,
# estimates the prior probability that two records match.
DETERMINISTIC_RULES = (
    "l.surname_key = r.surname_key AND l.given_key = r.given_key AND l.birth_year_min = r.birth_year_min",
)
DETERMINISTIC_RECALL = 0.6


_SIDE = re.compile(r"\b([lr])\.([a-z_][a-z0-9_]*)")


def _comparison_sql(sql: str) -> str:
    """Blocking-rule notation (l.x, r.x) → comparison notation (x_l, x_r)."""
    return _SIDE.sub(lambda m: f"{m.group(2)}_{m.group(1)}", sql)


def comparison_dict(comparison: Comparison) -> dict:
    levels = []
    for level in comparison.levels:
        entry: dict = {"sql_condition": _comparison_sql(level.sql), "label_for_charts": level.label}
        if level.null:
            entry["is_null_level"] = True
        if level.tf_column:
            entry["tf_adjustment_column"] = level.tf_column
            entry["tf_adjustment_weight"] = 1.0
        if level.m is not None:
            entry["m_probability"], entry["fix_m_probability"] = level.m, True
        levels.append(entry)
    return {"output_column_name": comparison.name, "comparison_description": comparison.description,
            "comparison_levels": levels}


@dataclass(frozen=True)
class ModelSpec:
    """Everything that makes one Fellegi–Sunter model: its comparisons (per SQL dialect), the blocking
    rules that choose the pairs scored, the rules EM trains on, and the near-certain rules (with their
    assumed recall) that estimate the prior. Persons and incidents each have one; the engine, the
    backends and the evaluation are shared."""

    name: str
    comparisons: Callable[[str], tuple[Comparison, ...]]
    blocking_rules: tuple[str, ...]
    training_rules: tuple[str, ...]
    deterministic_rules: tuple[str, ...]
    deterministic_recall: float
    wide_rules: tuple[tuple[str, ...], ...] = ()

    def comparison_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.comparisons("duckdb"))


PERSONS = ModelSpec("persons", comparisons, BLOCKING_RULES, TRAINING_RULES, DETERMINISTIC_RULES, DETERMINISTIC_RECALL,
                    WIDE_RULES)


def equality_rule(columns: tuple[str, ...]) -> str:
    return " AND ".join(f"l.{column} = r.{column}" for column in columns)


def splink_settings(dialect: str, prior: float = 1e-4, spec: ModelSpec = PERSONS,
                    blocking_rules: tuple[str, ...] | None = None, max_iterations: int = 30) -> SettingsCreator:
    """The Splink settings for a dedupe of one comparison table keyed by `unique_id` (blocking rules:
    the spec's own unless given, e.g. with the wide rules the budget allows)."""
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[comparison_dict(c) for c in spec.comparisons(dialect)],
        blocking_rules_to_generate_predictions=list(blocking_rules or spec.blocking_rules),
        probability_two_random_records_match=prior,
        retain_matching_columns=True,  # needed for the gamma columns; `engine` keeps only ids and weights
        retain_intermediate_calculation_columns=True,
        max_iterations=max_iterations,
        em_convergence=1e-4,
    )
