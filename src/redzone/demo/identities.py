"""Synthetic names: a true name per simulated woman (drawn from common surnames and given-name syllables,
so it matches no one on purpose), and the way each organisation writes it — RR or McCune–Reischauer or
ad-hoc spellings, either order, hyphens and spaces, North or South orthography, the occasional typo —
so that linkage has the problems real lists have."""

from __future__ import annotations

from redzone.demo.setting import Weighted
from redzone.names import fold_ascii, romanise, romanise_mr, surname_table, to_south_initial

# Given names are composed of two syllables. The common syllables carry most of the weight; the rarer
# ones (weight 1–2) widen the pool as real lists are wide: about 5,100 pairs (an effective 2,400 with
# the weights, four times the 600 of the common syllables alone), so that on large synthetic sets
# distinct women of one birth year and town share a whole name less often.
_COMMON_FIRST = (("미", 6), ("순", 6), ("영", 7), ("은", 6), ("정", 6), ("명", 4), ("옥", 5), ("금", 5), ("혜", 4),
                 ("선", 5), ("경", 5), ("춘", 4), ("향", 3), ("련", 4), ("성", 3), ("설", 2), ("화", 2), ("연", 3),
                 ("해", 2), ("봉", 2), ("복", 2), ("숙", 2), ("진", 3), ("수", 3), ("유", 2), ("지", 3), ("려", 2),
                 ("류", 1), ("리", 1), ("송", 2), ("향", 1), ("란", 1))
_RARER_FIRST = (("가", 1), ("나", 1), ("보", 1), ("소", 2), ("서", 2), ("세", 1), ("예", 2), ("윤", 2), ("인", 2),
                ("주", 2), ("채", 1), ("하", 2), ("현", 2), ("효", 2), ("희", 2), ("애", 2), ("청", 1), ("초", 1),
                ("태", 1), ("계", 2), ("귀", 1), ("기", 1), ("길", 1), ("난", 1), ("덕", 1), ("량", 1), ("림", 1),
                ("매", 1), ("문", 1), ("민", 2), ("분", 1), ("비", 1), ("상", 1), ("신", 1), ("아", 1), ("양", 1),
                ("여", 1), ("온", 1), ("용", 1), ("운", 1), ("원", 1), ("월", 1), ("의", 1), ("일", 1), ("자", 1),
                ("장", 1), ("점", 1), ("종", 1), ("중", 1), ("창", 1), ("천", 1), ("충", 1), ("필", 1), ("한", 1),
                ("형", 1), ("홍", 1), ("환", 1), ("휘", 1), ("령", 1), ("로", 1), ("례", 1))
_COMMON_SECOND = (("희", 7), ("옥", 6), ("순", 6), ("화", 6), ("미", 4), ("숙", 5), ("자", 3), ("영", 5), ("란", 4),
                  ("실", 3), ("애", 4), ("심", 3), ("향", 4), ("주", 4), ("진", 3), ("정", 4), ("녀", 2), ("림", 2),
                  ("련", 3), ("금", 3), ("월", 2), ("단", 2), ("매", 2), ("경", 3), ("아", 2), ("연", 3), ("은", 2),
                  ("선", 3))
_RARER_SECOND = (("가", 1), ("나", 2), ("덕", 2), ("라", 1), ("랑", 1), ("례", 2), ("분", 2), ("빈", 1), ("설", 1),
                 ("송", 1), ("양", 1), ("예", 1), ("온", 1), ("윤", 1), ("이", 2), ("인", 1), ("임", 1), ("지", 2),
                 ("채", 1), ("춘", 2), ("하", 1), ("현", 2), ("혜", 2), ("비", 1), ("복", 2), ("님", 1),
                 ("명", 1), ("성", 1))
