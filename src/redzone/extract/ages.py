"""Ages of people in English, Korean and Chinese: "aged 15", "12-year-old", "between 12 and 29",
"as young as 9", "the eldest, then 19,", "sold at sixteen", "열아홉 살", "12세에서 29세 사이", "20대",
"당시 열아홉,", "十九岁", "12至29岁", "二十多岁", "年仅十四", "who was then four", "about forty", "Kim, 34,",
"나이 열일곱에", "当时才十九", "a nurse from Musan now 52,", "a photo of her at nine", "a boy of about eleven",
"年近六十", "三十来岁", "那时他才十七", "十七八岁", "대여섯 살", "십대". An age difference ("저보다 스물세 살이
많았다", 比我大十五岁) is not an age, nor is a threshold ("under 18", "18세 미만", "未满十八岁"). A single age has
min = max; a decade ("in her twenties", 20대, 二十多岁) is its ten years; a teenager is 13–19."""

from __future__ import annotations

import re

from redzone.extract import numbers
from redzone.extract.facts import Fact, make, windows
from redzone.extract.narrowing import narrowed
from redzone.extract.scanning import guarded

_N = rf"(?:\d{{1,2}}|{numbers.EN_WORD_NUMBER})"
# Words for a person before "at" + an age: "a photograph of her at twelve", "Hyo-jin at nine".
_AT_PERSON = ("her", "him", "me", "them", "us", "herself", "himself", "myself", "girl", "girls", "boy", "boys", "daughter",
              "daughters", "son", "sons", "sister", "sisters", "brother", "brothers", "child", "children", "niece", "nephew",
              "mother", "father", "wife", "bride", "Her", "Him", "Me", "Them", "Us")
