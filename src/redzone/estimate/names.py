"""The estimation methods by name, apart from their implementations so that naming them (the command
line's help does) does not load the statistics libraries."""

from __future__ import annotations

from typing import Literal, get_args

Method = Literal["bic", "aic", "stepwise", "lcmcr", "chao", "lincoln-petersen"]
METHODS: tuple[str, ...] = get_args(Method)
