"""Korean name keys: romanisation, surname keys across every common spelling, folded given names, and
full names in either order — the keys linkage and the entry-time duplicate warning share."""

from __future__ import annotations

import itertools

import pytest

from redzone.names import (
    SurnameTableError,
    given_name_key,
    name_keys,
    romanise,
    romanise_mr,
    split_name,
    surname_key,
    surname_table,
    to_south_initial,
)

# -- romanisation --------------------------------------------------------------------------------


@pytest.mark.parametrize("hangul, expected", [
    ("김", "gim"), ("이", "i"), ("박", "bak"), ("최", "choe"), ("정", "jeong"), ("은희", "eunhui"), ("옥", "ok"),
    ("순", "sun"), ("영", "yeong"), ("미옥", "miok"), ("강", "gang"), ("서울", "seoul"),
])
def test_revised_romanisation_of_common_syllables(hangul, expected):
    assert romanise(hangul) == expected


@pytest.mark.parametrize("hangul, expected", [
    ("신라", "silla"),  # ㄴ+ㄹ → ll
    ("설날", "seollal"),  # ㄹ+ㄴ → ll
    ("종로", "jongno"),  # ㄹ after ㅇ → n
    ("백리", "baengni"),  # ㄹ after k → n, and k nasalised
    ("옥남", "ongnam"),  # ㄱ+ㄴ → ng-n
    ("협력", "hyeomnyeok"),
    ("미옥이", "miogi"),  # liaison of a final before a vowel
    ("앉아", "anja"),  # the second of a double final moves
    ("좋아", "joa"),  # final ㅎ silent before a vowel
    ("좋고", "joko"),  # aspiration after ㅎ
    ("같이", "gachi"),  # palatalisation
])
def test_sound_changes_within_a_word(hangul, expected):
    assert romanise(hangul) == expected


def test_names_can_be_romanised_syllable_by_syllable():
    assert romanise("한복남", sound_changes=False) == "hanboknam"
    assert romanise("한복남") == "hanbongnam"


def test_non_hangul_passes_through():
    assert romanise("Kim 미옥 (b. 1990)!") == "Kim miok (b. 1990)!"
    assert romanise("") == ""


@pytest.mark.parametrize("hangul, expected, folded", [
    ("정", "chŏng", "chong"), ("최", "ch'oe", "choe"), ("은희", "ŭnhŭi", "unhui"), ("박", "pak", "pak"),
    ("김", "kim", "kim"), ("같이", "kach'i", "kachi"), ("은경", "ŭngyŏng", "ungyong"), ("리련화", "riryŏnhwa", "riryonhwa"),
    ("평양", "p'yŏngyang", "pyongyang"), ("쉬", "shwi", "shwi"),
])
def test_mccune_reischauer_and_its_ascii_form(hangul, expected, folded):
    assert romanise_mr(hangul) == expected
    assert romanise_mr(hangul, ascii=True) == folded


@pytest.mark.parametrize("north, south", [("리", "이"), ("림", "임"), ("류", "유"), ("로", "노"), ("련화", "연화"),
                                          ("녀", "여"), ("라", "나"), ("김", "김")])
def test_south_korean_initial_sound_rule(north, south):
    assert to_south_initial(north) == south


# -- surnames ------------------------------------------------------------------------------------

SURNAME_GROUPS = {
    "kim": ["Kim", "Gim", "Kym", "KIM", "김", "金"],
    "lee": ["Lee", "Yi", "Rhee", "Ri", "Rhie", "I", "Li", "이", "리", "李"],
    "park": ["Park", "Pak", "Bak", "Bahk", "박", "朴", "Piao"],
    "choi": ["Choi", "Choe", "Chwe", "Ch'oe", "최"],
    "jung": ["Jung", "Jeong", "Chung", "Jong", "Chong", "Chŏng", "정"],
    "kang": ["Kang", "Gang", "강"],
    "cho": ["Cho", "Jo", "조"],
    "yoon": ["Yoon", "Yun", "윤"],
    "jang": ["Jang", "Chang", "장"],
    "lim": ["Lim", "Im", "Rim", "Yim", "임", "림"],
    "han": ["Han", "한"],
    "oh": ["Oh", "O", "오"],
    "shin": ["Shin", "Sin", "신"],
    "seo": ["Seo", "Suh", "So", "Sŏ", "서"],
    "kwon": ["Kwon", "Gwon", "Kwŏn", "권"],
    "hwang": ["Hwang", "황"],
    "ahn": ["Ahn", "An", "안"],
    "song": ["Song", "송"],
    "jeon": ["Jeon", "Jun", "Chon", "Chŏn", "전"],
    "hong": ["Hong", "홍"],
    "ko": ["Ko", "Go", "Koh", "고"],
    "moon": ["Moon", "Mun", "문"],
    "yang": ["Yang", "Ryang", "양", "량"],
    "son": ["Son", "Sohn", "손"],
    "bae": ["Bae", "Pae", "배"],
    "baek": ["Baek", "Paek", "Paik", "백"],
    "heo": ["Heo", "Hur", "Ho", "Hŏ", "허"],
    "nam": ["Nam", "남"],
    "ryu": ["Ryu", "Yoo", "Yu", "Rhyu", "류", "유"],
    "noh": ["Noh", "No", "Ro", "Roh", "노", "로"],
    "ha": ["Ha", "하"],
    "kwak": ["Kwak", "Gwak", "곽"],
    "sung": ["Sung", "Seong", "Sŏng", "성"],
    "cha": ["Cha", "Ch'a", "차"],
    "joo": ["Joo", "Ju", "Chu", "주"],
    "woo": ["Woo", "U", "우"],
    "min": ["Min", "민"],
    "cheon": ["Cheon", "Ch'ŏn", "Ch'on", "천"],
    "namgung": ["Namgung", "Namkung", "Nam-gung", "남궁"],
}


