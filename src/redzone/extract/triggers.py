"""Violations and perpetrator roles from the lexicons, with the cues that cancel an act: negation
("was not beaten", 맞지 않았다, 没有被打), hypotheticals (feared, threatened, conditional or future
acts: "feared being sold", 팔려 갈까 봐, 担心会被遣返) and topics (a "cybersex investigation" names no
act). A role is a mention, kept when the act is cancelled, but not when the text says someone is
*not* one ("they are not traffickers", 인신매매범이 아니라고, 不是人贩子)."""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from redzone.extract.facts import Fact, make
from redzone.extract.lexicon import Lexicon, Trigger, bounded, fold
from redzone.extract.scanning import NeedleIndex

_SENTENCE_END = re.compile(r"[.!?。！？\n]")
_CLAUSE_END = {"en": re.compile(r"[.!?;:,—–()\n]|\b(?:but|though|although|while|because)\b", re.I),
               "ko": re.compile(r"[.!?;:,()\n]"),
               "zh": re.compile(r"[。！？；：，、（）\n.,!?;:]")}


class Match(NamedTuple):
    """A trigger found in the text, before cues are applied (a named tuple: made by the hundred a text,
    faster than a frozen dataclass)."""

    start: int
    end: int
    values: tuple[str, ...]


def _span(match: re.Match[str]) -> tuple[int, int]:
    if "span" in match.re.groupindex and match.group("span") is not None:
        return match.span("span")
    return match.span()


_NEEDLE_INDEXES: dict[int, tuple[tuple[Trigger, ...], NeedleIndex]] = {}


def _needle_index(triggers: tuple[Trigger, ...]) -> NeedleIndex:
    """Where the triggers can match (a lexicon's violations, or its roles), worked out once per tuple
    (looked up by identity: hashing hundreds of triggers on every text would cost more than it saves)."""
    entry = _NEEDLE_INDEXES.get(id(triggers))
    if entry is None or entry[0] is not triggers:
        entry = _NEEDLE_INDEXES[id(triggers)] = (triggers, NeedleIndex((t.pattern, t.needles) for t in triggers))
    return entry[1]


def _scan(text: str, triggers: tuple[Trigger, ...], whole_words: bool) -> list[Match]:
    found = []
    haystack = fold(text)
    for number, match in _needle_index(triggers).scan(haystack):
        if whole_words and not bounded(haystack, match.start(), match.end()):
            continue
        start, end = _span(match)
        if end > start:
            found.append(Match(start, end, triggers[number].values))
    return found


def _longest(matches: list[Match]) -> list[Match]:
    """Keep, of matches that overlap and share a value, the longest (then the earliest); drop a match
    inside a longer one of another code too: "made to sell sex" is not a sale, 성폭행 is not 폭행."""
    kept: list[Match] = []
    starts: list[int] = []  # of `kept`, in order, so only the matches that may overlap are compared
    longest = 0
    for match in sorted(matches, key=lambda m: (-(m.end - m.start), m.start)):
        longest = longest or match.end - match.start  # the first is the longest
        low, high = bisect.bisect_left(starts, match.start - longest), bisect.bisect_left(starts, match.end)
        near = [kept[i] for i in range(low, high) if kept[i].end > match.start]
        if any(set(m.values) & set(match.values) or (m.start <= match.start and match.end <= m.end) for m in near):
            continue
        index = bisect.bisect_right(starts, match.start)
        starts.insert(index, match.start)
        kept.insert(index, match)
    return kept


def _joined(matches: list[Match], text: str, lang: str) -> list[Match]:
    """Two triggers of the same code a few characters apart in one clause are one act told in two
    words (对着摄像头…色情表演, "held … and locked in"): one proposal, spanning both. So are two
    back to back in neighbouring clauses, only a comma between (送到教养所，每天上山砍柴)."""
    joined: list[Match] = []
    for match in matches:
        last = joined[-1] if joined else None
        gap = text[last.end:match.start] if last is not None else ""
        if (last is not None and last.values == match.values and 0 <= match.start - last.end <= 15
                and (not _CLAUSE_END[lang].search(gap) or re.fullmatch(r"\s?[,，、]\s?", gap))):
            joined[-1] = Match(last.start, match.end, last.values)
        else:
            joined.append(match)
    return joined


