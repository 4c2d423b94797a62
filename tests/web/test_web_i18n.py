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


def test_templates_use_no_message_missing_from_the_catalog():
    korean = {m.id for m in read_po((LOCALE / "ko" / "LC_MESSAGES" / "messages.po").open("rb"), locale="ko")
              if m.id and m.string}
    pattern = re.compile(r"""_\(\s*"([^"]+)"|_\(\s*'([^']+)'""")
    used = {a or b for path in (LOCALE.parent / "templates").glob("*.html")
            for a, b in pattern.findall(path.read_text(encoding="utf-8"))}
    assert used - korean == set(), "translate these in ko/messages.po (and re-extract messages.pot, see docs/web.md)"


def test_every_api_operation_is_documented():
    from fastapi.routing import APIRoute

    from redzone.web.routes import ROUTERS

    text = (LOCALE.parents[3] / "docs" / "web.md").read_text(encoding="utf-8")
    missing = [f"{method} {route.path}" for router in ROUTERS for route in router.routes
               if isinstance(route, APIRoute) and route.path.startswith("/api/") for method in route.methods
               if f"`{method} {route.path}`" not in text]
    assert not missing, f"docs/web.md does not describe: {missing}"
