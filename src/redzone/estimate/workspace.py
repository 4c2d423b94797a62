"""Estimation over a workspace's linked lists — what the web page and `redzone estimate --from-workspace`
call: each organisation's records form one list, each linked cluster is one individual, and the whole
workspace or each stratum (province of origin, year of crossing…) gets its capture-history table and,
side by side, the estimates of competing methods, so a reader sees how much the choice matters.

Only cluster codes and analysable fields are read: no identity is unsealed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from redzone.estimate.api import METHODS, Method, estimate
from redzone.estimate.errors import EstimationError, InvalidSetting
from redzone.estimate.result import EstimateResult
from redzone.estimate.table import CaptureTable
from redzone.messages import Message, Term

# Fast enough for a page that estimates every stratum; 'aic' and 'lcmcr' (about 7 s a table) on request.
DEFAULT_METHODS: tuple[str, ...] = ("bic", "stepwise", "chao")
# The workspace search stops at two-way interactions unless asked: 1,024 models for five lists, not 6,893.
DEFAULT_MAX_ORDER = 2
SPREAD_WARNING = 1.5


@dataclass(frozen=True)
class StratumEstimate:
    """The estimates of several methods for one stratum (or the whole workspace: `stratum` None)."""

    stratum: str | None
    observed: int
    lists: tuple[str, ...]
    results: tuple[EstimateResult, ...]
    failures: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def spread(self) -> float | None:
        """Largest over smallest estimate of the methods that give an estimate (Chao's bound aside)."""
        values = [r.estimate for r in self.results if r.method != "chao"]
        return max(values) / min(values) if len(values) > 1 and min(values) > 0 else None

    def result(self, method: str) -> EstimateResult | None:
        return next((r for r in self.results if r.method == method), None)

    def competing_models(self, top: int = 5) -> list[dict[str, Any]]:
        """The best log-linear models of each AIC/BIC search beside the one chosen, with their estimates:
        for the chart that shows how much the choice of model moves the number."""
        out = []
        for result in self.results:
            criterion = result.details.get("criterion")
            for rank, candidate in enumerate(result.details.get("candidates", [])[:top], start=1):
                out.append({"stratum": self.stratum, "method": result.method, "rank": rank,
                            "model": list(candidate["model"]), "hierarchy": candidate["hierarchy"],
                            "criterion": criterion, "score": candidate[criterion],
                            "estimate": float(candidate["estimate"]), "chosen": rank == 1})
        return out

    def rows(self, *, details: bool = False) -> list[dict[str, Any]]:
        """One row per method asked for, in the shape of `EstimateResult.to_dict` plus the stratum and its
        lists; a method the data cannot support gives a row with no estimate and the reason as a warning."""
        rows = []
        for result in self.results:
            row = result.to_dict(details=details)
            row["warnings"] = row["warnings"] + [w for w in self.warnings if w not in row["warnings"]]
            rows.append({"stratum": self.stratum, "lists": list(self.lists), **row})
        for method, reason in self.failures.items():
            rows.append({"stratum": self.stratum, "lists": list(self.lists), "method": method,
                         "observed": self.observed, "estimate": None, "interval": None, "model": [],
                         "warnings": [Message("No estimate: %(reason)s", reason=reason), *self.warnings]})
        return rows

    def to_dict(self, *, details: bool = False) -> dict[str, Any]:
        return {"stratum": self.stratum, "observed": self.observed, "lists": list(self.lists),
                "results": [r.to_dict(details=details) for r in self.results], "failures": dict(self.failures),
                "spread": self.spread, "warnings": list(self.warnings)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StratumEstimate:
        """Back from `to_dict(details=True)`: what a background job keeps as JSON."""
        return cls(data["stratum"], int(data["observed"]), tuple(data["lists"]),
                   tuple(EstimateResult.from_dict(r) for r in data["results"]), dict(data.get("failures", {})),
                   list(data.get("warnings", [])))


def estimate_workspace(
    ws_or_session: Any,
    actor: Any,
    *,
    methods: Sequence[Method] | None = None,
    stratify: str | None = None,
    person_role: str = "victim",
    max_order: int | None = None,
    p_threshold: float = 0.02,
    n_boot: int = 0,
    seed: int | None = None,
    level: float = 0.95,
    lcmcr_options: dict[str, Any] | None = None,
) -> list[StratumEstimate]:
    """Estimate from the workspace's linked lists, whole (`stratify` None) or per stratum.

    `ws_or_session` is a Workspace (a session is opened and closed) or an open Session. `methods`
    defaults to `DEFAULT_METHODS`; each stratum runs those its table can support (two lists:
    Lincoln–Petersen and Chao) and reports the others under `failures` with the reason. `max_order`
    (default 2) bounds the 'bic'/'aic' search; `n_boot` adds BCa intervals to the log-linear methods.
    """
    from redzone.security.policy import require

    require(actor, "estimate.run")
    chosen = tuple(methods) if methods else DEFAULT_METHODS
    unknown = [m for m in chosen if m not in METHODS]
    if unknown:
        raise InvalidSetting(Message("methods: unknown %(unknown)s; choose from %(choices)s",
                                     unknown=", ".join(map(repr, unknown)), choices=", ".join(METHODS)))
    if hasattr(ws_or_session, "store"):
        with ws_or_session.store.session() as session:
            return _estimate(session, chosen, stratify, person_role, max_order, p_threshold, n_boot, seed, level,
                             lcmcr_options or {})
    return _estimate(ws_or_session, chosen, stratify, person_role, max_order, p_threshold, n_boot, seed, level,
                     lcmcr_options or {})


def _estimate(session, methods, stratify, person_role, max_order, p_threshold, n_boot, seed, level,
              lcmcr_options) -> list[StratumEstimate]:  # type: ignore[no-untyped-def]
    from redzone.link.histories import capture_histories

    tables = capture_histories(session, stratify=stratify, person_role=person_role)
    general = _linkage_warnings(session, person_role)
    if stratify is None:
        tables = {None: tables}
    elif not tables:
        raise EstimationError(Message("no %(person_role)s records on any organisation's list: nothing to estimate",
                                      person_role=Term("person_roles", person_role, person_role)))
    out = []
    for stratum, table in tables.items():
        out.append(_stratum(stratum, table, methods, max_order, p_threshold, n_boot, seed, level, lcmcr_options,
                            general))
    return out


def _stratum(stratum, table: CaptureTable, methods, max_order, p_threshold, n_boot, seed, level, lcmcr_options,
             general) -> StratumEstimate:  # type: ignore[no-untyped-def]
    notes = list(general)
    used = [i for i, size in enumerate(table.list_sizes().values()) if size > 0]
    if len(used) < table.n_lists:
        empty = [name for i, name in enumerate(table.list_names) if i not in used]
        lists, one = ", ".join(empty), len(empty) == 1
        if stratum is None:
            notes.append(Message("%(lists)s recorded nobody here; that list was left out of the estimate.", lists=lists)
                         if one else
                         Message("%(lists)s recorded nobody here; those lists were left out of the estimate.",
                                 lists=lists))
        else:
            notes.append(Message("%(lists)s recorded nobody in %(stratum)s; that list was left out of the estimate.",
                                 lists=lists, stratum=stratum) if one else
                         Message("%(lists)s recorded nobody in %(stratum)s; those lists were left out of the estimate.",
                                 lists=lists, stratum=stratum))
        table = table.select_lists(used)
    results, failures = [], {}
    for method in methods:
        if table.n_lists < 2:
            failures[method] = ("only one organisation's list holds anyone here; an estimate needs at least two "
                                "overlapping lists")
            continue
        settings: dict[str, Any] = {"seed": seed, "level": level}
        if method in ("bic", "aic"):
            settings["max_order"] = min(max_order or DEFAULT_MAX_ORDER, table.n_lists - 1)
        if method in ("bic", "aic", "stepwise"):
            if table.n_lists < 3:
                failures[method] = "log-linear models need at least three lists; these data have two"
                continue
            settings["n_boot"] = n_boot
        if method == "stepwise":
            settings["p_threshold"] = p_threshold
        if method == "lcmcr":
            if table.n_lists < 3:
                failures[method] = "the latent-class model needs at least three lists; these data have two"
                continue
            settings.update(lcmcr_options)
        if method == "lincoln-petersen" and table.n_lists > 2:
            sizes = table.list_sizes()
            largest = sorted(range(table.n_lists), key=lambda i: (-sizes[table.list_names[i]], i))[:2]
            settings["lists"] = sorted(largest)
        try:
            results.append(estimate(table, method, **settings))
        except EstimationError as error:
            failures[method] = error.message
    found = StratumEstimate(stratum, table.observed, table.list_names, tuple(results), failures, notes)
    spread = found.spread
    if spread is not None and spread > SPREAD_WARNING:
        notes.append(Message("The methods disagree: the largest estimate is %(spread)s times the smallest. The "
                             "number depends on assumptions the data cannot settle; report the range, not one figure.",
                             spread=f"{spread:.1f}"))
    return found


def _linkage_warnings(session, person_role: str) -> list[str]:  # type: ignore[no-untyped-def]
    """What the linkage behind the lists leaves uncertain: no run yet, or pairs still awaiting review."""
    import sqlalchemy as sa

    from redzone.link.runs import current_run
    from redzone.records.models import LinkPair

    run = current_run(session, person_role, required=False)
    if run is None:
        return [Message("No record linkage has been run: every record counts as a separate person, so a woman "
                        "documented by several organisations is counted several times and the overlaps between lists "
                        "are missed. Run `redzone link` first.")]
    waiting = session.scalar(sa.select(sa.func.count()).select_from(LinkPair).where(
        LinkPair.run_id == run.id, LinkPair.decision.is_(None), LinkPair.match_probability >= run.review_low,
        LinkPair.match_probability < run.review_high)) or 0
    if waiting:
        return [Message("%(waiting)s possible matches from linkage run %(code)s still await review; until they are "
                        "decided the overlaps between lists, and so the estimate, may change.",
                        waiting=f"{waiting:,}", code=run.code)]
    return []