_DECADES = {"teens": (13, 19), "twenties": (20, 29), "thirties": (30, 39), "forties": (40, 49), "fifties": (50, 59)}
_EN = [
    re.compile(rf"\b(?:aged|ages)\s+(?:between\s+)?(?P<a>{_N})\s*(?:and|to|or|-|–)\s*(?P<b>{_N})\b", re.I),
    re.compile(rf"\bbetween\s+(?P<a>{_N})\s+and\s+(?P<b>{_N})\s+years?\s+old\b", re.I),
    # "12-year-old", "15 years old", and one of two: "seventeen or eighteen years old"
    re.compile(rf"\b(?P<a>{_N})(?:\s+or\s+(?P<b>{_N}))?[-\s]years?[-\s]old\b", re.I),
    re.compile(rf"\b(?:aged|at the age of|age)\s+(?P<a>{_N})\b", re.I),
    re.compile(rf"\bas young as\s+(?P<a>{_N})\b", re.I),
    re.compile(rf"\byoungest(?:\s+\w+)?\s+(?:was|were|is)\s+(?P<a>{_N})\b", re.I),
    re.compile(rf"\b(?:was|were|am|is)\s+(?P<a>{_N})(?:\s+and\s+(?P<a2>{_N}))?"
               rf"(?=\s*(?:[.,;:)]|$|when\b|at the time\b|years old\b|(?:and\s+)?(?:I|she|he|we|they)\b"
               rf"|and\s+(?:could|couldn.t|could not|did|didn.t|had|was|wasn.t|would|spoke|worked|lived|drank|already|still)\b))"),
    re.compile(rf"\b(?:girl|boy|child|daughter|son|woman|man|lad|youth|widow|widower|bachelor|farmer|labou?rer|miner|"
               rf"driver|soldier|trader|teacher|nurse|grandmother|grandfather) of (?:(?:about|around|roughly|perhaps|maybe|barely|only|"
               rf"just|no more than|not more than|at most)\s+)?(?P<a>{_N})\b(?!\s*(?:years|months|weeks|days|or so\b\s*\w))", re.I),
    re.compile(r"\bin\s+(?:her|his|their|my|our)\s+(?P<decade>teens|twenties|thirties|forties|fifties)\b", re.I),
    # An age set off after a person, with no cue word but "then" or "now": "the eldest, then 19, and …".
    re.compile(rf"(?:(?<=, )|(?<=\())(?:then|now|aged|still only|only|just|about|around|roughly|approximately|nearly|almost|perhaps|"
               rf"maybe|probably|barely)\s+(?P<a>{_N})(?=\s*(?:[,;)]|and\b|when\b))", re.I),
    # An age after a verb of being with a word of time or degree between: "who was then four", "is now
    # ten and goes to school", "She is now 26.", "turned eighteen"; the eldest or youngest "only fifteen".
    re.compile(rf"\b(?:was|were|is|am|are|turned|turns|being)\s+(?:then|now|only|just|barely|still|already|about|around|"
               rf"nearly|almost|roughly|not yet|at the time)\s+(?:only\s+)?(?P<a>{_N})\b"
               rf"(?=\s*(?:[.,;:)!]|$|and\b|but\b|when\b|at the time\b|years? old\b|in \d{{4}}\b))", re.I),
    re.compile(rf"\b(?:turned|turns)\s+(?P<a>{_N})\b(?!\s*(?:%|percent|times|years?\b))", re.I),
    re.compile(rf"\b(?:youngest|eldest|oldest)(?:\s+(?:of (?:us|them|the \w+)|\w+))?,?\s+(?:(?:was|were|is|being)\s+)?"
               rf"(?:only|just|barely|then|now|aged)\s+(?P<a>{_N})\b(?!\s*(?:of\b|years? (?:older|younger)|%|percent))", re.I),
    # A news report's age after a name: "Kim Hye-jin, 34, said".
    re.compile(r"(?<=[a-z]), (?P<a>[1-9]\d), (?=(?:a|an|the|who|said|says|told|now|was|is|from|recalled|described)\b)"),
    # The age at which something happened to her: "sold at sixteen", "married at the age of 17" (above).
    re.compile(rf"\b(?:sold|married|bought|trafficked|taken|left home|crossed|fled|escaped|arrested|widowed|"
               rf"pregnant)\b[^.;\d]{{0,30}}?\bat\s+(?:just\s+|only\s+)?(?P<a>{_N})\b"
               rf"(?!\s*(?:[:.]\d|%|percent|a\.m|p\.m|o.clock|yuan|dollars|won|years?\b|months?\b|in the))", re.I),
    re.compile(r"\b(?:as\s+an?\s+)?(?P<teen>teenagers?)\b", re.I),
    # "now" or "then" with an age right after a noun phrase, set off by a comma: "a nurse from Hoeryong
    # now 52, said", "her brother then nine, …"; not a count ("now 41 women"), which no comma follows.
    # (The literal comes first and the words before it are checked behind it, so `re` can skip ahead.)
    re.compile("(?:" + "|".join(rf"{cue}(?<=[a-z] {cue})"
                                + "".join(rf"(?<!\b{word} {cue})" for word in ("and", "or", "but", "to", "than", "from"))
                                for cue in ("now", "then")) + rf")\s+(?P<a>{_N})(?=\s*[,;)]|\.(?:\s|$))"),
    # A number word after "at" that ends its phrase, said of a person (a pronoun, a person noun or a
    # hyphenated given name): "a photograph of Eun-byul at twelve", "I lost her at nine, and"; "arrived
    # in Yanji at ten" is a clock time, and digits ("at 12.") are left to the verbs above.
    re.compile(r"\bat(?:" + "|".join(
        [rf"(?<=\b{word} at)" for word in _AT_PERSON]
        + [rf"(?<=[A-Z][a-z]{{{a}}}-[a-z]{{{b}}} at)" for a in (1, 2, 3) for b in (2, 3, 4)])
        + rf")\s+(?i:(?:just|only|barely|about|around)\s+)?(?P<a>(?i:{numbers.EN_WORD_NUMBER}))\b"
        rf"(?=\s*(?:[,.;:)!?]|$|and\b|but\b|when\b|or\b))"
        rf"(?!\s*(?:and\s+)?(?i:a\.m|p\.m|o.clock|at night|in the (?:morning|evening)))"),
]
_KO_N = rf"(?:\d{{1,2}}|{numbers.KO_NATIVE})"
_KO = [
    re.compile(r"(?P<a>\d{1,2})\s?(?:세|살)?\s?(?:에서|부터|~|-)\s?(?P<b>\d{1,2})\s?(?:세|살)(?:\s?사이)?"),
    # the same in native numerals, the counter on both (두 살부터 열일곱 살까지)
    re.compile(rf"(?<![가-힣])(?P<a>{numbers.KO_NATIVE})\s?살\s?(?:에서|부터)\s?(?P<b>{numbers.KO_NATIVE})\s?살(?:\s?까지|\s?사이)?"),
    # two neighbouring native numbers are one of two (열일고여덟 살, 스물두세 살, 대여섯 살): before the single
    # numbers, as 스물두세 would otherwise be 22 with 세 as its counter
    re.compile(r"(?<![가-힣])(?P<pair_ko>(?:열|스물|서른|마흔)?(?:한두|두세|서너|너덧|대여섯|예닐곱|일고여덟|여덟아홉))\s?(?:살|세)"),
    # digits take 살 or 세 (19세), native numerals only 살 (열아홉 살): 두세 명 is "two or three", not aged 2
    re.compile(rf"(?<![가-힣\d])(?P<a>\d{{1,2}}\s?(?=살|세)|{numbers.KO_NATIVE}\s?(?=살))(?:살|세)(?![계상금대기])"),
    re.compile(r"(?<![\d,])(?P<decade_ko>[1-9])0대(?=\s|[에의인였이,.)]|$)"),
    # the same in words (십대, 사십 대)
    re.compile(r"(?<![가-힣])(?P<decade_ko_word>십|이십|삼십|사십|오십)\s?대(?=\s|[에의인였이,.)]|$)"),
    # An age with no counter word after a word of time: "당시 열아홉, 막내는 열넷이었다".
    re.compile(rf"(?<=당시 |그때 |현재 |올해 |지금 |이제 |그해 )(?P<a>{_KO_N})(?=,|\.|이었|였|이던|이고|인\s|인데|이에요|예요|이야|이지만|이니까|이 ?됐|이 ?되었)"),
    # A native numeral of ten or more said of a person is an age: "막내는 열넷이었다" (not 둘이었다, two people).
    # The same with the person between: "그때 제가 스물둘이었어요", "당시 언니는 열아홉이었다".
    re.compile(rf"(?:당시|그때|현재|올해|지금|이제|그해|그 무렵)\s(?:제가|내가|저는|나는|그녀는|그녀가|그는|그가|딸은|딸이|아들은|아들이|"
               rf"동생은|동생이|언니는|언니가|남편은|남편이)\s(?P<a>{_KO_N})(?=,|\.|이었|였|이던|이고|인\s|인데|이에요|예요|이야|이지만|이 ?됐|이 ?되었)"),
    re.compile(r"(?<=[은는] )(?P<a>(?:열|스물|스무|서른|마흔)(?:하나|둘|셋|넷|다섯|여섯|일곱|여덟|아홉)?)(?=이었|였|이던|이다)"),
    # "나이는 스물", "나이 열일곱에", and a native numeral of ten or more with 에/때 (열일곱에 팔렸다), not
    # a ratio (열에 아홉).
    re.compile(rf"(?:(?<=나이 )|(?<=나이[는가로] ))(?P<a>{_KO_N})(?![가-힣\d]{{0,1}}(?:명|건|개|번|월|년|시|분|만|천))"),
    re.compile(r"(?<![가-힣])(?P<a>(?:열|스물|스무|서른|마흔)(?:하나|둘|셋|넷|다섯|여섯|일곱|여덟|아홉)?)(?:에|때|이던 해)(?=\s)"
               r"(?!\s(?:하나|둘|셋|넷|다섯|여섯|일곱|여덟|아홉|한|두|세|네))"),
]
_ZH_N = r"(?:\d{1,2}|[一二三四五六七八九十两]{1,3})"
_ZH_COUNTED = [  # each holds 岁
    re.compile(rf"(?:在)?(?P<a>{_ZH_N})(?:岁)?(?:至|到|-|~)(?P<b>{_ZH_N})岁(?:之间)?"),
    re.compile(r"(?P<decade_zh>[一二三四五六七八九])十多岁"),
    re.compile(r"(?P<teen_zh>十几)岁"),
    # 来 after the number is "about" (四十来岁): the age is its number. Two neighbouring numbers run
    # together are one of two: 十七八岁 (17 or 18), 二十五六岁; 三四十岁 is 30 to 40. (One pattern, one scan.)
    re.compile(rf"(?:(?P<tens_zh>[二三四五六七八][三四五六七八九])十|(?P<pair_zh>(?:[二三四五六七八九]?十)?[一二三四五六七八九]{{2}})"
               rf"|(?P<a>{_ZH_N}))(?:周|来)?岁"),
]
_ZH = [
    *_ZH_COUNTED,
    # An age with no 岁 after a word that announces one: 年仅十四, 时年19, 年近五十 (nearly fifty).
    re.compile(rf"(?<=年仅|时年|年方|现年|年近|年约)(?P<a>{_ZH_N})(?![\d岁万千百年月日号名人个次天周元块])"),
    # An age frame with no 岁: a time word, perhaps the person, and 才/只有/刚满 (那年她才十九, 当时我只有十六).
    re.compile(rf"(?:当时|那年|那时|那时候|今年|这年|那一年)(?:她|他|我|孩子|女儿|儿子)?(?:才|只有|刚|刚满|已经|也就|不过)"
               rf"(?P<a>{_ZH_N})(?![\d岁万千百年月日号名人个次天周元块分])"),
    # The same frame with nothing between the person and the number, which then ends its clause: 2010年我二十三，
    # 闺女今年十四，她今年三十了。
    re.compile(rf"(?:当时|那年|那时|那时候|今年|这年|那一年|\d{{4}}年)(?:她|他|我|孩子|女儿|儿子|闺女|老大|老二|老三|妹妹|弟弟)"
               rf"(?:今年|当时|那年)?(?:才|只有|刚满?|已经)?(?P<a>{_ZH_N})(?=[，。；！]|了[，。；！])"),
    re.compile(rf"(?:(?<=今年)|(?<=当时))(?P<a>{_ZH_N})(?=[，。；！]|了[，。；！])"),
    # The person before the time word: 我那年三十一，她当时才十九。
    re.compile(rf"(?:她|他|我|孩子|女儿|儿子|闺女)(?:当时|那年|那时|那时候|今年|这年|那一年)(?:才|只有|刚满?|已经|也就)?"
               rf"(?P<a>{_ZH_N})(?=[，。；！]|了[，。；！])"),
    # "forty-odd": 四十好几 is 40 to 49.
    re.compile(r"(?P<decade_zh>[二三四五六七八])十好几"),
]
# A threshold is not a person's age: "under 18", "aged 18 or over", 18세 미만, 未满十八岁, 十八岁以下.
_THRESHOLD = {
    "en": (re.compile(r"\b(?:under|over|below|above|younger than|older than|under the age of|over the age of)\s*$", re.I),
           re.compile(r"^\s*(?:or (?:older|over|younger|under|above|below|more)|and (?:over|under|above|older|younger))\b",
                      re.I)),
    "ko": (re.compile(r"(?!)"),
           re.compile(r"^\s?(?:미만|이하|이상|초과)")),
    "zh": (re.compile(r"(?:未满|不满|低于|超过|年满)$"),
           re.compile(r"^(?:以下|以上|以内)")),
}
# An age difference is not an age: "저보다 스물세 살이 많았다", "比我大十五岁", "twenty years older".
_DIFFERENCE = {
    "en": (re.compile(r"\b(?:older|younger|senior|junior)\s+than\s*$|\bby\s*$", re.I),
           re.compile(r"^\s*(?:years?\s+)?(?:older|younger|apart|his senior|her senior|his junior|her junior)\b", re.I)),
    "ko": (re.compile(r"보다\s?(?:무려\s?|한\s?)?$|차이가?\s?$"),
           re.compile(r"^(?:이나|이|가|쯤|정도|나|도)?\s?(?:더\s?)?(?:많|적|어리|어린|위|아래|차이|연상|연하)")),
    "zh": (re.compile(r"比[^，。]{0,6}(?:大|小|年长|年轻)(?:了)?$|相差$|差$"),
           re.compile(r"^(?:的)?(?:差距|年龄差)")),
}
_RULES = {"en": _EN, "ko": _KO, "zh": _ZH}
# Rules that cannot match without 岁, run only near it.
_COUNTER = re.compile("岁")
_NEED_COUNTER = frozenset(_ZH_COUNTED)
# Rules whose span is the number alone: the words around it are context, not part of the age.
# A person's age with "now" or "this year" after it: "My son is seven now", "Her niece is twenty this year".
# Also "then", "by then", "by now" and "at the time", and "one" or "the older" as the person ("The older one is
# thirteen now", "My daughter was nineteen by then").
_EN_NOW = re.compile(rf"\b(?:she|he|I|son|daughter|boy|girl|grandson|granddaughter|niece|nephew|brother|sister|child|baby|"
                     rf"eldest|youngest|oldest|older|younger|one|husband|wife|mother|father)\s+(?:is|was|am|will be|turns|turned)\s+"
                     rf"(?P<a>{_N})\s+(?:now|today|this year|then|by then|by now|at the time)\b", re.I)
