"""Romanisation of Hangul: Revised Romanisation (South Korea, 2000) and McCune–Reischauer (the system
North Korea's own variant and older records use), both from the jamo of each syllable.

Sound changes applied between the syllables of one word (a run of Hangul syllables):
- liaison: a final consonant moves onto a following silent ㅇ (미옥이 → mi-o-gi), the second of a
  double final moves (앉아 → anja), final ㅎ falls silent (좋아 → joa);
- palatalisation: final ㄷ/ㅌ before 이 → j/ch (같이 → gachi);
- nasalisation: k/t/p-sounding finals before ㄴ/ㅁ → ng/n/m (박만 → bangman, 옥남 → ongnam);
- ㄹ: ㄴ+ㄹ and ㄹ+ㄴ → ll (신라 → silla), ㄹ after ㅁ/ㅇ → n (종로 → jongno), after k/t/p → n with
  nasalisation (백리 → baengni);
- aspiration after final ㅎ (좋고 → joko); as RR prescribes for nouns, k/t/p + ㅎ is left as kh/th/ph.
Not handled: tensification (never written in RR), word-specific exceptions (의견란, 솜이불 ㄴ-insertion),
the ㄹ-nasalisation exceptions of some Sino-Korean compounds, and word boundaries inside an unspaced run.
Official RR writes personal names without sound changes between syllables (한복남 → Han Boknam):
pass `sound_changes=False` for that, as the name keys do.
"""

from __future__ import annotations

import unicodedata

SYLLABLE_FIRST, SYLLABLE_LAST = 0xAC00, 0xD7A3

# Initial consonants in Unicode order: ㄱ ㄲ ㄴ ㄷ ㄸ ㄹ ㅁ ㅂ ㅃ ㅅ ㅆ ㅇ ㅈ ㅉ ㅊ ㅋ ㅌ ㅍ ㅎ
G, KK, N, D, TT, R, M, B, PP, S, SS, NG, J, JJ, CH, K, T, P, H = range(19)
RR_INITIAL = ("g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h")
# Vowels in Unicode order: ㅏ ㅐ ㅑ ㅒ ㅓ ㅔ ㅕ ㅖ ㅗ ㅘ ㅙ ㅚ ㅛ ㅜ ㅝ ㅞ ㅟ ㅠ ㅡ ㅢ ㅣ
RR_VOWEL = ("a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi",
            "yu", "eu", "ui", "i")
MR_VOWEL = ("a", "ae", "ya", "yae", "ŏ", "e", "yŏ", "ye", "o", "wa", "wae", "oe", "yo", "u", "wŏ", "we", "wi",
            "yu", "ŭ", "ŭi", "i")
VOWEL_I, VOWEL_WI = 20, 16
Y_VOWELS = frozenset((2, 3, 6, 7, 12, 17, 20))  # ㅑ ㅒ ㅕ ㅖ ㅛ ㅠ ㅣ: where the initial-sound rule drops ㄹ/ㄴ

# Finals (index 0 = none) as (what stays as the final, initial that moves onto a following ㅇ) — both as
# initial-consonant indices, None for nothing.  Order: - ㄱ ㄲ ㄳ ㄴ ㄵ ㄶ ㄷ ㄹ ㄺ ㄻ ㄼ ㄽ ㄾ ㄿ ㅀ ㅁ ㅂ ㅄ ㅅ ㅆ ㅇ ㅈ ㅊ ㅋ ㅌ ㅍ ㅎ
FINAL_JAMO = (None, (G,), (KK,), (G, S), (N,), (N, J), (N, H), (D,), (R,), (R, G), (R, M), (R, B), (R, S), (R, T),
              (R, P), (R, H), (M,), (B,), (B, S), (S,), (SS,), (NG,), (J,), (CH,), (K,), (T,), (P,), (H,))
# The seven sounds a final can have: k n t l m p ng (ㄺ → k, ㄻ → m, ㄼ ㄽ ㄾ ㅀ → l, ㄿ → p, ㅄ → p).
_FINAL_SOUND = ("", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t",
                "t", "ng", "t", "t", "k", "t", "p", "t")
_NASAL_OF = {"k": "ng", "t": "n", "p": "m"}
_ASPIRATED = {G: K, D: T, J: CH}


def is_hangul_syllable(ch: str) -> bool:
    return SYLLABLE_FIRST <= ord(ch) <= SYLLABLE_LAST


def has_hangul(text: str) -> bool:
    return any(SYLLABLE_FIRST <= ord(ch) <= SYLLABLE_LAST for ch in text)


def decompose(syllable: str) -> tuple[int, int, int]:
    """(initial, vowel, final) indices of one Hangul syllable."""
    code = ord(syllable) - SYLLABLE_FIRST
    return code // 588, (code % 588) // 28, code % 28


def compose(initial: int, vowel: int, final: int = 0) -> str:
    return chr(SYLLABLE_FIRST + initial * 588 + vowel * 28 + final)


def to_south_initial(hangul: str) -> str:
    """Apply South Korea's initial-sound rule (두음법칙) to the first syllable: North 리/림/류/로/련 →
    South 이/임/유/노/연 (ㄹ before i/y → silent, before other vowels → ㄴ; ㄴ before i/y → silent)."""
    if not hangul or not is_hangul_syllable(hangul[0]):
        return hangul
    initial, vowel, final = decompose(hangul[0])
    if initial == R:
        initial = NG if vowel in Y_VOWELS else N
    elif initial == N and vowel in Y_VOWELS:
        initial = NG
    else:
        return hangul
    return compose(initial, vowel, final) + hangul[1:]


