"""The backup file: a short header, then one encrypted, compressed stream of JSON lines.

Threat: a backup is a copy of everything — on a USB stick, a cloud drive, a seized laptop. Nothing
in it may be readable without a passphrase, and a damaged, cut, reordered or spliced backup must
never restore as if it were whole.

    header   b"RZBAK" 0x01 · 2-byte big-endian length · JSON {"format", "created", "kdf"}
    body     the evidence-file format (`evidence/container.py`): 1 MiB chunks, each AES-256-GCM
             with its index and a last-chunk flag as associated data, under the *archive key*;
             the "code" bound into every chunk is `backup-` + the header's SHA-256, so an edited
             header (salt, costs) fails authentication too
    plain    zlib-compressed JSON lines (`dump.py` says what they hold), the last of which counts
             everything before it and carries the SHA-256 of the lines it follows

Archive key: argon2id(passphrase, fresh salt, the workspace's KDF costs) → HKDF-SHA256 with the
label `redzone/backup-archive`. The passphrase is the one given at backup time, by default the
workspace passphrase; either way it is never stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import struct
import zlib
from collections.abc import Iterable, Iterator
from typing import IO, Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from redzone.errors import IntegrityError
from redzone.evidence import container
from redzone.security.keys import KdfParams, Sealer, derive_master_key

MAGIC = b"RZBAK\x01"
FORMAT = 1
_MAX_HEADER = 4096
_CHUNK = 1 << 20


class DamagedBackup(IntegrityError):
    """The backup file cannot be read as a whole, authentic Redzone backup."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"backup: {reason}")


def archive_sealer(passphrase: str, kdf: KdfParams) -> Sealer:
    master = derive_master_key(passphrase, kdf)
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"redzone/backup-archive").derive(master)
    return Sealer(key)


def _code(header: bytes) -> str:
    return "backup-" + hashlib.sha256(header).hexdigest()[:32]


def write_archive(out: IO[bytes], passphrase: str, costs: KdfParams, lines: Iterable[bytes]) -> None:
    """Encrypt `lines` (each one JSON document followed by b"\\n") into `out`, streaming."""
    kdf = KdfParams.new(time_cost=costs.time_cost, memory_cost_kib=costs.memory_cost_kib,
                        parallelism=costs.parallelism)
    meta = json.dumps({"format": FORMAT, "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                       "kdf": kdf.to_dict()}, separators=(",", ":")).encode()
    header = MAGIC + struct.pack(">H", len(meta)) + meta
    out.write(header)
    container.seal_to(archive_sealer(passphrase, kdf), _code(header), _compressed(lines), out)


def _compressed(lines: Iterable[bytes]) -> Iterator[bytes]:
    compressor = zlib.compressobj(6)
    pending: list[bytes] = []
    size = 0
    for line in lines:
        pending.append(line)
        size += len(line)
        if size >= _CHUNK:
            if out := compressor.compress(b"".join(pending)):
                yield out
            pending, size = [], 0
    yield compressor.compress(b"".join(pending)) + compressor.flush()


def read_header(stream: IO[bytes]) -> tuple[bytes, dict[str, Any]]:
    start = stream.read(len(MAGIC) + 2)
    if len(start) < len(MAGIC) + 2 or start[: len(MAGIC)] != MAGIC:
        raise DamagedBackup("not a Redzone backup file (header missing or damaged)")
    (length,) = struct.unpack(">H", start[len(MAGIC):])
    if length > _MAX_HEADER:
        raise DamagedBackup("header too long (damaged)")
    meta_bytes = stream.read(length)
    try:
        meta = json.loads(meta_bytes)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DamagedBackup("header is not readable (damaged)") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise DamagedBackup(f"format {meta.get('format') if isinstance(meta, dict) else '?'!r} is not supported")
    return start + meta_bytes, meta


def read_archive(stream: IO[bytes], passphrase: str) -> Iterator[bytes]:
    """The plaintext JSON lines of the archive (without their b"\\n"), each authenticated before it
    is yielded. A wrong passphrase and a damaged file both fail on the first chunk."""
    header, meta = read_header(stream)
    kdf = KdfParams.from_dict(meta.get("kdf", {}))
    sealer = archive_sealer(passphrase, kdf)
    decompressor = zlib.decompressobj()
    buffer = b""
    first = True
    try:
        for chunk in container.unseal_from(sealer, _code(header), stream):
            first = False
            buffer += decompressor.decompress(chunk)
            *complete, buffer = buffer.split(b"\n")
            yield from complete
    except container.DamagedEvidence as damaged:
        if first and "chunk 0 fails authentication" in damaged.reason:
            raise DamagedBackup("wrong backup passphrase, or the file is damaged (its first chunk fails authentication)") from None
        if damaged.reason.startswith("the file holds evidence"):
            raise DamagedBackup("the header does not match the content (edited or spliced)") from None
        raise DamagedBackup(damaged.reason) from None
    except zlib.error:
        raise DamagedBackup("the decrypted content is not readable (damaged)") from None
    buffer += decompressor.flush()
    if buffer or not decompressor.eof:
        raise DamagedBackup("the content ends in the middle of a record (damaged)")