@pytest.mark.parametrize("key, spellings", SURNAME_GROUPS.items(), ids=list(SURNAME_GROUPS))
def test_every_spelling_of_a_surname_has_one_key(key, spellings):
    assert {spelling: surname_key(spelling) for spelling in spellings} == dict.fromkeys(spellings, key)


def test_different_surnames_never_share_a_key():
    keys = {key: {surname_key(s) for s in spellings} for key, spellings in SURNAME_GROUPS.items()}
    for (a, keys_a), (b, keys_b) in itertools.combinations(keys.items(), 2):
        assert not keys_a & keys_b, f"{a} and {b} collide"


@pytest.mark.parametrize("a, b, same", [
    ("Kim", "Gim", True), ("Kim", "Kang", False), ("Lee", "Yi", True), ("Yi", "Yun", False),
    ("Song", "Sŏng", False), ("Son", "Sŏn", False), ("Chŏn", "Ch'ŏn", False), ("Park", "Bak", True),
    ("O", "Ŏ", False), ("Ri", "Rim", False),
])
def test_surname_pairs(a, b, same):
    assert (surname_key(a) == surname_key(b)) is same


def test_the_surname_table_gives_each_chosen_spelling_to_its_own_surname():
    table = surname_table()
    for surname in table.surnames:
        for spelling in (*surname.customary, *surname.variants, *surname.hangul, *surname.hanja):
            assert surname_key(spelling) == surname.key, (spelling, surname.key)


def test_a_table_giving_one_spelling_to_two_surnames_is_refused(tmp_path):
    path = tmp_path / "surnames.yaml"
    path.write_text("surnames:\n"
                    "  - {key: kim, hangul: [김], rr: Gim, mr: Kim, customary: [Kim]}\n"
                    "  - {key: gim2, hangul: [금], rr: Geum, mr: Kŭm, customary: [Kim]}\n", encoding="utf-8")
    with pytest.raises(SurnameTableError, match="'Kim' is given to both"):
        surname_table(path)


def test_unknown_surnames_get_a_folded_key_and_typos_of_known_ones_find_them():
    assert surname_key("Kimm") == "kim"
    assert surname_key("Xyzzy") == surname_key("XYZZY") != ""
    assert surname_key("갈") == surname_key("Gal")


# -- given names ---------------------------------------------------------------------------------

GIVEN_GROUPS = [
    ["Mi-ok", "Miok", "Mi Ok", "MI-OK", "미옥"],
    ["Eun-hee", "Un-hui", "Eunhui", "Eun Hee", "은희", "Ŭn-hŭi"],
    ["Young-hee", "Yong-hui", "Yeong-hui", "Yŏng-hŭi", "영희"],
    ["Ryon-hwa", "Ryŏn-hwa", "Yeon-hwa", "Yon Hwa", "련화", "연화"],
    ["Soon-ja", "Sun-ja", "Sunja", "순자"],
    ["Kyung-ok", "Kyong-ock", "Gyeong-ok", "경옥"],
    ["Jung-sook", "Jeong-suk", "Chŏng-suk", "정숙"],
    ["Sun-ah", "Suna", "순아"],
]


@pytest.mark.parametrize("spellings", GIVEN_GROUPS, ids=[g[-1] for g in GIVEN_GROUPS])
def test_given_name_spellings_share_a_key(spellings):
    assert len({given_name_key(s) for s in spellings}) == 1, {s: given_name_key(s) for s in spellings}


def test_different_given_names_keep_different_keys():
    keys = [given_name_key(group[0]) for group in GIVEN_GROUPS]
    assert len(set(keys)) == len(keys)
    assert given_name_key("Mi-ok") != given_name_key("Mi-ran")
    assert given_name_key("Eun-hee") != given_name_key("Eun-ok")


# -- full names ----------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["김미옥", "김 미옥", "Kim Mi-ok", "Mi-ok Kim", "KIM Miok", "Miok KIM", "Kim, Mi-ok",
                                     "Gim Mi Ok", "Mi Ok Kim", "kim miok"])
def test_full_names_in_either_order_give_the_same_keys(written):
    keys = name_keys(written)
    assert (keys.surname, keys.given) == ("kim", "miok")
    assert keys.phonetic == name_keys("김미옥").phonetic


def test_north_and_south_forms_of_one_name_agree():
    keys = {name_keys(n) for n in ("리은희", "이은희", "Ri Un Hui", "Lee Eun-hee", "Eun-hee Lee", "Yi Ŭn-hŭi")}
    assert len(keys) == 1


def test_two_syllable_surnames_and_partial_names():
    assert split_name("남궁민수") == ("남궁", "민수")
    assert name_keys("남궁민수").surname == "namgung"
    assert split_name("Lee") == ("Lee", "")
    assert split_name("Miok") == ("", "Miok")
    assert name_keys("").surname == "" and name_keys("").given == ""


def test_the_commoner_surname_wins_when_both_ends_could_be_one():
    assert split_name("Eun Hee Lee") == ("Lee", "Eun Hee")
    assert split_name("Kim Mi Ok") == ("Kim", "Mi Ok")  # 옥 is a surname too, far rarer than 김
