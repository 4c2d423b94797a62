"""Every action the code base writes to the audit log, and every kind of record it names, has a label
(security/audit_actions.py, translated in the Korean catalog); the log refuses an action without one."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from redzone.evidence.custody import CUSTODY_ACTIONS
from redzone.link.review import DECISIONS
from redzone.security import audit
from redzone.security.audit_actions import AUDIT_ACTIONS, RECORD_TYPES

SOURCE = Path(__file__).resolve().parents[2] / "src" / "redzone"


def _strings(node: ast.AST) -> list[str] | None:
    """The values a call argument can take: a literal, either branch of `a if c else b`, or a pattern
    (`f"evidence.{action}"` -> `evidence\\..+`); None for a plain variable."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [re.escape(node.value)]
    if isinstance(node, ast.IfExp):
        branches = [_strings(node.body), _strings(node.orelse)]
        return None if None in branches else [p for branch in branches for p in branch]  # type: ignore[union-attr]
    if isinstance(node, ast.JoinedStr):
        return ["".join(re.escape(part.value) if isinstance(part, ast.Constant) else ".+" for part in node.values)]
    return None


def written_actions() -> dict[str, tuple[list[str], list[str] | None]]:
    """Where each audit entry is written (`audit.append(...)`, `ctx.audit(...)`): its action and record
    type arguments as patterns."""
    found = {}
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            if node.func.attr == "append" and getattr(node.func.value, "id", None) == "audit" and len(node.args) >= 4:
                action, record_type = node.args[3], node.args[4] if len(node.args) > 4 else None
            elif node.func.attr == "audit" and len(node.args) >= 2:
                action, record_type = node.args[0], node.args[1]
            else:
                continue
            where = f"{path.relative_to(SOURCE)}:{node.lineno}"
            found[where] = (_strings(action), _strings(record_type) if record_type is not None else None)
    return found


def test_every_action_written_has_a_label():
    found = written_actions()
    assert len(found) >= 50, len(found)
    missing = []
    for where, (actions, record_types) in found.items():
        for pattern in actions or ():
            if not any(re.fullmatch(pattern, code) for code in AUDIT_ACTIONS):
                missing.append(f"{where}: action {pattern}")
        for pattern in record_types or ():
            if not any(re.fullmatch(pattern, code) for code in RECORD_TYPES):
                missing.append(f"{where}: record type {pattern}")
    assert not missing, "label these in security/audit_actions.py:\n" + "\n".join(missing)
    # The actions built from a variable, each value they take.
    derived = {f"evidence.{a}" for a in CUSTODY_ACTIONS} | {"evidence.open.denied"} | {
        f"link.{prefix}{verb}" for prefix in ("", "incidents.") for verb in (*DECISIONS, "merge", "split", "undo")}
    assert derived - set(AUDIT_ACTIONS) == set()


def test_every_label_reads_in_korean():
    from babel.messages.pofile import read_po

    with (SOURCE / "web" / "locale" / "ko" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        korean = {m.id: m.string for m in read_po(handle, locale="ko") if isinstance(m.id, str)}
    labels = {*AUDIT_ACTIONS.values(), *RECORD_TYPES.values()}
    assert all(labels), "every code has an English label"
    assert not [label for label in labels if not re.search(r"[가-힣]", korean.get(label) or "")]


def test_the_log_refuses_an_action_without_a_label(workspace):
    with workspace.store.session() as session, pytest.raises(ValueError, match="audit_actions"):
        audit.append(session, workspace.keys.audit_key, "admin", "person.frobnicate", "person", "RZ-1")
    with workspace.store.session() as session, pytest.raises(ValueError, match="audit_actions"):
        audit.append(session, workspace.keys.audit_key, "admin", "person.create", "persona", "RZ-1")
    with workspace.store.session() as session:
        audit.append(session, workspace.keys.audit_key, "admin", "person.create", "person", "RZ-1")
    assert _verify(workspace).intact


def _verify(workspace):  # noqa: ANN001, ANN202
    with workspace.store.session() as session:
        return audit.verify(session, workspace.keys.audit_key)