# "one woman, now 29." — set off by a comma and ending the sentence.
_EN_NOW_END = re.compile(rf"(?<=, )(?:now|then)\s+(?P<a>{_N})(?=\.(?:\s|$))", re.I)
_NUMBER_ONLY = (*(_EN[i] for i in (6, *range(9, 15), len(_EN) - 2, len(_EN) - 1)), _EN_NOW, _EN_NOW_END, *_ZH[len(_ZH_COUNTED):])
_EN.extend((_EN_NOW, _EN_NOW_END))
# Two neighbouring ages a person was or is, with a word of time: "He was fifty-one or fifty-two then".
_EN.append(re.compile(rf"\b(?!there\b)[a-z]+\s+(?:is|was|were|am)\s+(?:about\s+|around\s+)?(?P<a>{_N})\s+or\s+"
                      rf"(?P<b>{_N})\s+(?:now|then|at the time|by then|that year)\b", re.I))
# The youngest or the oldest given a number with no verb, ending its clause: "the youngest thirteen.",
# "the youngest fourteen and the oldest …".
_EN_EXTREME = re.compile(rf"\bthe\s+(?:youngest|oldest|eldest)(?:\s+of (?:them|us|the \w+))?,?\s+(?P<a>{_N})"
                         rf"(?=\s*[.;,)]|\s+(?:and|when)\b)(?!\s*(?:%|percent|per cent))", re.I)
