"""Numbers, money, dates and ages as each language writes them."""

import pytest

from redzone.extract import numbers
from redzone.extract.ages import find_ages
from redzone.extract.dates import find_dates
from redzone.extract.lexicon import load_lexicon
from redzone.extract.money import find_money, usd_equivalent


@pytest.mark.parametrize("text, value", [
    ("500,000", 500_000), ("2.6 million", 2_600_000), ("seventy-one", 71), ("twenty", 20), ("105 million", 105e6)])
def test_english_numbers(text, value):
    assert numbers.parse_en(text) == value


@pytest.mark.parametrize("text, value", [
    ("2만", 20_000), ("1만 5천", 15_000), ("1만5천", 15_000), ("8만 2천", 82_000), ("1억 500만", 105_000_000),
    ("천", 1_000), ("2천만", 20_000_000), ("2천5백", 2_500), ("260만", 2_600_000), ("스물다섯", 25), ("열아홉", 19),
    ("스무", 20)])
def test_korean_numbers(text, value):
    assert numbers.parse_ko(text) == value


@pytest.mark.parametrize("text, value", [
    ("一万五千", 15_000), ("两万", 20_000), ("1.5万", 15_000), ("十九", 19), ("二十五", 25), ("壹万伍仟", 15_000),
    ("二〇一九", 2019), ("1.05亿", 105_000_000), ("2000万", 20_000_000),
    # spoken shorthand: a last digit after 万/千/百 counts in the place below it; after 十 it is the units
    ("三万八", 38_000), ("一千二", 1_200), ("五百五", 550), ("十八", 18), ("两万零五", 20_005)])
def test_chinese_numbers(text, value):
    assert numbers.parse_zh(text) == value


def money(text, lang):
    return [(f.text, f.get("amount"), f.get("currency")) for f in find_money(text, load_lexicon(lang))]


def test_english_money():
    found = money("She was sold for $3,000, then CNY 30; the trade is worth about US$105 million, "
                  "12,000 yuan and 20,000 RMB, KRW 20 million.", "en")
    assert found == [("$3,000", 3000, "USD"), ("CNY 30", 30, "CNY"), ("about US$105 million", 105_000_000, "USD"),
                     ("12,000 yuan", 12000, "CNY"), ("20,000 RMB", 20000, "CNY"), ("KRW 20 million", 20_000_000, "KRW")]


def test_korean_money_reads_won_as_yuan_after_renminbi():
    found = money("2만 위안에 팔렸고, 인민폐 3만 원, 중국 돈으로 만 원, 브로커 비용 2천만 원, 300달러, 1억 500만 달러", "ko")
    assert found == [("2만 위안", 20000, "CNY"), ("인민폐 3만 원", 30000, "CNY"), ("만 원", 10000, "CNY"),
                     ("2천만 원", 20_000_000, "KRW"), ("300달러", 300, "USD"), ("1억 500만 달러", 105_000_000, "USD")]


def test_korean_money_is_not_found_in_time_words():
    assert money("일주일 만에 도착했다", "ko") == []


def test_chinese_money():
    found = money("以一万五千元卖给，八千块，1.05亿美元，人民币2万元，2000万韩元", "zh")
    assert found == [("一万五千元", 15000, "CNY"), ("八千块", 8000, "CNY"), ("1.05亿美元", 105_000_000, "USD"),
                     ("人民币2万元", 20000, "CNY"), ("2000万韩元", 20_000_000, "KRW")]


def test_usd_equivalent_uses_the_rate_of_the_nearest_year_and_none_for_kpw():
    usd, year = usd_equivalent(20000, "CNY", 2019)
    assert year == 2019 and 2800 < usd < 3000
    assert usd_equivalent(20000, "CNY", 1985)[1] == 2000  # clipped to the table
    assert usd_equivalent(100, "KPW", 2019) is None and usd_equivalent(100, "USD", 2019) is None


def dates(text, lang):
    return [(f.text, f.get("value"), f.get("precision")) for f in find_dates(text, lang)]