class _Syllable:
    """A syllable while the sound changes work on it: `final` is a sound (k n t l m p ng, '' for none)."""

    __slots__ = ("initial", "vowel", "final", "after_l")

    def __init__(self, initial: int, vowel: int, final: str) -> None:
        self.initial, self.vowel, self.final = initial, vowel, final
        self.after_l = False  # an initial ㄹ after a final ㄹ is written l (ll), not r


def _syllables(word: str, sound_changes: bool) -> list[_Syllable]:
    raw = [decompose(ch) for ch in word]
    out = [_Syllable(i, v, _FINAL_SOUND[f]) for i, v, f in raw]
    if not sound_changes:
        return out
    for n in range(len(out) - 1):
        here, after, final_index = out[n], out[n + 1], raw[n][2]
        if final_index == 0:
            continue
        jamo = FINAL_JAMO[final_index]
        if after.initial == NG:  # liaison
            if final_index == 21:  # ㅇ never moves
                continue
            if jamo[-1] == H:  # ㅎ falls silent; ㄶ ㅀ leave ㄴ ㄹ to move
                moved = jamo[0] if len(jamo) == 2 else None
                stays = None
            else:
                moved, stays = jamo[-1], (jamo[0] if len(jamo) == 2 else None)
            here.final = "" if stays is None else _FINAL_SOUND[FINAL_JAMO.index((stays,))]
            if moved is not None:
                if after.vowel == VOWEL_I and moved in (D, T):  # palatalisation: 같이 → gachi
                    moved = J if moved == D else CH
                after.initial = moved
            continue
        if jamo[-1] == H and after.initial in _ASPIRATED:  # 좋고 → joko, 않다 → anta
            after.initial = _ASPIRATED[after.initial]
            here.final = "" if len(jamo) == 1 else _FINAL_SOUND[FINAL_JAMO.index((jamo[0],))]
            continue
        if after.initial == R:
            if here.final in ("l", "n"):  # 설령, 신라 → ll
                here.final, after.after_l = "l", True
            else:  # 종로 → jongno; 백리 → baengni
                after.initial = N
                here.final = _NASAL_OF.get(here.final, here.final)
        elif after.initial in (N, M):
            if here.final == "l" and after.initial == N:  # 설날 → seollal
                after.initial, after.after_l = R, True
            else:
                here.final = _NASAL_OF.get(here.final, here.final)
    return out


def _runs(text: str):
    """Split text into (is_hangul, chunk) runs."""
    start = 0
    for n in range(1, len(text) + 1):
        if n == len(text) or is_hangul_syllable(text[n]) != is_hangul_syllable(text[start]):
            yield is_hangul_syllable(text[start]), text[start:n]
            start = n


def romanise(hangul: str, sound_changes: bool = True) -> str:
    """Revised Romanisation of the Hangul in `hangul`, lower case; other characters pass through.

    >>> romanise("김미옥"), romanise("신라"), romanise("은희", sound_changes=False)
    ('gimmiok', 'silla', 'eunhui')
    """
    parts: list[str] = []
    for hangul_run, chunk in _runs(hangul):
        if not hangul_run:
            parts.append(chunk)
            continue
        for syllable in _syllables(chunk, sound_changes):
            initial = "l" if syllable.initial == R and syllable.after_l else RR_INITIAL[syllable.initial]
            parts.append(initial + RR_VOWEL[syllable.vowel] + syllable.final)
    return "".join(parts)


_MR_PLAIN = {G: ("k", "g"), D: ("t", "d"), B: ("p", "b"), J: ("ch", "j")}  # (voiceless, voiced)
_MR_INITIAL = ("k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "ch", "tch", "ch'", "k'", "t'", "p'",
               "h")
_VOICED_FINALS = frozenset(("", "n", "l", "m", "ng"))


def romanise_mr(hangul: str, ascii: bool = False, sound_changes: bool = True) -> str:
    """McCune–Reischauer of the Hangul in `hangul`, lower case: ŏ ŭ, aspirates k' t' p' ch', plain stops
    voiced between voiced sounds (미옥 → miok, 은경 → ŭn'gyŏng is written ŭngyŏng here).

    `ascii=True` gives the folded form seen in North Korean and older English records: breves and
    apostrophes dropped (정 → chong, 최 → choe).
    """
    parts: list[str] = []
    for hangul_run, chunk in _runs(hangul):
        if not hangul_run:
            parts.append(chunk)
            continue
        previous_final = None  # None: word start
        for syllable in _syllables(chunk, sound_changes):
            initial = syllable.initial
            if initial in _MR_PLAIN:
                voiced = previous_final is not None and previous_final in _VOICED_FINALS
                onset = _MR_PLAIN[initial][voiced]
            elif initial == R:
                onset = "l" if syllable.after_l else "r"
            elif initial == S and syllable.vowel == VOWEL_WI:
                onset = "sh"
            else:
                onset = _MR_INITIAL[initial]
            parts.append(onset + MR_VOWEL[syllable.vowel] + syllable.final)
            previous_final = syllable.final
    text = "".join(parts)
    return fold_ascii(text) if ascii else text


def fold_ascii(text: str) -> str:
    """Drop diacritics (ŏ → o, ŭ → u) and the apostrophes of aspiration (ch' → ch)."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ch not in "'’ʼ‘`")
    return unicodedata.normalize("NFC", kept)
