"""The structural readings added after 049-052, each in all three languages, with the senses that stay
out: a counterfactual that asserts what it negates, a conveyance by the police read as an arrest, squats
done stripped read as a search, a numbered heading that names a subject, ages listed after one subject,
the second number of a range that takes the first's currency, 多 before a place word, a season after a
year with no 天/季, a count restated with "all of them", a town named by its institution. Sentences are
written for these tests, not taken from the evaluation corpus."""

import pytest

from extract_helpers import codes, facts


# ---- a counterfactual told of the past asserts the act -----------------------------------------

@pytest.mark.parametrize("text, lang, code", [
    ("If my uncle had not bribed the guards at the post, I would still be in that camp.", "en", "corruption.bribery"),
    ("Had they not beaten him so badly, he might have walked out.", "en", "physical.beating"),
    ("언니가 경비대원에게 뇌물을 주지 않았다면 저는 벌써 잡혔을 거예요.", "ko", "corruption.bribery"),
    ("남편이 저를 때리지 않았더라면 그 집을 떠나지 않았을 거예요.", "ko", "physical.beating"),
    ("要不是我舅舅给边防塞了钱，我早就被关起来了。", "zh", "corruption.bribery"),
    ("要是我姐姐没托人给保卫员送钱，我现在还在里面。", "zh", "corruption.bribery"),
])
def test_a_past_counterfactual_asserts_what_it_negates(text, lang, code):
    assert code in codes(text, lang)


@pytest.mark.parametrize("text, lang, code", [
    ("I was not beaten in the camp.", "en", "physical.beating"),
    ("If they catch you they send you back.", "en", "refoulement.forced_repatriation"),
    ("저는 그곳에서 맞지 않았어요.", "ko", "physical.beating"),
    ("他们没有打我。", "zh", "physical.beating"),
])
def test_a_plain_negation_or_present_conditional_still_cancels(text, lang, code):
    assert code not in codes(text, lang)


# ---- a conveyance by the police is an arrest ----------------------------------------------------

@pytest.mark.parametrize("text, lang", [
    ("Two policemen knocked at midnight and took her away in her slippers.", "en"),
    ("The police came to the farm. They took me away before breakfast.", "en"),
    ("공안 두 명이 가게에 들이닥쳐서 언니를 끌고 갔어요.", "ko"),
    ("경찰이 집에 왔어요. 저를 끌고 갔어요.", "ko"),
    ("第二天早上，民警来了三个人，把她带走了。", "zh"),
])
def test_a_conveyance_by_the_police_is_an_arrest(text, lang):
    found = codes(text, lang)
    assert "detention.arbitrary" in found and "trafficking.transport" not in found


@pytest.mark.parametrize("text, lang", [
    ("The broker took me away to a village in the hills.", "en"),
    ("브로커가 저를 끌고 갔어요.", "ko"),
])
def test_a_conveyance_by_a_trafficker_stays_transport(text, lang):
    assert "trafficking.transport" in codes(text, lang)


def test_the_nearest_agent_decides():
    text = "The police were looking for us, but the broker got there first and took me away to Harbin."
    assert "trafficking.transport" in codes(text, "en")


# ---- squats done stripped are a search --------------------------------------------------------

@pytest.mark.parametrize("text, lang", [
    ("At the holding centre the guards made us squat naked a hundred times.", "en"),
    ("집결소에서는 옷을 벗기고 앉았다 일어섰다를 백 번씩 시켰어요.", "ko"),
    ("看守让我们脱光衣服，一遍遍蹲下站起。", "zh"),
])
def test_squats_done_stripped_are_a_search(text, lang):
    found = codes(text, lang)
    assert "detention.invasive_search" in found and "detention.torture" not in found


@pytest.mark.parametrize("text, lang", [
    ("The guards made us squat for hours in the yard.", "en"),
    ("보위원은 우리에게 밤새 앉았다 일어섰다를 시켰어요.", "ko"),
])
def test_squats_alone_stay_torture(text, lang):
    assert "detention.torture" in codes(text, lang)


# ---- a numbered heading names a subject -------------------------------------------------------

@pytest.mark.parametrize("text, lang, code", [
    ("3. Arrest and deportation: in May 2016 she was stopped on a bus.", "en", "refoulement.forced_repatriation"),
    ("2. 체포와 북송: 2015년 5월 버스에서 검문에 걸림.", "ko", "refoulement.forced_repatriation"),
    ("三、被捕及遣返：2016年5月，她在车上被拦下。", "zh", "refoulement.forced_repatriation"),
])
def test_a_numbered_heading_is_not_an_act(text, lang, code):
    assert code not in codes(text, lang)


