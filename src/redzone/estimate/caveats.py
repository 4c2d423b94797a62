"""Plain-language warnings attached to estimates: what a reader of the number must know.

Thresholds (documented in docs/estimation.md):
* very few people recorded: fewer than 30 seen in all;
* fewer than three lists: the independence of the lists cannot be checked;
* a pair of lists with nobody in common;
* a list holding nobody, or everybody seen;
* a very sparse table: more than half of the possible combinations of lists are empty;
* a long extrapolation: the unseen outnumber the seen more than four to one;
* a few records carry the estimate: removing the people of one small capture pattern (at most
  5% of those seen) moves the estimate of the same model by more than half;
* a wide interval: the upper end is more than twice the estimate;
* a bootstrap endpoint with a Monte Carlo standard error over 5% of its value (another seed could
  move it that much);
* models dropped because their estimate does not exist or is not identifiable.
"""

from __future__ import annotations

import numpy as np

from redzone.estimate.models import HierarchicalModel
from redzone.estimate.selection import try_fit
from redzone.estimate.table import CaptureTable, cell_to_pattern
from redzone.messages import Message, join

EXTRAPOLATION_RATIO = 4.0
FEW_PEOPLE = 30
MONTE_CARLO_SHARE = 0.05
INFLUENCE_SHARE = 0.5
SMALL_CELL_SHARE = 0.05
SPARSE_SHARE = 0.5
WIDE_INTERVAL_RATIO = 2.0
# Templates of the Monte Carlo warning's parts (Message marks them for translation).
ENDPOINT_MOVES = {"lower": Message("the lower end %(end)s by about ±%(error)s (%(share)s)").template,
                  "upper": Message("the upper end %(end)s by about ±%(error)s (%(share)s)").template}


def table_warnings(table: CaptureTable) -> list[str]:
    """Warnings about the data themselves, whatever the method."""
    notes: list[str] = []
    names = table.list_names
    if table.observed < FEW_PEOPLE:
        notes.append(
            Message("Very few people recorded (%(observed)s, fewer than %(few_people)s): an estimate from so few "
                    "rests on a handful of overlaps, and its interval, which assumes many, is not to be trusted.",
                    observed=f"{table.observed:,}", few_people=FEW_PEOPLE)
        )
    if table.n_lists < 3:
        notes.append(
            Message("Only two lists: the estimate assumes that being on one list makes a person neither more nor "
                    "less likely to be on the other, and with two lists that cannot be checked.")
        )
    sizes = table.list_sizes()
    for name, size in sizes.items():
        if size == 0:
            notes.append(Message("The list %(name)s holds nobody; it adds nothing to the estimate.", name=repr(name)))
        elif size == table.observed:
            notes.append(Message("The list %(name)s holds everybody seen; with it no one can be missed, so it "
                                 "distorts the estimate.",
                                 name=repr(name)))
    apart = [
        Message("%(first)s and %(second)s", first=names[i], second=names[j])
        for i in range(table.n_lists) for j in range(i + 1, table.n_lists) if table.overlap(i, j) == 0
    ]
    if apart:
        shown = join("; ", apart[:6])
        if len(apart) > 6:
            shown += Message(" (and %(count)s more pairs)", count=len(apart) - 6)
        notes.append(
            Message("Some lists have nobody in common (%(shown)s). Such lists may record different populations "
                    "(other places, periods or kinds of case); if so, the estimate mixes them.",
                    shown=shown)
        )
    empty_share = 1.0 - table.nonzero_cells().size / table.n_cells
    if empty_share > SPARSE_SHARE:
        notes.append(
            Message("The table is sparse: %(empty_share)s of the possible combinations of lists have nobody in them, "
                    "so the estimate rests on few overlaps and can change a lot with a few records.",
                    empty_share=f"{empty_share:.0%}")
        )
    return notes