_EN.append(_EN_EXTREME)
_NUMBER_ONLY = (*_NUMBER_ONLY, _EN_EXTREME)


def _number(text: str, lang: str) -> int | None:
    value = numbers.parse(text, lang)
    return int(value) if value is not None and float(value).is_integer() else None


def _range(groups: dict[str, str], lang: str) -> list[tuple[int, int, str]]:
    """[(min, max, group that carries the span)]."""
    if "decade" in groups:
        low, high = _DECADES[groups["decade"].lower()]
        return [(low, high, "decade")]
    if "teen" in groups:
        return [(13, 19, "teen")]
    if "decade_ko_word" in groups:
        low = {"십": 10, "이십": 20, "삼십": 30, "사십": 40, "오십": 50}[groups["decade_ko_word"]]
        return [(low, low + 9, "")]
    if "pair_ko" in groups:
        pair = groups["pair_ko"]
        units = {"한두": 1, "두세": 2, "서너": 3, "너덧": 4, "대여섯": 5, "예닐곱": 6, "일고여덟": 7, "여덟아홉": 8}
        tail = next(word for word in units if pair.endswith(word))
        tens = numbers.parse_ko_native(pair[: -len(tail)]) or 0 if pair[: -len(tail)] else 0
        return [(tens + units[tail], tens + units[tail] + 1, "")]
    if "decade_ko" in groups:
        low = int(groups["decade_ko"]) * 10
        return [(low, low + 9, "")]
    if "decade_zh" in groups:
        low = int(numbers.parse_zh(groups["decade_zh"]) or 0) * 10
        return [(low, low + 9, "")]
    if "teen_zh" in groups:
        return [(10, 19, "")]
    if "pair_zh" in groups:
        pair = groups["pair_zh"]
        tens = numbers.parse_zh(pair[:-2]) if len(pair) > 2 else 0.0
        low, high = (int((tens or 0) + numbers.parse_zh(ch)) for ch in pair[-2:])  # type: ignore[operator]
        return [(low, high, "")] if high == low + 1 else []
    if "tens_zh" in groups:
        low, high = (int(numbers.parse_zh(ch) or 0) * 10 for ch in groups["tens_zh"])
        return [(low, high, "")] if high == low + 10 else []
    low = _number(groups["a"], lang)
    if low is None:
        return []
    if "b" in groups:
        high = _number(groups["b"], lang)
        return [(low, high, "")] if high is not None and high > low else []
    ages = [(low, low, "a")]
    if "a2" in groups and (second := _number(groups["a2"], lang)) is not None:
        ages.append((second, second, "a2"))
    return ages