def test_an_act_after_the_headings_colon_is_proposed():
    assert "refoulement.forced_repatriation" in codes("4. Return: she was deported in June 2017.", "en")


# ---- passives of causatives and other new tellings --------------------------------------------

@pytest.mark.parametrize("text, lang, code", [
    ("Two of the women had been forced to terminate their pregnancies.", "en", "reproductive.forced_abortion"),
    ("Both came back from the clinic without their babies.", "en", "reproductive.forced_abortion"),
    ("The guards at the crossing had been paid 200 dollars.", "en", "corruption.bribery"),
    ("She was made to sleep with the farmer's son.", "en", "sexual.rape"),
    ("그 집 남자는 술에 취하면 주먹을 휘둘렀어요.", "ko", "physical.beating"),
    ("진술인은 보수 없이 벌목 작업에 동원됨.", "ko", "labour.forced"),
    ("그 여자는 제 몸값을 챙겨서 떠났어요.", "ko", "trafficking.sale"),
    ("所谓的工厂纯属捏造。", "zh", "trafficking.deceptive_recruitment"),
    ("他们硬把她拖上了面包车。", "zh", "trafficking.abduction"),
    ("那人开车把我们拉到了延吉。", "zh", "trafficking.transport"),
])
def test_new_tellings_are_read(text, lang, code):
    assert code in codes(text, lang)


@pytest.mark.parametrize("text, lang, code", [
    ("A neighbour bought me a bowl of noodles.", "en", "trafficking.sale"),
    ("She was accused of selling her niece.", "en", "trafficking.sale"),
    ("Investigators asked whether she had been tortured.", "en", "detention.torture"),
    ("She declined to say that she was raped.", "en", "sexual.rape"),
    ("그는 제 머리채를 잡혀 끌려다녔다고 했어요.", "ko", "detention.arbitrary"),
    ("受访者否认在拘留场遭到性侵。", "zh", "sexual.rape"),
    ("为评测而写的虚构内容。", "zh", "trafficking.deceptive_recruitment"),
    ("她说能带我去中国挣钱。", "zh", "trafficking.transport"),
])
def test_senses_that_stay_out(text, lang, code):
    assert code not in codes(text, lang)


# ---- ages listed after one subject ------------------------------------------------------------

@pytest.mark.parametrize("text, lang, expected", [
    ("My sons are now 14, 11 and 8.", "en", [(14, 14), (11, 11), (8, 8)]),
    ("The youngest was twelve and the oldest 58.", "en", [(12, 12), (58, 58)]),
    ("He was forty-four and could not read.", "en", [(44, 44)]),
    ("아이들은 지금 열여섯, 열넷, 아홉 살이에요.", "ko", [(16, 16), (14, 14), (9, 9)]),
    ("두 딸은 열두 살, 열 살입니다.", "ko", [(12, 12), (10, 10)]),
    ("两个女儿现在一个十五、一个十一。", "zh", [(15, 15), (11, 11)]),
    ("长子二十、次女十六、幼女八岁。", "zh", [(20, 20), (16, 16), (8, 8)]),
])
def test_ages_listed_after_one_subject(text, lang, expected):
    assert sorted((f.get("min"), f.get("max")) for f in facts(text, lang, "age")) == sorted(expected)


@pytest.mark.parametrize("text, lang, expected", [
    ("같은 방에는 70대 할머니가 있었어요.", "ko", [(70, 79)]),
    ("同屋有一个七十多岁的老人。", "zh", [(70, 79)]),
    ("아이들의 나이는 세 살부터 열다섯 살까지였다.", "ko", [(3, 15)]),
    ("The interviewee (female, approximately 42) is from Musan.", "en", [(42, 42)]),
    ("said one woman, now 31.", "en", [(31, 31)]),
    ("2009年她才十五，就被卖了。", "zh", [(15, 15)]),
])
def test_ages_in_other_frames(text, lang, expected):
    assert [(f.get("min"), f.get("max")) for f in facts(text, lang, "age")] == expected


def test_a_list_of_counts_is_not_read_as_ages():
    assert not facts("They sold 12, 15 and 20 women in three years.", "en", "age")


# ---- ranges, 多 before a place word, a price after the sale -------------------------------------

