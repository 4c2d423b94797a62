"""Hierarchical models: enumeration counts, closure and notation."""

from __future__ import annotations

import pytest

from redzone.estimate import HierarchicalModel, InvalidSetting, default_max_order, hierarchical_models


@pytest.mark.parametrize(
    ("n_lists", "max_order", "count"),
    [(2, 1, 1), (3, 2, 8), (4, 2, 64), (4, 3, 113), (5, 2, 1_024), (5, 3, 6_212), (5, 4, 6_893), (6, 2, 32_768)],
)
def test_number_of_hierarchical_models(n_lists, max_order, count):
    models = hierarchical_models(n_lists, max_order)
    assert len(models) == count
    assert len(set(models)) == count


def test_every_enumerated_model_is_closed_downwards():
    for model in hierarchical_models(5, 4):
        assert HierarchicalModel.of(5, model.interactions) == model


def test_closure_and_notation():
    model = HierarchicalModel.parse(4, ["123"])
    assert model.labels == ["12", "13", "23", "123"]
    assert model.hierarchy == "[123,4]"
    assert HierarchicalModel.parse(4, "[123,4]") == model
    assert model.with_term(0b1000 | 0b0001).labels == ["12", "13", "14", "23", "123"]
    assert HierarchicalModel.parse(12, ["1.12"]).labels == ["1.12"]


def test_default_order_and_limits():
    assert [default_max_order(k) for k in (2, 3, 4, 5, 6, 8)] == [1, 2, 3, 4, 2, 2]
    with pytest.raises(InvalidSetting, match="max_order"):
        hierarchical_models(6, 3, limit=1_000)
    with pytest.raises(InvalidSetting, match="term"):
        HierarchicalModel.parse(3, ["14"])
