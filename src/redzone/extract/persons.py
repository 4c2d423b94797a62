"""Named individuals in text — sensitive facts, to be redacted before anything is shared: romanised
Korean names ("Kim Hye-jin", "Ms. Ri Kyong-hui"), Hangul names before 씨, (가명) or 이라는, and Chinese
names marked by （化名）, 叫 or a title. Surnames are data (`data/surnames.yaml`)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

from redzone.extract.facts import Fact, make

SURNAMES_PATH = Path(__file__).with_name("data") / "surnames.yaml"


@functools.cache
def surnames() -> dict[str, tuple[str, ...]]:
    """Surnames by script: 'latin' (romanised Korean and Chinese), 'hangul', 'han'."""
    data = yaml.safe_load(SURNAMES_PATH.read_text(encoding="utf-8")) or {}
    return {script: tuple(str(s) for s in data.get(script, ())) for script in ("latin", "hangul", "han")}


@functools.cache
def _patterns() -> dict[str, list[re.Pattern[str]]]:
    names = surnames()
    latin = "|".join(sorted(names["latin"], key=len, reverse=True))
    hangul = "".join(names["hangul"])
    han = "".join(names["han"])
    given = r"[A-Z][a-z]+(?:-[a-z]+)"
    return {
        "en": [
            re.compile(rf"\b(?=[A-Z])(?:(?:Ms|Mr|Mrs|Miss|Dr)\.?\s+)?(?:{latin})\s+{given}\b"),
            re.compile(r"\b(?:Ms|Mr|Mrs|Miss|Dr)\.?\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+(?:-[a-z]+)?)?\b"),
            re.compile(r"\b(?:called|named|known as)\s+(?P<span>[A-Z][a-z]+(?:[\s-][A-Z]?[a-z]+){1,2})\b"),
            # A given name offered alone: "call me Mi-ran", "we will call her Sun-hee".
            re.compile(r"\b(?:call|calls|calling)\s+(?:me|her|him)\s+(?P<span>[A-Z][a-z]+(?:-[a-z]+)?)\b"),
        ],
        "ko": [
            re.compile(rf"(?<![가-힣])(?P<span>[{hangul}][가-힣]{{2}})(?=\s?\(가명\)|\s?씨(?![앗족름])|이라는|(?<!하)라는|이라고 "
                       rf"|로 알려진|으로 알려진)"),
            re.compile(rf"(?:브로커|연구자|연구원|기자|피해자|증인) (?P<span>[{hangul}][가-힣]{{2}})(?![가-힣])"),
            # A given name offered alone: "저를 미란이라고 불러 주세요".
            re.compile(r"(?:저를|나를|그녀를|그를|제 이름을) (?:[가-힣]+ )?(?P<span>[가-힣]{2})(?:이)?라고 (?=불러|부르|하|해)"),
        ],
        "zh": [
            re.compile(rf"(?P<span>[{han}][\u4e00-\u9fff]{{1,2}})(?=（化名）|\(化名\))"),
            re.compile(rf"(?:名叫|叫做|叫|化名)(?P<span>[{han}][\u4e00-\u9fff]{{1,2}}?)(?=的|，|。|说)"),
            # A given name offered alone: "请叫我美兰".
            re.compile(r"(?:叫我|叫她|称我为|称她为|称呼我)(?P<span>[\u4e00-\u9fff]{2})(?=[，。！、]|吧|就好|就行)"),
            re.compile(rf"(?:研究员|记者|受害人|证人|律师|教授)(?P<span>[{han}][\u4e00-\u9fff]{{2}})(?=说|表示|称|指出|，)"),
        ],
    }


def find_persons(text: str, lang: str) -> list[Fact]:
    """Person facts, each flagged `sensitive`."""
    facts: list[Fact] = []
    for pattern in _patterns()[lang]:
        for match in pattern.finditer(text):
            start, end = match.span("span") if "span" in pattern.groupindex else match.span()
            if any(f.start < end and start < f.end for f in facts):
                continue
            facts.append(make("person", text, start, end, 0.7, sensitive=True))
    return sorted(facts, key=lambda f: f.start)
