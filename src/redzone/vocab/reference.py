"""The vocabulary as Markdown reference tables, kept in docs/vocabulary.md between generated markers.

    python -m redzone.vocab.reference docs/vocabulary.md           rewrite the tables in place
    python -m redzone.vocab.reference --check docs/vocabulary.md   exit 1 if they are out of date
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

from redzone.vocab.loader import load_vocabulary
from redzone.vocab.model import Vocabulary


def _row(*cells: str) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    lines = [_row(*header), _row(*("---" for _ in header))]
    lines += [_row(*r) for r in rows]
    return "\n".join(lines)


def violations_table(v: Vocabulary) -> str:
    return _table(
        ("code", "English", "한국어", "provisions", "elements it can evidence"),
        [(f"`{x.code}`", x.label_en, x.label_ko, ", ".join(f"`{p}`" for p in x.provisions),
          ", ".join(f"`{e}`" for e in x.elements)) for x in v.violations.values()])


def provisions_table(v: Vocabulary) -> str:
    rows = []
    for p in v.provisions.values():
        rule = "all elements" if p.combine == "all" else "any one element"
        if p.minor_age:
            rule += f"; under {p.minor_age}, not needed: " + ", ".join(f"`{w}`" for w in p.minor_waives)
        if p.requires:
            rule += "; also needs " + ", ".join(f"`{r}`" for r in p.requires)
        elements = "<br>".join(f"`{e.id}` ({e.level})" for e in p.elements)
        rows.append((f"`{p.id}`", f"{p.instrument}, art. {p.article}", f"{p.label_en} / {p.label_ko}", rule, elements))
    return _table(("id", "instrument, article", "provision", "rule", "elements (level)"), rows)


def roles_table(v: Vocabulary) -> str:
    return _table(("code", "English", "한국어", "state actor"),
                  [(f"`{r.code}`", r.label_en, r.label_ko, "yes" if r.state_actor else "no") for r in v.roles.values()])


def lists_table(v: Vocabulary) -> str:
    return _table(("list", "English / 한국어", "codes"),
                  [(f"`{name}`", f"{v.list_labels[name].label_en} / {v.list_labels[name].label_ko}",
                    ", ".join(f"`{c}`" for c in terms)) for name, terms in v.lists.items()])


def places_table(v: Vocabulary) -> str:
    return _table(("id", "kind", "English", "한국어", "中文", "lat, lon"),
                  [(f"`{p.id}`", p.kind, p.name_en, p.name_ko, p.name_zh, f"{p.lat:.3f}, {p.lon:.3f}")
                   for p in v.places.values()])


TABLES: dict[str, Callable[[Vocabulary], str]] = {
    "violations": violations_table,
    "provisions": provisions_table,
    "roles": roles_table,
    "lists": lists_table,
    "places": places_table,
}


def update(text: str, vocabulary: Vocabulary) -> str:
    """Replace every `<!-- generated:NAME -->` … `<!-- end generated:NAME -->` block with a fresh table."""
    for name, render in TABLES.items():
        pattern = re.compile(rf"(<!-- generated:{name} -->\n)(?:.*?\n)?(<!-- end generated:{name} -->)", re.DOTALL)
        text = pattern.sub(lambda m: m.group(1) + render(vocabulary) + "\n" + m.group(2), text)
    return text


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [a for a in argv if a != "--check"]
    if len(paths) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    with open(paths[0], encoding="utf-8") as handle:
        text = handle.read()
    fresh = update(text, load_vocabulary())
    if check:
        if fresh != text:
            print(f"{paths[0]} is out of date: run python -m redzone.vocab.reference {paths[0]}", file=sys.stderr)
            return 1
        return 0
    with open(paths[0], "w", encoding="utf-8") as handle:
        handle.write(fresh)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
