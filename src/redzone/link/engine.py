"""Training and scoring: the comparison table goes in, scored pairs and the trained model come out —
pseudonymous ids, match weights and comparison levels only, whatever the backend.

Training follows Fellegi–Sunter as Splink implements it: the prior (probability that two random
records match) from near-certain deterministic rules, u probabilities from random pairs, then
m probabilities by expectation maximisation on two blocking rules that each leave the other
half of the comparisons free to be estimated.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

import pandas as pd
from splink import Linker
from splink.internals.exceptions import SplinkException

from redzone.link import model
from redzone.link.settings import LinkSettings

DEFAULT_PRIOR = 1e-4
# No agreement level may be treated as (almost) impossible among matches: EM drives the m of a level
# it rarely sees in a training block towards zero, which would let one comparison veto any pair.
M_FLOOR = 0.005
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LevelParameters:
    gamma: int
    label: str
    m: float | None
    u: float | None

    @property
    def weight(self) -> float | None:
        """log2(m/u): the evidence this level adds (None for the null level or an untrained one)."""
        if not self.m or not self.u:
            return None
        return math.log2(self.m / self.u)


@dataclass(frozen=True)
class TrainedModel:
    """What the trained model says about each comparison level; no data values."""

    prior: float
    comparisons: dict[str, tuple[LevelParameters, ...]]

    @property
    def prior_weight(self) -> float:
        return math.log2(self.prior / (1 - self.prior))

    def level(self, comparison: str, gamma: int) -> LevelParameters | None:
        return next((lv for lv in self.comparisons.get(comparison, ()) if lv.gamma == gamma), None)

    def to_dict(self) -> dict:
        return {"prior": self.prior, "comparisons": {
            name: [{"gamma": lv.gamma, "label": lv.label, "m": lv.m, "u": lv.u, "weight": lv.weight} for lv in levels]
            for name, levels in self.comparisons.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> TrainedModel:
        return cls(float(data["prior"]), {
            name: tuple(LevelParameters(int(lv["gamma"]), str(lv["label"]), lv.get("m"), lv.get("u")) for lv in levels)
            for name, levels in data.get("comparisons", {}).items()})


@dataclass
class Prediction:
    """Scored pairs at or above the stored floor, and the model that scored them.

    `pairs` columns: person_a < person_b (ids), match_weight, match_probability, then for each
    comparison `gamma_<name>` (level index) and `mw_<name>` (its weight, term-frequency adjustment
    included).
    """

    pairs: pd.DataFrame
    model: TrainedModel
    records: int
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    # The blocking rules this run used, and why a wide rule was left out (not warnings: by design).
    blocking: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    # The trained model as Splink settings (parameters and level SQL; no data): `score(parameters=...)`.
    parameters: dict | None = None


def comparison_names(spec: model.ModelSpec = model.PERSONS) -> tuple[str, ...]:
    return spec.comparison_names()


def _trained_model(linker: Linker) -> TrainedModel:
    settings = linker.misc.save_model_to_json()
    comparisons: dict[str, tuple[LevelParameters, ...]] = {}
    for comparison in settings["comparisons"]:
        levels = []
        non_null = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        gamma = len(non_null) - 1
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                levels.append(LevelParameters(-1, level["label_for_charts"], None, None))
                continue
            levels.append(LevelParameters(gamma, level["label_for_charts"], level.get("m_probability"),
                                          level.get("u_probability")))
            gamma -= 1
        comparisons[comparison["output_column_name"]] = tuple(levels)
    return TrainedModel(float(settings["probability_two_random_records_match"]), comparisons)


def blocking_rules(frame: pd.DataFrame, spec: model.ModelSpec, budget: float) -> tuple[tuple[str, ...], list[str]]:
    """The spec's blocking rules, plus each wide rule whose pairs (counted from the key groups, before any
    database work) keep the running total of wide pairs within `budget`; and a note per rule left out."""
    rules, notes, spent = list(spec.blocking_rules), [], 0.0
    for columns in spec.wide_rules:
        sizes = frame.dropna(subset=list(columns)).groupby(list(columns), sort=False).size().to_numpy(dtype=float)
        pairs = float((sizes * (sizes - 1) / 2).sum())
        if spent + pairs <= budget:
            rules.append(model.equality_rule(columns))
            spent += pairs
        else:
            shown = " and ".join(column.replace("_", " ") for column in columns)
            notes.append(f"blocking on equal {shown} alone left out: it would admit {pairs:,.0f} pairs "
                         f"(budget {budget:,.0f})")
    return tuple(rules), notes


def _train(linker: Linker, settings: LinkSettings, records: int, warnings: list[str], spec: model.ModelSpec) -> None:
    try:
        linker.training.estimate_probability_two_random_records_match(
            list(spec.deterministic_rules), recall=spec.deterministic_recall)
    except (SplinkException, ValueError) as error:
        warnings.append(f"prior left at {DEFAULT_PRIOR:g}: the deterministic rules could not estimate it ({error})")
    prior = linker._settings_obj._probability_two_random_records_match  # noqa: SLF001 — no public getter
    if not prior or prior <= 0 or prior >= 1:
        linker._settings_obj._probability_two_random_records_match = DEFAULT_PRIOR  # noqa: SLF001
        warnings.append(f"no near-certain matches found; prior left at {DEFAULT_PRIOR:g}")
    possible = records * (records - 1) / 2
    linker.training.estimate_u_using_random_sampling(max_pairs=min(settings.u_sample_pairs, max(possible, 1e3)),
                                                     seed=settings.seed)
    for rule in spec.training_rules:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=settings.em_max_pairs)
        except (SplinkException, ValueError, ZeroDivisionError) as error:
            warnings.append(f"EM training on '{rule}' failed and was skipped ({type(error).__name__})")


def _floored(settings: dict) -> dict:
    """The trained settings with every m probability at least `M_FLOOR` (renormalised per comparison)."""
    for comparison in settings["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        floored = [max(lv.get("m_probability") or 0.0, M_FLOOR) for lv in levels]
        total = sum(floored)
        for level, m in zip(levels, floored):
            level["m_probability"] = m / total
    return settings


def score(frame: pd.DataFrame, settings: LinkSettings, db_api: object, spec: model.ModelSpec = model.PERSONS,
          parameters: dict | None = None) -> Prediction:
    """Train the model `spec` on `frame` (persons: see `features.COLUMNS`; a `unique_id` integer column and
    the columns the spec compares) and score the blocked pairs on `db_api`.

    With `parameters` (a `Prediction.parameters` from an earlier run, on any backend), training is skipped
    and that model scores the pairs: e.g. train on a sample in DuckDB, score everything on Spark.
    """
    started = time.perf_counter()
    warnings: list[str] = []
    names = comparison_names(spec)
    if len(frame) < 2:
        empty = pd.DataFrame(columns=["person_a", "person_b", "match_weight", "match_probability",
                                      *[f"gamma_{n}" for n in names], *[f"mw_{n}" for n in names]])
        return Prediction(empty, TrainedModel(DEFAULT_PRIOR, {}), len(frame), ["fewer than two records: nothing to link"])
    rules, notes = blocking_rules(frame, spec, settings.wide_pair_budget)
    table = db_api.register(frame, dataset_display_name=spec.name)
    linker = Linker(table, model.splink_settings(db_api.sql_dialect.sql_dialect_str, DEFAULT_PRIOR, spec, rules,
                                                      settings.em_max_iterations),
                    log_level=logging.ERROR)
    if parameters is None:
        _train(linker, settings, len(frame), warnings, spec)
        trained_json = _floored(linker.misc.save_model_to_json())
    else:
        trained_json = _with_parameters(linker.misc.save_model_to_json(), parameters)
    linker = Linker(table, trained_json, log_level=logging.ERROR)
    trained = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=settings.stored_low(), warning_mode="never")
    pairs = _analyst_columns(predictions.as_pandas_dataframe(), names)
    predictions.drop_table_from_database_and_remove_from_cache()
    scored = time.perf_counter()
    return Prediction(pairs, _trained_model(linker), len(frame), warnings,
                      {"train": trained - started, "score": scored - trained}, rules, notes, trained_json)


def _with_parameters(target: dict, trained: dict) -> dict:
    """`target` (settings rendered for this backend's dialect) with the prior and every level's m and u
    taken from `trained` (the same comparisons, possibly rendered for another dialect)."""
    levels = {comparison["output_column_name"]: comparison["comparison_levels"] for comparison in trained["comparisons"]}
    for comparison in target["comparisons"]:
        source = levels.get(comparison["output_column_name"])
        if source is None or len(source) != len(comparison["comparison_levels"]):
            raise ValueError(f"the trained model has no comparison {comparison['output_column_name']!r} "
                             "with the same levels")
        for level, given in zip(comparison["comparison_levels"], source):
            for key in ("m_probability", "u_probability"):
                if key in given:
                    level[key] = given[key]
    target["probability_two_random_records_match"] = trained["probability_two_random_records_match"]
    return target


def _analyst_columns(raw: pd.DataFrame, names: tuple[str, ...]) -> pd.DataFrame:
    """Keep only ids, weights and level indices: a whitelist, so no compared value can slip through."""
    out = pd.DataFrame({
        "person_a": raw["unique_id_l"].astype("int64"), "person_b": raw["unique_id_r"].astype("int64"),
        "match_weight": raw["match_weight"].astype(float), "match_probability": raw["match_probability"].astype(float)})
    for name in names:
        out[f"gamma_{name}"] = raw[f"gamma_{name}"].astype("int64") if f"gamma_{name}" in raw else -1
        weight = raw[f"mw_{name}"].astype(float) if f"mw_{name}" in raw else 0.0
        if f"mw_tf_adj_{name}" in raw:
            weight = weight + raw[f"mw_tf_adj_{name}"].astype(float).fillna(0.0)
        out[f"mw_{name}"] = weight
    swap = out["person_a"] > out["person_b"]
    out.loc[swap, ["person_a", "person_b"]] = out.loc[swap, ["person_b", "person_a"]].to_numpy()
    return out.reset_index(drop=True)
