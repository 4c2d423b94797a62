"""The vocabulary as a user meets it: codes present, labels in Korean, places found in any script,
and an edited data directory refused with every problem named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from redzone.errors import RedzoneError
from redzone.vocab import DATA_DIR, VocabularyError, load_vocabulary
from redzone.vocab.reference import update

FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FAST_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "vocabulary.md"

REQUIRED_VIOLATIONS = [
    "trafficking.sale", "trafficking.deceptive_recruitment", "trafficking.abduction", "trafficking.transport",
    "sexual.rape", "sexual.slavery", "sexual.forced_prostitution", "sexual.cybersex", "marriage.forced",
    "reproductive.forced_pregnancy", "reproductive.forced_abortion", "labour.forced",
    "refoulement.forced_repatriation", "detention.arbitrary", "detention.torture", "detention.invasive_search",
    "physical.beating", "life.death_in_custody", "life.execution", "child.denied_registration",
    "corruption.bribery",
]
REQUIRED_ROLES = {
    "broker": False, "buyer": False, "organised_crime": False, "brothel_operator": False,
    "cybersex_operator": False, "border_guard": True, "police": True, "security_officer": True,
    "detention_guard": True, "informer": False, "buyer_family": False,
}
REQUIRED_LISTS = {
    "event_kinds": ["crossing", "sale", "transfer", "marriage", "exploitation", "escape", "arrest", "detention",
                    "interrogation", "repatriation", "onward_flight", "arrival", "birth", "other"],
    "group_kinds": ["broker_network", "crime_group", "brothel", "cybersex_den", "border_guard_post",
                    "public_security_bureau", "state_security", "detention_facility", "family"],
    "source_kinds": ["interview", "written_statement", "ngo_report", "news_article", "court_document",
                     "official_document"],
    "consent_scopes": ["internal_analysis", "anonymised_publication", "legal_proceedings", "un_mechanism_sharing"],
    "date_precisions": ["day", "month", "year", "range", "unknown"],
    "reliability": list("ABCDEF"),
    "credibility": list("123456"),
    "sexes": ["female", "male", "other", "unknown"],
    "qualifiers": ["exact", "about", "up_to", "at_least", "more_than", "fewer_than", "between"],
    "currencies": ["CNY", "USD", "KPW", "KRW", "EUR"],
    "person_roles": ["victim", "witness", "perpetrator"],
}


def has_hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


# --- contents ---------------------------------------------------------------------------

def test_required_violation_codes_are_present(vocab):
    assert [c for c in REQUIRED_VIOLATIONS if c not in vocab.violations] == []


def test_required_roles_are_present_with_state_actor_flag(vocab):
    assert {c: vocab.roles[c].state_actor for c in REQUIRED_ROLES} == REQUIRED_ROLES


def test_required_lists_hold_their_codes(vocab):
    for name, codes in REQUIRED_LISTS.items():
        assert [c for c in codes if c not in vocab.lists[name]] == [], name
    assert vocab.label("reliability", "A") == "Completely reliable"
    assert vocab.label("credibility", "6") == "Truth cannot be judged"


def test_every_violation_maps_to_a_provision_and_elements_of_it(vocab):
    for violation in vocab.violations.values():
        assert violation.provisions and violation.elements, violation.code
        for element_id in violation.elements:
            assert vocab.element(element_id).provision_id in violation.provisions, (violation.code, element_id)


def test_documented_mapping_decisions(vocab):
    sale = vocab.violations["trafficking.sale"]
    assert {"untp.art3.act", "untp.art3.means"} <= set(sale.elements)
    assert "untp.art3.purpose" not in sale.elements  # purpose comes from the exploitation the sale served
    assert {"untp.art3.act", "untp.art3.means"} <= set(vocab.violations["trafficking.deceptive_recruitment"].elements)
    assert {"untp.art3.purpose", "rome.art7_1_g.enforced_prostitution"} <= set(
        vocab.violations["sexual.forced_prostitution"].elements)
    assert "untp.art3.purpose" in vocab.violations["marriage.forced"].elements


def test_trafficking_needs_no_means_for_a_child(vocab):
    protocol = vocab.provisions["untp.art3"]
    assert [e.id for e in protocol.elements] == ["untp.art3.act", "untp.art3.means", "untp.art3.purpose"]
    assert protocol.minor_age == 18 and protocol.minor_waives == ("untp.art3.means",)


def test_crimes_against_humanity_context_is_situation_level(vocab):
    context = vocab.provisions["rome.art7_context"]
    assert {e.id.rsplit(".", 1)[1] for e in context.elements} == {"attack", "policy", "knowledge"}
    assert {e.level for e in context.elements} == {"situation"}
    for article in ("a", "c", "e", "f", "g", "k"):
        assert vocab.provisions[f"rome.art7_1_{article}"].requires == ("rome.art7_context",)


def test_korean_labels_are_written_in_hangul(vocab):
    labels = [v.label_ko for v in vocab.violations.values()]
    labels += [r.label_ko for r in vocab.roles.values()]
    labels += [p.label_ko for p in vocab.provisions.values()] + [e.label_ko for e in vocab.elements.values()]
    labels += [t.label_ko for terms in vocab.lists.values() for t in terms.values()]
    labels += [p.name_ko for p in vocab.places.values()]
    assert [label for label in labels if not has_hangul(label)] == []


def test_gazetteer_covers_both_sides_of_the_border_and_the_route(vocab):
    assert len(vocab.places) >= 70
    for place_id in ("cn", "kp", "kr", "la", "th", "vn", "kh", "mm", "mn", "ru", "cn.liaoning", "cn.jilin",
                     "cn.heilongjiang", "cn.jilin.yanbian", "cn.jilin.yanbian.yanji", "kp.ryanggang.hyesan",
                     "kp.north_hamgyong.musan", "kp.north_hamgyong.onsong", "kp.north_pyongan.sinuiju"):
        assert place_id in vocab.places
    crossings = [p for p in vocab.places.values() if p.kind == "crossing"]
    assert len(crossings) >= 6
    assert all(vocab.place(c.across).country == "KP" for c in crossings)


# --- places -----------------------------------------------------------------------------

def test_a_place_is_found_in_any_script_and_romanisation(vocab):
    found = {tuple(p.id for p in vocab.find_places(name)) for name in ("Sinŭiju", "신의주", "新义州", "Shinuiju", "SINUIJU")}
    assert found == {("kp.north_pyongan.sinuiju",)}
    for name in ("Yanji City", "延吉", "연길시", "Yŏn'gil", "yeon gil"):
        assert [p.id for p in vocab.find_places(name)] == ["cn.jilin.yanbian.yanji"], name
    assert [p.id for p in vocab.find_places("Hoeryŏng")] == ["kp.north_hamgyong.hoeryong"]
    assert [p.id for p in vocab.find_places("Mukden")] == ["cn.liaoning.shenyang"]
    assert vocab.find_places("nowhere at all") == []


def test_a_shared_name_returns_every_place_bearing_it(vocab):
    assert [p.id for p in vocab.find_places("Jilin")] == ["cn.jilin", "cn.jilin.jilin_city"]


def test_province_of_walks_up_the_gazetteer(vocab):
    assert vocab.province_of("cn.jilin.yanbian.yanji").id == "cn.jilin"
    assert vocab.province_of("kp.north_hamgyong.hoeryong").id == "kp.north_hamgyong"
    assert vocab.province_of("cn.jilin.yanbian.tumen.tumen_namyang").id == "cn.jilin"
    assert vocab.province_of("cn.jilin").id == "cn.jilin"
    assert vocab.province_of("kp") is None
    assert [p.id for p in vocab.ancestors("cn.jilin.yanbian.yanji")] == ["cn.jilin.yanbian", "cn.jilin", "cn"]


def test_unknown_codes_raise_a_redzone_error_naming_them(vocab):
    with pytest.raises(VocabularyError, match="cn.atlantis"):
        vocab.place("cn.atlantis")
    with pytest.raises(VocabularyError, match="sexual.unknown"):
        vocab.label("violation", "sexual.unknown")
    assert issubclass(VocabularyError, RedzoneError)


def test_labels_in_english_and_korean(vocab):
    assert vocab.label("violation", "marriage.forced") == "Forced marriage"
    assert vocab.label("violation", "marriage.forced", "ko") == "강제결혼"
    assert vocab.label("place", "kp.north_pyongan.sinuiju", "ko") == "신의주시"
    assert vocab.label("role", "broker", "ko") == "브로커"


def test_the_vocabulary_is_cached_and_serialisable(vocab):
    assert load_vocabulary() is vocab
    dumped = json.loads(json.dumps(vocab.to_dict(), ensure_ascii=False))
    assert dumped["version"] == vocab.version
    assert set(dumped) >= {"violations", "provisions", "roles", "lists", "places"}
    assert dumped["places"]["cn.jilin.yanbian.yanji"]["parent"] == "cn.jilin.yanbian"


# --- validation of an edited copy -------------------------------------------------------

def edited_copy(tmp_path: Path, file: str, edit) -> Path:
    """A copy of the data directory with `edit(data)` applied to one file's parsed YAML."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    data = yaml.load((target / file).read_text(encoding="utf-8"), Loader=FAST_LOADER)
    edit(data)
    (target / file).write_text(yaml.dump(data, Dumper=FAST_DUMPER, allow_unicode=True, sort_keys=False),
                               encoding="utf-8")
    return target


