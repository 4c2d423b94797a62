"""Builds the evaluation corpus: annotated sources in `annotated/*.ann` -> `<lang>/<NNN>.txt` + gold `<NNN>.json`.

    python tests/corpus/build.py            write the files
    python tests/corpus/build.py --check    exit 1 if any built file differs (tests/extract runs this)

An `.ann` file holds documents, each opened by `=== NNN kind`. Inside, a fact is marked
`[span]{spec; spec…}`; a spec is one of
    v CODE                violation          r ROLE              perpetrator
    p PLACE_ID            place              n                   person (a named individual)
    d VALUE PRECISION     date               a MIN MAX           age
    m AMOUNT CURRENCY     money              q VALUE[..MAX] QUALIFIER [UNIT…]   quantity
`[span]{}` marks a trap the annotator checked on purpose (a negated act, a duration) and adds no fact.
Offsets are computed here, so they are exact by construction. Every document is synthetic; the
builder prepends a line saying so. Documents 001–024 whose number is a multiple of 4 are held out:
they are never used to tune the extractor. Documents from FRESH_FROM on are `fresh`: written and
annotated without running the extractor on them first, and never tuned on, so they are a held-out
part the rules were not fitted to (057–060 were written before the rules were widened on 053–056). 025–028, 029–032, 033–036, 037–040, 041–044, 045–048, 049–052 and 053–056
were earlier fresh parts: each measured as fresh, then tuned on, so they now count as tuning. Scores are reported for each part.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADERS = {
    "en": "SYNTHETIC — fictional text written for evaluation; no real person or event.",
    "ko": "합성 문서 — 평가용으로 쓴 허구의 글이며 실존 인물이나 사건이 아님.",
    "zh": "合成文本——为评测而写的虚构内容，不涉及真实人物或事件。",
}
_MARK = re.compile(r"\[([^\[\]{}]*)\]\{([^{}\[\]]*)\}")
_SECTION = re.compile(r"^=== (\d{3}) (testimony|summary|news)\s*$", re.MULTILINE)


FIRST_FRESH_FROM = 25
FRESH_FROM = 57


def _split(number: int) -> str:
    if number >= FRESH_FROM:
        return "fresh"
    if number >= FIRST_FRESH_FROM:
        return "tuning"  # earlier fresh parts: each measured once as fresh (docs/extraction.md), then tuned on
    return "heldout" if number % 4 == 0 else "tuning"


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _fact(kind: str, args: list[str], start: int, end: int, span: str, where: str) -> dict:
    from redzone.vocab import load_vocabulary

    base = {"start": start, "end": end, "text": span, "confidence": 1.0}
    if kind == "v":
        if args[0] not in load_vocabulary().violations:
            raise ValueError(f"{where}: unknown violation code {args[0]!r}")
        return {"type": "violation", **base, "code": args[0]}
    if kind == "r":
        if args[0] not in load_vocabulary().roles:
            raise ValueError(f"{where}: unknown role {args[0]!r}")
        return {"type": "perpetrator", **base, "role": args[0]}
    if kind == "p":
        place = load_vocabulary().place(args[0])
        return {"type": "place", **base, "gazetteer_id": place.id, "name": place.name_en,
                "lat": place.lat, "lon": place.lon}
    if kind == "n":
        return {"type": "person", **base, "sensitive": True}
    if kind == "d":
        return {"type": "date", **base, "value": args[0], "precision": args[1]}
    if kind == "a":
        return {"type": "age", **base, "min": int(args[0]), "max": int(args[1])}
    if kind == "m":
        return {"type": "money", **base, "amount": _number(args[0]), "currency": args[1]}
    if kind == "q":
        low, _, high = args[0].partition("..")
        fact = {"type": "quantity", **base, "value": _number(low), "qualifier": args[1],
                "unit": " ".join(args[2:])}
        if high:
            fact["max"] = _number(high)
        return fact
    raise ValueError(f"{where}: unknown spec {kind!r}")


def parse(annotated: str, lang: str, where: str) -> tuple[str, list[dict]]:
    """The plain text of one annotated document and its gold facts, offsets into that text."""
    text = HEADERS[lang] + "\n\n"
    facts: list[dict] = []
    position = 0
    for match in _MARK.finditer(annotated):
        text += annotated[position:match.start()]
        start = len(text)
        span = match.group(1)
        text += span
        for spec in filter(None, (s.strip() for s in match.group(2).split(";"))):
            kind, *args = spec.split()
            facts.append(_fact(kind, args, start, start + len(span), span, where))
        position = match.end()
    text += annotated[position:]
    for bad in ("[", "]", "{", "}"):
        if bad in text:
            line = text[: text.index(bad)].count("\n") + 1
            raise ValueError(f"{where}: stray {bad!r} on line {line} of the built text")
    facts.sort(key=lambda f: (f["start"], f["end"], f["type"]))
    return text, facts


def build() -> dict[Path, str]:
    """Every file the corpus should hold, path -> content."""
    files: dict[Path, str] = {}
    for source in sorted((HERE / "annotated").glob("*.ann")):
        lang = source.stem
        sections = _SECTION.split(source.read_text(encoding="utf-8"))
        for number, kind, body in zip(sections[1::3], sections[2::3], sections[3::3]):
            text, facts = parse(body.strip("\n") + "\n", lang, f"{source.name}:{number}")
            gold = {"file": f"{number}.txt", "language": lang, "facts": facts,
                    "corpus": {"synthetic": True, "kind": kind,
                               "split": _split(int(number))}}
            files[HERE / lang / f"{number}.txt"] = text
            files[HERE / lang / f"{number}.json"] = json.dumps(gold, ensure_ascii=False, indent=1) + "\n"
    return files


def main(argv: list[str]) -> int:
    files = build()
    if "--check" in argv:
        stale = [str(p) for p, content in files.items()
                 if not p.is_file() or p.read_text(encoding="utf-8") != content]
        for path in stale:
            print(f"stale: {path}")
        return 1 if stale else 0
    for path, content in files.items():
        path.parent.mkdir(exist_ok=True)
        path.write_text(content, encoding="utf-8")
    print(f"wrote {len(files) // 2} documents")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