# Several ages listed after one subject: each item of the list is an age. An age already read is
# followed by more ("My daughters are now 22 and 19", "the youngest was thirteen and the oldest 61",
# 열다섯, 열세 살; 长女二十、次女十七); or a plural person noun leads a list of bare numbers (아이들이 스물,
# 열여덟, 열다섯인데; 两个儿子现在一个十六、一个十三; "my sons are 12, 9 and 4").
_ITEM = {
    "en": rf"(?:the\s+(?:oldest|eldest|youngest|older|younger|other|second|third|middle)(?:\s+(?:one|son|daughter|boy|girl))?\s+"
          rf"(?:(?:was|is|being)\s+)?)?(?P<n>{_N})(?!\s*(?:years?\s+(?:older|younger|apart)|%|percent|times|[\w-]*s\b|[-:.]\d))",
    "ko": rf"(?:(?:큰|작은|막내|둘째|셋째)?(?:딸|아들|애|아이)(?:이|가|은|는)\s)?(?P<n>{_KO_N})(?:\s?살|세)?"
          rf"(?=\s?(?:,|·|와|과|이다|이고|이에요|예요|인데|입니다|이었|였|살|세|으로|로|\.|$))",
    "zh": rf"(?:一个|另一个|老[大二三四]|大的|小的|长[女子]|次[女子]|幼[女子]|小儿子|小女儿|大儿子|大女儿)?(?P<n>{_ZH_N})岁?"
          rf"(?=[，。、；,]|$|了|岁)",
}
_SEPARATOR = {"en": r"(?:\s*,\s*(?:and\s+)?|\s+and\s+)", "ko": r"(?:\s?[,·]\s?|\s?(?:와|과|하고)\s)", "zh": r"(?:[、，,]|和)"}
_LEAD = {
    "en": re.compile(rf"\b(?:daughters|sons|children|boys|girls|kids|twins|grandchildren)\s+(?:are|were)\s+(?:now\s+|then\s+|aged\s+)?"
                     rf"(?={_N}\s*(?:,|and\b))", re.I),
    "ko": re.compile(r"(?:아이들|애들|자식들|아들들|딸들|두 아들|두 딸|남매|형제)(?:이|은|는|의 나이는)\s(?:지금\s|현재\s|각각\s|이제\s)?"),
    "zh": re.compile(r"(?:(?:儿子|女儿|孩子|子女|闺女)(?:们)?(?:现在|如今|今年|当时|分别)?|(?<=[：:，,。])|^)"
                     r"(?=一个[一二三四五六七八九十\d]|老大|大的|长[女子]|大儿子|大女儿)"),
}