def test_english_dates():
    assert dates("in March 2019, on 14 May 2021, the winter of 2016, mid-2019, between 2015 and 2017, "
                 "the 1990s, in 2008", "en") == [
        ("March 2019", "2019-03", "month"), ("14 May 2021", "2021-05-14", "day"),
        ("the winter of 2016", "2016-12/2017-02", "range"), ("mid-2019", "2019-05/2019-08", "range"),
        ("between 2015 and 2017", "2015/2017", "range"), ("the 1990s", "1990/1999", "range"), ("2008", "2008", "year")]


def test_korean_dates():
    assert dates("2019년 3월, 2021년 5월 14일, 2018년 봄, 2015년부터 2017년까지, 1990년대, 2019년 초에", "ko") == [
        ("2019년 3월", "2019-03", "month"), ("2021년 5월 14일", "2021-05-14", "day"),
        ("2018년 봄", "2018-03/2018-05", "range"), ("2015년부터 2017년까지", "2015/2017", "range"),
        ("1990년대", "1990/1999", "range"), ("2019년 초", "2019-01/2019-04", "range")]


def test_chinese_dates():
    assert dates("2019年3月，2021年5月14日，2018年春天，2014年至2016年，上世纪九十年代，二〇一九年三月", "zh") == [
        ("2019年3月", "2019-03", "month"), ("2021年5月14日", "2021-05-14", "day"),
        ("2018年春天", "2018-03/2018-05", "range"), ("2014年至2016年", "2014/2016", "range"),
        ("上世纪九十年代", "1990/1999", "range"), ("二〇一九年三月", "2019-03", "month")]


def ages(text, lang):
    return [(f.get("min"), f.get("max")) for f in find_ages(text, lang)]


def test_ages_in_each_language():
    assert ages("victims aged between 12 and 29, a 12-year-old, as young as 9; I was 19.", "en") == [
        (12, 29), (12, 12), (9, 9), (19, 19)]
    assert ages("12세에서 29세 사이, 열아홉 살, 14살이었다, 20대", "ko") == [(12, 29), (19, 19), (14, 14), (20, 29)]
    assert ages("在12至29岁之间，十九岁，年仅9岁，二十多岁", "zh") == [(12, 29), (19, 19), (9, 9), (20, 29)]


def test_ages_given_without_a_counter_word():
    assert ages("The eldest, then 19, and the youngest, then 14, crossed in 2009. Her son (now 12) is here.", "en") == [
        (19, 19), (14, 14), (12, 12)]
    assert ages("I was sold to a farmer at sixteen. He was sold at 3 a.m.", "en") == [(16, 16)]
    assert ages("맏이는 당시 열아홉, 막내는 열넷이었다. 우리는 둘이었다.", "ko") == [(19, 19), (14, 14)]
    assert ages("她年仅十四就被卖了，时年19。", "zh") == [(14, 14), (19, 19)]


def quantities(text, lang):
    from redzone.extract.quantities import find_quantities

    return [(f.get("value"), f.get("max"), f.get("qualifier"), f.get("unit"))
            for f in find_quantities(text, load_lexicon(lang), [])]


def test_counts_of_people_without_a_counter_word():
    assert quantities("The number of arrivals fell to 67, then rose to 196.", "en") == [
        (67, None, "exact", ""), (196, None, "exact", "")]
    assert quantities("세 자매의 진술. 두 언니는 팔렸다.", "ko") == [(3, None, "exact", "자매"), (2, None, "exact", "언니")]
    assert quantities("对三姐妹的访谈。两国边境管控收紧。", "zh") == [(3, None, "exact", "姐妹"), (2, None, "exact", "国")]


def test_ranges_written_between_two_numbers_are_one_quantity():
    assert quantities("추정치는 3만에서 10만 명, 또는 200명~300명이었다.", "ko") == [
        (30_000, 100_000, "between", "명"), (200, 300, "between", "명")]
    assert quantities("估计在3万到10万人之间。", "zh") == [(30_000, 100_000, "between", "人")]


def test_vague_amounts_are_not_quantities():
    assert quantities("安装了数千个摄像头，几十个人", "zh") == []
