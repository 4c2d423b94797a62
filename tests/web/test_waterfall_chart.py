"""The geometry of the linkage waterfall chart (web.routes.linkage.waterfall_chart): axis labels at
round values, zero always labelled, never two labels on top of each other, whatever the totals."""

from __future__ import annotations

import pytest

from redzone.web.routes.linkage import waterfall_chart

# Widest label in the 11px chart font, in user units: about 6.5 per character.
CHARACTER = 6.5


def steps(*weights: float) -> list[dict]:
    out, total = [], 0.0
    for number, weight in enumerate(weights):
        total += weight
        out.append({"comparison": "prior" if number == 0 else f"field{number}", "level": "level",
                    "weight": weight, "cumulative": total})
    return out


CASES = {
    "no match: every total below zero": steps(-9.97, -2.1, -1.3, 0.4, -0.6),
    "match: from the prior up past zero": steps(-9.97, 6.2, 4.8, 3.1, -1.2, 2.0),
    "zero next to the left end": steps(-0.3, 5.5, 3.2, 1.0),
    "tiny weights": steps(-0.02, 0.01, -0.03),
    "large weights": steps(-13.3, 40.0, 35.5, 22.0),
}


@pytest.mark.parametrize("name", list(CASES))
def test_axis_labels_never_overlap_and_zero_is_labelled(name):
    chart = waterfall_chart(CASES[name])
    ticks = chart["ticks"]
    assert len(ticks) >= 2
    zero = [tick for tick in ticks if tick["label"] == "0"]
    assert len(zero) == 1 and zero[0]["x"] == pytest.approx(chart["zero"], abs=0.1)
    for tick in ticks:
        assert chart["plot_left"] - 0.1 <= tick["x"] <= chart["plot_right"] + 0.1
    # Labels are centred on their ticks: neighbours must be further apart than half of each label.
    for left, right in zip(ticks, ticks[1:]):
        room = (len(left["label"]) + len(right["label"])) * CHARACTER / 2
        assert right["x"] - left["x"] > room, (name, left, right)


def test_ticks_are_round_and_evenly_spaced():
    chart = waterfall_chart(CASES["match: from the prior up past zero"])
    labels = [tick["label"] for tick in chart["ticks"]]
    assert labels == ["\u221210", "\u22125", "0", "5"]
    gaps = [b["x"] - a["x"] for a, b in zip(chart["ticks"], chart["ticks"][1:])]
    assert max(gaps) - min(gaps) <= 0.2  # positions are rounded to 0.1


def test_bars_run_from_the_total_before_to_the_total_after():
    chart = waterfall_chart(CASES["no match: every total below zero"])
    first, second = chart["bars"][:2]
    assert first["x"] + first["width"] == pytest.approx(chart["zero"], abs=0.2)  # the prior starts at 0
    assert second["x"] + second["width"] == pytest.approx(first["x"], abs=0.2)  # and the next goes on from it
    assert chart["total"] == pytest.approx(chart["bars"][-1]["x"], abs=0.2)  # the last bar ends left, at the total
