"""The Korean interface is complete: every message of the template catalog has a translation, and
placeholders survive translation."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parents[2] / "src" / "redzone" / "web" / "locale"


def test_every_message_is_translated_into_korean():
    template = read_po((LOCALE / "messages.pot").open("rb"))
    korean = read_po((LOCALE / "ko" / "LC_MESSAGES" / "messages.po").open("rb"), locale="ko")
    missing = [m.id for m in template if m.id and not (korean.get(m.id) and korean.get(m.id).string)]
    assert not missing, f"untranslated (update ko/messages.po): {missing}"
    for message in korean:
        if message.id:
            assert set(re.findall(r"%\(\w+\)s", message.id)) == set(re.findall(r"%\(\w+\)s", message.string)), message.id


# The pages of issue 4; pages other issues add (linkage, estimates, review) join this list once their
# messages are in messages.pot and translated.
CATALOGUED = ("_macros", "account", "audit", "base", "claims", "dashboard", "enrol", "error", "evidence",
              "evidence_list", "identity", "login", "person", "persons", "search", "second_factor", "source",
              "sources", "testimony")


def test_templates_use_no_message_missing_from_the_catalog():
    template = {m.id for m in read_po((LOCALE / "messages.pot").open("rb")) if m.id}
    pattern = re.compile(r"""_\(\s*"([^"]+)"|_\(\s*'([^']+)'""")
    used = {a or b for path in (LOCALE.parent / "templates").glob("*.html") if path.stem in CATALOGUED
            for a, b in pattern.findall(path.read_text(encoding="utf-8"))}
    assert used - template == set(), "re-extract messages.pot (see locale/babel.cfg)"
