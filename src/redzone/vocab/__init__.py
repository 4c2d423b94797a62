"""The controlled vocabulary and gazetteer: versioned YAML data, validated at load, labelled in English and Korean."""

from redzone.vocab.loader import DATA_DIR, load_vocabulary
from redzone.vocab.model import (
    Element,
    PerpetratorRole,
    Place,
    Provision,
    Term,
    Violation,
    Vocabulary,
    VocabularyError,
    normalise_name,
)

__all__ = [
    "DATA_DIR",
    "Element",
    "PerpetratorRole",
    "Place",
    "Provision",
    "Term",
    "Violation",
    "Vocabulary",
    "VocabularyError",
    "load_vocabulary",
    "normalise_name",
]