FIRST = Weighted(*zip(*(_COMMON_FIRST + _RARER_FIRST)))
SECOND = Weighted(*zip(*(_COMMON_SECOND + _RARER_SECOND)))
# Spellings people actually choose for common name syllables, beside RR.
AD_HOC = {
    "희": ("hee", "hui", "hi"), "영": ("young", "yeong", "yong"), "정": ("jung", "jeong", "chung"),
    "경": ("kyung", "kyong", "gyeong"), "순": ("soon", "sun"), "숙": ("sook", "suk"), "은": ("eun", "un"),
    "선": ("sun", "seon"), "성": ("sung", "seong"), "옥": ("ok", "ock"), "금": ("keum", "geum", "kum"),
    "춘": ("choon", "chun"), "련": ("ryon", "ryun", "yeon"), "연": ("yeon", "yon", "yun"), "혜": ("hye", "hae"),
    "명": ("myung", "myeong", "myong"), "미": ("mi", "mee"), "자": ("ja", "cha"), "란": ("ran", "lan"),
    "실": ("sil", "shil"), "심": ("sim", "shim"), "주": ("joo", "ju"), "녀": ("nyo", "nyeo"), "림": ("rim", "lim"),
    "월": ("wol", "weol"), "수": ("soo", "su"), "유": ("yoo", "yu"), "려": ("ryo", "ryeo", "yeo"),
    "류": ("ryu", "yu"), "리": ("ri", "lee"), "설": ("sol", "seol"), "아": ("a", "ah"),
}
CHINESE_GIVEN = ("Mei", "Hua", "Li", "Ying", "Xiu", "Lan", "Yu", "Fang", "Hong", "Juan", "Yan", "Xia", "Meiling",
                 "Xiaohua", "Chunhua", "Yumei")
CHINESE_SURNAMES = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Jin", "Piao", "Cui")
BROKER_GIVEN = ("Chenglong", "Dongmei", "Guoqiang", "Jianhua", "Haiyan", "Xiaoli", "Mingzhe", "Zhiyong", "Chunhua",
                "Yonghe", "Jun", "Lei", "Hai", "Fengying")
MALE_SECOND = ("철", "남", "호", "일", "수", "국", "혁", "진", "룡", "학")
_VOWELS = "aeiou"


class TrueName:
    """A woman's name as she would write it: surname entry, given-name syllables in North Korean orthography."""

    __slots__ = ("surname", "given")

    def __init__(self, surname, given: str) -> None:  # noqa: ANN001
        self.surname, self.given = surname, given

    def hangul(self, north: bool) -> str:
        forms = self.surname.hangul
        if north:
            return forms[-1] + self.given
        return forms[0] + to_south_initial(self.given)


