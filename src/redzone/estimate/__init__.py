"""Multiple systems estimation: how many people, recorded or not, from overlapping lists.

The contract the rest of Redzone may use; the implementation lives in the modules named after
each concept (table, models, loglinear, existence, selection, bootstrap, lcmcr, bounds, caveats) and,
for a workspace's linked lists, `workspace`.
"""

from __future__ import annotations

import importlib
from typing import Any

# Each name and the module that defines it, imported on first use: `redzone.estimate` is named by the
# command line and the web application at start-up, and the model search pulls in SciPy and statsmodels.
_SOURCES = {
    "METHODS": "names", "Method": "names",
    "Comparison": "api", "compare": "api", "estimate": "api", "estimate_csv": "api",
    "EstimationError": "errors", "InvalidCaptureTable": "errors", "InvalidSetting": "errors",
    "ModelCheck": "existence", "check_model": "existence",
    "HierarchicalModel": "models", "default_max_order": "models", "hierarchical_models": "models",
    "EstimateResult": "result",
    "CaptureTable": "table",
    "DEFAULT_METHODS": "workspace", "StratumEstimate": "workspace", "estimate_workspace": "workspace",
}


def __getattr__(name: str) -> Any:
    module = _SOURCES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_SOURCES])


__all__ = [
    "DEFAULT_METHODS",
    "METHODS",
    "CaptureTable",
    "Comparison",
    "EstimateResult",
    "EstimationError",
    "HierarchicalModel",
    "InvalidCaptureTable",
    "InvalidSetting",
    "StratumEstimate",
    "Method",
    "ModelCheck",
    "check_model",
    "compare",
    "default_max_order",
    "estimate",
    "estimate_csv",
    "estimate_workspace",
    "hierarchical_models",
]