@pytest.mark.parametrize("text, lang, expected", [
    ("The fee now runs to $12,000–18,000 a person.", "en", [(12000, "USD"), (18000, "USD")]),
    ("Brokers asked US$3,000 to 5,000.", "en", [(3000, "USD"), (5000, "USD")]),
    ("每个月能挣三百多万韩元。", "zh", [(3000000, "KRW")]),
    ("他们把她卖给了一个老光棍，一万八。", "zh", [(18000, "CNY")]),
])
def test_money_ranges_and_forms(text, lang, expected):
    assert [(f.get("amount"), f.get("currency")) for f in facts(text, lang, "money")] == expected


def test_a_range_end_with_its_own_unit_is_not_money():
    assert [(f.get("amount"), f.get("currency")) for f in facts("It cost $500 to 600 people.", "en", "money")] \
        == [(500, "USD")]


@pytest.mark.parametrize("text, lang, expected", [
    ("2015年冬，她又被卖了。", "zh", "2015-12/2016-02"),
    ("2011年夏她过了江。", "zh", "2011-06/2011-08"),
    ("2012년~2015년 사이에 일어난 일이다.", "ko", "2012/2015"),
    ("From 2014 she lived there; 2016 to 2019 were the worst years.", "en", "2016/2019"),
])
def test_periods(text, lang, expected):
    assert expected in [f.get("value") for f in facts(text, lang, "date")]


def test_the_spring_festival_is_not_a_season():
    assert [f.get("value") for f in facts("2015年春节她回了家。", "zh", "date")] == ["2015"]


# ---- counts restated, shares, 几 ----------------------------------------------------------------

@pytest.mark.parametrize("text, lang, expected", [
    ("딸을 셋 낳았는데 세 아이 모두 학교에 못 갔다.", "ko", [(3, "exact")]),
    ("我生了三个女儿。三个女儿都没有户口。", "zh", [(3, "exact")]),
    ("另有三十几人被迫卖淫。", "zh", [(30, "more_than")]),
    ("Roughly one in every four said so.", "en", [(25, "about")]),
    ("비용 가운데 절반가량을 갚았다.", "ko", [(50, "about")]),
])
def test_counts_and_shares(text, lang, expected):
    assert [(f.get("value"), f.get("qualifier")) for f in facts(text, lang, "quantity")] == expected


# ---- places ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, lang, expected", [
    ("통화 간수소에 한 달 있었어요.", "ko", ["cn.jilin.tonghua"]),
    ("집안 변방대를 거쳐 넘겨졌다.", "ko", ["cn.jilin.tonghua.ji_an"]),
    ("他把我卖到汪清山沟里。", "zh", ["cn.jilin.yanbian.wangqing"]),
    ("We waded across the Tumen at night and reached Yanji.", "en", ["cn.jilin.yanbian.yanji"]),
    ("집안 사정이 어려웠다.", "ko", []),
    ("长白山下有个村子。", "zh", []),
])
def test_places_by_their_institutions_and_rivers(text, lang, expected):
    assert [f.get("gazetteer_id") for f in facts(text, lang, "place")] == expected


def test_the_heading_test_tries_the_line_start_only_as_a_search_would():
    # `_in_heading` tries the heading pattern at the line's start only: a search over the line gives the same
    # answer at every place of the corpus texts and of built headings (one at the text's start, one after a break)
    from pathlib import Path

    from redzone.extract import load_corpus
    from redzone.extract import triggers as _triggers

    def searched(text, start, end):
        line_start = text.rfind("\n", 0, start)
        if _triggers._HEADING_BEFORE.search(text, max(0, line_start), start) and _triggers._HEADING_AFTER.match(text, end):
            return True
        line = _triggers._HEADING_LINE.match(text, line_start + 1)
        return bool(line and line.start("title") <= start and end <= line.end("title")
                    and not _triggers._REPORT_ENDING.search(line.group("title").rstrip()))

    corpus = Path(__file__).resolve().parents[1] / "corpus"
    texts = [d.text[:600] for d in load_corpus(corpus)] + [
        "3. Arrest and return: we were caught", "intro\n三、被捕及遣返：他们被抓", "\n4. 체포 및 송환: 잡혔다", "x 2. sold: no"]
    headings = 0
    for text in texts:
        for start in range(0, len(text), 3):
            end = min(len(text), start + 2)
            expected = searched(text, start, end)
            headings += expected
            assert _triggers._in_heading(text, start, end) == expected, (text[:40], start)
    assert headings > 0
