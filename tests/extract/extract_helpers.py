"""What the rule tests ask of one sentence: its facts of a type, its violation codes, its quantities and ages."""

from redzone.extract import extract


def facts(text, lang, type_):
    return [f for f in extract(text, lang, "rules").facts if f.type == type_]


def codes(text, lang):
    return sorted({f.get("code") for f in facts(text, lang, "violation")})


def quantities(text, lang):
    return [(f.get("value"), f.get("qualifier")) for f in facts(text, lang, "quantity")]


def ages(text, lang):
    return [(f.get("min"), f.get("max")) for f in facts(text, lang, "age")]
