"""Preparing the rows of a large CSV file in a second process while the importer writes in this one.

Reading, checking and digesting rows, drawing new persons' codes and sealing their identities is
most of an import's work and needs nothing from the database, so on a machine with two cores it runs
beside the writing instead of before it. The helper is a fresh Python process (`python -m
redzone.exchange.background`: a fork of a process holding database connections and threads is
unsafe). It reads the file itself and sends rows back in chunks of plain tuples (dataclasses cost as
much to unpickle as to parse) through a pipe, whose small buffer makes it wait when the writer lags,
so memory stays flat however large the file.

What the helper is given, on its standard input: the path, the change-digest key and, for a file of
persons, the key that seals identities (never the passphrase, the master key or the database key).
It keeps them in memory only and exits at the end of the file. The writer still checks every code
the helper drew against the database, and seals again any row whose code it had to change.
Encrypted (.age) files, whose plaintext must stay in the importing process, are read there.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from redzone.exchange.readers import Row
from redzone.exchange.validation import ParsedRow
from redzone.security.keys import Digester, Sealer

MIN_BYTES = 4 * 1024 * 1024  # below this, starting a process costs more than it saves
CHUNK = 1000
_ROWS, _DONE, _FAILED = "rows", "done", "failed"


def worth_it(path: Path, fmt: str) -> bool:
    """Whether preparing `path` in a second process is likely to make its import faster."""
    return fmt == "csv" and path.suffix.lower() != ".age" and (os.cpu_count() or 1) > 1 \
        and path.stat().st_size >= MIN_BYTES


def prepared_rows(path: Path, name: str, encoding: str | None, kind: str, model: str, digest_key: bytes,
                  seal_key: bytes | None) -> Iterator[tuple[Row, ParsedRow | None]]:
    """(Row, ParsedRow) for each row of a one-table CSV of record type `kind`, prepared by a helper
    process: each sound row carries its change digest and, for persons, a proposed code with the
    identity sealed for it. Raises what the helper raised; stops the helper if the caller stops early."""
    package_root = str(Path(__file__).resolve().parents[2])  # the redzone this process runs
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, (package_root, os.environ.get("PYTHONPATH")))))
    helper = subprocess.Popen([sys.executable, "-m", "redzone.exchange.background"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert helper.stdin is not None and helper.stdout is not None
    try:
        pickle.dump((str(Path(path).resolve()), name, encoding, kind, model, digest_key, seal_key), helper.stdin)
        helper.stdin.close()
        while True:
            try:
                tag, body = pickle.load(helper.stdout)
            except EOFError:
                raise RuntimeError(f"the import's reader process stopped (exit code {helper.wait()})") from None
            if tag == _DONE:
                return
            if tag == _FAILED:
                raise body
            for number, row_problems, values, problems, references, ref, digest, prepared in body:
                row = Row(number, {}, row_problems)
                if values is None:
                    yield row, None
                    continue
                yield row, ParsedRow(values, problems, references, ref, digest, prepared)
    finally:
        if helper.poll() is None:
            helper.kill()
        helper.wait()
        helper.stdout.close()


def _serve() -> None:
    """The helper process: read, check, digest and (persons) seal, a chunk at a time, onto stdout."""
    from redzone.exchange.importer import _rows
    from redzone.exchange.readers import open_tables
    from redzone.exchange.writer import fresh_codes, row_digest, seal_identity_values

    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but pickled chunks may reach the pipe
    path, name, encoding, kind, model, digest_key, seal_key = pickle.load(sys.stdin.buffer)
    digester = Digester(digest_key)
    sealer = Sealer(seal_key) if seal_key is not None else None
    try:
        tables = [t for t in open_tables(lambda: open(path, "rb"), name, "csv", encoding) if not t.ignored]
        codes = fresh_codes(model, CHUNK)
        chunk: list[tuple[Any, ...]] = []
        for row, _, parsed in _rows(tables[0], kind, {}, True):
            if parsed is None:
                chunk.append((row.number, row.problems, None, None, None, None, None, None))
            else:
                digest = prepared = None
                if not parsed.problems and not row.problems:
                    digest = row_digest(digester, model, parsed)
                    if sealer is not None:
                        code = parsed.values.get("code") or next(codes)
                        prepared = (code, seal_identity_values(sealer, code, parsed.values))
                chunk.append((row.number, row.problems, parsed.values, parsed.problems, parsed.references,
                              parsed.ref, digest, prepared))
            if len(chunk) >= CHUNK:
                pickle.dump((_ROWS, chunk), out, protocol=pickle.HIGHEST_PROTOCOL)
                chunk = []
                codes = fresh_codes(model, CHUNK)  # one draw of the random source per chunk
        pickle.dump((_ROWS, chunk), out, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump((_DONE, None), out)
    except BrokenPipeError:  # the importer stopped reading: nothing more to do
        return
    except Exception as exc:  # handed to the importer, which raises it
        try:
            pickle.dumps(exc)
        except Exception:  # an exception that cannot cross: its message can
            exc = RuntimeError(f"{exc.__class__.__name__}: {exc}")
        pickle.dump((_FAILED, exc), out)
    out.flush()


if __name__ == "__main__":
    _serve()
