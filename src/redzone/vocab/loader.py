"""Reads the vocabulary's YAML files from `data/` (or another directory) and returns a checked `Vocabulary`.

The files are read once per directory (`load_vocabulary` is cached); the objects are frozen and the
mappings read-only, so every part of Redzone sees the same vocabulary.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from redzone.vocab import validation as check
from redzone.vocab.building import build
from redzone.vocab.model import (  # noqa: F401  (re-exported: older imports name the loader)
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

DATA_DIR = Path(__file__).with_name("data")


@functools.cache
def load_vocabulary(path: str | Path | None = None) -> Vocabulary:
    """Load and validate the vocabulary in `path` (default: the package's data directory).

    Raises VocabularyError listing every problem found, one `file: entry: field: problem` each.
    """
    directory = Path(path) if path is not None else DATA_DIR
    if not directory.is_dir():
        raise VocabularyError(f"vocabulary directory not found: {directory}")
    problems = check.Problems()
    documents = {}
    for file in ("version.yaml", "violations.yaml", "provisions.yaml", "roles.yaml", "lists.yaml"):
        documents[file] = _read(directory / file, problems)
    place_files = sorted(directory.glob("places*.yaml"))
    if not place_files:
        problems.add("places*.yaml", "(file)", "(file)", "no gazetteer file found")
    for file in place_files:
        documents[file.name] = _read(file, problems)
    vocabulary = build(documents, problems)
    if problems or vocabulary is None:
        count = len(problems.lines)
        raise VocabularyError(f"invalid vocabulary in {directory} ({count} problem{'s' * (count != 1)}):\n  "
                              + "\n  ".join(problems.lines), tuple(problems.lines))
    return vocabulary


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when installed: 10x faster
    """A safe YAML loader that records a key written twice in one mapping instead of keeping the last."""

    duplicates: list[tuple[int, str]]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, (str, int, float, bool)):
                continue  # an unhashable key is reported by the checks that expect text
            if key in seen:
                self.duplicates.append((key_node.start_mark.line + 1, str(key)))
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _read(path: Path, problems: check.Problems) -> Any:
    if not path.is_file():
        problems.add(path.name, "(file)", "(file)", "missing")
        return None
    loader = _StrictLoader(path.read_text(encoding="utf-8"))
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        problems.add(path.name, where, "(yaml)", str(getattr(error, "problem", None) or error))
        return None
    finally:
        loader.dispose()
    for line, key in loader.duplicates:
        problems.add(path.name, f"line {line}", key, "written twice in the same mapping")
    if not isinstance(data, dict):
        problems.add(path.name, "(file)", "(file)", "must hold a mapping at top level")
        return None
    return data
