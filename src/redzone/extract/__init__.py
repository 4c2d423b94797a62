"""Extraction: proposes facts (violations, perpetrators, places, dates, ages, money, quantities,
persons) with character spans from English, Korean and Chinese text, for a person to review; redacts
texts; ingests folders. Everything here runs offline. This module names what the rest of Redzone may call."""

from redzone.extract.evaluate import Score, compare, load_corpus, score
from redzone.extract.facts import FACT_TYPES, LANGUAGES, Extraction, Fact, detect_language
from redzone.extract.ingest import IngestReport, ingest_directory, read_proposals
from redzone.extract.lexicon import LexiconError, load_lexicon
from redzone.extract.methods import DEFAULT_METHOD, METHODS, Method, extract, get_method, register
from redzone.extract.money import usd_equivalent
from redzone.extract.redact import Redactor, Replacement, redact_text
from redzone.extract.review import REJECT_REASONS, Proposal, accept, propose, reject
from redzone.extract.schema import load_schema, validate

__all__ = [
    "DEFAULT_METHOD",
    "FACT_TYPES",
    "LANGUAGES",
    "METHODS",
    "Extraction",
    "Fact",
    "IngestReport",
    "LexiconError",
    "Method",
    "Proposal",
    "REJECT_REASONS",
    "Redactor",
    "Replacement",
    "Score",
    "accept",
    "compare",
    "detect_language",
    "extract",
    "get_method",
    "ingest_directory",
    "load_corpus",
    "load_lexicon",
    "propose",
    "read_proposals",
    "redact_text",
    "register",
    "reject",
    "score",
    "usd_equivalent",
    "validate",
    "load_schema",
]
