"""Korean name keys: romanisation (Revised, McCune–Reischauer) and the folded keys that linkage and the
entry-time duplicate warning both use to decide that two records may name the same person."""

from redzone.names.keys import (
    NameKeys,
    Surname,
    SurnameTableError,
    fold_latin,
    given_name_key,
    name_keys,
    phonetic_key,
    split_name,
    surname_key,
    surname_table,
)
from redzone.names.korean import fold_ascii, has_hangul, romanise, romanise_mr, to_south_initial

__all__ = [
    "NameKeys",
    "Surname",
    "SurnameTableError",
    "fold_ascii",
    "fold_latin",
    "given_name_key",
    "has_hangul",
    "name_keys",
    "phonetic_key",
    "romanise",
    "romanise_mr",
    "split_name",
    "surname_key",
    "surname_table",
    "to_south_initial",
]
