"""What an investigator notices: acts negated or only feared are not proposed, synonyms resolve to
vocabulary codes, places come from the gazetteer in every script, and the output keeps its shape."""

import json

import pytest
from typer.testing import CliRunner

from redzone.cli import _hoist_global_flags, app
from redzone.errors import ValidationError
from redzone.extract import METHODS, detect_language, extract, validate
from redzone.extract.lexicon import LexiconError, read_lexicon
from redzone.vocab import load_vocabulary


def codes(text, lang="auto", method="rules"):
    return sorted(f.get("code") for f in extract(text, lang, method).facts if f.type == "violation")


@pytest.mark.parametrize("text", [
    "He was not beaten.", "I was never sold.", "She feared being sold.", "He threatened to sell her.",
    "She did not beat me, and nobody raped me.",
    "그는 나를 때리지 않았다.", "맞지 않았다.", "팔려 갈까 봐 무서웠다.", "저는 한 번도 팔리지 않았어요.", "북송되지는 않았다.",
    "我没有被打。", "他从来没打过我。", "我一直害怕被卖。", "她没有被遣返。",
    "If they catch you they send you back.",  # a conditional in the present tense: no act happened
    "Case summary, cybersex investigation.", "사례 요약, 사이버섹스 수사.", "案例摘要：网络色情调查。",  # a topic, not an act
    "브로커들은 여성 한 명을 태국까지 데려가는 데 1만 5천 달러를 받는다.",  # the price of a service, not an act
])
def test_negated_and_feared_acts_are_not_proposed(text):
    assert codes(text) == []


@pytest.mark.parametrize("text, expected", [
    ("He beat me.", ["physical.beating"]), ("I was sold.", ["trafficking.sale"]),
    ("나를 때렸다.", ["physical.beating"]), ("我被打了。", ["physical.beating"]),
    ("I was not sold, but he beat me.", ["physical.beating"]),
    ("싫다고 하면 때렸어요.", ["physical.beating"]),  # a conditional in the past tense is a habit, not a hypothesis
    ("If we refused he hit us.", ["physical.beating"]), ("If I cried he slapped me.", ["physical.beating"]),
])
def test_asserted_acts_are_proposed(text, expected):
    assert codes(text) == expected


@pytest.mark.parametrize("text", [
    "She was sold as a bride to a farmer.", "Brokers sold them as wives.",
    "그녀는 신부로 팔렸다.", "她被卖给人当老婆。"])
def test_sold_as_a_bride_is_a_sale_and_a_forced_marriage(text):
    assert codes(text) == ["marriage.forced", "trafficking.sale"]


@pytest.mark.parametrize("text", ["They sent me back.", "She was deported in 2012.", "She was repatriated.",
                                  "2012년에 강제북송되었다.", "그녀는 북송되었다.", "她被遣返了。", "她被强制遣返。"])
def test_sent_back_and_deported_are_forced_repatriation(text):
    assert codes(text) == ["refoulement.forced_repatriation"]


@pytest.mark.parametrize("text, expected", [
    ("He took me across the river at night.", ["trafficking.transport"]),
    ("브로커가 저를 데리고 강을 건넜어요.", ["trafficking.transport"]), ("人贩子带我过江。", ["trafficking.transport"]),
    ("He slapped me.", ["physical.beating"]), ("The guard punched her.", ["physical.beating"]),
    ("他扇我耳光。", ["physical.beating"]), ("남편은 저를 발로 찼어요.", ["physical.beating"]),
    ("Most of them have been trafficked.", ["trafficking.sale"]), ("그중 절반이 인신매매를 당했다.", ["trafficking.sale"]),
])
def test_paraphrases_of_acts_resolve_to_their_codes(text, expected):
    assert codes(text) == expected


def roles(text):
    return [(f.text, f.get("role")) for f in extract(text).facts if f.type == "perpetrator"]


@pytest.mark.parametrize("text, word", [
    ("The guides on this route are not traffickers, the group says.", "traffickers"),
    ("단체는 이런 경로의 브로커가 인신매매범이 아니라고 강조했다.", "인신매매범"), ("该组织强调，这些蛇头不是人贩子。", "人贩子")])
def test_a_role_word_said_not_to_apply_is_not_a_perpetrator(text, word):
    assert word not in [found for found, _ in roles(text)]


@pytest.mark.parametrize("text, expected", [
    ("He sold me to a farmer in Wangqing. The farmer's mother was kind to me.",
     [("farmer", "buyer"), ("farmer", "buyer"), ("mother", "buyer_family")]),
    ("They were sold as wives to farmers in Heilongjiang.", [("farmers", "buyer")]),
    ("그는 저를 왕청의 농민에게 팔았어요. 그 농민의 어머니는 잘해 줬어요.",
     [("농민", "buyer"), ("농민", "buyer"), ("어머니", "buyer_family")]),
    ("他把我卖给了汪清的一个农民。那个农民的母亲对我很好。", [("农民", "buyer"), ("农民", "buyer"), ("母亲", "buyer_family")]),
])
def test_a_noun_that_named_a_buyer_names_him_again_and_his_kin(text, expected):
    assert roles(text) == expected


def test_guards_on_the_border_are_border_guards_and_guards_in_a_camp_are_not():
    assert roles("Guards on the North Korean side were ordered to shoot.") == [("Guards", "border_guard")]
    assert roles("In the camp the guards beat us.") == [("guards", "detention_guard")]