def entry(data: dict, section: str, key: str, code: str) -> dict:
    return next(e for e in data[section] if e[key] == code)


def load_problems(directory: Path) -> str:
    with pytest.raises(VocabularyError) as raised:
        load_vocabulary(directory)
    return str(raised.value)


def test_the_copied_data_directory_loads_as_is(tmp_path):
    shutil.copytree(DATA_DIR, tmp_path / "data")
    assert load_vocabulary(tmp_path / "data").version == load_vocabulary().version


def test_a_duplicate_code_is_refused(tmp_path):
    directory = edited_copy(tmp_path, "violations.yaml",
                            lambda d: d["violations"].append(dict(entry(d, "violations", "code", "sexual.rape"))))
    assert "violations.yaml: sexual.rape: code: duplicate" in load_problems(directory)


def test_a_missing_korean_label_is_refused(tmp_path):
    directory = edited_copy(tmp_path, "roles.yaml", lambda d: entry(d, "roles", "code", "broker").pop("label_ko"))
    assert "roles.yaml: broker: label_ko: missing" in load_problems(directory)


def test_a_korean_label_not_in_hangul_is_refused(tmp_path):
    directory = edited_copy(tmp_path, "violations.yaml",
                            lambda d: entry(d, "violations", "code", "sexual.rape").update(label_ko="Rape"))
    assert "violations.yaml: sexual.rape: label_ko: must be written in Hangul" in load_problems(directory)


