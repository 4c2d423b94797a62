"""Redaction: stable pseudonyms within a run, none across runs, and no original in the output."""

import json

from typer.testing import CliRunner

from redzone.cli import app
from redzone.extract import Redactor, redact_text

TEXT = ("Interview with Ms. Ri Kyong-hui. Her broker, Jang Myong-chol, called her on +86 138 1234 5678 and "
        "wrote to jang.mc@example.org. Ri Kyong-hui's ID card: 220202199001011234. Later Jang Myong-chol "
        "phoned again from 010-1234-5678.")
ORIGINALS = ["Ri Kyong-hui", "Jang Myong-chol", "138 1234 5678", "jang.mc@example.org", "220202199001011234",
             "010-1234-5678"]


def test_names_contacts_and_ids_are_replaced_and_the_same_name_gets_the_same_pseudonym():
    redacted, replacements = redact_text(TEXT, "en")
    for original in ORIGINALS:
        assert original not in redacted
    kinds = {r.type for r in replacements}
    assert kinds == {"person", "phone", "email", "id_number"}
    by_name: dict[str, set[str]] = {}
    for r in replacements:
        if r.type == "person":
            by_name.setdefault(r.original.replace("Ms. ", ""), set()).add(r.pseudonym)
    assert all(len(pseudonyms) == 1 for pseudonyms in by_name.values())
    assert len({p for ps in by_name.values() for p in ps}) == 2
    for r in replacements:  # offsets point at the right places in both texts
        assert TEXT[r.start:r.end] == r.original and redacted[r.new_start:r.new_end] == r.pseudonym


def test_a_korean_name_in_hangul_and_in_latin_letters_is_one_person():
    redactor = Redactor()
    _, latin = redactor.redact("Kim Hye-jin left in 2012.", "en")
    _, hangul = redactor.redact("김혜진 씨는 2012년에 떠났다.", "ko")
    assert latin[0].pseudonym == hangul[0].pseudonym


def test_pseudonyms_differ_between_runs_so_output_cannot_be_matched_to_a_guess():
    first = Redactor().pseudonym("person", "Kim Hye-jin")
    second = Redactor().pseudonym("person", "Kim Hye-jin")
    assert first != second and "Kim" not in first


def test_chinese_and_korean_phones_and_names():
    redacted, _ = redact_text("研究员朴智贤说，她的手机是13912345678。", "zh")
    assert "朴智贤" not in redacted and "13912345678" not in redacted
    redacted, _ = redact_text("브로커 장명철이라는 사람이 010-9876-5432로 연락했다.", "ko")
    assert "장명철" not in redacted and "9876" not in redacted


def test_cli_redact_writes_a_copy_and_lists_no_originals_unless_asked(tmp_path):
    source = tmp_path / "statement.txt"
    source.write_text(TEXT, encoding="utf-8")
    result = CliRunner().invoke(app, ["--json", "redact", str(source)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    copy = tmp_path / "statement.redacted.txt"
    assert report["out"] == str(copy) and copy.is_file()
    assert not any(original in result.output for original in ORIGINALS)
    assert not any(original in copy.read_text(encoding="utf-8") for original in ORIGINALS)
    shown = CliRunner().invoke(app, ["--json", "redact", str(source), "--out", str(tmp_path / "x.txt"),
                                     "--show-originals"])
    assert "Jang Myong-chol" in shown.output