class Names:
    """Draws true names and writes them as a given organisation would."""

    def __init__(self) -> None:
        table = surname_table()
        self.surnames = Weighted(table.surnames, [s.share for s in table.surnames])
        self._mr_north = {s.key: romanise_mr(s.hangul[-1], ascii=True).capitalize() for s in table.surnames}
        syllables = {ch for pool in (FIRST.items, SECOND.items) for word in pool for ch in (word, to_south_initial(word))}
        self._rr = {ch: romanise(ch) for ch in sorted(syllables)}
        self._mr = {ch: romanise_mr(ch) for ch in sorted(syllables)}

    def true_name(self, rng) -> TrueName:  # noqa: ANN001
        first, second = FIRST.pick(rng), SECOND.pick(rng)
        while second == first:
            second = SECOND.pick(rng)
        return TrueName(self.surnames.pick(rng), first + second)

    @staticmethod
    def hangul(name: TrueName, mode: str) -> str | None:
        """The name in Hangul as an organisation records it: mode north | south | none."""
        return None if mode == "none" else name.hangul(mode == "north")

    def legal_name(self, rng, name: TrueName, style: str, north: bool) -> str:  # noqa: ANN001
        """The name in Latin letters, written in `style`: rr | customary | mr | western | caps."""
        s = name.surname
        given = name.given if north else to_south_initial(name.given)
        if style == "mr":
            surname = self._mr_north[s.key] if north and len(s.hangul) > 1 else s.mr
            syllables = [self._mr.get(ch) or romanise_mr(ch) for ch in given]
            if rng.random() < 0.5:
                surname, syllables = fold_ascii(surname), [fold_ascii(x) for x in syllables]
        elif style == "rr":
            surname = s.rr if rng.random() < 0.5 or not s.customary else s.customary[0]
            syllables = [self._rr.get(ch) or romanise(ch) for ch in given]
        else:
            surname = s.customary[0] if s.customary else s.rr
            syllables = [_ad_hoc(rng, ch) for ch in given]
        if rng.random() < 0.05 and s.variants:
            surname = s.variants[int(rng.random() * len(s.variants))]
        roll = rng.random() * (0.84 if style == "western" else 1.0)  # given-name-first writers rarely space syllables
        if roll < 0.45:
            written = syllables[0].capitalize() + "".join("-" + x for x in syllables[1:])
        elif roll < 0.8:
            written = "".join(syllables).capitalize()
        else:
            written = " ".join(x.capitalize() for x in syllables)
        if rng.random() < 0.05:
            written = _typo(rng, written)
        if style == "western":
            return f"{written} {surname}"
        if style == "caps":
            return f"{surname.upper()} {written}"
        return f"{surname} {written}"

    def aliases(self, rng, name: TrueName) -> tuple[str, ...]:  # noqa: ANN001
        roll = rng.random()
        if roll < 0.7:
            return ()
        pinyin = name.surname.pinyin[0] if name.surname.pinyin else CHINESE_SURNAMES[int(rng.random() * len(CHINESE_SURNAMES))]
        chinese = f"{pinyin} {CHINESE_GIVEN[int(rng.random() * len(CHINESE_GIVEN))]}"
        nickname = romanise(name.given[-1]).capitalize() + "-ya"
        return (chinese,) if roll < 0.9 else (chinese, nickname)

    def broker(self, rng) -> tuple[str, str | None, str]:  # noqa: ANN001
        """(name in Latin letters, Hangul name or None, sex) of a fictional broker."""
        if rng.random() < 0.6:
            surname = CHINESE_SURNAMES[int(rng.random() * len(CHINESE_SURNAMES))]
            given = BROKER_GIVEN[int(rng.random() * len(BROKER_GIVEN))]
            return f"{surname} {given}", None, "male" if rng.random() < 0.7 else "female"
        s = self.surnames.pick(rng)
        given = FIRST.pick(rng) + MALE_SECOND[int(rng.random() * len(MALE_SECOND))]
        latin = "-".join(romanise(ch) for ch in to_south_initial(given)).capitalize()
        return f"{s.customary[0] if s.customary else s.rr} {latin}", s.hangul[0] + to_south_initial(given), "male"


def _ad_hoc(rng, syllable: str) -> str:  # noqa: ANN001
    options = AD_HOC.get(syllable)
    if options:
        return options[int(rng.random() * len(options))]
    return romanise(syllable)


def _typo(rng, text: str) -> str:  # noqa: ANN001
    """One slip of the pen: a letter dropped, doubled, swapped with the next, or a vowel changed."""
    letters = [n for n, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 3:
        return text
    n = letters[1 + int(rng.random() * (len(letters) - 2))]  # never the first letter
    roll = rng.random()
    if roll < 0.3:
        return text[:n] + text[n + 1:]
    if roll < 0.55:
        return text[:n] + text[n] + text[n:]
    if roll < 0.8 and n + 1 < len(text) and text[n + 1].isalpha():
        return text[:n] + text[n + 1] + text[n] + text[n + 2:]
    if text[n].lower() in _VOWELS:
        return text[:n] + _VOWELS[(_VOWELS.index(text[n].lower()) + 1 + int(rng.random() * 4)) % 5] + text[n + 1:]
    return text[:n] + text[n] + text[n:]
