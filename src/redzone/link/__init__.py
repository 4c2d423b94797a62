"""Record linkage: which person records, held by different organisations under different spellings,
describe the same woman — a Fellegi–Sunter model (Splink, EM-trained) on DuckDB or Spark, a review
queue with reversible, audited decisions, and the capture histories estimation needs.

Incidents (the same event reported by several sources) are linked separately, by their own model on
the same engine (`incidents`), and reviewed pair by pair as persons are (`incident_review`); `febrl`
holds the FEBRL yardstick the benchmark scores the engine on.

The contract the rest of Redzone (CLI, web, estimation) may use; the implementation lives in the
modules named after each concept (settings, features, model, backends, engine, clusters, pairs, runs,
review, histories, incidents, incident_review, evaluate, synthetic, febrl).
"""

from redzone.link.backends import open_backend, spark_available
from redzone.link.engine import Prediction, TrainedModel, score
from redzone.link.evaluate import Scores, cluster_scores, demo_truth, pair_scores
from redzone.link.features import RecordFacts, comparison_frame
from redzone.link.histories import STRATA, capture_histories, individuals
from redzone.link.incident_review import (decide_incident, get_incident_pair, incident_decisions,
                                          incident_pair_view, incident_review_queue, merge_incident,
                                          split_incident)
from redzone.link.incidents import INCIDENTS, incident_clusters, run_incident_linkage
from redzone.link.model import BLOCKING_RULES, PERSONS, ModelSpec, comparisons
from redzone.link.review import (clusters, decide, decisions, get_pair, merge, pair_view, require_view,
                                 review_queue, split, undo, unseal_note, waterfall)
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
    "decide_incident",
    "decisions",
    "demo_truth",
    "get_incident_pair",
    "get_pair",
    "incident_clusters",
    "incident_decisions",
    "incident_pair_view",
    "incident_review_queue",
    "individuals",
    "merge",
    "merge_incident",
    "open_backend",
    "pair_scores",
    "pair_view",
    "require_view",
    "review_queue",
    "run_incident_linkage",
    "run_linkage",
    "score",
    "spark_available",
    "split",
    "split_incident",
    "undo",
    "unseal_note",
    "waterfall",
]