def _listed(text: str, lang: str, facts: list[Fact]) -> list[Fact]:
    item = re.compile(_ITEM[lang], re.I if lang == "en" else 0)
    separator = re.compile(_SEPARATOR[lang])
    taken = [(f.start, f.end) for f in facts]
    found: list[Fact] = []

    def follow(position: int, first: bool) -> None:
        """Read list items from `position` on; `first` when no separator comes before the first."""
        count = 0
        while True:
            if not first or count:
                gap = separator.match(text, position)
                if gap is None:
                    return
                position = gap.end()
            match = item.match(text, position)
            if match is None:
                return
            value = _number(match.group("n"), lang)
            if value is None or not 0 < value <= 100 or any(a < match.end() and match.start() < b for a, b in taken):
                return
            start, end = match.span("n") if lang == "en" else match.span()
            found.append(make("age", text, start, end, 0.75, min=value, max=value))
            taken.append((start, end))
            position, count = match.end(), count + 1

    for fact in facts:
        if fact.get("min") == fact.get("max"):
            follow(fact.end, False)
    for lead in _LEAD[lang].finditer(text):
        follow(lead.end(), True)
    return found


def find_ages(text: str, lang: str) -> list[Fact]:
    """Age facts; the first rule that reads a stretch of text wins; then the lists they begin."""
    facts = _find_ages(text, lang)
    return sorted(facts + _listed(text, lang, facts), key=lambda f: f.start)


