"""The JSON Schema of extraction output (shipped in the package): what it accepts, what it refuses and why,
and that it agrees with the vocabulary and the documentation."""

import copy
from pathlib import Path

import pytest

from redzone.extract import FACT_TYPES, load_schema, validate
from redzone.extract.review import REJECT_REASONS
from redzone.vocab import load_vocabulary

GOOD = {"file": "t.txt", "language": "en", "method": "rules", "facts": [
    {"type": "violation", "start": 6, "end": 10, "text": "sold", "confidence": 0.9, "code": "trafficking.sale"},
    {"type": "perpetrator", "start": 0, "end": 6, "text": "broker", "confidence": 0.8, "role": "broker"},
    {"type": "place", "start": 14, "end": 19, "text": "Yanji", "confidence": 0.9, "gazetteer_id": "cn.jilin.yanbian.yanji",
     "name": "Yanji", "lat": 42.9, "lon": 129.5},
    {"type": "date", "start": 23, "end": 33, "text": "March 2019", "confidence": 0.9, "value": "2019-03", "precision": "month"},
    {"type": "date", "start": 40, "end": 58, "text": "the winter of 2016", "confidence": 0.9,
     "value": "2016-12/2017-02", "precision": "range"},
    {"type": "age", "start": 60, "end": 80, "text": "aged between 12 and 29", "confidence": 0.85, "min": 12, "max": 29},
    {"type": "money", "start": 81, "end": 92, "text": "12,000 yuan", "confidence": 0.9, "amount": 12000,
     "currency": "CNY", "usd": 1736.61, "usd_rate_year": 2019},
    {"type": "quantity", "start": 93, "end": 108, "text": "up to 500,000", "confidence": 0.8, "value": 500000,
     "unit": "women", "qualifier": "up_to"},
    {"type": "quantity", "start": 110, "end": 125, "text": "70 to 80 percent", "confidence": 0.8, "value": 70, "max": 80,
     "unit": "%", "qualifier": "between"},
    {"type": "person", "start": 130, "end": 141, "text": "Kim Hye-jin", "confidence": 0.7, "sensitive": True},
]}


def broken(index, **change):
    data = copy.deepcopy(GOOD)
    fact = data["facts"][index]
    for name, value in change.items():
        if value is None:
            del fact[name]
        else:
            fact[name] = value
    return data


def test_a_complete_output_with_every_fact_type_is_valid():
    assert validate(GOOD) == []
    assert {f["type"] for f in GOOD["facts"]} == set(FACT_TYPES)


@pytest.mark.parametrize("data, expected", [
    (broken(0, code=None), "'code' is required"),
    (broken(0, type="crime"), "none of the allowed shapes"),
    (broken(2, lat="42.9"), "expected number"),
    (broken(3, value="March 2019"), "does not match"),
    (broken(3, precision="week"), "is not one of"),
    (broken(6, currency="yuan"), "does not match"),
    (broken(6, amount=-5), "below the minimum"),
    (broken(7, qualifier="roughly"), "is not one of"),
    (broken(9, sensitive=False), "must be True"),
    (broken(1, colour="red"), "unexpected property 'colour'"),
    (broken(4, confidence=1.5), "above the maximum"),
    ({"file": "t.txt", "facts": []}, "'language' is required"),
    ({"file": "t.txt", "language": "fr", "facts": []}, "is not one of"),
])
def test_broken_output_is_refused_with_the_path_and_the_problem(data, expected):
    errors = validate(data)
    assert errors and any(expected in e for e in errors), errors
    assert all(e.startswith("$") for e in errors)


def test_the_schema_defines_every_fact_type_and_every_reference_resolves():
    schema = load_schema()
    assert set(FACT_TYPES) <= set(schema["$defs"])

    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in refs(schema):
        assert ref.startswith("#/$defs/") and ref.split("/")[-1] in schema["$defs"], ref


def test_schema_patterns_accept_every_vocabulary_code_and_qualifier():
    vocabulary = load_vocabulary()
    schema = {"$ref": "#/$defs/fact", "$defs": load_schema()["$defs"]}
    for code in vocabulary.violations:
        assert validate(broken(0, code=code)["facts"][0], schema) == [], code
    for role in vocabulary.roles:
        assert validate(broken(1, role=role)["facts"][1], schema) == [], role
    for qualifier in vocabulary.lists["qualifiers"]:
        fact = broken(7, qualifier=qualifier)["facts"][7]
        assert validate(fact, schema) == [], qualifier


def test_the_documentation_describes_the_format_the_schema_and_the_reject_reasons():
    text = (Path(__file__).resolve().parents[2] / "docs" / "extraction.md").read_text(encoding="utf-8")
    assert "src/redzone/extract/data/facts.schema.json" in text
    for type_ in FACT_TYPES:
        assert f"`{type_}`" in text, type_
    for reason in REJECT_REASONS:
        assert f"`{reason}`" in text, reason
