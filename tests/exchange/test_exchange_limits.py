"""The importer's limits, met as a user would meet them: an archive or workbook that says it unpacks to
more than 2 GiB, a workbook with more than 256 MiB of shared strings, and a file that changes while it
is being imported are each refused in one line naming the file and the limit, and nothing is written.
Synthetic data only."""

import io
import struct
import zipfile

import openpyxl
import pytest

from exchange_helpers import actor, row_counts
from redzone.errors import ValidationError
from redzone.exchange import ImportRejected, batches, import_file, writer
from redzone.exchange.readers import MAX_SHARED_STRINGS, MAX_UNZIPPED_BYTES

PERSONS = "ref,sex,birth_year_min\nP1,female,1996\nP2,female,1999\n"


def declare_size(data: bytes, member: str, size: int) -> bytes:
    """The archive with `member`'s unpacked size stated as `size` in its local header and in the central
    directory: what a zip bomb states (Python's zipfile never unpacks a member beyond it), without
    making this test write gigabytes."""
    out = bytearray(data)
    name = member.encode()
    for signature, size_at, name_length_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        start = out.find(signature)
        while start != -1:
            length = struct.unpack_from("<H", out, start + name_length_at)[0]
            if bytes(out[start + name_at:start + name_at + length]) == name:
                struct.pack_into("<I", out, start + size_at, size)
            start = out.find(signature, start + 4)
    with zipfile.ZipFile(io.BytesIO(bytes(out))) as archive:
        assert archive.getinfo(member).file_size == size
    return bytes(out)


def workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "persons"
    for row in PERSONS.splitlines():
        sheet.append(row.split(","))
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def refused(ws, path) -> list[str]:
    before = row_counts(ws)
    with pytest.raises(ImportRejected) as rejected:
        import_file(ws, actor(ws, "officer"), path)
    assert row_counts(ws) == before
    return [str(problem) for problem in rejected.value.problems]


def test_an_archive_or_workbook_that_unpacks_beyond_2_gib_is_refused(workspace, tmp_path):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.writestr("persons.csv", PERSONS)
    bomb = tmp_path / "partner.zip"
    bomb.write_bytes(declare_size(archive.getvalue(), "persons.csv", MAX_UNZIPPED_BYTES + 1))
    assert refused(workspace, bomb) == ["partner.zip:1:(file): unpacks to more than 2 GiB; split it"]
    book = tmp_path / "persons.xlsx"
    book.write_bytes(declare_size(workbook(), "xl/worksheets/sheet1.xml", MAX_UNZIPPED_BYTES + 1))
    assert refused(workspace, book) == ["persons.xlsx:1:(file): unpacks to more than 2 GiB; split it"]
    # At the limit itself, the same workbook is read (and its two rows imported).
    honest = tmp_path / "persons-ok.xlsx"
    honest.write_bytes(workbook())
    assert import_file(workspace, actor(workspace, "officer"), honest).counts["persons"]["created"] == 2


def with_shared_strings(data: bytes) -> bytes:
    """The workbook with a shared-strings part, as Excel writes one (openpyxl writes its strings inline)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as packed, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as repacked:
        for name in packed.namelist():
            repacked.writestr(name, packed.read(name))
        repacked.writestr("xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                                                  '2006/main" count="0" uniqueCount="0"/>')
    return out.getvalue()


def test_a_workbook_with_more_than_256_mib_of_shared_strings_is_refused(workspace, tmp_path):
    data = with_shared_strings(workbook())
    book = tmp_path / "persons.xlsx"
    book.write_bytes(declare_size(data, "xl/sharedStrings.xml", MAX_SHARED_STRINGS + 1))
    assert refused(workspace, book) == [
        "persons.xlsx:1:(file): holds more than 256 MiB of text in its shared strings (read whole into memory); "
        "split it or use CSV"]
    below = tmp_path / "persons-ok.xlsx"  # the same workbook as it is: read
    below.write_bytes(data)
    assert import_file(workspace, actor(workspace, "officer"), below).counts["persons"]["created"] == 2


@pytest.mark.parametrize("layout", ["one table", "several types"])
def test_a_file_changed_while_it_is_imported_writes_nothing(workspace, tmp_path, monkeypatch, layout):
    """Another program appends to the file while the import writes its first batch (read once for one
    table, twice for several record types): the file's digest, taken before, no longer matches before
    the commit, so the import stops and nothing stays written."""
    if layout == "one table":
        path = tmp_path / "persons.csv"
        path.write_text(PERSONS, encoding="utf-8")
        extra = "P3,female,2001\n"
    else:
        path = tmp_path / "partner.jsonl"
        path.write_text('{"record_type": "events", "ref": "E1", "kind": "sale"}\n'
                        '{"record_type": "persons", "ref": "P1", "sex": "female", "event_refs": ["E1"]}\n',
                        encoding="utf-8")
        extra = '{"record_type": "persons", "ref": "P2", "sex": "female"}\n'
    write = writer.RecordWriter.write

    def write_while_appended(self, layout_, rows):  # noqa: ANN001, ANN202
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(extra)
        return write(self, layout_, rows)

    monkeypatch.setattr(writer.RecordWriter, "write", write_while_appended)
    write_persons = batches.write_persons  # a clean batch of new persons is written from its columns

    def write_persons_while_appended(*args):  # noqa: ANN002, ANN202
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(extra)
        return write_persons(*args)

    monkeypatch.setattr(batches, "write_persons", write_persons_while_appended)
    before = row_counts(workspace)
    with pytest.raises(ValidationError) as error:
        import_file(workspace, actor(workspace, "officer"), path)
    assert [str(p) for p in error.value.problems] == [
        f"{path.name}:(file): changed while it was being imported; nothing was written"]
    assert row_counts(workspace) == before