# Acts told once and then unmasked or restated close by are one act: "he lied to us … There was no
# factory", 속였어요. 공장은 없었어요, 把我们骗了。根本没有工厂. Characters within which a second trigger of
# the code is the same act; the one proposal spans every telling, so whichever words a reader would
# mark ("There was no restaurant … He had made the whole thing up") lie inside it.
# A bribe and a marriage told twice in a breath are one too ("paid a guard to look away; that was a bribe",
# "called me his wife …, and I had no say in it").
_TOLD_ONCE = {"trafficking.deceptive_recruitment": 160, "corruption.bribery": 60, "marriage.forced": 80}


def _told_once(matches: list[Match]) -> list[Match]:
    kept: list[Match] = []
    last: dict[str, int] = {}  # code -> index in `kept` of its last telling
    for match in matches:
        codes = [code for code in match.values if code in _TOLD_ONCE]
        if codes and all(code in last and match.start - kept[last[code]].end <= _TOLD_ONCE[code] for code in codes):
            index = last[codes[0]]
            first = kept[index]
            kept[index] = Match(first.start, max(first.end, match.end), first.values)
            continue
        kept.append(match)
        for code in codes:
            last[code] = len(kept) - 1
    return kept


def sentence_ends(text: str) -> list[int]:
    """Offsets just past each sentence-ending mark, for `cancelled_by`."""
    return [m.end() for m in _SENTENCE_END.finditer(text)]


def _windows(text: str, start: int, end: int, lang: str, ends: list[int]) -> dict[str, str]:
    """The text around a trigger that cues are matched against."""
    index = bisect.bisect_right(ends, start)
    sentence_start = ends[index - 1] if index else 0
    following = bisect.bisect_right(ends, end)
    sentence_end = ends[following] - 1 if following < len(ends) else len(text)
    before = text[sentence_start:start]
    clause_marks = [m.end() for m in _CLAUSE_END[lang].finditer(before)]
    clause_before = before[clause_marks[-1]:] if clause_marks else before
    after = text[end:sentence_end]
    clause_end = _CLAUSE_END[lang].search(after)
    return {"clause_before": clause_before, "sentence_before": before,
            "after": after[: clause_end.start()] if clause_end else after, "sentence_after": after,
            "trigger_after": text[start:end] + (after[: clause_end.start()] if clause_end else after)}


def cancelled_by(text: str, start: int, end: int, lexicon: Lexicon, ends: list[int] | None = None) -> str | None:
    """'negation' or 'hypothetical' when a cue cancels the act at text[start:end], else None."""
    cues = lexicon.cues
    ends = sentence_ends(text) if ends is None else ends
    window = _windows(text, start, end, lexicon.language, ends)

    def hit(name: str, part: str) -> bool:
        pattern = cues.get(name)
        return bool(pattern and pattern.search(window[part]))

    # A counterfactual told of the past asserts what it negates: "If my brother had not bribed the doctor
    # …" (he did), 뇌물을 쓰지 않았다면, 要不是…塞了钱. Checked first: it overrides the negation and the "if".
    if hit("counterfactual.before", "clause_before") or hit("counterfactual.after", "trigger_after"):
        return None
    if _in_heading(text, start, end):
        return "topic"
    if _in_question(text, end, ends):
        return "hypothetical"
    if hit("negation.before", "clause_before") or hit("negation.after", "after"):
        return "negation"
    if hit("hypothetical.before", "clause_before") or hit("hypothetical.after", "after") \
            or hit("hypothetical.sentence_before", "sentence_before") \
            or hit("hypothetical.sentence_after", "sentence_after"):
        return "hypothetical"
    if hit("hypothetical.conditional", "clause_before") and not (
            hit("hypothetical.habitual", "trigger_after") or hit("hypothetical.habitual_before", "clause_before")
            or hit("hypothetical.habitual_sentence", "sentence_before")):
        return "hypothetical"
    if hit("topic.before", "clause_before") or hit("topic.after", "after"):
        return "topic"
    return None


# A numbered section heading ("4. 체포 및 송환:", "3. Arrest and return:", "三、被捕及遣返：") names a subject;
# the acts are told after it. The trigger lies between the heading's number and its colon on one line.
_HEADING_BEFORE = re.compile(r"(?:^|\n)[ \t]*(?:\d{1,2}|[A-Za-z가-힣]|[一二三四五六七八九十]{1,3})[.)、．][ \t]*[^:：\n]{0,24}$")
_HEADING_AFTER = re.compile(r"[^:：\n.。,，]{0,24}[:：]")


