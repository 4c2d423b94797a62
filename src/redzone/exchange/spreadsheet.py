"""Writing cells that spreadsheets cannot turn into formulas, and reading them back unchanged.

Threat: a value such as `=cmd|' /C calc'!A0` or `=HYPERLINK("http://…?"&A1)`, typed into a testimony
field or smuggled in through an import, runs or leaks data when a partner opens an export in Excel or
LibreOffice (CSV injection). Mechanism: in CSV and XLSX output, any cell that starts with `=`, `+`,
`-`, `@`, a tab or a carriage return is prefixed with an apostrophe, which spreadsheets read as "this
is text"; XLSX cells are moreover written as string cells, never as formulas. The importer strips that
one apostrophe again (`unescape`), so export → import → export gives back the same values. Cells that
already start with apostrophes before a trigger character get one more, so the mapping is reversible.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO
from xml.sax.saxutils import escape as xml_escape

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CELL_LIMIT = 32_767
# Characters XML 1.0 (and therefore XLSX) cannot hold: C0 controls other than tab, newline, return.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def needs_escape(value: str) -> bool:
    return value.lstrip("'")[:1] in TRIGGERS


def escape(value: str) -> str:
    """The cell text a spreadsheet will show as text, never evaluate."""
    return "'" + value if needs_escape(value) else value


def unescape(value: str) -> str:
    """Undo `escape`: drop the apostrophe our exporter (or a careful partner) put in front of a trigger."""
    return value[1:] if value[:1] == "'" and needs_escape(value[1:]) else value


class CsvSheet:
    """A CSV output: UTF-8 with a byte-order mark (so Excel reads Hangul correctly), every cell escaped."""

    def __init__(self, stream: IO[bytes], header: Sequence[str]) -> None:
        self._text = _TextOnBytes(stream)
        self._text.write("\ufeff")
        self._writer = csv.writer(self._text, lineterminator="\r\n")
        self._writer.writerow(header)

    def write(self, row: Iterable[str | None]) -> None:
        self._writer.writerow(["" if cell is None else escape(cell) for cell in row])

    def close(self) -> None:
        self._text.flush()


class XlsxBook:
    """An XLSX workbook streamed straight into `stream`: one sheet per record type, every cell an inline
    string. Written by hand rather than with openpyxl, whose writer spools each sheet through a temporary
    file, which for an identity export would leave plaintext names on the disk."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._zip = zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED)
        self._titles: list[str] = []
        self._sheet: IO[bytes] | None = None
        self._row = 0

    def add_sheet(self, title: str, header: Sequence[str]) -> None:
        self._end_sheet()
        self._titles.append(title[:31])
        self._sheet = self._zip.open(f"xl/worksheets/sheet{len(self._titles)}.xml", "w", force_zip64=True)
        self._sheet.write(f'{_XML_HEAD}<worksheet xmlns="{_MAIN}"><sheetData>'.encode())
        self._row = 0
        self._append(list(header))

    def write(self, row: Iterable[str | None]) -> None:
        self._append([None if value is None else escape(value) for value in row])

    def _append(self, cells: list[str | None]) -> None:
        assert self._sheet is not None
        self._row += 1
        parts = [f'<row r="{self._row}">']
        for index, text in enumerate(cells):
            if text is None or text == "":
                continue
            if len(text) > XLSX_CELL_LIMIT:
                from redzone.errors import Problem, ValidationError

                raise ValidationError(Problem("format", f"a cell of {len(text):,} characters does not fit in XLSX "
                                                        f"(at most {XLSX_CELL_LIMIT:,}); export as CSV or JSON"))
            parts.append(f'<c r="{_column_letters(index)}{self._row}" t="inlineStr"><is><t xml:space="preserve">'
                         f'{xml_escape(_XML_ILLEGAL.sub(chr(0xFFFD), text))}</t></is></c>')
        parts.append("</row>")
        self._sheet.write("".join(parts).encode("utf-8", "replace"))

    def _end_sheet(self) -> None:
        if self._sheet is not None:
            self._sheet.write(b"</sheetData></worksheet>")
            self._sheet.close()
            self._sheet = None

    def close(self) -> None:
        if not self._titles:
            self.add_sheet("empty", [])
        self._end_sheet()
        sheets = range(1, len(self._titles) + 1)
        self._zip.writestr("[Content_Types].xml", _XML_HEAD + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/>' + "".join(
                f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-'
                'officedocument.spreadsheetml.worksheet+xml"/>' for n in sheets) + "</Types>"))
        self._zip.writestr("_rels/.rels", _XML_HEAD + f'<Relationships xmlns="{_PACKAGE_RELS}">'
                           f'<Relationship Id="rId1" Type="{_OFFICE_RELS}/officeDocument" Target="xl/workbook.xml"/>'
                           "</Relationships>")
        self._zip.writestr("xl/workbook.xml", _XML_HEAD + f'<workbook xmlns="{_MAIN}" xmlns:r="{_OFFICE_RELS}">'
                           "<sheets>" + "".join(
                               f'<sheet name="{xml_escape(title, {chr(34): "&quot;"})}" sheetId="{n}" r:id="rId{n}"/>'
                               for n, title in zip(sheets, self._titles)) + "</sheets></workbook>")
        self._zip.writestr("xl/_rels/workbook.xml.rels", _XML_HEAD + f'<Relationships xmlns="{_PACKAGE_RELS}">' + "".join(
            f'<Relationship Id="rId{n}" Type="{_OFFICE_RELS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in sheets) + "</Relationships>")
        self._zip.close()


_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


class _TextOnBytes:
    """The text face of a binary stream, for csv.writer; encodes UTF-8 in moderate chunks."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._pending: list[str] = []
        self._size = 0

    def write(self, text: str) -> int:
        self._pending.append(text)
        self._size += len(text)
        if self._size >= 1 << 16:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._stream.write("".join(self._pending).encode("utf-8", "replace"))
            self._pending, self._size = [], 0
