"""Multiple systems estimation: how many people, recorded or not, from overlapping lists.

The contract the rest of Redzone may use; the implementation lives in the modules named after
each concept (table, models, loglinear, existence, selection, bootstrap, lcmcr, bounds, caveats) and,
for a workspace's linked lists, `workspace`.
"""

from redzone.estimate.api import METHODS, Comparison, Method, compare, estimate, estimate_csv
from redzone.estimate.errors import EstimationError, InvalidCaptureTable, InvalidSetting
from redzone.estimate.existence import ModelCheck, check_model
from redzone.estimate.models import HierarchicalModel, default_max_order, hierarchical_models
from redzone.estimate.result import EstimateResult
from redzone.estimate.table import CaptureTable
from redzone.estimate.workspace import DEFAULT_METHODS, StratumEstimate, estimate_workspace

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