# A short numbered line with no sentence mark and no figure is a heading too, with no colon ("三、被捕及遣返",
# "4. Arrest and return"); a list item that tells an act has a full stop, a date or a Korean report ending (북송됨).
_HEADING_LINE = re.compile(r"[ \t]*(?:\d{1,2}|[A-Za-z가-힣]|[一二三四五六七八九十]{1,3})[.)、．][ \t]*"
                           r"(?P<title>[^:：\n.。,，;；!?！？0-9０-９]{1,28})[ \t]*(?:\n|$)")
_REPORT_ENDING = re.compile(r"(?:[음함됨짐림김임])$")


def _in_heading(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start)
    # a match begins at the text's start or at a line break, and no break lies after `line_start`: tried
    # there only (a search would try every place of a long Chinese line)
    if _HEADING_BEFORE.match(text, max(0, line_start), start) and _HEADING_AFTER.match(text, end):
        return True
    line = _HEADING_LINE.match(text, line_start + 1)
    return bool(line and line.start("title") <= start and end <= line.end("title")
                and not _REPORT_ENDING.search(line.group("title").rstrip()))


def _in_question(text: str, end: int, ends: list[int]) -> bool:
    """The trigger's sentence is a question ("Were you ever caught?", 잡힌 적 있어요?, 你是怎么被抓的？)."""
    index = bisect.bisect_left(ends, end + 1)
    return index < len(ends) and text[ends[index] - 1] in "?？"


def _clause_start(text: str, start: int, lang: str, ends: list[int], sentences: int = 1) -> int:
    """Where the text a cue is looked for begins: `sentences` sentences back, within the paragraph."""
    index = bisect.bisect_right(ends, start)
    begin = ends[index - sentences] if index >= sentences else 0
    paragraph = text.rfind("\n\n", 0, start)
    return max(begin, paragraph + 1)


def _last(pattern: re.Pattern[str] | None, text: str, begin: int, end: int) -> int:
    """Where the last match of `pattern` in text[begin:end] ends, or -1."""
    if pattern is None:
        return -1
    found = -1
    for match in pattern.finditer(text, begin, end):
        found = match.end()
    return found


def _recoded(text: str, matches: list[Match], lexicon: Lexicon, ends: list[int]) -> list[Match]:
    """A conveyance done by the police is an arrest, not trafficking transport ("Three policemen came and
    took me away", 경찰이 들이닥쳐서 저를 끌고 갔어요, 民警来了，把我带走了): the agent is the nearest of the
    police words (`arrest.agent`) and the traffickers' (`arrest.other`) in this sentence or the one before.
    A posture exercise done stripped is a body search, not torture (옷을 다 벗겨 놓고 앉았다 일어섰다,
    脱光衣服蹲下站起, "made us squat naked"): `search.posture` in the trigger, `search.naked` in its sentence."""
    agent, other = lexicon.cues.get("arrest.agent"), lexicon.cues.get("arrest.other")
    posture, naked = lexicon.cues.get("search.posture"), lexicon.cues.get("search.naked")
    out = []
    for match in matches:
        if match.values == ("trafficking.transport",) and agent is not None:
            begin = _clause_start(text, match.start, lexicon.language, ends, 2)
            police = _last(agent, text, begin, match.start)
            if police >= 0 and police > _last(other, text, begin, match.start):
                match = Match(match.start, match.end, ("detention.arbitrary",))
        elif match.values == ("detention.torture",) and posture is not None and naked is not None \
                and posture.search(text, match.start, match.end):
            index = bisect.bisect_right(ends, match.start)
            begin = ends[index - 1] if index else 0
            stop = ends[index] if index < len(ends) else len(text)
            if naked.search(text, begin, stop):
                match = Match(match.start, match.end, ("detention.invasive_search",))
        out.append(match)
    return out


def _escaping(text: str, start: int, lexicon: Lexicon, ends: list[int]) -> bool:
    """The journey at `start` is one the woman sought: an escape, or a guide she or her family paid
    ("In 2019 I ran away … he took us by bus to Kunming", 도망쳐서 … 버스로 이동했다, 逃出来以后…带我们到昆明).
    The cue is looked for from the sentence before the trigger's, within its paragraph."""
    cue = lexicon.cues.get("escape.before")
    if cue is None:
        return False
    index = bisect.bisect_right(ends, start)
    begin = ends[index - 2] if index >= 2 else 0
    paragraph = text.rfind("\n\n", 0, start)
    return bool(cue.search(text, max(begin, paragraph + 1), start))