def _find_ages(text: str, lang: str) -> list[Fact]:
    facts: list[Fact] = []
    taken: list[tuple[int, int]] = []
    spans = windows(text, numbers.ANCHORS[lang], 32, 24)
    counted: list[tuple[int, int]] | None = None
    for pattern in _RULES[lang]:
        if pattern in _NEED_COUNTER:  # Chinese numerals are everywhere (一个, 一起); 岁 is rarer
            counted = windows(text, _COUNTER, 12, 2) if counted is None else counted
        stretches = counted if pattern in _NEED_COUNTER else spans
        if lang == "en":  # (guarded, not narrowed to needles: the English windows are short and the needles common)
            run = guarded(pattern)  # looked up once, not once a window
            found = (m for start, end in stretches for m in run.finditer(text, start, end))
        else:  # Korean and Chinese numerals are everywhere, rarer needles narrow (살, 今年)
            found = narrowed(pattern).finditer(text, stretches)
        for match in found:
            if any(match.start() < b and a < match.end() for a, b in taken):
                continue
            groups = {k: v for k, v in match.groupdict().items() if v}
            before_cue, after_cue = _DIFFERENCE[lang]
            if before_cue.search(text, max(0, match.start() - 12), match.start()) or after_cue.match(text[match.end():match.end() + 12]):
                continue
            below, beyond = _THRESHOLD[lang]
            if below.search(text, max(0, match.start() - 16), match.start()) \
                    or beyond.match(text[match.end():match.end() + 12]):
                continue
            for low, high, group in _range(groups, lang):
                if not 0 < low <= high <= 100:
                    continue
                # "was 19.", "then 19," and "sold at 16" give the number as the span; "aged 15" and
                # "12-year-old" keep their words.
                narrow = group in ("a", "a2") and pattern in _NUMBER_ONLY or group == "a2"
                start, end = match.span(group) if narrow else match.span()
                taken.append(match.span())
                facts.append(make("age", text, start, end, 0.85, min=low, max=high))
    return sorted(facts, key=lambda f: f.start)