def test_a_place_inside_a_currency_name_is_not_a_place():
    facts = extract("继母以50万朝鲜元把我卖给了一个人贩子。").facts
    assert [f.type for f in facts if f.text == "朝鲜"] == [] and any(f.get("currency") == "KPW" for f in facts)


@pytest.mark.parametrize("text, name", [
    ("Here you can call me Mi-ran.", "Mi-ran"), ("여기서는 저를 미란이라고 불러 주세요.", "미란"), ("在这里请叫我美兰。", "美兰")])
def test_a_given_name_offered_alone_is_a_person(text, name):
    assert [f.text for f in extract(text).facts if f.type == "person"] == [name]


def test_a_quoted_order_is_not_a_korean_name():
    assert [f for f in extract("강에 접근하는 사람을 사격하라는 명령이 내려졌다.").facts if f.type == "person"] == []


def test_a_phrase_inside_a_longer_trigger_is_not_a_second_act():
    assert codes("I was made to sell sex.") == ["sexual.forced_prostitution"]
    assert codes("그는 나를 성폭행했다.") == ["sexual.rape"]


def test_places_in_hangul_chinese_and_romanised_forms_find_the_same_gazetteer_entry():
    for text in ("She lived in Yanji.", "She lived in Yŏn'gil.", "연길에서 살았다.", "她住在延吉。"):
        places = [f for f in extract(text).facts if f.type == "place"]
        assert [p.get("gazetteer_id") for p in places] == ["cn.jilin.yanbian.yanji"], text
        assert places[0].get("name") == "Yanji" and places[0].get("lat") == pytest.approx(42.9, abs=0.2)


@pytest.mark.parametrize("text", ["They crossed the Tumen River.", "두만강을 건넜다", "我们过了图们江。", "长白山很高。",
                                  "조선족 집에서 일했다.", "朝鲜族人家。", "집안에서 통화했다."])
def test_rivers_peoples_and_common_words_are_not_places(text):
    assert [f.text for f in extract(text).facts if f.type == "place"] == []


def test_money_gets_a_usd_equivalent_at_the_year_of_the_nearest_date():
    money = next(f for f in extract("In 2019 she was sold for 20,000 yuan.").facts if f.type == "money")
    assert money.get("usd_rate_year") == 2019 and money.get("usd") == pytest.approx(20000 / 6.91, rel=0.01)


def test_quantities_carry_their_qualifier_and_claims_their_figures():
    facts = extract("Up to 500,000 women are at risk; 70 to 80 percent are trafficked; more than 82,000 cases.").facts
    quantities = [(f.get("value"), f.get("qualifier"), f.get("max")) for f in facts if f.type == "quantity"]
    assert quantities == [(500_000, "up_to", None), (70, "between", 80), (82_000, "more_than", None)]


def test_language_is_detected_from_the_script():
    assert (detect_language("She was sold."), detect_language("팔렸다"), detect_language("被卖了")) == ("en", "ko", "zh")


def test_every_method_gives_output_that_validates_against_the_schema():
    texts = ["Kim Hye-jin was sold in Yanji in March 2019 for 12,000 yuan at 17; up to 500,000 at risk.",
             "김혜진 씨는 2019년 3월 연길에서 2만 위안에 팔렸다. 그때 열일곱 살이었다.",
             "金惠珍2019年3月在延吉被以一万五千元卖给一个农民，当时十七岁。"]
    for name in METHODS:
        for text in texts:
            result = extract(text, method=name, file="t.txt").to_dict()
            assert validate(result) == [], (name, text)
            assert all(text[f["start"]:f["end"]] == f["text"] for f in result["facts"])


def test_unknown_language_or_method_is_a_validation_error():
    with pytest.raises(ValidationError):
        extract("text", "fr")
    with pytest.raises(ValidationError):
        extract("text", "en", method="oracle")


def test_lexicon_problems_are_all_listed(tmp_path):
    bad = tmp_path / "lexicon_en.yaml"
    bad.write_text("language: en\nviolations:\n  trafficking.nonsense: ['sold']\n  physical.beating: ['(unclosed']\n"
                   "roles:\n  wizard: ['wizard']\nspelling: 1\n", encoding="utf-8")
    with pytest.raises(LexiconError) as caught:
        read_lexicon(bad)
    text = " | ".join(caught.value.problems)
    assert "trafficking.nonsense" in text and "does not compile" in text and "wizard" in text and "spelling" in text


def test_lexicons_use_only_vocabulary_codes():
    from redzone.extract.lexicon import load_lexicon

    vocabulary = load_vocabulary()
    for lang in ("en", "ko", "zh"):
        lexicon = load_lexicon(lang)
        assert all(code in vocabulary.violations for t in lexicon.violations for code in t.values)
        assert all(t.values[0] in vocabulary.roles for t in lexicon.roles)


def test_cli_extract_prints_the_documented_json(tmp_path):
    file = tmp_path / "testimony.txt"
    file.write_text("I was sold in Hyesan in 2019 for 8,000 yuan. He did not beat me.", encoding="utf-8")
    result = CliRunner().invoke(app, _hoist_global_flags(["extract", str(file), "--lang", "en", "--json"]))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"file", "language", "facts", "method"} and data["language"] == "en"
    assert validate(data) == []
    assert {f["type"] for f in data["facts"]} == {"violation", "place", "date", "money"}
    two = CliRunner().invoke(app, ["--json", "extract", str(file), str(file)])
    assert len(json.loads(two.output)) == 2
