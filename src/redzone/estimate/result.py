"""What every estimation method returns: the number, its interval, its model and its caveats."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class EstimateResult:
    """One population estimate.

    `estimate` is the total population, the people observed included; `interval` is (low, high)
    at `level`, or None; `model` lists the interaction terms of a log-linear model as list
    numbers ("12" = lists 1 and 2; main effects implied), empty for other methods; `warnings`
    are plain-language caveats for the reader of the number; `details` holds the workings.
    """

    method: str
    observed: int
    estimate: float
    interval: tuple[float, float] | None
    level: float
    model: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, *, details: bool = False) -> dict[str, Any]:
        """JSON-ready: method, observed, estimate, interval, model, warnings (and details if asked)."""
        out: dict[str, Any] = {
            "method": self.method,
            "observed": self.observed,
            "estimate": float(self.estimate),
            "interval": None if self.interval is None else [float(self.interval[0]), float(self.interval[1])],
            "model": list(self.model),
            "warnings": list(self.warnings),
        }
        if details:
            out["details"] = plain(self.details)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any], level: float = 0.95) -> EstimateResult:
        """The result back from `to_dict(details=True)` (e.g. kept as JSON by a background job)."""
        interval = data.get("interval")
        return cls(data["method"], int(data["observed"]), float(data["estimate"]),
                   None if interval is None else (float(interval[0]), float(interval[1])),
                   float(data.get("level", level)), list(data.get("model", [])), list(data.get("warnings", [])),
                   dict(data.get("details", {})))


def plain(value: Any) -> Any:
    """Turn numpy scalars and arrays, tuples and non-finite floats into JSON-ready values."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        number = float(value)
        return number if np.isfinite(number) else None
    if isinstance(value, np.bool_):
        return bool(value)
    return value