def test_an_article_cited_with_words_reads_in_korean(vocab, tmp_path):
    assert vocab.provisions["rome.art7_context"].article == "7(1) chapeau, 7(2)(a)"
    assert vocab.provisions["rome.art7_context"].article_ko == "7(1) 두문, 7(2)(a)"
    directory = edited_copy(tmp_path, "provisions.yaml",
                            lambda d: entry(d, "provisions", "id", "rome.art7_context").pop("article_ko"))
    assert "provisions.yaml: rome.art7_context: article_ko: missing: the article is cited with words" \
        in load_problems(directory)


def test_a_violation_referencing_an_unknown_provision_is_refused(tmp_path):
    directory = edited_copy(tmp_path, "violations.yaml",
                            lambda d: entry(d, "violations", "code", "sexual.rape")["provisions"].append("rome.art7_1_z"))
    assert "violations.yaml: sexual.rape: provisions: unknown provision 'rome.art7_1_z'" in load_problems(directory)


def test_a_place_with_an_unknown_parent_is_refused(tmp_path):
    directory = edited_copy(tmp_path, "places_cn.yaml",
                            lambda d: entry(d, "places", "id", "cn.jilin.yanbian.yanji").update(parent="cn.jilin.nowhere"))
    assert "places_cn.yaml: cn.jilin.yanbian.yanji: parent: unknown place 'cn.jilin.nowhere'" in load_problems(directory)


def test_every_problem_is_reported_at_once(tmp_path):
    def edit(data):
        entry(data, "places", "id", "kp.north_hamgyong.musan").update(lat=129.208, lon=42.226)  # swapped
        entry(data, "places", "id", "kp.north_hamgyong.chongjin").update(country="CN")
        entry(data, "places", "id", "kp.north_hamgyong.hoeryong")["lable_ko"] = "회령"

    message = load_problems(edited_copy(tmp_path, "places_kp.yaml", edit))
    assert "places_kp.yaml: kp.north_hamgyong.musan: lat: 129.208 is outside [-90, 90]" in message
    assert "places_kp.yaml: kp.north_hamgyong.chongjin: country: 'CN' differs from the parent's 'KP'" in message
    assert "places_kp.yaml: kp.north_hamgyong.hoeryong: lable_ko: unknown field" in message


def test_coordinates_outside_the_region_are_refused(tmp_path):
    directory = edited_copy(tmp_path, "places_cn.yaml",
                            lambda d: entry(d, "places", "id", "cn.jilin.yanbian.tumen").update(lat=24.966))
    assert "cn.jilin.yanbian.tumen: lat/lon:" in load_problems(directory)


def test_a_key_written_twice_in_yaml_is_refused(tmp_path):
    shutil.copytree(DATA_DIR, tmp_path / "data")
    roles = tmp_path / "data" / "roles.yaml"
    roles.write_text(roles.read_text(encoding="utf-8").replace(
        "    label_en: Broker\n", "    label_en: Broker\n    label_en: Dealer\n"), encoding="utf-8")
    assert ": label_en: written twice in the same mapping" in load_problems(tmp_path / "data")


# --- documentation ----------------------------------------------------------------------

def test_docs_name_every_violation_code(vocab):
    text = DOCS.read_text(encoding="utf-8")
    assert [c for c in vocab.violations if f"`{c}`" not in text] == []


def test_docs_reference_tables_are_up_to_date(vocab):
    text = DOCS.read_text(encoding="utf-8")
    assert update(text, vocab) == text, "run: python -m redzone.vocab.reference docs/vocabulary.md"
