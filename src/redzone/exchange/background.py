"""Reading and validating a large CSV file in a second process while the importer writes in this one.

Parsing, checking and digesting rows is most of an import's work and needs nothing from the database,
so on a machine with two cores it runs beside the writing instead of before it. The helper is a fresh
Python process (`python -m redzone.exchange.background`: a fork of a process holding database
connections and threads is unsafe). It reads the file itself and sends parsed rows back in chunks
through a pipe, whose small buffer makes it wait when the writer lags, so memory stays flat however
large the file. It is given the path and the digest key only, on its standard input: no passphrase,
no database key, no sealing key. Encrypted (.age) files, whose plaintext must stay in the importing
process, are read there.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from redzone.security.keys import Digester

MIN_BYTES = 4 * 1024 * 1024  # below this, starting a process costs more than it saves
CHUNK = 1000
_ROWS, _DONE, _FAILED = "rows", "done", "failed"


def worth_it(path: Path, fmt: str) -> bool:
    """Whether reading `path` in a second process is likely to make its import faster."""
    return fmt == "csv" and path.suffix.lower() != ".age" and (os.cpu_count() or 1) > 1 \
        and path.stat().st_size >= MIN_BYTES


def parsed_rows(path: Path, name: str, encoding: str | None, kind: str, model: str,
                digester: Digester) -> Iterator[tuple[Any, Any]]:
    """(Row, ParsedRow) for each row of a one-table CSV of record type `kind`, read by a helper
    process; each parsed row without problems carries its change digest. Raises what the helper
    raised; stops the helper if the caller stops early."""
    package_root = str(Path(__file__).resolve().parents[2])  # the redzone this process runs
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, (package_root, os.environ.get("PYTHONPATH")))))
    helper = subprocess.Popen([sys.executable, "-m", "redzone.exchange.background"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert helper.stdin is not None and helper.stdout is not None
    try:
        pickle.dump((str(Path(path).resolve()), name, encoding, kind, model, digester), helper.stdin)
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
            yield from body
    finally:
        if helper.poll() is None:
            helper.kill()
        helper.wait()
        helper.stdout.close()


def _serve() -> None:
    """The helper process: read, parse and digest, a chunk at a time, onto standard output."""
    from redzone.exchange.importer import _rows
    from redzone.exchange.readers import open_tables
    from redzone.exchange.writer import row_digest

    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but pickled chunks may reach the pipe
    path, name, encoding, kind, model, digester = pickle.load(sys.stdin.buffer)
    try:
        tables = [t for t in open_tables(lambda: open(path, "rb"), name, "csv", encoding) if not t.ignored]
        chunk: list[tuple[Any, Any]] = []
        for row, _, parsed in _rows(tables[0], kind, {}, True):
            if parsed is not None and not parsed.problems and not row.problems:
                parsed.digest = row_digest(digester, model, parsed)
            chunk.append((row, parsed))
            if len(chunk) >= CHUNK:
                pickle.dump((_ROWS, chunk), out, protocol=pickle.HIGHEST_PROTOCOL)
                chunk = []
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
