"""Record linkage: which person records, held by different organisations under different spellings,
describe the same woman — a Fellegi–Sunter model (Splink, EM-trained) on DuckDB or Spark, a review
queue with reversible, audited decisions, and the capture histories estimation needs.

Incidents (the same event reported by several sources) are linked separately, by their own model on
the same engine (`incidents`); `febrl` holds the FEBRL yardstick the benchmark scores the engine on.

The contract the rest of Redzone (CLI, web, estimation) may use; the implementation lives in the
modules named after each concept (settings, features, model, backends, engine, clusters, runs,
review, histories, incidents, evaluate, synthetic, febrl).
"""

from redzone.link.backends import open_backend, spark_available
from redzone.link.engine import Prediction, TrainedModel, score
from redzone.link.evaluate import Scores, cluster_scores, demo_truth, pair_scores
from redzone.link.features import RecordFacts, comparison_frame
from redzone.link.histories import STRATA, capture_histories, individuals
from redzone.link.incidents import INCIDENTS, incident_clusters, run_incident_linkage
from redzone.link.model import BLOCKING_RULES, PERSONS, ModelSpec, comparisons
from redzone.link.review import clusters, decide, decisions, pair_view, review_queue, split, undo, waterfall
from redzone.link.runs import RunReport, current_run, run_linkage
from redzone.link.settings import BACKENDS, LinkSettings

__all__ = [
    "BACKENDS",
    "BLOCKING_RULES",
    "INCIDENTS",
    "PERSONS",
    "STRATA",
    "LinkSettings",
    "ModelSpec",
    "Prediction",
    "RecordFacts",
    "RunReport",
    "Scores",
    "TrainedModel",
    "capture_histories",
    "cluster_scores",
    "clusters",
    "comparison_frame",
    "comparisons",
    "current_run",
    "decide",
    "decisions",
    "demo_truth",
    "incident_clusters",
    "individuals",
    "open_backend",
    "pair_scores",
    "pair_view",
    "review_queue",
    "run_incident_linkage",
    "run_linkage",
    "score",
    "spark_available",
    "split",
    "undo",
    "waterfall",
]