def find_violations(text: str, lexicon: Lexicon, keep_cancelled: bool = False) -> list[Fact]:
    """Violation facts for every trigger not cancelled by negation or a hypothetical (kept, with a low
    confidence, if `keep_cancelled`). A compound trigger ("sold as a bride") gives one fact per code."""
    facts = []
    ends = sentence_ends(text)
    matches = _joined(_recoded(text, _longest(_scan(text, lexicon.violations, lexicon.language == "en")), lexicon, ends),
                      text, lexicon.language)
    for match in _told_once(matches):
        reason = cancelled_by(text, match.start, match.end, lexicon, ends)
        if reason is None and match.values == ("trafficking.transport",) and _escaping(text, match.start, lexicon, ends):
            reason = "escape"
        if reason and not keep_cancelled:
            continue
        confidence = 0.8 if len(match.values) == 1 else 0.75
        for code in match.values:
            facts.append(make("violation", text, match.start, match.end, 0.3 if reason else confidence, code=code))
    return facts


def _not_a_role(text: str, match: Match, lexicon: Lexicon) -> bool:
    """The role word is said not to apply: "they are not traffickers", 인신매매범이 아니라고, 不是人贩子.
    The cues are short and anchored at the role word, so a few words either side are enough."""
    before, after = lexicon.cues.get("not_a_role.before"), lexicon.cues.get("not_a_role.after")
    return bool(before and before.search(text, max(0, match.start - 40), match.start)
                or after and after.match(text, match.end, match.end + 12))


def _taken_up(text: str, matches: list[Match], lexicon: Lexicon) -> list[Match]:
    """Later mentions of a perpetrator's noun, taken up again ("sold me to a farmer … the farmer"), and
    the kin of a buyer named through it ("the farmer's mother"): the roles the noun alone would not give."""
    if lexicon.anaphora is None and lexicon.kin is None:
        return []
    english = lexicon.language == "en"
    haystack = fold(text)
    first: dict[str, tuple[int, str]] = {}  # noun -> (where it first named a perpetrator, the role)
    for match in matches:
        noun = haystack[match.start:match.end]
        if english and len(noun) > 3 and noun.endswith("s"):
            noun = noun[:-1]
        first.setdefault(noun, (match.start, match.values[0]))
    found: list[Match] = []
    for noun, (position, role) in first.items():
        plural = r"(?:e?s)?\b" if english else r"(?:들)?"
        for mention in re.finditer(re.escape(noun) + plural, haystack):
            start, end = mention.start(), mention.start() + len(noun)
            if english and not bounded(haystack, start, mention.end()):
                continue
            before = text[max(0, start - 12):start]
            if start > position and lexicon.anaphora is not None and lexicon.anaphora.search(before):
                found.append(Match(start, end, (role,)))
            kin_role = dict(lexicon.kin_roles).get(role)
            if kin_role and lexicon.kin is not None and (kin := lexicon.kin.match(text, mention.end())):
                found.append(Match(*kin.span("span"), (kin_role,)))
    return found


def find_roles(text: str, lexicon: Lexicon, cybersex: bool = False) -> list[Fact]:
    """Perpetrator facts. Operators of places of exploitation are cybersex operators when the text
    speaks of cybersex (`cybersex`: a cybersex trigger was found, asserted or not), brothel operators otherwise.
    A noun that named a perpetrator names the same one when taken up again ("the farmer")."""
    whole_words = lexicon.language == "en"
    matches = _scan(text, lexicon.roles, whole_words)
    if lexicon.operator is not None:
        cyber_role, other_role = lexicon.operator_roles
        haystack = fold(text)
        for found in lexicon.operator.finditer(haystack):
            if whole_words and not bounded(haystack, found.start(), found.end()):
                continue
            brothel = lexicon.operator_brothel_only and lexicon.operator_brothel_only.fullmatch(found.group())
            role = other_role if brothel or not cybersex else cyber_role
            matches.append(Match(found.start(), found.end(), (role,)))
    if matches:
        matches += _taken_up(text, sorted(matches, key=lambda m: m.start), lexicon)
    kept: list[Match] = []
    for match in sorted(matches, key=lambda m: (-(m.end - m.start), m.start)):
        if not any(m.start < match.end and match.start < m.end for m in kept):
            kept.append(match)
    return [make("perpetrator", text, m.start, m.end, 0.7, role=m.values[0]) for m in sorted(kept, key=lambda m: m.start)
            if not _not_a_role(text, m, lexicon)]