def extrapolation_warning(observed: int, estimate: float) -> list[str]:
    if observed > 0 and estimate - observed > EXTRAPOLATION_RATIO * observed:
        return [
            Message("The estimate puts the number never recorded at %(unseen)s, more than %(ratio)s "
                    "times the %(observed)s recorded: a long extrapolation from the overlaps.",
                    unseen=f"{estimate - observed:,.0f}", ratio=f"{EXTRAPOLATION_RATIO:.0f}",
                    observed=f"{observed:,}")
        ]
    return []


def interval_warning(estimate: float, interval: tuple[float, float] | None, level: float) -> list[str]:
    if interval is None:
        return []
    if not np.isfinite(interval[1]) or interval[1] > WIDE_INTERVAL_RATIO * estimate:
        return [
            Message("The %(level)s interval reaches %(interval)s, more than twice the estimate: the data cannot rule "
                    "out a much larger population.",
                    level=f"{level:.0%}", interval=f"{interval[1]:,.0f}")
        ]
    return []


def monte_carlo_warning(interval: tuple[float, float], errors: tuple[float, float], n_boot: int) -> list[str]:
    """The BCa endpoints come from the far tails of the replicates; with another seed they move."""
    moving = [(name, end, error) for name, end, error in zip(("lower", "upper"), interval, errors)
              if np.isfinite(error) and end > 0 and error > MONTE_CARLO_SHARE * end]
    if not moving:
        return []
    shown = join("; ", [Message(ENDPOINT_MOVES[name], end=f"{end:,.0f}", error=f"{error:,.0f}",
                                share=f"{error / end:.0%}") for name, end, error in moving])
    return [
        Message("The bootstrap interval depends on the random draw of its %(n_boot)s replicates: another seed would "
                "likely move %(shown)s (one standard error, from a jackknife over the replicates). Run more "
                "replicates, or report the interval with that margin.",
                n_boot=f"{n_boot:,}", shown=shown)
    ]


def influence_warning(table: CaptureTable, model: HierarchicalModel, estimate: float) -> tuple[list[str], dict]:
    """Refit the chosen model without the people of each capture pattern in turn."""
    changes: dict[str, float] = {}
    worst: tuple[float, str] | None = None
    for cell in table.nonzero_cells():
        if table.counts[cell] > SMALL_CELL_SHARE * table.observed:
            continue
        reduced = table.counts.astype(float).copy()
        reduced[cell] = 0.0
        if reduced.sum() == 0:
            continue
        _, fit = try_fit(reduced, model)
        label = "".join(map(str, cell_to_pattern(int(cell), table.n_lists)))
        if fit is None:
            changes[label] = float("nan")
            continue
        change = (fit.estimate - estimate) / estimate
        changes[label] = change
        if abs(change) > INFLUENCE_SHARE and (worst is None or abs(change) > abs(worst[0])):
            worst = (change, label)
    notes = []
    if worst is not None:
        cell = int(worst[1][::-1], 2)
        on = [table.list_names[i] for i in range(table.n_lists) if (cell >> i) & 1]
        count = int(table.counts[cell])
        notes.append(
            Message("The estimate hangs on a few records: leaving out the %(count)s person recorded on exactly "
                    "%(lists)s moves it by %(change)s.", count=f"{count:,}", lists=" + ".join(on),
                    change=f"{worst[0]:+.0%}") if count == 1 else
            Message("The estimate hangs on a few records: leaving out the %(count)s people recorded on exactly "
                    "%(lists)s moves it by %(change)s.", count=f"{count:,}", lists=" + ".join(on),
                    change=f"{worst[0]:+.0%}")
        )
    return notes, {"relative_change_without_cell": changes}


def dropped_models_warning(not_existing: int, not_identifiable: int, considered: int) -> list[str]:
    dropped = not_existing + not_identifiable
    if not dropped:
        return []
    return [
        Message("%(dropped)s of the %(considered)s candidate models were set aside because these data cannot give "
                "them an estimate (%(not_existing)s would put the number unseen at infinity, %(not_identifiable)s "
                "cannot be pinned down); the choice was made among the rest.",
                dropped=f"{dropped:,}", considered=f"{considered:,}", not_existing=f"{not_existing:,}",
                not_identifiable=f"{not_identifiable:,}")
    ]
